"""The dataset card: what a consumer needs (licences, counts, labelling guide, plot, citation, the
dataset's change history, warnings) and how the build deduplicated."""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

from corpus.dataset.build import build, publication_date
from corpus.dataset.layout import CROISSANT, LABEL_PLOT, MANIFEST, README
from corpus.dataset.plot import NO_PLOT_REASON
from corpus.dataset.splits import assign_split
from corpus.dataset.verify import verify_dir
from corpus.documents import load_documents
from corpus.errors import ConfigError
from corpus.labels import BLOCK_LABEL_DEFINITIONS
from corpus.model import Document
from corpus.store import file_sha256, write_document
from tests.build_helpers import make_corpus
from tests.conftest import DATA


def _cells(line: str) -> list[str]:
    """The cells of a Markdown table row (``\\|`` is a literal bar)."""
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip()[1:-1])]


def _table_after(card: str, caption: str) -> tuple[list[str], dict[str, list[str]]]:
    """The Markdown table that follows the first line containing ``caption``: header cells and rows by
    first cell (a later row with the same first cell replaces an earlier one)."""
    lines = card.splitlines()
    start = next(i for i, line in enumerate(lines) if caption in line)
    first = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("|"))
    table = []
    for line in lines[first:]:
        if not line.startswith("|"):
            break
        table.append(_cells(line))
    return table[0], {r[0]: r for r in table[2:]}


def _table_rows(card: str, caption: str) -> list[list[str]]:
    lines = card.splitlines()
    start = next(i for i, line in enumerate(lines) if caption in line)
    first = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("|"))
    out = []
    for line in lines[first + 2 :]:
        if not line.startswith("|"):
            break
        out.append(_cells(line))
    return out


def test_card_reports_deduplication(tmp_path) -> None:
    build(DATA, tmp_path / "on")
    card = (tmp_path / "on" / "README.md").read_text(encoding="utf-8")
    assert "0 exact and 0 near duplicates dropped" in card and "dedup_audit.jsonl" in card
    build(DATA, tmp_path / "off", dedup=False)
    assert "The build did not deduplicate." in (tmp_path / "off" / "README.md").read_text(encoding="utf-8")


def test_card_states_the_split_rule_and_counts_per_source_and_split(tmp_path) -> None:
    root = tmp_path / "c"
    docs = make_corpus(root, 12)
    # three pages imported from a benchmark: its dev page -> validation, the others (no split) -> test
    for d, split in zip(docs[:3], ("dev", None, None), strict=True):
        src = dataclasses.replace(d.source, source_dataset="cleaneval", split=split)
        write_document(dataclasses.replace(d, source=src), root / "documents" / f"{d.id}.json")
    build(root, tmp_path / "out")
    card = (tmp_path / "out" / "README.md").read_text(encoding="utf-8")
    assert "Split rule: source.split" in card and "benchmark test pages are never in `train`" in card
    header, rows = _table_after(card, "Documents per source and split")
    cleaneval = dict(zip(header[1:], map(int, rows["cleaneval"][1:]), strict=True))
    assert cleaneval.get("train", 0) == 0 and cleaneval["validation"] == 1 and cleaneval["test"] == 2
    assert sum(map(int, rows["native"][1:])) == 9


# -- what a consumer needs: licences, counts, guide, plot, citation, change history ---------------

SEED_ID = "2a651a9cacbfdf27"


@pytest.fixture(scope="module")
def bundled(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("card") / "dist"
    build(DATA, out)
    return out


@pytest.fixture(scope="module")
def bundled_docs() -> list[Document]:
    return list(load_documents(DATA))


def _card(out: Path) -> str:
    return (out / README).read_text(encoding="utf-8")


def test_licence_table_lists_each_source_and_declared_licence(bundled, bundled_docs) -> None:
    got = {(r[0], r[1]): int(r[2]) for r in _table_rows(_card(bundled), "Licences per source:")}
    want = Counter(
        (d.source.source_dataset, "not declared: all rights stay with the publisher" if d.source.license is None
         else f"`{d.source.license}`")
        for d in bundled_docs
    )
    assert got == want and len(want) >= 2  # the bundled pages differ: CC-BY-4.0 and the undeclared seed


def test_counts_per_source_language_and_split(bundled, bundled_docs) -> None:
    header, _ = _table_after(_card(bundled), "Documents per source, language and split")
    splits = header[2:-1]
    got = Counter()
    for r in _table_rows(_card(bundled), "Documents per source, language and split"):
        for split, n in zip(splits, r[2:-1], strict=True):
            if int(n):
                got[(r[0], r[1], split)] += int(n)
        assert int(r[-1]) == sum(map(int, r[2:-1]))
    want = Counter((d.source.source_dataset, d.metadata.language, assign_split(d)) for d in bundled_docs)
    assert got == want and len({lang for _, lang, _ in want}) > 1


def test_counts_per_label(bundled, bundled_docs) -> None:
    card = _card(bundled)
    blocks = {r[0]: int(r[1]) for r in _table_rows(card, "### Block labels")}
    assert blocks == Counter(b.label for d in bundled_docs for b in d.blocks)
    entities = {r[0]: int(r[1]) for r in _table_rows(card, "### Entity labels")}
    assert entities == Counter(e.label for d in bundled_docs for e in d.entities)


def test_labelling_guide_defines_every_label_and_shows_the_seed_page(bundled, bundled_docs) -> None:
    card = _card(bundled)
    defined = {r[0].strip("`"): r[1] for r in _table_rows(card, "## Labelling guide")}
    assert defined == BLOCK_LABEL_DEFINITIONS
    seed = next(d for d in bundled_docs if d.id == SEED_ID)
    rows = _table_rows(card, f"### Example: document `{SEED_ID}` (the seed page")
    assert [r[2].strip("`") for r in rows] == [b.label for b in seed.blocks]
    texts = [seed.text[b.start : b.end] for b in seed.blocks]
    for r, text in zip(rows, texts, strict=True):
        assert r[1] == text or (r[1].endswith("…") and text.startswith(r[1][:-1]))


def test_guide_example_falls_back_to_a_gold_document(tmp_path) -> None:
    docs = make_corpus(tmp_path / "c", 3)
    build(tmp_path / "c", tmp_path / "out")
    first = min(d.id for d in docs if d.annotation.blocks.status == "gold")
    rows = _table_rows(_card(tmp_path / "out"), f"### Example: document `{first}`")
    doc = next(d for d in docs if d.id == first)
    assert [r[2].strip("`") for r in rows] == [b.label or "_(none)_" for b in doc.blocks]


def test_label_plot_is_published_listed_and_shown(bundled) -> None:
    import matplotlib.image

    png = bundled / LABEL_PLOT
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    height, width, _ = matplotlib.image.imread(png).shape
    assert width > 300 and height > 200
    assert f"![Blocks per label]({LABEL_PLOT})" in _card(bundled)
    manifest = json.loads((bundled / MANIFEST).read_text(encoding="utf-8"))
    listed = {f["path"]: f for f in manifest["files"]}
    assert listed[LABEL_PLOT]["sha256"] == file_sha256(png)
    assert verify_dir(bundled).ok


def test_without_matplotlib_no_plot_and_the_card_says_so(tmp_path, monkeypatch) -> None:
    for name in ("matplotlib", "matplotlib.figure", "matplotlib.backends.backend_agg"):
        monkeypatch.setitem(sys.modules, name, None)  # import raises ImportError
    make_corpus(tmp_path / "c", 3)
    out = tmp_path / "out"
    build(tmp_path / "c", out)
    assert not (out / LABEL_PLOT).exists()
    card = _card(out)
    assert "![Blocks per label]" not in card and NO_PLOT_REASON in card and "`bench` extra" in card
    assert verify_dir(out).ok


def test_warning_when_layers_are_model_drafts(tmp_path, bundled) -> None:
    assert "Warning: model drafts" not in _card(bundled)  # every bundled layer is gold
    docs = make_corpus(tmp_path / "c", 5)  # page 4's blocks are a model draft
    assert [d.annotation.blocks.status for d in docs].count("model") == 1
    result = build(tmp_path / "c", tmp_path / "out")
    # the build summary says so too, and names the output without the '..' of a relative path
    assert "note: model drafts, not checked by a person (the card warns): blocks of 1 of 5 documents" in (
        result.summary_lines())
    assert not any("model drafts" in line for line in build(DATA, tmp_path / "b").summary_lines())
    rel = build(tmp_path / "c", tmp_path / "c" / ".." / "out2")
    assert rel.summary_lines()[0] == f"built {tmp_path / 'out2'}"
    card = _card(tmp_path / "out")
    warning = next(line for line in card.splitlines() if "Warning: model drafts" in line)
    assert "blocks of 1 of 5 documents" in warning and "entities" not in warning.split("are model output")[0]
    assert card.index("Warning: model drafts") < card.index("## Loading")  # before anything else


def test_changelog_is_the_datasets_own_under_one_heading(bundled) -> None:
    card = _card(bundled)
    assert [line for line in card.splitlines() if line.strip().lower().endswith("changelog")] == ["## Changelog"]
    history = (DATA / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "### 1.0 — 2026-11-28" in card and history.splitlines()[0] not in card
    project = (DATA.parent / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## Unreleased" in project and "Unreleased" not in card


def test_changelog_next_to_the_corpus_is_not_the_datasets(tmp_path) -> None:
    root = tmp_path / "repo" / "data"
    make_corpus(root, 3)
    (root.parent / "CHANGELOG.md").write_text("# Changelog\n\n## Unreleased\n\n- the software changed\n")
    build(root, tmp_path / "out")
    card = _card(tmp_path / "out")
    assert "the software changed" not in card and "No change history was recorded" in card
    (root / "CHANGELOG.md").write_text("# History\n\n## 2.0 — 2025-02-01\n\n- ten pages re-annotated\n")
    build(root, tmp_path / "out")
    card = _card(tmp_path / "out")
    assert "- ten pages re-annotated" in card and "# History" not in card and "Published 2025-02-01." in card


def test_citation_section_and_each_source_cited_as_its_importer_says(tmp_path) -> None:
    from corpus import api
    from corpus.benchmarks import cleaneval, wceb

    root = tmp_path / "c"
    docs = make_corpus(root, 6)
    for d, source in zip(docs[:3], ("cleaneval", "cleaneval", "wceb/dragnet"), strict=True):
        src = dataclasses.replace(d.source, source_dataset=source)
        write_document(dataclasses.replace(d, source=src), root / "documents" / f"{d.id}.json")
    api.build(root, tmp_path / "out", validate=False)
    card = _card(tmp_path / "out")
    manifest = json.loads((tmp_path / "out" / MANIFEST).read_text(encoding="utf-8"))
    assert "@misc{" in card and manifest["input"]["sha256"] in card.split("## Citation")[1]
    cited = {r[0]: (int(r[1]), r[2]) for r in _table_rows(card, "cite the benchmark too")}
    assert cited == {"cleaneval": (2, cleaneval.CITATION), "wceb/dragnet": (1, wceb.CITATION)}
    assert "`native` pages (3)" in card


def test_publication_date_rules(monkeypatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    log = "# H\n\n## 1.1 — 2025-03-01\n\n## 1.0 (2024-12-24)\n\nmentions 2030-01-01 in the text\n"
    assert publication_date("2024-05-06", log, "2023-01-01") == "2024-05-06"
    assert publication_date(None, log, "2026-01-01") == "2025-03-01"  # headings only, the latest
    assert publication_date(None, "no dates", "2023-07-08") == "2023-07-08"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert publication_date(None, log, "") == "2023-11-14"
    with pytest.raises(ConfigError):
        publication_date("yesterday", None)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    with pytest.raises(ConfigError):
        publication_date(None, None)


def test_date_published_in_card_croissant_and_manifest(bundled) -> None:
    manifest = json.loads((bundled / MANIFEST).read_text(encoding="utf-8"))
    croissant = json.loads((bundled / CROISSANT).read_text(encoding="utf-8"))
    assert manifest["date_published"] == croissant["datePublished"] == "2026-11-28"  # data/CHANGELOG.md
    assert "Published 2026-11-28." in _card(bundled)
