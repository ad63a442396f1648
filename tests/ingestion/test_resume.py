"""A real ``corpus ingest --jobs 2`` killed midway resumes to exactly the uninterrupted result."""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile.warcs import page_record, warc_gz

from corpus.ingestion.engine import SLEEP_ENV

PAGE = "<html><body><h1>Story {i}</h1><p>Paragraph {i} about the town council meeting.</p></body></html>"


def make_inputs(root: Path) -> Path:
    src = root / "in"
    (src / "b").mkdir(parents=True)
    for i in range(14):
        (src / ("b" if i % 3 == 0 else "") / f"p{i:02d}.html").write_text(PAGE.format(i=i))
    (src / "dup.html").write_text(PAGE.format(i=3))
    (src / "bad.html.gz").write_bytes(b"\x1f\x8b" + b"\0" * 20)
    (src / "dump.txt").write_text("line one\nline two\n")
    recs = [page_record(PAGE.format(i=100 + i), url=f"http://news.example/{i}", i=i) for i in range(5)]
    recs.append(page_record(PAGE.format(i=1), url="http://news.example/copy", i=9))
    (src / "c.warc.gz").write_bytes(warc_gz(recs))
    (src / "d.warc.gz").write_bytes(warc_gz(recs[:3])[:-25])  # truncated
    (src / "e.html").write_bytes(gzip.compress(b"<p>gzip in disguise</p>"))
    return src


def cmd(src: Path, out: Path, layout: str) -> list[str]:
    return [sys.executable, "-c", "from corpus.cli import run; run()", "ingest", str(src), "--out", str(out),
            "--jobs", "2", "--layout", layout, "--files-per-shard", "2", "--no-preannotate", "-q"]


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def run_and_kill(args: list[str], when) -> None:
    env = dict(os.environ, **{SLEEP_ENV: "0.4"})
    proc = subprocess.Popen(args, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    try:
        while not when():
            assert proc.poll() is None, f"finished before the kill point: {proc.stderr.read().decode()}"
            assert time.monotonic() < deadline, "kill point never reached"
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.mark.parametrize("layout", ["shards", "files"])
@pytest.mark.parametrize("phase", ["shards", "publish"])
def test_kill_and_resume_is_byte_identical(tmp_path, layout, phase):
    src = make_inputs(tmp_path)
    ref = tmp_path / "ref"
    subprocess.run(cmd(src, ref, layout), check=True, timeout=120)

    out = tmp_path / "out"
    work = out / ".ingest" / "work"
    if phase == "shards":
        run_and_kill(cmd(src, out, layout), lambda: len(list(work.glob("*.done"))) >= 2)
        assert len(list(work.glob("*.done"))) < 8, "the kill came too late to test anything"
    else:
        published = (lambda: len(list((out / "shards").glob("*.done"))) >= 2) if layout == "shards" else (
            lambda: (out / "documents").is_dir() and len(list((out / "documents").glob("*.json"))) >= 3)
        run_and_kill(cmd(src, out, layout), published)
    assert not (out / ".ingest" / "done").exists()

    result = subprocess.run(cmd(src, out, layout), timeout=120, capture_output=True)
    assert result.returncode == 0, result.stderr.decode()
    assert tree(out) == tree(ref)
    # the same command again changes nothing
    subprocess.run(cmd(src, out, layout), check=True, timeout=120)
    assert tree(out) == tree(ref)


def test_every_record_once(tmp_path):
    """Across documents and rejects, each input record appears exactly once."""
    import json

    src = make_inputs(tmp_path)
    out = tmp_path / "out"
    subprocess.run(cmd(src, out, "shards"), check=True, timeout=120)
    docs = [json.loads(line) for p in sorted((out / "shards").glob("*.jsonl")) for line in p.open()]
    rejects = [json.loads(line) for p in sorted((out / "rejects").glob("*.jsonl")) for line in p.open()]
    page_files = [p for p in src.rglob("*") if p.is_file() and "warc" not in p.name]
    # 19 page files + 6 records in c.warc.gz + 2 good records and one partial-file entry for d.warc.gz
    assert len(docs) + len(rejects) == len(page_files) + 6 + 3
    reasons = sorted(r["reason"] for r in rejects)
    assert reasons == ["bad_gzip", "binary_content", "duplicate", "duplicate", "duplicate", "duplicate",
                       "partial_file"]
    assert len({d["id"] for d in docs}) == len(docs)


def _dying_pool_job(spec, out, options):
    """A worker that is killed (as by the OOM killer) on one shard; importable by spawned workers."""
    import corpus.ingestion.engine as engine

    if spec.name == "part-00003":
        os._exit(9)
    return engine._pool_job(spec, out, options)


def test_worker_death_is_reported_and_resumable(tmp_path, monkeypatch):
    """A worker killed mid-run gives a named error saying how to resume; the rerun completes."""
    import corpus.ingestion.engine as engine
    from corpus.parallel import WorkerError

    src = make_inputs(tmp_path)
    opts = engine.IngestOptions(layout="shards", preannotate=False, files_per_shard=2)
    ref = tmp_path / "ref"
    engine.ingest([str(src)], ref, options=opts)
    monkeypatch.setattr(engine, "_pool_job", _dying_pool_job)
    out = tmp_path / "out"
    with pytest.raises(WorkerError, match="rerun the same command"):
        engine.ingest([str(src)], out, options=opts, jobs=2)
    monkeypatch.undo()
    engine.ingest([str(src)], out, options=opts, jobs=2)
    assert tree(out) == tree(ref)
