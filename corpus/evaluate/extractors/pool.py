"""Run extractors isolated in worker processes.

Each page is one task sent to an idle worker; the parent waits at most ``timeout`` seconds for
the answer. A worker that hangs is killed and replaced, one that dies (segfault, out of memory)
is replaced; either way the page is recorded as a failure and the run continues. Output beyond
``max_bytes`` (UTF-8) is cut and marked ``truncated``.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from corpus.limits import EXTRACTOR_TIMEOUT_S, MAX_EXTRACTOR_OUTPUT_BYTES, MAX_RAW_BYTES
from corpus.text.decode import gunzip_capped


@dataclass(frozen=True)
class Task:
    """One page for one system; ``raw_path`` is an absolute path to the raw file."""

    key: str
    raw_path: str
    url: str | None = None
    encoding: str | None = None
    raw_format: str = "html"


@dataclass(frozen=True)
class Outcome:
    """What happened on one page: ``text`` is None exactly when the call failed (``error`` says why)."""

    key: str
    text: str | None
    error: str | None = None
    seconds: float = 0.0  # wall-clock time of the call
    truncated: bool = False
    cpu_seconds: float = 0.0  # CPU time of the call (robust to other load on the machine)

    def as_dict(self) -> dict[str, Any]:
        return {"text": self.text, "error": self.error, "seconds": self.seconds, "truncated": self.truncated,
                "cpu_seconds": self.cpu_seconds}


def cap_text(text: str, max_bytes: int) -> tuple[str, bool]:
    """``text`` cut to at most ``max_bytes`` UTF-8 bytes (on a character boundary)."""
    data = text.encode("utf-8", "surrogatepass")
    if len(data) <= max_bytes:
        return text, False
    return data[:max_bytes].decode("utf-8", "ignore"), True


def read_raw(path: str) -> bytes:
    """The raw page, decompressed when gzipped, size-capped like ingestion."""
    with open(path, "rb") as fh:
        raw = fh.read(MAX_RAW_BYTES + 1)
    if len(raw) > MAX_RAW_BYTES:
        raise ValueError(f"raw page larger than MAX_RAW_BYTES={MAX_RAW_BYTES}")
    if path.endswith(".gz"):
        raw = gunzip_capped(raw)
    return raw


def run_one(system: str, task: Task, max_bytes: int, cache: dict[str, Any]) -> Outcome:
    """Extract one page in the current process (used inside workers)."""
    from corpus.evaluate.extractors import Page, build

    try:
        fn = cache.get(system)
        if fn is None:
            fn = cache[system] = build(system)
        raw = read_raw(task.raw_path)
        page = Page(raw=raw, url=task.url, encoding=task.encoding, raw_format=task.raw_format)
        start, cpu = time.perf_counter(), time.process_time()
        result = fn(page)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    except Exception as exc:
        return Outcome(task.key, None, f"error: {type(exc).__name__}: {str(exc)[:300]}")
    if result is None:
        result = ""  # "nothing extracted" is an empty output, not a failure
    if not isinstance(result, str):
        return Outcome(task.key, None, f"error: extractor returned {type(result).__name__}, not str", seconds,
                       cpu_seconds=cpu)
    text, truncated = cap_text(result, max_bytes)
    return Outcome(task.key, text, None, seconds, truncated, cpu)


def _worker(conn: multiprocessing.connection.Connection, system: str, max_bytes: int) -> None:
    import logging
    import warnings

    warnings.simplefilter("ignore")
    logging.disable(logging.CRITICAL)  # libraries log per page; the parent reports failures
    cache: dict[str, Any] = {}
    while True:
        try:
            task = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if task is None:
            return
        conn.send(run_one(system, task, max_bytes, cache))


def _preload(system: str) -> None:
    import importlib
    import warnings

    from corpus.evaluate.extractors import resolve

    try:
        module = resolve(system).spec.module
        if module:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                importlib.import_module(module)
    except Exception:  # the worker reports the real problem per page
        pass


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods and sys.platform != "darwin" else "spawn")


class _Worker:
    def __init__(self, ctx: Any, system: str, max_bytes: int):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, system, max_bytes), daemon=True)
        self.proc.start()
        child.close()
        self.task: Task | None = None
        self.deadline = 0.0

    def kill(self) -> None:
        try:
            self.proc.kill()
        except (OSError, AttributeError):
            pass
        self.proc.join(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.proc.join(2)
        if self.proc.is_alive():
            self.kill()
        else:
            self.conn.close()


def run_isolated(
    system: str,
    tasks: Iterable[Task],
    *,
    jobs: int = 1,
    timeout: float = EXTRACTOR_TIMEOUT_S,
    max_bytes: int = MAX_EXTRACTOR_OUTPUT_BYTES,
) -> Iterator[Outcome]:
    """Run ``system`` on every task in ``jobs`` worker processes; yields outcomes as they finish."""
    ctx = _context()
    pending = deque(tasks)
    if not pending:
        return
    if jobs <= 0:
        jobs = os.cpu_count() or 1
    jobs = min(jobs, len(pending))
    if ctx.get_start_method() == "fork":
        _preload(system)  # import the library once; forked workers inherit it
    workers = [_Worker(ctx, system, max_bytes) for _ in range(jobs)]
    try:
        while True:
            for i, w in enumerate(workers):
                if w.task is None and pending:
                    task = pending.popleft()
                    try:
                        w.conn.send(task)
                    except (OSError, ValueError):  # died while idle: replace, retry the task
                        w.kill()
                        workers[i] = w = _Worker(ctx, system, max_bytes)
                        w.conn.send(task)
                    w.task, w.deadline = task, time.monotonic() + timeout
            busy = [w for w in workers if w.task is not None]
            if not busy:
                break
            wait_for = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            ready = multiprocessing.connection.wait(
                [w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=wait_for
            )
            now = time.monotonic()
            for i, w in enumerate(workers):
                if w.task is None:
                    continue
                task = w.task
                if w.conn in ready or w.proc.sentinel in ready:
                    outcome: Outcome | None = None
                    try:
                        if w.conn.poll():
                            outcome = w.conn.recv()
                    except (EOFError, OSError):
                        outcome = None
                    if outcome is not None:
                        w.task = None
                        yield outcome
                        continue
                    if not w.proc.is_alive():
                        code = w.proc.exitcode
                        w.kill()
                        workers[i] = _Worker(ctx, system, max_bytes)
                        yield Outcome(task.key, None, f"crash: worker exited with code {code}")
                        continue
                if now >= w.deadline:
                    w.kill()
                    workers[i] = _Worker(ctx, system, max_bytes)
                    yield Outcome(task.key, None, f"timeout: no answer after {timeout:g} s", timeout)
    finally:
        for w in workers:
            if w.task is not None:
                w.kill()
            else:
                w.stop()
