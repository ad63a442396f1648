"""Every bundled document survives each annotation-tool export -> import round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.documents import load_documents
from corpus.formats import run_export, run_import
from corpus.interop.spans import spans_equal

DOCUMENTS = Path(__file__).resolve().parents[2] / "data" / "documents"
SOURCES = {"labelstudio": "tasks.json", "brat": ".", "doccano": "documents.jsonl"}


@pytest.mark.skipif(not any(DOCUMENTS.glob("*.json")), reason="no bundled documents in data/documents yet")
@pytest.mark.parametrize("fmt", sorted(SOURCES))
def test_bundled_documents_round_trip_through_tool(tmp_path, fmt):
    docs = list(load_documents(DOCUMENTS))
    run_export(fmt, docs, tmp_path / "tool")
    summary = run_import(fmt, tmp_path / "tool" / SOURCES[fmt], tmp_path / "out", corpus=DOCUMENTS.parent)
    assert summary.rejects == 0, (tmp_path / "out" / "rejects.jsonl").read_text(encoding="utf-8")
    got = {d.id: d for d in load_documents(tmp_path / "out" / "documents")}
    assert sorted(got) == sorted(d.id for d in docs)
    for doc in docs:
        assert spans_equal(got[doc.id], doc), doc.id
