"""Import with validation, problems placed at file positions, and the raw-page check."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from corpus.annotate.annotext.parse import ImportResult, _Loc, _parse, _Parser
from corpus.errors import ConfigError
from corpus.labels import ANNOTATION_STATUSES, GUIDELINES_VERSION
from corpus.model import Document, Layer
from corpus.validation.problems import ERROR, WARNING, Problem

# -- import (parse + validate) --------------------------------------------------------------------
Validator = Callable[[dict[str, Any]], list[Problem]]


def _default_validator() -> Validator:
    from corpus.validation import validate_document

    return validate_document


LAYERS = ("blocks", "entities", "metadata")


def record_edit(doc: Document, annotator: str, status: str = "gold") -> Document:
    """``doc`` with every layer recorded as checked by ``annotator``: ``status`` (``gold``: a person
    checked every label), ``by``, and the guidelines version followed. The ``tool`` that drafted
    a layer is kept as its history."""
    ann = doc.annotation
    layers = {name: Layer(status, annotator, getattr(ann, name).tool) for name in LAYERS}
    return doc.replace(annotation=dataclasses.replace(ann, guidelines_version=GUIDELINES_VERSION, **layers))


def unchecked_layers(doc: Document) -> list[str]:
    """Layers still recorded as machine output (``model`` / ``projected``)."""
    return [name for name in LAYERS if getattr(doc.annotation, name).status in ("model", "projected")]


def import_text(content: str, file: str = "<annotation>", *, validator: Validator | None = None,
                annotator: str | None = None, status: str = "gold", original: Document | None = None
                ) -> ImportResult:
    """Parse an annotation file and validate the rebuilt document; problems of the document are
    placed at the file line (and column) that produced the offending field. With ``annotator`` the
    edit is recorded first (:func:`record_edit`), so a gold layer is validated as gold. ``original``
    (the document the file was exported from) locates a changed text at its first changed character."""
    parser, result = _parse(content, file, original)
    if result.document is None:
        return result
    if annotator is not None:
        if status not in ANNOTATION_STATUSES:
            raise ConfigError(f"status must be one of {', '.join(ANNOTATION_STATUSES)}, not {status!r}")
        if not annotator.strip():
            raise ConfigError("the annotator's name is empty")
        result = ImportResult(record_edit(result.document, annotator.strip(), status), result.problems)
    locate = _locator(parser)
    check = validator or _default_validator()
    problems = list(result.problems)
    for prob in check(result.document.to_dict()):
        line, col = locate(prob.pointer)
        problems.append(Problem(file, line, col, prob.rule, prob.pointer, prob.message, prob.severity))
    doc = None if any(x.severity == ERROR for x in problems) else result.document
    return ImportResult(doc, problems)


def _locator(p: _Parser) -> Callable[[str], tuple[int, int]]:
    """Map a JSON pointer of the rebuilt document to (line, column) in the annotation file."""
    block_locs = [b[3] for b in p.blocks]
    ent_locs = [e[3] for b in p.blocks for e in b[2]]

    def locate(pointer: str) -> tuple[int, int]:
        parts = pointer.strip("/").split("/") if pointer else []
        head = parts[0] if parts else ""
        idx = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        if head == "blocks" and idx is not None and idx < len(block_locs):
            loc = block_locs[idx]
        elif head == "entities" and idx is not None and idx < len(ent_locs):
            loc = ent_locs[idx]
        elif head == "metadata" and len(parts) > 1 and parts[1] in p.header_loc:
            loc = p.header_loc[parts[1]]
        elif head == "annotation" and len(parts) > 1:
            key = "annotation." + ".".join(parts[1:3])
            loc = p.header_loc.get(key) or p.header_loc.get("annotation." + parts[1]) or _Loc(1, 1)
        elif head == "id":
            loc = p.header_loc.get("id", _Loc(1, 1))
        elif head == "text":
            loc = block_locs[0] if block_locs else _Loc(1, 1)
        else:
            loc = p.frozen_loc if p.frozen_loc.line else _Loc(1, 1)
        return loc.line, loc.column

    return locate


def raw_problems(doc: Document, root: str | os.PathLike[str], file: str, content: str) -> list[Problem]:
    """Check that ``root / source.raw_path`` hashes to ``raw_sha256`` and re-normalises to the
    document's text and block offsets (reported at the ``#!`` line, which carries the source)."""
    from corpus.errors import CorpusError
    from corpus.model import sha256_hex
    from corpus.text.normalise import raw_format_for
    from corpus.text.normalisers import normalise_raw_with, normaliser_of

    lines = content.split("\n")
    line = next((i for i, x in enumerate(lines, 1) if x.startswith("#!")), 1)

    def prob(rule: str, pointer: str, message: str, severity: str = ERROR) -> Problem:
        return Problem(file, line, 1, rule, pointer, message, severity)

    src = doc.source
    if not src.raw_path:
        return [prob("raw-missing", "/source/raw_path", "source.raw_path is not recorded")]
    path = Path(root) / src.raw_path
    if not path.is_file():
        return [prob("raw-missing", "/source/raw_path", f"raw file {path} not found")]
    raw = path.read_bytes()
    if sha256_hex(raw) != src.raw_sha256:
        return [prob("raw-hash-mismatch", "/source/raw_sha256", f"{path} does not hash to source.raw_sha256")]
    installed = normaliser_of(doc.normalizer)
    if src.raw_format == "warc" or installed is None:
        return [prob("normalizer-not-installed", "/normalizer",
                     "the text cannot be re-derived here (WARC record or another normaliser version)", WARNING)]
    declared = src.encoding if src.encoding and not src.encoding.endswith(";replacement") else None
    try:
        page = normalise_raw_with(installed, raw, src.raw_format, gzipped=raw_format_for(src.raw_path)[1],
                                  declared_charset=declared)
    except CorpusError as exc:
        return [prob("text-not-reproduced", "/text", f"re-normalising {path} failed: {exc}")]
    if page.text != doc.text:
        return [prob("text-not-reproduced", "/text", f"re-normalising {path} does not give the document's text")]
    if [(b.start, b.end) for b in page.blocks] != [(b.start, b.end) for b in doc.blocks]:
        return [prob("blocks-not-reproduced", "/blocks", f"re-normalising {path} gives other block offsets")]
    return []
