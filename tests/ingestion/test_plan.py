"""Resuming checks what was planned: inputs (size, mtime), options and versions."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from corpus.ingestion import engine, plan
from corpus.ingestion.plan import IngestOptions, PlanChangedError

PAGE = (b"<html><head><title>T</title></head><body><article><p>" + b"Words of a page. " * 20
        + b"</p></article></body></html>")
OPTS = IngestOptions(preannotate=False)


def _pages(tmp_path: Path, n: int = 3) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    for i in range(n):
        (src / f"p{i}.html").write_bytes(PAGE.replace(b"T", f"page {i}".encode()))
    return src


def test_an_unchanged_rerun_resumes(tmp_path: Path) -> None:
    src = _pages(tmp_path)
    plan.prepare([str(src)], tmp_path / "out", OPTS)
    summary = engine.ingest([str(src)], tmp_path / "out", options=OPTS)
    assert summary.documents == 3 and not summary.nothing_to_do
    again = engine.ingest([str(src)], tmp_path / "out", options=OPTS)
    assert again.nothing_to_do and again.skipped == 3 and again.documents == 0


def test_a_changed_input_is_a_named_error_not_a_mix(tmp_path: Path) -> None:
    src = _pages(tmp_path)
    plan.prepare([str(src)], tmp_path / "out", OPTS)  # planned, then the run was interrupted
    page = src / "p1.html"
    st = page.stat()
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))  # same bytes, touched
    with pytest.raises(PlanChangedError, match="changed size or modification time") as exc:
        engine.ingest([str(src)], tmp_path / "out", options=OPTS)
    assert exc.value.reason == "plan_changed"
    assert not (tmp_path / "out" / "documents").exists()


def test_another_package_or_normaliser_version_is_a_named_error(tmp_path: Path, monkeypatch) -> None:
    src = _pages(tmp_path)
    plan.prepare([str(src)], tmp_path / "out", OPTS)
    monkeypatch.setattr(plan, "_versions", lambda: {"package": "9.9.9", "normaliser": "1.0.0"})
    with pytest.raises(PlanChangedError, match=r"package 9\.9\.9"):
        engine.ingest([str(src)], tmp_path / "out", options=OPTS)


def test_other_options_are_a_named_error(tmp_path: Path) -> None:
    src = _pages(tmp_path)
    plan.prepare([str(src)], tmp_path / "out", OPTS)
    with pytest.raises(PlanChangedError, match="other options"):
        engine.ingest([str(src)], tmp_path / "out", options=IngestOptions(preannotate=False, layout="shards"))


def test_cli_reports_the_changed_plan_with_exit_2(tmp_path: Path, capsys) -> None:
    from corpus.cli import main

    src = _pages(tmp_path)
    plan.prepare([str(src)], tmp_path / "out", OPTS)
    (src / "p3.html").write_bytes(PAGE)
    assert main(["ingest", str(src), "--out", str(tmp_path / "out"), "--no-preannotate", "-q"]) == 2
    assert "other inputs" in capsys.readouterr().err
