"""Scoring listed parties against a query, and explaining every score."""
