"""Importers: a public benchmark or an annotation tool's export -> schema documents.

Each format lives in its own module in this package and registers itself with :func:`importer`.
Modules are discovered automatically and must be cheap to import (heavy dependencies lazily).
An importer yields :class:`Imported` (a document plus the raw bytes to store at its
``source.raw_path``, relative to the output corpus root) or :class:`Reject` records.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..io import write_document
from ..model import Document


@dataclass(frozen=True, slots=True)
class Imported:
    document: Document
    raw: bytes | None = None  # written to <out>/<document.source.raw_path>; None: nothing to write


@dataclass(frozen=True, slots=True)
class Reject:
    location: str
    reason: str
    message: str


ImporterFn = Callable[..., Iterator[Imported | Reject]]


@dataclass(frozen=True, slots=True)
class ImporterSpec:
    name: str
    fn: ImporterFn
    description: str
    kind: str  # "benchmark" or "tool"


@dataclass
class ImportSummary:
    documents: int = 0
    rejects: int = 0
    paths: list[Path] = field(default_factory=list)


_REGISTRY: dict[str, ImporterSpec] = {}
_discovered = False


def importer(name: str, *, description: str, kind: str = "benchmark") -> Callable[[ImporterFn], ImporterFn]:
    """Register an importer under ``name`` (the FORMAT of ``corpus import``)."""

    def deco(fn: ImporterFn) -> ImporterFn:
        _REGISTRY[name] = ImporterSpec(name, fn, description, kind)
        return fn

    return deco


def _discover() -> None:
    global _discovered
    if not _discovered:
        for mod in pkgutil.iter_modules(__path__):
            importlib.import_module(f"{__name__}.{mod.name}")
        _discovered = True


def available() -> dict[str, ImporterSpec]:
    _discover()
    return dict(sorted(_REGISTRY.items()))


def get(name: str) -> ImporterSpec:
    specs = available()
    if name not in specs:
        raise ConfigError(f"unknown import format {name!r}; known: {', '.join(specs) or '(none)'}")
    return specs[name]


def run_import(name: str, src: str | os.PathLike[str], out: str | os.PathLike[str], **options: Any) -> ImportSummary:
    """Run importer ``name`` on ``src``; write documents, raw pages and ``rejects.jsonl`` under ``out``."""
    spec = get(name)
    src_p, out_p = Path(src), Path(out)
    if not src_p.exists():
        raise ConfigError(f"{src_p}: no such file or directory")
    summary = ImportSummary()
    rejects_path = out_p / "rejects.jsonl"
    out_p.mkdir(parents=True, exist_ok=True)
    with rejects_path.open("w", encoding="utf-8") as rejects:
        for item in spec.fn(src_p, **options):
            if isinstance(item, Reject):
                rejects.write(json.dumps({"location": item.location, "reason": item.reason,
                                          "message": item.message}, ensure_ascii=False) + "\n")
                summary.rejects += 1
                continue
            doc = item.document
            if item.raw is not None and doc.source.raw_path:
                raw_p = out_p / doc.source.raw_path
                raw_p.parent.mkdir(parents=True, exist_ok=True)
                raw_p.write_bytes(item.raw)
            p = out_p / "documents" / f"{doc.id}.json"
            write_document(doc, p)
            summary.paths.append(p)
            summary.documents += 1
    return summary
