"""The dataset card states how the build deduplicated."""

from __future__ import annotations

from corpus.dataset.build import build
from tests.conftest import DATA


def test_card_reports_deduplication(tmp_path) -> None:
    build(DATA, tmp_path / "on")
    card = (tmp_path / "on" / "README.md").read_text(encoding="utf-8")
    assert "0 exact and 0 near duplicates dropped" in card and "dedup_audit.jsonl" in card
    build(DATA, tmp_path / "off", dedup=False)
    assert "The build did not deduplicate." in (tmp_path / "off" / "README.md").read_text(encoding="utf-8")


def test_card_states_the_split_rule_and_counts_per_source_and_split(tmp_path) -> None:
    import dataclasses

    from corpus.store import write_document
    from tests.build_helpers import make_corpus

    root = tmp_path / "c"
    docs = make_corpus(root, 12)
    # three pages imported from a benchmark: its dev page -> validation, the others (no split) -> test
    for d, split in zip(docs[:3], ("dev", None, None), strict=True):
        src = dataclasses.replace(d.source, source_dataset="cleaneval", split=split)
        write_document(dataclasses.replace(d, source=src), root / "documents" / f"{d.id}.json")
    build(root, tmp_path / "out")
    card = (tmp_path / "out" / "README.md").read_text(encoding="utf-8")
    assert "Split rule: source.split" in card and "benchmark test pages are never in `train`" in card
    rows = {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]]
            for line in card.splitlines() if line.startswith("| cleaneval |") or line.startswith("| native |")}
    header = next(line for line in card.splitlines() if line.startswith("| source |"))
    splits = [c.strip() for c in header.split("|")[2:-1]]
    cleaneval = dict(zip(splits, map(int, rows["cleaneval"]), strict=True))
    assert cleaneval.get("train", 0) == 0 and cleaneval["validation"] == 1 and cleaneval["test"] == 2
    assert sum(map(int, rows["native"])) == 9
