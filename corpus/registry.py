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


@dataclass(frozen=True, slots=True)
class ExporterSpec:
    name: str
    fn: ExporterFn
    description: str


IMPORTERS: dict[str, ImporterSpec] = {}
EXPORTERS: dict[str, ExporterSpec] = {}


def importer(name: str, *, description: str, kind: str = "benchmark") -> Callable[[ImporterFn], ImporterFn]:
    """Register an importer under ``name`` (the FORMAT of ``corpus import``)."""

    if kind == "benchmark" and name not in BENCHMARK_DATASETS:
        raise ConfigError(f"benchmark importer {name!r} is not listed in corpus.labels.BENCHMARK_DATASETS")

    def deco(fn: ImporterFn) -> ImporterFn:
        IMPORTERS[name] = ImporterSpec(name, fn, description, kind)
        return fn

    return deco


def exporter(name: str, *, description: str) -> Callable[[ExporterFn], ExporterFn]:
    """Register an exporter under ``name`` (the FORMAT of ``corpus export``)."""

    def deco(fn: ExporterFn) -> ExporterFn:
        EXPORTERS[name] = ExporterSpec(name, fn, description)
        return fn

    return deco
