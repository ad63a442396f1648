"""An ingest where every input was rejected: its rejects are never read as documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.cli import main
from corpus.paths import document_files


@pytest.fixture(params=["files", "shards", "rejects-only"])
def all_rejected(request, tmp_path: Path) -> Path:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "empty.html").write_bytes(b"")
    (pages / "binary.html").write_bytes(b"\x00\x01\x02\x03")
    out = tmp_path / "out"
    layout = "shards" if request.param == "shards" else "files"
    main(["ingest", str(pages), "--out", str(out), "--layout", layout, "--no-preannotate", "-q"])
    if request.param == "rejects-only":  # a directory holding nothing but the rejects
        (out / "documents").rmdir()
    return out


def test_the_resolver_lists_no_rejects(all_rejected: Path) -> None:
    rejects = list(all_rejected.rglob("*.jsonl"))
    assert any("reject" in str(p) for p in rejects), "the fixture must leave rejects behind"
    assert not any("reject" in str(p) for p in document_files(all_rejected))


def test_validate_and_build_see_no_documents(all_rejected: Path, tmp_path: Path, capsys) -> None:
    capsys.readouterr()
    assert main(["validate", str(all_rejected)]) == 0
    captured = capsys.readouterr()
    assert "schema-required" not in captured.out
    assert "0 documents: 0 errors" in captured.err
    assert main(["build", str(all_rejected), "--out", str(tmp_path / "dist")]) == 2
    err = capsys.readouterr().err
    assert "no document" in err and "schema" not in err
