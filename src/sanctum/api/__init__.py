"""The HTTP API (`sanctum serve`)."""
