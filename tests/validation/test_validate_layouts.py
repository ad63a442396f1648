"""`corpus validate DIR` reads a corpus root's documents, whatever layout ingest wrote."""

from __future__ import annotations

import shutil

from corpus.ingestion.engine import IngestOptions, ingest
from corpus.validation import validate_paths
from tests.conftest import DATA


def test_shards_layout_validates_shards_not_rejects(tmp_path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    for p in sorted((DATA / "raw").glob("00[1-3]*")):
        shutil.copy(p, pages / p.name)
    (pages / "empty.html").write_bytes(b"")  # becomes a reject
    out = tmp_path / "out"
    ingest([pages], out, options=IngestOptions(layout="shards", preannotate=False))
    assert any((out / "rejects").glob("*.jsonl"))
    report = validate_paths([out])
    assert report.ok, [p.format_text() for p in report.problems]
    assert report.documents == 3  # the rejects file is not read as documents
