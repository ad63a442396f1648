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
