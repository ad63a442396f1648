"""One resolver of corpus paths, used by every command.

A path given to a command is one of:

- a **corpus root**: a directory holding ``documents/`` (layout ``files``) and/or ``shards/`` (layout
  ``shards``), as ``corpus ingest`` and ``corpus import`` write them; ``raw/`` beside them;
- a **documents directory**: any other directory of ``*.json`` / ``*.jsonl`` files (``documents/`` or
  ``shards/`` itself: the corpus root is its parent);
- a **file**: one ``.json`` document or a ``.jsonl`` file of documents;
- a **built dataset**: a directory with ``MANIFEST.json`` (``corpus build`` output).

The engine's own state is never read as documents: hidden entries (``.ingest/``), ``rejects.jsonl``,
``rejects/`` and the ingest manifest.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from corpus.errors import ConfigError

MANIFEST_FILE = "MANIFEST.json"
DOCUMENTS_DIR = "documents"
SHARDS_DIR = "shards"
RAW_DIR = "raw"
DOCUMENT_DIRS = (DOCUMENTS_DIR, SHARDS_DIR)
DOCUMENT_SUFFIXES = (".json", ".jsonl")
#: Written by ``corpus ingest``: every input (file or WARC record) -> its document id or its reject.
INGEST_MANIFEST = "ingest-manifest.jsonl"
#: Files and folders of a corpus directory that are never documents.
NOT_DOCUMENTS = frozenset({"rejects.jsonl", "rejects", INGEST_MANIFEST, "dedup_audit.jsonl",
                           "migration-report.json"})


def is_built_dataset(path: Path) -> bool:
    return path.is_dir() and (path / MANIFEST_FILE).is_file()


@dataclass(frozen=True, slots=True)
class CorpusPaths:
    """What a corpus path holds: its kind, the document files to read, and the root of raw pages."""

    given: Path
    kind: str  # "corpus" | "directory" | "file" | "built"
    files: tuple[Path, ...]
    root: Path | None  # the directory ``source.raw_path`` is relative to; None: unknown

    @property
    def built(self) -> bool:
        return self.kind == "built"

    def raw_bases(self, file: Path | None = None) -> list[Path]:
        """Directories to resolve ``source.raw_path`` against, most likely first."""
        if self.root is not None:
            return [self.root]
        if self.built or file is None:
            return []
        here = file.absolute().parent
        return [here.parent, here]


def _raise(exc: OSError) -> None:
    raise exc


def _listed(base: Path) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(base, onerror=_raise):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in NOT_DOCUMENTS)
        for name in filenames:
            if name.startswith(".") or name in NOT_DOCUMENTS or not name.endswith(DOCUMENT_SUFFIXES):
                continue
            found.append(Path(dirpath) / name)
    return sorted(found)


def document_files(path: Path) -> list[Path]:
    """Document files of a corpus root or a directory (sorted, engine state and rejects skipped), or
    ``[path]``; ``OSError`` when a directory cannot be listed."""
    if path.is_file():
        return [path]
    subs = [path / s for s in DOCUMENT_DIRS if (path / s).is_dir() and path.name not in DOCUMENT_DIRS]
    if subs:
        return [f for s in subs for f in _listed(s)]
    return _listed(path)


def holds_documents(path: Path) -> bool:
    """Whether the corpus at ``path`` holds at least one document file that is not empty."""
    try:
        return any(f.stat().st_size for f in document_files(path))
    except OSError:
        return False


def _root_of(path: Path) -> Path | None:
    here = path if path.is_dir() else path.parent
    for anc in (here, *here.parents):
        if anc.name in DOCUMENT_DIRS:
            return anc.parent
    if (here / RAW_DIR).is_dir():
        return here
    if (here.parent / RAW_DIR).is_dir():
        return here.parent
    return None


def resolve(path: str | os.PathLike[str], *, require_documents: bool = True) -> CorpusPaths:
    """Resolve a corpus path (see the module docstring); ``ConfigError`` when it holds nothing usable."""
    p = Path(path)
    if not p.exists():
        raise ConfigError(f"{p}: no such file or directory")
    if is_built_dataset(p):
        return CorpusPaths(p, "built", (), None)
    if p.is_dir():
        is_root = p.name not in DOCUMENT_DIRS and any((p / s).is_dir() for s in DOCUMENT_DIRS)
        try:
            files = tuple(document_files(p))
        except OSError as exc:
            raise ConfigError(f"{p}: cannot list the directory: {exc.strerror or exc}") from None
        root = p if is_root else _root_of(p)
        kind = "corpus" if is_root else "directory"
    else:
        files, root, kind = (p,), _root_of(p), "file"
    if require_documents and not files:
        raise ConfigError(f"{p}: no document files (*.json, *.jsonl)")
    return CorpusPaths(p, kind, files, root)
