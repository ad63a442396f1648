"""Generators of hostile and synthetic inputs for the ingest tests (built in code, never committed)."""
