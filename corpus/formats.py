"""Every import and export format, and running them.

Format modules register themselves (:mod:`corpus.registry`) when imported; this module imports them
all (they are cheap to import: heavy dependencies load lazily inside the functions).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.benchmarks import (  # noqa: F401  (imported to register)
    aeb,
    cleaneval,
    dragnet,
    l3s_gn1,
    readability,
    trafilatura_eval,
    wceb,
    wcxb,
    webmainbench,
)
from corpus.errors import ConfigError
from corpus.interop import (  # noqa: F401  (imported to register)
    brat,
    conll,
    doccano,
    labelstudio,
    spacy_docbin,
)
from corpus.model import Document
from corpus.registry import EXPORTERS, IMPORTERS, ExporterSpec, ImporterSpec, Reject, citations
from corpus.store import RejectsFile, ensure_out_dir, write_document


@dataclass
class ImportSummary:
    documents: int = 0
    rejects: int = 0
    paths: list[Path] = field(default_factory=list)


__all__ = ["ImportSummary", "citations", "exporters", "get_importer", "importers", "run_export", "run_import"]


def importers() -> dict[str, ImporterSpec]:
    return dict(sorted(IMPORTERS.items()))


def exporters() -> dict[str, ExporterSpec]:
    return dict(sorted(EXPORTERS.items()))


def get_importer(name: str) -> ImporterSpec:
    if name not in IMPORTERS:
        raise ConfigError(f"unknown import format {name!r}; known: {', '.join(sorted(IMPORTERS))}")
    return IMPORTERS[name]


def run_import(name: str, src: str | os.PathLike[str], out: str | os.PathLike[str], **options: Any) -> ImportSummary:
    """Run importer ``name`` on ``src``; write documents, raw pages and rejects under ``out``.

    Rejects are appended to ``out/rejects.jsonl``: a later import into the same ``out`` keeps them.
    """
    spec = get_importer(name)
    src_p, out_p = Path(src), Path(out)
    if not src_p.exists():
        raise ConfigError(f"{src_p}: no such file or directory")
    ensure_out_dir(out_p)
    summary = ImportSummary()
    with RejectsFile(out_p) as rejects:
        for item in spec.fn(src_p, **options):
            if isinstance(item, Reject):
                rejects.add(item)
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


def run_export(name: str, docs: Iterable[Document], out: str | os.PathLike[str], **options: Any) -> int:
    specs = exporters()
    if name not in specs:
        raise ConfigError(f"unknown export format {name!r}; known: {', '.join(specs)}")
    out_p = Path(out)
    ensure_out_dir(out_p)
    return specs[name].fn(docs, out_p, **options)
