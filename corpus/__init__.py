"""Annotated, versioned, validated web-page corpus toolkit.

Flat, function-first API::

    from corpus import normalise_raw, draft_document, validate_paths, build, load_documents
"""

from __future__ import annotations

from corpus.documents import load_documents
from corpus.ingest.draft import draft_document
from corpus.model import (
    SCHEMA_VERSION,
    Annotation,
    Block,
    Checks,
    Document,
    Entity,
    Layer,
    Metadata,
    Reference,
    Source,
)
from corpus.store import write_document
from corpus.text.normalise import NORMALIZER_VERSION, normalise_html, normalise_raw, normalise_text

__version__ = "0.1.0"

__all__ = [
    "NORMALIZER_VERSION",
    "SCHEMA_VERSION",
    "Annotation",
    "Block",
    "Checks",
    "Document",
    "Entity",
    "Layer",
    "Metadata",
    "Reference",
    "Source",
    "__version__",
    "draft_document",
    "load_documents",
    "normalise_html",
    "normalise_raw",
    "normalise_text",
    "write_document",
]
