"""doccano sequence-labelling JSONL: ``{"text", "label": [[start, end, "LABEL"], ...], "doc_id"}``.

One line per document. Entity spans carry their label; block labels are spans over the whole
block labelled ``block:<label>`` (so create the project with "Allow overlapping spans"). Offsets
are code points.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from ..model import Document
from . import exporter

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
