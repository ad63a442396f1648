"""Reading and writing documents at the edges: files, directories, JSONL, built datasets."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .model import Document


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One document as read from disk, before validation (``data`` is None when unreadable)."""

    file: str
    line: int  # 1-based line where the record starts (1 for a one-document file)
    data: Any
    text: str | None = None  # the record's source text, for locating problems


def document_json(doc: Document | dict[str, Any]) -> str:
    """Canonical pretty JSON of one document (what lives in ``data/documents/<id>.json``)."""
    d = doc.to_dict() if isinstance(doc, Document) else doc
    return json.dumps(d, indent=2, ensure_ascii=False) + "\n"


def write_document(doc: Document, path: str | os.PathLike[str]) -> None:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.name + ".tmp")
    tmp.write_text(document_json(doc), encoding="utf-8")
    os.replace(tmp, p)


def write_documents(docs: Iterable[Document], out_dir: str | os.PathLike[str]) -> list[Path]:
    paths = []
    for doc in docs:
        p = Path(out_dir) / f"{doc.id}.json"
        write_document(doc, p)
        paths.append(p)
    return paths


def is_built_dataset(path: Path) -> bool:
    return path.is_dir() and (path / "MANIFEST.json").is_file()


def document_files(path: Path) -> list[Path]:
    """Document files under ``path`` (``*.json`` and ``*.jsonl``), sorted for determinism."""
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in (".json", ".jsonl"))


def load_documents(path: str | os.PathLike[str]) -> Iterator[Document]:
    """Documents from a file, a directory, a JSONL file or a built dataset; no validation."""
    p = Path(path)
    if is_built_dataset(p):
        from .build import read_built_documents

        yield from read_built_documents(p)
        return
    for f in document_files(p):
        if f.suffix == ".jsonl":
            with f.open(encoding="utf-8") as fh:
                for line in fh:
                    if line.strip():
                        yield Document.from_dict(json.loads(line))
        else:
            yield Document.from_dict(json.loads(f.read_text(encoding="utf-8")))
