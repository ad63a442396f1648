"""Typed, immutable document records (schema v1, DESIGN §3).

``Document.from_dict`` trusts its input to be schema-valid (run :func:`corpus.validate` first on
untrusted data); ``to_dict`` gives the canonical JSON form with a stable key order.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import SplitResult, urlsplit

from corpus.labels import VIEWS

SCHEMA_VERSION = "1.2.0"
SCHEMA_MAJOR = 1
#: Length of the hex prefix of the raw bytes' sha256 used as document id.
ID_HEX_CHARS = 16


def doc_id_for(raw_sha256: str) -> str:
    """The stable document id derived from the raw bytes' sha256."""
    return raw_sha256[:ID_HEX_CHARS]


def sha256_hex(raw: bytes) -> str:
    """``source.raw_sha256`` of ``raw``."""
    return hashlib.sha256(raw).hexdigest()


def split_url(url: str | None) -> SplitResult | None:
    """The parts of ``url``; None for no URL or a malformed one (an unclosed IPv6 bracket)."""
    if not url:
        return None
    try:
        return urlsplit(url)
    except ValueError:
        return None


def domain_of(url: str | None) -> str | None:
    """``source.domain``: the URL's host without a leading ``www.`` (None when there is none)."""
    parts = split_url(url)
    host = parts.hostname if parts is not None else None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


@dataclass(frozen=True, slots=True)
class Source:
    url: str | None = None
    domain: str | None = None
    crawl_date: str | None = None
    source_dataset: str = "native"
    source_id: str | None = None
    license: str | None = None
    raw_path: str | None = None
    raw_sha256: str = ""
    raw_format: str = "html"
    encoding: str | None = None
    split: str | None = None  # schema 1.1: the source dataset's own split
    page_type: str | None = None  # schema 1.1: the source dataset's page type
    input: str | None = None  # schema 1.1: where ingest found the page
    encoding_source: str | None = None  # schema 1.2: why ``encoding`` was used (corpus.text.decode)


@dataclass(frozen=True, slots=True)
class Normalizer:
    name: str
    version: str


@dataclass(frozen=True, slots=True)
class Block:
    start: int
    end: int
    label: str | None = None
    tag: str | None = None
    xpath: str | None = None


@dataclass(frozen=True, slots=True)
class Entity:
    start: int
    end: int
    label: str
    text: str


@dataclass(frozen=True, slots=True)
class Metadata:
    title: str | None = None
    authors: tuple[str, ...] = ()
    date_published: str | None = None
    date_modified: str | None = None
    publisher: str | None = None
    site_name: str | None = None
    section: str | None = None
    description: str | None = None
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    language: str | None = None
    is_accessible_for_free: bool | None = None


@dataclass(frozen=True, slots=True)
class Checks:
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Reference:
    text: str
    convention: str


@dataclass(frozen=True, slots=True)
class Layer:
    """Provenance of one annotation layer."""

    status: str = "none"
    by: str | None = None
    tool: str | None = None


@dataclass(frozen=True, slots=True)
class Annotation:
    blocks: Layer = field(default_factory=Layer)
    entities: Layer = field(default_factory=Layer)
    metadata: Layer = field(default_factory=Layer)
    entity_label_set: str = "conll4"
    guidelines_version: str | None = None


@dataclass(frozen=True, slots=True)
class Document:
    id: str
    source: Source
    normalizer: Normalizer
    text: str
    blocks: tuple[Block, ...] = ()
    entities: tuple[Entity, ...] = ()
    metadata: Metadata = field(default_factory=Metadata)
    checks: Checks = field(default_factory=Checks)
    reference: Reference | None = None
    annotation: Annotation = field(default_factory=Annotation)
    schema_version: str = SCHEMA_VERSION

    # -- derived views -------------------------------------------------------------------
    def view(self, name: str) -> str:
        """Text of a derived view (``body``, ``article``, ``article_with_comments``)."""
        labels = VIEWS[name]
        return "\n".join(self.text[b.start : b.end] for b in self.blocks if b.label in labels)

    @property
    def body(self) -> str:
        return self.view("body")

    def block_text(self, block: Block) -> str:
        return self.text[block.start : block.end]

    def replace(self, **changes: Any) -> Document:
        return dataclasses.replace(self, **changes)

    # -- (de)serialisation ----------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "id": self.id,
            "source": _source_dict(self.source),
            "normalizer": _plain(self.normalizer),
            "text": self.text,
            "blocks": [_block_dict(b) for b in self.blocks],
            "entities": [_plain(e) for e in self.entities],
            "metadata": _plain(self.metadata),
            "checks": _plain(self.checks),
            "reference": None if self.reference is None else _plain(self.reference),
            "annotation": {
                "blocks": _layer_dict(self.annotation.blocks),
                "entities": _layer_dict(self.annotation.entities),
                "metadata": _layer_dict(self.annotation.metadata),
                "entity_label_set": self.annotation.entity_label_set,
                "guidelines_version": self.annotation.guidelines_version,
            },
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Document:
        ann = d.get("annotation") or {}
        ref = d.get("reference")
        return cls(
            schema_version=d.get("schema_version", SCHEMA_VERSION),
            id=d["id"],
            source=_build(Source, d.get("source") or {}),
            normalizer=_build(Normalizer, d["normalizer"]),
            text=d["text"],
            blocks=tuple(_build(Block, b) for b in d.get("blocks") or ()),
            entities=tuple(_build(Entity, e) for e in d.get("entities") or ()),
            metadata=_build(Metadata, d.get("metadata") or {}),
            checks=_build(Checks, d.get("checks") or {}),
            reference=None if ref is None else _build(Reference, ref),
            annotation=Annotation(
                blocks=_build(Layer, ann.get("blocks") or {}),
                entities=_build(Layer, ann.get("entities") or {}),
                metadata=_build(Layer, ann.get("metadata") or {}),
                entity_label_set=ann.get("entity_label_set", "conll4"),
                guidelines_version=ann.get("guidelines_version"),
            ),
        )


def _plain(obj: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        out[f.name] = list(v) if isinstance(v, tuple) else v
    return out


#: Source fields added in schema 1.1; omitted when unset so 1.0 documents round-trip byte for byte.
SOURCE_1_1_FIELDS = ("split", "page_type", "input")
#: Source fields added in schema 1.2 (omitted when unset, likewise).
SOURCE_1_2_FIELDS = ("encoding_source",)


def _source_dict(s: Source) -> dict[str, Any]:
    d = _plain(s)
    for k in SOURCE_1_1_FIELDS + SOURCE_1_2_FIELDS:
        if d[k] is None:
            del d[k]
    return d


def _block_dict(b: Block) -> dict[str, Any]:
    d: dict[str, Any] = {"start": b.start, "end": b.end, "label": b.label}
    if b.tag is not None:
        d["tag"] = b.tag
    if b.xpath is not None:
        d["xpath"] = b.xpath
    return d


def _layer_dict(layer: Layer) -> dict[str, Any]:
    d: dict[str, Any] = {"status": layer.status}
    if layer.by is not None:
        d["by"] = layer.by
    if layer.tool is not None:
        d["tool"] = layer.tool
    return d


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _build(cls: type, d: dict[str, Any]) -> Any:
    kwargs = {}
    for name in _field_names(cls):
        if name in d:
            v = d[name]
            kwargs[name] = tuple(v) if isinstance(v, list) else v
    return cls(**kwargs)


def model_fields() -> dict[str, dict[str, Any]]:
    """Field names of every record type, as the schema-drift test compares them."""
    return {
        cls.__name__: {f.name: f.type for f in dataclasses.fields(cls)}
        for cls in (Document, Source, Normalizer, Block, Entity, Metadata, Checks, Reference, Layer, Annotation)
    }
