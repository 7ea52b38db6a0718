"""Monitoring and case management: the customer book re-screened as lists change, alerts
per listed party, decisions with four eyes, suppression of cleared false positives and
webhook notifications. Sits beside api/cli: imports store, screen and audit, never them."""
