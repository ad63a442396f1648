"""The build's view of one document record: the fields it reads, straight from parsed JSON.

``corpus build`` turns records into Arrow columns without making :class:`~corpus.model.Document`
objects (the write path's cost is dominated by object creation otherwise). :func:`record_of` reads
a schema-shaped dict with ``Document.from_dict``'s defaults; anything else goes through
``Document.from_dict`` itself (one parser of record semantics) and its canonical ``to_dict``, so both
paths give the same values (tested). Statistics, splits and rows all read this one view.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from corpus.errors import FileError
from corpus.model import SCHEMA_VERSION, Checks, Document, Layer, Metadata, Source


def _defaults(cls: type) -> dict[str, Any]:
    """Field defaults of a model dataclass (``None`` for required fields), as ``Document.from_dict`` fills them."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        out[f.name] = f.default if f.default is not dataclasses.MISSING else None
    return out


SOURCE_DEFAULTS = _defaults(Source)
METADATA_DEFAULTS = _defaults(Metadata)
CHECKS_DEFAULTS = _defaults(Checks)
LAYER_DEFAULTS = _defaults(Layer)
_NO_FIELDS: dict[str, Any] = {}  # shared stand-in for a missing object; never mutated


def _obj(d: dict[str, Any], key: str) -> dict[str, Any]:
    v = d.get(key)
    if not v:
        return _NO_FIELDS
    if type(v) is not dict:
        raise TypeError(f"{key} is not an object")
    return v


def _seq(d: dict[str, Any], key: str) -> list[Any] | tuple[()]:
    v = d.get(key)
    if not v:
        return ()
    if type(v) is not list:
        raise TypeError(f"{key} is not a list")
    return v


class Record:
    """What the build reads from one parsed document record, with ``Document.from_dict``'s defaults.

    :func:`record_of` raises on anything not shaped like a schema-valid record; the caller then goes
    through :meth:`Document.from_dict` (same errors, same values) and its canonical ``to_dict``.
    """

    __slots__ = (
        "annotation",
        "checks",
        "e_ends",
        "e_labels",
        "e_starts",
        "e_texts",
        "ends",
        "id",
        "label_set",
        "labels",
        "layers",
        "metadata",
        "normalizer",
        "reference",
        "schema_version",
        "source",
        "starts",
        "tags",
        "text",
        "xpaths",
    )


def record_of(d: dict[str, Any]) -> Record:
    r = Record()
    r.id, r.text = d["id"], d["text"]
    if type(r.id) is not str or type(r.text) is not str:
        raise TypeError("id and text must be strings")
    norm = d["normalizer"]
    r.normalizer = (norm["name"], norm["version"])
    r.schema_version = d.get("schema_version", SCHEMA_VERSION)
    r.source = _obj(d, "source")
    blocks = _seq(d, "blocks")
    r.starts = [b["start"] for b in blocks]
    r.ends = [b["end"] for b in blocks]
    r.labels = [b.get("label") for b in blocks]
    r.tags = [b.get("tag") for b in blocks]
    r.xpaths = [b.get("xpath") for b in blocks]
    ents = _seq(d, "entities")
    r.e_starts = [e["start"] for e in ents]
    r.e_ends = [e["end"] for e in ents]
    r.e_labels = [e["label"] for e in ents]
    r.e_texts = [e["text"] for e in ents]
    r.metadata = _obj(d, "metadata")
    r.checks = _obj(d, "checks")
    ref = d.get("reference")
    r.reference = None if ref is None else (ref["text"], ref["convention"])
    ann = r.annotation = _obj(d, "annotation")
    r.layers = (_obj(ann, "blocks"), _obj(ann, "entities"), _obj(ann, "metadata"))
    r.label_set = ann.get("entity_label_set", "conll4")
    return r


def layer_status(layer: dict[str, Any]) -> Any:
    return layer.get("status", "none")


def load_record(raw: bytes, location: str) -> tuple[Any, Record, Document | None]:
    """The parsed JSON and record of one raw document, and its :class:`Document` when the fast path did not apply.

    Unreadable documents raise the same :class:`~corpus.errors.FileError` as :func:`parse_document`.
    """
    try:
        d = json.loads(raw)
    except ValueError as exc:
        raise FileError(f"{location}: unreadable document ({exc}); run corpus validate", location=location) from exc
    try:
        return d, record_of(d), None
    except Exception:  # not shaped like a valid record: exactly what Document.from_dict makes of it
        try:
            doc = Document.from_dict(d)
        except (ValueError, KeyError, TypeError) as exc:
            raise FileError(f"{location}: unreadable document ({exc}); run corpus validate", location=location) from exc
        return d, record_of(doc.to_dict()), doc


def record_of_document(doc: Document) -> Record:
    """The record view of a :class:`Document` (for callers that hold documents, e.g. ``corpus stats``)."""
    return record_of(doc.to_dict())


def parse_document(raw: bytes, location: str) -> Document:
    """A :class:`Document` from one raw JSON record; unreadable records are a named :class:`FileError`."""
    try:
        return Document.from_dict(json.loads(raw))
    except (ValueError, KeyError, TypeError) as exc:
        raise FileError(f"{location}: unreadable document ({exc}); run corpus validate", location=location) from exc
