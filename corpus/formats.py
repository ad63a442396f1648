"""Every import and export format, and running them.

Format modules register themselves (:mod:`corpus.registry`) when imported; this module imports them
all (they are cheap to import: heavy dependencies load lazily inside the functions).
"""

from __future__ import annotations

import inspect
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
from corpus.store import RejectsFile, add_document, ensure_out_dir, exists_reject


@dataclass
class ImportSummary:
    documents: int = 0
    rejects: int = 0
    paths: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # imported anyway (e.g. a raw page not found)


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
    An existing document is never overwritten (the rule of ``corpus ingest`` too): the same document is
    left as it is, another one with its id makes the new one a ``duplicate`` reject.
    """
    spec = get_importer(name)
    _check_options(f"import {name}", spec.fn, options)
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
            if item.warning:
                summary.warnings.append(item.warning)
            p = out_p / "documents" / f"{doc.id}.json"
            if add_document(doc, p) == "exists":
                rejects.add(exists_reject(doc.source.source_id or doc.source.raw_path or doc.id, doc.id))
                summary.rejects += 1
                continue
            if item.raw is not None and doc.source.raw_path:
                raw_p = out_p / doc.source.raw_path
                raw_p.parent.mkdir(parents=True, exist_ok=True)
                raw_p.write_bytes(item.raw)
            summary.paths.append(p)
            summary.documents += 1
    return summary


def _check_options(what: str, fn: Any, options: dict[str, Any]) -> None:
    """An option the format does not take is a usage error naming the ones it does."""
    params = inspect.signature(fn).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return
    known = [n for n, p in params.items() if p.kind is inspect.Parameter.KEYWORD_ONLY]
    unknown = sorted(set(options) - set(known))
    if unknown:
        flags = {"corpus": "--corpus", "raw_root": "--raw-root"}
        shown = ", ".join(flags.get(u, f"--option {u}=...") for u in unknown)
        accepted = ", ".join(known) or "none"
        raise ConfigError(f"`corpus {what}` does not take {shown} (its options: {accepted})")


def run_export(name: str, docs: Iterable[Document], out: str | os.PathLike[str], **options: Any) -> int:
    specs = exporters()
    if name not in specs:
        raise ConfigError(f"unknown export format {name!r}; known: {', '.join(specs)}")
    _check_options(f"export {name}", specs[name].fn, options)
    out_p = Path(out)
    ensure_out_dir(out_p)
    return specs[name].fn(docs, out_p, **options)
