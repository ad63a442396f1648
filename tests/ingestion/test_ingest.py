"""``corpus ingest``: every input becomes a document or a named reject; layouts; duplicates; options."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import jsonschema
import pytest

from corpus.cli import main
from corpus.ingestion.discover import InputFile, discover
from corpus.ingestion.engine import IngestOptions, ingest
from corpus.ingestion.plan import make_plan
from corpus.schema import document_schema

HTML = "<html><head><title>T{i}</title></head><body><h1>Headline {i}</h1><p>Body text {i} here.</p></body></html>"


def make_inputs(root: Path, n: int = 6) -> Path:
    src = root / "in"
    (src / "sub").mkdir(parents=True)
    for i in range(n):
        (src / ("sub" if i % 2 else "") / f"p{i}.html").write_text(HTML.format(i=i), encoding="utf-8")
    (src / "dump.txt").write_text("First line\n\nSecond line\n", encoding="utf-8")
    (src / "z.html.gz").write_bytes(gzip.compress(HTML.format(i=99).encode(), mtime=0))
    (src / "copy.html").write_text(HTML.format(i=0), encoding="utf-8")  # duplicate of p0.html
    (src / "README.md").write_text("not a page")
    (src / "pages.zip").write_bytes(b"PK\x03\x04rest")
    return src


def _docs(out: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((out / "documents").glob("*.json"))]


def _rejects(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_files_layout_accounts_for_every_input(tmp_path, capsys):
    src = make_inputs(tmp_path)
    out = tmp_path / "out"
    assert main(["ingest", str(src), "--out", str(out), "--no-preannotate"]) == 0
    docs = _docs(out)
    rejects = _rejects(out / "rejects.jsonl")
    n_files = sum(1 for p in src.rglob("*") if p.is_file())
    assert len(docs) + len(rejects) == n_files == 11
    assert len(docs) == 8
    assert {r["reason"] for r in rejects} == {"duplicate", "unsupported_format"}
    dup = next(r for r in rejects if r["reason"] == "duplicate")
    assert dup["location"].endswith("p0.html") and "copy.html" in dup["message"]
    validator = jsonschema.Draft202012Validator(document_schema())
    for d in docs:
        assert not list(validator.iter_errors(d))
        raw = out / d["source"]["raw_path"]
        import hashlib

        assert hashlib.sha256(raw.read_bytes()).hexdigest() == d["source"]["raw_sha256"]
        assert d["id"] == d["source"]["raw_sha256"][:16]
    txt = next(d for d in docs if d["source"]["raw_format"] == "text")
    assert txt["text"] == "First line\nSecond line"
    gz = next(d for d in docs if d["source"]["raw_path"].endswith(".html.gz"))
    assert "Headline 99" in gz["text"]
    assert not (out / ".ingest").exists() and not (out / "shards").exists()
    assert "ingested 8 documents" in capsys.readouterr().err


def test_shards_layout_markers_match_content(tmp_path):
    src = make_inputs(tmp_path)
    out = tmp_path / "out"
    summary = ingest([str(src)], out, options=IngestOptions(layout="shards", preannotate=False, files_per_shard=3),
                     jobs=2)
    assert summary.documents == 8
    import hashlib

    total = 0
    for marker in sorted((out / "shards").glob("*.done")):
        m = json.loads(marker.read_text())
        data = (out / "shards" / f"{m['shard']}.jsonl").read_bytes()
        assert hashlib.sha256(data).hexdigest() == m["sha256"]
        assert data.count(b"\n") == m["rows"]
        total += m["rows"]
    assert total == 8
    assert (out / "rejects" / "discovery.jsonl").exists()
    from corpus.documents import load_documents

    assert len({d.id for d in load_documents(out / "shards")}) == 8
    # rerun of a finished run has nothing to do and writes nothing
    before = tree(out)
    again = ingest([str(src)], out, options=IngestOptions(layout="shards", preannotate=False, files_per_shard=3))
    assert again.nothing_to_do and again.skipped == 11 and again.documents == 0
    assert tree(out) == before


def test_jobs_do_not_change_output(tmp_path):
    src = make_inputs(tmp_path)
    outs = []
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}"
        ingest([str(src)], out, options=IngestOptions(layout="shards", preannotate=False, files_per_shard=2),
               jobs=jobs)
        outs.append(out)
    assert tree(outs[0]) == tree(outs[1])


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_an_unfinished_run_with_other_inputs_is_refused(tmp_path):
    from corpus.ingestion.plan import prepare

    src = make_inputs(tmp_path)
    out = tmp_path / "out"
    opts = IngestOptions(layout="shards", preannotate=False)
    prepare([str(src)], out, opts)  # planned, then interrupted
    (src / "new.html").write_text("<p>new page</p>")
    assert main(["ingest", str(src), "--out", str(out), "--layout", "shards", "--no-preannotate", "-q"]) == 2


def test_files_layout_adds_to_existing_corpus_without_overwriting(tmp_path):
    src = make_inputs(tmp_path)
    out = tmp_path / "out"
    ingest([str(src)], out, options=IngestOptions(preannotate=False))
    path = next(p for p in (out / "documents").glob("*.json")
                if json.loads(p.read_text())["source"]["input"] == "in/copy.html")
    edited = json.loads(path.read_text())
    edited["annotation"]["blocks"]["status"] = "gold"
    path.write_text(json.dumps(edited, indent=2))
    (src / "extra.html").write_text("<p>another page entirely</p>")
    first_rejects = _rejects(out / "rejects.jsonl")
    s = ingest([str(src)], out, options=IngestOptions(preannotate=False))
    assert json.loads(path.read_text())["annotation"]["blocks"]["status"] == "gold"
    assert len(list((out / "documents").glob("*.json"))) == 9
    assert (s.documents, s.rejects, s.skipped) == (1, 0, 11)  # only the new page is read
    assert _rejects(out / "rejects.jsonl") == first_rejects  # kept, nothing added
    # a corpus without a manifest (e.g. written by an older version): the page is there with other
    # content, so it is a duplicate reject, never overwritten; earlier rejects are kept
    (out / "ingest-manifest.jsonl").unlink()
    s = ingest([str(src / "copy.html")], out, options=IngestOptions(preannotate=False))
    assert (s.documents, s.reasons) == (0, {"duplicate": 1})
    assert json.loads(path.read_text())["annotation"]["blocks"]["status"] == "gold"
    rejects = _rejects(out / "rejects.jsonl")
    assert rejects[:-1] == first_rejects and "already exists" in rejects[-1]["message"]
    assert rejects[-1]["id"] == edited["id"]


def test_symlinks_inside_directories_are_refused(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    secret = tmp_path / "secret.html"
    secret.write_text("<p>SECRET-CONTENT</p>")
    (src / "ok.html").write_text("<p>fine</p>")
    os.symlink(secret, src / "link.html")
    os.symlink(tmp_path, src / "loop")
    inputs, rejects = discover([str(src)])
    assert [i.location.rsplit("/", 1)[1] for i in inputs] == ["ok.html"]
    assert sorted(r.reason for r in rejects) == ["symlink", "symlink"]
    out = tmp_path / "out"
    assert main(["ingest", str(src), "--out", str(out), "--no-preannotate", "-q"]) == 0
    assert all("SECRET" not in p.read_text() for p in (out / "documents").glob("*.json"))


def test_missing_path_is_usage_error(tmp_path, capsys):
    assert main(["ingest", str(tmp_path / "nope"), "--out", str(tmp_path / "o")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_plan_is_deterministic_and_warc_files_get_their_own_shard():
    inputs = [InputFile(f"d/{i:02d}.html", "page") for i in range(5)] + [InputFile("d/x.warc.gz", "warc")]
    inputs.sort(key=lambda i: i.location)
    plan = make_plan(inputs, 2)
    assert [(s.name, s.kind, len(s.inputs)) for s in plan] == [
        ("part-00000", "page", 2), ("part-00001", "page", 2), ("part-00002", "page", 1), ("part-00003", "warc", 1)]
    assert make_plan(inputs, 2) == plan


def test_preannotation_runs_when_available(tmp_path):
    pytest.importorskip("corpus.annotate.preannotate")
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.html").write_text(
        "<html><body><nav><a href='/'>Home</a> <a href='/x'>World</a></nav><article><h1>A headline about "
        "the harbour</h1><p>" + "The harbour barrier was closed on Monday after a storm. " * 8 +
        "</p></article><footer>Copyright 2024</footer></body></html>")
    out = tmp_path / "out"
    assert main(["ingest", str(src), "--out", str(out), "--ner", "none", "-q"]) == 0
    (doc,) = _docs(out)
    assert doc["annotation"]["blocks"]["status"] == "model"
    assert any(b["label"] == "body" for b in doc["blocks"])
    assert main(["ingest", str(src), "--out", str(tmp_path / "o2"), "--no-preannotate", "-q"]) == 0
    (plain,) = _docs(tmp_path / "o2")
    assert plain["annotation"]["blocks"]["status"] == "none"
    assert plain["text"] == doc["text"]


def test_validate_accepts_ingested_corpus(tmp_path, capsys):
    src = make_inputs(tmp_path)
    out = tmp_path / "out"
    assert main(["ingest", str(src), "--out", str(out), "--no-preannotate", "-q"]) == 0
    capsys.readouterr()
    code = main(["validate", str(out / "documents"), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    errors = [p for p in report["problems"] if p["severity"] == "error"]
    assert errors == [] and code == 0


def test_unlistable_directory_is_a_reject_not_silence(tmp_path, monkeypatch):
    src = tmp_path / "in"
    (src / "locked").mkdir(parents=True)
    (src / "ok.html").write_text("<p>fine</p>")
    real = os.scandir

    def scandir(path="."):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    inputs, rejects = discover([str(src)])
    assert len(inputs) == 1
    assert [(r.reason, r.location.rsplit("/", 1)[1]) for r in rejects] == [("unreadable", "locked")]


def _finalise_peak(root: Path, n: int, layout: str) -> tuple[int, dict]:
    """Python heap peak (bytes) of publishing ``n`` page files ingested in shards of 20, plus the summary."""
    import shutil
    import tracemalloc

    from corpus.ingestion.engine import finalise, run_shard
    from corpus.ingestion.plan import prepare

    src = root / f"in-{n}"
    src.mkdir()
    for i in range(n):
        (src / f"page-{i:05d}.html").write_text(HTML.format(i=i), encoding="utf-8")
    (src / "again.html").write_text(HTML.format(i=0), encoding="utf-8")  # a duplicate of the first page
    out = root / f"out-{n}"
    options = IngestOptions(layout=layout, preannotate=False, files_per_shard=20)
    for spec in prepare([str(src)], out, options):
        run_shard(spec, out, options)
    # finalise a copy first: one-off growth of interpreter-wide tables would otherwise count as a peak
    shutil.copytree(out, root / f"warm-{n}", symlinks=True)
    finalise(root / f"warm-{n}")
    tracemalloc.start()
    try:
        summary = finalise(out)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak, {"documents": summary.documents, "reasons": summary.reasons}


@pytest.mark.parametrize("layout", ["shards", "files"])
def test_finalising_memory_does_not_grow_with_the_number_of_documents(tmp_path, layout):
    small_peak, small = _finalise_peak(tmp_path, 100, layout)
    large_peak, large = _finalise_peak(tmp_path, 1500, layout)
    assert small == {"documents": 100, "reasons": {"duplicate": 1}}
    assert large == {"documents": 1500, "reasons": {"duplicate": 1}}
    # the duplicate index and the input lists stay out of the finalising process: what grows is the
    # per-shard bookkeeping (a shard name per 20 documents), not a few hundred bytes per document
    per_document = (large_peak - small_peak) / (1500 - 100)
    assert per_document < 60, (small_peak, large_peak)


def test_rerun_after_a_killed_finalise_ignores_its_stale_duplicate_index(tmp_path):
    from corpus.ingestion.engine import finalise, run_shard
    from corpus.ingestion.plan import STATE_DIR, prepare

    src = make_inputs(tmp_path)
    options = IngestOptions(layout="shards", preannotate=False, files_per_shard=2)
    ref, out = tmp_path / "ref", tmp_path / "out"
    for target in (ref, out):
        for spec in prepare([str(src)], target, options):
            run_shard(spec, target, options)
    finalise(ref)
    # a finalise killed after indexing every document leaves its index behind
    stale = out / STATE_DIR / "tmp" / "seen.sqlite"
    import shutil
    import sqlite3

    shutil.copy(out / STATE_DIR / "plan.json", tmp_path / "plan.json")
    db = sqlite3.connect(stale)
    db.execute("CREATE TABLE seen (id TEXT PRIMARY KEY, loc TEXT NOT NULL) WITHOUT ROWID")
    for line in (ref / "shards").glob("*.jsonl"):
        for row in line.read_text(encoding="utf-8").splitlines():
            db.execute("INSERT INTO seen VALUES (?, ?)", (json.loads(row)["id"], "elsewhere"))
    db.commit()
    db.close()
    finalise(out)

    def tree(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
                if p.is_file() and STATE_DIR not in p.parts}

    assert tree(out) == tree(ref)
    assert sum(1 for _ in (out / "shards").glob("*.jsonl")) > 1


def test_normaliser_v2_is_selectable_and_recorded(tmp_path, capsys):
    from corpus.text.normalise import raw_format_for
    from corpus.text.normalise_v2 import normalise_raw_v2

    src = tmp_path / "in"
    src.mkdir()
    (src / "t.html").write_text("<table>fostered<tr><td>cell</td></tr></table><p>a<p>b", encoding="utf-8")
    (src / "l.html").write_bytes(b"<meta charset=latin1><p>caf\xe9</p>")
    out = tmp_path / "out"
    assert main(["ingest", str(src), "--out", str(out), "--no-preannotate", "--normaliser", "v2", "-q"]) == 0
    docs = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((out / "documents").glob("*.json"))]
    assert len(docs) == 2
    for d in docs:
        jsonschema.validate(d, document_schema())
        assert d["normalizer"] == {"name": "corpus-normaliser", "version": "2.3.0"}
        fmt, gz = raw_format_for(d["source"]["raw_path"])
        page = normalise_raw_v2((out / d["source"]["raw_path"]).read_bytes(), fmt, gzipped=gz)
        assert d["text"] == page.text and d["source"]["encoding_source"] == page.encoding_source
    assert {d["text"] for d in docs} == {"fostered\ncell\na\nb", "café"}
    capsys.readouterr()
    assert main(["ingest", str(src), "--out", str(tmp_path / "o2"), "--normaliser", "v9", "-q"]) == 2
    assert "unknown normaliser 'v9'" in capsys.readouterr().err
