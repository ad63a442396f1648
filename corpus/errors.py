"""Error hierarchy.

Per-document problems become rejects, per-file problems quarantine the file, configuration
problems abort the run. Every error carries a stable machine-readable ``reason``.
"""

from __future__ import annotations


class CorpusError(Exception):
    """Base class of every error this package raises on purpose."""

    reason = "corpus_error"

    def __init__(self, message: str, *, reason: str | None = None, location: str | None = None):
        super().__init__(message)
        if reason is not None:
            self.reason = reason
        self.location = location

    def as_dict(self) -> dict[str, str | None]:
        return {"reason": self.reason, "message": str(self), "location": self.location}


class DocumentError(CorpusError):
    """One document cannot be produced; it goes to the rejects file."""

    reason = "document_error"


class FileError(CorpusError):
    """A whole input file is unusable (or only partly usable); it is quarantined."""

    reason = "file_error"


class ConfigError(CorpusError):
    """Bad configuration or usage; the run aborts."""

    reason = "config_error"


def install_hint(extra: str) -> str:
    """The pip line that installs ``extra``, for an installed package and for a clone of the repository."""
    return f"pip install 'webcorpus[{extra}]' (from a clone: pip install -e '.[{extra}]')"


class MissingDependencyError(ConfigError):
    """An optional dependency (extra) is needed but not installed."""

    reason = "missing_dependency"

    def __init__(self, package: str, extra: str, purpose: str):
        super().__init__(f"{purpose} needs the optional package {package!r}; install it with {install_hint(extra)}")
        self.package = package
        self.extra = extra


def require(module: str, extra: str, purpose: str):
    """Import an optional dependency lazily, with a clear message when it is missing."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(module, extra, purpose) from exc
