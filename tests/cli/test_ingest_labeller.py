"""``corpus ingest --labeller learned|rules``: which block labeller makes the drafts."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from corpus.annotate.preannotate import preannotate
from corpus.cli import main
from corpus.documents import load_documents
from corpus.ingestion.draft import draft_document
from corpus.text.normalise import decode_raw
from tests.conftest import DATA

PAGES = ("001_harbourcourier_tidal_barrier.html", "002_dailyledger_dairy_deal.html.gz")


def _pages(tmp_path: Path) -> Path:
    pages = tmp_path / "pages"
    pages.mkdir()
    for name in PAGES:
        shutil.copy(DATA / "raw" / name, pages / name)
    return pages


def test_rules_labeller_makes_the_drafts(tmp_path: Path) -> None:
    pytest.importorskip("trafilatura")
    pages = _pages(tmp_path)
    out = tmp_path / "rules"
    assert main(["ingest", str(pages), "--out", str(out), "--labeller", "rules", "--ner", "none", "-q"]) == 0
    docs = {Path(d.source.input).name: d for d in load_documents(out)}
    assert sorted(docs) == sorted(PAGES)
    for name, doc in docs.items():
        assert doc.annotation.blocks.tool.startswith("corpus-labeller@1.0.0+trafilatura-"), doc.annotation.blocks
        assert doc.normalizer.version.startswith("1.")  # the rules label v1 blocks
        # the labels are those preannotate(..., labeller="rules") gives the same draft
        raw = (pages / name).read_bytes()
        html, _ = decode_raw(raw, "html", gzipped=name.endswith(".gz"))
        draft = draft_document(raw, raw_path=name)  # normaliser v1
        expected = preannotate(draft, html=html, ner=False, labeller="rules")
        assert [b.label for b in doc.blocks] == [b.label for b in expected.blocks]

    learned = tmp_path / "learned"
    assert main(["ingest", str(pages), "--out", str(learned), "--ner", "none", "-q"]) == 0
    assert all(d.annotation.blocks.tool.startswith("corpus-labeller@2.") for d in load_documents(learned))


def test_rules_labeller_without_the_extract_extra_names_it(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # find_spec -> None: not installed
    out = tmp_path / "out"
    assert main(["ingest", str(_pages(tmp_path)), "--out", str(out), "--labeller", "rules", "-q"]) == 2
    err = capsys.readouterr().err
    assert "the rules labeller (--labeller rules) needs the optional package 'trafilatura'" in err
    assert "pip install 'webcorpus[extract]' (from a clone: pip install -e '.[extract]')" in err
    assert "internal error" not in err
    assert not out.exists()  # refused before anything was written


def test_bad_labeller_choices_are_usage_errors(tmp_path: Path, capsys) -> None:
    pages = _pages(tmp_path)
    assert main(["ingest", str(pages), "--out", str(tmp_path / "a"), "--labeller", "magic", "-q"]) == 2
    assert "unknown labeller 'magic'; choose one of learned, rules" in capsys.readouterr().err
    assert main(["ingest", str(pages), "--out", str(tmp_path / "b"), "--labeller", "rules", "--normaliser", "v2",
                 "-q"]) == 2
    assert "the rules labeller labels normaliser v1 blocks; add --normaliser v1" in capsys.readouterr().err
    # without pre-annotation no labeller runs, so none is required
    assert main(["ingest", str(pages), "--out", str(tmp_path / "c"), "--labeller", "rules", "--normaliser", "v2",
                 "--no-preannotate", "-q"]) == 0
