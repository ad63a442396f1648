"""doccano JSONL export/import: every span survives, both doccano span layouts are read."""

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
    run_export("doccano", samples(), tmp_path / "dc")
    return corpus, tmp_path / "dc" / "documents.jsonl"


def test_round_trip_preserves_every_span(tmp_path):
    corpus, src = _setup(tmp_path)
    summary = run_import("doccano", src, tmp_path / "out", corpus=corpus)
    assert summary.documents == 3 and summary.rejects == 0
    got = {d.id: d for d in load_documents(tmp_path / "out" / "documents")}
    for doc in samples():
        assert spans_equal(got[doc.id], doc), doc.id


def test_code_point_offsets_and_block_spans(tmp_path):
    _, src = _setup(tmp_path)
    rec = json.loads(src.read_text(encoding="utf-8").splitlines()[0])
    doc = news_doc()
    assert rec["doc_id"] == doc.id and rec["text"] == doc.text
    for s, e, label in rec["label"]:
        if label.startswith("block:"):
            assert any((b.start, b.end, "block:" + b.label) == (s, e, label) for b in doc.blocks)
        else:
            assert any((x.start, x.end, x.label) == (s, e, label) for x in doc.entities)


def test_entities_layout_and_matching_by_text(tmp_path):
    corpus, _ = _setup(tmp_path)
    doc = news_doc()
    paris = doc.text.index("Paris")
    rec = {"id": 3, "text": doc.text, "entities": [{"id": 1, "start_offset": paris, "end_offset": paris + 5,
                                                     "label": "LOC"}], "relations": []}
    src = tmp_path / "new.jsonl"
    src.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    summary = run_import("doccano", src, tmp_path / "out", corpus=corpus)
    assert summary.documents == 1
    got = next(iter(load_documents(tmp_path / "out" / "documents")))
    assert got.id == doc.id
    assert [(e.text, e.label) for e in got.entities] == [("Paris", "LOC")]
    assert got.blocks == doc.blocks  # no block spans: block labels kept


def test_bad_lines_are_rejected(tmp_path):
    corpus, _ = _setup(tmp_path)
    doc = news_doc()
    lines = ["not json", json.dumps({"text": "unknown page", "label": []}),
             json.dumps({"text": doc.text, "doc_id": doc.id, "label": [[0, 3, "LOC", "x"]]}),
             json.dumps({"text": doc.text, "doc_id": doc.id, "label": [[0, 10, "block:mainbody"]]})]
    src = tmp_path / "bad.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = run_import("doccano", src, tmp_path / "out", corpus=corpus)
    assert summary.documents == 0
    reasons = [json.loads(x)["reason"] for x in (tmp_path / "out" / "rejects.jsonl").read_text().splitlines()]
    assert reasons == ["json_syntax", "document_unknown", "doccano_syntax", "block_label_unknown"]
