"""CPU time of the metadata part of a pre-annotated draft: the lxml parse for it and ``extract_metadata``.

Runs ``draft_page`` as ``scripts/bench_preannotate.py`` does (``--normaliser v2``, learned labeller,
NER off, the page URL given) over the first ``--limit / 2`` pages of trafilatura-eval-dev and of
wcxb-dev, and reports per page the whole draft and, inside it, the time spent in ``preannotate``'s
``parse_html`` and ``extract_metadata`` calls (``time.process_time``, one process). Run it with
each tree of the code (``PYTHONPATH``) to compare them.

    python scripts/bench_metadata.py [--limit 400] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from metadata_fingerprint import _pages


def _timed(store: Counter, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> Any:
        t0 = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            store[name] += time.process_time() - t0

    return run


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=400)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    import corpus.annotate.preannotate as pre
    from corpus.ingestion.engine import draft_page
    from corpus.ingestion.plan import IngestOptions

    spent: Counter = Counter()
    pre.parse_html = _timed(spent, "parse_html", pre.parse_html)
    pre.extract_metadata = _timed(spent, "extract_metadata", pre.extract_metadata)
    everything = list(_pages(None))
    half = args.limit // 2
    todo = [p for p in everything if p[0].startswith("te:")][:half] + [p for p in everything
                                                                       if p[0].startswith("wc:")][:half]
    opts = IngestOptions(normaliser="v2", ner="off")

    def draft(raw: bytes, gz: bool, url: str | None) -> None:
        try:
            draft_page(raw, raw_path="raw/x.html", raw_format="html", gzipped=gz, url=url, options=opts,
                       preannotate=pre.preannotate)
        except Exception:  # a rejected page costs what it cost
            pass

    draft(todo[0][1], todo[0][2], todo[0][3])  # models and caches loaded outside the timed part
    spent.clear()
    total = 0.0
    for _key, raw, gz, url in todo:
        t0 = time.process_time()
        draft(raw, gz, url)
        total += time.process_time() - t0
    n = len(todo)
    res = {"pages": n, "draft_ms": round(1000 * total / n, 2),
           "parse_html_ms": round(1000 * spent["parse_html"] / n, 2),
           "extract_metadata_ms": round(1000 * spent["extract_metadata"] / n, 2)}
    res["metadata_ms"] = round(res["parse_html_ms"] + res["extract_metadata_ms"], 2)
    if args.json:
        print(json.dumps(res, indent=2))
    else:
        print(f"{n} pages: draft {res['draft_ms']} ms/page, of which metadata {res['metadata_ms']} ms "
              f"(parse_html {res['parse_html_ms']}, extract_metadata {res['extract_metadata_ms']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
