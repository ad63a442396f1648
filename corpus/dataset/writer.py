"""Streaming rows into size-capped Parquet shards, in id order within each split.

Two strategies share one admission step: a single pass when documents arrive in id order (the
``documents/<id>.json`` layout), otherwise an index pass and each split re-read in id order.
"""

from __future__ import annotations

import os
import shutil
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from corpus.dataset.layout import CONFIGS, PARQUET_OPTIONS, features
from corpus.dataset.splits import SPLITS
from corpus.dataset.tasks import INDEX, ROWS, TASK_DOCS, WRITE, Intake, Pool, Task, TaskResult, reset_filters
from corpus.limits import BUILD_BATCH_BYTES
from corpus.store import file_sha256


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


class ConfigWriter:
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
            if done + take == total:  # the last table: the buffered pieces are copied, let them go before encoding
                self.pieces = []
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


class SplitWriter:
    """Rows of every config for one split."""

    def __init__(self, root: Path, split: str, *, batch_rows: int, shard_rows: int):
        self.root = root
        self.split = split
        self.writers = {c: ConfigWriter(root, c, split, batch_rows=batch_rows, shard_rows=shard_rows) for c in CONFIGS}
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


def discard(root: Path) -> None:
    """Forget partially written shards (the single pass gave up)."""
    shutil.rmtree(root / "data", ignore_errors=True)


class Unsorted(Exception):
    """The input is not in id order; the single-pass writer cannot be used."""


def raise_error(res: TaskResult) -> None:
    if res.error is not None:
        raise res.error


def write_single_pass(
    root: Path,
    pool: Pool,
    tasks: Sequence[Task],
    drops: Sequence[dict[str, str]] | None,
    intake: Intake,
    *,
    batch_rows: int,
    shard_rows: int,
) -> dict[str, SplitWriter]:
    """One pass, when documents arrive in id order (the ``documents/<id>.json`` layout)."""
    writers: dict[str, SplitWriter] = {}
    reset_filters(pool.ctx.filters)
    with closing(pool.run(WRITE, tasks, drops)) as results:
        for res in results:
            for doc_id, _, _, split, _, _ in _admitted(res, intake):
                w = writers.get(split)
                if w is None:
                    w = writers[split] = SplitWriter(root, split, batch_rows=batch_rows, shard_rows=shard_rows)
                elif doc_id <= w.last_id:
                    for sw in writers.values():
                        sw.abort()
                    raise Unsorted(doc_id)
                w.last_id = doc_id
            for split, part in res.rows.items():
                writers[split].add(part)
    return writers


def _admitted(res: TaskResult, intake: Intake) -> Iterator[tuple[Any, ...]]:
    """The documents of one task result that the intake admits, in order; then the task's own error
    (raised where a single-process run would raise it) or its statistics merged into the intake's."""
    last = len(res.docs) - 1 if res.error is not None else -1
    for k, doc in enumerate(res.docs):
        if not intake.admit(doc[0], doc[1], doc[2]):
            continue
        if k == last and res.stage == "intake":
            raise res.error
        yield doc
    raise_error(res)
    assert res.stats is not None
    intake.stats.merge(res.stats)


def write_two_pass(
    root: Path,
    pool: Pool,
    tasks: Sequence[Task],
    drops: Sequence[dict[str, str]] | None,
    intake: Intake,
    *,
    batch_rows: int,
    shard_rows: int,
) -> dict[str, SplitWriter]:
    """An index pass (split, id, location of every kept document), then each split re-read in id order."""
    split_index = {name: i for i, name in enumerate(SPLITS)}
    entries: list[tuple[int, str, int, int]] = []
    reset_filters(pool.ctx.filters)
    with closing(pool.run(INDEX, tasks, drops)) as results:
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

    writers: dict[str, SplitWriter] = {}
    with closing(pool.run(ROWS, reads())) as results:
        for res in results:
            raise_error(res)
            for split, part in res.rows.items():
                w = writers.get(split)
                if w is None:
                    w = writers[split] = SplitWriter(root, split, batch_rows=batch_rows, shard_rows=shard_rows)
                w.add(part)
    return writers

