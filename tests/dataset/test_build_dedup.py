"""Deduplication inside ``corpus build``: plan, filter, audit file, manifest, train/test leakage guard."""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path

import pytest
from build_helpers import make_corpus, make_document

from corpus import api
from corpus.cli import EXIT_OK, EXIT_PROBLEMS, main
from corpus.dataset.build import SplitLeakageError, build
from corpus.dataset.dedup import check_split_leakage
from corpus.dataset.layout import DEDUP_AUDIT, MANIFEST
from corpus.dataset.read import read_built_documents
from corpus.dataset.splits import SPLIT_SEED, group_key, split_for_key
from corpus.dataset.verify import verify_dir
from corpus.ingestion.draft import draft_document
from corpus.model import Document, Layer
from corpus.store import write_document

REPO = Path(__file__).resolve().parents[2]
VOCAB = [f"term{i}" for i in range(2000)]


def _story(seed: int, n: int = 300) -> list[str]:
    rng = random.Random(seed)
    return [rng.choice(VOCAB) for _ in range(n)]


def _page(words: list[str], site: str, slug: str, root: Path) -> Document:
    """A drafted (valid) document for a page of ``words`` on ``site``, raw file under ``root/raw``."""
    raw = f"<html><body><h1>Story {slug}</h1><p>{' '.join(words)}</p></body></html>".encode()
    rel = f"raw/{slug}.html"
    (root / "raw").mkdir(parents=True, exist_ok=True)
    (root / rel).write_bytes(raw)
    return draft_document(raw, raw_path=rel, url=f"https://{site}/{slug}", crawl_date="2024-03-04")


def _write(root: Path, docs: list[Document]) -> None:
    for d in docs:
        write_document(d, root / "documents" / f"{d.id}.json")


def _exact_copy(root: Path, original: Document, i: int) -> Document:
    """Same page re-fetched with different raw bytes (so a different id), same text, weaker annotation."""
    raw = (root / original.source.raw_path).read_bytes() + b"\n<!-- served again -->\n"
    rel = f"raw/page{i:03d}-copy.html"
    (root / rel).write_bytes(raw)
    copy = draft_document(raw, raw_path=rel, url=(original.source.url or "") + "?copy", crawl_date="2024-03-05")
    assert copy.text == original.text and copy.id != original.id
    return copy.replace(
        blocks=original.blocks,
        entities=original.entities,
        metadata=original.metadata,
        annotation=dataclasses.replace(original.annotation, blocks=Layer("model", tool="labeller")),
    )


@pytest.fixture(scope="module")
def dup_corpus(tmp_path_factory) -> tuple[Path, dict[str, Document]]:
    """8 distinct pages, an exact copy of page 1 and a near copy (2 words edited) of a long story."""
    root = tmp_path_factory.mktemp("dups")
    docs = make_corpus(root, 8)
    exact = _exact_copy(root, docs[1], 1)
    words = _story(1)
    edited = list(words)
    edited[100], edited[200] = "edited", "changed"
    story = _page(words, "news.example.com", "long-a", root)
    near = _page(edited, "news.example.com", "long-b", root)
    _write(root, [exact, story, near])
    return root, {"original": docs[1], "exact": exact, "story": story, "near": near, "all": docs}


@pytest.fixture(scope="module")
def deduped(dup_corpus, tmp_path_factory) -> Path:
    root, _ = dup_corpus
    out = tmp_path_factory.mktemp("dist") / "corpus"
    build(root, out)  # validated (raw files included), dedup on by default
    return out


def test_duplicates_dropped_by_documented_priority(dup_corpus, deduped):
    _, d = dup_corpus
    kept = {doc.id for doc in read_built_documents(deduped)}
    assert d["original"].id in kept and d["exact"].id not in kept  # gold beats model
    # the two long stories have equal annotation: the smaller id is kept
    first, second = sorted((d["story"].id, d["near"].id))
    assert first in kept and second not in kept
    assert len(kept) == len(d["all"]) + 1


def test_build_with_two_jobs_writes_identical_bytes(dup_corpus, deduped, tmp_path):
    root, _ = dup_corpus
    out = tmp_path / "corpus"
    build(root, out, jobs=2)
    files = sorted(p.relative_to(deduped) for p in (deduped / "data").rglob("*") if p.is_file())
    assert files and files == sorted(p.relative_to(out) for p in (out / "data").rglob("*") if p.is_file())
    for rel in [*files, Path(DEDUP_AUDIT)]:
        assert (out / rel).read_bytes() == (deduped / rel).read_bytes(), rel


def test_plan_dedup_with_two_jobs_is_the_same_plan(dup_corpus):
    from corpus.dataset.dedup import plan_dedup

    _, d = dup_corpus
    docs = [*d["all"], d["exact"], d["story"], d["near"]]
    one, two = plan_dedup(docs), plan_dedup(iter(docs), jobs=2)
    assert one.dropped == two.dropped and one.total == two.total == len(docs)
    assert {a.kind for a in one.audit} == {"exact", "near"}


def test_audit_file_lists_each_dropped_document(dup_corpus, deduped):
    _, d = dup_corpus
    lines = (deduped / DEDUP_AUDIT).read_text(encoding="utf-8").splitlines()
    entries = [json.loads(x) for x in lines]
    by_id = {e["dropped_id"]: e for e in entries}
    assert [list(e) for e in entries] == [["dropped_id", "kept_id", "kind", "similarity"]] * 2
    assert by_id[d["exact"].id] == {
        "dropped_id": d["exact"].id,
        "kept_id": d["original"].id,
        "kind": "exact",
        "similarity": 1.0,
    }
    first, second = sorted((d["story"].id, d["near"].id))
    near = by_id[second]
    assert near["kept_id"] == first and near["kind"] == "near" and 0.8 <= near["similarity"] < 1.0
    assert [e["dropped_id"] for e in entries] == sorted(by_id)


def test_manifest_lists_audit_and_counts_and_verify_covers_it(deduped):
    manifest = json.loads((deduped / MANIFEST).read_text(encoding="utf-8"))
    listed = {f["path"]: f for f in manifest["files"]}
    assert DEDUP_AUDIT in listed and listed[DEDUP_AUDIT]["bytes"] == (deduped / DEDUP_AUDIT).stat().st_size
    dd = manifest["dedup"]
    assert dd["enabled"] and (dd["dropped_exact"], dd["dropped_near"], dd["documents"]) == (1, 1, 11)
    assert manifest["input"]["dropped"] == {"exact_duplicate": 1, "near_duplicate": 1}
    assert manifest["input"]["documents_read"] == 11 and manifest["input"]["documents"] == 9
    assert verify_dir(deduped).ok
    audit = deduped / DEDUP_AUDIT
    original = audit.read_bytes()
    audit.write_bytes(original.replace(b'"near"', b'"xxxx"'))  # same size, other content
    assert any(DEDUP_AUDIT in p for p in verify_dir(deduped).problems)
    audit.write_bytes(original)


def test_kept_documents_have_no_cross_split_duplicates(deduped):
    from corpus.dataset.read import iter_built_documents

    assert check_split_leakage((doc, split) for split, doc in iter_built_documents(deduped)) == []


def test_no_dedup_keeps_both_copies(dup_corpus, tmp_path, capsys):
    root, d = dup_corpus
    out = tmp_path / "out"
    assert main(["build", str(root), "--out", str(out), "--no-dedup"]) == EXIT_OK
    kept = {doc.id for doc in read_built_documents(out)}
    assert {d["exact"].id, d["original"].id, d["story"].id, d["near"].id} <= kept
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["dedup"] == {"enabled": False, "train_test_leakage_checked": True}
    assert not (out / DEDUP_AUDIT).exists() and verify_dir(out).ok


def _site_in(split: str, words: list[str], root: Path, slug: str) -> Document:
    for k in range(1000):
        doc = _page(words, f"site{k}.example", slug, root)
        if split_for_key(group_key(doc), SPLIT_SEED) == split:
            return doc
    raise AssertionError(f"no site lands in {split}")


def test_no_dedup_fails_when_near_duplicates_straddle_train_and_test(tmp_path, capsys):
    root = tmp_path / "c"
    words = _story(5)
    edited = list(words)
    edited[150] = "edited"
    a, b = _site_in("train", words, root, "a"), _site_in("test", edited, root, "b")
    _write(root, [a, b])
    out = tmp_path / "out"
    with pytest.raises(SplitLeakageError) as info:
        build(root, out, dedup=False)
    assert {(p.id_a, p.id_b) for p in info.value.pairs} == {tuple(sorted((a.id, b.id)))}
    assert not out.exists()
    assert main(["build", str(root), "--out", str(out), "--no-dedup"]) == EXIT_PROBLEMS
    err = capsys.readouterr().err
    assert "straddle two splits" in err and a.id in err and "Traceback" not in err
    # with dedup (the default) one copy is dropped and the build succeeds
    assert main(["build", str(root), "--out", str(out)]) == EXIT_OK
    assert "deduplication: 0 exact and 1 near duplicate(s) dropped" in capsys.readouterr().err
    assert len(list(read_built_documents(out))) == 1


def test_bundled_data_builds_with_nothing_dropped(tmp_path):
    data = REPO / "data"
    if not (data / "documents").is_dir():
        pytest.skip("no bundled data/ directory")
    result = api.build(data, tmp_path / "out", check_raw=False)
    assert result.dropped == {} and result.manifest["dedup"]["dropped_exact"] == 0
    assert result.manifest["dedup"]["dropped_near"] == 0
    assert (tmp_path / "out" / DEDUP_AUDIT).read_text(encoding="utf-8") == ""


def test_make_document_pages_are_not_near_duplicates_of_each_other(tmp_path):
    """Pages that share a template but differ in a few words stay distinct (true Jaccard about 0.5)."""
    docs = [make_document(tmp_path, i) for i in (0, 8, 16)]
    from corpus.dataset.dedup import plan_dedup

    assert plan_dedup(docs).dropped == {}
