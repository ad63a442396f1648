"""CPU time of decoding + normalising real pages, v1 and v2, against a bare ``lxml.html.fromstring`` loop.

All sides run in this one process over the same pages (decompressed into memory first), alternating
``--rounds`` times; each side keeps its best round (``time.process_time``). Sides:

- ``lxml``: ``lxml.html.fromstring(raw)`` (the baseline; every ratio is against it);
- ``lexbor``: bare ``LexborHTMLParser(raw)``;
- ``v1`` / ``v2``: decode + normalise (``corpus.text.normalise`` / ``corpus.text.normalise_v2``);
- ``ingest-v1`` / ``ingest-v2``: what ``corpus ingest --no-preannotate --jobs 1`` does per page besides
  file I/O: :func:`corpus.ingestion.engine.draft_page` and the document's JSON.

Target: ``ingest-v2`` >= 0.5x the lxml rate.

    python scripts/bench_normalise.py --shared ../shared --traf 595 --wcxb 300 --rounds 3 [--profile v2] [--steps]
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import hashlib
import json
import pstats
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from corpus.ingestion.engine import IngestOptions, draft_page
from corpus.store import document_json
from corpus.text.normalise import decode_raw, normalise_html_root, parse_html
from corpus.text.normalise_v2 import normalise_html_v2

V1 = IngestOptions(preannotate=False)
V2 = IngestOptions(preannotate=False, normaliser="v2")


def load_pages(shared: Path, n_traf: int, n_wcxb: int) -> list[bytes]:
    """Raw bytes of a fixed sample (the first ``n`` files by sha256 of their names), decompressed."""
    def pick(folder: Path, n: int) -> list[Path]:
        files = [p for p in folder.iterdir() if p.name.endswith((".html", ".htm", ".html.gz"))]
        return sorted(files, key=lambda p: hashlib.sha256(p.name.encode()).hexdigest())[:n]

    paths = pick(shared / "benchmarks" / "trafilatura-eval-dev" / "pages", n_traf)
    paths += pick(shared / "benchmarks" / "wcxb-dev" / "dev" / "html", n_wcxb)
    return [gzip.decompress(p.read_bytes()) if p.name.endswith(".gz") else p.read_bytes() for p in paths]


def _lxml(raw: bytes) -> None:
    import lxml.html

    lxml.html.fromstring(raw)


def _lexbor(raw: bytes) -> None:
    from selectolax.lexbor import LexborHTMLParser

    LexborHTMLParser(raw)


def _v1(raw: bytes) -> None:
    normalise_html_root(parse_html(decode_raw(raw, "html")[0]))


def _v2(raw: bytes) -> None:
    normalise_html_v2(decode_raw(raw, "html")[0])


def _ingest(options: IngestOptions) -> Callable[[bytes], None]:
    def one(raw: bytes) -> None:
        try:
            document_json(draft_page(raw, raw_path="raw/x.html", raw_format="html", gzipped=False, options=options))
        except Exception:  # a reject costs what it cost; ingest would write one line
            pass

    return one


def _v2_upto(step: str) -> Callable[[bytes], None]:
    """v2 cut after ``step`` (cumulative, so the difference of two sides is one step's cost)."""
    from selectolax.lexbor import LexborHTMLParser

    from corpus.text.normalise import check_attribute_counts, clean
    from corpus.text.normalise_v2 import _prune, _Walk, check_markup

    def one(raw: bytes) -> None:
        s = decode_raw(raw, "html")[0]
        if step == "decode":
            return
        s = clean(s)
        if step == "clean":
            return
        if step == "attributes":
            check_attribute_counts(s)
            return
        s = check_markup(s)
        if step == "guards":
            return
        tree = LexborHTMLParser(s)
        if step == "parse":
            return
        if step == "prune":
            _prune(tree)
            return
        _Walk(tree).run()  # prunes, then walks

    return one


SIDES: dict[str, Callable[[bytes], None]] = {
    "lxml": _lxml, "lexbor": _lexbor, "v1": _v1, "v2": _v2, "ingest-v1": _ingest(V1), "ingest-v2": _ingest(V2),
}
#: ``--steps``: v2 cut after each step (folding, XPaths and block assembly are ``v2`` minus ``v2:walk``).
STEPS = ("decode", "clean", "attributes", "guards", "parse", "prune", "walk")


def best_cpu(pages: Sequence[bytes], sides: Sequence[str], rounds: int) -> dict[str, float]:
    """Best CPU seconds of each side over ``pages``, alternating sides ``rounds`` times."""
    best = {s: float("inf") for s in sides}
    for _ in range(rounds):
        for s in sides:
            fn = SIDES[s]
            t = time.process_time()
            for raw in pages:
                fn(raw)
            best[s] = min(best[s], time.process_time() - t)
    return best


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=Path("../shared"))
    ap.add_argument("--traf", type=int, default=595)
    ap.add_argument("--wcxb", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--profile", choices=sorted(SIDES), help="print a cProfile of one side instead")
    ap.add_argument("--steps", action="store_true", help="also time v2 cut after each step (v2:decode ... v2:walk)")
    args = ap.parse_args(argv)
    if args.steps:
        SIDES.update({f"v2:{step}": _v2_upto(step) for step in STEPS})
    pages = load_pages(args.shared, args.traf, args.wcxb)
    if args.profile:
        fn = SIDES[args.profile]
        prof = cProfile.Profile()
        prof.enable()
        for raw in pages:
            fn(raw)
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
        return 0
    cpu = best_cpu(pages, list(SIDES), args.rounds)
    mib = sum(map(len, pages)) / 2**20
    rows = {s: {"cpu_s": round(t, 3), "pages_per_s": round(len(pages) / t, 1),
                "ratio_vs_lxml": round(cpu["lxml"] / t, 3)} for s, t in cpu.items()}
    print(json.dumps({"pages": len(pages), "mib": round(mib, 1), "rounds": args.rounds, "sides": rows}, indent=1))
    print(f"| side | CPU s (best of {args.rounds}) | pages/s | × lxml.html.fromstring rate |")
    print("|---|---:|---:|---:|")
    for s, r in rows.items():
        print(f"| {s} | {r['cpu_s']} | {r['pages_per_s']} | {r['ratio_vs_lxml']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
