"""Main-content extractor registry.

An extractor is named ``NAME`` or ``NAME:VARIANT`` (``trafilatura``, ``trafilatura:precision``).
Built-in adapters live in :mod:`corpus.evaluate.extractors.builtin`; third-party packages add their own by
declaring an entry point in the ``corpus.evaluate.extractors`` group whose object is an
:class:`ExtractorSpec` (or a zero-argument callable returning one)::

    [project.entry-points."corpus.evaluate.extractors"]
    myextractor = "mypackage.corpus_plugin:SPEC"

Every call runs isolated in a worker process (:mod:`corpus.evaluate.extractors.pool`): a time-out, an
output byte cap, and a crash or hang recorded as a failure of that page.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from corpus.errors import ConfigError, MissingDependencyError
from corpus.text.decode import REPLACEMENT_SUFFIX, decode_bytes

ENTRY_POINT_GROUP = "corpus.evaluate.extractors"


@dataclass(frozen=True)
class Page:
    """What an extractor sees: the page's raw bytes (decompressed) and what is known about them."""

    raw: bytes
    url: str | None = None
    encoding: str | None = None  # as recorded in ``source.encoding``
    raw_format: str = "html"

    @cached_property
    def html(self) -> str:
        """The page decoded as the corpus decodes it (recorded encoding, else detection)."""
        declared = self.encoding
        if declared and declared.endswith(REPLACEMENT_SUFFIX):
            declared = None
        return decode_bytes(self.raw, declared=declared, html=self.raw_format != "text")[0]


#: An extractor ready to run: page -> main text (``None`` or ``""``: nothing extracted).
ExtractFn = Callable[[Page], "str | None"]


@dataclass(frozen=True)
class ExtractorSpec:
    """One registered extractor.

    ``factory(options)`` builds the callable once per worker; ``variants`` maps a variant name
    (``""`` is the default) to the options it stands for. ``module`` is imported to check the
    optional dependency is installed; ``distribution`` gives the recorded version (``None``: the
    version of this package).
    """

    name: str
    factory: Callable[[Mapping[str, Any]], ExtractFn]
    description: str = ""
    module: str | None = None
    distribution: str | None = None
    extra: str = "extractors"
    variants: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: {"": {}})


@dataclass(frozen=True)
class Extractor:
    """A resolved system: spec + variant + options + installed version."""

    spec: ExtractorSpec
    variant: str
    options: Mapping[str, Any]
    version: str

    @property
    def name(self) -> str:
        return self.spec.name + (f":{self.variant}" if self.variant else "")

    def cache_key(self) -> str:
        """Directory-safe key of (system, version, options): a cached output is reused only when
        all three are unchanged."""
        blob = json.dumps({"name": self.name, "version": self.version, "options": dict(self.options)},
                          sort_keys=True, default=str)
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in self.name)
        return f"{safe}-{hashlib.sha256(blob.encode()).hexdigest()[:16]}"

    def describe(self) -> dict[str, Any]:
        return {"system": self.name, "version": self.version, "options": dict(self.options),
                "description": self.spec.description}


_REGISTRY: dict[str, ExtractorSpec] = {}
_loaded = False


def register(spec: ExtractorSpec) -> ExtractorSpec:
    """Add ``spec`` to the registry (a later registration of the same name replaces it)."""
    _REGISTRY[spec.name] = spec
    return spec


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    from corpus.evaluate.extractors import builtin  # noqa: F401  (registers the built-in adapters)

    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            obj = ep.load()
        except Exception as exc:  # a broken plug-in must not break the built-ins
            import sys

            print(f"warning: extractor plug-in {ep.name!r} failed to load: {exc}", file=sys.stderr)
            continue
        spec = obj if isinstance(obj, ExtractorSpec) else obj() if callable(obj) else None
        if not isinstance(spec, ExtractorSpec):
            continue
        if spec.name in _REGISTRY and _REGISTRY[spec.name] is spec:
            continue
        register(spec)


def available() -> dict[str, ExtractorSpec]:
    """Every registered extractor, by name."""
    _load()
    return dict(sorted(_REGISTRY.items()))


def system_names() -> list[str]:
    """Every ``NAME`` and ``NAME:VARIANT`` accepted by :func:`resolve`."""
    return [s.name + (f":{v}" if v else "") for s in available().values() for v in s.variants]


def _version(spec: ExtractorSpec) -> str:
    dist = spec.distribution
    if dist is None:
        from corpus.version import __version__ as own

        return str(own)
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def installed(spec: ExtractorSpec) -> bool:
    return spec.module is None or importlib.util.find_spec(spec.module) is not None


def resolve(system: str) -> Extractor:
    """``NAME`` or ``NAME:VARIANT`` -> :class:`Extractor`; ConfigError when unknown or not installed."""
    name, _, variant = system.partition(":")
    specs = available()
    if name not in specs:
        raise ConfigError(f"unknown extractor {name!r}; known: {', '.join(specs)}")
    spec = specs[name]
    if variant not in spec.variants:
        known = ", ".join(name + (f":{v}" if v else "") for v in spec.variants)
        raise ConfigError(f"unknown variant {system!r}; known: {known}")
    if not installed(spec):
        raise MissingDependencyError(spec.module or name, spec.extra, f"the {name} extractor")
    return Extractor(spec, variant, dict(spec.variants[variant]), _version(spec))


def build(system: str) -> ExtractFn:
    """The ready-to-call extractor for ``system`` (runs in the calling process)."""
    ex = resolve(system)
    return ex.spec.factory(ex.options)


__all__ = [
    "ENTRY_POINT_GROUP",
    "ExtractFn",
    "Extractor",
    "ExtractorSpec",
    "Page",
    "available",
    "build",
    "installed",
    "register",
    "resolve",
    "system_names",
]
