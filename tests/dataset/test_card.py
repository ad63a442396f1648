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
