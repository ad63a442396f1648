"""Documents brought back from an annotation tool carry their raw pages: the import validates and builds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from corpus.cli import main
from tests.conftest import DATA

N_DOCS = 3
EXPORT_FILE = {"labelstudio": "tasks.json", "brat": "", "doccano": "documents.jsonl"}


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A corpus root with a few bundled documents and their raw pages."""
    root = tmp_path / "corpus"
    (root / "documents").mkdir(parents=True)
    (root / "raw").mkdir()
    for f in sorted((DATA / "documents").glob("*.json"))[:N_DOCS]:
        shutil.copy(f, root / "documents" / f.name)
        raw_path = json.loads(f.read_text())["source"]["raw_path"]
        shutil.copy(DATA / raw_path, root / raw_path)
    return root


def _round_trip(fmt: str, corpus: Path, tmp_path: Path, *extra: str) -> tuple[int, Path]:
    exported = tmp_path / f"{fmt}-export"
    assert main(["export", fmt, str(corpus / "documents"), "--out", str(exported)]) == 0
    back = tmp_path / f"{fmt}-back"
    src = exported / EXPORT_FILE[fmt] if EXPORT_FILE[fmt] else exported
    return main(["import", fmt, str(src), "--corpus", str(corpus), "--out", str(back), *extra]), back


@pytest.mark.parametrize("fmt", sorted(EXPORT_FILE))
def test_tool_import_copies_raw_pages_and_validates(fmt: str, corpus_copy: Path, tmp_path: Path, capsys) -> None:
    code, back = _round_trip(fmt, corpus_copy, tmp_path)
    assert code == 0, capsys.readouterr().err
    for f in (back / "documents").glob("*.json"):
        raw_path = json.loads(f.read_text())["source"]["raw_path"]
        assert (back / raw_path).read_bytes() == (corpus_copy / raw_path).read_bytes()
    capsys.readouterr()
    assert main(["validate", str(back)]) == 0, capsys.readouterr().out
    assert "raw-missing" not in capsys.readouterr().out


def test_tool_import_builds(corpus_copy: Path, tmp_path: Path, capsys) -> None:
    code, back = _round_trip("doccano", corpus_copy, tmp_path)
    assert code == 0
    assert main(["build", str(back), "--out", str(tmp_path / "dist"), "--no-dedup"]) == 0, capsys.readouterr()


def test_a_missing_raw_page_keeps_the_annotations_and_says_so(corpus_copy: Path, tmp_path: Path, capsys) -> None:
    elsewhere = tmp_path / "raw-elsewhere"
    shutil.move(corpus_copy / "raw", elsewhere / "raw")
    code, back = _round_trip("labelstudio", corpus_copy, tmp_path)
    assert code == 0
    err = capsys.readouterr().err
    assert err.count("warning: ") == N_DOCS and "not found under" in err and "--raw-root" in err
    assert len(list((back / "documents").glob("*.json"))) == N_DOCS
    assert main(["validate", str(back)]) == 1
    assert "raw-missing" in capsys.readouterr().out
    shutil.rmtree(back)
    code, back = _round_trip("labelstudio", corpus_copy, tmp_path, "--raw-root", str(elsewhere))
    assert code == 0 and "warning" not in capsys.readouterr().err
    assert main(["validate", str(back)]) == 0


def test_an_option_the_format_does_not_take_is_named(corpus_copy: Path, tmp_path: Path, capsys) -> None:
    code, _ = _round_trip("brat", corpus_copy, tmp_path, "--option", "offsets=utf16")
    assert code == 2
    assert "`corpus import brat` does not take --option offsets=..." in capsys.readouterr().err
