"""Label Studio export/import: every span survives, UTF-16 offsets of old front-ends are converted."""

from __future__ import annotations

import json

import pytest
from annotation_samples import news_doc, samples

from corpus.cli import main
from corpus.documents import load_documents
from corpus.formats import run_export, run_import
from corpus.interop.spans import spans_equal, utf16_offsets
from corpus.store import write_documents


@pytest.fixture
def corpus_dir(tmp_path):
    d = tmp_path / "corpus" / "documents"
    write_documents(samples(), d)
    return tmp_path / "corpus"


def _imported(out):
    return {d.id: d for d in load_documents(out / "documents")}


@pytest.mark.parametrize("offsets", ["codepoints", "utf16"])
@pytest.mark.parametrize("target", ["predictions", "annotations"])
def test_round_trip_preserves_every_span(tmp_path, corpus_dir, offsets, target):
    run_export("labelstudio", samples(), tmp_path / "ls", offsets=offsets, target=target)
    summary = run_import("labelstudio", tmp_path / "ls" / "tasks.json", tmp_path / "out", corpus=corpus_dir)
    assert summary.rejects == 0 and summary.documents == 3
    got = _imported(tmp_path / "out")
    for doc in samples():
        assert spans_equal(got[doc.id], doc), doc.id
        if target == "predictions":
            assert got[doc.id].annotation == doc.annotation  # untouched pre-annotations keep provenance


def test_offsets_are_code_points_by_default_and_utf16_on_request(tmp_path):
    doc = news_doc()
    run_export("labelstudio", [doc], tmp_path / "a")
    run_export("labelstudio", [doc], tmp_path / "b", offsets="utf16")
    tasks_a = json.loads((tmp_path / "a" / "tasks.json").read_text(encoding="utf-8"))
    tasks_b = json.loads((tmp_path / "b" / "tasks.json").read_text(encoding="utf-8"))
    tripoli = next(e for e in doc.entities if e.text == "Tripoli")
    va = next(r["value"] for r in tasks_a[0]["predictions"][0]["result"] if r["value"]["text"] == "Tripoli")
    vb = next(r["value"] for r in tasks_b[0]["predictions"][0]["result"] if r["value"]["text"] == "Tripoli")
    assert (va["start"], va["end"]) == (tripoli.start, tripoli.end)
    astral_before = sum(1 for c in doc.text[: tripoli.start] if ord(c) > 0xFFFF)
    assert astral_before >= 5  # 🚀, 😀😀 and the two regional indicators of 🇫🇷
    assert (vb["start"], vb["end"]) == (tripoli.start + astral_before, tripoli.end + astral_before)
    # what a JavaScript front-end counts: UTF-16 code units
    assert doc.text.encode("utf-16-le")[2 * vb["start"] : 2 * vb["end"]].decode("utf-16-le") == "Tripoli"
    config = (tmp_path / "a" / "labeling_config.xml").read_text(encoding="utf-8")
    assert 'name="block"' in config and '<Label value="PER"/>' in config and '<Label value="paywall"/>' in config


def _task(doc, results, **extra):
    return {"id": 7, "data": {"text": doc.text, "doc_id": doc.id}, "annotations": [
        {"id": 1, "completed_by": {"email": "ann@example.org"}, "was_cancelled": False, "result": results}], **extra}


def _region(control, start, end, label, text=None):
    value = {"start": start, "end": end, "labels": [label]}
    if text is not None:
        value["text"] = text
    return {"from_name": control, "to_name": "text", "type": "labels", "value": value}


def test_hand_made_annotation_with_utf16_offsets_and_multi_block_region(tmp_path, corpus_dir):
    doc = news_doc()
    units = utf16_offsets(doc.text)
    paris = doc.text.index("Paris")
    berlin = doc.text.index("Berlin")
    b_first, b_last = doc.blocks[4], doc.blocks[6]
    results = [
        # an old front-end: UTF-16 units, with the selected text recorded
        _region("label", units[paris], units[paris + 5], "LOC", "Paris"),
        # a current front-end: code points, the block's final newline selected by accident
        _region("label", berlin, berlin + 7, "LOC", "Berlin\n"),
        # one region over three body blocks labels all three
        _region("block", b_first.start, b_last.end, "comments"),
    ]
    src = tmp_path / "export.json"
    src.write_text(json.dumps([_task(doc, results)]), encoding="utf-8")
    summary = run_import("labelstudio", src, tmp_path / "out", corpus=corpus_dir)
    assert summary.rejects == 0, (tmp_path / "out" / "rejects.jsonl").read_text()
    got = _imported(tmp_path / "out")[doc.id]
    assert [(e.text, e.label) for e in got.entities] == [("Paris", "LOC"), ("Berlin", "LOC")]
    assert [b.label for b in got.blocks] == [None] * 4 + ["comments"] * 3 + [None] * 2
    assert got.annotation.entities.status == "gold"
    assert got.annotation.entities.by == "ann@example.org" and got.annotation.entities.tool == "label-studio"


def test_bad_tasks_are_rejected_with_reasons(tmp_path, corpus_dir):
    doc = news_doc()
    changed = _task(doc, [])
    changed["data"]["text"] = doc.text + " edited"
    unknown = _task(doc, [])
    unknown["data"]["doc_id"] = "0000000000000000"
    wrong = _task(doc, [_region("label", 0, 4, "LOC", "Nope")])
    crossing = _task(doc, [_region("label", doc.blocks[0].start, doc.blocks[1].end, "ORG")])
    bad_label = _task(doc, [_region("label", 4, 11, "PERSON")])
    empty = {"data": {"text": doc.text, "doc_id": doc.id}}
    src = tmp_path / "export.json"
    src.write_text(json.dumps([changed, unknown, wrong, crossing, bad_label, empty]), encoding="utf-8")
    summary = run_import("labelstudio", src, tmp_path / "out", corpus=corpus_dir)
    assert summary.documents == 0 and summary.rejects == 6
    reasons = [json.loads(x)["reason"] for x in (tmp_path / "out" / "rejects.jsonl").read_text().splitlines()]
    assert reasons == ["text_changed", "document_unknown", "labelstudio_offsets", "entity_crosses_blocks",
                       "entity_label_unknown", "not_annotated"]


def test_cli_round_trip(tmp_path, corpus_dir, capsys):
    assert main(["export", "labelstudio", str(corpus_dir / "documents"), "--out", str(tmp_path / "ls")]) == 0
    assert main(["import", "labelstudio", str(tmp_path / "ls" / "tasks.json"), "--corpus", str(corpus_dir),
                 "--out", str(tmp_path / "out")]) == 0
    got = _imported(tmp_path / "out")
    assert all(spans_equal(got[d.id], d) for d in samples())
    assert main(["import", "labelstudio", str(tmp_path / "ls" / "tasks.json"), "--out", str(tmp_path / "o2")]) == 2
    assert "--corpus" in capsys.readouterr().err
