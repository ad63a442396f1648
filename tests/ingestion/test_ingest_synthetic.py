"""Synthetic pages (scripts/gen_pages.py) are deterministic and ingest cleanly with their known labels."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from corpus.ingestion.engine import IngestOptions, ingest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from gen_pages import generate


def digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(root)).encode() + p.read_bytes())
    return h.hexdigest()


def test_generator_is_deterministic_and_labels_match_text(tmp_path):
    generate(tmp_path / "a", 30, seed=3, gzip_share=0.2)
    generate(tmp_path / "b", 30, seed=3, gzip_share=0.2)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    generate(tmp_path / "c", 30, seed=4)
    assert digest(tmp_path / "a") != digest(tmp_path / "c")

    out = tmp_path / "out"
    s = ingest([str(tmp_path / "a" / "pages")], out, options=IngestOptions(preannotate=False))
    assert s.documents == 30 and s.rejects == 0
    labels = [json.loads(line) for line in (tmp_path / "a" / "labels.jsonl").read_text().splitlines()]
    texts = [json.loads(p.read_text())["text"] for p in (out / "documents").glob("*.json")]
    for row in labels:
        title = next(t for label, t in row["blocks"] if label == "title")
        (text,) = [t for t in texts if title in t]
        assert all(t in text for _, t in row["blocks"])  # every labelled block survives normalisation
