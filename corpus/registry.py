"""Registries of import and export formats: what a format module declares about itself.

A format module (``corpus.benchmarks.*``, ``corpus.interop.*``) registers its functions with
:func:`importer` / :func:`exporter`; :mod:`corpus.formats` imports every format module and runs them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from corpus.errors import ConfigError
from corpus.labels import BENCHMARK_DATASETS
from corpus.model import Document
from corpus.store import Reject

__all__ = ["ExporterSpec", "Imported", "ImporterSpec", "Reject", "exporter", "importer"]


@dataclass(frozen=True, slots=True)
class Imported:
    document: Document
    raw: bytes | None = None  # written to <out>/<document.source.raw_path>; None: nothing to write
    warning: str | None = None  # a problem that does not stop the import (listed in the summary)


ImporterFn = Callable[..., Iterator[Imported | Reject]]
ExporterFn = Callable[..., int]  # (docs, out_dir, **options) -> number of documents written


@dataclass(frozen=True, slots=True)
class ImporterSpec:
    name: str
    fn: ImporterFn
    description: str
    kind: str  # "benchmark" or "tool"
    citation: str | None = None  # how to cite the source (benchmarks): reference and where to find it


@dataclass(frozen=True, slots=True)
class ExporterSpec:
    name: str
    fn: ExporterFn
    description: str


IMPORTERS: dict[str, ImporterSpec] = {}
EXPORTERS: dict[str, ExporterSpec] = {}


def importer(
    name: str, *, description: str, kind: str = "benchmark", citation: str | None = None
) -> Callable[[ImporterFn], ImporterFn]:
    """Register an importer under ``name`` (the FORMAT of ``corpus import``); ``citation`` says how to
    cite the source (shown in the dataset card of a corpus holding its pages)."""

    if kind == "benchmark" and name not in BENCHMARK_DATASETS:
        raise ConfigError(f"benchmark importer {name!r} is not listed in corpus.labels.BENCHMARK_DATASETS")

    def deco(fn: ImporterFn) -> ImporterFn:
        IMPORTERS[name] = ImporterSpec(name, fn, description, kind, citation)
        return fn

    return deco


def citations() -> dict[str, str]:
    """``source.source_dataset`` -> how to cite it, for every registered importer that says so."""
    return {name: spec.citation for name, spec in sorted(IMPORTERS.items()) if spec.citation}


def exporter(name: str, *, description: str) -> Callable[[ExporterFn], ExporterFn]:
    """Register an exporter under ``name`` (the FORMAT of ``corpus export``)."""

    def deco(fn: ExporterFn) -> ExporterFn:
        EXPORTERS[name] = ExporterSpec(name, fn, description)
        return fn

    return deco
