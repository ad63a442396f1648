"""Fast path: prove that a document has no problem at all, in bulk C-level operations.

:func:`is_clean` returns True only when both the schema layer and the semantic layer would report
nothing; for anything else the caller runs the reference layers, so messages are identical on both
paths. It never raises. ``tests/test_validate.py`` checks it agrees with the reference path.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import islice, repeat
from operator import ge, gt, itemgetter
from typing import Any

from corpus.labels import ANNOTATION_STATUSES, BLOCK_LABELS, ENTITY_LABEL_SETS, RAW_FORMATS
from corpus.text.normalise import fold_text
from corpus.validation.schema import load_schema
from corpus.validation.semantic import ID_RE, SHA_RE, is_iso_date

_S = load_schema()["properties"]


def _props(schema: dict[str, Any]) -> tuple[frozenset[str], frozenset[str]]:
    return frozenset(schema["properties"]), frozenset(schema.get("required", ()))


_TOP_ALLOWED, _TOP_REQUIRED = frozenset(_S) | {"checks", "reference"}, frozenset(load_schema()["required"])
_SRC_ALLOWED, _SRC_REQUIRED = _props(_S["source"])
_SRC_NULLABLE = tuple(k for k, v in _S["source"]["properties"].items() if v.get("type") == ["string", "null"])
_SRC_ENUMS = tuple((k, frozenset(v["enum"])) for k, v in _S["source"]["properties"].items() if "enum" in v)
_META_ALLOWED = frozenset(_S["metadata"]["properties"])
_META_NULLABLE = tuple(k for k, v in _S["metadata"]["properties"].items() if v.get("type") == ["string", "null"])
_META_LISTS = tuple(k for k, v in _S["metadata"]["properties"].items() if v.get("type") == "array")
_ANN_ALLOWED, _ANN_REQUIRED = _props(_S["annotation"])
_LAYER_KEYS = frozenset(("status", "by", "tool"))
_NORM_KEYS = frozenset(("name", "version"))
_REF_KEYS = frozenset(("text", "convention"))
_CHECK_KEYS = frozenset(("include", "exclude"))
_VERSION_RE = re.compile(_S["schema_version"]["pattern"])
_LANG_RE = re.compile(_S["metadata"]["properties"]["language"]["pattern"])
_BLOCK_LABEL_SET = frozenset((*BLOCK_LABELS, None))
_STATUSES = frozenset(ANNOTATION_STATUSES)
_LABEL_SETS = {k: frozenset(v) for k, v in ENTITY_LABEL_SETS.items()}
_NONE = type(None)
_STR_OR_NONE = frozenset((str, _NONE))
_INT = frozenset((int,))
_STR = frozenset((str,))
_get_start, _get_end, _get_label, _get_text, _get_tag, _get_xpath = (
    itemgetter(k) for k in ("start", "end", "label", "text", "tag", "xpath"))
#: ``is_iso_date`` is a pure function of a string and corpora repeat dates: remember recent answers.
_plus_one = (1).__add__  # NotImplemented (so a mismatch) for anything but an int or a bool
_iso_date = lru_cache(maxsize=4096)(is_iso_date)
_version_ok = _VERSION_RE.search
_id_ok = ID_RE.search
_sha_ok = SHA_RE.search

# The module mirrors the schema by hand; fail loudly at import if the schema grows a field it
# does not know (the schema-drift guard of the fast path).
assert _TOP_ALLOWED == frozenset(load_schema()["properties"])
assert set(_S["blocks"]["items"]["properties"]) == {"start", "end", "label", "tag", "xpath"}
assert set(_S["entities"]["items"]["properties"]) == {"start", "end", "label", "text"}
assert set(_S["annotation"]["properties"]["blocks"]["properties"]) == _LAYER_KEYS


def is_clean(d: Any) -> bool:
    """True when ``d`` provably has no schema or semantic problem (errors or warnings)."""
    try:
        return _clean(d)
    except Exception:  # any surprise in shape just means "not provably clean"
        return False


def _nullable_str(d: dict[str, Any], keys: tuple[str, ...]) -> bool:
    """Every value of ``keys`` in ``d`` is a string or null (or absent)."""
    return set(map(type, map(d.get, keys))) <= _STR_OR_NONE


def _str_list(v: Any) -> bool:
    return type(v) is list and (not v or set(map(type, v)) == _STR)


def _layer(v: Any) -> bool:
    return (type(v) is dict and v.keys() <= _LAYER_KEYS and v.get("status") in _STATUSES
            and _nullable_str(v, ("by", "tool")))


def _clean(d: Any) -> bool:
    if type(d) is not dict or not (_TOP_REQUIRED <= d.keys() <= _TOP_ALLOWED):
        return False
    sv = d["schema_version"]
    doc_id = d["id"]
    if type(sv) is not str or not _version_ok(sv) or type(doc_id) is not str or not _id_ok(doc_id):
        return False
    src = d["source"]
    if type(src) is not dict or not (_SRC_REQUIRED <= src.keys() <= _SRC_ALLOWED):
        return False
    if not _nullable_str(src, _SRC_NULLABLE):
        return False
    sha, ds = src["raw_sha256"], src["source_dataset"]
    if (type(sha) is not str or doc_id != sha[:16] or not _sha_ok(sha) or type(ds) is not str or not ds
            or type(src["raw_format"]) is not str or src["raw_format"] not in RAW_FORMATS):
        return False
    for k, allowed in _SRC_ENUMS:
        if k in src and src[k] not in allowed:  # an unhashable value raises: not provably clean
            return False
    crawl = src.get("crawl_date")
    if crawl is not None and not _iso_date(crawl):
        return False
    norm = d["normalizer"]
    if type(norm) is not dict or norm.keys() != _NORM_KEYS:
        return False
    if type(norm["name"]) is not str or type(norm["version"]) is not str or not norm["name"] or not norm["version"]:
        return False
    text = d["text"]
    if type(text) is not str:
        return False
    # metadata
    meta = d["metadata"]
    if type(meta) is not dict or not meta.keys() <= _META_ALLOWED or not _nullable_str(meta, _META_NULLABLE):
        return False
    for k in _META_LISTS:
        if k in meta and not _str_list(meta[k]):
            return False
    lang = meta.get("language")
    if lang is not None and not _LANG_RE.search(lang):
        return False
    free = meta.get("is_accessible_for_free")
    if free is not None and type(free) is not bool:
        return False
    for k in ("date_published", "date_modified"):
        v = meta.get(k)
        if v is not None and not _iso_date(v):
            return False
    # checks, reference
    if "checks" in d:
        checks = d["checks"]
        if type(checks) is not dict or not checks.keys() <= _CHECK_KEYS:
            return False
        for k in ("include", "exclude"):
            if k in checks and not _str_list(checks[k]):
                return False
        include = checks.get("include")
        if include:
            # a snippet found verbatim is also found after folding both sides
            missing = [snippet for snippet in include if snippet not in text]
            if missing:
                folded = fold_text(text)
                for snippet in missing:
                    if fold_text(snippet) not in folded:
                        return False
    ref = d.get("reference")
    if ref is not None and not (type(ref) is dict and ref.keys() == _REF_KEYS and type(ref["text"]) is str
                                and type(ref["convention"]) is str and ref["convention"]):
        return False
    # annotation
    ann = d["annotation"]
    if type(ann) is not dict or not (_ANN_REQUIRED <= ann.keys() <= _ANN_ALLOWED):
        return False
    if not (_layer(ann["blocks"]) and _layer(ann["entities"]) and _layer(ann["metadata"])):
        return False
    gv = ann.get("guidelines_version")
    if gv is not None and type(gv) is not str:
        return False
    allowed_entities = _LABEL_SETS.get(ann["entity_label_set"]) if type(ann["entity_label_set"]) is str else None
    if allowed_entities is None:
        return False
    return _blocks_clean(d["blocks"], text, ann["blocks"]["status"]) is not None and _entities_clean(
        d["entities"], text, ann["entities"]["status"], allowed_entities)


def _blocks_clean(blocks: Any, text: str, status: str) -> bool | None:
    """True when the blocks are well-shaped and partition ``text``; None otherwise.

    A sound partition means block ``i`` is exactly line ``i`` of ``text``. Offsets equal to those
    of the lines are exact integers unless a float or a boolean stands in for one: a float fails
    the ``+ 1`` comparison or makes the sum a float, and a boolean could only stand for 0 or 1, i.e.
    the first block's offsets.
    """
    if type(blocks) is not list:
        return None
    n = len(blocks)
    if not n:
        return True if not text else None
    starts = list(map(_get_start, blocks))  # TypeError for a block that is not an object
    ends = list(map(_get_end, blocks))
    labels = set(map(_get_label, blocks))
    try:  # the normaliser's blocks all carry tag and xpath
        tags, xpaths = list(map(_get_tag, blocks)), list(map(_get_xpath, blocks))
        n_tag = n_xpath = n
    except KeyError:
        tags, xpaths = list(map(dict.get, blocks, repeat("tag"))), list(map(dict.get, blocks, repeat("xpath")))
        n_tag, n_xpath = n - tags.count(None), n - xpaths.count(None)
    if sum(map(len, blocks)) != 3 * n + n_tag + n_xpath:
        return None  # a key other than start/end/label/tag/xpath, or a tag/xpath that is null
    if not labels <= _BLOCK_LABEL_SET:
        return None
    for values, count in ((tags, n_tag), (xpaths, n_xpath)):
        if count == n:
            "".join(values)  # TypeError unless every value is a string
        elif count and not set(map(type, values)) <= _STR_OR_NONE:
            return None
    # Block i is line i exactly when: the first starts at 0, the last ends at len(text), every block
    # is non-empty, each next block starts one past the previous end, every end but the last is a
    # newline, and the text has no other newline (n - 1 in all). No split, no per-line lengths.
    if starts[0] != 0 or ends[-1] != len(text) or text.count("\n") != n - 1:
        return None
    if any(map(ge, starts, ends)) or list(map(_plus_one, ends))[:-1] != starts[1:]:
        return None
    if "".join(map(text.__getitem__, ends[:-1])) != "\n" * (n - 1):
        return None
    if type(sum(starts)) is not int or type(sum(ends)) is not int:
        return None
    if type(starts[0]) is not int or type(ends[0]) is not int:
        return None
    if status == "none":
        if labels != {None}:
            return None
    elif status == "gold" and None in labels:
        return None
    return True


_SPACE = re.compile(r"\s")
_first, _last = itemgetter(0), itemgetter(-1)


def _entities_clean(entities: Any, text: str, status: str, allowed: frozenset[str]) -> bool:
    """True when the entities are well-shaped and sound; the blocks are already known to be lines."""
    if type(entities) is not list:
        return False
    m = len(entities)
    if not m:
        return True
    if status == "none" or sum(map(len, entities)) != 4 * m:
        return False
    es = list(map(_get_start, entities))
    ee = list(map(_get_end, entities))
    texts = list(map(_get_text, entities))
    if set(map(type, es)) != _INT or set(map(type, ee)) != _INT or not set(map(_get_label, entities)) <= allowed:
        return False
    if min(es) < 0 or max(ee) > len(text) or "" in texts:
        return False  # with the surface check below, "" in texts also rules out start >= end
    if list(map(text.__getitem__, map(slice, es, ee))) != texts:
        return False
    joined = "\x00".join(texts)
    if "\n" in joined or joined.count("\x00") != m - 1:
        return False  # crosses a block boundary (blocks are lines), or holds a NUL (not worth proving)
    if _SPACE.search("".join(map(_first, texts)) + "".join(map(_last, texts))):
        return False  # starts or ends on whitespace
    if es != sorted(es):
        pairs = sorted(zip(es, ee, strict=True))
        es = [p[0] for p in pairs]
        ee = [p[1] for p in pairs]
    return not any(map(gt, ee, islice(es, 1, None)))
