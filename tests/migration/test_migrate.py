"""``corpus migrate``: labels and entities carried from the old text to the re-normalised one, schema
upgrades, the report, the identity property and the exit codes."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.cli import main
from corpus.errors import ConfigError, DocumentError
from corpus.ingestion.draft import draft_document
from corpus.labels import BLOCK_LABELS
from corpus.migration.report import DocumentReport
from corpus.migration.run import RawPage, migrate, migrate_document
from corpus.migration.schema_upgrade import upgrade_schema
from corpus.model import SCHEMA_VERSION, Annotation, Document, Entity, Layer
from corpus.store import document_json
from corpus.text.normalisers import normalise_raw_with
from corpus.validation import validate_paths

GOLD = Layer("gold", "tester")


def _annotated(raw: bytes, normaliser: str, labels: list[str], entity_words: dict[str, str]) -> Document:
    """A gold document of ``raw`` normalised by ``normaliser``: block ``i`` gets ``labels[i % n]``, and
    each word of ``entity_words`` is an entity at its first occurrence."""
    page = normalise_raw_with(normaliser, raw, "html")
    doc = draft_document(raw, raw_path="raw/page.html", raw_format="html", gzipped=False, page=page)
    blocks = tuple(replace(b, label=labels[i % len(labels)]) for i, b in enumerate(doc.blocks))
    ents = []
    for word, label in entity_words.items():
        m = re.search(rf"\b{re.escape(word)}\b", doc.text)
        if m:
            ents.append(Entity(m.start(), m.end(), label, word))
    ents.sort(key=lambda e: e.start)
    return doc.replace(blocks=blocks, entities=tuple(ents),
                       annotation=Annotation(GOLD, GOLD, Layer("none"), guidelines_version="1.0"))


def _corpus(root: Path, doc: Document, raw: bytes) -> Path:
    (root / "raw").mkdir(parents=True)
    (root / "raw" / "page.html").write_bytes(raw)
    (root / "documents").mkdir()
    (root / "documents" / f"{doc.id}.json").write_text(document_json(doc), encoding="utf-8")
    return root


# -- the identity property ---------------------------------------------------------------------------

_WORD = st.text("abcdefghijklmnopqrstuvwxyzäéøß", min_size=1, max_size=8)
_INLINE = st.sampled_from(["{}", "<b>{}</b>", "<a href='#'>{}</a>", "<span>{}</span>", "{}&amp;co"])
_BLOCK = st.sampled_from(["<p>{}</p>", "<h2>{}</h2>", "<li>{}</li>", "<div>{}</div>", "{}<br>", "<td>{}</td>"])


@st.composite
def _pages(draw: st.DrawFn) -> bytes:
    blocks = []
    for _ in range(draw(st.integers(1, 8))):
        words = [draw(_INLINE).format(w) for w in draw(st.lists(_WORD, min_size=1, max_size=6))]
        blocks.append(draw(_BLOCK).format(" ".join(words)))
    return ("<!doctype html><html><head><meta charset='utf-8'><title>t</title></head><body>"
            + "\n".join(blocks) + "</body></html>").encode()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=_pages(), normaliser=st.sampled_from(["v1", "v2"]),
       labels=st.lists(st.sampled_from(BLOCK_LABELS), min_size=1, max_size=4),
       n_entities=st.integers(0, 3), data=st.data())
def test_migrating_to_the_version_a_document_has_is_the_identity(raw: bytes, normaliser: str, labels: list[str],
                                                                 n_entities: int, data: st.DataObject) -> None:
    words = sorted(set(re.findall(r"[^\W\d_]+", raw.decode()[raw.decode().index("<body>"):])) - {"br", "amp"})
    picked = data.draw(st.lists(st.sampled_from(words), max_size=n_entities, unique=True)) if words else []
    doc = _annotated(raw, normaliser, labels, dict.fromkeys(picked, "PER"))
    if not doc.text:
        return
    rep = DocumentReport(doc.id, "-")
    new = migrate_document(doc.to_dict(), RawPage(raw, False, None, Path("-")), normaliser, rep)
    assert new == doc
    assert new.to_dict() == doc.to_dict()
    assert not rep.changed and not rep.needs_review
    assert rep.blocks_carried == len(doc.blocks) and rep.entities_carried == len(doc.entities)


def test_a_1_0_0_document_at_its_normaliser_only_gains_the_schema_version(tmp_path: Path) -> None:
    raw = b"<html><body><h1>Bridge opens</h1><p>Anna Berg cut the ribbon in Talby.</p></body></html>"
    doc = _annotated(raw, "v1", ["title", "body"], {"Anna": "PER", "Talby": "LOC"})
    old = doc.to_dict()
    old["schema_version"] = "1.0.0"
    del old["source"]["encoding_source"]
    rep = DocumentReport(doc.id, "-")
    new = migrate_document(old, RawPage(raw, False, None, Path("-")), "v1", rep)
    assert new == doc  # encoding_source is filled in by decoding again
    assert (rep.from_schema, rep.to_schema) == ("1.0.0", SCHEMA_VERSION)
    assert rep.changed and not rep.needs_review


# -- carrying v1 annotations to v2 -------------------------------------------------------------------

V1_TO_V2 = (
    b"<html><body><h1>Ferry strike ends</h1>"
    b"<div><button>Accept</button><button>Settings</button></div>"  # v1: two blocks; v2: one inline run
    b"<p>Maria Costa said the ferries to Naxos run again.</p>"
    b"<pre>line one\nline two</pre>"  # v1: one block; v2: one block per line
    b"<nav><a href='/'>Home</a></nav><div><button>Menu</button><a href='/s'>Subscribe now please</a></div>"
    b"</body></html>"
)


def _v1_gold() -> Document:
    doc = _annotated(V1_TO_V2, "v1", ["other"], {"Maria": "PER", "Costa": "PER", "Naxos": "LOC"})
    by_text = {"Ferry strike ends": "title", "Maria Costa said the ferries to Naxos run again.": "body",
               "Home": "navigation", "Menu": "navigation", "Subscribe now please": "paywall"}
    blocks = tuple(replace(b, label=by_text.get(doc.block_text(b), "other")) for b in doc.blocks)
    return doc.replace(blocks=blocks)


def test_v1_to_v2_carries_labels_through_merges_and_splits_and_reports_conflicts() -> None:
    old = _v1_gold()
    assert [old.block_text(b) for b in old.blocks] == [
        "Ferry strike ends", "Accept", "Settings", "Maria Costa said the ferries to Naxos run again.",
        "line one line two", "Home", "Menu", "Subscribe now please"]
    rep = DocumentReport(old.id, "-")
    new = migrate_document(old.to_dict(), RawPage(V1_TO_V2, False, None, Path("-")), "v2", rep)
    got = {new.block_text(b): b.label for b in new.blocks}
    assert got["Ferry strike ends"] == "title"
    assert got["Maria Costa said the ferries to Naxos run again."] == "body"
    assert got["AcceptSettings"] == "other"  # two "other" blocks merged: changed, one label
    assert got["MenuSubscribe now please"] == "paywall"  # navigation 4 characters, paywall 18: conflict
    conflicts = [n for n in rep.block_notes if n.outcome == "conflict"]
    assert [(n.label, n.shares) for n in conflicts] == [("paywall", {"paywall": 18, "navigation": 4})]
    assert rep.blocks_conflict == 1 and rep.needs_review
    assert [new.text[e.start:e.end] for e in new.entities] == ["Maria", "Costa", "Naxos"]
    assert rep.entities_carried == 3 and rep.entities_lost == rep.entities_changed == 0
    assert new.annotation.entities.status == "gold" and new.annotation.blocks.status == "gold"
    assert new.normalizer.version == "2.3.0" and new.schema_version == SCHEMA_VERSION
    assert new.metadata == old.metadata and new.source.raw_sha256 == old.source.raw_sha256


def test_an_entity_that_cannot_be_placed_is_reported_and_the_layer_needs_review() -> None:
    old = _v1_gold()
    # an entity over "line one line two": v2 splits the <pre> into two blocks, so it crosses them
    i = old.text.index("line one line two")
    ents = sorted((*old.entities, Entity(i, i + len("line one line two"), "MISC", "line one line two")),
                  key=lambda e: e.start)
    old = old.replace(entities=tuple(ents))
    rep = DocumentReport(old.id, "-")
    new = migrate_document(old.to_dict(), RawPage(V1_TO_V2, False, None, Path("-")), "v2", rep)
    assert rep.entities_lost == 1
    (note,) = [n for n in rep.entity_notes if n.outcome == "lost"]
    assert note.text == "line one line two" and "one block" in (note.why or "")
    assert [e.text for e in new.entities] == ["Maria", "Costa", "Naxos"]
    assert new.annotation.entities == Layer("projected", "tester", "corpus.migration")
    assert rep.status_changes == {"entities": ["gold", "projected"]}


def test_a_surface_change_is_kept_with_the_new_text_and_reported() -> None:
    raw1 = "<html><body><p>Visit Zürich today</p></body></html>".encode()
    doc = _annotated(raw1, "v1", ["body"], {"Zürich": "LOC"})
    # the same document, but its recorded text had the decomposed form (an older normaliser's output)
    old_text = doc.text.replace("ü", "u\u0308")
    old = doc.replace(text=old_text, blocks=(replace(doc.blocks[0], end=len(old_text)),),
                      entities=(Entity(6, 13, "LOC", "Zu\u0308rich"),))
    rep = DocumentReport(old.id, "-")
    new = migrate_document(old.to_dict(), RawPage(raw1, False, None, Path("-")), "v2", rep)
    assert [(e.text, e.start, e.end) for e in new.entities] == [("Zürich", 6, 12)]
    assert rep.entities_changed == 1 and new.annotation.entities.status == "projected"


def test_a_block_no_old_text_covers_is_lost_and_lowers_the_block_layer() -> None:
    raw = b"<html><body><p>Alpha beta</p><p>Gamma delta</p></body></html>"
    doc = _annotated(raw, "v2", ["body"], {})
    old = doc.replace(text="Alpha beta", blocks=(replace(doc.blocks[0]),))
    rep = DocumentReport(old.id, "-")
    new = migrate_document(old.to_dict(), RawPage(raw, False, None, Path("-")), "v2", rep)
    assert [b.label for b in new.blocks] == ["body", None]
    assert rep.blocks_lost == 1 and new.annotation.blocks.status == "projected"


# -- schema upgrades -----------------------------------------------------------------------------------

def test_schema_steps_run_in_order_for_the_versions_after_the_documents() -> None:
    calls: list[str] = []

    def step(version: str):
        def run(d: dict) -> None:
            calls.append(version)
            d.setdefault("added", []).append(version)
        return run

    steps = {"1.3.0": step("1.3.0"), "1.1.0": step("1.1.0"), "1.10.0": step("1.10.0"), "1.2.0": step("1.2.0")}
    doc = {"schema_version": "1.1.0", "id": "x"}
    out, applied = upgrade_schema(doc, target="1.10.0", steps=steps)
    assert applied == calls == ["1.2.0", "1.3.0", "1.10.0"]
    assert out == {"schema_version": "1.10.0", "id": "x", "added": ["1.2.0", "1.3.0", "1.10.0"]}
    assert doc == {"schema_version": "1.1.0", "id": "x"}  # the input is not modified
    assert upgrade_schema(out, target="1.10.0", steps=steps) == (out, [])


@pytest.mark.parametrize(("version", "reason"), [("2.0.0", "schema_version_unsupported"),
                                                 ("1.99.0", "schema_version_newer"),
                                                 ("one", "schema_version_unsupported")])
def test_schema_versions_that_cannot_be_migrated_are_named(version: str, reason: str) -> None:
    with pytest.raises(DocumentError) as exc:
        upgrade_schema({"schema_version": version})
    assert exc.value.reason == reason


# -- the command ---------------------------------------------------------------------------------------

def test_migrate_out_writes_a_valid_corpus_and_a_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = _corpus(tmp_path / "c", _v1_gold(), V1_TO_V2)
    assert validate_paths([src]).ok  # the v1 document validates with v1
    code = main(["migrate", str(src), "--out", str(tmp_path / "m"), "--normaliser", "v2"])
    assert code == 1  # the conflict needs review
    report = json.loads((tmp_path / "m" / "migration-report.json").read_text(encoding="utf-8"))
    err = capsys.readouterr().err  # the terminal lists what needs review, with its details
    doc_id = report["documents"][0]["id"]
    assert f"needs review: {doc_id}: " in err and "conflict: paywall" in err
    assert report["totals"]["blocks_conflict"] == 1 and report["documents"][0]["needs_review"]
    assert "conflict: paywall" in (tmp_path / "m" / "migration-report.txt").read_text(encoding="utf-8")
    assert (tmp_path / "m" / "raw" / "page.html").read_bytes() == V1_TO_V2
    result = validate_paths([tmp_path / "m"])
    assert result.ok and not result.problems, [p.as_dict() for p in result.problems]  # v2 validates with v2
    # migrating the migrated corpus again is clean: exit 0 and nothing rewritten
    before = (tmp_path / "m" / "documents").iterdir().__next__().read_bytes()
    assert main(["migrate", str(tmp_path / "m"), "--in-place", "--normaliser", "v2",
                 "--report", str(tmp_path / "r.json")]) == 0
    assert next((tmp_path / "m" / "documents").iterdir()).read_bytes() == before
    err = capsys.readouterr().err
    assert "0 need review" in err
    assert doc_id not in err  # a document with nothing to review is only in the report's .txt
    assert doc_id in (tmp_path / "r.txt").read_text(encoding="utf-8")


def test_migrate_in_place_rewrites_jsonl_and_keeps_documents_it_cannot_migrate(tmp_path: Path) -> None:
    good = _v1_gold()
    orphan = good.replace(id="0" * 16, source=replace(good.source, raw_sha256="0" * 64, raw_path="raw/gone.html"))
    root = tmp_path / "c"
    (root / "raw").mkdir(parents=True)
    (root / "raw" / "page.html").write_bytes(V1_TO_V2)
    (root / "documents").mkdir()
    lines = [json.dumps(d.to_dict(), ensure_ascii=False) + "\n" for d in (good, orphan)]
    (root / "documents" / "docs.jsonl").write_text("".join(lines), encoding="utf-8")
    result = migrate(root, in_place=True, normaliser="v2", report=tmp_path / "rep.json")
    assert [d.error["reason"] if d.error else None for d in result.documents] == [None, "raw_missing"]
    rows = [json.loads(x) for x in (root / "documents" / "docs.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rows[0]["normalizer"]["version"] == "2.3.0" and rows[1] == orphan.to_dict()
    assert not result.ok and result.totals()["failed"] == 1
    assert "NOT MIGRATED [raw_missing]" in (tmp_path / "rep.txt").read_text(encoding="utf-8")


def test_migrate_usage_errors_exit_2(tmp_path: Path) -> None:
    src = _corpus(tmp_path / "c", _v1_gold(), V1_TO_V2)
    assert main(["migrate", str(src)]) == 2
    assert main(["migrate", str(src), "--in-place", "--out", str(tmp_path / "o")]) == 2
    assert main(["migrate", str(src), "--out", str(tmp_path / "o"), "--normaliser", "v9"]) == 2
    assert main(["migrate", str(tmp_path / "missing"), "--out", str(tmp_path / "o")]) == 2
    with pytest.raises(ConfigError):
        migrate(src, out=src, normaliser="v2")


def test_a_v2_draft_is_labelled_by_the_learned_labeller_on_its_own_blocks() -> None:
    from corpus.annotate.preannotate import preannotate
    from corpus.annotate.preannotate.learned import learned_tool
    from corpus.ingestion.engine import draft_page
    from corpus.ingestion.plan import IngestOptions

    def draft(normaliser: str) -> Document:
        return draft_page(V1_TO_V2, raw_path="raw/page.html", raw_format="html", gzipped=False,
                          options=IngestOptions(ner="off", normaliser=normaliser), preannotate=preannotate)

    v1, v2 = draft("v1"), draft("v2")
    assert v2.normalizer.version == "2.3.0" and v2.annotation.blocks.status == "model"
    assert v2.annotation.blocks.tool == learned_tool()
    assert all(b.label is not None for b in v2.blocks)
    assert v2.metadata == v1.metadata


def test_terminal_summary_caps_the_details_it_lists(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = migrate(_corpus(tmp_path / "c", _v1_gold(), V1_TO_V2), out=tmp_path / "m", normaliser="v2")
    details = result.documents[0].detail_lines()
    assert details and result.brief().count("\n") < result.summary().count("\n") + 2
    monkeypatch.setattr("corpus.limits.MIGRATE_SHOWN_DETAILS", 0)
    brief = result.brief()
    assert f"  ... {len(details)} more in the report" in brief and "conflict: paywall" not in brief
    monkeypatch.setattr("corpus.limits.MIGRATE_SHOWN_DOCUMENTS", 0)
    assert "... 1 more documents need review (see the report)" in result.brief()
