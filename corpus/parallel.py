"""One ordered, bounded process map: the only worker pool of the package.

``build``, deduplication and ``ingest`` hand work to :class:`ProcessMap`. Workers are started with
``spawn`` (the same on every platform, and what Python 3.14 moves towards); results come back in
submission order with at most ``IN_FLIGHT_PER_JOB * jobs`` items in flight, so memory stays bounded and
output does not depend on the number of workers. A worker that dies is a :class:`WorkerError`
everywhere. Ctrl-C is handled by the parent only (workers ignore SIGINT): it, or any error in the
consumer, stops the workers at once (terminate, then kill after ``STOP_GRACE_SECONDS``) instead of
waiting for them, and a second Ctrl-C cannot interrupt that. Workers report progress with
:func:`advance`; the parent passes it on to ``progress`` while it waits.
(The extractor sandbox in :mod:`corpus.evaluate.extractors.pool` keeps its own isolation: one process
per system with time and memory limits.)
"""

from __future__ import annotations

import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from corpus.errors import ConfigError, CorpusError

#: Items submitted but not yet consumed, per worker.
IN_FLIGHT_PER_JOB = 2
#: How often the parent passes workers' progress on while it waits for a result.
PROGRESS_POLL_SECONDS = 0.25
#: How long a terminated worker may take to exit before it is killed.
STOP_GRACE_SECONDS = 1.0

_counter: Any = None  # in a worker: the shared progress counter of its ProcessMap


def advance(n: int = 1) -> None:
    """Count ``n`` units of progress in a worker (a no-op outside a ProcessMap with ``progress``)."""
    c = _counter
    if c is not None:
        with c.get_lock():
            c.value += n


def _init_worker(counter: Any, initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
    global _counter
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the parent stops us
    _counter = counter
    if initializer is not None:
        initializer(*initargs)


def _noop() -> None:
    """A task that only makes the pool start a worker."""


@contextmanager
def sigint_deferred() -> Iterator[None]:
    """Ignore Ctrl-C while the block runs (in the main thread): cleanup that must not be cut short."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


class WorkerError(CorpusError):
    """A worker process died (killed, out of memory, a crash in a native library)."""

    reason = "worker_failed"


def resolve_jobs(jobs: int) -> int:
    """Worker processes for ``jobs``: 0 means one per CPU; negative values are a ConfigError."""
    if jobs < 0:
        raise ConfigError(f"--jobs must be 0 (one per CPU) or more, not {jobs}")
    return jobs or os.cpu_count() or 1


class ProcessMap:
    """``fn(*item)`` for each item, in worker processes, results in item order.

    ``initializer(*initargs)`` runs once in each worker. ``what`` names the work in the
    :class:`WorkerError` raised when a worker dies, ``then`` says what that means for the user.
    """

    def __init__(
        self,
        jobs: int,
        *,
        initializer: Callable[..., None] | None = None,
        initargs: tuple[Any, ...] = (),
        what: str = "worker",
        then: str = "nothing was written",
        progress: Callable[[int], Any] | None = None,
    ):
        self.jobs = max(1, jobs)
        self.what = what
        self.then = then
        self._initializer = initializer
        self._initargs = initargs
        self._executor: Any = None
        self._progress = progress
        self._counter: Any = None
        self._reported = 0

    def _pool(self) -> Any:
        if self._executor is None:
            from concurrent.futures import ProcessPoolExecutor
            from multiprocessing import get_context

            ctx = get_context("spawn")
            if self._progress is not None and self._counter is None:
                self._counter = ctx.Value("q", 0)
            self._executor = ProcessPoolExecutor(
                self.jobs, mp_context=ctx, initializer=_init_worker,
                initargs=(self._counter, self._initializer, self._initargs),
            )
            # Start every worker now, with SIGINT ignored: the disposition survives exec, so a Ctrl-C that
            # reaches the process group while a worker is still starting up prints no traceback there
            # (a worker is started per submit while fewer than ``jobs`` run).
            with sigint_deferred():
                for _ in range(self.jobs):
                    self._executor.submit(_noop)
        return self._executor

    def _report(self) -> None:
        if self._counter is None or self._progress is None:
            return
        value = self._counter.value
        if value > self._reported:
            self._progress(value - self._reported)
            self._reported = value

    def _result(self, future: Any) -> Any:
        """``future.result()``, passing progress on while waiting."""
        if self._progress is not None:
            from concurrent.futures import wait

            while not future.done():
                wait([future], timeout=PROGRESS_POLL_SECONDS)
                self._report()
        return future.result()

    def map(self, fn: Callable[..., Any], items: Iterable[tuple[Any, ...]]) -> Iterator[Any]:
        """The results of ``fn(*item)`` in order; a worker's exception is re-raised here."""
        from concurrent.futures.process import BrokenProcessPool

        pool = self._pool()
        pending: deque[Any] = deque()
        limit = IN_FLIGHT_PER_JOB * self.jobs
        done = False
        try:
            for item in items:
                pending.append(pool.submit(fn, *item))
                if len(pending) > limit:
                    yield self._result(pending.popleft())
            while pending:
                yield self._result(pending.popleft())
            self._report()
            done = True
        except BrokenProcessPool as exc:
            raise WorkerError(
                f"a {self.what} process died unexpectedly (killed, out of memory, or a crash in a native "
                f"library); {self.then}"
            ) from exc
        finally:
            if not done:
                self.terminate()

    def terminate(self) -> None:
        """Stop every worker now (after Ctrl-C or an error): nothing waits for work in flight."""
        ex, self._executor = self._executor, None
        if ex is None:
            return
        with sigint_deferred():
            processes = list((getattr(ex, "_processes", None) or {}).values())
            writer = getattr(getattr(ex, "_result_queue", None), "_writer", None)  # shutdown() drops it
            for p in processes:
                if p.is_alive():
                    p.terminate()
            # futures are not cancelled: the pool's manager thread fails every pending one when it sees the
            # killed workers, and setting an exception on a cancelled future raises in that thread
            ex.shutdown(wait=False, cancel_futures=False)
            for p in processes:
                p.join(timeout=STOP_GRACE_SECONDS)
                if p.is_alive():
                    p.kill()
                    p.join(timeout=STOP_GRACE_SECONDS)
            # A worker killed while writing a result leaves half a message in the result pipe, and the
            # pool's manager thread would wait for the rest for ever (and the interpreter for it at exit).
            # Closing our end of the pipe's writing side lets it read end-of-file and finish.
            if writer is not None and not any(p.is_alive() for p in processes):
                writer.close()

    def close(self) -> None:
        ex, self._executor = self._executor, None
        if ex is not None:
            ex.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ProcessMap:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.terminate()
