"""Constants, rule ids, header keys and escaping of the annotation text format."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from typing import Any

from corpus.validation.problems import ERROR

FORMAT_VERSION = 1
#: Written in the label column for a block without a label.
UNLABELLED = "-"
#: Hex digits of the per-block text hash kept in the ``#!`` line.
BLOCK_HASH_CHARS = 8

#: Rule ids of problems found in an annotation file (severity, meaning); documented in
#: ``docs/annotation-format.md``. Problems of the rebuilt document keep the validator's rule ids.
RULES: dict[str, tuple[str, str]] = {
    "annot-not-annotation-file": (ERROR, "the file is not an annotation file (e.g. a JSON document)"),
    "annot-header-syntax": (ERROR, "a '#' line that is not '# key: value', '## comment' or the '#!' line"),
    "annot-header-unknown-key": (ERROR, "a header key the format does not define"),
    "annot-header-duplicate": (ERROR, "the same header key twice"),
    "annot-header-value": (ERROR, "a header value of the wrong type or outside its allowed set"),
    "annot-header-markup": (ERROR, "entity markup [surface]{LABEL} in a metadata header line"),
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
#: Entity markup where it marks nothing (a header value): ``[Lenzburg]{LOC}``.
_MARKUP_RE = re.compile(r"\[[^\[\]\n]+\]\{[A-Z][A-Za-z0-9_-]*\}")
_LABEL_RE = re.compile(r"\{([A-Za-z][A-Za-z0-9_-]*)\}")
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


