"""Expected rows of each published config, written from the record model and DESIGN §5 alone.

An independent, deliberately plain statement of what ``corpus build`` must write for a document
(the package has one columnar row builder; these functions are its test oracle).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from corpus.dataset.layout import BIO_INDEX, BLOCK_INDEX, CONLL_INDEX, ENTITY_INDEX, NO_LABEL
from corpus.labels import VIEWS, to_conll
from corpus.model import Document
from corpus.text.tokens import token_rows


def _plain(v: Any) -> Any:
    return list(v) if isinstance(v, tuple) else v


def document_row(doc: Document) -> dict[str, Any]:
    d = doc.to_dict()
    source = {k: d["source"].get(k) for k in (
        "url", "domain", "crawl_date", "source_dataset", "source_id", "license", "raw_path", "raw_sha256",
        "raw_format", "encoding", "split", "page_type", "input", "encoding_source")}
    row: dict[str, Any] = {
        "schema_version": doc.schema_version,
        "id": doc.id,
        "source": source,
        "normalizer": {"name": doc.normalizer.name, "version": doc.normalizer.version},
        "text": doc.text,
        "blocks": [{"start": b.start, "end": b.end, "label": NO_LABEL if b.label is None else BLOCK_INDEX[b.label],
                    "tag": b.tag, "xpath": b.xpath} for b in doc.blocks],
        "entities": [{"start": e.start, "end": e.end, "label": ENTITY_INDEX[e.label], "text": e.text}
                     for e in doc.entities],
        "metadata": {f.name: _plain(getattr(doc.metadata, f.name)) for f in dataclasses.fields(doc.metadata)},
        "checks": {"include": list(doc.checks.include), "exclude": list(doc.checks.exclude)},
        "reference": None if doc.reference is None else {"text": doc.reference.text,
                                                         "convention": doc.reference.convention},
        "annotation": {
            **{k: {"status": getattr(doc.annotation, k).status, "by": getattr(doc.annotation, k).by,
                   "tool": getattr(doc.annotation, k).tool} for k in ("blocks", "entities", "metadata")},
            "entity_label_set": doc.annotation.entity_label_set,
            "guidelines_version": doc.annotation.guidelines_version,
        },
    }
    for view, labels in VIEWS.items():
        row[view] = "\n".join(doc.text[b.start:b.end] for b in doc.blocks if b.label in labels)
    return row


def block_rows(doc: Document) -> list[dict[str, Any]]:
    return [{"doc_id": doc.id, "block_index": i, "start": b.start, "end": b.end, "text": doc.text[b.start:b.end],
             "label": NO_LABEL if b.label is None else BLOCK_INDEX[b.label], "tag": b.tag, "xpath": b.xpath,
             "domain": doc.source.domain, "language": doc.metadata.language,
             "source_dataset": doc.source.source_dataset, "status": doc.annotation.blocks.status}
            for i, b in enumerate(doc.blocks)]


def entity_rows(doc: Document) -> list[dict[str, Any]]:
    out = []
    label_set = doc.annotation.entity_label_set
    for e in doc.entities:
        conll = to_conll(e.label, label_set)
        if conll is None:
            continue
        block = max(i for i, b in enumerate(doc.blocks) if b.start <= e.start)
        out.append({"doc_id": doc.id, "block_index": block, "start": e.start, "end": e.end,
                    "label": CONLL_INDEX[conll], "original_label": e.label, "text": e.text,
                    "label_set": label_set, "status": doc.annotation.entities.status})
    return out


def ner_token_rows(doc: Document) -> list[dict[str, Any]]:
    if doc.annotation.entities.status == "none":
        return []
    return [{"doc_id": doc.id, "block_index": r.block_index, "tokens": list(r.tokens),
             "ner_tags": [BIO_INDEX[t] for t in r.tags], "language": doc.metadata.language,
             "status": doc.annotation.entities.status} for r in token_rows(doc)]


ROWS = {"blocks": block_rows, "entities": entity_rows, "ner_tokens": ner_token_rows}
