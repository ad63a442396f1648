#!/usr/bin/env python3
"""Check that ``corpus import trafilatura-eval`` + ``corpus bench --metric trafilatura_segments``
gives exactly the counts of trafilatura's own evaluation procedure, page by page.

The reference side re-implements that procedure independently of this package: read
``evaldata.json``; for each entry read the page file as bytes; call ``trafilatura.extract`` on the
bytes with the options of trafilatura's evaluation script (``fast`` per variant,
``include_comments=False, include_tables=True, include_formatting=False``); an exception counts as
no output; fold whitespace runs (``\\s+`` -> one space, stripped) in the output and in every
``with`` / ``without`` snippet, and count snippets found as substrings. Then the corpus side imports
the same directory and benches the matching ``trafilatura`` variant. Exit status 1 on any difference.

    python scripts/crosscheck_trafilatura_eval.py [--src DIR] [--variant fallback|fast|precision|recall]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SRC = ROOT.parent / "shared" / "benchmarks" / "trafilatura-eval-dev"
VARIANTS = {  # reference options -> our system name
    "fallback": ({"fast": False}, "trafilatura"),
    "fast": ({"fast": True}, "trafilatura:fast"),
    "precision": ({"fast": False, "favor_precision": True}, "trafilatura:precision"),
    "recall": ({"fast": False, "favor_recall": True}, "trafilatura:recall"),
}
_WS = re.compile(r"\s+")


def _fold(s: str) -> str:
    return _WS.sub(" ", s).strip()


def reference_counts(src: Path, options: dict) -> dict[str, tuple[int, int, int, int]]:
    """{url: (tp, fp, fn, tn)} the way trafilatura's evaluation computes them."""
    from trafilatura import extract

    data = json.loads((src / "evaldata.json").read_text(encoding="utf-8"))
    out = {}
    for url, item in data.items():
        # page directories: this layout's pages/, else trafilatura's own cache/ before eval/
        path = next((src / d / item["file"] for d in ("pages", "cache", "eval") if (src / d / item["file"]).is_file()),
                    None)
        if path is None:
            continue  # the reference skips pages it cannot find
        try:
            result = extract(path.read_bytes(), include_comments=False, include_tables=True,
                             include_formatting=False, **options)
        except Exception:
            result = None
        found_in = _fold(result) if isinstance(result, str) else None
        tp = 0 if found_in is None else sum(_fold(s) in found_in for s in item["with"])
        fp = 0 if found_in is None else sum(_fold(s) in found_in for s in item["without"])
        out[url] = (tp, fp, len(item["with"]) - tp, len(item["without"]) - fp)
    return out


def corpus_counts(src: Path, system: str, jobs: int) -> dict[str, tuple[int, int, int, int]]:
    """{source_id (the URL): (tp, fp, fn, tn)} from import + bench."""
    from corpus.evaluate.bench import run_bench
    from corpus.formats import run_import

    with tempfile.TemporaryDirectory() as work:
        run_import("trafilatura-eval", src, Path(work) / "corpus")
        res = run_bench(Path(work) / "corpus", extractors=[system], metrics=["trafilatura_segments"], jobs=jobs,
                        bootstrap=0, cache_dir=None)
    rows = res.scores[(system, "trafilatura_segments")].per_page
    return {r["source_id"]: (r["tp"], r["fp"], r["fn"], r["tn"]) for r in rows}


def differences(ref: dict[str, tuple[int, int, int, int]], ours: dict[str, tuple[int, int, int, int]]) -> list[str]:
    """URLs scored on one side only or with other counts, sorted."""
    return sorted(set(ref) ^ set(ours)) + sorted(u for u in set(ref) & set(ours) if ref[u] != ours[u])


def _scores(counts: dict[str, tuple[int, int, int, int]]) -> tuple[int, int, int, int, float, float, float]:
    tp, fp, fn, tn = (sum(c[i] for c in counts.values()) for i in range(4))
    return tp, fp, fn, tn, tp / (tp + fp), tp / (tp + fn), 2 * tp / (2 * tp + fp + fn)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Compare import + bench with trafilatura's evaluation procedure.")
    ap.add_argument("--src", type=Path, default=DEFAULT_SRC)
    ap.add_argument("--variant", choices=sorted(VARIANTS), default="fallback")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    options, system = VARIANTS[args.variant]
    ref = reference_counts(args.src, options)
    ours = corpus_counts(args.src, system, args.jobs)
    bad = differences(ref, ours)
    fmt = "tp={} fp={} fn={} tn={} P={:.4f} R={:.4f} F1={:.4f}"
    print(f"reference ({len(ref)} pages): " + fmt.format(*_scores(ref)))
    print(f"corpus    ({len(ours)} pages): " + fmt.format(*_scores(ours)))
    for url in bad[:20]:
        print(f"DIFF {url}: reference {ref.get(url)} corpus {ours.get(url)}", file=sys.stderr)
    print("identical page by page" if not bad else f"{len(bad)} pages differ")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
