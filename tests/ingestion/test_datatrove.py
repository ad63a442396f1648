"""The datatrove step gives the same output as ``corpus ingest --jobs`` (Local and Ray executors)."""

from __future__ import annotations

import pytest
from test_resume import make_inputs, tree

from corpus.ingestion.engine import IngestOptions, ingest

pytest.importorskip("datatrove")

OPTS = IngestOptions(layout="shards", preannotate=False, files_per_shard=2)


def reference(tmp_path, src):
    ref = tmp_path / "ref"
    ingest([str(src)], ref, options=OPTS, jobs=2)
    return tree(ref)


def test_local_executor_matches_jobs(tmp_path):
    from datatrove.executor import LocalPipelineExecutor

    from corpus.ingestion.datatrove_step import ingest_executors

    src = make_inputs(tmp_path)
    out = tmp_path / "dt"
    _, final = ingest_executors(LocalPipelineExecutor, [str(src)], str(out), tasks=3, workers=2,
                                logging_dir=str(tmp_path / "logs"), options=OPTS)
    final.run()
    assert tree(out) == reference(tmp_path, src)


@pytest.mark.slow
def test_ray_executor_matches_jobs(tmp_path):
    ray = pytest.importorskip("ray")
    from datatrove.executor.ray import RayPipelineExecutor

    from corpus.ingestion.datatrove_step import ingest_executors

    src = make_inputs(tmp_path)
    out = tmp_path / "ray"
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        _, final = ingest_executors(RayPipelineExecutor, [str(src)], str(out), tasks=3, workers=2,
                                    logging_dir=str(tmp_path / "logs"), options=OPTS, mem_per_cpu_gb=0.5)
        final.run()
    finally:
        ray.shutdown()
    assert tree(out) == reference(tmp_path, src)
