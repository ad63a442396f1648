"""``corpus validate`` end to end: exit codes, output formats, hostile input."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_validate_catalogue import base_document, make_corpus

from corpus.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, main
from corpus.store import document_json

TEXT_LINE = re.compile(r"^(?P<file>.+):(?P<line>\d+):(?P<col>\d+): (?P<rule>[a-z0-9-]+) (?P<ptr>/\S*): (?P<msg>.+)$")


@pytest.fixture
def corpus_root(tmp_path: Path) -> Path:
    make_corpus(tmp_path)
    return tmp_path


@pytest.fixture
def bad_corpus(tmp_path: Path) -> Path:
    d = base_document()
    d["blocks"][0]["label"] = "nav"
    d["metadata"]["date_published"] = "2024-02-30"
    d["checks"]["include"].append("not on the page")
    make_corpus(tmp_path, docs=[d])
    return tmp_path


def test_clean_corpus_exits_0(corpus_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(corpus_root)]) == EXIT_OK
    out, err = capsys.readouterr()
    assert out == ""
    assert "1 files, 1 documents: 0 errors, 0 warnings" in err


def test_text_format_lines(bad_corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(bad_corpus)]) == EXIT_PROBLEMS
    out, err = capsys.readouterr()
    lines = out.splitlines()
    parsed = [TEXT_LINE.match(line) for line in lines]
    assert all(parsed), lines
    rules = {(m["rule"], m["ptr"]) for m in parsed if m}
    assert rules == {("block-label-unknown", "/blocks/0/label"), ("date-invalid", "/metadata/date_published"),
                     ("checks-include-missing", "/checks/include/1")}
    warning = next(m for m in parsed if m and m["rule"] == "checks-include-missing")
    assert warning["msg"].startswith("warning: ")
    assert "2 errors, 1 warnings" in err


def test_json_format_shape(bad_corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--format", "json", str(bad_corpus / "documents")]) == EXIT_PROBLEMS
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"files", "documents", "problems"}
    assert (data["files"], data["documents"]) == (1, 1)
    for p in data["problems"]:
        assert set(p) == {"file", "line", "column", "rule", "pointer", "message", "severity"}
        assert p["severity"] in ("error", "warning") and p["line"] >= 1 and p["column"] >= 1
    assert sorted(p["severity"] for p in data["problems"]) == ["error", "error", "warning"]


def test_github_format(bad_corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--format", "github", str(bad_corpus)]) == EXIT_PROBLEMS
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    pat = re.compile(r"^::(error|warning) file=[^,]+,line=\d+,col=\d+,title=[a-z0-9-]+::/\S*: .+$")
    assert all(pat.match(line) for line in lines), lines
    assert any(line.startswith("::warning ") and "title=checks-include-missing" in line for line in lines)


def test_warnings_alone_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = base_document()
    d["checks"]["include"].append("not on the page")
    make_corpus(tmp_path, docs=[d])
    assert main(["validate", str(tmp_path)]) == EXIT_OK
    assert "checks-include-missing" in capsys.readouterr().out


def test_missing_path_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "nope.json")]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "nope.json: no such file or directory" in err
    assert "Traceback" not in err


def test_bad_format_and_raw_root_exit_2(corpus_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--format", "xml", str(corpus_root)]) == EXIT_USAGE
    assert main(["validate", "--raw-root", str(corpus_root / "nope"), str(corpus_root)]) == EXIT_USAGE
    assert "Traceback" not in capsys.readouterr().err


def test_no_raw_and_raw_root(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_corpus(tmp_path / "c")
    loose = tmp_path / "doc.json"
    loose.write_text(document_json(base_document()), encoding="utf-8")
    assert main(["validate", str(loose)]) == EXIT_PROBLEMS
    assert "raw-missing" in capsys.readouterr().out
    assert main(["validate", "--no-raw", str(loose)]) == EXIT_OK
    assert main(["validate", "--raw-root", str(tmp_path / "c"), str(loose)]) == EXIT_OK


def test_reference_and_fast_flags_give_same_output(bad_corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["validate", "--fast", str(bad_corpus)])
    fast = capsys.readouterr().out
    main(["validate", "--reference", str(bad_corpus)])
    assert capsys.readouterr().out == fast != ""


def test_binary_garbage_no_traceback(tmp_path: Path) -> None:
    docs = tmp_path / "documents"
    docs.mkdir()
    (docs / "garbage.json").write_bytes(bytes(range(256)) * 4)
    (docs / "garbage.jsonl").write_bytes(b"\x00\xff\n" + bytes(range(256)) + b"\n{\"a\":\n")
    (docs / "\udcff-name.json".encode("utf-8", "surrogateescape").decode("utf-8", "surrogateescape")).write_bytes(b"[]")
    code = "import sys; from corpus.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.run([sys.executable, "-c", code, "validate", str(tmp_path)],
                          capture_output=True, text=True, errors="replace", timeout=120)
    assert proc.returncode == EXIT_PROBLEMS, proc.stderr
    assert "Traceback" not in proc.stderr
    rules = [m["rule"] for m in map(TEXT_LINE.match, proc.stdout.splitlines()) if m]
    assert "file-not-utf8" in rules and "json-syntax" in rules and "schema-type" in rules
