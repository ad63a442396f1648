"""The trafilatura-eval importer on the full development set in ../shared (skipped when absent, not in CI)."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from corpus.documents import load_documents
from corpus.formats import run_import


@pytest.mark.slow
@pytest.mark.shared
def test_trafilatura_dev_set_imports_every_page_and_validates(traf_eval_dir, tmp_path):
    from corpus.validation import validate_paths

    evaldata = json.loads((traf_eval_dir / "evaldata.json").read_text(encoding="utf-8"))
    summary = run_import("trafilatura-eval", traf_eval_dir, tmp_path)
    rejects = (tmp_path / "rejects.jsonl").read_text(encoding="utf-8").splitlines()
    assert summary.documents + summary.rejects == len(evaldata) == 592
    assert all(json.loads(r)["reason"] for r in rejects)
    # the benchmark gate scores every page: none may be lost
    assert summary.documents == 592, rejects[:5]

    docs = {d.source.source_id: d for d in load_documents(tmp_path / "documents")}
    assert set(docs) == set(evaldata)
    for url, entry in evaldata.items():
        doc = docs[url]
        assert list(doc.checks.include) == entry["with"] and list(doc.checks.exclude) == entry["without"]
        assert doc.source.source_dataset == "trafilatura-eval" and doc.source.url == url.strip()
        assert doc.source.raw_path == f"raw/trafilatura-eval/{entry['file']}"
    statuses = Counter(d.annotation.blocks.status for d in docs.values())
    assert statuses["projected"] >= 580  # nearly every page has an include snippet in its text

    report = validate_paths([tmp_path / "documents"])
    errors = [p for p in report.problems if p.severity == "error"]
    assert report.ok, errors[:5]
