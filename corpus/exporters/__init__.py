"""Exporters: documents -> an annotation tool's or a training format.

Each format lives in its own module in this package and registers itself with :func:`exporter`;
modules are discovered automatically and must be cheap to import.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..model import Document

ExporterFn = Callable[..., int]  # (docs, out_dir, **options) -> number of documents written


@dataclass(frozen=True, slots=True)
class ExporterSpec:
    name: str
    fn: ExporterFn
    description: str


_REGISTRY: dict[str, ExporterSpec] = {}
_discovered = False


def exporter(name: str, *, description: str) -> Callable[[ExporterFn], ExporterFn]:
    def deco(fn: ExporterFn) -> ExporterFn:
        _REGISTRY[name] = ExporterSpec(name, fn, description)
        return fn

    return deco


def available() -> dict[str, ExporterSpec]:
    global _discovered
    if not _discovered:
        for mod in pkgutil.iter_modules(__path__):
            importlib.import_module(f"{__name__}.{mod.name}")
        _discovered = True
    return dict(sorted(_REGISTRY.items()))


def run_export(name: str, docs: Iterable[Document], out: str | os.PathLike[str], **options: Any) -> int:
    specs = available()
    if name not in specs:
        raise ConfigError(f"unknown export format {name!r}; known: {', '.join(specs) or '(none)'}")
    out_p = Path(out)
    out_p.mkdir(parents=True, exist_ok=True)
    return specs[name].fn(docs, out_p, **options)
