"""Annotation: pre-annotation of drafts, projection of benchmark gold, the annotation text format."""
