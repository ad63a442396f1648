"""``corpus ingest`` as datatrove pipeline steps, for many machines (extra ``scale``).

The step keeps the shard contract of :mod:`corpus.ingestion.engine`: datatrove rank ``r`` of ``world_size``
processes the plan's shards ``i`` with ``i % world_size == r`` through the same
:func:`corpus.ingestion.engine.run_shard` (fixed names, temp file + rename, marker last), and a second job of one
task runs :func:`corpus.ingestion.engine.finalise`. The output is byte-identical to ``corpus ingest --jobs N``
with the same options. Scheduling, retries and cluster resources are datatrove's (Local, Ray or Slurm
executor); see ``docs/scale.md``.

    from corpus.ingestion.datatrove_step import ingest_executors
    from datatrove.executor import LocalPipelineExecutor
    shards, final = ingest_executors(LocalPipelineExecutor, ["crawl/"], "out", tasks=8, workers=2,
                                     logging_dir="logs/ingest")
    final.run()      # runs ``shards`` first (depends=), then publishes
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from corpus.errors import ConfigError, require
from corpus.ingestion.engine import finalise, run_shard
from corpus.ingestion.plan import STATE_DIR, IngestOptions, ShardSpec, load_plan, prepare, shard_specs

_base = require("datatrove.pipeline.base", "scale", "distributed ingest with datatrove")
PipelineStep = _base.PipelineStep


def _shards(out: str) -> tuple[list[ShardSpec], IngestOptions]:
    """The planned shards (none once the run is published) and options."""
    plan = load_plan(out)
    done = os.path.exists(os.path.join(out, STATE_DIR, "done"))
    return [] if done else shard_specs(plan), IngestOptions(**plan["options"])


class IngestShards(PipelineStep):
    """Phase 1: process this rank's shards (skips shards whose completion marker exists)."""

    name = "corpus ingest shards"
    type = "corpus"

    def __init__(self, paths: Sequence[str], out: str | os.PathLike[str], options: IngestOptions | None = None):
        super().__init__()
        self.paths = [str(p) for p in paths]
        self.out = str(out)
        self.options_dict = asdict(options or IngestOptions(layout="shards"))

    def run(self, data=None, rank: int = 0, world_size: int = 1):
        if data:
            yield from data
        options = IngestOptions(**self.options_dict)
        try:
            shards, _ = _shards(self.out)
        except ConfigError:  # plan not written by the launcher: every rank computes the same one
            shards = prepare(self.paths, self.out, options)
        for i, spec in enumerate(shards):
            if i % world_size != rank:
                continue
            with self.track_time("shard"):
                result = run_shard(spec, self.out, options)
            self.stat_update("shards")
            self.stat_update("documents", value=result["rows"])
            self.stat_update("rejects", value=result["rejects"])


class FinaliseIngest(PipelineStep):
    """Phase 2 (one task): drop cross-shard duplicates and publish the layout."""

    name = "corpus ingest finalise"
    type = "corpus"

    def __init__(self, out: str | os.PathLike[str]):
        super().__init__()
        self.out = str(out)

    def run(self, data=None, rank: int = 0, world_size: int = 1):
        if data:
            yield from data
        if rank != 0:
            return
        summary = finalise(self.out)
        self.stat_update("documents", value=summary.documents)
        self.stat_update("rejects", value=summary.rejects)


def ingest_executors(executor_cls: Any, paths: Sequence[str], out: str | os.PathLike[str], *, tasks: int,
                     logging_dir: str, options: IngestOptions | None = None, **executor_kwargs: Any
                     ) -> tuple[Any, Any]:
    """Two datatrove executors of ``executor_cls`` (Local / Ray / Slurm): the shards, then the finalise.

    Writes the plan first (so ranks need not list the inputs again). Run the second one: it launches
    its dependency. ``executor_kwargs`` go to both (e.g. ``workers``, ``partition``, ``time``).
    """
    options = options or IngestOptions(layout="shards")
    prepare([str(p) for p in paths], out, options)
    first = executor_cls(pipeline=[IngestShards(paths, out, options)], tasks=tasks,
                         logging_dir=os.path.join(logging_dir, "shards"), **executor_kwargs)
    second_kwargs = {k: v for k, v in executor_kwargs.items() if k != "workers"}
    second = executor_cls(pipeline=[FinaliseIngest(out)], tasks=1, depends=first,
                          logging_dir=os.path.join(logging_dir, "finalise"), **second_kwargs)
    return first, second
