"""brat standoff export/import: every span survives; unsupported annotations are rejected, not dropped."""

from __future__ import annotations

import json

from annotation_samples import news_doc, samples

from corpus.documents import load_documents
from corpus.formats import run_export, run_import
from corpus.interop.spans import spans_equal
from corpus.store import write_documents


def _setup(tmp_path):
    corpus = tmp_path / "corpus"
    write_documents(samples(), corpus / "documents")
    run_export("brat", samples(), tmp_path / "brat")
    return corpus, tmp_path / "brat"


def test_round_trip_preserves_every_span(tmp_path):
    corpus, brat = _setup(tmp_path)
    summary = run_import("brat", brat, tmp_path / "out", corpus=corpus)
    assert summary.documents == 3 and summary.rejects == 0
    got = {d.id: d for d in load_documents(tmp_path / "out" / "documents")}
    for doc in samples():
        assert spans_equal(got[doc.id], doc), doc.id
        assert got[doc.id].metadata == doc.metadata


def test_files_use_code_point_offsets_and_block_attributes(tmp_path):
    _, brat = _setup(tmp_path)
    doc = news_doc()
    text = (brat / f"{doc.id}.txt").read_bytes().decode("utf-8")
    assert text == doc.text
    lines = (brat / f"{doc.id}.ann").read_text(encoding="utf-8").splitlines()
    t_lines = [x.split("\t") for x in lines if x.startswith("T")]
    for _, typ_offsets, surface in t_lines:
        _, s, e = typ_offsets.split(" ")
        assert text[int(s):int(e)] == surface
    assert sum(1 for x in t_lines if x[1].startswith("Block ")) == len(doc.blocks)
    assert "A1\tBlockLabel T1 header" in lines
    conf = (brat / "annotation.conf").read_text(encoding="utf-8")
    assert "BlockLabel\tArg:Block, Value:title|byline|body" in conf


def test_edited_annotations_are_applied(tmp_path):
    corpus, brat = _setup(tmp_path)
    doc = news_doc()
    ann = brat / f"{doc.id}.ann"
    envoy = doc.text.index("envoy")
    content = ann.read_text(encoding="utf-8").replace("BlockLabel T9 footer", "BlockLabel T9 other")
    content += f"T99\tMISC {envoy} {envoy + 5}\tenvoy\n#1\tAnnotatorNotes T99\ta note\n"
    ann.write_text(content, encoding="utf-8")
    run_import("brat", brat, tmp_path / "out", corpus=corpus)
    got = {d.id: d for d in load_documents(tmp_path / "out" / "documents")}[doc.id]
    assert got.blocks[8].label == "other"
    assert ("envoy", "MISC") in [(e.text, e.label) for e in got.entities]
    assert got.annotation.entities.tool == "brat"


def test_unrepresentable_annotations_reject_the_document(tmp_path):
    corpus, brat = _setup(tmp_path)
    docs = samples()
    ann0 = brat / f"{docs[0].id}.ann"
    ann0.write_text(ann0.read_text(encoding="utf-8") + "R1\tRel Arg1:T1 Arg2:T2\n", encoding="utf-8")
    ann1 = brat / f"{docs[1].id}.ann"
    ann1.write_text(ann1.read_text(encoding="utf-8") + "T50\tLOC 0 3;4 6\tWea the\n", encoding="utf-8")
    (brat / f"{docs[2].id}.txt").write_text("changed text", encoding="utf-8")
    summary = run_import("brat", brat, tmp_path / "out", corpus=corpus)
    assert summary.documents == 0
    reasons = sorted(json.loads(x)["reason"] for x in (tmp_path / "out" / "rejects.jsonl").read_text().splitlines())
    assert reasons == ["brat_discontinuous", "brat_unsupported", "text_changed"]
