"""The build's input in bounded pieces (*tasks*), run in this process or in worker processes.

A task is a few dozen documents or a byte range of a JSONL file. What a task makes depends on its
kind: deduplication fingerprints, leakage fingerprints, rows to write, or an index of the kept
documents. Results come back in input order, so the output is the same for any number of workers.
"""

from __future__ import annotations

import hashlib
import pickle
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from corpus.dataset.dedup import record_priority
from corpus.dataset.records import load_record
from corpus.dataset.rows import SplitRows
from corpus.dataset.splits import record_split
from corpus.dataset.stats import CorpusStats
from corpus.errors import CorpusError
from corpus.model import Document
from corpus.parallel import ProcessMap

#: A document filter returns ``None`` to keep a document or a reason string to drop it.
DocumentFilter = Callable[[Document], "str | None"]

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

FINGERPRINT, LEAKAGE, WRITE, INDEX, ROWS = "fingerprint", "leakage", "write", "index", "rows"
NO_DROP: dict[str, str] = {}  # shared; never mutated


def plan_tasks(files: Sequence[Path], jobs: int) -> list[Task]:
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
    """``(file index, byte offset or -1, raw record, location)``, read as the build reads them."""
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


@dataclass
class Context:
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
class TaskResult:
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


def run_task(ctx: Context, kind: str, task: Task, drop: dict[str, str]) -> TaskResult:
    """Read the documents of ``task`` and make what ``kind`` asks for (see :class:`TaskResult`)."""
    res = TaskResult()
    docs = res.docs
    stats = res.stats = CorpusStats() if kind in (WRITE, INDEX) else None
    rows: dict[str, SplitRows] = {}
    filters = ctx.filters if kind != ROWS else ()
    stage = "read"
    try:
        for fi, offset, raw, location in _task_raw(ctx.files, task):
            stage = "read"
            d, r, doc = load_record(raw, location)
            reason = None
            if filters:
                doc = doc or Document.from_dict(d)
                for f in filters:
                    reason = f(doc)
                    if reason:
                        break
            if kind == FINGERPRINT:
                if not reason:
                    docs.append((record_priority(r), *ctx.fingerprint(r.text)))
                continue
            if kind == LEAKAGE:
                if not reason:
                    docs.append((r.id, record_split(r, ctx.seed), *ctx.fingerprint(r.text)))
                continue
            if kind == ROWS:
                stage = "rows"
                split = record_split(r, ctx.seed)
                docs.append((r.id, split))
                (rows.get(split) or rows.setdefault(split, SplitRows())).add(r)
                continue
            sha = hashlib.sha256(raw).digest()
            reason = reason or drop.get(r.id)
            if reason:
                docs.append((r.id, sha, reason, None, fi, offset))
                continue
            stage = "intake"
            docs.append((r.id, sha, None, None, fi, offset))
            split = record_split(r, ctx.seed)
            assert stats is not None
            stats.add_record(r, split)
            docs[-1] = (r.id, sha, None, split, fi, offset)
            if kind == WRITE:
                stage = "rows"
                (rows.get(split) or rows.setdefault(split, SplitRows())).add(r)
        stage = "end"
        res.rows = {split: sr.arrays(ctx.schemas) for split, sr in rows.items()}
    except Exception as exc:
        res.error, res.stage = exc, stage
    return res


_WORKER_CONTEXT: Context | None = None


def _init_worker(ctx: Context) -> None:
    global _WORKER_CONTEXT
    from corpus.dataset.memory import use_build_memory_pool

    use_build_memory_pool()
    _WORKER_CONTEXT = ctx


def _worker_task(kind: str, task: Task, drop: dict[str, str]) -> bytes:
    """:func:`_run_task` in a worker process, pickled with protocol 5 (Arrow buffers copied once, not twice).

    An error that cannot travel back is replaced by a CorpusError naming it.
    """
    ctx = _WORKER_CONTEXT
    assert ctx is not None
    res = run_task(ctx, kind, task, drop)
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


def _whole_files(tasks: Iterable[Task]) -> int | None:
    """Documents in ``tasks`` when they are a list of whole JSON files only (else unknown: ``None``)."""
    if not isinstance(tasks, list | tuple):
        return None
    n = 0
    for task in tasks:
        for first, start, stop, _line in task:
            if start != -1:
                return None
            n += stop - first
    return n


class Pool:
    """Runs tasks in input order: in this process, or in ``jobs`` worker processes (:class:`ProcessMap`)."""

    def __init__(self, ctx: Context, jobs: int, progress: bool | None = False):
        self.ctx = ctx
        self.jobs = jobs
        self.progress = progress
        self._map = ProcessMap(
            jobs, initializer=_init_worker, initargs=(ctx,), what="build worker", then="nothing was built"
        )

    def run(
        self, kind: str, tasks: Iterable[Task], drops: Iterable[dict[str, str]] | None = None
    ) -> Iterator[TaskResult]:
        """The results of ``tasks`` in order (``drops``: per task, the ids to drop and why); a progress bar
        of documents per pass when ``progress`` (``None``: when stderr is a terminal)."""
        from corpus.progress import progress

        total = _whole_files(tasks)
        with progress(total, desc=f"build: {kind}", unit="doc", enabled=self.progress) as bar:
            for res in self._run(kind, tasks, drops):
                bar.update(len(res.docs))
                yield res

    def _run(self, kind: str, tasks: Iterable[Task], drops: Iterable[dict[str, str]] | None) -> Iterator[TaskResult]:
        work = zip(tasks, drops, strict=True) if drops is not None else ((t, NO_DROP) for t in tasks)
        if self.jobs <= 1:
            for task, drop in work:
                yield run_task(self.ctx, kind, task, drop)
            return
        schemas = self.ctx.schemas
        with closing(self._map.map(_worker_task, ((kind, task, drop) for task, drop in work))) as results:
            for blob in results:
                res = pickle.loads(blob)
                res.rows = {
                    split: {c: (pa.ipc.read_record_batch(buf, schemas[c]).columns, n) for c, (buf, n) in part.items()}
                    for split, part in res.rows.items()
                }
                yield res

    def close(self) -> None:
        self._map.close()

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self._map.__exit__(exc_type)


def reset_filters(filters: Sequence[DocumentFilter]) -> None:
    """A traversal (re)starts: stateful filters forget what they saw."""
    for f in filters:
        reset = getattr(f, "reset", None)
        if callable(reset):
            reset()


class Intake:
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

