"""Load benchmark: ingest and build synthetic pages at one or more scales, on N cores.

Reports, in one run and for the same pages:
- normalisation pages/s (decode + parse + normalise, one process) vs bare ``lxml.html.fromstring``;
- pre-annotated ``corpus ingest --jobs N`` pages/s vs ``trafilatura.extract`` alone (N processes);
- ``corpus build`` rows/s (when :mod:`corpus.dataset.build` is installed);
- peak RSS (largest process) of ingest and build at every scale.

    python scripts/bench_load.py --scales 10000,100000 --jobs 2 --work /tmp/bench [--ner none]

Quick in-process ratios on one sample (no ingest/build, everything in this process, one core)::

    python scripts/bench_load.py --sample 1000 --work /tmp/bench

reports ``corpus.text.normalise.normalise_raw`` vs bare ``lxml.html.fromstring`` and the pre-annotated
single-page pipeline (``corpus.ingestion.engine.draft_page`` with pre-annotation) vs ``trafilatura.extract``, on
the same pages, alternating the two sides ``--rounds`` times and keeping each side's best round.

Targets: normalisation >= 0.5x the bare lxml rate; pre-annotated ingest not slower than
trafilatura.extract alone; peak RSS flat in corpus size (<= 1.5x from the smallest to the largest scale).
Prints a JSON object and a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_pages import generate

RUN = """
import json, resource, sys, time
t = time.perf_counter()
{body}
dt = time.perf_counter() - t
print(json.dumps({{"seconds": dt, "self_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "children_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}}))
"""


def measured(body: str) -> dict:
    """Run ``body`` in a fresh interpreter; seconds and peak RSS (MiB) of the largest process."""
    proc = subprocess.run([sys.executable, "-c", RUN.format(body=body)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    return {"seconds": round(info["seconds"], 2),
            "peak_rss_mib": round(max(info["self_kib"], info["children_kib"]) / 1024, 1)}


def _lxml_one(raw: bytes) -> None:
    import lxml.html

    lxml.html.fromstring(raw)


def _norm_one(raw: bytes) -> None:
    from corpus.text.normalise import decode_raw, normalise_html_root, parse_html

    decoded, _ = decode_raw(raw, "html")
    normalise_html_root(parse_html(decoded))


def _traf_one(path: str) -> int:
    import trafilatura

    with open(path, "rb") as fh:
        out = trafilatura.extract(fh.read())
    return len(out or "")


def rate(fn, items, n_items: int) -> float:
    t = time.perf_counter()
    for it in items:
        fn(it)
    return n_items / (time.perf_counter() - t)


def _norm_raw_one(raw: bytes) -> None:
    from corpus.text.normalise import normalise_raw

    normalise_raw(raw, "html")


def _traf_item_one(item: tuple[str, bytes]) -> None:
    import trafilatura

    trafilatura.extract(item[1])


def best_rates(pairs: list[tuple[str, object]], items: list, rounds: int) -> dict[str, float]:
    """Pages/s of each function on ``items``, alternating them ``rounds`` times; best round wins."""
    best: dict[str, float] = {}
    for _name, fn in pairs:
        fn(items[0])  # warm imports and caches
    for _ in range(rounds):
        for fn_name, fn in pairs:
            best[fn_name] = max(best.get(fn_name, 0.0), rate(fn, items, len(items)))
    return best


def bench_sample(work: Path, n: int, ner: str, rounds: int) -> dict:
    """In-process, single-core ratios on ``n`` generated pages (see the module docstring)."""
    from corpus.annotate.preannotate import preannotate
    from corpus.ingestion.engine import IngestOptions, draft_page

    pages_dir = work / f"sample-{n}"
    if not (pages_dir / "labels.jsonl").exists():
        generate(pages_dir, n, seed=1)
    paths = sorted(str(p) for p in (pages_dir / "pages").rglob("*.html"))
    raws = [Path(p).read_bytes() for p in paths]
    options = IngestOptions(ner=ner)

    def pre_one(item: tuple[str, bytes]) -> None:
        draft_page(item[1], raw_path=item[0], raw_format="html", gzipped=False, options=options,
                   preannotate=preannotate)

    norm = best_rates([("lxml", _lxml_one), ("normalise", _norm_raw_one)], raws, rounds)
    pre = best_rates([("trafilatura", _traf_item_one), ("preannotated", pre_one)],
                     list(zip(paths, raws, strict=True)), rounds)
    return {"pages": len(raws), "rounds": rounds,
            "lxml_pages_per_s": round(norm["lxml"], 1), "normalise_pages_per_s": round(norm["normalise"], 1),
            "normalise_vs_lxml": round(norm["normalise"] / norm["lxml"], 3),
            "trafilatura_pages_per_s_1proc": round(pre["trafilatura"], 1),
            "preannotated_pages_per_s_1proc": round(pre["preannotated"], 1),
            "preannotated_vs_trafilatura_1proc": round(pre["preannotated"] / pre["trafilatura"], 3)}


def bench_scale(work: Path, n: int, jobs: int, ner: str, compare_sample: int) -> dict:
    pages_dir = work / f"pages-{n}"
    if not (pages_dir / "labels.jsonl").exists():
        generate(pages_dir, n, seed=1)
    paths = sorted(str(p) for p in (pages_dir / "pages").rglob("*.html"))
    res: dict = {"pages": len(paths)}

    sample = paths[:compare_sample]
    raws = [Path(p).read_bytes() for p in sample]
    _norm_one(raws[0])  # warm imports
    _lxml_one(raws[0])
    res["lxml_pages_per_s"] = round(rate(_lxml_one, raws, len(raws)), 1)
    res["normalise_pages_per_s"] = round(rate(_norm_one, raws, len(raws)), 1)
    res["normalise_vs_lxml"] = round(res["normalise_pages_per_s"] / res["lxml_pages_per_s"], 3)
    del raws
    with ProcessPoolExecutor(jobs) as pool:
        list(pool.map(_traf_one, sample[:jobs]))  # warm up the workers
        t = time.perf_counter()
        list(pool.map(_traf_one, sample, chunksize=64))
        res["trafilatura_pages_per_s"] = round(len(sample) / (time.perf_counter() - t), 1)
    res["compare_sample"] = len(sample)

    out = work / f"ingest-{n}"
    if out.exists():
        import shutil

        shutil.rmtree(out)
    ing = measured(
        "from corpus.ingestion.engine import IngestOptions, ingest\n"
        f"s = ingest([{str(pages_dir / 'pages')!r}], {str(out)!r}, options=IngestOptions(layout='shards', "
        f"ner={ner!r}), jobs={jobs})\n"
        "assert s.rejects == 0, s.reasons")
    res["ingest_seconds"] = ing["seconds"]
    res["ingest_pages_per_s"] = round(len(paths) / ing["seconds"], 1)
    res["ingest_peak_rss_mib"] = ing["peak_rss_mib"]
    res["ingest_vs_trafilatura"] = round(res["ingest_pages_per_s"] / res["trafilatura_pages_per_s"], 3)

    try:
        import corpus.dataset.build  # noqa: F401
    except ImportError:
        res["build"] = "not measured: corpus.dataset.build is not installed"
        return res
    dist = work / f"dist-{n}"
    try:
        b = measured(
            "import shutil\nfrom corpus.api import build\n"
            f"shutil.rmtree({str(dist)!r}, ignore_errors=True)\n"
            f"build({str(out / 'shards')!r}, {str(dist)!r}, check_raw=False)")
    except RuntimeError as exc:
        res["build"] = f"failed: {str(exc).strip().splitlines()[-1]}"
        return res
    res["build_seconds"] = b["seconds"]
    res["build_rows_per_s"] = round(len(paths) / b["seconds"], 1)
    res["build_peak_rss_mib"] = b["peak_rss_mib"]
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", default="10000", help="comma-separated page counts")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--work", type=Path, default=Path("bench-load"))
    ap.add_argument("--ner", default="none", help="NER backend for pre-annotation (none, auto, model name)")
    ap.add_argument("--compare-sample", type=int, default=5000,
                    help="pages used for the lxml / trafilatura comparisons")
    ap.add_argument("--sample", type=int, default=0,
                    help="only the quick in-process ratios, on this many generated pages")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds for --sample (best kept)")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    if args.sample:
        print(json.dumps(bench_sample(args.work, args.sample, args.ner, args.rounds), indent=2))
        return
    results = {}
    for n in (int(x) for x in args.scales.split(",")):
        results[n] = bench_scale(args.work, n, args.jobs, args.ner, args.compare_sample)
        print(json.dumps({n: results[n]}), file=sys.stderr, flush=True)
    scales = sorted(results)
    summary = {"jobs": args.jobs, "ner": args.ner, "cpu_count": os.cpu_count(), "scales": results}
    if len(scales) > 1:
        lo, hi = results[scales[0]], results[scales[-1]]
        summary["ingest_rss_growth"] = round(hi["ingest_peak_rss_mib"] / lo["ingest_peak_rss_mib"], 3)
        if "build_peak_rss_mib" in lo and "build_peak_rss_mib" in hi:
            summary["build_rss_growth"] = round(hi["build_peak_rss_mib"] / lo["build_peak_rss_mib"], 3)
    print(json.dumps(summary, indent=2))
    keys = ["pages", "lxml_pages_per_s", "normalise_pages_per_s", "normalise_vs_lxml", "trafilatura_pages_per_s",
            "ingest_pages_per_s", "ingest_vs_trafilatura", "ingest_peak_rss_mib", "build_rows_per_s",
            "build_peak_rss_mib"]
    print("\n| metric | " + " | ".join(str(n) for n in scales) + " |")
    print("|---|" + "---|" * len(scales))
    for k in keys:
        print(f"| {k} | " + " | ".join(str(results[n].get(k, results[n].get("build", "-"))) for n in scales) + " |")


if __name__ == "__main__":
    main()
