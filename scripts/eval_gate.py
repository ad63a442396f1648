#!/usr/bin/env python3
"""CI evaluation gate: import the trafilatura evaluation dev set, bench the default extractor, and
fail when precision, recall or F1 fall below the pinned floors.

The floors hold for the pinned dev set (DIGEST: sha256 over its sorted page files and
``evaldata.json``) and the pinned trafilatura version; a change to either must re-pin them (run
this script with ``--print-pins``). A regression in importing, normalising, running the extractor
or scoring moves the numbers and fails the gate.

    python scripts/eval_gate.py [--src ../shared/benchmarks/trafilatura-eval-dev] [--jobs 2]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SRC = ROOT.parent / "shared" / "benchmarks" / "trafilatura-eval-dev"

#: Pinned inputs.
DIGEST = "4a7686fb55527dd9f5a2367d9dbef4b00343163c87f76281825e66ac9c7ade54"
TRAFILATURA_VERSION = "2.3.1"
N_PAGES = 592
SYSTEM = "trafilatura"
METRIC = "trafilatura_segments"
#: Pinned floors (the measured values rounded down to 4 decimals); no regression allowed.
FLOORS = {"precision": 0.9046, "recall": 0.9499, "f1": 0.9267}


def dev_set_digest(src: str | Path) -> str:
    """sha256 over (relative path, sha256 of content) of every page file and ``evaldata.json``, sorted."""
    src = Path(src)
    files = sorted([p for p in (src / "pages").rglob("*") if p.is_file()] + [src / "evaldata.json"])
    h = hashlib.sha256()
    for p in files:
        h.update(p.relative_to(src).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def run_gate(src: str | Path, work: str | Path, *, jobs: int = 2) -> tuple[dict[str, Any], list[str]]:
    """Import ``src`` into ``work`` and bench it; returns ``(result row, problems)``."""
    import importlib.metadata

    from corpus.evaluate.bench import run_bench
    from corpus.formats import run_import

    problems = []
    digest = dev_set_digest(src)
    if digest != DIGEST:
        problems.append(f"dev set digest {digest} differs from the pinned {DIGEST}: re-pin the floors")
    version = importlib.metadata.version("trafilatura")
    if version != TRAFILATURA_VERSION:
        problems.append(f"trafilatura {version} installed, floors pinned for {TRAFILATURA_VERSION}")
    corpus = Path(work) / "corpus"
    run_import("trafilatura-eval", src, corpus)
    result = run_bench(corpus, extractors=[SYSTEM], metrics=[METRIC], jobs=jobs, bootstrap=0, cache_dir=None)
    row = result.rows()[0]
    score = result.scores[(SYSTEM, METRIC)]
    row["counts"] = {k: sum(r[k] for r in score.per_page) for k in ("tp", "fp", "fn", "tn")}
    if row["n_pages"] != N_PAGES:
        problems.append(f"{row['n_pages']} pages scored, expected {N_PAGES}")
    if row["n_failed"]:
        problems.append(f"{row['n_failed']} extractor failures")
    for key, floor in FLOORS.items():
        if row[key] < floor:
            problems.append(f"{key} {row[key]:.4f} is below the floor {floor:.4f}")
    return row, problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, default=DEFAULT_SRC, help="the trafilatura-eval dev set")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--print-pins", action="store_true", help="print the values to pin and exit 0")
    args = ap.parse_args(argv)
    if not (args.src / "evaldata.json").is_file():
        print(f"error: {args.src}/evaldata.json not found", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as work:
        row, problems = run_gate(args.src, work, jobs=args.jobs)
    print(f"{SYSTEM} on {row['n_pages']} pages: P={row['precision']:.4f} R={row['recall']:.4f} "
          f"F1={row['f1']:.4f} counts={row['counts']}")
    if args.print_pins:
        print(f"DIGEST = {dev_set_digest(args.src)!r}")
        return 0
    for p in problems:
        print(f"FAIL: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
