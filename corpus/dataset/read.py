"""Reading a built dataset back: manifest, rows, documents."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from corpus.dataset.layout import DOCUMENTS, ENTITY_CLASS_NAMES, MANIFEST, NO_LABEL
from corpus.errors import ConfigError, FileError
from corpus.labels import BLOCK_LABELS, VIEWS
from corpus.limits import BUILD_BATCH_ROWS
from corpus.model import Document


def document_from_row(row: dict[str, Any]) -> Document:
    """Inverse of :func:`document_row` (accepts ClassLabel ids or names)."""
    d = {k: v for k, v in row.items() if k not in VIEWS}
    d["blocks"] = [{**b, "label": _label_name(b.get("label"), BLOCK_LABELS)} for b in row.get("blocks") or ()]
    d["entities"] = [{**e, "label": _label_name(e.get("label"), ENTITY_CLASS_NAMES)} for e in row.get("entities") or ()]
    return Document.from_dict(d)


def _label_name(value: int | str | None, names: Sequence[str]) -> str | None:
    if value is None or value == NO_LABEL:
        return None
    if isinstance(value, str):
        return value
    return names[value]


def load_manifest(path: str | os.PathLike[str]) -> dict[str, Any]:
    p = Path(path) / MANIFEST
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: not a built dataset (no {MANIFEST})") from None
    except ValueError as exc:
        raise FileError(f"{p}: unreadable manifest ({exc})", location=str(p)) from exc


def iter_built_rows(
    path: str | os.PathLike[str], config: str = DOCUMENTS, *, batch_rows: int = BUILD_BATCH_ROWS
) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(split, row)`` for every row of ``config`` in a built dataset, in manifest order."""
    root = Path(path)
    manifest = load_manifest(root)
    for shard in manifest["shards"]:
        if shard["config"] != config:
            continue
        pf = pq.ParquetFile(root / shard["path"])
        for batch in pf.iter_batches(batch_size=batch_rows):
            for row in batch.to_pylist():
                yield shard["split"], row


def iter_built_documents(path: str | os.PathLike[str]) -> Iterator[tuple[str, Document]]:
    """``(split, document)`` for every document of a built dataset."""
    for split, row in iter_built_rows(path, DOCUMENTS):
        yield split, document_from_row(row)


def read_built_documents(path: str | os.PathLike[str]) -> Iterator[Document]:
    """The documents of a built dataset (the ``documents`` config) as :class:`Document` records."""
    for _, doc in iter_built_documents(path):
        yield doc


def example_blocks(
    path: str | os.PathLike[str], doc_id: str | None = None, shards: Sequence[dict[str, Any]] | None = None
) -> tuple[str, list[tuple[str, str | None]]] | None:
    """``(id, [(block text, label), ...])`` of one document of a built dataset, from the blocks config:
    ``doc_id`` when it is there, else the smallest id whose block layer is gold; None when neither is.

    ``shards``: the manifest's shard list (default: read from the manifest)."""
    import pyarrow.compute as pc

    from corpus.dataset.layout import BLOCKS

    root = Path(path)
    listed = load_manifest(root)["shards"] if shards is None else shards

    def shards_of(config: str) -> list[Path]:
        return [root / s["path"] for s in listed if s["config"] == config]

    docs = pq.read_table(shards_of(DOCUMENTS), columns=["id", "annotation"])  # small columns only
    if doc_id is None or doc_id not in set(docs["id"].to_pylist()):
        gold = pc.equal(pc.struct_field(pc.struct_field(docs["annotation"], "blocks"), "status"), "gold")
        ids = docs["id"].filter(gold)
        if not len(ids):
            return None
        doc_id = pc.min(ids).as_py()
    rows = []
    for shard in shards_of(BLOCKS):  # only the row groups whose doc_id range holds it (shards are in id order)
        pf = pq.ParquetFile(shard)
        col = pf.schema_arrow.get_field_index("doc_id")
        for g in range(pf.metadata.num_row_groups):
            st = pf.metadata.row_group(g).column(col).statistics
            if st is not None and st.has_min_max and not st.min <= doc_id <= st.max:
                continue
            part = pf.read_row_group(g, columns=["doc_id", "block_index", "text", "label"])
            rows += [r for r in part.to_pylist() if r["doc_id"] == doc_id]
    rows.sort(key=lambda r: r["block_index"])
    return doc_id, [(r["text"], _label_name(r["label"], BLOCK_LABELS)) for r in rows]
