"""Layered validator (DESIGN §3, §9): file → JSON Schema → semantic invariants → corpus.

``validate_document`` checks one parsed document (pure); ``validate_paths`` reads files,
directories, JSONL and built datasets and adds positions, raw-file and corpus-level checks.
Rule ids and severities are catalogued in :data:`RULES` and in ``docs/validation.md``.
"""

from __future__ import annotations

from typing import Any

from corpus.errors import CorpusError
from corpus.validation.fast import is_clean
from corpus.validation.problems import ERROR, RULES, WARNING, Problem, Report, problem
from corpus.validation.schema import load_schema, schema_problems
from corpus.validation.semantic import semantic_problems

__all__ = [
    "ERROR",
    "RULES",
    "WARNING",
    "InvalidCorpusError",
    "Problem",
    "Report",
    "is_clean",
    "load_schema",
    "require_valid",
    "validate_document",
    "validate_paths",
    "validate_record",
]


class InvalidCorpusError(CorpusError):
    """A corpus did not validate; ``report`` is the validator's report."""

    reason = "invalid_corpus"

    def __init__(self, report: Report):
        super().__init__("the corpus is not valid; nothing was built")
        self.report = report


def require_valid(paths: Any, *, check_raw: bool = True) -> None:
    """Raise :class:`InvalidCorpusError` unless the corpus at ``paths`` (a ``CorpusPaths``) validates."""
    report = validate_paths([paths.given], raw_root=paths.root, check_raw=check_raw)
    if not report.ok:
        raise InvalidCorpusError(report)


def validate_document(data: Any, *, fast: bool = False) -> list[Problem]:
    """Schema and semantic problems of one parsed document (no file system, no corpus checks).

    Problems carry ``file=""`` and ``line=column=0``; the file layer fills in positions. With
    ``fast=True`` a document the fast checker proves clean skips the reference layers (the result
    is the same either way).
    """
    if fast and is_clean(data):
        return []
    found = schema_problems(data)
    try:
        found.extend(semantic_problems(data))
    except Exception as exc:  # a validator bug must not hide the rest of the report
        found.append(problem("validator-internal-error", "", f"semantic checks failed: {type(exc).__name__}: {exc}"))
    return found


# files imports validate_document from here
from corpus.validation.files import validate_paths, validate_record  # noqa: E402
