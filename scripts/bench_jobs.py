#!/usr/bin/env python3
"""Measure ``corpus bench`` throughput: extraction wall time with ``--jobs 1`` vs ``--jobs N`` (no
cache, so every page is extracted), and the share of a run spent scoring.

    python scripts/bench_jobs.py CORPUS [--extractor trafilatura] [--jobs 2] [--repeat 1]

Prints a Markdown table (the figures of docs/perf-bench.md).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path


def measure(corpus: Path, extractor: str, jobs: int, metric: str) -> dict[str, float]:
    from corpus.evaluate.bench import run_bench

    start = time.perf_counter()
    res = run_bench(corpus, extractors=[extractor], metrics=[metric], jobs=jobs, cache_dir=None, bootstrap=1000)
    total = time.perf_counter() - start
    return {"extract": res.corpus["extract_seconds"], "score": res.corpus["score_seconds"], "total": total,
            "pages": res.corpus["n_documents"]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--extractor", default="trafilatura")
    ap.add_argument("--metric", default="trafilatura_segments")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args(argv)
    rows = {}
    for jobs in (1, args.jobs):
        runs = [measure(args.corpus, args.extractor, jobs, args.metric) for _ in range(args.repeat)]
        rows[jobs] = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    one, many = rows[1], rows[args.jobs]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{args.extractor} on {int(one['pages'])} pages, {os.cpu_count()} cores, median of {args.repeat} "
          f"(load average after the runs: {load})\n")
    print("| jobs | extraction s | pages/s | scoring s | scoring share of run |")
    print("|---|---|---|---|---|")
    for jobs, r in rows.items():
        print(f"| {jobs} | {r['extract']:.2f} | {r['pages'] / r['extract']:.1f} | {r['score']:.2f} | "
              f"{100 * r['score'] / r['total']:.1f}% |")
    print(f"\nspeed-up --jobs {args.jobs} vs --jobs 1: {one['extract'] / many['extract']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
