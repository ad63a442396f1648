"""Ingest: discover raw inputs, read WARC, make draft documents, the resumable sharded engine."""
