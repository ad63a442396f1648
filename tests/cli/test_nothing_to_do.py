"""Commands that had nothing to work on say so and exit non-zero instead of printing vacuous scores."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from corpus.cli import main
from tests.conftest import DATA


def _some_docs(tmp_path: Path, name: str, n: int, skip: int = 0) -> Path:
    d = tmp_path / name / "documents"
    d.mkdir(parents=True)
    for f in sorted((DATA / "documents").glob("*.json"))[skip : skip + n]:
        shutil.copy(f, d / f.name)
    return d.parent


def test_agree_with_no_paired_documents_is_exit_1(tmp_path: Path, capsys) -> None:
    a, b = _some_docs(tmp_path, "a", 2), _some_docs(tmp_path, "b", 2, skip=2)
    assert main(["agree", str(a), str(b)]) == 1
    captured = capsys.readouterr()
    assert "nothing was comparable" in captured.err and "2 page(s) only in A, 2 only in B" in captured.err
    assert "1.000" not in captured.out and "kappa" not in captured.out
    assert main(["agree", str(a), str(b), "-f", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["paired"] == 0


def test_agree_with_paired_documents_is_exit_0(tmp_path: Path, capsys) -> None:
    a = _some_docs(tmp_path, "a", 2)
    assert main(["agree", str(a), str(a)]) == 0
    assert "kappa (all labels)              1.000" in capsys.readouterr().out


def test_ingest_that_produces_nothing_is_non_zero(tmp_path: Path, capsys) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["ingest", str(empty), "--out", str(tmp_path / "o1"), "--no-preannotate", "-q"]) == 2
    assert "no pages found" in capsys.readouterr().err
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "a.html").write_bytes(b"")
    assert main(["ingest", str(bad), "--out", str(tmp_path / "o2"), "--no-preannotate", "-q"]) == 1
    err = capsys.readouterr().err
    assert "every input was rejected (1; reasons in" in err and "rejects.jsonl" in err


def test_import_that_produces_nothing_is_non_zero(tmp_path: Path, capsys) -> None:
    tasks = tmp_path / "tasks.json"
    tasks.write_text("[]")
    assert main(["import", "labelstudio", str(tasks), "--corpus", str(DATA), "--out", str(tmp_path / "o")]) == 2
    assert "nothing to import" in capsys.readouterr().err
    tasks.write_text(json.dumps([{"data": {"doc_id": "0000000000000000", "text": "x"}, "annotations": []}]))
    assert main(["import", "labelstudio", str(tasks), "--corpus", str(DATA), "--out", str(tmp_path / "o")]) == 1
    assert "every record was rejected" in capsys.readouterr().err


def test_ingest_names_the_provenance_it_records(tmp_path: Path, capsys) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    shutil.copy(sorted((DATA / "raw").iterdir())[1], pages)
    assert main(["ingest", str(pages), "--out", str(tmp_path / "o1"), "--no-preannotate", "-q"]) == 0
    err = capsys.readouterr().err
    assert "source_dataset 'native'" in err and "--source-dataset NAME and --license" in err
    doc = json.loads(next((tmp_path / "o1" / "documents").glob("*.json")).read_text())
    assert doc["source"]["source_dataset"] == "native"
    assert main(["ingest", str(pages), "--out", str(tmp_path / "o2"), "--no-preannotate", "-q",
                 "--source-dataset", "mycrawl"]) == 0
    assert "no licence recorded for the 'mycrawl' pages" in capsys.readouterr().err
    assert main(["ingest", str(pages), "--out", str(tmp_path / "o3"), "--no-preannotate", "-q",
                 "--source-dataset", "mycrawl", "--license", "CC-BY-4.0"]) == 0
    assert "note:" not in capsys.readouterr().err
    doc = json.loads(next((tmp_path / "o3" / "documents").glob("*.json")).read_text())
    assert (doc["source"]["source_dataset"], doc["source"]["license"]) == ("mycrawl", "CC-BY-4.0")
