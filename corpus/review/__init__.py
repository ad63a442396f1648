"""Reviewing documents: rendered views for annotators."""
