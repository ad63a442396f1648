"""The human-editable annotation text format (``corpus annotate export|import``).

One document per file (format described in ``docs/annotation-format.md``)::

    ## comment lines start with '##' and are ignored
    # id: 2a651a9cacbfdf27
    # text-sha256: 5d41...
    # title: NATO chief: No plans for combat troops
    # authors: ["Jane Doe"]
    # annotation.blocks.status: gold
    title | NATO chief: No plans for combat troops in [Libya]{LOC}
    body  | [NATO]{ORG} is not planning ...
    #! {"format": 1, "source": {...}, ...}

* ``# key: value`` header lines carry the editable metadata and annotation provenance;
* each block is one line ``LABEL | text`` (``-`` for an unlabelled block) in reading order, with
  entities marked inline as ``[surface]{LABEL}``; ``\\[``, ``\\]``, ``\\\\`` and ``\\u{HEX}`` escape;
* the ``#!`` line holds, as JSON, every field an annotator does not edit (source, normaliser,
  checks, reference, block tags and xpaths, a short hash of each block's text).

The file alone reconstructs the whole document, so export -> import is lossless. Import computes
every offset, checks that the block texts still spell the document's text (``text-sha256``), and
validates the result; every problem is reported at the line and column of the annotation file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus.errors import DocumentError
from corpus.labels import ANNOTATION_STATUSES, BLOCK_LABELS, ENTITY_LABEL_SETS
from corpus.model import Block, Document
from corpus.validation.problems import ERROR, WARNING, Problem

FORMAT_VERSION = 1
#: Written in the label column for a block without a label.
UNLABELLED = "-"
#: Hex digits of the per-block text hash kept in the ``#!`` line.
BLOCK_HASH_CHARS = 8

#: Rule ids of problems found in an annotation file (severity, meaning); documented in
#: ``docs/annotation-format.md``. Problems of the rebuilt document keep the validator's rule ids.
RULES: dict[str, tuple[str, str]] = {
    "annot-header-syntax": (ERROR, "a '#' line that is not '# key: value', '## comment' or the '#!' line"),
    "annot-header-unknown-key": (ERROR, "a header key the format does not define"),
    "annot-header-duplicate": (ERROR, "the same header key twice"),
    "annot-header-value": (ERROR, "a header value of the wrong type or outside its allowed set"),
    "annot-header-missing": (ERROR, "a required header line (id, text-sha256) or the '#!' line is missing"),
    "annot-frozen-invalid": (ERROR, "the '#!' line is not the JSON object the export wrote"),
    "annot-block-syntax": (ERROR, "a block line without the 'LABEL | ' prefix"),
    "annot-label-unknown": (ERROR, "a block label outside the block label set"),
    "annot-entity-label-unknown": (ERROR, "an entity label outside the declared entity label set"),
    "annot-entity-unbalanced": (ERROR, "entity markup not of the form [surface]{LABEL}"),
    "annot-entity-empty": (ERROR, "an entity with no text"),
    "annot-escape-invalid": (ERROR, "a backslash not followed by \\, [, ], {, }, | or u{HEX}"),
    "annot-text-changed": (ERROR, "block text that no longer spells the document's text"),
}

_STR, _LIST, _BOOL, _STATUS, _LABEL_SET = "str", "list", "bool", "status", "label_set"

#: Editable header keys -> kind. Metadata fields use their bare names.
METADATA_KEYS: dict[str, str] = {
    "title": _STR, "authors": _LIST, "date_published": _STR, "date_modified": _STR, "publisher": _STR,
    "site_name": _STR, "section": _STR, "description": _STR, "categories": _LIST, "tags": _LIST,
    "language": _STR, "is_accessible_for_free": _BOOL,
}
ANNOTATION_KEYS: dict[str, str] = {
    **{f"annotation.{layer}.{k}": (_STATUS if k == "status" else _STR)
       for layer in ("blocks", "entities", "metadata") for k in ("status", "by", "tool")},
    "annotation.entity_label_set": _LABEL_SET,
    "annotation.guidelines_version": _STR,
}
HEADER_KEYS: dict[str, str] = {"id": _STR, "text-sha256": _STR, **METADATA_KEYS, **ANNOTATION_KEYS}

_HEADER_RE = re.compile(r"^# ([A-Za-z0-9_.\-]+):(?: (.*))?$")
_BLOCK_RE = re.compile(r"^([^\s|]+)[ \t]*\| ")
_HEX_RE = re.compile(r"[0-9A-Fa-f]{1,6}")
_LITERAL_ESCAPES = frozenset("\\[]{}|")


# -- helpers --------------------------------------------------------------------------------------
def text_sha256(text: str) -> str:
    """sha256 of ``text`` as UTF-8 (lone surrogates passed through), as the header records it."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def block_hash(text: str) -> str:
    return text_sha256(text)[:BLOCK_HASH_CHARS]


def _must_escape(ch: str) -> bool:
    """Characters written as ``\\u{HEX}``: controls, surrogates, line/paragraph separators, BOM."""
    return unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") or ch == "\ufeff"


def _uesc(ch: str) -> str:
    return f"\\u{{{ord(ch):x}}}"


def escape(s: str, *, lead: bool = False, trail: bool = False) -> str:
    """Escape ``s`` for a block line; ``lead``/``trail`` also escape whitespace at that edge."""
    out = []
    n = len(s)
    lead_end = n - len(s.lstrip()) if lead else 0
    trail_start = len(s.rstrip()) if trail else n
    for i, ch in enumerate(s):
        if ch in "\\[]":
            out.append("\\" + ch)
        elif _must_escape(ch) or i < lead_end or i >= trail_start:
            out.append(_uesc(ch))
        else:
            out.append(ch)
    return "".join(out)


def _json_safe(s: str) -> str:
    """``json.dumps`` output with line separators and other invisible breakers escaped too."""
    return "".join(f"\\u{ord(c):04x}" if _must_escape(c) and ord(c) > 0x1F else c for c in s)


def encode_value(value: Any, kind: str) -> str:
    """A header value as written after ``# key: ``."""
    if value is None:
        return ""
    if kind == _LIST:
        return _json_safe(json.dumps(list(value), ensure_ascii=False))
    if kind == _BOOL:
        return "true" if value else "false"
    s = str(value)
    plain = (s and s == s.strip() and not s.startswith('"') and not any(_must_escape(c) for c in s))
    return s if plain else _json_safe(json.dumps(s, ensure_ascii=False))


# -- export ---------------------------------------------------------------------------------------
def export_text(doc: Document) -> str:
    """The annotation file of ``doc`` (UTF-8 text ending in a newline)."""
    label_set = doc.annotation.entity_label_set
    lines = [
        f"## corpus annotation file, format {FORMAT_VERSION}. Edit block labels (first column), entities",
        "## [surface]{LABEL} and the '# key: value' lines; keep every block's text as it is.",
        f"## block labels: {' '.join(BLOCK_LABELS)}; '{UNLABELLED}' = unlabelled",
        f"## entity labels ({label_set}): {' '.join(ENTITY_LABEL_SETS.get(label_set, ()))}",
        "## literal brackets and backslashes are escaped: \\[ \\] \\\\; \\u{HEX} is any character",
        f"# id: {doc.id}",
        f"# text-sha256: {text_sha256(doc.text)}",
    ]
    md = doc.metadata
    for key, kind in METADATA_KEYS.items():
        lines.append(f"# {key}: {encode_value(getattr(md, key), kind)}".rstrip(" "))
    ann = doc.annotation
    for key, kind in ANNOTATION_KEYS.items():
        parts = key.split(".")
        value = getattr(getattr(ann, parts[1]), parts[2]) if len(parts) == 3 else getattr(ann, parts[1])
        lines.append(f"# {key}: {encode_value(value, kind)}".rstrip(" "))
    lines.append("")
    width = max([len(b.label or UNLABELLED) for b in doc.blocks] or [1])
    ents = sorted(doc.entities, key=lambda e: (e.start, e.end))
    ei = 0
    for b in doc.blocks:
        pieces = []
        pos = b.start
        while ei < len(ents) and ents[ei].start < b.end:
            e = ents[ei]
            if e.start < pos or e.end > b.end or doc.text[e.start : e.end] != e.text:
                raise DocumentError(
                    f"document {doc.id}: entity {e.text!r} [{e.start}, {e.end}) overlaps another entity, crosses "
                    "a block edge or does not match the text; fix it (see `corpus validate`) before exporting",
                    reason="entity_not_exportable")
            pieces.append(escape(doc.text[pos : e.start], lead=pos == b.start))
            pieces.append("[" + escape(doc.text[e.start : e.end]) + "]{" + e.label + "}")
            pos = e.end
            ei += 1
        pieces.append(escape(doc.text[pos : b.end], lead=pos == b.start, trail=True))
        lines.append(f"{(b.label or UNLABELLED).ljust(width)} | {''.join(pieces)}")
    if ei < len(ents):
        e = ents[ei]
        raise DocumentError(f"document {doc.id}: entity {e.text!r} [{e.start}, {e.end}) lies outside every block",
                            reason="entity_not_exportable")
    lines.append("")
    full = doc.to_dict()
    frozen = {
        "format": FORMAT_VERSION,
        "schema_version": doc.schema_version,
        **{k: full[k] for k in ("source", "normalizer", "checks", "reference")},
        "blocks": [[b.tag, b.xpath, block_hash(doc.text[b.start : b.end])] for b in doc.blocks],
    }
    lines.append("#! " + json.dumps(frozen, ensure_ascii=True, separators=(",", ":")))
    return "\n".join(lines) + "\n"


# -- parse ----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Loc:
    line: int
    column: int


@dataclass
class ImportResult:
    """A rebuilt document (None when the file is unusable) and every problem found."""

    document: Document | None
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return self.document is not None and not any(p.severity == ERROR for p in self.problems)


class _Parser:
    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []
        self.header: dict[str, Any] = {}
        self.header_loc: dict[str, _Loc] = {}
        self.frozen: dict[str, Any] | None = None
        self.frozen_loc = _Loc(0, 0)
        self.blocks: list[tuple[str | None, str, list[tuple[int, int, str, _Loc]], _Loc, _Loc]] = []

    def err(self, rule: str, line: int, column: int, message: str, pointer: str = "") -> None:
        self.problems.append(Problem(self.file, line, column, rule, pointer, message, RULES[rule][0]))

    # header -----------------------------------------------------------------------------------
    def header_line(self, ln: int, line: str) -> None:
        if line.startswith("##"):
            return
        if line.startswith("#!"):
            self.frozen_line(ln, line)
            return
        m = _HEADER_RE.match(line)
        if not m:
            self.err("annot-header-syntax", ln, 1,
                     "expected '# key: value' (or '## ' for a comment); got " + _clip(line))
            return
        key, raw = m.group(1), (m.group(2) or "")
        col = m.start(2) + 1 if m.group(2) is not None else len(line) + 1
        if key not in HEADER_KEYS:
            self.err("annot-header-unknown-key", ln, 3, f"unknown header key {key!r}" + _suggest(key, HEADER_KEYS))
            return
        if key in self.header_loc:
            self.err("annot-header-duplicate", ln, 3,
                     f"{key!r} is already set on line {self.header_loc[key].line}")
            return
        self.header_loc[key] = _Loc(ln, col)
        try:
            self.header[key] = _decode_value(raw.strip(), HEADER_KEYS[key])
        except ValueError as exc:
            self.err("annot-header-value", ln, col + len(raw) - len(raw.lstrip()), f"{key}: {exc}")

    def frozen_line(self, ln: int, line: str) -> None:
        if self.frozen is not None:
            self.err("annot-frozen-invalid", ln, 1, f"a second '#!' line (the first is line {self.frozen_loc.line})")
            return
        self.frozen_loc = _Loc(ln, 1)
        try:
            obj = json.loads(line[2:])
        except json.JSONDecodeError as exc:
            self.err("annot-frozen-invalid", ln, 3 + exc.pos,
                     f"the '#!' line is not valid JSON ({exc.msg}); restore it from the exported file")
            self.frozen = {}
            return
        if not isinstance(obj, dict) or not isinstance(obj.get("blocks"), list):
            self.err("annot-frozen-invalid", ln, 1, "the '#!' line must be the JSON object the export wrote")
            self.frozen = {}
            return
        if obj.get("format") != FORMAT_VERSION:
            self.err("annot-frozen-invalid", ln, 1, f"unsupported format {obj.get('format')!r}; "
                     f"this version reads format {FORMAT_VERSION}")
        self.frozen = obj

    # blocks -----------------------------------------------------------------------------------
    def block_line(self, ln: int, line: str, label_set: tuple[str, ...] | None) -> None:
        m = _BLOCK_RE.match(line)
        if not m:
            self.err("annot-block-syntax", ln, 1,
                     f"expected 'LABEL | text' (LABEL one of the block labels or '{UNLABELLED}'); got " + _clip(line))
            return
        label: str | None = m.group(1)
        if label == UNLABELLED:
            label = None
        elif label not in BLOCK_LABELS:
            self.err("annot-label-unknown", ln, 1, f"unknown block label {label!r}" + _suggest(label, BLOCK_LABELS))
        text, ents, ok = self.block_text(ln, line, m.end(), label_set)
        if ok:
            self.blocks.append((label, text, ents, _Loc(ln, 1), _Loc(ln, m.end() + 1)))
        else:
            self.blocks.append((label, text, [], _Loc(ln, 1), _Loc(ln, m.end() + 1)))

    def block_text(self, ln: int, line: str, i: int, label_set: tuple[str, ...] | None
                   ) -> tuple[str, list[tuple[int, int, str, _Loc]], bool]:
        out: list[str] = []
        ents: list[tuple[int, int, str, _Loc]] = []
        open_at: tuple[int, int] | None = None  # (offset in block text, column of '[')
        ok = True
        n = len(line)
        while i < n:
            ch = line[i]
            if ch == "\\":
                if i + 1 < n and line[i + 1] in _LITERAL_ESCAPES:
                    out.append(line[i + 1])
                    i += 2
                    continue
                m = _HEX_RE.match(line, i + 3) if line.startswith("u{", i + 1) else None
                if m and m.end() < n and line[m.end()] == "}" and int(m.group(), 16) <= 0x10FFFF:
                    out.append(chr(int(m.group(), 16)))
                    i = m.end() + 1
                    continue
                self.err("annot-escape-invalid", ln, i + 1,
                         "a backslash must be followed by \\ [ ] { } | or u{HEX}; write \\\\ for a literal backslash")
                ok = False
                out.append(ch)
                i += 1
                continue
            if ch == "[":
                if open_at is not None:
                    self.err("annot-entity-unbalanced", ln, i + 1,
                             f"'[' inside the entity opened at column {open_at[1]}: entities cannot nest "
                             "(write \\[ for a literal bracket)")
                    ok = False
                else:
                    open_at = (len(out), i + 1)
                i += 1
                continue
            if ch == "]":
                if open_at is None:
                    self.err("annot-entity-unbalanced", ln, i + 1,
                             "']' without an opening '[' (write \\] for a literal bracket)")
                    ok = False
                    i += 1
                    continue
                close = line.find("}", i + 2) if line.startswith("{", i + 1) else -1
                if close < 0:
                    self.err("annot-entity-unbalanced", ln, i + 1,
                             "an entity must end with ]{LABEL}, e.g. [Paris]{LOC}")
                    ok = False
                    open_at = None
                    i += 1
                    continue
                elabel = line[i + 2 : close]
                start = open_at[0]
                end = len(out)
                if label_set is not None and elabel not in label_set:
                    self.err("annot-entity-label-unknown", ln, i + 3,
                             f"unknown entity label {elabel!r}" + _suggest(elabel, label_set))
                    ok = False
                elif end == start:
                    self.err("annot-entity-empty", ln, open_at[1], "an entity needs at least one character")
                    ok = False
                else:
                    ents.append((start, end, elabel, _Loc(ln, open_at[1])))
                open_at = None
                i = close + 1
                continue
            out.append(ch)
            i += 1
        if open_at is not None:
            self.err("annot-entity-unbalanced", ln, open_at[1],
                     "'[' is never closed by ]{LABEL} on this line (write \\[ for a literal bracket)")
            ok = False
        return "".join(out), ents, ok


def _clip(s: str, n: int = 40) -> str:
    return repr(s if len(s) <= n else s[:n] + "…")


def _suggest(word: str, choices: Any) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1)
    if not close and word.upper() in choices:
        close = [word.upper()]
    if not close and word.lower() in choices:
        close = [word.lower()]
    return f"; did you mean {close[0]!r}?" if close else ""


def _decode_value(raw: str, kind: str) -> Any:
    """Parse a header value (``raw`` already stripped); raises ValueError with a helpful message."""
    if kind == _LIST:
        if not raw:
            return []
        try:
            v = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValueError(f'expected a JSON list of strings like ["A", "B"] ({exc.msg})') from None
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise ValueError('expected a JSON list of strings like ["A", "B"]')
        return v
    if not raw:
        return None
    if kind == _BOOL:
        if raw in ("true", "false"):
            return raw == "true"
        raise ValueError(f"expected true, false or nothing, got {raw!r}")
    if raw.startswith('"'):
        try:
            v = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValueError(f"a value starting with '\"' must be one JSON string ({exc.msg})") from None
        if not isinstance(v, str):
            raise ValueError("a value starting with '\"' must be one JSON string")
        raw = v
    if kind == _STATUS and raw not in ANNOTATION_STATUSES:
        raise ValueError(f"expected one of {', '.join(ANNOTATION_STATUSES)}, got {raw!r}")
    if kind == _LABEL_SET and raw not in ENTITY_LABEL_SETS:
        raise ValueError(f"expected one of {', '.join(ENTITY_LABEL_SETS)}, got {raw!r}")
    return raw


def parse_text(content: str, file: str = "<annotation>") -> ImportResult:
    """Rebuild the document from an annotation file, reporting every problem of the file itself.

    The rebuilt document is not validated here (see :func:`import_text`).
    """
    return _parse(content, file)[1]


def _parse(content: str, file: str) -> tuple[_Parser, ImportResult]:
    p = _Parser(file)
    if content.startswith("\ufeff"):
        content = content[1:]
    lines = content.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    # the entity label set is needed before the blocks: read the header first
    for ln, line in enumerate(lines, 1):
        line = line[:-1] if line.endswith("\r") else line
        if line.startswith("#"):
            p.header_line(ln, line)
    label_set = ENTITY_LABEL_SETS.get(p.header.get("annotation.entity_label_set") or "conll4")
    if "annotation.entity_label_set" in p.header_loc and "annotation.entity_label_set" not in p.header:
        label_set = None  # already reported; do not pile up label errors
    for ln, line in enumerate(lines, 1):
        line = line[:-1] if line.endswith("\r") else line
        if line.startswith("#") or not line.strip():
            continue
        p.block_line(ln, line, label_set)
    for key in ("id", "text-sha256"):
        if key not in p.header_loc:
            p.err("annot-header-missing", 1, 1, f"the header line '# {key}: ...' is missing")
    if p.frozen is None:
        p.err("annot-header-missing", len(lines) or 1, 1,
              "the '#!' line (source, normaliser, block hashes) is missing; restore it from the exported file")
        return p, ImportResult(None, p.problems)
    if not p.frozen or "id" not in p.header or "text-sha256" not in p.header:
        return p, ImportResult(None, p.problems)
    _check_text(p)
    if any(x.severity == ERROR for x in p.problems):
        return p, ImportResult(None, p.problems)
    try:
        doc = _build(p)
    except (KeyError, TypeError, ValueError) as exc:
        p.err("annot-frozen-invalid", p.frozen_loc.line, 1, f"the '#!' line is damaged ({exc})")
        return p, ImportResult(None, p.problems)
    return p, ImportResult(doc, p.problems)


def _check_text(p: _Parser) -> None:
    """Every block line must still spell the block text the export wrote."""
    assert p.frozen is not None
    hashes = [b[2] if isinstance(b, list) and len(b) == 3 else None for b in p.frozen["blocks"]]
    text = "\n".join(b[1] for b in p.blocks)
    if text_sha256(text) == p.header["text-sha256"] and len(p.blocks) == len(hashes):
        return
    for i, (_, btext, _, _, tloc) in enumerate(p.blocks):
        if i >= len(hashes):
            p.err("annot-text-changed", tloc.line, 1,
                  f"this block line is one too many: the document has {len(hashes)} blocks "
                  "(blocks cannot be added or split; only labels and entities change)", f"/blocks/{i}")
            return
        if block_hash(btext) != hashes[i]:
            p.err("annot-text-changed", tloc.line, tloc.column,
                  f"the text of block {i + 1} differs from the document's text (only labels, entity "
                  "brackets and escapes may change; was a line deleted, merged or retyped?)", f"/blocks/{i}")
            return
    if len(p.blocks) < len(hashes):
        last = p.blocks[-1][3].line if p.blocks else 1
        p.err("annot-text-changed", last, 1,
              f"{len(hashes) - len(p.blocks)} block line(s) missing: the document has {len(hashes)} blocks",
              f"/blocks/{len(p.blocks)}")
        return
    loc = p.header_loc["text-sha256"]
    p.err("annot-text-changed", loc.line, loc.column,
          "text-sha256 does not match the text spelled by the block lines", "/text")


def _build(p: _Parser) -> Document:
    assert p.frozen is not None
    fz = p.frozen
    h = p.header
    text_parts: list[str] = []
    blocks: list[Block] = []
    entities: list[dict[str, Any]] = []
    pos = 0
    for i, (label, btext, ents, _, _) in enumerate(p.blocks):
        if i:
            pos += 1
        tag, xpath, _ = fz["blocks"][i]
        blocks.append(Block(pos, pos + len(btext), label, tag, xpath))
        for s, e, elabel, _ in ents:
            entities.append({"start": pos + s, "end": pos + e, "label": elabel, "text": btext[s:e]})
        text_parts.append(btext)
        pos += len(btext)

    def layer(name: str) -> dict[str, Any]:
        d = {"status": h.get(f"annotation.{name}.status") or "none"}
        for k in ("by", "tool"):
            if h.get(f"annotation.{name}.{k}") is not None:
                d[k] = h[f"annotation.{name}.{k}"]
        return d

    d = {
        "schema_version": fz["schema_version"],
        "id": h["id"],
        "source": fz["source"],
        "normalizer": fz["normalizer"],
        "text": "\n".join(text_parts),
        "blocks": [],
        "entities": entities,
        "metadata": {k: h.get(k, [] if kind == _LIST else None) for k, kind in METADATA_KEYS.items()},
        "checks": fz.get("checks") or {},
        "reference": fz.get("reference"),
        "annotation": {
            "blocks": layer("blocks"), "entities": layer("entities"), "metadata": layer("metadata"),
            "entity_label_set": h.get("annotation.entity_label_set") or "conll4",
            "guidelines_version": h.get("annotation.guidelines_version"),
        },
    }
    return Document.from_dict(d).replace(blocks=tuple(blocks))


# -- import (parse + validate) --------------------------------------------------------------------
Validator = Callable[[dict[str, Any]], list[Problem]]


def _default_validator() -> Validator:
    from corpus.validation import validate_document

    return validate_document


def import_text(content: str, file: str = "<annotation>", *, validator: Validator | None = None) -> ImportResult:
    """Parse an annotation file and validate the rebuilt document; problems of the document are
    placed at the file line (and column) that produced the offending field."""
    parser, result = _parse(content, file)
    if result.document is None:
        return result
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
    from corpus.text.normalise import NORMALIZER, normalise_raw, raw_format_for

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
    if src.raw_format == "warc" or doc.normalizer != NORMALIZER:
        return [prob("normalizer-not-installed", "/normalizer",
                     "the text cannot be re-derived here (WARC record or another normaliser version)", WARNING)]
    declared = src.encoding if src.encoding and not src.encoding.endswith(";replacement") else None
    try:
        page = normalise_raw(raw, src.raw_format, gzipped=raw_format_for(src.raw_path)[1], declared_charset=declared)
    except CorpusError as exc:
        return [prob("text-not-reproduced", "/text", f"re-normalising {path} failed: {exc}")]
    if page.text != doc.text:
        return [prob("text-not-reproduced", "/text", f"re-normalising {path} does not give the document's text")]
    if [(b.start, b.end) for b in page.blocks] != [(b.start, b.end) for b in doc.blocks]:
        return [prob("blocks-not-reproduced", "/blocks", f"re-normalising {path} gives other block offsets")]
    return []


__all__ = [
    "FORMAT_VERSION", "RULES", "UNLABELLED", "ImportResult", "block_hash", "encode_value", "escape",
    "export_text", "import_text", "parse_text", "raw_problems", "text_sha256",
]
