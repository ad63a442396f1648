"""Every command accepts every layout ``corpus ingest`` writes, and skips the engine's own state."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from corpus.cli import main
from tests.conftest import DATA

N_PAGES = 4


@pytest.fixture(params=["files", "shards"])
def ingested(request, tmp_path: Path) -> Path:
    pages = tmp_path / "pages"
    pages.mkdir()
    for p in sorted((DATA / "raw").iterdir())[1:1 + N_PAGES]:
        shutil.copy(p, pages / p.name)
    (pages / "empty.html").write_bytes(b"")  # a reject: rejects.jsonl or rejects/ must not be read as documents
    out = tmp_path / "out"
    assert main(["ingest", str(pages), "--out", str(out), "--layout", request.param, "--no-preannotate",
                 "-q", "--jobs", "0"]) == 0
    # what an interrupted later run leaves behind: engine state, never documents
    state = out / ".ingest" / "tmp"
    state.mkdir(parents=True, exist_ok=True)
    (state / "part-00009.jsonl.tmp").write_text('{"not": "a document"}\n', encoding="utf-8")
    (state / "stray.json").write_text("{}", encoding="utf-8")
    return out


def test_every_command_reads_the_ingest_output(ingested: Path, tmp_path: Path, capsys) -> None:
    assert main(["validate", str(ingested)]) == 0
    capsys.readouterr()

    assert main(["stats", str(ingested), "-f", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["documents"] == N_PAGES

    built = tmp_path / "built"
    assert main(["build", str(ingested), "--out", str(built), "--jobs", "0"]) == 0
    assert main(["verify", str(built)]) == 0
    manifest = json.loads((built / "MANIFEST.json").read_text(encoding="utf-8"))
    assert sum(s["num_examples"] for s in manifest["configs"]["documents"]["splits"].values()) == N_PAGES
    capsys.readouterr()

    # drafts carry no gold: every document is read, and nothing can be scored (exit 1, with the reason)
    assert main(["bench", str(ingested), "-e", "trafilatura", "--no-cache", "--bootstrap", "0", "-f", "json",
                 "--no-progress"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""  # only the reason, no table of empty rows
    assert f"nothing was scored: no metric applies to this corpus (none of its {N_PAGES} documents" in captured.err

    assert main(["export", "brat", str(ingested), "--out", str(tmp_path / "brat")]) == 0
    assert len(list((tmp_path / "brat").rglob("*.txt"))) == N_PAGES
