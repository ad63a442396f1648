"""CPU time of a whole pre-annotated draft against ``trafilatura.extract`` alone, same pages, same run.

Per page, the draft is what ``corpus ingest --normaliser v2`` does with NER off: decode the raw
bytes, normalise with v2, label the blocks (the learned labeller), extract the metadata and
identify the language when none is declared. The baseline is ``trafilatura.extract`` with its
defaults on the same decoded page. Both run in this process, interleaved page by page (so machine
load hits both alike), timed with ``time.process_time``; the report gives pages per CPU second and
the ratio.

    python scripts/bench_preannotate.py [--limit N] [--repeat 2] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from corpus.annotate.preannotate import preannotate  # noqa: E402
from corpus.annotate.preannotate.language import identify_language  # noqa: E402
from corpus.errors import MissingDependencyError  # noqa: E402
from corpus.ingestion.engine import draft_page  # noqa: E402
from corpus.ingestion.plan import IngestOptions  # noqa: E402
from corpus.text.normalise import decode_raw  # noqa: E402

SHARED = ROOT.parent / "shared" / "benchmarks"


def pages(limit: int | None) -> list[tuple[bytes, bool]]:
    out: list[tuple[bytes, bool]] = []
    base = SHARED / "trafilatura-eval-dev"
    entries = json.loads((base / "evaldata.json").read_text(encoding="utf-8"))
    for _url, e in sorted(entries.items()):
        p = base / "pages" / e["file"]
        if p.is_file():
            out.append((p.read_bytes(), False))
    wc = SHARED / "wcxb-dev" / "dev" / "html"
    if wc.is_dir():
        out += [(p.read_bytes(), True) for p in sorted(wc.glob("*.html.gz"))]
    return out[:limit] if limit else out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--repeat", type=int, default=1, help="passes over the pages (times are summed)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    import trafilatura

    opts = IngestOptions(normaliser="v2", ner="off")
    todo = pages(args.limit)
    decoded = [decode_raw(raw, "html", gzipped=gz)[0] for raw, gz in todo]
    draft_page(todo[0][0], raw_path="raw/x.html", raw_format="html", gzipped=todo[0][1], options=opts,
               preannotate=preannotate)  # load the model and caches outside the timed part
    try:  # and the language identifier's model, loaded on the first page that declares no language
        identify_language("A sentence long enough to be identified, read once before the timed part begins.")
    except MissingDependencyError:
        pass
    t_draft = t_traf = 0.0
    failed = 0
    for _ in range(args.repeat):
        for (raw, gz), html in zip(todo, decoded, strict=True):
            t0 = time.process_time()
            try:
                draft_page(raw, raw_path="raw/x.html", raw_format="html", gzipped=gz, options=opts,
                           preannotate=preannotate)
            except Exception:  # a rejected page costs what it cost
                failed += 1
            t1 = time.process_time()
            trafilatura.extract(html)
            t2 = time.process_time()
            t_draft += t1 - t0
            t_traf += t2 - t1
    n = len(todo) * args.repeat
    res = {"pages": n, "rejected": failed, "draft_cpu_s": round(t_draft, 2), "trafilatura_cpu_s": round(t_traf, 2),
           "draft_pages_per_s": round(n / t_draft, 1), "trafilatura_pages_per_s": round(n / t_traf, 1),
           "ratio": round(t_traf / t_draft, 2), "trafilatura": trafilatura.__version__}
    if args.json:
        print(json.dumps(res, indent=2))
    else:
        print(f"{n} pages: pre-annotated draft {res['draft_pages_per_s']} pages/CPU-s, trafilatura.extract "
              f"{res['trafilatura_pages_per_s']} pages/CPU-s -> ratio {res['ratio']}x ({failed} rejected)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
