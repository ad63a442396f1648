"""Annotation text -> document: the line parser and the rebuild."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from corpus.annotate.annotext.syntax import (
    _BLOCK_RE,
    _BOOL,
    _HEADER_RE,
    _HEX_RE,
    _LABEL_RE,
    _LABEL_SET,
    _LIST,
    _LITERAL_ESCAPES,
    _MARKUP_RE,
    _STATUS,
    _STR,
    FORMAT_VERSION,
    HEADER_KEYS,
    METADATA_KEYS,
    RULES,
    UNLABELLED,
    block_hash,
    text_sha256,
)
from corpus.labels import ANNOTATION_STATUSES, BLOCK_LABELS, ENTITY_LABEL_SETS
from corpus.model import Block, Document
from corpus.validation.problems import ERROR, Problem


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
        #: per block line, the file column of each character of its decoded text (and one past the end)
        self.columns: list[list[int]] = []

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
        value = raw.strip()
        markup = _MARKUP_RE.search(value) if HEADER_KEYS[key] == _STR and key in METADATA_KEYS else None
        if markup and not value.startswith('"'):  # e.g. a search-and-replace that also hit the description
            self.err("annot-header-markup", ln, col + len(raw) - len(raw.lstrip()) + markup.start(),
                     f"{key}: entity markup {markup.group()!r} marks nothing in a header line (entities are "
                     "marked in block lines); remove it, or write the value as a JSON string to keep it as text")
            return
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
        text, ents, ok, cols = self.block_text(ln, line, m.end(), label_set)
        self.columns.append(cols)
        if ok:
            self.blocks.append((label, text, ents, _Loc(ln, 1), _Loc(ln, m.end() + 1)))
        else:
            self.blocks.append((label, text, [], _Loc(ln, 1), _Loc(ln, m.end() + 1)))

    def block_text(self, ln: int, line: str, i: int, label_set: tuple[str, ...] | None
                   ) -> tuple[str, list[tuple[int, int, str, _Loc]], bool, list[int]]:
        out: list[str] = []
        cols: list[int] = []
        ents: list[tuple[int, int, str, _Loc]] = []
        open_at: tuple[int, int] | None = None  # (offset in block text, column of '[')
        ok = True
        n = len(line)
        while i < n:
            ch = line[i]
            if ch == "\\":
                if i + 1 < n and line[i + 1] in _LITERAL_ESCAPES:
                    cols.append(i + 1)
                    out.append(line[i + 1])
                    i += 2
                    continue
                m = _HEX_RE.match(line, i + 3) if line.startswith("u{", i + 1) else None
                if m and m.end() < n and line[m.end()] == "}" and int(m.group(), 16) <= 0x10FFFF:
                    cols.append(i + 1)
                    out.append(chr(int(m.group(), 16)))
                    i = m.end() + 1
                    continue
                self.err("annot-escape-invalid", ln, i + 1,
                         "a backslash must be followed by \\ [ ] { } | or u{HEX}; write \\\\ for a literal backslash")
                ok = False
                cols.append(i + 1)
                out.append(ch)
                i += 1
                continue
            if ch == "[":
                if open_at is not None:
                    # the bracket that is wrong is the unclosed one, not this one: report it there
                    self.err("annot-entity-unbalanced", ln, open_at[1],
                             f"'[' is not closed by ]{{LABEL}} before the next '[' at column {i + 1} (entities "
                             "cannot nest; write \\[ for a literal bracket)")
                    ok = False
                open_at = (len(out), i + 1)
                i += 1
                continue
            if ch == "{" and open_at is not None:
                m = _LABEL_RE.match(line, i)
                if m and (label_set is None or m.group(1) in label_set):
                    self.err("annot-entity-unbalanced", ln, i + 1,
                             f"']' is missing before {m.group()!r}: the entity opened at column {open_at[1]} "
                             "must end with ]{LABEL}, e.g. [Paris]{LOC}")
                    ok = False
                    open_at = None
                    i = m.end()
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
            cols.append(i + 1)
            out.append(ch)
            i += 1
        cols.append(i + 1)
        if open_at is not None:
            self.err("annot-entity-unbalanced", ln, open_at[1],
                     "'[' is never closed by ]{LABEL} on this line (write \\[ for a literal bracket)")
            ok = False
        return "".join(out), ents, ok, cols


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


def parse_text(content: str, file: str = "<annotation>", *, original: Document | None = None) -> ImportResult:
    """Rebuild the document from an annotation file, reporting every problem of the file itself.

    The rebuilt document is not validated here (see :func:`import_text`). With ``original`` (the
    document the file was exported from) a changed block text is reported at the first changed
    character instead of the start of the block.
    """
    return _parse(content, file, original)[1]


def _looks_like_json(content: str) -> bool:
    head = content.lstrip("\ufeff \t\r\n")[:1]
    if head not in ("{", "["):
        return False
    try:
        json.loads(content.lstrip("\ufeff"))
    except ValueError:
        return head == "{" and '"schema_version"' in content[:4096]
    return True


def _parse(content: str, file: str, original: Document | None = None) -> tuple[_Parser, ImportResult]:
    p = _Parser(file)
    if content.startswith("\ufeff"):
        content = content[1:]
    if _looks_like_json(content):
        p.err("annot-not-annotation-file", 1, 1,
              "this is JSON (a document?), not an annotation file; write one with "
              "`corpus annotate export DOC --out FILE.ann`, edit it, then import that")
        return p, ImportResult(None, p.problems)
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
    _check_text(p, original)
    if any(x.severity == ERROR for x in p.problems):
        return p, ImportResult(None, p.problems)
    try:
        doc = _build(p)
    except (KeyError, TypeError, ValueError) as exc:
        p.err("annot-frozen-invalid", p.frozen_loc.line, 1, f"the '#!' line is damaged ({exc})")
        return p, ImportResult(None, p.problems)
    return p, ImportResult(doc, p.problems)


def _first_change(p: _Parser, i: int, original: Document | None) -> tuple[int, str] | None:
    """(column, description) of the first character where block line ``i`` departs from ``original``."""
    if original is None or original.id != p.header.get("id") or len(original.blocks) != len(p.frozen["blocks"]):
        return None
    b = original.blocks[i]
    want, got = original.text[b.start : b.end], p.blocks[i][1]
    k = next((j for j, (x, y) in enumerate(zip(want, got, strict=False)) if x != y), min(len(want), len(got)))
    cols = p.columns[i]
    if k >= len(cols):
        return None
    return cols[k], f"{_clip(got[k:], 20)} where the document has {_clip(want[k:], 20)}"


def _check_text(p: _Parser, original: Document | None = None) -> None:
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
            change = _first_change(p, i, original)
            if change is not None:
                p.err("annot-text-changed", tloc.line, change[0],
                      f"the text of block {i + 1} differs from the document's text here: {change[1]} (only "
                      "labels, entity brackets and escapes may change)", f"/blocks/{i}")
                return
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
