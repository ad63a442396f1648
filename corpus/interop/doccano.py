"""doccano: import and export.

Import: doccano JSONL -> the annotated documents (``corpus import doccano FILE --corpus DIR``).

Reads both doccano span layouts: ``"label": [[start, end, "LABEL"], ...]`` and
``"entities": [{"start_offset", "end_offset", "label"}, ...]``. A line is matched to its document
by ``doc_id`` (top level or in ``meta``), else by its exact text; the text must be unchanged.
Spans labelled ``block:<label>`` label the blocks they cover; the others are entities (offsets
are code points).

Export: doccano sequence-labelling JSONL: ``{"text", "label": [[start, end, "LABEL"], ...], "doc_id"}``.

One line per document. Entity spans carry their label; block labels are spans over the whole
block labelled ``block:<label>`` (so create the project with "Allow overlapping spans"). Offsets
are code points.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from corpus.errors import DocumentError
from corpus.interop.spans import apply_spans, corpus_index
from corpus.model import Document
from corpus.registry import Imported, Reject, exporter, importer

TOOL = "doccano"


def record_spans(rec: dict[str, Any], where: str) -> tuple[list, list]:
    raw: list[tuple[Any, Any, Any]] = []
    for item in rec.get("label") or []:
        if isinstance(item, list | tuple) and len(item) == 3:
            raw.append((item[0], item[1], item[2]))
        else:
            raise DocumentError(f"{where}: label item {item!r} is not [start, end, label]", reason="doccano_syntax")
    for item in rec.get("entities") or []:
        if not isinstance(item, dict):
            raise DocumentError(f"{where}: entity item {item!r} is not an object", reason="doccano_syntax")
        raw.append((item.get("start_offset"), item.get("end_offset"), item.get("label")))
    blocks, ents = [], []
    for s, e, label in raw:
        if not isinstance(s, int) or not isinstance(e, int) or not isinstance(label, str):
            raise DocumentError(f"{where}: span {[s, e, label]!r} needs integer offsets and a label",
                                reason="doccano_syntax")
        if label.startswith(BLOCK_PREFIX):
            blocks.append((s, e, label[len(BLOCK_PREFIX):]))
        else:
            ents.append((s, e, label))
    return blocks, ents


@importer("doccano", description="doccano sequence-labelling JSONL (needs --corpus)", kind="tool")
def import_doccano(src: Path, *, corpus: str | Path | None = None,
                   raw_root: str | Path | None = None) -> Iterator[Imported | Reject]:
    docs = corpus_index(corpus, "doccano", raw_root)
    by_text: dict[str, str | None] = {}
    for d in docs.values():
        by_text[d.text] = None if d.text in by_text else d.id  # ambiguous texts match nothing
    files = sorted(src.glob("*.jsonl")) if src.is_dir() else [src]
    for f in files:
        with f.open(encoding="utf-8") as fh:
            for ln, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                where = f"{f}:{ln}"
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield Reject(where, "json_syntax", f"not JSON: {exc.msg}")
                    continue
                if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
                    yield Reject(where, "doccano_syntax", "a line must be an object with 'text'")
                    continue
                meta = rec.get("meta") if isinstance(rec.get("meta"), dict) else {}
                doc_id = rec.get("doc_id") or meta.get("doc_id") or by_text.get(rec["text"])
                doc = docs.get(str(doc_id)) if doc_id is not None else None
                if doc is None:
                    yield Reject(where, "document_unknown", f"no document for doc_id {doc_id!r} (or for this text)")
                    continue
                if rec["text"] != doc.text:
                    yield Reject(where, "text_changed", f"text differs from document {doc.id}'s text")
                    continue
                try:
                    blocks, ents = record_spans(rec, where)
                    yield docs.imported(apply_spans(doc, blocks or None, ents, tool=TOOL, where=where))
                except DocumentError as exc:
                    yield Reject(where, exc.reason, str(exc))


BLOCK_PREFIX = "block:"


def doccano_record(doc: Document) -> dict:
    spans = [[b.start, b.end, BLOCK_PREFIX + b.label] for b in doc.blocks if b.label is not None]
    spans += [[e.start, e.end, e.label] for e in doc.entities]
    return {"text": doc.text, "label": spans, "doc_id": doc.id}


@exporter("doccano", description="doccano sequence-labelling JSONL (documents.jsonl)")
def export_doccano(docs: Iterable[Document], out: Path) -> int:
    n = 0
    with (out / "documents.jsonl").open("w", encoding="utf-8") as fh:
        for doc in docs:
            fh.write(json.dumps(doccano_record(doc), ensure_ascii=False) + "\n")
            n += 1
    return n
