"""corpus stats: counts per block label, entity label, language, source, domain, split."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from build_helpers import make_corpus

from corpus.api import stats as stats_for_path
from corpus.cli import EXIT_OK, EXIT_USAGE, main
from corpus.dataset.build import build
from corpus.dataset.splits import assign_split
from corpus.dataset.stats import corpus_stats


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    return root, make_corpus(root, 12)


def test_counts_match_the_documents(corpus):
    root, docs = corpus
    stats = stats_for_path(root)
    assert stats.documents == len(docs)
    assert stats.blocks == sum(len(d.blocks) for d in docs)
    assert stats.block_labels == Counter(b.label or "(unlabelled)" for d in docs for b in d.blocks)
    assert stats.entity_labels == Counter(e.label for d in docs for e in d.entities)
    assert stats.languages == Counter(d.metadata.language for d in docs)
    assert stats.domains == Counter(d.source.domain for d in docs)
    assert stats.source_datasets == Counter({"native": len(docs)})
    assert stats.splits == Counter(assign_split(d) for d in docs)


def test_built_dataset_gives_the_same_stats(corpus, tmp_path):
    root, _ = corpus
    build(root, tmp_path / "out")
    assert stats_for_path(tmp_path / "out").to_dict() == stats_for_path(root).to_dict()


def test_cli_json(corpus, capsys):
    root, docs = corpus
    assert main(["stats", str(root), "--format", "json"]) == EXIT_OK
    out = json.loads(capsys.readouterr().out)
    assert out["documents"] == len(docs)
    assert out["languages"]["en"] == sum(d.metadata.language == "en" for d in docs)
    assert sum(out["splits"].values()) == len(docs)
    assert set(out["annotation_status"]) == {"blocks", "entities", "metadata"}


def test_cli_text_tables(corpus, capsys):
    root, _ = corpus
    assert main(["stats", str(root / "documents"), "--top", "2"]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("documents   12")
    for title in ("split", "block label", "entity label", "language", "source dataset", "domain"):
        assert f"\n{title} " in out
    assert "more)" in out  # --top truncates long tables


def test_cli_errors(tmp_path, capsys):
    assert main(["stats", str(tmp_path / "missing")]) == EXIT_USAGE
    assert main(["stats", str(tmp_path), "--format", "xml"]) == EXIT_USAGE


def test_corpus_stats_accepts_pairs(corpus):
    _, docs = corpus
    stats = corpus_stats(("test", d) for d in docs)
    assert stats.splits == Counter({"test": len(docs)})
    assert "test" in stats.format_text()
