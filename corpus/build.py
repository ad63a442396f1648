"""Publish a validated corpus as a Hugging Face dataset directory (DESIGN §5).

Pipeline (two streaming passes over the input, memory bounded by the batch size):

1. *index*: read every document once, apply the document filters (the one place where documents
   may be dropped, e.g. deduplication), assign its split, remember where it lives, hash it and
   accumulate the corpus statistics;
2. *write*: per split, re-read the documents in id order and stream rows of every config into
   Parquet shards written through ``datasets`` features (so the Arrow schema carries the label
   names); then the dataset card, ``croissant.json`` and ``MANIFEST.json``.

The output is written to a temporary directory next to the target, verified against its manifest
and only then renamed over the target. The same inputs give byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
from datasets import ClassLabel, Features, List, Value

from .errors import ConfigError, CorpusError, FileError
from .io import document_files
from .labels import BIO_TAGS, BLOCK_LABELS, CONLL4, ONTONOTES18, VIEWS, to_conll
from .limits import BUILD_BATCH_BYTES, BUILD_BATCH_ROWS, SHARD_MAX_ROWS
from .model import SCHEMA_VERSION, Document
from .normalise import NORMALIZER_NAME, NORMALIZER_VERSION
from .splits import GROUP_KEY_RULE, SPLIT_RATIOS, SPLIT_SEED, SPLITS, split_for_key
from .splits import group_key as split_group_key
from .stats import CorpusStats
from .tokens import block_tokens

# -- published layout (contract) ------------------------------------------------------------------

DOCUMENTS = "documents"
BLOCKS = "blocks"
ENTITIES = "entities"
NER_TOKENS = "ner_tokens"
#: Configs in publication order; ``documents`` is the default.
CONFIGS: tuple[str, ...] = (DOCUMENTS, BLOCKS, ENTITIES, NER_TOKENS)
DEFAULT_CONFIG = DOCUMENTS
MANIFEST = "MANIFEST.json"
README = "README.md"
CROISSANT = "croissant.json"
#: One JSON object per dropped duplicate: ``{dropped_id, kept_id, kind, similarity}`` (when dedup is on).
DEDUP_AUDIT = "dedup_audit.jsonl"
FORMAT_NAME = "webcorpus-dataset"
FORMAT_VERSION = 1
#: ClassLabel value of a block whose label is ``null`` (not annotated), the ``datasets`` convention.
NO_LABEL = -1
#: Entity ClassLabel names of the documents config: CoNLL-4 first (ids 0-3), then the OntoNotes-18
#: labels that are not CoNLL-4 names, so every declared label set round-trips exactly.
ENTITY_CLASS_NAMES: tuple[str, ...] = CONLL4 + tuple(x for x in ONTONOTES18 if x not in CONLL4)
#: Fixed Parquet writer options (part of what makes rebuilds byte-identical).
PARQUET_OPTIONS: dict[str, Any] = {"compression": "zstd", "compression_level": 3, "write_statistics": True}

_BLOCK_INDEX = {name: i for i, name in enumerate(BLOCK_LABELS)}
_ENTITY_INDEX = {name: i for i, name in enumerate(ENTITY_CLASS_NAMES)}
_CONLL_INDEX = {name: i for i, name in enumerate(CONLL4)}
_BIO_INDEX = {name: i for i, name in enumerate(BIO_TAGS)}

_S = Value("string")
_I = Value("int64")


@cache
def features(config: str) -> Features:
    """The ``datasets`` features of one published config."""
    block_label = ClassLabel(names=list(BLOCK_LABELS))
    if config == DOCUMENTS:
        layer = {"status": _S, "by": _S, "tool": _S}
        return Features(
            {
                "schema_version": _S,
                "id": _S,
                "source": {
                    "url": _S, "domain": _S, "crawl_date": _S, "source_dataset": _S, "source_id": _S,
                    "license": _S, "raw_path": _S, "raw_sha256": _S, "raw_format": _S, "encoding": _S,
                },
                "normalizer": {"name": _S, "version": _S},
                "text": _S,
                "blocks": List({"start": _I, "end": _I, "label": block_label, "tag": _S, "xpath": _S}),
                "entities": List(
                    {"start": _I, "end": _I, "label": ClassLabel(names=list(ENTITY_CLASS_NAMES)), "text": _S}
                ),
                "metadata": {
                    "title": _S, "authors": List(_S), "date_published": _S, "date_modified": _S,
                    "publisher": _S, "site_name": _S, "section": _S, "description": _S,
                    "categories": List(_S), "tags": List(_S), "language": _S,
                    "is_accessible_for_free": Value("bool"),
                },
                "checks": {"include": List(_S), "exclude": List(_S)},
                "reference": {"text": _S, "convention": _S},
                "annotation": {
                    "blocks": layer, "entities": layer, "metadata": layer,
                    "entity_label_set": _S, "guidelines_version": _S,
                },
                **{view: _S for view in VIEWS},
            }
        )
    if config == BLOCKS:
        return Features(
            {
                "doc_id": _S, "block_index": _I, "start": _I, "end": _I, "text": _S, "label": block_label,
                "tag": _S, "xpath": _S, "domain": _S, "language": _S, "source_dataset": _S, "status": _S,
            }
        )
    if config == ENTITIES:
        return Features(
            {
                "doc_id": _S, "block_index": _I, "start": _I, "end": _I,
                "label": ClassLabel(names=list(CONLL4)), "original_label": _S, "text": _S,
                "label_set": _S, "status": _S,
            }
        )
    if config == NER_TOKENS:
        return Features(
            {
                "doc_id": _S, "block_index": _I, "tokens": List(_S),
                "ner_tags": List(ClassLabel(names=list(BIO_TAGS))), "language": _S, "status": _S,
            }
        )
    raise ConfigError(f"unknown config {config!r}; expected one of {', '.join(CONFIGS)}")


# -- rows ---------------------------------------------------------------------------------------


def document_row(doc: Document) -> dict[str, Any]:
    """The documents-config row of ``doc``: every schema field plus the derived views."""
    d = doc.to_dict()
    d["blocks"] = [
        {
            "start": b.start,
            "end": b.end,
            "label": NO_LABEL if b.label is None else _BLOCK_INDEX[b.label],
            "tag": b.tag,
            "xpath": b.xpath,
        }
        for b in doc.blocks
    ]
    d["entities"] = [
        {"start": e.start, "end": e.end, "label": _entity_class(e.label), "text": e.text} for e in doc.entities
    ]
    for view in VIEWS:
        d[view] = doc.view(view)
    return d


def _entity_class(label: str) -> int:
    try:
        return _ENTITY_INDEX[label]
    except KeyError:
        raise CorpusError(f"entity label {label!r} is in no known label set", reason="unknown_entity_label") from None


def block_rows(doc: Document) -> Iterator[dict[str, Any]]:
    """One blocks-config row per block."""
    for i, b in enumerate(doc.blocks):
        yield {
            "doc_id": doc.id,
            "block_index": i,
            "start": b.start,
            "end": b.end,
            "text": doc.text[b.start : b.end],
            "label": NO_LABEL if b.label is None else _BLOCK_INDEX[b.label],
            "tag": b.tag,
            "xpath": b.xpath,
            "domain": doc.source.domain,
            "language": doc.metadata.language,
            "source_dataset": doc.source.source_dataset,
            "status": doc.annotation.blocks.status,
        }


def entity_rows(doc: Document) -> Iterator[dict[str, Any]]:
    """One entities-config row per entity, labels mapped to CoNLL-4 (dropped labels omitted)."""
    starts = [b.start for b in doc.blocks]
    label_set = doc.annotation.entity_label_set
    for e in doc.entities:
        conll = to_conll(e.label, label_set)
        if conll is None:
            continue
        yield {
            "doc_id": doc.id,
            "block_index": bisect_right(starts, e.start) - 1,
            "start": e.start,
            "end": e.end,
            "label": _CONLL_INDEX[conll],
            "original_label": e.label,
            "text": e.text,
            "label_set": label_set,
            "status": doc.annotation.entities.status,
        }


def ner_token_rows(doc: Document) -> Iterator[dict[str, Any]]:
    """Token-level BIO rows, one per block; none when the entity layer is not annotated."""
    if doc.annotation.entities.status == "none":
        return
    language, status = doc.metadata.language, doc.annotation.entities.status
    for bi, words, tags in block_tokens(doc):
        yield {
            "doc_id": doc.id,
            "block_index": bi,
            "tokens": words,
            "ner_tags": [0] * len(words) if tags is None else [_BIO_INDEX[t] for t in tags],
            "language": language,
            "status": status,
        }


# -- the same rows, column by column (what the writer buffers; no per-row dicts) -------------------

Columns = tuple[list[list[Any]], list[int]]


def _block_columns(doc: Document) -> Columns:
    """:func:`block_rows` of ``doc`` as columns in schema order, with the rows' size estimates."""
    blocks, text, n = doc.blocks, doc.text, len(doc.blocks)
    starts = [b.start for b in blocks]
    ends = [b.end for b in blocks]
    src = doc.source
    return (
        [
            [doc.id] * n, list(range(n)), starts, ends, [text[s:e] for s, e in zip(starts, ends, strict=True)],
            [NO_LABEL if b.label is None else _BLOCK_INDEX[b.label] for b in blocks],
            [b.tag for b in blocks], [b.xpath for b in blocks], [src.domain] * n, [doc.metadata.language] * n,
            [src.source_dataset] * n, [doc.annotation.blocks.status] * n,
        ],
        [e - s + 128 for s, e in zip(starts, ends, strict=True)],
    )


def _entity_columns(doc: Document) -> Columns:
    """:func:`entity_rows` of ``doc`` as columns in schema order, with the rows' size estimates."""
    starts = [b.start for b in doc.blocks]
    label_set = doc.annotation.entity_label_set
    kept = [(e, conll) for e in doc.entities if (conll := to_conll(e.label, label_set)) is not None]
    n = len(kept)
    return (
        [
            [doc.id] * n, [bisect_right(starts, e.start) - 1 for e, _ in kept], [e.start for e, _ in kept],
            [e.end for e, _ in kept], [_CONLL_INDEX[c] for _, c in kept], [e.label for e, _ in kept],
            [e.text for e, _ in kept], [label_set] * n, [doc.annotation.entities.status] * n,
        ],
        [128] * n,
    )


def _ner_token_columns(doc: Document) -> Columns:
    """:func:`ner_token_rows` of ``doc`` as columns in schema order, with the rows' size estimates."""
    if doc.annotation.entities.status == "none":
        return [[] for _ in range(6)], []
    index, tokens, tags = [], [], []
    bio = _BIO_INDEX
    for bi, words, names in block_tokens(doc):
        index.append(bi)
        tokens.append(words)
        tags.append([0] * len(words) if names is None else [bio[t] for t in names])
    n = len(index)
    return (
        [[doc.id] * n, index, tokens, tags, [doc.metadata.language] * n, [doc.annotation.entities.status] * n],
        [16 * len(t) + 64 for t in tokens],
    )


def document_from_row(row: dict[str, Any]) -> Document:
    """Inverse of :func:`document_row` (accepts ClassLabel ids or names)."""
    d = {k: v for k, v in row.items() if k not in VIEWS}
    d["blocks"] = [
        {**b, "label": _label_name(b.get("label"), BLOCK_LABELS)} for b in row.get("blocks") or ()
    ]
    d["entities"] = [
        {**e, "label": _label_name(e.get("label"), ENTITY_CLASS_NAMES)} for e in row.get("entities") or ()
    ]
    return Document.from_dict(d)


def _label_name(value: int | str | None, names: Sequence[str]) -> str | None:
    if value is None or value == NO_LABEL:
        return None
    if isinstance(value, str):
        return value
    return names[value]


# -- input --------------------------------------------------------------------------------------

#: A document filter returns ``None`` to keep a document or a reason string to drop it.
DocumentFilter = Callable[[Document], "str | None"]


@dataclass(frozen=True, slots=True)
class BuildInput:
    """Where the documents are: the files to read and the corpus root (for raw files), if any."""

    path: Path
    files: tuple[Path, ...]
    corpus_root: Path | None


def resolve_input(data: str | os.PathLike[str]) -> BuildInput:
    """Accept a corpus root (holding ``documents/``), a documents directory or a JSON/JSONL file."""
    p = Path(data)
    if not p.exists():
        raise ConfigError(f"{p}: no such file or directory")
    if p.is_dir() and (p / "documents").is_dir():
        docs, root = p / "documents", p
    elif p.is_dir():
        docs, root = p, (p.parent if p.name == "documents" else None)
    else:
        docs, root = p, None
    if docs.is_dir() and (docs / MANIFEST).is_file():
        raise ConfigError(f"{docs} is a built dataset, not a documents directory")
    files = tuple(document_files(docs))
    if not files:
        raise ConfigError(f"{docs}: no document files (*.json, *.jsonl)")
    return BuildInput(docs, files, root)


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


class _Reader:
    """Random access to documents by location, keeping the last JSONL file open."""

    def __init__(self, files: Sequence[Path]):
        self.files = files
        self._fi = -1
        self._fh: Any = None

    def read(self, fi: int, offset: int) -> Document:
        f = self.files[fi]
        if offset < 0:
            return _parse(f.read_bytes(), str(f))
        if fi != self._fi:
            self.close()
            self._fh = f.open("rb")
            self._fi = fi
        self._fh.seek(offset)
        return _parse(self._fh.readline(), f"{f}@{offset}")

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
        self._fh, self._fi = None, -1


class _Intake:
    """Admission of documents: filters, duplicate ids, split assignment, input digest, statistics.

    ``take`` is the single place where documents may be dropped (deduplication and other filters).
    """

    def __init__(self, seed: str, filters: Sequence[DocumentFilter]):
        for f in filters:  # a traversal (re)starts: stateful filters forget what they saw
            reset = getattr(f, "reset", None)
            if callable(reset):
                reset()
        self.seed = seed
        self.filters = tuple(filters)
        self.seen: set[str] = set()
        self.digests: list[tuple[str, bytes]] = []
        self.dropped: Counter[str] = Counter()
        self.stats = CorpusStats()
        self.read = 0

    def take(self, doc: Document, record_sha256: bytes) -> str | None:
        """The split of ``doc``, or None when a filter drops it."""
        self.read += 1
        for f in self.filters:
            reason = f(doc)
            if reason:
                self.dropped[reason] += 1
                return None
        if doc.id in self.seen:
            raise CorpusError(f"duplicate document id {doc.id}; run corpus validate", reason="duplicate_id")
        self.seen.add(doc.id)
        split = split_for_key(split_group_key(doc), self.seed)
        self.digests.append((doc.id, record_sha256))
        self.stats.add(doc, split)
        return split

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
            "path": self.path, "config": self.config, "split": self.split,
            "rows": self.rows, "bytes": self.bytes, "sha256": self.sha256,
        }


class _ConfigWriter:
    """Streams rows of one (config, split) into size-capped Parquet shards.

    Rows are buffered column by column (no per-row dicts) and flushed as one row group when the
    buffer reaches ``batch_rows`` rows or ``BUILD_BATCH_BYTES`` estimated bytes; the boundaries depend
    only on the rows and their size estimates, never on how the rows were handed in.
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
        self.columns: list[list[Any]] = [[] for _ in self.names]
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
        n = len(sizes)
        i = 0
        limit_bytes, batch_rows = BUILD_BATCH_BYTES, self.batch_rows
        while i < n:
            j, b = i, self.buffer_bytes
            stop = min(n, i + batch_rows - self.nrows)
            while j < stop:  # the row at which the buffer fills up (same rule as adding rows one by one)
                b += sizes[j]
                j += 1
                if b >= limit_bytes:
                    break
            whole = i == 0 and j == n
            for buf, col in zip(self.columns, columns, strict=True):
                buf.extend(col if whole else col[i:j])
            self.nrows += j - i
            self.buffer_bytes = b
            if self.nrows >= batch_rows or b >= limit_bytes:
                self.flush()
            i = j

    def flush(self) -> None:
        columns, total = self.columns, self.nrows
        done = 0
        while done < total:
            if self.writer is None:
                self._open()
            take = min(self.shard_rows - self.shard_count, total - done)
            part = columns if (done == 0 and take == total) else [c[done : done + take] for c in columns]
            table = pa.Table.from_arrays(
                [pa.array(c, type=f.type) for c, f in zip(part, self.schema, strict=True)], schema=self.schema
            )
            self.arrow_bytes += table.nbytes
            assert self.writer is not None
            self.writer.write_table(table, row_group_size=self.batch_rows)
            self.shard_count += take
            done += take
            if self.shard_count >= self.shard_rows:
                self._close_shard()
        self.columns = [[] for _ in self.names]
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
        self.writers = {
            c: _ConfigWriter(root, c, split, batch_rows=batch_rows, shard_rows=shard_rows) for c in CONFIGS
        }
        self.last_id = ""

    def add(self, doc: Document) -> None:
        w = self.writers
        w[DOCUMENTS].add(document_row(doc), 4 * len(doc.text) + 256)
        w[BLOCKS].extend(*_block_columns(doc))
        w[ENTITIES].extend(*_entity_columns(doc))
        w[NER_TOKENS].extend(*_ner_token_columns(doc))
        self.last_id = doc.id

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


def _write_single_pass(
    root: Path, files: Sequence[Path], intake: _Intake, *, batch_rows: int, shard_rows: int
) -> dict[str, _SplitWriter]:
    """One pass, when documents arrive in id order (the ``documents/<id>.json`` layout)."""
    writers: dict[str, _SplitWriter] = {}
    for _, _, digest, doc in iter_located(files):
        split = intake.take(doc, digest)
        if split is None:
            continue
        w = writers.get(split)
        if w is None:
            w = writers[split] = _SplitWriter(root, split, batch_rows=batch_rows, shard_rows=shard_rows)
        elif doc.id <= w.last_id:
            for sw in writers.values():
                sw.abort()
            raise _Unsorted(doc.id)
        w.add(doc)
    return writers


def _write_two_pass(
    root: Path, files: Sequence[Path], intake: _Intake, *, batch_rows: int, shard_rows: int
) -> dict[str, _SplitWriter]:
    """Pass 1 indexes (split, id, location); pass 2 re-reads each split in id order."""
    split_index = {name: i for i, name in enumerate(SPLITS)}
    entries: list[tuple[int, str, int, int]] = []
    for fi, offset, digest, doc in iter_located(files):
        split = intake.take(doc, digest)
        if split is not None:
            entries.append((split_index[split], doc.id, fi, offset))
    entries.sort()
    writers: dict[str, _SplitWriter] = {}
    reader = _Reader(files)
    try:
        for si, _, fi, offset in entries:
            split = SPLITS[si]
            w = writers.get(split)
            if w is None:
                w = writers[split] = _SplitWriter(root, split, batch_rows=batch_rows, shard_rows=shard_rows)
            w.add(reader.read(fi, offset))
    finally:
        reader.close()
    return writers


# -- the build ----------------------------------------------------------------------------------


class SplitLeakageError(CorpusError):
    """Near- or exact-duplicate documents would sit in train and test; ``pairs`` lists them."""

    reason = "split_leakage"

    def __init__(self, pairs: Sequence[Any]):
        shown = "; ".join(f"{p.id_a} ({p.split_a}) ~ {p.id_b} ({p.split_b}), {p.kind} {p.similarity}"
                          for p in pairs[:5])
        more = f" and {len(pairs) - 5} more" if len(pairs) > 5 else ""
        super().__init__(
            f"{len(pairs)} duplicate pair(s) straddle train and test: {shown}{more}; "
            "build with deduplication on (corpus build --dedup) or fix the corpus"
        )
        self.pairs = list(pairs)


class _DedupFilter:
    """Build filter applying a :class:`~corpus.dedup.DedupPlan` (stateless: no reset needed)."""

    def __init__(self, plan: Any):
        self.plan = plan

    def __call__(self, doc: Document) -> str | None:
        entry = self.plan.dropped.get(doc.id)
        return None if entry is None else f"{entry.kind}_duplicate"


def _filtered_documents(files: Sequence[Path], filters: Sequence[DocumentFilter]) -> Iterator[Document]:
    """The documents the user filters keep (a traversal of its own: stateful filters are reset)."""
    for f in filters:
        reset = getattr(f, "reset", None)
        if callable(reset):
            reset()
    for _, _, _, doc in iter_located(files):
        if not any(f(doc) for f in filters):
            yield doc


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
    from . import __version__

    return {
        "package": __version__,
        "schema": SCHEMA_VERSION,
        "normaliser": f"{NORMALIZER_NAME} {NORMALIZER_VERSION}",
        "datasets": datasets.__version__,
        "pyarrow": pa.__version__,
    }


def find_changelog(inp: BuildInput) -> Path | None:
    """``CHANGELOG.md`` in the corpus root or the directory above it (the repository root)."""
    base = inp.corpus_root or (inp.path if inp.path.is_dir() else inp.path.parent)
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
    (:func:`corpus.dedup.plan_dedup`; audit in ``dedup_audit.jsonl``); without it the build checks
    that no duplicate pair straddles train and test (unless ``check_leakage`` is False). ``jobs`` > 1
    computes the deduplication signatures in worker processes (same output as ``jobs=1``).

    Raises :class:`InvalidCorpusError` when validation finds errors (nothing is written),
    :class:`SplitLeakageError` when duplicates would leak between train and test,
    :class:`~corpus.errors.ConfigError` for unusable paths.
    """
    inp = resolve_input(data)
    out_path = Path(out).absolute()
    if out_path == inp.path.absolute() or inp.path.absolute() in out_path.parents:
        raise ConfigError(f"output {out_path} would be inside the input {inp.path}")
    _check_replaceable(out_path)
    if validate:
        from .validate import validate_paths

        report = validate_paths([inp.path], raw_root=inp.corpus_root, check_raw=check_raw)
        if not report.ok:
            raise InvalidCorpusError(report)

    log_path = Path(changelog) if changelog else find_changelog(inp)

    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.parent / f".{out_path.name}.tmp-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        result = _write_all(tmp, inp, seed=seed, filters=filters, name=name or "webcorpus", changelog=log_path,
                            batch_rows=batch_rows, shard_rows=shard_rows, dedup=dedup,
                            check_leakage=check_leakage, jobs=jobs)
        from .verify import verify_dir

        problems = verify_dir(tmp).problems
        if problems:
            raise CorpusError("built dataset failed verification: " + "; ".join(problems[:5]), reason="verify_failed")
        _swap(tmp, out_path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    result.out = out_path
    return result


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
    root: Path, inp: BuildInput, *, seed: str, filters: Sequence[DocumentFilter], name: str,
    changelog: Path | None, batch_rows: int, shard_rows: int, dedup: bool = True, check_leakage: bool = True,
    jobs: int = 1,
) -> BuildResult:
    from .card import render_card, render_croissant

    plan = None
    if dedup:
        from .dedup import plan_dedup

        plan = plan_dedup(_filtered_documents(inp.files, filters), jobs=jobs)
        filters = (*filters, _DedupFilter(plan))
    elif check_leakage:
        _check_leakage(inp.files, filters, seed)
    opts = {"batch_rows": batch_rows, "shard_rows": shard_rows}
    intake = _Intake(seed, filters)
    try:
        writers = _write_single_pass(root, inp.files, intake, **opts)
    except _Unsorted:
        _discard(root)
        intake = _Intake(seed, filters)
        writers = _write_two_pass(root, inp.files, intake, **opts)
    if not intake.kept:
        raise ConfigError(f"{inp.path}: no documents to publish (read {intake.read}, all dropped)")
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
    manifest["files"] = [
        {"path": p.name, "bytes": p.stat().st_size, "sha256": file_sha256(p)} for p in listed
    ]
    (root / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return BuildResult(root, manifest, shards, intake.stats, intake.read, intake.dropped)


def _dedup_manifest(plan: Any, leakage_checked: bool) -> dict[str, Any]:
    """The manifest's ``dedup`` section: method, parameters and counts (or ``enabled: false``)."""
    if plan is None:
        return {"enabled": False, "train_test_leakage_checked": leakage_checked}
    from .dedup import DEFAULT_SEED
    from .limits import DEDUP_NUM_PERM, DEDUP_SHINGLE, DEDUP_THRESHOLD

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


def _check_leakage(files: Sequence[Path], filters: Sequence[DocumentFilter], seed: str) -> None:
    """Raise :class:`SplitLeakageError` when a duplicate pair of kept documents straddles train and test."""
    from .dedup import check_split_leakage

    pairs = check_split_leakage(
        (doc, split_for_key(split_group_key(doc), seed)) for doc in _filtered_documents(files, filters)
    )
    leaks = [p for p in pairs if {p.split_a, p.split_b} == {"train", "test"}]
    if leaks:
        raise SplitLeakageError(leaks)


# -- reading a built dataset back ---------------------------------------------------------------


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
