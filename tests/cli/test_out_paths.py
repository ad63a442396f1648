"""``--out`` at a file, under a file or where nothing can be written: one named error, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.cli import main
from tests.conftest import DATA

COMMANDS = {
    "ingest": ["ingest", str(DATA / "raw"), "--no-preannotate", "-q"],
    "import": ["import", "labelstudio", str(DATA), "--corpus", str(DATA)],
    "export": ["export", "brat", str(DATA)],
    "bench": ["bench", str(DATA), "-e", "trafilatura", "--bootstrap", "0", "--no-progress"],
    "build": ["build", str(DATA), "--no-check-raw"],
}


def _targets(tmp_path: Path) -> dict[str, Path]:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a directory\n")
    return {"file": a_file, "under-file": a_file / "sub", "unwritable": Path("/proc/corpus-out")}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("where", ["file", "under-file", "unwritable"])
def test_a_bad_out_is_named(command: str, where: str, tmp_path: Path, capsys) -> None:
    out = _targets(tmp_path)[where]
    assert main([*COMMANDS[command], "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and str(out) in err, err
    assert "Errno" not in err and "internal error" not in err, err
    assert (tmp_path / "a-file").read_text() == "not a directory\n"


def test_bench_cache_at_a_file_is_named(tmp_path: Path, capsys) -> None:
    a_file = tmp_path / "cache"
    a_file.write_text("x")
    assert main([*COMMANDS["bench"], "--cache", str(a_file)]) == 2
    assert "--cache exists and is not a directory" in capsys.readouterr().err
