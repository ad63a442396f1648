"""Annotation tools and training formats: each tool's import and export together."""
