"""Score the rule labeller's ``body`` view on trafilatura's evaluation set (metric ``trafilatura_segments``).

Runs, in the same process and on the same decoded pages: draft_document + preannotate (the
labeller's body view) and plain ``trafilatura.extract`` with default options.
``--labeller learned`` scores the shipped learned model instead, but it was trained on these very
pages, so that figure is in-sample; the learned labeller's honest (out-of-fold) figures come from
``scripts/train_labeller.py``. Prints one table (or JSON with ``--json``) with P / R / F1, pages,
empty outputs and seconds per system.

    python scripts/score_labeller.py [--dir ../shared/benchmarks/trafilatura-eval-dev] [--limit N] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from corpus.annotate.preannotate import PREANNOTATOR_VERSION, preannotate
from corpus.annotate.preannotate.labeller import labeller_tool, trafilatura_version
from corpus.annotate.preannotate.learned import learned_tool
from corpus.evaluate.metrics import trafilatura_segments
from corpus.ingestion.draft import draft_document
from corpus.text.normalise import decode_raw

DEFAULT_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks" / "trafilatura-eval-dev"


LABELLER = "rules"


def labeller_body(raw: bytes, html: str) -> str:
    doc = draft_document(raw, raw_format="html", gzipped=False)
    return preannotate(doc, html=html, ner=False, labeller=LABELLER).view("body")


def trafilatura_default(raw: bytes, html: str) -> str | None:
    import trafilatura

    return trafilatura.extract(html)


def load_pages(directory: Path, limit: int | None) -> list[tuple[str, bytes, str, list[str], list[str]]]:
    entries = json.loads((directory / "evaldata.json").read_text(encoding="utf-8"))
    pages = []
    for url, entry in sorted(entries.items()):
        raw = (directory / "pages" / entry["file"]).read_bytes()
        html, _ = decode_raw(raw, "html")
        pages.append((url, raw, html, list(entry.get("with") or ()), list(entry.get("without") or ())))
        if limit and len(pages) >= limit:
            break
    return pages


def score(name: str, fn: Callable[[bytes, str], str | None], pages) -> dict:
    items = []
    failed = 0
    t0 = time.perf_counter()
    for _url, raw, html, include, exclude in pages:
        try:
            out = fn(raw, html)
        except Exception as exc:  # a failure counts as an empty output (tp = fp = 0)
            print(f"{name}: {_url}: {type(exc).__name__}: {exc}", file=sys.stderr)
            out, failed = None, failed + 1
        items.append((out, include, exclude))
    seconds = time.perf_counter() - t0
    s = trafilatura_segments(items)
    return {"system": name, "n_pages": s.n_pages, "n_empty": s.n_empty, "n_failed": failed,
            "precision": round(s.precision, 4), "recall": round(s.recall, 4), "f1": round(s.f1, 4),
            "f1_std": None if s.f1_std is None else round(s.f1_std, 4), "seconds": round(seconds, 1)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="benchmark directory (evaldata.json + pages/)")
    ap.add_argument("--limit", type=int, default=None, help="score only the first N pages (sorted by URL)")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ap.add_argument("--only", choices=("labeller", "trafilatura"), default=None)
    ap.add_argument("--labeller", choices=("rules", "learned"), default="rules",
                    help="learned: in-sample (the model was trained on this set)")
    args = ap.parse_args(argv)
    global LABELLER
    LABELLER = args.labeller
    if not (args.dir / "evaldata.json").exists():
        print(f"no evaldata.json under {args.dir}", file=sys.stderr)
        return 2
    pages = load_pages(args.dir, args.limit)
    tool = learned_tool() + " (in-sample)" if args.labeller == "learned" else labeller_tool()
    systems = [(f"corpus-labeller {tool}", labeller_body),
               (f"trafilatura {trafilatura_version()} (extract, defaults)", trafilatura_default)]
    if args.only:
        prefix = {"labeller": "corpus", "trafilatura": "trafilatura"}[args.only]
        systems = [s for s in systems if s[0].startswith(prefix)]
    rows = [score(name, fn, pages) for name, fn in systems]
    if args.json:
        print(json.dumps({"preannotator_version": PREANNOTATOR_VERSION, "metric": "trafilatura_segments",
                          "results": rows}, indent=2))
    else:
        print(f"{'system':60} {'pages':>5} {'empty':>5} {'P':>6} {'R':>6} {'F1':>6} {'±':>6} {'sec':>6}")
        for r in rows:
            print(f"{r['system']:60} {r['n_pages']:5d} {r['n_empty']:5d} {r['precision']:6.3f} "
                  f"{r['recall']:6.3f} {r['f1']:6.3f} {r['f1_std'] or 0:6.3f} {r['seconds']:6.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
