"""The validator re-normalises a document with the normaliser it records (v1 with v1, v2 with v2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.ingestion.draft import draft_document
from corpus.model import Normalizer
from corpus.store import write_document
from corpus.text.normalisers import NORMALISERS, normalise_raw_with
from corpus.validation import validate_paths

# v1 makes two blocks of the buttons, v2 one inline run: the two normalisers disagree on this page.
RAW = b"<html><body><p>Ferry strike ends</p><div><button>Accept</button><button>Settings</button></div></body></html>"


def _corpus(root: Path, normaliser: str, recorded: Normalizer | None = None, raw: bytes = RAW) -> Path:
    (root / "raw").mkdir(parents=True)
    (root / "raw" / "p.html").write_bytes(raw)
    page = normalise_raw_with(normaliser, raw, "html")
    doc = draft_document(raw, raw_path="raw/p.html", raw_format="html", gzipped=False, page=page)
    if recorded is not None:
        doc = doc.replace(normalizer=recorded)
    write_document(doc, root / "documents" / f"{doc.id}.json")
    return root


@pytest.mark.parametrize("normaliser", ["v1", "v2"])
def test_each_normaliser_validates_its_own_documents(tmp_path: Path, normaliser: str) -> None:
    report = validate_paths([_corpus(tmp_path, normaliser)])
    assert report.ok and report.problems == [], [p.as_dict() for p in report.problems]


@pytest.mark.parametrize(("made_by", "recorded"), [("v1", "v2"), ("v2", "v1")])
def test_text_of_the_other_normaliser_is_not_reproduced(tmp_path: Path, made_by: str, recorded: str) -> None:
    report = validate_paths([_corpus(tmp_path, made_by, NORMALISERS[recorded])])
    assert {p.rule for p in report.problems} == {"text-not-reproduced"}


def test_a_normaliser_version_not_installed_is_a_warning_naming_the_installed_ones(tmp_path: Path) -> None:
    report = validate_paths([_corpus(tmp_path, "v2", Normalizer("corpus-normaliser", "0.9.0"))])
    (p,) = report.problems
    assert p.rule == "normalizer-not-installed" and "1.0.0" in p.message and "2.3.0" in p.message


@pytest.mark.parametrize("version", ["2.0.0", "2.1.0", "2.2.0"])
def test_a_document_of_an_earlier_compatible_v2_is_re_checked_by_the_current_one(tmp_path: Path,
                                                                                  version: str) -> None:
    """Later v2 versions changed only pages the earlier ones rejected (never a document): their records re-check."""
    report = validate_paths([_corpus(tmp_path / version, "v2", Normalizer("corpus-normaliser", version))])
    assert report.ok and report.problems == [], [p.as_dict() for p in report.problems]


# the product block stays display:none until the page's scripts load: 2.2.0 drafts the header alone,
# 2.3.0 the whole page (normaliser_v2.HIDDEN_WRAPPER_SHARE)
DEFERRED = (b"<html><body><header><a href=/>Shop</a></header><div style='display: none'><h1>Staple tee</h1><p>"
            + b"Heavyweight cotton, regular fit, ribbed neck and a tubular body. " * 3 + b"</p></div></body></html>")


def test_a_page_the_hidden_wrapper_rule_changes_re_checks_under_the_version_it_records(tmp_path: Path) -> None:
    old_text = normalise_raw_with("v2-2.2", DEFERRED, "html").text
    assert old_text == "Shop" and normalise_raw_with("v2", DEFERRED, "html").text.startswith("Shop\nStaple tee")
    # a 2.2.0 document of the page (its header alone) re-checks with 2.2.0's reading, not 2.3.0's
    old = validate_paths([_corpus(tmp_path / "old", "v2-2.2", Normalizer("corpus-normaliser", "2.2.0"), DEFERRED)])
    assert old.ok and old.problems == [], [p.as_dict() for p in old.problems]
    new = validate_paths([_corpus(tmp_path / "new", "v2", None, DEFERRED)])
    assert new.ok and new.problems == [], [p.as_dict() for p in new.problems]
    # and a 2.2.0 record on the 2.3.0 text is not reproduced
    mixed = validate_paths([_corpus(tmp_path / "mixed", "v2", Normalizer("corpus-normaliser", "2.2.0"), DEFERRED)])
    assert {p.rule for p in mixed.problems} == {"text-not-reproduced"}
