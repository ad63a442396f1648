"""Publish a validated corpus as a Hugging Face dataset directory (DESIGN §5).

Pipeline (streaming passes over the input, memory bounded by the batch size):

1. *plan* (optional): deduplication fingerprints (:mod:`corpus.dataset.dedup`), or the train/test leakage check
   when deduplication is off;
2. *write*: read every document, apply the document filters (the one place where documents may be
   dropped, e.g. deduplication), assign its split, hash it, accumulate the corpus statistics and
   stream rows of every config into Parquet shards written through ``datasets`` features (so the
   Arrow schema carries the label names); documents arrive in id order in the usual
   ``documents/<id>.json`` layout, otherwise an index pass comes first and each split is re-read in
   id order; then the dataset card, ``croissant.json`` and ``MANIFEST.json``.

The input is read in *tasks* (a few dozen documents or a byte range of a JSONL file). A task turns
parsed JSON straight into Arrow arrays, column by column (no :class:`~corpus.model.Document`
objects on this path); with ``jobs > 1`` tasks run in worker processes and this process consumes
their results in input order, so row groups, shards and every output byte are the same for any
``jobs``.

The output is written to a temporary directory next to the target, verified against its manifest
and only then renamed over the target. The same inputs give byte-identical files.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pickle
import shutil
from bisect import bisect_left, bisect_right
from collections import Counter, deque, namedtuple
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, compress
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from corpus.dataset.splits import GROUP_KEY_RULE, SPLIT_RATIOS, SPLIT_SEED, SPLITS, split_for_key
from corpus.dataset.splits import group_key as split_group_key
from corpus.dataset.stats import UNKNOWN, UNLABELLED, CorpusStats
from corpus.errors import ConfigError, CorpusError, FileError
from corpus.labels import VIEWS, to_conll
from corpus.limits import BUILD_BATCH_BYTES, BUILD_BATCH_ROWS, SHARD_MAX_ROWS
from corpus.model import SCHEMA_VERSION, Checks, Document, Layer, Metadata, Source
from corpus.paths import CorpusPaths, resolve
from corpus.text.normalise import NORMALIZER_NAME, NORMALIZER_VERSION
from corpus.text.tokens import block_tokens

if TYPE_CHECKING:
    pass

from corpus.dataset.layout import *  # noqa: F403  (temporary)
from corpus.dataset.layout import _BIO_INDEX, _BLOCK_INDEX, _CONLL_INDEX, _ENTITY_INDEX

# -- rows ---------------------------------------------------------------------------------------


def _entity_class(label: str) -> int:
    try:
        return _ENTITY_INDEX[label]
    except KeyError:
        raise CorpusError(f"entity label {label!r} is in no known label set", reason="unknown_entity_label") from None


# -- input --------------------------------------------------------------------------------------

#: A document filter returns ``None`` to keep a document or a reason string to drop it.
DocumentFilter = Callable[[Document], "str | None"]


def resolve_input(data: str | os.PathLike[str]) -> CorpusPaths:
    """The documents to publish: any corpus path except a built dataset."""
    paths = resolve(data)
    if paths.built:
        raise ConfigError(f"{data} is a built dataset, not a documents directory")
    return paths


def iter_located(files: Sequence[Path]) -> Iterator[tuple[int, int, bytes, Document]]:
    """``(file index, byte offset or -1 for a whole-file document, record sha256, document)``."""
    for fi, f in enumerate(files):
        if f.suffix == ".jsonl":
            with f.open("rb") as fh:
                offset = 0
                for lineno, line in enumerate(fh, 1):
                    if line.strip():
                        raw = line.rstrip(b"\r\n")
                        yield fi, offset, hashlib.sha256(raw).digest(), _parse(raw, f"{f}:{lineno}")
                    offset += len(line)
        else:
            raw = f.read_bytes()
            yield fi, -1, hashlib.sha256(raw).digest(), _parse(raw, str(f))


def _parse(raw: bytes, location: str) -> Document:
    try:
        return Document.from_dict(json.loads(raw))
    except (ValueError, KeyError, TypeError) as exc:
        raise FileError(f"{location}: unreadable document ({exc}); run corpus validate", location=location) from exc


# -- the same rows straight from parsed JSON (the write path: no Document objects) ----------------


def _defaults(cls: type) -> dict[str, Any]:
    """Field defaults of a model dataclass (``None`` for required fields), as ``Document.from_dict`` fills them."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        out[f.name] = f.default if f.default is not dataclasses.MISSING else None
    return out


_SOURCE_DEFAULTS = _defaults(Source)
_METADATA_DEFAULTS = _defaults(Metadata)
_CHECKS_DEFAULTS = _defaults(Checks)
_LAYER_DEFAULTS = _defaults(Layer)
_NO_FIELDS: dict[str, Any] = {}  # shared stand-in for a missing object; never mutated
_VIEW_LABELS = tuple(VIEWS.values())
_BLOCK_ID = {**_BLOCK_INDEX, None: NO_LABEL}

# Stand-ins with the attributes that corpus.dataset.splits.group_key and corpus.text.tokens.block_tokens read.
_KeySource = namedtuple("_KeySource", "domain url")
_KeyDoc = namedtuple("_KeyDoc", "source id")


class _Span(tuple):
    """``(start, end)`` with the attributes of a Block (built by tuple's C constructor: cheap)."""

    __slots__ = ()
    start = property(itemgetter(0))
    end = property(itemgetter(1))


class _Ent(tuple):
    """``(start, end, label)`` with the attributes of an Entity."""

    __slots__ = ()
    start = property(itemgetter(0))
    end = property(itemgetter(1))
    label = property(itemgetter(2))


_LabelSet = namedtuple("_LabelSet", "entity_label_set")
_TokenDoc = namedtuple("_TokenDoc", "text blocks entities annotation")


def _obj(d: dict[str, Any], key: str) -> dict[str, Any]:
    v = d.get(key)
    if not v:
        return _NO_FIELDS
    if type(v) is not dict:
        raise TypeError(f"{key} is not an object")
    return v


def _seq(d: dict[str, Any], key: str) -> list[Any] | tuple[()]:
    v = d.get(key)
    if not v:
        return ()
    if type(v) is not list:
        raise TypeError(f"{key} is not a list")
    return v


class _Record:
    """What the build reads from one parsed document record, with ``Document.from_dict``'s defaults.

    :func:`_record` raises on anything not shaped like a schema-valid record; the caller then goes
    through :meth:`Document.from_dict` (same errors, same values) and its canonical ``to_dict``.
    """

    __slots__ = (
        "annotation",
        "checks",
        "e_ends",
        "e_labels",
        "e_starts",
        "e_texts",
        "ends",
        "id",
        "label_set",
        "labels",
        "layers",
        "metadata",
        "normalizer",
        "reference",
        "schema_version",
        "source",
        "starts",
        "tags",
        "text",
        "xpaths",
    )


def _record(d: dict[str, Any]) -> _Record:
    r = _Record()
    r.id, r.text = d["id"], d["text"]
    if type(r.id) is not str or type(r.text) is not str:
        raise TypeError("id and text must be strings")
    norm = d["normalizer"]
    r.normalizer = (norm["name"], norm["version"])
    r.schema_version = d.get("schema_version", SCHEMA_VERSION)
    r.source = _obj(d, "source")
    blocks = _seq(d, "blocks")
    r.starts = [b["start"] for b in blocks]
    r.ends = [b["end"] for b in blocks]
    r.labels = [b.get("label") for b in blocks]
    r.tags = [b.get("tag") for b in blocks]
    r.xpaths = [b.get("xpath") for b in blocks]
    ents = _seq(d, "entities")
    r.e_starts = [e["start"] for e in ents]
    r.e_ends = [e["end"] for e in ents]
    r.e_labels = [e["label"] for e in ents]
    r.e_texts = [e["text"] for e in ents]
    r.metadata = _obj(d, "metadata")
    r.checks = _obj(d, "checks")
    ref = d.get("reference")
    r.reference = None if ref is None else (ref["text"], ref["convention"])
    ann = r.annotation = _obj(d, "annotation")
    r.layers = (_obj(ann, "blocks"), _obj(ann, "entities"), _obj(ann, "metadata"))
    r.label_set = ann.get("entity_label_set", "conll4")
    return r


def _status(layer: dict[str, Any]) -> Any:
    return layer.get("status", "none")


def _record_priority(r: _Record) -> tuple:
    """:func:`corpus.dataset.dedup.priority` of the record's document."""
    from corpus.dataset.dedup import priority_of

    return priority_of([_status(x) for x in r.layers], len(r.e_labels), sum(x is not None for x in r.labels), r.id)


@lru_cache(maxsize=1 << 16)
def _split_of_key(key: str, seed: str) -> str:
    return split_for_key(key, seed)


def _record_split(r: _Record, seed: str) -> str:
    """The split of the record's document (:func:`corpus.dataset.splits.assign_split`)."""
    src = r.source
    return _split_of_key(split_group_key(_KeyDoc(_KeySource(src.get("domain"), src.get("url")), r.id)), seed)


def _add_stats(st: CorpusStats, r: _Record, split: str) -> None:
    """:meth:`CorpusStats.add` of the record's document (tested to agree)."""
    st.documents += 1
    st.characters += len(r.text)
    st.blocks += len(r.starts)
    st.entities += len(r.e_labels)
    labels, chars = st.block_labels, st.block_label_chars
    for label, s, e in zip(r.labels, r.starts, r.ends, strict=True):
        label = label or UNLABELLED
        labels[label] += 1
        chars[label] += e - s
    st.entity_labels.update(r.e_labels)
    if r.e_labels:
        st.entity_label_sets[r.label_set] += 1
    src = r.source
    st.languages[r.metadata.get("language") or UNKNOWN] += 1
    st.source_datasets[src.get("source_dataset", "native")] += 1
    st.domains[src.get("domain") or UNKNOWN] += 1
    st.licenses[src.get("license") or UNKNOWN] += 1
    st.raw_formats[src.get("raw_format", "html")] += 1
    st.normalizers[f"{r.normalizer[0]} {r.normalizer[1]}"] += 1
    for name, layer in zip(("blocks", "entities", "metadata"), r.layers, strict=True):
        st.layer_status[name][_status(layer)] += 1
    st.splits[split] += 1


def _merge_stats(into: CorpusStats, other: CorpusStats) -> None:
    """Add ``other``'s counts to ``into`` (statistics are sums: order does not matter)."""
    for f in dataclasses.fields(CorpusStats):
        a, b = getattr(into, f.name), getattr(other, f.name)
        if isinstance(a, Counter):
            a.update(b)
        elif isinstance(a, dict):
            for k, v in b.items():
                a.setdefault(k, Counter()).update(v)
        else:
            setattr(into, f.name, a + b)


class _SplitRows:
    """Rows of the four configs for some documents of one split, collected column by column.

    Same values as :func:`document_row`, :func:`_block_columns`, :func:`_entity_columns` and
    :func:`_ner_token_columns` (tested), converted to Arrow arrays in one go by :meth:`arrays`;
    per-document values repeated on every row of a document (id, domain, status, ...) are converted
    once and repeated with ``take``.
    """

    def __init__(self) -> None:
        self.records: list[_Record] = []
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

    def add(self, r: _Record) -> None:
        text, starts, ends, labels = r.text, r.starts, r.ends, r.labels
        texts = list(map(text.__getitem__, map(slice, starts, ends)))
        block_ids = list(map(_BLOCK_ID.__getitem__, labels))  # KeyError on an unknown label, as _BLOCK_INDEX[x]
        try:
            entity_ids = list(map(_ENTITY_INDEX.__getitem__, r.e_labels))
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
        self.block_status.append(_status(r.layers[0]))
        # entities config (labels mapped to CoNLL-4, dropped labels omitted)
        label_set, status = r.label_set, _status(r.layers[1])
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
            self.k_label += [_CONLL_INDEX[conll[i]] for i in kept]
            self.k_original += [e_labels[i] for i in kept]
            self.k_text += [r.e_texts[i] for i in kept]
        # ner_tokens config: one row per block with tokens; none when the entity layer is not annotated
        if status == "none":
            self.ner_counts.append(0)
            return
        ents = [_Ent((e_starts[i], r.e_ends[i], e_labels[i])) for i in kept]
        rows = 0
        bio = _BIO_INDEX
        for bi, words, names in block_tokens(
            _TokenDoc(text, list(map(_Span, zip(starts, ends, strict=True))), ents, _LabelSet(label_set))
        ):
            self.n_index.append(bi)
            self.n_tokens.append(len(words))
            self.tokens += words
            self.tags += [0] * len(words) if names is None else [bio[t] for t in names]
            rows += 1
        self.n_sizes += [16 * n + 64 for n in self.n_tokens[len(self.n_tokens) - rows :]]
        self.ner_counts.append(rows)

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
                *(_struct(ann_t[k].type, [r.layers[k] for r in recs], _LAYER_DEFAULTS) for k in range(3)),
                pa.array([r.label_set for r in recs], type=ann_t[3].type),
                pa.array([r.annotation.get("guidelines_version") for r in recs], type=ann_t[4].type),
            ],
            fields=list(ann_t),
        )
        norm_t = ty["normalizer"]
        columns = {
            "schema_version": pa.array([r.schema_version for r in recs], type=ty["schema_version"]),
            "id": ids,
            "source": _struct(ty["source"], [r.source for r in recs], _SOURCE_DEFAULTS),
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
            "metadata": _struct(ty["metadata"], [r.metadata for r in recs], _METADATA_DEFAULTS),
            "checks": _struct(ty["checks"], [r.checks for r in recs], _CHECKS_DEFAULTS),
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
    out = [0]
    total = 0
    for n in counts:
        total += n
        out.append(total)
    return out


# -- tasks: the input in bounded pieces, run here or in worker processes ---------------------------

#: Most documents (files) per task; fewer when the input is small, so that every worker gets work.
TASK_DOCS = 64
#: Most bytes of a JSONL file per task (tasks end at line ends).
TASK_BYTES = 1 << 20
#: Least bytes of a JSONL file per task.
_TASK_MIN_BYTES = 4096

#: One read of a task: ``(first file, -1, stop file, 0)`` whole JSON files ``first .. stop - 1``;
#: ``(file, start, stop, first line number)`` the lines of a JSONL byte range; ``(file, offset, -1, 0)``
#: the one JSONL record at ``offset``.
Read = tuple[int, int, int, int]
Task = tuple[Read, ...]

_FINGERPRINT, _LEAKAGE, _WRITE, _INDEX, _ROWS = "fingerprint", "leakage", "write", "index", "rows"
_NO_DROP: dict[str, str] = {}  # shared; never mutated


def _plan_tasks(files: Sequence[Path], jobs: int) -> list[Task]:
    """Consecutive pieces of the input, in input order (their size does not change the output)."""
    whole = sum(1 for f in files if f.suffix != ".jsonl")
    per_task = max(1, min(TASK_DOCS, -(-whole // (4 * jobs))))
    jsonl_bytes = sum(f.stat().st_size for f in files if f.suffix == ".jsonl")
    task_bytes = max(_TASK_MIN_BYTES, min(TASK_BYTES, -(-jsonl_bytes // (4 * jobs))))
    tasks: list[Task] = []
    first = -1  # the first file of the current run of whole JSON files
    for fi, f in enumerate(files):
        if f.suffix != ".jsonl":
            if first < 0:
                first = fi
            if fi + 1 - first >= per_task:
                tasks.append(((first, -1, fi + 1, 0),))
                first = -1
            continue
        if first >= 0:
            tasks.append(((first, -1, fi, 0),))
            first = -1
        tasks += [((fi, start, stop, line),) for start, stop, line in _jsonl_ranges(f, task_bytes)]
    if first >= 0:
        tasks.append(((first, -1, len(files), 0),))
    return tasks


def _jsonl_ranges(path: Path, size: int) -> Iterator[tuple[int, int, int]]:
    """``(start, stop, line number of start)`` byte ranges of about ``size`` bytes, cut at line ends."""
    start, line, carry = 0, 1, b""
    with path.open("rb") as fh:
        while block := fh.read(size):
            buf = carry + block
            cut = buf.rfind(b"\n") + 1
            if not cut:
                carry = buf
                continue
            yield start, start + cut, line
            start += cut
            line += buf.count(b"\n", 0, cut)
            carry = buf[cut:]
    if carry:
        yield start, start + len(carry), line


def _task_raw(files: Sequence[Path], task: Task) -> Iterator[tuple[int, int, bytes, str]]:
    """``(file index, byte offset or -1, raw record, location)``, read as :func:`iter_located` reads them."""
    for fi, start, stop, line in task:
        f = files[fi]
        if start < 0:
            for i in range(fi, stop):
                yield i, -1, files[i].read_bytes(), str(files[i])
        elif stop < 0:
            with f.open("rb") as fh:
                fh.seek(start)
                yield fi, start, fh.readline(), f"{f}@{start}"
        else:
            with f.open("rb") as fh:
                fh.seek(start)
                data = fh.read(stop - start)
            offset = start
            pieces = data.split(b"\n")
            if data.endswith(b"\n"):
                pieces.pop()
            for lineno, piece in enumerate(pieces, line):
                if piece.strip():
                    yield fi, offset, piece.rstrip(b"\r\n"), f"{f}:{lineno}"
                offset += len(piece) + 1


def _load(raw: bytes, location: str) -> tuple[Any, _Record, Document | None]:
    """The parsed JSON and record of one raw document, and its :class:`Document` when the fast path did not apply.

    Unreadable documents raise the same :class:`~corpus.errors.FileError` as :func:`_parse`.
    """
    try:
        d = json.loads(raw)
    except ValueError as exc:
        raise FileError(f"{location}: unreadable document ({exc}); run corpus validate", location=location) from exc
    try:
        return d, _record(d), None
    except Exception:  # not shaped like a valid record: exactly what Document.from_dict makes of it
        try:
            doc = Document.from_dict(d)
        except (ValueError, KeyError, TypeError) as exc:
            raise FileError(f"{location}: unreadable document ({exc}); run corpus validate", location=location) from exc
        return d, _record(doc.to_dict()), doc


@dataclass
class _Context:
    """What every task needs; the same in worker processes (``filters`` only run in this process)."""

    files: tuple[Path, ...]
    seed: str
    schemas: dict[str, pa.Schema]
    filters: tuple[DocumentFilter, ...] = ()
    _fingerprinter: Any = None

    def fingerprint(self, text: str) -> tuple[bytes | None, bytes | None]:
        if self._fingerprinter is None:
            from corpus.dataset.dedup import Fingerprinter

            self._fingerprinter = Fingerprinter()
        return self._fingerprinter(text)

    def __getstate__(self) -> dict[str, Any]:
        return {"files": self.files, "seed": self.seed, "schemas": self.schemas}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)


@dataclass
class _TaskResult:
    """What one task hands back, in input order.

    ``docs`` holds one entry per document, by kind: fingerprint ``(priority, text digest, signature)``;
    leakage ``(id, split, text digest, signature)``; write and index ``(id, record sha256, drop reason,
    split, file index, offset)``; rows ``(id, split)``. ``error`` stopped the task: ``stage`` "read" means
    before the document after the last entry, "intake" during the last entry's admission (after the
    duplicate-id check), "rows" while making its rows, "end" after every entry.
    """

    docs: list[tuple] = field(default_factory=list)
    stats: CorpusStats | None = None
    rows: dict[str, dict[str, tuple[list[pa.Array], list[int]]]] = field(default_factory=dict)
    error: BaseException | None = None
    stage: str = ""


def _run_task(ctx: _Context, kind: str, task: Task, drop: dict[str, str]) -> _TaskResult:
    """Read the documents of ``task`` and make what ``kind`` asks for (see :class:`_TaskResult`)."""
    res = _TaskResult()
    docs = res.docs
    stats = res.stats = CorpusStats() if kind in (_WRITE, _INDEX) else None
    rows: dict[str, _SplitRows] = {}
    filters = ctx.filters if kind != _ROWS else ()
    stage = "read"
    try:
        for fi, offset, raw, location in _task_raw(ctx.files, task):
            stage = "read"
            d, r, doc = _load(raw, location)
            reason = None
            if filters:
                doc = doc or Document.from_dict(d)
                for f in filters:
                    reason = f(doc)
                    if reason:
                        break
            if kind == _FINGERPRINT:
                if not reason:
                    docs.append((_record_priority(r), *ctx.fingerprint(r.text)))
                continue
            if kind == _LEAKAGE:
                if not reason:
                    docs.append((r.id, _record_split(r, ctx.seed), *ctx.fingerprint(r.text)))
                continue
            if kind == _ROWS:
                stage = "rows"
                split = _record_split(r, ctx.seed)
                docs.append((r.id, split))
                (rows.get(split) or rows.setdefault(split, _SplitRows())).add(r)
                continue
            sha = hashlib.sha256(raw).digest()
            reason = reason or drop.get(r.id)
            if reason:
                docs.append((r.id, sha, reason, None, fi, offset))
                continue
            stage = "intake"
            docs.append((r.id, sha, None, None, fi, offset))
            split = _record_split(r, ctx.seed)
            assert stats is not None
            _add_stats(stats, r, split)
            docs[-1] = (r.id, sha, None, split, fi, offset)
            if kind == _WRITE:
                stage = "rows"
                (rows.get(split) or rows.setdefault(split, _SplitRows())).add(r)
        stage = "end"
        res.rows = {split: sr.arrays(ctx.schemas) for split, sr in rows.items()}
    except Exception as exc:
        res.error, res.stage = exc, stage
    return res


_WORKER_CONTEXT: _Context | None = None


def _init_worker(ctx: _Context) -> None:
    global _WORKER_CONTEXT
    _WORKER_CONTEXT = ctx


def _worker_task(kind: str, task: Task, drop: dict[str, str]) -> bytes:
    """:func:`_run_task` in a worker process, pickled with protocol 5 (Arrow buffers copied once, not twice).

    An error that cannot travel back is replaced by a CorpusError naming it.
    """
    ctx = _WORKER_CONTEXT
    assert ctx is not None
    res = _run_task(ctx, kind, task, drop)
    res.rows = {  # Arrow IPC messages: rebuilt in C++ by the parent, not array by array through pickle
        split: {c: (pa.RecordBatch.from_arrays(a, schema=ctx.schemas[c]).serialize(), n) for c, (a, n) in part.items()}
        for split, part in res.rows.items()
    }
    if res.error is not None:
        try:
            pickle.dumps(res.error)
        except Exception:
            res.error = CorpusError(f"{type(res.error).__name__}: {res.error}", reason="worker_error")
    return pickle.dumps(res, protocol=5)


class WorkerError(CorpusError):
    """A worker process of a parallel build died (killed, out of memory, crashed); nothing was built."""

    reason = "worker_failed"


class _Pool:
    """Runs tasks in input order: in this process, or in ``jobs`` worker processes with bounded work in flight."""

    def __init__(self, ctx: _Context, jobs: int):
        self.ctx = ctx
        self.jobs = jobs
        self._executor: Any = None

    def run(
        self, kind: str, tasks: Iterable[Task], drops: Iterable[dict[str, str]] | None = None
    ) -> Iterator[_TaskResult]:
        """The results of ``tasks`` in order (``drops``: per task, the ids to drop and why)."""
        work = zip(tasks, drops, strict=True) if drops is not None else ((t, _NO_DROP) for t in tasks)
        if self.jobs <= 1:
            for task, drop in work:
                yield _run_task(self.ctx, kind, task, drop)
            return
        if self._executor is None:
            from concurrent.futures import ProcessPoolExecutor
            from multiprocessing import get_context

            self._executor = ProcessPoolExecutor(
                self.jobs, mp_context=get_context("spawn"), initializer=_init_worker, initargs=(self.ctx,)
            )
        pending: deque[Any] = deque()
        try:
            for task, drop in work:
                pending.append(self._executor.submit(_worker_task, kind, task, drop))
                if len(pending) > 2 * self.jobs:  # bounded: at most a few tasks' results wait here
                    yield self._result(pending.popleft())
            while pending:
                yield self._result(pending.popleft())
        finally:
            for f in pending:
                f.cancel()

    def _result(self, future: Any) -> _TaskResult:
        from concurrent.futures.process import BrokenProcessPool

        try:
            res = pickle.loads(future.result())
        except BrokenProcessPool as exc:
            raise WorkerError(
                "a build worker process died unexpectedly (killed or crashed); nothing was built"
            ) from exc
        schemas = self.ctx.schemas
        res.rows = {
            split: {c: (pa.ipc.read_record_batch(buf, schemas[c]).columns, n) for c, (buf, n) in part.items()}
            for split, part in res.rows.items()
        }
        return res

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def __enter__(self) -> _Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _reset(filters: Sequence[DocumentFilter]) -> None:
    """A traversal (re)starts: stateful filters forget what they saw."""
    for f in filters:
        reset = getattr(f, "reset", None)
        if callable(reset):
            reset()


class _Intake:
    """Admission of documents: drop reasons, duplicate ids, input digest, statistics.

    Tasks apply the filters (the one place where documents may be dropped, deduplication included),
    assign splits and count statistics; this keeps the order-dependent part.
    """

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.digests: list[tuple[str, bytes]] = []
        self.dropped: Counter[str] = Counter()
        self.stats = CorpusStats()
        self.read = 0

    def admit(self, doc_id: str, record_sha256: bytes, reason: str | None) -> bool:
        """False when a filter dropped the document; raises on a duplicate id."""
        self.read += 1
        if reason:
            self.dropped[reason] += 1
            return False
        if doc_id in self.seen:
            raise CorpusError(f"duplicate document id {doc_id}; run corpus validate", reason="duplicate_id")
        self.seen.add(doc_id)
        self.digests.append((doc_id, record_sha256))
        return True

    @property
    def kept(self) -> int:
        return len(self.digests)

    def digest(self) -> str:
        """sha256 over (id, sha256 of the input record) of every kept document, in id order."""
        h = hashlib.sha256()
        for doc_id, d in sorted(self.digests):
            h.update(doc_id.encode())
            h.update(d)
        return h.hexdigest()


# -- writing ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShardInfo:
    path: str  # relative to the dataset root, "/" separators
    config: str
    split: str
    rows: int
    bytes: int
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "config": self.config,
            "split": self.split,
            "rows": self.rows,
            "bytes": self.bytes,
            "sha256": self.sha256,
        }


class _ConfigWriter:
    """Streams rows of one (config, split) into size-capped Parquet shards.

    Rows arrive as Arrow arrays (or Python columns, converted) and are buffered as slices; a row group
    is flushed when the buffer reaches ``batch_rows`` rows or ``BUILD_BATCH_BYTES`` estimated bytes.
    The boundaries depend only on the rows and their size estimates, never on how the rows were handed
    in, and each written table is freshly concatenated (same buffers as ``pa.array`` of its rows).
    """

    def __init__(self, root: Path, config: str, split: str, *, batch_rows: int, shard_rows: int):
        self.root = root
        self.config = config
        self.split = split
        self.dir = root / "data" / config
        self.dir.mkdir(parents=True, exist_ok=True)
        self.schema = features(config).arrow_schema
        self.names = tuple(self.schema.names)
        self.batch_rows = batch_rows
        self.shard_rows = shard_rows
        self.pieces: list[tuple[list[pa.Array], int, int]] = []  # (arrays, start, stop): the buffered rows
        self.nrows = 0
        self.buffer_bytes = 0
        self.writer: pq.ParquetWriter | None = None
        self.parts: list[tuple[Path, int]] = []  # (temporary path, rows)
        self.shard_count = 0  # rows in the open shard
        self.arrow_bytes = 0

    def add(self, row: dict[str, Any], size: int) -> None:
        """Buffer one row given as a dict (keys: the config's column names)."""
        self.extend([[row.get(name)] for name in self.names], (size,))

    def extend(self, columns: Sequence[Sequence[Any]], sizes: Sequence[int]) -> None:
        """Buffer ``len(sizes)`` rows given column by column (in schema order), with their size estimates."""
        if sizes:
            self.extend_arrays([pa.array(c, type=f.type) for c, f in zip(columns, self.schema, strict=True)], sizes)

    def extend_arrays(self, arrays: list[pa.Array], sizes: Sequence[int]) -> None:
        """Buffer ``len(sizes)`` rows given as Arrow arrays (schema order), with their size estimates."""
        n = len(sizes)
        i = 0
        limit_bytes, batch_rows = BUILD_BATCH_BYTES, self.batch_rows
        prefix = list(accumulate(sizes, initial=0)) if n and min(sizes) >= 0 else None  # sums: rows 0..j-1
        while i < n:
            b = self.buffer_bytes
            stop = min(n, i + batch_rows - self.nrows)
            # the row at which the buffer fills up (same rule as adding rows one by one)
            if prefix is not None:  # sizes >= 0: the first j with b + sizes[i:j] >= limit, found by bisection
                j = min(stop, bisect_left(prefix, limit_bytes - b + prefix[i], i + 1, stop + 1))
                b += prefix[j] - prefix[i]
            else:
                j = i
                while j < stop:
                    b += sizes[j]
                    j += 1
                    if b >= limit_bytes:
                        break
            self.pieces.append((arrays, i, j))
            self.nrows += j - i
            self.buffer_bytes = b
            if self.nrows >= batch_rows or b >= limit_bytes:
                self.flush()
            i = j

    def _table(self, lo: int, hi: int) -> pa.Table:
        """Buffered rows ``lo:hi`` as one table of fresh, contiguous arrays."""
        slices: list[tuple[list[pa.Array], int, int]] = []
        pos = 0
        for arrays, start, stop in self.pieces:
            a, b = max(lo, pos), min(hi, pos + stop - start)
            if a < b:
                slices.append((arrays, start + a - pos, b - a))
            pos += stop - start
            if pos >= hi:
                break
        columns = [
            _tidy(pa.concat_arrays([arrays[c].slice(s, k) for arrays, s, k in slices])) for c in range(len(self.names))
        ]
        return pa.Table.from_arrays(columns, schema=self.schema)

    def flush(self) -> None:
        total = self.nrows
        done = 0
        while done < total:
            if self.writer is None:
                self._open()
            take = min(self.shard_rows - self.shard_count, total - done)
            table = self._table(done, done + take)
            self.arrow_bytes += table.nbytes
            assert self.writer is not None
            self.writer.write_table(table, row_group_size=self.batch_rows)
            self.shard_count += take
            done += take
            if self.shard_count >= self.shard_rows:
                self._close_shard()
        self.pieces = []
        self.nrows = 0
        self.buffer_bytes = 0

    def _open(self) -> None:
        path = self.dir / f".{self.split}-{len(self.parts):05d}.parquet.part"
        self.writer = pq.ParquetWriter(path, self.schema, **PARQUET_OPTIONS)
        self.parts.append((path, 0))
        self.shard_count = 0

    def _close_shard(self) -> None:
        assert self.writer is not None
        self.writer.close()
        self.writer = None
        path, _ = self.parts[-1]
        self.parts[-1] = (path, self.shard_count)

    def close(self) -> list[tuple[Path, int]]:
        """Finish; returns ``(final path, rows)`` per shard (one empty shard when there were no rows)."""
        self.flush()
        if self.writer is None and not self.parts:
            self._open()
        if self.writer is not None:
            self._close_shard()
        n = len(self.parts)
        out = []
        for i, (tmp, rows) in enumerate(self.parts):
            final = self.dir / f"{self.split}-{i:05d}-of-{n:05d}.parquet"
            os.replace(tmp, final)
            out.append((final, rows))
        return out


def _tidy(a: pa.Array) -> pa.Array:
    """``a`` (offset 0) without validity bitmaps where it has no nulls, at every level.

    ``pa.concat_arrays`` keeps a bitmap when an input slice comes from an array with nulls elsewhere;
    ``pa.array`` makes none. Dropping them makes a concatenated table byte-for-byte (``nbytes``
    included) the table ``pa.array`` makes of the same rows.
    """
    t = a.type
    own, children, changed = None, None, False
    if pa.types.is_struct(t) or pa.types.is_list(t):
        kids = [a.field(i) for i in range(t.num_fields)] if pa.types.is_struct(t) else [a.values]
        own = 1 if pa.types.is_struct(t) else 2  # the array's own buffers (validity[, offsets]) come first
        children = [_tidy(k) for k in kids]
        changed = any(c is not k for c, k in zip(children, kids, strict=True))
    buffers = a.buffers()[:own]
    if buffers[0] is not None and a.null_count == 0:
        buffers[0] = None
        changed = True
    if not changed:
        return a
    return pa.Array.from_buffers(t, len(a), buffers, null_count=a.null_count, children=children)


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


class _SplitWriter:
    """Rows of every config for one split."""

    def __init__(self, root: Path, split: str, *, batch_rows: int, shard_rows: int):
        self.root = root
        self.split = split
        self.writers = {c: _ConfigWriter(root, c, split, batch_rows=batch_rows, shard_rows=shard_rows) for c in CONFIGS}
        self.last_id = ""

    def add(self, part: dict[str, tuple[list[pa.Array], list[int]]]) -> None:
        """Buffer the rows of some documents: per config, Arrow arrays (schema order) and size estimates."""
        for config, w in self.writers.items():
            arrays, sizes = part[config]
            w.extend_arrays(arrays, sizes)

    def abort(self) -> None:
        for w in self.writers.values():
            if w.writer is not None:
                w.writer.close()
                w.writer = None

    def close(self) -> tuple[list[ShardInfo], dict[str, int]]:
        shards: list[ShardInfo] = []
        arrow_bytes: dict[str, int] = {}
        for config, w in self.writers.items():
            for path, rows in w.close():
                rel = path.relative_to(self.root).as_posix()
                shards.append(ShardInfo(rel, config, self.split, rows, path.stat().st_size, file_sha256(path)))
            arrow_bytes[config] = w.arrow_bytes
        return shards, arrow_bytes


def _discard(root: Path) -> None:
    """Forget partially written shards (the single pass gave up)."""
    shutil.rmtree(root / "data", ignore_errors=True)


class _Unsorted(Exception):
    """The input is not in id order; the single-pass writer cannot be used."""


def _raise_error(res: _TaskResult) -> None:
    if res.error is not None:
        raise res.error


def _write_single_pass(
    root: Path,
    pool: _Pool,
    tasks: Sequence[Task],
    drops: Sequence[dict[str, str]] | None,
    intake: _Intake,
    *,
    batch_rows: int,
    shard_rows: int,
) -> dict[str, _SplitWriter]:
    """One pass, when documents arrive in id order (the ``documents/<id>.json`` layout)."""
    writers: dict[str, _SplitWriter] = {}
    _reset(pool.ctx.filters)
    with closing(pool.run(_WRITE, tasks, drops)) as results:
        for res in results:
            for doc_id, _, _, split, _, _ in _admitted(res, intake):
                w = writers.get(split)
                if w is None:
                    w = writers[split] = _SplitWriter(root, split, batch_rows=batch_rows, shard_rows=shard_rows)
                elif doc_id <= w.last_id:
                    for sw in writers.values():
                        sw.abort()
                    raise _Unsorted(doc_id)
                w.last_id = doc_id
            for split, part in res.rows.items():
                writers[split].add(part)
    return writers


def _admitted(res: _TaskResult, intake: _Intake) -> Iterator[tuple[Any, ...]]:
    """The documents of one task result that the intake admits, in order; then the task's own error
    (raised where a single-process run would raise it) or its statistics merged into the intake's."""
    last = len(res.docs) - 1 if res.error is not None else -1
    for k, doc in enumerate(res.docs):
        if not intake.admit(doc[0], doc[1], doc[2]):
            continue
        if k == last and res.stage == "intake":
            raise res.error
        yield doc
    _raise_error(res)
    assert res.stats is not None
    _merge_stats(intake.stats, res.stats)


def _write_two_pass(
    root: Path,
    pool: _Pool,
    tasks: Sequence[Task],
    drops: Sequence[dict[str, str]] | None,
    intake: _Intake,
    *,
    batch_rows: int,
    shard_rows: int,
) -> dict[str, _SplitWriter]:
    """An index pass (split, id, location of every kept document), then each split re-read in id order."""
    split_index = {name: i for i, name in enumerate(SPLITS)}
    entries: list[tuple[int, str, int, int]] = []
    _reset(pool.ctx.filters)
    with closing(pool.run(_INDEX, tasks, drops)) as results:
        for res in results:
            for doc_id, _, _, split, fi, offset in _admitted(res, intake):
                entries.append((split_index[split], doc_id, fi, offset))
    entries.sort()
    per_task = max(1, min(TASK_DOCS, -(-len(entries) // (4 * pool.jobs))))

    def reads() -> Iterator[Task]:
        for i in range(0, len(entries), per_task):
            yield tuple(
                (fi, offset, -1, 0) if offset >= 0 else (fi, -1, fi + 1, 0)
                for _, _, fi, offset in entries[i : i + per_task]
            )

    writers: dict[str, _SplitWriter] = {}
    with closing(pool.run(_ROWS, reads())) as results:
        for res in results:
            _raise_error(res)
            for split, part in res.rows.items():
                w = writers.get(split)
                if w is None:
                    w = writers[split] = _SplitWriter(root, split, batch_rows=batch_rows, shard_rows=shard_rows)
                w.add(part)
    return writers


# -- the build ----------------------------------------------------------------------------------


class SplitLeakageError(CorpusError):
    """Near- or exact-duplicate documents would sit in train and test; ``pairs`` lists them."""

    reason = "split_leakage"

    def __init__(self, pairs: Sequence[Any]):
        shown = "; ".join(
            f"{p.id_a} ({p.split_a}) ~ {p.id_b} ({p.split_b}), {p.kind} {p.similarity}" for p in pairs[:5]
        )
        more = f" and {len(pairs) - 5} more" if len(pairs) > 5 else ""
        super().__init__(
            f"{len(pairs)} duplicate pair(s) straddle train and test: {shown}{more}; "
            "build with deduplication on (corpus build --dedup) or fix the corpus"
        )
        self.pairs = list(pairs)


class InvalidCorpusError(CorpusError):
    """The input corpus did not validate; ``report`` is the validator's report."""

    reason = "invalid_corpus"

    def __init__(self, report: Any):
        super().__init__("the corpus is not valid; nothing was built")
        self.report = report


@dataclass
class BuildResult:
    out: Path
    manifest: dict[str, Any]
    shards: list[ShardInfo]
    stats: CorpusStats
    documents_read: int
    dropped: Counter[str] = field(default_factory=Counter)

    @property
    def split_documents(self) -> dict[str, int]:
        return {s: v["num_examples"] for s, v in self.manifest["configs"][DOCUMENTS]["splits"].items()}


def versions() -> dict[str, str]:
    import datasets

    from corpus import __version__

    return {
        "package": __version__,
        "schema": SCHEMA_VERSION,
        "normaliser": f"{NORMALIZER_NAME} {NORMALIZER_VERSION}",
        "datasets": datasets.__version__,
        "pyarrow": pa.__version__,
    }


def find_changelog(inp: CorpusPaths) -> Path | None:
    """``CHANGELOG.md`` in the corpus root or the directory above it (the repository root)."""
    base = inp.root or (inp.given if inp.given.is_dir() else inp.given.parent)
    for d in (base, base.parent):
        if (d / "CHANGELOG.md").is_file():
            return d / "CHANGELOG.md"
    return None


def build(
    data: str | os.PathLike[str] = "data",
    out: str | os.PathLike[str] = "dist/corpus",
    *,
    validate: bool = True,
    check_raw: bool = True,
    seed: str = SPLIT_SEED,
    filters: Sequence[DocumentFilter] = (),
    name: str | None = None,
    changelog: str | os.PathLike[str] | None = None,
    batch_rows: int = BUILD_BATCH_ROWS,
    shard_rows: int = SHARD_MAX_ROWS,
    dedup: bool = True,
    check_leakage: bool = True,
    jobs: int = 1,
) -> BuildResult:
    """Validate ``data`` and publish it as a dataset directory at ``out`` (atomically).

    With ``dedup`` (the default) exact and near-duplicate documents are dropped first
    (:func:`corpus.dataset.dedup.plan_dedup`; audit in ``dedup_audit.jsonl``); without it the build checks
    that no duplicate pair straddles train and test (unless ``check_leakage`` is False).

    ``jobs`` worker processes read the input, fingerprint it and turn it into Arrow rows while this
    process writes the shards (0: one per CPU; 1: everything in this process). The output is
    byte-identical for any ``jobs``. Workers are started with ``spawn``: a script that calls ``build``
    with ``jobs > 1`` needs the usual ``if __name__ == "__main__":`` guard. Custom ``filters`` run in
    this process, so with filters the work is not spread over workers.

    Raises :class:`InvalidCorpusError` when validation finds errors (nothing is written),
    :class:`SplitLeakageError` when duplicates would leak between train and test,
    :class:`WorkerError` when a worker process dies, :class:`~corpus.errors.ConfigError` for unusable
    paths or a negative ``jobs``.
    """
    jobs = resolve_jobs(jobs)
    inp = resolve_input(data)
    out_path = Path(out).absolute()
    if out_path == inp.given.absolute() or inp.given.absolute() in out_path.parents:
        raise ConfigError(f"output {out_path} would be inside the input {inp.given}")
    _check_replaceable(out_path)
    if validate:
        from corpus.validate import validate_paths

        report = validate_paths([inp.given], raw_root=inp.root, check_raw=check_raw)
        if not report.ok:
            raise InvalidCorpusError(report)

    log_path = Path(changelog) if changelog else find_changelog(inp)

    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.parent / f".{out_path.name}.tmp-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        result = _write_all(
            tmp,
            inp,
            seed=seed,
            filters=filters,
            name=name or "webcorpus",
            changelog=log_path,
            batch_rows=batch_rows,
            shard_rows=shard_rows,
            dedup=dedup,
            check_leakage=check_leakage,
            jobs=jobs,
        )
        from corpus.dataset.verify import verify_dir

        problems = verify_dir(tmp).problems
        if problems:
            raise CorpusError("built dataset failed verification: " + "; ".join(problems[:5]), reason="verify_failed")
        _swap(tmp, out_path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    result.out = out_path
    return result


def resolve_jobs(jobs: int) -> int:
    """Worker processes for ``jobs``: 0 means one per CPU; negative values are a ConfigError."""
    if jobs < 0:
        raise ConfigError(f"jobs must be 0 (one per CPU) or more, not {jobs}")
    return jobs or os.cpu_count() or 1


def _check_replaceable(out: Path) -> None:
    """Only a missing path, an empty directory or a previous build may be replaced."""
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MANIFEST).is_file())):
        raise ConfigError(f"{out} exists and is not a built dataset; refusing to replace it")


def _swap(tmp: Path, out: Path) -> None:
    """Rename ``tmp`` over ``out``; an existing ``out`` is removed only once the rename succeeded."""
    if not out.exists():
        os.replace(tmp, out)
        return
    _check_replaceable(out)
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    os.replace(out, old)
    try:
        os.replace(tmp, out)
    except BaseException:
        os.replace(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _write_all(
    root: Path,
    inp: CorpusPaths,
    *,
    seed: str,
    filters: Sequence[DocumentFilter],
    name: str,
    changelog: Path | None,
    batch_rows: int,
    shard_rows: int,
    dedup: bool = True,
    check_leakage: bool = True,
    jobs: int = 1,
) -> BuildResult:
    from corpus.dataset.card import render_card, render_croissant

    ctx = _Context(tuple(inp.files), seed, {c: features(c).arrow_schema for c in CONFIGS}, tuple(filters))
    tasks = _plan_tasks(inp.files, jobs)
    plan = None
    opts = {"batch_rows": batch_rows, "shard_rows": shard_rows}
    with _Pool(ctx, 1 if filters else jobs) as pool:
        drops = None
        if dedup:
            plan, drops = _plan_dedup(pool, tasks)
        elif check_leakage:
            _check_leakage(pool, tasks)
        intake = _Intake()
        try:
            writers = _write_single_pass(root, pool, tasks, drops, intake, **opts)
        except _Unsorted:
            _discard(root)
            intake = _Intake()
            writers = _write_two_pass(root, pool, tasks, drops, intake, **opts)
    if not intake.kept:
        raise ConfigError(f"{inp.given}: no documents to publish (read {intake.read}, all dropped)")
    shards: list[ShardInfo] = []
    arrow_bytes: dict[str, dict[str, int]] = {c: {} for c in CONFIGS}
    for split in SPLITS:
        if split in writers:
            split_shards, nbytes = writers[split].close()
            shards += split_shards
            for c, n in nbytes.items():
                arrow_bytes[c][split] = n

    configs: dict[str, Any] = {}
    for c in CONFIGS:
        splits: dict[str, Any] = {}
        for split in SPLITS:
            mine = [s for s in shards if s.config == c and s.split == split]
            if mine:
                splits[split] = {
                    "num_examples": sum(s.rows for s in mine),
                    "num_shards": len(mine),
                    "num_bytes": sum(s.bytes for s in mine),
                    "arrow_bytes": arrow_bytes[c][split],
                }
        configs[c] = {"splits": splits}

    manifest: dict[str, Any] = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "name": name,
        "default_config": DEFAULT_CONFIG,
        "versions": versions(),
        "split": {
            "method": "sha256(seed NUL group key) -> [0,1); train < 0.8 <= validation < 0.9 <= test",
            "seed": seed,
            "ratios": SPLIT_RATIOS,
            "group_key": GROUP_KEY_RULE,
        },
        "input": {
            "documents_read": intake.read,
            "documents": intake.kept,
            "dropped": dict(sorted(intake.dropped.items())),
            "sha256": intake.digest(),
            "input_normalisers": dict(sorted(intake.stats.normalizers.items())),
        },
        "dedup": _dedup_manifest(plan, check_leakage),
        "parquet": {**PARQUET_OPTIONS, "batch_rows": batch_rows, "shard_max_rows": shard_rows},
        "configs": configs,
        "shards": [s.to_dict() for s in shards],
        "files": [],
    }
    changelog_text = changelog.read_text(encoding="utf-8") if changelog else None
    readme = root / README
    readme.write_text(render_card(manifest, intake.stats, changelog_text), encoding="utf-8")
    croissant = root / CROISSANT
    croissant.write_text(
        json.dumps(render_croissant(manifest, intake.stats), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    listed = [readme, croissant]
    if plan is not None:
        audit = root / DEDUP_AUDIT
        with audit.open("w", encoding="utf-8", newline="\n") as fh:
            for entry in plan.audit:
                fh.write(json.dumps(entry.as_dict(), ensure_ascii=False) + "\n")
        listed.append(audit)
    manifest["files"] = [{"path": p.name, "bytes": p.stat().st_size, "sha256": file_sha256(p)} for p in listed]
    (root / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return BuildResult(root, manifest, shards, intake.stats, intake.read, intake.dropped)


def _dedup_manifest(plan: Any, leakage_checked: bool) -> dict[str, Any]:
    """The manifest's ``dedup`` section: method, parameters and counts (or ``enabled: false``)."""
    if plan is None:
        return {"enabled": False, "train_test_leakage_checked": leakage_checked}
    from corpus.dataset.dedup import DEFAULT_SEED
    from corpus.limits import DEDUP_NUM_PERM, DEDUP_SHINGLE, DEDUP_THRESHOLD

    kinds = Counter(a.kind for a in plan.dropped.values())
    return {
        "enabled": True,
        "method": "exact: sha256 of folded text; near: MinHash over word shingles with LSH banding",
        "threshold": DEDUP_THRESHOLD,
        "num_perm": DEDUP_NUM_PERM,
        "shingle": DEDUP_SHINGLE,
        "seed": DEFAULT_SEED,
        "documents": plan.total,
        "dropped_exact": kinds.get("exact", 0),
        "dropped_near": kinds.get("near", 0),
        "audit": DEDUP_AUDIT,
    }


def _plan_dedup(pool: _Pool, tasks: Sequence[Task]) -> tuple[Any, list[dict[str, str]]]:
    """The deduplication plan of the documents the filters keep, and per task the ids it drops (with why)."""
    from corpus.dataset.dedup import DedupPlanner

    planner = DedupPlanner()
    task_ids: list[list[str]] = []
    _reset(pool.ctx.filters)
    with closing(pool.run(_FINGERPRINT, tasks)) as results:
        for res in results:
            for prio, key, sig in res.docs:
                planner.add(prio, key, sig)
            _raise_error(res)
            task_ids.append([prio[-1] for prio, _, _ in res.docs])
    plan = planner.plan()
    dropped = plan.dropped
    drops = [
        {i: f"{a.kind}_duplicate" for i in ids if (a := dropped.get(i)) is not None} or _NO_DROP for ids in task_ids
    ]
    return plan, drops


def _check_leakage(pool: _Pool, tasks: Sequence[Task]) -> None:
    """Raise :class:`SplitLeakageError` when a duplicate pair of kept documents straddles train and test."""
    from corpus.dataset.dedup import LeakageChecker

    checker = LeakageChecker()
    _reset(pool.ctx.filters)
    with closing(pool.run(_LEAKAGE, tasks)) as results:
        for res in results:
            for doc_id, split, key, sig in res.docs:
                checker.add(doc_id, split, key, sig)
            _raise_error(res)
    leaks = [p for p in checker.pairs() if {p.split_a, p.split_b} == {"train", "test"}]
    if leaks:
        raise SplitLeakageError(leaks)


# -- reading a built dataset back ---------------------------------------------------------------
