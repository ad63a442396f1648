"""Progress: per page in ``ingest`` (also from workers), per document in ``build``, per file in ``validate``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_resume import make_inputs

from corpus.ingestion.engine import IngestOptions, ingest
from corpus.parallel import ProcessMap, advance
from corpus.progress import progress


def _count_in_worker(n: int) -> int:
    """Counts ``n`` units of progress one by one (importable by spawned workers)."""
    for _ in range(n):
        advance()
    return n


def test_workers_progress_reaches_the_parent():
    seen: list[int] = []
    with ProcessMap(2, progress=seen.append) as pm:
        results = list(pm.map(_count_in_worker, ((n,) for n in (3, 5, 7, 11))))
    assert results == [3, 5, 7, 11]
    assert sum(seen) == 26


def test_the_ingest_bar_counts_pages_not_shards(tmp_path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(7):
        (src / f"p{i}.html").write_text(f"<p>page number {i}</p>")
    ingest([str(src)], tmp_path / "out", options=IngestOptions(preannotate=False, files_per_shard=4), jobs=2,
           progress=True)
    err = capsys.readouterr().err
    assert "7/7" in err and "page" in err


def test_an_interrupted_bar_says_so(capsys):
    with pytest.raises(KeyboardInterrupt), progress(10, desc="ingest", unit="page", enabled=True) as bar:
        bar.update(3)
        raise KeyboardInterrupt
    err = capsys.readouterr().err
    assert "ingest (interrupted)" in err and "3/10" in err


def test_build_and_validate_show_progress_of_documents(tmp_path, capsys):
    from corpus.api import build, validate

    src = make_inputs(tmp_path)
    shutil.rmtree(src / "b")  # page files only, nothing rejected: a plain corpus of documents
    for p in list(src.iterdir()):
        if p.suffix != ".html" or p.name in ("dup.html", "e.html"):
            p.unlink()
    for i in range(40):
        (src / f"x{i:02d}.html").write_text(f"<html><body><h1>Item {i}</h1><p>Text of item {i}.</p></body></html>")
    out = tmp_path / "corpus"
    summary = ingest([str(src)], out, options=IngestOptions(preannotate=False))
    n = summary.documents
    capsys.readouterr()
    assert validate(out, progress=True).ok
    assert f"validate: {n}file" in capsys.readouterr().err
    build(out, tmp_path / "dist", progress=True, dedup=False)
    err = capsys.readouterr().err
    assert "build: write" in err and f"{n}/{n}" in err
    build(out, tmp_path / "dist2", progress=False, dedup=False)
    assert "build:" not in capsys.readouterr().err


def test_progress_is_off_when_stderr_is_not_a_terminal(tmp_path, capsys):
    src = Path(tmp_path / "in")
    src.mkdir()
    (src / "a.html").write_text("<p>one page</p>")
    ingest([str(src)], tmp_path / "out", options=IngestOptions(preannotate=False))
    from corpus.api import validate

    validate(tmp_path / "out")  # progress=None: stderr is captured, not a terminal
    assert capsys.readouterr().err == ""
