"""Where every draft came from: ``source.input`` and the ingest manifest account for every input once."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest
from test_resume import make_inputs, tree

from corpus.cli import main
from corpus.documents import load_documents
from corpus.ingestion.engine import IngestOptions, ingest
from corpus.warc import WarcPage, WarcProblem, iter_pages


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _mixed(tmp_path: Path) -> Path:
    src = make_inputs(tmp_path)
    (src / "README.md").write_text("not a page")
    os.symlink(src / "p01.html", src / "link.html")
    return src


def _expected_inputs(src: Path) -> Counter:
    """Every input file under ``src`` and every response record of its WARC files, by input name."""
    want: Counter = Counter()
    for p in sorted(src.rglob("*")):
        if not (p.is_file() or p.is_symlink()):
            continue
        name = "in/" + p.relative_to(src).as_posix()
        want[name] += 1
        if ".warc" in p.name:
            for item in iter_pages(str(p), name):
                if isinstance(item, WarcPage | WarcProblem):
                    want[item.offset] += 1
    return want


@pytest.mark.parametrize("layout", ["files", "shards"])
def test_the_manifest_accounts_for_every_input_exactly_once(tmp_path, layout):
    src = _mixed(tmp_path)
    out = tmp_path / "out"
    summary = ingest([str(src)], out, options=IngestOptions(layout=layout, preannotate=False, files_per_shard=3),
                     jobs=2)
    manifest = _lines(out / "ingest-manifest.jsonl")
    assert Counter(e["input"] for e in manifest) == _expected_inputs(src)
    docs = {d.id: d for d in load_documents(out)}
    as_docs = [e for e in manifest if "id" in e and "reject" not in e]
    as_rejects = [e for e in manifest if "reject" in e]
    assert sorted(e["id"] for e in as_docs) == sorted(docs) and len(docs) == summary.documents
    for e in as_docs:  # each document names its input, the manifest's name for it
        assert docs[e["id"]].source.input == e["input"]
    rejects = (_lines(out / "rejects.jsonl") if layout == "files"
               else [r for p in sorted((out / "rejects").glob("*.jsonl")) for r in _lines(p)])
    assert Counter((e["location"], e["reject"]) for e in as_rejects) == Counter(
        (r["location"], r["reason"]) for r in rejects)
    assert Counter(e["reject"] for e in as_rejects) == Counter(summary.reasons)
    assert {"symlink", "unsupported_format", "duplicate", "partial_file"} <= set(summary.reasons)
    warc_files = [e for e in manifest if "warc" in e]
    assert sorted(e["input"] for e in warc_files) == ["in/c.warc.gz", "in/d.warc.gz"]
    # a WARC record's document names the file and the record's offset, as its raw_path does
    warc_doc = next(d for d in docs.values() if d.source.raw_format == "warc")
    assert warc_doc.source.input.startswith("in/c.warc.gz#")
    assert warc_doc.source.input.rsplit("#", 1)[1] == warc_doc.source.raw_path.rsplit("#", 1)[1]


def test_the_input_name_is_relative_to_the_given_path(tmp_path, monkeypatch):
    src = tmp_path / "my-pages"
    (src / "sub").mkdir(parents=True)
    (src / "sub" / "foo.html").write_text("<p>foo page</p>")
    (tmp_path / "single.html").write_text("<p>single page</p>")
    monkeypatch.chdir(tmp_path)
    ingest(["my-pages", str(tmp_path / "single.html")], tmp_path / "out", options=IngestOptions(preannotate=False))
    names = sorted(d.source.input for d in load_documents(tmp_path / "out"))
    assert names == ["my-pages/sub/foo.html", "single.html"]
    # the same inputs named another way give the same names: nothing depends on the working directory
    monkeypatch.chdir(src / "sub")
    ingest([str(src), "../../single.html"], tmp_path / "again", options=IngestOptions(preannotate=False))
    assert sorted(d.source.input for d in load_documents(tmp_path / "again")) == names


def test_a_second_ingest_adds_new_inputs_and_keeps_everything(tmp_path, capsys):
    first, second = tmp_path / "a", tmp_path / "b"
    for d in (first, second):
        d.mkdir()
    (first / "one.html").write_text("<p>page one</p>")
    (first / "bad.zip").write_bytes(b"PK\x03\x04")
    (second / "two.html").write_text("<p>page two</p>")
    (second / "copy.html").write_text("<p>page one</p>")  # the same bytes as a/one.html
    out = tmp_path / "out"
    for layout in ("files", "shards"):
        target = out / f"corpus-{layout}"
        args = ["ingest", "--out", str(target), "--layout", layout, "--no-preannotate", "-q"]
        assert main([*args[:1], str(first), *args[1:]]) == 0
        assert main([*args[:1], str(first), str(second), *args[1:]]) == 0
        manifest = _lines(target / "ingest-manifest.jsonl")
        assert [(e["input"], e.get("reject")) for e in manifest] == [
            ("a/bad.zip", "unsupported_format"), ("a/one.html", None),
            ("b/copy.html", "duplicate"), ("b/two.html", None)]
        assert sorted(d.source.input for d in load_documents(target)) == ["a/one.html", "b/two.html"]
        if layout == "files":
            reasons = [r["reason"] for r in _lines(target / "rejects.jsonl")]
        else:
            reasons = [r["reason"] for p in sorted((target / "rejects").glob("*.jsonl")) for r in _lines(p)]
            assert sorted(p.name for p in (target / "shards").glob("*.jsonl")) == ["part-00000.jsonl",
                                                                                   "part-00001.jsonl"]
        assert sorted(reasons) == ["duplicate", "unsupported_format"]  # the first run's reject is kept
        capsys.readouterr()
        assert main(["validate", str(target), "-f", "json"]) == 0


@pytest.mark.parametrize("layout", ["files", "shards"])
def test_rerunning_a_finished_ingest_has_nothing_to_do(tmp_path, capsys, layout):
    src = _mixed(tmp_path)
    out = tmp_path / "out"
    args = ["ingest", str(src), "--out", str(out), "--layout", layout, "--no-preannotate", "--files-per-shard", "3"]
    assert main(args) == 0
    before = tree(out)
    capsys.readouterr()
    assert main(args) == 0
    err = capsys.readouterr().err
    n_files = sum(1 for p in src.rglob("*") if p.is_file() or p.is_symlink())
    assert f"nothing to do: all {n_files} input files are already in the corpus" in err
    assert tree(out) == before
    # a touched file is read again (its bytes are unchanged: a duplicate of its own document)
    page = src / "p01.html"
    st = page.stat()
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    assert main([*args, "-q"]) == 0
    last = _lines(out / "ingest-manifest.jsonl")[-1]
    assert (last["input"], last["reject"]) == ("in/p01.html", "duplicate")


def test_the_built_dataset_keeps_source_input(tmp_path):
    datasets = pytest.importorskip("datasets")
    src = tmp_path / "pages"
    src.mkdir()
    for i in range(3):
        (src / f"p{i}.html").write_text(f"<html><body><h1>Headline {i}</h1><p>Body {i} text.</p></body></html>")
    out = tmp_path / "corpus"
    ingest([str(src)], out, options=IngestOptions(preannotate=False))
    from corpus.api import build

    build(out, tmp_path / "dist")
    rows = datasets.load_dataset(str(tmp_path / "dist"), "documents")
    got = sorted(r["source"]["input"] for split in rows.values() for r in split)
    assert got == ["pages/p0.html", "pages/p1.html", "pages/p2.html"]


def test_import_and_ingest_treat_an_existing_document_the_same_way(tmp_path, monkeypatch):
    """Neither command overwrites a document: the same one is left as is, another one is a duplicate reject."""
    from corpus.formats import run_import
    from corpus.ingestion.draft import draft_document
    from corpus.registry import IMPORTERS, Imported, ImporterSpec

    src = tmp_path / "pages"
    src.mkdir()
    (src / "a.html").write_text("<p>the page</p>")
    out = tmp_path / "corpus"
    ingest([str(src)], out, options=IngestOptions(preannotate=False))
    (path,) = (out / "documents").glob("*.json")
    raw = (src / "a.html").read_bytes()
    same = next(iter(load_documents(out)))
    other = draft_document(raw, raw_path=same.source.raw_path, source_dataset="native", license="CC0-1.0")

    def fake(_src, **_options):
        yield Imported(same, raw)
        yield Imported(other, raw)

    monkeypatch.setitem(IMPORTERS, "fake", ImporterSpec("fake", fake, "test", "tool"))
    before = path.read_bytes()
    summary = run_import("fake", src, out)
    assert (summary.documents, summary.rejects) == (1, 1) and path.read_bytes() == before
    last = _lines(out / "rejects.jsonl")[-1]
    assert last["reason"] == "duplicate" and last["id"] == same.id and "not overwritten" in last["message"]
