"""One ordered, bounded process map: the only worker pool of the package.

``build``, deduplication and ``ingest`` hand work to :class:`ProcessMap`. Workers are started with
``spawn`` (the same on every platform, and what Python 3.14 moves towards); results come back in
submission order with at most ``IN_FLIGHT_PER_JOB * jobs`` items in flight, so memory stays bounded and
output does not depend on the number of workers. A worker that dies is a :class:`WorkerError`
everywhere; Ctrl-C (or any error in the consumer) stops the workers at once instead of waiting for them.
(The extractor sandbox in :mod:`corpus.evaluate.extractors.pool` keeps its own isolation: one process
per system with time and memory limits.)
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from corpus.errors import ConfigError, CorpusError

#: Items submitted but not yet consumed, per worker.
IN_FLIGHT_PER_JOB = 2


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
    ):
        self.jobs = max(1, jobs)
        self.what = what
        self.then = then
        self._initializer = initializer
        self._initargs = initargs
        self._executor: Any = None

    def _pool(self) -> Any:
        if self._executor is None:
            from concurrent.futures import ProcessPoolExecutor
            from multiprocessing import get_context

            self._executor = ProcessPoolExecutor(
                self.jobs, mp_context=get_context("spawn"), initializer=self._initializer, initargs=self._initargs
            )
        return self._executor

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
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
            done = True
        except BrokenProcessPool as exc:
            raise WorkerError(
                f"a {self.what} process died unexpectedly (killed, out of memory, or a crash in a native "
                f"library); {self.then}"
            ) from exc
        finally:
            for f in pending:
                f.cancel()
            if not done:
                self.terminate()

    def terminate(self) -> None:
        """Stop every worker now (after Ctrl-C or an error): nothing waits for work in flight."""
        ex, self._executor = self._executor, None
        if ex is None:
            return
        processes = list(getattr(ex, "_processes", {}).values())
        for p in processes:
            if p.is_alive():
                p.terminate()
        ex.shutdown(wait=False, cancel_futures=True)
        for p in processes:
            p.join(timeout=2)

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
