"""Sync health for operators: error categories, record identities and links, run outcomes."""
