"""Hostile inputs: every case ends in a named reason or a sound document — no crash, hang or memory blow-up.

The catalogue is in ``tests/hostile/cases.py`` (inputs generated at test time). Small cases run
in-process under an alarm; big ones run ``corpus ingest`` in a subprocess whose peak RSS is bounded.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from hostile.cases import CASES, Case
from hostile.warcs import page_record, warc_gz, warc_plain
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.errors import DocumentError
from corpus.ingestion.engine import IngestOptions, draft_page, ingest
from corpus.warc import WarcPage, WarcProblem, WarcRecord, iter_pages, iter_records

CASE_TIMEOUT_S = 30
BIG_TIMEOUT_S = 180
#: Peak resident memory allowed for one ``corpus ingest`` of a big hostile input.
RSS_BOUND_BYTES = 1024 * 1024 * 1024

RSS_SCRIPT = """
import json, resource, sys
from corpus.cli import main
code = main(["ingest", sys.argv[1], "--out", sys.argv[2], "--no-preannotate", "-q"])
print(json.dumps({"code": code, "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def test_catalogue_is_large_enough():
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


class CaseTimeout(BaseException):
    """Not an Exception: the per-record error handling must not turn a hang into a reject."""


@contextmanager
def alarm(seconds: int):
    def boom(signum, frame):
        raise CaseTimeout(f"case took more than {seconds}s")

    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def outputs(out: Path) -> tuple[list[dict], list[dict]]:
    docs = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((out / "documents").glob("*.json"))]
    rejects = [json.loads(line) for line in (out / "rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    return docs, rejects


def run_case(case: Case, tmp_path: Path, normaliser: str = "v1") -> tuple[list[dict], list[dict], Path]:
    src = tmp_path / "case" / "in"
    src.mkdir(parents=True)
    case.make(src)
    out = tmp_path / "out"
    if case.big:
        proc = subprocess.run([sys.executable, "-c", RSS_SCRIPT, str(src), str(out)], capture_output=True,
                              timeout=BIG_TIMEOUT_S, text=True)
        assert proc.returncode == 0, proc.stderr
        info = json.loads(proc.stdout.strip().splitlines()[-1])
        assert info["code"] == (0 if case.docs else 1), proc.stderr  # every input rejected: exit 1
        print(f"{case.name}: peak RSS {info['maxrss_kib'] // 1024} MiB")
        assert info["maxrss_kib"] * 1024 < RSS_BOUND_BYTES, f"peak RSS {info['maxrss_kib'] // 1024} MiB"
    else:
        with alarm(CASE_TIMEOUT_S):
            ingest([str(src)], out, options=IngestOptions(preannotate=False, normaliser=normaliser))
    docs, rejects = outputs(out)
    return docs, rejects, src


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in CASES])
def test_hostile_case(case: Case, tmp_path):
    docs, rejects, src = run_case(case, tmp_path)
    assert sorted(r["reason"] for r in rejects) == sorted(case.reasons), rejects
    assert all(r["message"] and r["location"] for r in rejects)
    assert len(docs) == case.docs, [d["text"][:80] for d in docs]
    if case.check is not None:
        case.check(docs, rejects, src)


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in CASES if not c.big])
def test_hostile_case_normaliser_v2(case: Case, tmp_path):
    """Normaliser v2 ends every case in the same named reasons (its own guards: nesting, attributes)."""
    docs, rejects, src = run_case(case, tmp_path, normaliser="v2")
    assert sorted(r["reason"] for r in rejects) == sorted(case.reasons), rejects
    assert len(docs) == case.docs, [d["text"][:80] for d in docs]
    assert all(d["normalizer"]["version"] == "2.3.0" for d in docs)
    if case.check is not None:
        case.check(docs, rejects, src)


# -- validator inputs ------------------------------------------------------------------------------


def _validate(path: Path, capsys) -> tuple[int, dict]:
    from corpus.cli import main

    capsys.readouterr()
    code = main(["validate", str(path), "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def test_validator_reports_duplicate_keys(tmp_path, capsys):
    p = tmp_path / "dup.json"
    p.write_text('{"id": "a", "id": "b", "text": ""}')
    code, report = _validate(p, capsys)
    assert code == 1 and "json-duplicate-key" in {x["rule"] for x in report["problems"]}


def test_validator_reports_deep_json(tmp_path, capsys):
    p = tmp_path / "deep.json"
    p.write_text('{"id": ' + "[" * 100_000 + "]" * 100_000 + "}")
    code, report = _validate(p, capsys)
    assert code == 1 and "json-too-deep" in {x["rule"] for x in report["problems"]}


# -- properties of the readers ---------------------------------------------------------------------

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(raw=st.binary(max_size=4000), fmt=st.sampled_from([("html", False), ("text", False), ("html", True)]))
def test_any_bytes_give_document_or_named_reject(raw, fmt):
    raw_format, gz = fmt
    try:
        doc = draft_page(raw, raw_path="raw/x.html", raw_format=raw_format, gzipped=gz,
                         options=IngestOptions(preannotate=False))
    except DocumentError as exc:
        assert exc.reason and exc.reason != "document_error"
        return
    assert doc.text and all(doc.text[b.start:b.end].strip() for b in doc.blocks)
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in doc.text)


@FAST
@given(data=st.binary(max_size=3000), gz=st.booleans())
def test_any_bytes_as_warc_never_raise(data, gz):
    import io

    items = list(iter_records(io.BytesIO(data), "f", gzipped=gz))
    assert all(isinstance(i, WarcRecord | WarcProblem) for i in items)
    assert sum(isinstance(i, WarcProblem) and i.reason == "partial_file" for i in items) <= 1


@FAST
@given(pages=st.lists(st.tuples(st.text(min_size=1, max_size=200), st.integers(0, 10**6)), min_size=1, max_size=6),
       gz=st.booleans(), cut=st.integers(0, 400))
def test_warc_roundtrip_and_truncation(pages, gz, cut, tmp_path_factory):
    recs = [page_record(f"<p>{t}</p>", url=f"http://h{n}.example/", i=i) for i, (t, n) in enumerate(pages)]
    data = warc_gz(recs) if gz else warc_plain(recs)
    d = tmp_path_factory.mktemp("w")
    path = d / ("p.warc.gz" if gz else "p.warc")
    path.write_bytes(data)
    got = [i for i in iter_pages(str(path)) if isinstance(i, WarcPage)]
    assert [g.payload.decode() for g in got] == [f"<p>{t}</p>" for t, _ in pages]
    path.write_bytes(data[: max(0, len(data) - cut)])
    items = list(iter_pages(str(path)))
    good = [i for i in items if isinstance(i, WarcPage)]
    assert [g.payload for g in good] == [g.payload for g in got[: len(good)]]  # a prefix, nothing invented
    if cut > 4:  # the trailing CRLFCRLF alone can be lost without losing data
        assert len(good) < len(got) or any(isinstance(i, WarcProblem) for i in items)
