"""Dump, or compare against a dump, the learned labeller's feature matrices and the pre-annotated drafts.

Run once with one tree on ``PYTHONPATH`` (``--dump FILE``), then with another (``--compare FILE``): the
second run fails unless every page's feature matrix is equal (``np.array_equal``, same dtype and
shape), with the same cues and title block, and every draft's JSON is byte-identical once its
timestamps are masked. Pages: the first ``--per-set`` pages of trafilatura-eval-dev and of wcxb-dev.

    python scripts/check_draft_identity.py --dump /tmp/before.npz [--per-set 200]
    python scripts/check_draft_identity.py --compare /tmp/before.npz [--per-set 200]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if not os.environ.get("PYTHONPATH"):  # else the tree on PYTHONPATH is the one checked
    sys.path.insert(0, str(ROOT))

from corpus.annotate.preannotate import preannotate  # noqa: E402
from corpus.annotate.preannotate.learned.features import page_features  # noqa: E402
from corpus.errors import DocumentError  # noqa: E402
from corpus.ingestion.engine import draft_page  # noqa: E402
from corpus.ingestion.plan import IngestOptions  # noqa: E402
from corpus.store import document_json  # noqa: E402
from corpus.text.normalise import decode_raw  # noqa: E402

SHARED = ROOT.parent / "shared" / "benchmarks"
_STAMP = re.compile(r'"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[^"]*"')


def pages(per_set: int) -> list[tuple[str, bytes, bool]]:
    """``(name, raw bytes, gzipped)`` of the first ``per_set`` pages of each shared set."""
    base = SHARED / "trafilatura-eval-dev"
    entries = json.loads((base / "evaldata.json").read_text(encoding="utf-8"))
    files = [base / "pages" / e["file"] for _url, e in sorted(entries.items())]
    out = [(p.name, p.read_bytes(), False) for p in files if p.is_file()][:per_set]
    wc = sorted((SHARED / "wcxb-dev" / "dev" / "html").glob("*.html.gz"))[:per_set]
    return out + [(p.name, p.read_bytes(), True) for p in wc]


def snapshot(per_set: int) -> dict[str, np.ndarray]:
    """Per page: the feature matrix, its cues and title block, and the masked draft JSON."""
    opts = IngestOptions(normaliser="v2", ner="off")
    out: dict[str, np.ndarray] = {}
    for name, raw, gz in pages(per_set):
        html = decode_raw(raw, "html", gzipped=gz)[0]
        try:
            pf = page_features(html)
            out[f"X/{name}"] = pf.X
            out[f"meta/{name}"] = np.frombuffer(json.dumps([list(pf.cues), pf.title_index]).encode(), np.uint8)
            doc = draft_page(raw, raw_path="raw/x.html", raw_format="html", gzipped=gz, options=opts,
                             preannotate=preannotate)
            js = _STAMP.sub('"T"', document_json(doc))
        except DocumentError as exc:
            js = f"rejected: {exc.reason}"
        out[f"doc/{name}"] = np.frombuffer(js.encode(), np.uint8)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--dump", type=Path)
    g.add_argument("--compare", type=Path)
    ap.add_argument("--per-set", type=int, default=200)
    args = ap.parse_args(argv)
    now = snapshot(args.per_set)
    if args.dump:
        np.savez_compressed(args.dump, **now)
        print(f"{sum(k.startswith('doc/') for k in now)} pages dumped to {args.dump}")
        return 0
    with np.load(args.compare, allow_pickle=False) as z:
        before = {k: z[k] for k in z.files}
    bad = sorted(set(before) ^ set(now))
    for k in sorted(set(before) & set(now)):
        a, b = before[k], now[k]
        if a.dtype != b.dtype or a.shape != b.shape or not np.array_equal(a, b):
            bad.append(k)
    n = sum(k.startswith("doc/") for k in now)
    n_x = sum(k.startswith("X/") for k in now)
    print(f"{n} pages ({n_x} feature matrices, {sum(before[k].size for k in before if k.startswith('X/'))} "
          f"values): {len(bad)} differences" + (f": {bad[:10]}" if bad else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
