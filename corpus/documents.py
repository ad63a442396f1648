"""Loading documents from any corpus path (see :mod:`corpus.paths`): files, JSONL, shards, built datasets."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

from corpus.dataset.read import read_built_documents
from corpus.errors import ConfigError
from corpus.model import Document
from corpus.paths import CorpusPaths, resolve


def iter_documents(paths: CorpusPaths) -> Iterator[Document]:
    """Every document of a resolved corpus path, in file order; no validation."""
    if paths.built:
        yield from read_built_documents(paths.given)
        return
    for f in paths.files:
        if f.suffix == ".jsonl":
            with f.open(encoding="utf-8") as fh:
                for line in fh:
                    if line.strip():
                        yield Document.from_dict(json.loads(line))
        else:
            yield Document.from_dict(json.loads(f.read_text(encoding="utf-8")))


def load_documents(path: str | os.PathLike[str]) -> Iterator[Document]:
    """Documents of a corpus root, documents directory, file, JSONL, shards or built dataset."""
    yield from iter_documents(resolve(path, require_documents=False))


def load_corpus(path: str | os.PathLike[str]) -> tuple[list[Document], CorpusPaths]:
    """All documents of ``path`` (first of each id), with the resolved paths; ``ConfigError`` if unreadable."""
    paths = resolve(path)
    try:
        docs = list(iter_documents(paths))
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: cannot read documents: {exc}") from exc
    seen: set[str] = set()
    unique = []
    for d in docs:
        if d.id not in seen:
            seen.add(d.id)
            unique.append(d)
    return unique, paths
