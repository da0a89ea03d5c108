"""`mapc serve`: Sync health as a web page, with /metrics and /healthz, read from the state."""
