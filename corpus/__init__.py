"""Annotated, versioned, validated web-page corpus toolkit.

A flat, function-first API named like the command-line verbs::

    import corpus

    corpus.ingest(["pages/"], "drafts")          # corpus ingest pages/ --out drafts
    report = corpus.validate("drafts")            # corpus validate drafts
    result = corpus.build("data", "dist/corpus")  # corpus build data --out dist/corpus
    for doc in corpus.load_documents("data"):
        print(doc.id, doc.view("body")[:60])
"""

from __future__ import annotations

# The subpackages that share a name with an API verb are imported first, so that the verb (bound
# below) is what ``corpus.ingest`` / ``corpus.validate`` mean, and ``import corpus.ingestion.engine`` works.
import corpus.ingestion as _ingest_package  # noqa: F401
import corpus.validation as _validate_package  # noqa: F401
from corpus.api import (
    DocumentNotFoundError,
    agree,
    bench,
    build,
    export,
    import_,
    ingest,
    load_documents,
    migrate,
    pick_document,
    show,
    stats,
    validate,
    verify,
)
from corpus.errors import ConfigError, CorpusError, DocumentError, FileError, MissingDependencyError
from corpus.ingestion.draft import draft_document
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
from corpus.version import __version__

__all__ = [
    "NORMALIZER_VERSION",
    "SCHEMA_VERSION",
    "Annotation",
    "Block",
    "Checks",
    "ConfigError",
    "CorpusError",
    "Document",
    "DocumentError",
    "DocumentNotFoundError",
    "Entity",
    "FileError",
    "Layer",
    "Metadata",
    "MissingDependencyError",
    "Reference",
    "Source",
    "__version__",
    "agree",
    "bench",
    "build",
    "draft_document",
    "export",
    "import_",
    "ingest",
    "load_documents",
    "migrate",
    "normalise_html",
    "normalise_raw",
    "normalise_text",
    "pick_document",
    "show",
    "stats",
    "validate",
    "verify",
    "write_document",
]
