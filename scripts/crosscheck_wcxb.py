#!/usr/bin/env python3
"""Compare ``corpus import wcxb`` + ``corpus bench -e trafilatura -m wcxb_word_f1`` with WCXB's own procedure.

The reference side re-implements that procedure independently of this package: for every
``<split>/ground-truth/<file_id>.json`` with a ``ground_truth`` object, read
``<split>/html/<file_id>.html.gz`` as UTF-8 text (as WCXB's instructions do), call
``trafilatura.extract`` on the text (``--call wcxb-defaults``: no options, trafilatura's defaults;
``--call adapter``: the options of this package's ``trafilatura`` adapter), an exception or ``None``
counting as an empty output; tokens = ``\\w+`` runs of the lower-cased text; per page, bag-of-words
P/R/F1 with an empty gold giving 1 for an empty output and 0 otherwise, an empty output 0; plain means
over the pages (``main_content`` absent counts as empty). It reports that figure over every page, and
over the pages the importer kept (pages whose HTML normalises to no text are rejects), next to the
corpus side's figure. Exit status 1 when the corpus figure and the reference on the same pages differ
by more than ``--tolerance``.

    python scripts/crosscheck_wcxb.py [--src DIR] [--split dev] [--call adapter|wcxb-defaults] [--cache DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SRC = ROOT.parent / "shared" / "benchmarks" / "wcxb-dev"
#: Reference call options -> our system name.
CALLS = {
    "adapter": ({"include_comments": False, "include_tables": True, "include_formatting": False, "fast": False},
                "trafilatura"),
    "wcxb-defaults": ({}, "trafilatura:defaults"),
}
_WORD = re.compile(r"\w+")


def _bag(text: str) -> Counter[str]:
    return Counter(_WORD.findall(text.lower())) if text else Counter()


def page_prf(output: str, gold: str) -> tuple[float, float, float]:
    """WCXB's per-page word P/R/F1, written from its definition."""
    out, ref = _bag(output), _bag(gold)
    n_out, n_ref = sum(out.values()), sum(ref.values())
    if n_ref == 0:
        return (1.0, 1.0, 1.0) if n_out == 0 else (0.0, 0.0, 0.0)
    if n_out == 0:
        return 0.0, 0.0, 0.0
    common = sum(min(c, ref[w]) for w, c in out.items())
    p, r = common / n_out, common / n_ref
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _page_type(record: dict) -> str:
    pt = (record.get("_internal") or {}).get("page_type", {})
    pt = pt.get("primary", "article") if isinstance(pt, dict) else pt
    return "collection" if pt == "category" else str(pt)


def reference_scores(split_dir: Path, options: dict) -> dict[str, tuple[str, float, float, float]]:
    """{file_id: (page type, P, R, F1)} by WCXB's procedure."""
    from trafilatura import extract

    out = {}
    for gt_path in sorted((split_dir / "ground-truth").glob("*.json")):
        record = json.loads(gt_path.read_text(encoding="utf-8"))
        gt = record.get("ground_truth")
        if not isinstance(gt, dict):
            continue
        try:
            with gzip.open(split_dir / "html" / f"{gt_path.stem}.html.gz", "rt", encoding="utf-8") as fh:
                text = extract(fh.read(), **options) or ""
        except Exception:  # the reference counts any failure as an empty output
            text = ""
        out[gt_path.stem] = (_page_type(record), *page_prf(text, gt.get("main_content") or ""))
    return out


def corpus_scores(src: Path, split: str, system: str, cache: Path | None) -> dict[str, tuple[str, float, float, float]]:
    """{source_id: (page type, P, R, F1)} from ``corpus import wcxb`` + ``corpus bench``."""
    from corpus.evaluate.bench import run_bench
    from corpus.formats import run_import

    with tempfile.TemporaryDirectory() as work:
        run_import("wcxb", src, Path(work) / "corpus", splits=split)
        res = run_bench(Path(work) / "corpus", extractors=[system], metrics=["wcxb_word_f1"], bootstrap=0,
                        cache_dir=cache)
        types = {d.id: d.source.page_type for d in res.docs_by_metric["wcxb_word_f1"]}
    rows = res.scores[(system, "wcxb_word_f1")].per_page
    return {r["source_id"]: (types[r["id"]] or "unknown", r["precision"], r["recall"], r["f1"]) for r in rows}


def _means(scores: dict[str, tuple[str, float, float, float]]) -> tuple[int, float, float, float]:
    n = len(scores)
    return (n, *(sum(v[i] for v in scores.values()) / n if n else 0.0 for i in (1, 2, 3)))


def _line(name: str, scores: dict[str, tuple[str, float, float, float]]) -> str:
    n, p, r, f1 = _means(scores)
    by_type: dict[str, dict] = defaultdict(dict)
    for k, v in scores.items():
        by_type[v[0]][k] = v
    types = "  ".join(f"{t} {_means(s)[3]:.3f} ({len(s)})" for t, s in sorted(by_type.items()))
    return f"{name:34} n={n:5d} F1={f1:.4f} P={p:.4f} R={r:.4f}   {types}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Compare import + bench with WCXB's evaluation procedure.")
    ap.add_argument("--src", type=Path, default=DEFAULT_SRC)
    ap.add_argument("--split", default="dev")
    ap.add_argument("--call", choices=sorted(CALLS), default="adapter")
    ap.add_argument("--cache", type=Path, default=None, help="corpus bench output cache to reuse")
    ap.add_argument("--tolerance", type=float, default=0.005)
    args = ap.parse_args(argv)
    options, system = CALLS[args.call]
    split_dir = args.src / args.split if (args.src / args.split).is_dir() else args.src
    ref = reference_scores(split_dir, options)
    ours = corpus_scores(args.src, args.split, system, args.cache)
    same = {k: v for k, v in ref.items() if k in ours}
    print(_line("reference, every page", ref))
    print(_line("reference, pages imported", same))
    print(_line(f"corpus bench -e {system}", ours))
    differ = sorted(k for k in same if abs(same[k][3] - ours[k][3]) > 1e-9)
    print(f"{len(ref) - len(same)} pages not imported (rejects); {len(differ)} of {len(same)} pages score "
          f"differently; largest page differences:")
    for k in sorted(differ, key=lambda k: -abs(same[k][3] - ours[k][3]))[:10]:
        print(f"  {k}: reference F1 {same[k][3]:.4f}, corpus {ours[k][3]:.4f}")
    gap = abs(_means(same)[3] - _means(ours)[3])
    print(f"|corpus - reference| on the same pages = {gap:.4f} (tolerance {args.tolerance})")
    return 0 if gap <= args.tolerance else 1


if __name__ == "__main__":
    sys.exit(main())
