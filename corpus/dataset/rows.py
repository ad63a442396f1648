"""Rows of the four configs, made column by column from build records: the one row builder.

:class:`SplitRows` collects the rows of some documents of one split and turns them into Arrow arrays
in one go; per-document values repeated on every row of a document (id, domain, status, ...) are
converted once and repeated with ``take``. :func:`document_rows` is the same for a few
:class:`~corpus.model.Document` objects (tests, tools): it goes through the same builder.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate, compress
from typing import Any

import pyarrow as pa

from corpus.dataset.layout import (
    BIO_INDEX,
    BLOCK_INDEX,
    BLOCKS,
    CONFIGS,
    CONLL_INDEX,
    DOCUMENTS,
    ENTITIES,
    ENTITY_INDEX,
    NER_TOKENS,
    NO_LABEL,
    features,
)
from corpus.dataset.records import (
    CHECKS_DEFAULTS,
    LAYER_DEFAULTS,
    METADATA_DEFAULTS,
    SOURCE_DEFAULTS,
    Record,
    layer_status,
    record_of_document,
)
from corpus.errors import CorpusError
from corpus.labels import VIEWS, to_conll
from corpus.model import Document
from corpus.text.tokens import span_tokens

_VIEW_LABELS = tuple(VIEWS.values())
_BLOCK_ID = {**BLOCK_INDEX, None: NO_LABEL}


#: Arrow arrays (schema order) and per-row size estimates of one config.
Columns = tuple[list[pa.Array], list[int]]


def _entity_class(label: str) -> int:
    try:
        return ENTITY_INDEX[label]
    except KeyError:
        raise CorpusError(f"entity label {label!r} is in no known label set", reason="unknown_entity_label") from None


class SplitRows:
    """Rows of the four configs for some documents of one split, collected column by column.

    Add records with :meth:`add`; :meth:`arrays` converts everything to Arrow arrays at once.
    """

    def __init__(self) -> None:
        self.records: list[Record] = []
        self.doc_sizes: list[int] = []
        self.views: list[list[str]] = [[] for _ in _VIEW_LABELS]
        self.entity_counts: list[int] = []
        self.entity_class: list[int] = []  # documents config: every entity, ENTITY_CLASS_NAMES ids
        self.e_start: list[Any] = []
        self.e_end: list[Any] = []
        self.e_text: list[Any] = []
        # blocks config: per block, and per document (repeated on its blocks)
        self.block_counts: list[int] = []
        self.b_start: list[Any] = []
        self.b_end: list[Any] = []
        self.b_text: list[str] = []
        self.b_label: list[int] = []
        self.b_tag: list[Any] = []
        self.b_xpath: list[Any] = []
        self.b_sizes: list[int] = []
        self.domains: list[Any] = []
        self.languages: list[Any] = []
        self.datasets: list[Any] = []
        self.block_status: list[Any] = []
        # entities config: per kept entity, and per document
        self.kept_counts: list[int] = []
        self.k_block: list[int] = []
        self.k_start: list[Any] = []
        self.k_end: list[Any] = []
        self.k_label: list[int] = []
        self.k_original: list[Any] = []
        self.k_text: list[Any] = []
        self.label_sets: list[Any] = []
        self.entity_status: list[Any] = []
        # ner_tokens config: per block with tokens, and per document
        self.ner_counts: list[int] = []  # rows per document
        self.n_index: list[int] = []
        self.n_tokens: list[int] = []  # tokens per row
        self.tokens: list[str] = []
        self.tags: list[int] = []
        self.n_sizes: list[int] = []

    def add(self, r: Record) -> None:
        text, starts, ends, labels = r.text, r.starts, r.ends, r.labels
        texts = list(map(text.__getitem__, map(slice, starts, ends)))
        block_ids = list(map(_BLOCK_ID.__getitem__, labels))  # KeyError on an unknown label, as BLOCK_INDEX[x]
        try:
            entity_ids = list(map(ENTITY_INDEX.__getitem__, r.e_labels))
        except (KeyError, TypeError):
            entity_ids = [_entity_class(x) for x in r.e_labels]  # raises the named error
        self.entity_class += entity_ids
        # documents config
        self.records.append(r)
        self.doc_sizes.append(4 * len(text) + 256)
        for out, wanted in zip(self.views, _VIEW_LABELS, strict=True):
            out.append("\n".join(compress(texts, map(wanted.__contains__, labels))))
        self.entity_counts.append(len(r.e_labels))
        self.e_start += r.e_starts
        self.e_end += r.e_ends
        self.e_text += r.e_texts
        # blocks config
        src, language = r.source, r.metadata.get("language")
        self.block_counts.append(len(starts))
        self.b_start += starts
        self.b_end += ends
        self.b_text += texts
        self.b_label += block_ids
        self.b_tag += r.tags
        self.b_xpath += r.xpaths
        self.b_sizes += [e - s + 128 for s, e in zip(starts, ends, strict=True)]
        self.domains.append(src.get("domain"))
        self.languages.append(language)
        self.datasets.append(src.get("source_dataset", "native"))
        self.block_status.append(layer_status(r.layers[0]))
        # entities config (labels mapped to CoNLL-4, dropped labels omitted)
        label_set, status = r.label_set, layer_status(r.layers[1])
        self.label_sets.append(label_set)
        self.entity_status.append(status)
        e_starts, e_labels = r.e_starts, r.e_labels
        conll = e_labels if label_set == "conll4" else [to_conll(x, label_set) for x in e_labels]
        kept = [i for i, c in enumerate(conll) if c is not None]
        self.kept_counts.append(len(kept))
        if kept:
            self.k_block += [bisect_right(starts, e_starts[i]) - 1 for i in kept]
            self.k_start += [e_starts[i] for i in kept]
            self.k_end += [r.e_ends[i] for i in kept]
            self.k_label += [CONLL_INDEX[conll[i]] for i in kept]
            self.k_original += [e_labels[i] for i in kept]
            self.k_text += [r.e_texts[i] for i in kept]
        # ner_tokens config: one row per block with tokens; none when the entity layer is not annotated
        if status == "none":
            self.ner_counts.append(0)
            return
        # the kept entities with their CoNLL-4 labels, sorted: what conll_entities gives block_tokens
        e_ends = r.e_ends
        ents = sorted([(e_starts[i], e_ends[i], conll[i]) for i in kept])
        first = len(self.n_tokens)
        index, counts, tokens, tags = self.n_index, self.n_tokens, self.tokens, self.tags
        for bi, words, ids in span_tokens(text, starts, ends, ents, BIO_INDEX):
            index.append(bi)
            counts.append(len(words))
            tokens += words
            tags += [0] * len(words) if ids is None else ids
        self.n_sizes += [16 * n + 64 for n in counts[first:]]
        self.ner_counts.append(len(counts) - first)

    def arrays(self, schemas: dict[str, pa.Schema]) -> dict[str, tuple[list[pa.Array], list[int]]]:
        """Per config: the columns as Arrow arrays (schema order) and the rows' size estimates."""
        import numpy as np

        s = pa.string()
        ids = pa.array([r.id for r in self.records], type=s)
        languages = pa.array(self.languages, type=s)

        def per_row(counts: list[int]) -> tuple[Any, Any]:
            """Indices repeating each document's value on its rows, and each row's index within its document."""
            c = np.asarray(counts, dtype=np.int64)
            doc = np.repeat(np.arange(len(c), dtype=np.int64), c)
            within = np.arange(len(doc), dtype=np.int64) - np.repeat(np.cumsum(c) - c, c)
            return pa.array(doc), within

        b_doc, b_index = per_row(self.block_counts)
        blocks = [
            ids.take(b_doc),
            pa.array(b_index),
            pa.array(self.b_start, type=pa.int64()),
            pa.array(self.b_end, type=pa.int64()),
            pa.array(self.b_text, type=s),
            pa.array(self.b_label, type=pa.int64()),
            pa.array(self.b_tag, type=s),
            pa.array(self.b_xpath, type=s),
            pa.array(self.domains, type=s).take(b_doc),
            languages.take(b_doc),
            pa.array(self.datasets, type=s).take(b_doc),
            pa.array(self.block_status, type=s).take(b_doc),
        ]
        k_doc, _ = per_row(self.kept_counts)
        entity_status = pa.array(self.entity_status, type=s)
        entities = [
            ids.take(k_doc),
            pa.array(self.k_block, type=pa.int64()),
            pa.array(self.k_start, type=pa.int64()),
            pa.array(self.k_end, type=pa.int64()),
            pa.array(self.k_label, type=pa.int64()),
            pa.array(self.k_original, type=s),
            pa.array(self.k_text, type=s),
            pa.array(self.label_sets, type=s).take(k_doc),
            entity_status.take(k_doc),
        ]
        n_doc, _ = per_row(self.ner_counts)
        offsets = pa.array(_offsets(self.n_tokens), type=pa.int32())
        nt = schemas[NER_TOKENS]
        ner = [
            ids.take(n_doc),
            pa.array(self.n_index, type=pa.int64()),
            pa.ListArray.from_arrays(offsets, pa.array(self.tokens, type=s), type=nt.field("tokens").type),
            pa.ListArray.from_arrays(offsets, pa.array(self.tags, type=pa.int64()), type=nt.field("ner_tags").type),
            languages.take(n_doc),
            entity_status.take(n_doc),
        ]
        out = {
            DOCUMENTS: (self._documents(schemas[DOCUMENTS], ids, blocks), self.doc_sizes),
            BLOCKS: (blocks, self.b_sizes),
            ENTITIES: (entities, [128] * len(self.k_block)),
            NER_TOKENS: (ner, self.n_sizes),
        }
        for config, (arrays, _) in out.items():  # the schema's types exactly (e.g. ClassLabel ids are int64)
            for a, f in zip(arrays, schemas[config], strict=True):
                if a.type != f.type:
                    raise TypeError(f"{config}.{f.name}: {a.type} is not {f.type}")
        return out

    def _documents(self, schema: pa.Schema, ids: pa.Array, blocks: list[pa.Array]) -> list[pa.Array]:
        recs = self.records
        ty = {f.name: f.type for f in schema}
        block_t = ty["blocks"]
        # the nested blocks are the blocks config's start, end, label, tag and xpath columns
        block_values = pa.StructArray.from_arrays([blocks[i] for i in (2, 3, 5, 6, 7)], fields=list(block_t.value_type))
        ent_t = ty["entities"]
        ent_values = pa.StructArray.from_arrays(
            [
                pa.array(c, type=f.type)
                for c, f in zip(
                    (self.e_start, self.e_end, self.entity_class, self.e_text), ent_t.value_type, strict=True
                )
            ],
            fields=list(ent_t.value_type),
        )
        refs = [r.reference for r in recs]
        ref_t = ty["reference"]
        missing = [x is None for x in refs]
        # a null struct row holds valid empty children, as pa.array makes them from None
        reference = pa.StructArray.from_arrays(
            [pa.array(["" if x is None else x[k] for x in refs], type=f.type) for k, f in enumerate(ref_t)],
            fields=list(ref_t),
            mask=pa.array(missing, type=pa.bool_()) if any(missing) else None,
        )
        ann_t = ty["annotation"]
        annotation = pa.StructArray.from_arrays(
            [
                *(_struct(ann_t[k].type, [r.layers[k] for r in recs], LAYER_DEFAULTS) for k in range(3)),
                pa.array([r.label_set for r in recs], type=ann_t[3].type),
                pa.array([r.annotation.get("guidelines_version") for r in recs], type=ann_t[4].type),
            ],
            fields=list(ann_t),
        )
        norm_t = ty["normalizer"]
        columns = {
            "schema_version": pa.array([r.schema_version for r in recs], type=ty["schema_version"]),
            "id": ids,
            "source": _struct(ty["source"], [r.source for r in recs], SOURCE_DEFAULTS),
            "normalizer": pa.StructArray.from_arrays(
                [pa.array([r.normalizer[k] for r in recs], type=f.type) for k, f in enumerate(norm_t)],
                fields=list(norm_t),
            ),
            "text": pa.array([r.text for r in recs], type=ty["text"]),
            "blocks": pa.ListArray.from_arrays(
                pa.array(_offsets(self.block_counts), type=pa.int32()), block_values, type=block_t
            ),
            "entities": pa.ListArray.from_arrays(
                pa.array(_offsets(self.entity_counts), type=pa.int32()), ent_values, type=ent_t
            ),
            "metadata": _struct(ty["metadata"], [r.metadata for r in recs], METADATA_DEFAULTS),
            "checks": _struct(ty["checks"], [r.checks for r in recs], CHECKS_DEFAULTS),
            "reference": reference,
            "annotation": annotation,
        }
        for view, values in zip(VIEWS, self.views, strict=True):
            columns[view] = pa.array(values, type=ty[view])
        return [columns[name] for name in schema.names]


def _struct(ty: pa.StructType, objs: list[dict[str, Any]], defaults: dict[str, Any]) -> pa.StructArray:
    """A struct column from one JSON object per row (missing fields: the model's defaults)."""
    return pa.StructArray.from_arrays(
        [pa.array([o.get(f.name, defaults.get(f.name)) for o in objs], type=f.type) for f in ty], fields=list(ty)
    )


def _offsets(counts: list[int]) -> list[int]:
    return list(accumulate(counts, initial=0))


def schemas() -> dict[str, pa.Schema]:
    """The Arrow schema of every config."""
    return {c: features(c).arrow_schema for c in CONFIGS}


def document_rows(docs: list[Document]) -> dict[str, pa.Table]:
    """Per config, the rows of ``docs`` as one table (what ``corpus build`` writes for them)."""
    rows = SplitRows()
    for doc in docs:
        rows.add(record_of_document(doc))
    sch = schemas()
    return {c: pa.Table.from_arrays(arrays, schema=sch[c]) for c, (arrays, _) in rows.arrays(sch).items()}
