"""Benchmark importers on small fixtures written in each source format (tests/fixtures/import/)."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from corpus.errors import ConfigError
from corpus.formats import run_import
from corpus.model import Document
from corpus.text.normalise import normalise_raw, raw_format_for

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "import"


def run(fmt: str, src: Path, out: Path, **options: str) -> tuple[dict[str, Document], list[dict]]:
    """Import; return documents by source_id and the rejects, after checking store invariants."""
    summary = run_import(fmt, src, out, **options)
    docs = {}
    for p in sorted((out / "documents").glob("*.json")):
        doc = Document.from_dict(json.loads(p.read_text(encoding="utf-8")))
        assert p.name == f"{doc.id}.json"
        _check_raw(doc, out)
        docs[doc.source.source_id] = doc
    rejects = [json.loads(line) for line in (out / "rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    assert (summary.documents, summary.rejects) == (len(docs), len(rejects))
    return docs, rejects


def _check_raw(doc: Document, out: Path) -> None:
    """The raw copy exists, hashes to the id, and re-normalises to the document's text and blocks."""
    raw_path = doc.source.raw_path
    assert raw_path.startswith(f"raw/{doc.source.source_dataset}/")
    raw = (out / raw_path).read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    assert doc.source.raw_sha256 == digest and doc.id == digest[:16]
    fmt, gz = raw_format_for(raw_path)
    enc = doc.source.encoding
    declared = None if enc is None or enc.endswith(";replacement") else enc
    page = normalise_raw(raw, fmt, gzipped=gz, declared_charset=declared)
    assert page.text == doc.text
    assert [(b.start, b.end) for b in page.blocks] == [(b.start, b.end) for b in doc.blocks]


def labelled(doc: Document) -> dict[str, list[str]]:
    """Label -> block texts, for the labelled blocks."""
    out: dict[str, list[str]] = {}
    for b in doc.blocks:
        if b.label is not None:
            out.setdefault(b.label, []).append(doc.block_text(b))
    return out


def reasons(rejects: list[dict]) -> dict[str, str]:
    return {r["location"]: r["reason"] for r in rejects}


# -- scrapinghub-aeb ---------------------------------------------------------------------------
def test_aeb_reference_is_article_body_verbatim_and_keyed_by_id(tmp_path):
    docs, rejects = run("scrapinghub-aeb", FIX / "scrapinghub-aeb", tmp_path)
    truth = json.loads((FIX / "scrapinghub-aeb" / "ground-truth.json").read_text(encoding="utf-8"))
    assert set(docs) == {"a1", "b2", "d4"}
    for pid, doc in docs.items():
        assert doc.reference.text == truth[pid]["articleBody"]  # byte-for-byte, blank lines and all
        assert doc.reference.convention == "aeb-articleBody"
        assert doc.source.url == truth[pid]["url"]
        assert doc.source.source_dataset == "scrapinghub-aeb" and doc.source.license == "MIT"
        assert doc.source.raw_path == f"raw/scrapinghub-aeb/{pid}.html.gz"
    assert docs["a1"].source.domain == "example.com"
    assert reasons(rejects) == {"ground-truth.json#c3": "missing_page", "html/e5.html.gz": "missing_gold"}


def test_aeb_raw_page_is_kept_gzipped_byte_for_byte(tmp_path):
    docs, _ = run("scrapinghub-aeb", FIX / "scrapinghub-aeb", tmp_path)
    stored = (tmp_path / docs["a1"].source.raw_path).read_bytes()
    assert stored == (FIX / "scrapinghub-aeb" / "html" / "a1.html.gz").read_bytes()


def test_aeb_projects_article_body_onto_blocks(tmp_path):
    docs, _ = run("scrapinghub-aeb", FIX / "scrapinghub-aeb", tmp_path)
    doc = docs["a1"]
    assert doc.annotation.blocks.status == "projected" and doc.annotation.blocks.by == "scrapinghub-aeb"
    assert labelled(doc) == {"body": [
        "Heavy rain and strong winds swept across the coast on Monday, cutting power to thousands of homes.",
        "Emergency crews worked through the night to clear fallen trees from the main roads.",
    ]}
    assert doc.body == "\n".join(labelled(doc)["body"])


def test_aeb_non_utf8_page_is_decoded_by_its_declaration(tmp_path):
    docs, _ = run("scrapinghub-aeb", FIX / "scrapinghub-aeb", tmp_path)
    doc = docs["b2"]
    assert doc.source.encoding == "windows-1252"
    assert "Hauptstraße öffnet" in doc.text
    assert len(labelled(doc)["body"]) == 2


def test_aeb_empty_gold_keeps_empty_reference_and_no_labels(tmp_path):
    docs, _ = run("scrapinghub-aeb", FIX / "scrapinghub-aeb", tmp_path)
    doc = docs["d4"]
    assert doc.reference.text == ""
    assert doc.annotation.blocks.status == "none" and all(b.label is None for b in doc.blocks)


def test_aeb_missing_ground_truth_aborts(tmp_path):
    (tmp_path / "src" / "html").mkdir(parents=True)
    with pytest.raises(ConfigError, match=r"ground-truth\.json"):
        run_import("scrapinghub-aeb", tmp_path / "src", tmp_path / "out")


def test_aeb_bad_gzip_and_decompression_bomb_are_rejects(tmp_path, monkeypatch):
    src = tmp_path / "src"
    shutil.copytree(FIX / "scrapinghub-aeb", src)
    (src / "html" / "a1.html.gz").write_bytes(b"\x1f\x8b\x08\x00 this is not gzip")
    import corpus.text.decode

    bomb = gzip.compress(b"<p>" + b"a" * 5000 + b"</p>")
    (src / "html" / "b2.html.gz").write_bytes(bomb)
    monkeypatch.setattr(corpus.text.decode.gunzip_capped, "__defaults__", (1000,))
    docs, rejects = run("scrapinghub-aeb", src, tmp_path / "out")
    assert set(docs) == {"d4"}
    got = reasons(rejects)
    assert got["ground-truth.json#a1"] == "bad_gzip"
    assert got["ground-truth.json#b2"] == "decompression_bomb"


# -- trafilatura-eval --------------------------------------------------------------------------
def test_trafilatura_eval_checks_metadata_and_ids(tmp_path):
    docs, rejects = run("trafilatura-eval", FIX / "trafilatura-eval", tmp_path)
    url = "https://garten.example.net/2020/03/maerz/"
    assert set(docs) == {url, "https://example.org/bridge", "https://example.de/cafe"}
    doc = docs[url]
    assert doc.source.url == url and doc.source.license == "Apache-2.0"
    assert doc.checks.include == ("Die ersten Tulpen sind endlich da", "keimen schon die Tomaten")
    assert doc.checks.exclude == ("Impressum", "Dieser Eintrag wurde veröffentlicht")
    m = doc.metadata
    assert (m.title, m.date_published) == ("Mein Garten im März", "2020-03-03")
    assert m.authors == ("Gärtnerin Eva", "Max Beet")
    assert (m.description, m.categories, m.tags) == (None, ("Garten",), ("Frühling",))
    assert doc.annotation.metadata.status == "gold" and doc.annotation.metadata.by == "trafilatura-eval"
    assert reasons(rejects) == {"evaldata.json#https://example.com/gone": "missing_page"}


def test_trafilatura_eval_snippet_projection(tmp_path):
    docs, _ = run("trafilatura-eval", FIX / "trafilatura-eval", tmp_path)
    doc = docs["https://garten.example.net/2020/03/maerz/"]
    assert labelled(doc) == {
        "title": ["Mein Garten im März"],
        # the include snippet has one space where the page has two: matched after folding
        "body": ["Die ersten Tulpen sind endlich da, und die Beete sind frisch umgegraben.",
                 "Im Gewächshaus keimen schon die Tomaten."],
        "comments": ["Sehr schöne Bilder, danke fürs Teilen!"],
    }
    # blocks holding an exclude snippet are never labelled content
    for b in doc.blocks:
        if "Impressum" in doc.block_text(b) or "veröffentlicht" in doc.block_text(b):
            assert b.label is None


def test_trafilatura_eval_searches_page_dirs_and_handles_gz_and_latin1(tmp_path):
    docs, _ = run("trafilatura-eval", FIX / "trafilatura-eval", tmp_path)
    bridge = docs["https://example.org/bridge"]
    assert bridge.source.raw_path == "raw/trafilatura-eval/bridge.html.gz"
    assert bridge.metadata.date_published is None  # "2022-29-11" is not a date
    assert bridge.metadata.authors == ("Sam Lee",)
    cafe = docs["https://example.de/cafe"]
    assert cafe.source.encoding == "windows-1252" and "große Nachfrage" in cafe.text
    assert cafe.annotation.metadata.status == "none"


def test_trafilatura_eval_pages_option(tmp_path):
    docs, rejects = run("trafilatura-eval", FIX / "trafilatura-eval" / "evaldata.json", tmp_path, pages="pages")
    assert set(docs) == {"https://garten.example.net/2020/03/maerz/"}
    assert sorted(r["reason"] for r in rejects) == ["missing_page"] * 3
    with pytest.raises(ConfigError, match="nowhere"):
        run_import("trafilatura-eval", FIX / "trafilatura-eval", tmp_path / "o2", pages="nowhere")
    with pytest.raises(ConfigError, match="unknown option"):
        run_import("trafilatura-eval", FIX / "trafilatura-eval", tmp_path / "o3", page="pages")


# -- wceb ------------------------------------------------------------------------------------------
def test_wceb_combined_layout(tmp_path):
    docs, rejects = run("wceb", FIX / "wceb", tmp_path)
    assert set(docs) == {"p1", "p2"}
    p1, p2 = docs["p1"], docs["p2"]
    assert p1.source.source_dataset == "wceb/dragnet" and p1.source.raw_path == "raw/wceb/dragnet/p1.html"
    assert p1.reference.convention == "wceb-plaintext"
    assert p1.reference.text.startswith("Heavy rain") and len(labelled(p1)["body"]) == 2
    assert p2.source.url == "http://example.org/bridge" and p2.reference.text == ""
    assert p2.source.raw_path == "raw/wceb/cleaneval/p2.html.gz"
    assert reasons(rejects) == {"ground-truth/cleaneval.jsonl:2": "bad_json",
                                "ground-truth/dragnet.jsonl:2": "missing_page"}


def test_wceb_dataset_subset_and_missing_layout(tmp_path):
    docs, _ = run("wceb", FIX / "wceb", tmp_path, datasets="cleaneval")
    assert set(docs) == {"p2"}
    with pytest.raises(ConfigError, match="nope"):
        run_import("wceb", FIX / "wceb", tmp_path / "o2", datasets="nope")
    with pytest.raises(ConfigError, match="ground-truth"):
        run_import("wceb", FIX / "cleaneval", tmp_path / "o3")


def test_wceb_lz4_pages_are_stored_decompressed(tmp_path):
    lz4_frame = pytest.importorskip("lz4.frame")
    src = tmp_path / "src"
    shutil.copytree(FIX / "wceb", src)
    html = (src / "html" / "dragnet" / "p1.html").read_bytes()
    (src / "html" / "dragnet" / "p1.html").unlink()
    (src / "html" / "dragnet" / "p1.html.lz4").write_bytes(lz4_frame.compress(html))
    docs, _ = run("wceb", src, tmp_path / "out", datasets="dragnet")
    assert docs["p1"].source.raw_path == "raw/wceb/dragnet/p1.html"
    assert (tmp_path / "out" / "raw/wceb/dragnet/p1.html").read_bytes() == html


# -- cleaneval -----------------------------------------------------------------------------------
def test_cleaneval(tmp_path):
    docs, rejects = run("cleaneval", FIX / "cleaneval", tmp_path)
    assert set(docs) == {"1", "2"}
    one = docs["1"]
    assert one.source.url == "http://www.example.com/news/storm"
    assert one.reference.text == (FIX / "cleaneval" / "clean" / "1.txt").read_text(encoding="utf-8")
    assert one.reference.convention == "cleaneval"
    assert len(labelled(one)["body"]) == 2
    two = docs["2"]  # windows-1252 page and gold, declared by the <text encoding=...> wrapper
    assert two.source.encoding == "windows-1252" and "Müller" in two.reference.text
    assert len(labelled(two)["body"]) == 2
    assert reasons(rejects) == {"clean/3.txt": "missing_page", "orig/4.html": "missing_gold"}


def test_cleaneval_text_strips_url_line_and_markers():
    from corpus.benchmarks.cleaneval import cleaneval_text, cleaneval_url

    gold = "URL: http://x.example/a b\n<h>Head line\n\n<p>First para\ncontinued\n<l>item one\n<P>Upper\n"
    assert cleaneval_url(gold) == "http://x.example/a"
    assert cleaneval_text(gold) == "Head line\nFirst para\ncontinued\nitem one\nUpper"


# -- dragnet ---------------------------------------------------------------------------------------
def test_dragnet_content_and_comments(tmp_path):
    docs, rejects = run("dragnet", FIX / "dragnet", tmp_path)
    assert set(docs) == {"R1", "T2"}
    r1 = docs["R1"]
    assert r1.reference.text == (FIX / "dragnet" / "Corrected" / "R1.html.corrected.txt").read_text(encoding="utf-8")
    assert r1.reference.convention == "dragnet-corrected"
    got = labelled(r1)
    assert got["comments"] == ["Great write-up, we saw the same improvements in our services.",
                               "How long did the migration take in total for the whole codebase?"]
    assert got["body"][1:] == ["Our build times dropped by half after the rewrite, and memory errors disappeared.",
                               "The hardest part was teaching the team to think in terms of ownership."]
    assert reasons(rejects) == {"Corrected/T3.html.corrected.txt": "missing_page"}


def test_dragnet_comment_delimiter_variants():
    from corpus.benchmarks.dragnet import split_comments

    assert split_comments("a\n!@#$%^&*()  COMMENTS\nb\n") == ("a\n", "\nb\n")
    assert split_comments("a\n!@ $%^&*() COMMENTS\nb") == ("a\n", "\nb")
    assert split_comments("no comments here, COMMENTS inline") == ("no comments here, COMMENTS inline", "")


# -- l3s-gn1 ---------------------------------------------------------------------------------------
def test_l3s_gn1_span_classes_become_block_labels(tmp_path):
    docs, rejects = run("l3s-gn1", FIX / "l3s-gn1", tmp_path)
    uuid1 = "0a1b2c3d-0000-4000-8000-000000000001"
    doc = docs[uuid1]
    assert doc.source.url == "http://www.localpaper.example/bridge"
    assert doc.reference is None
    assert [(b.label, doc.block_text(b)[:20]) for b in doc.blocks] == [
        ("other", "Home | Local"),
        ("title", "Bridge to be replace"),
        ("body", "The old footbridge o"),
        ("body", "Cyclists and pedestr"),  # sel2 except its last 10 characters (sel0): majority wins
        ("caption", "Photo: the old footb"),
        ("related", "Council approves new"),
        ("comments", "I cross this bridge "),
        ("other", "Copyright 2009 Local"),  # outside every span
    ]
    assert doc.annotation.blocks.status == "projected"
    cafe = docs["0a1b2c3d-0000-4000-8000-000000000002"]
    assert cafe.source.encoding == "windows-1252" and [b.label for b in cafe.blocks] == ["body", "other"]
    assert reasons(rejects) == {"annotated/0a1b2c3d-0000-4000-8000-000000000003.html": "missing_page"}


# -- webmainbench ---------------------------------------------------------------------------------
def test_webmainbench(tmp_path):
    docs, rejects = run("webmainbench", FIX / "webmainbench" / "sample.jsonl", tmp_path)
    first = docs["11111111-aaaa-4bbb-8ccc-000000000001"]
    # the html string is stored as UTF-8 even though its <meta> claims gbk
    assert first.source.encoding == "utf-8" and first.source.url == "https://example.org/bridge"
    assert first.reference.convention == "webmainbench-groundtruth"
    assert first.reference.text.startswith("# Bridge to be replaced\n\n")
    assert first.metadata.language == "en"
    assert [(b.label, first.block_text(b)[:12]) for b in first.blocks] == [
        ("other", "Home"), ("title", "Bridge to be"), ("body", "The old foot"), ("body", "Cyclists and"),
        ("other", "Subscribe to")]
    second = docs["11111111-aaaa-4bbb-8ccc-000000000002"]
    assert second.reference.convention == "webmainbench-convert"
    assert reasons(rejects) == {"sample.jsonl:3": "missing_page"}


# -- readability --------------------------------------------------------------------------------------
def test_readability(tmp_path):
    docs, rejects = run("readability", FIX / "readability", tmp_path)
    assert set(docs) == {"bridge-1", "cafe-latin1"}
    doc = docs["bridge-1"]
    assert doc.reference.convention == "readability-expected-text"
    assert doc.reference.text.splitlines()[0].startswith("The old footbridge")
    m = doc.metadata
    assert (m.title, m.authors, m.date_published, m.language, m.site_name) == (
        "Bridge to be replaced", ("By Sam Lee",), "2019-03-05", "en", "Example News")
    assert labelled(doc)["title"] == ["Bridge to be replaced"] and len(labelled(doc)["body"]) == 2
    assert doc.source.url is None and doc.source.license == "Apache-2.0"
    assert docs["cafe-latin1"].source.encoding == "windows-1252"
    assert reasons(rejects) == {"no-expected/": "missing_gold"}


# -- shared behaviour ---------------------------------------------------------------------------------
def test_duplicate_pages_are_rejected_not_overwritten(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(FIX / "scrapinghub-aeb", src)
    shutil.copy(src / "html" / "a1.html.gz", src / "html" / "c3.html.gz")  # same bytes as a1
    docs, rejects = run("scrapinghub-aeb", src, tmp_path / "out")
    assert "c3" not in docs and reasons(rejects)["c3"] == "duplicate_page"


def test_cli_import_reports_and_exit_codes(tmp_path, capsys):
    from corpus.cli import main

    code = main(["import", "scrapinghub-aeb", str(FIX / "scrapinghub-aeb"), "--out", str(tmp_path / "o")])
    assert code == 0
    assert "imported 3 documents" in capsys.readouterr().err
    code = main(["import", "scrapinghub-aeb", str(tmp_path / "nothing-here"), "--out", str(tmp_path / "o2")])
    assert code == 2
    code = main(["import", "trafilatura-eval", str(FIX / "trafilatura-eval"), "--out", str(tmp_path / "o3"),
                 "--option", "pages=eval"])
    assert code == 0


def test_webmainbench_oversized_record_and_lone_surrogates(tmp_path, monkeypatch):
    import corpus.benchmarks._common as common

    big = {"track_id": "big", "html": "<p>" + "x" * 500 + "</p>"}
    odd = {"track_id": "odd", "html": '<p cc-select="true">broken \ud800 character in a sentence</p>'}
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(big) + "\n" + json.dumps(odd) + "\n", encoding="utf-8")
    monkeypatch.setattr(common, "MAX_IMPORT_RECORD_BYTES", 300)
    docs, rejects = run("webmainbench", src, tmp_path / "out")
    assert reasons(rejects) == {"in.jsonl:1": "record_too_large"}
    assert docs["odd"].text == "broken \ufffd character in a sentence"
    assert [b.label for b in docs["odd"].blocks] == ["body"]
