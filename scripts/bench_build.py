"""Benchmark ``corpus build``: throughput against a bare Parquet write, and peak memory vs corpus size.

Synthetic documents are shaped like real pages (a few KB of text, 30-100 blocks, ~20 entities).
Every measured run happens in a fresh child process that reports its own peak RSS
(``ru_maxrss``), so runs do not pollute each other.

    python scripts/bench_build.py --sizes 10000 100000 --throughput-docs 10000

Two baselines, both a bare ``pyarrow.parquet.write_table`` in a fresh process: A parses the input files
and writes the input records as they are (one table); B writes the exact rows the build writes (all four
configs, generated beforehand, one ``from_pylist`` + ``write_table`` per config). B is "a bare
write_table of the same rows", the baseline of the throughput target.

Prints a Markdown report on stdout (progress on stderr).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = (
    "the of and to in a is that for it as was with be by on not he this are or his from at which but have an they "
    "you were her she there been one all we their has would when if so what up out more about into them can only "
    "other new some could time these two may first then do any like my now over such our man me even most made "
    "after also did many before must through back years where much your way well down should because each just "
    "those people how too little state good very make world still own see men work long get here between both life "
    "being under never day same another know while last might us great old year off come since against go came "
    "right used take three government market minister council election season report city police company"
).split()
NAMES = (
    "Angela Merkel",
    "Emmanuel Macron",
    "European Commission",
    "Berlin",
    "Paris",
    "BBC",
    "Reuters",
    "United Nations",
    "Olaf Scholz",
    "Brussels",
    "World Cup",
    "Bundestag",
    "Jane Doe",
    "New York",
)
NAME_LABELS = ("PER", "PER", "ORG", "LOC", "LOC", "ORG", "ORG", "ORG", "PER", "LOC", "MISC", "ORG", "PER", "LOC")
BLOCK_LABELS = (
    "navigation",
    "title",
    "byline",
    "body",
    "body",
    "body",
    "body",
    "caption",
    "related",
    "footer",
    "advertisement",
    "comments",
    "other",
)


def synthetic_document(i: int) -> dict:
    """One schema-v1 document dict (deterministic in ``i``)."""
    import hashlib

    rng = random.Random(i)
    n_blocks = rng.randint(30, 100)
    texts: list[str] = []
    entities: list[dict] = []
    pos = 0
    ent_blocks = set(rng.sample(range(n_blocks), min(20, n_blocks)))
    blocks = []
    for b in range(n_blocks):
        words = [rng.choice(WORDS) for _ in range(rng.randint(3, 20))]
        words[0] = words[0].capitalize()
        if b in ent_blocks:
            k = rng.randrange(len(NAMES))
            at = rng.randint(0, len(words))
            prefix = " ".join(words[:at]) + (" " if at else "")
            s = pos + len(prefix)
            entities.append({"start": s, "end": s + len(NAMES[k]), "label": NAME_LABELS[k], "text": NAMES[k]})
            words.insert(at, NAMES[k])
        t = " ".join(words) + "."
        blocks.append(
            {
                "start": pos,
                "end": pos + len(t),
                "label": rng.choice(BLOCK_LABELS),
                "tag": "p",
                "xpath": f"/html/body/div[{b + 1}]/p",
            }
        )
        texts.append(t)
        pos += len(t) + 1
    sha = hashlib.sha256(f"synthetic-{i}".encode()).hexdigest()
    site = f"site{rng.randrange(500)}.example"
    return {
        "schema_version": "1.0.0",
        "id": sha[:16],
        "source": {
            "url": f"https://{site}/article/{i}",
            "domain": site,
            "crawl_date": "2024-01-01",
            "source_dataset": "native",
            "source_id": None,
            "license": None,
            "raw_path": f"raw/{sha[:16]}.html",
            "raw_sha256": sha,
            "raw_format": "html",
            "encoding": "utf-8",
        },
        "normalizer": {"name": "corpus-normaliser", "version": "1.0.0"},
        "text": "\n".join(texts),
        "blocks": blocks,
        "entities": entities,
        "metadata": {
            "title": texts[1][:60],
            "authors": ["Jane Doe"],
            "date_published": "2024-01-01",
            "date_modified": None,
            "publisher": None,
            "site_name": site,
            "section": None,
            "description": None,
            "categories": [],
            "tags": [],
            "language": "en",
            "is_accessible_for_free": True,
        },
        "checks": {"include": [], "exclude": []},
        "reference": None,
        "annotation": {
            "blocks": {"status": "gold"},
            "entities": {"status": "gold"},
            "metadata": {"status": "gold"},
            "entity_label_set": "conll4",
            "guidelines_version": "1.0",
        },
    }


def write_corpus(path: Path, n: int, layout: str) -> int:
    """``documents/<id>.json`` files (pretty JSON, the repository layout) or one JSONL file; returns bytes."""
    if layout == "jsonl":
        with path.open("w", encoding="utf-8") as fh:
            for i in range(n):
                fh.write(json.dumps(synthetic_document(i), ensure_ascii=False) + "\n")
        return path.stat().st_size
    docs = path / "documents"
    docs.mkdir(parents=True, exist_ok=True)
    total = 0
    for i in range(n):
        d = synthetic_document(i)
        text = json.dumps(d, indent=2, ensure_ascii=False) + "\n"
        (docs / f"{d['id']}.json").write_text(text, encoding="utf-8")
        total += len(text.encode("utf-8"))
    return total


# -- child-process runs --------------------------------------------------------------------------


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _cpu_seconds() -> float:
    """CPU seconds (user + system) of this process and of its finished child processes (build workers)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        ru = resource.getrusage(who)
        total += ru.ru_utime + ru.ru_stime
    return total


def _worker_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # largest finished child (KiB)


#: child build variants: keyword arguments of ``corpus.dataset.build.build`` (``check_raw`` is always False)
BUILD_KINDS = {
    "build": {"validate": False},  # the default: deduplication on
    "build-nodedup": {"validate": False, "dedup": False},  # --no-dedup: train/test leakage check instead
    "build-bare": {"validate": False, "dedup": False, "check_leakage": False},  # the write pass alone
    "build-validate": {"validate": True},
    "build-jobs2": {"validate": False, "jobs": 2},  # the default build, two worker processes
    "build-bare-jobs2": {"validate": False, "dedup": False, "check_leakage": False, "jobs": 2},
}


def child_build(src: str, out: str, kind: str, jobs: str | None = None) -> dict:
    from corpus.api import build
    from corpus.dataset.layout import CONFIGS, features

    opts = {**BUILD_KINDS[kind], **({"jobs": int(jobs)} if jobs else {})}
    for c in CONFIGS:  # imports `datasets` (lazy in the layout) outside the timing, as a CLI run has it loaded
        features(c)
    t0, c0 = time.perf_counter(), _cpu_seconds()
    result = build(src, out, check_raw=False, **opts)
    return {
        "seconds": time.perf_counter() - t0,
        "cpu": _cpu_seconds() - c0,
        "documents": result.stats.documents,
        "rss_mib": _peak_rss_mib(),
        "worker_rss_mib": _worker_rss_mib(),
        "bytes": sum(s.bytes for s in result.shards),
    }


def child_baseline(src: str, out: str) -> dict:
    """Bare pyarrow: parse the same JSONL, one table of the same document records, pq.write_table."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    t0, c0 = time.perf_counter(), _cpu_seconds()
    p = Path(src)
    if p.is_dir():
        rows = [json.loads(f.read_bytes()) for f in sorted((p / "documents").glob("*.json"))]
    else:
        with p.open(encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh]
    table = pa.Table.from_pylist(rows)
    t1 = time.perf_counter()
    pq.write_table(table, out, compression="zstd", compression_level=3)
    t2 = time.perf_counter()
    return {
        "seconds": t2 - t0,
        "cpu": _cpu_seconds() - c0,
        "write_seconds": t2 - t1,
        "documents": len(rows),
        "rss_mib": _peak_rss_mib(),
        "bytes": Path(out).stat().st_size,
    }


def child_writer_stage(src: str, out: str) -> dict:
    """The same rows of every config, pre-generated: the build's streaming shard writer vs bare write_table."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from corpus.dataset import writer as w_mod
    from corpus.dataset.build import resolve_input
    from corpus.dataset.layout import CONFIGS
    from corpus.dataset.rows import document_rows
    from corpus.documents import iter_documents
    from corpus.limits import BUILD_BATCH_ROWS, SHARD_MAX_ROWS
    from corpus.store import file_sha256

    rows: dict[str, list] = {c: [] for c in CONFIGS}
    docs = list(iter_documents(resolve_input(src)))
    for i in range(0, len(docs), 64):
        for c, table in document_rows(docs[i : i + 64]).items():
            rows[c].extend(table.to_pylist())
    Path(out).mkdir(parents=True, exist_ok=True)
    t0, c0 = time.perf_counter(), _cpu_seconds()
    for c, rs in rows.items():  # bare: one table per config, one write_table, no features, no batching
        pq.write_table(
            pa.Table.from_pylist(rs), Path(out) / f"bare-{c}.parquet", compression="zstd", compression_level=3
        )
    t1, c1 = time.perf_counter(), _cpu_seconds()
    bare_bytes = sum(f.stat().st_size for f in Path(out).glob("bare-*.parquet"))
    root = Path(out) / "ours"
    for c, rs in rows.items():  # the build's writer: datasets features schema, bounded batches, shards, sha256
        w = w_mod.ConfigWriter(root, c, "train", batch_rows=BUILD_BATCH_ROWS, shard_rows=SHARD_MAX_ROWS)
        w.extend([[r.get(name) for r in rs] for name in w.names], [0] * len(rs))
        for path, _ in w.close():
            file_sha256(path)
    t2, c2 = time.perf_counter(), _cpu_seconds()
    return {
        "bare_seconds": t1 - t0,
        "bare_cpu": c1 - c0,
        "ours_seconds": t2 - t1,
        "ours_cpu": c2 - c1,
        "bare_bytes": bare_bytes,
        "rows": sum(len(r) for r in rows.values()),
        "rss_mib": _peak_rss_mib(),
    }


def run_child(*args: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"child {args} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000], help="corpus sizes for peak RSS")
    ap.add_argument("--throughput-docs", type=int, default=10_000)
    ap.add_argument("--with-validation", action="store_true", help="also time a build that validates first")
    ap.add_argument("--skip-writer-stage", action="store_true", help="skip the pre-generated rows baseline")
    ap.add_argument("--with-jsonl", action="store_true", help="also time an unsorted JSONL input (two passes)")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes of the parallel build rows (0: skip them)")
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, src, out = args.child[:3]
        if kind == "baseline":
            res = child_baseline(src, out)
        elif kind == "writer-stage":
            res = child_writer_stage(src, out)
        else:
            res = child_build(src, out, kind, *args.child[3:4])
        print(json.dumps(res))
        return

    work = Path(args.workdir or tempfile.mkdtemp(prefix="bench-build-"))
    work.mkdir(parents=True, exist_ok=True)
    lines = [
        "| run | input | documents | input MB | wall s | CPU s | docs/s (wall) | docs/CPU s | peak RSS MiB "
        "| output MB |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    n = args.throughput_docs
    inputs: dict[tuple[int, str], tuple[Path, int]] = {}

    def corpus(m: int, layout: str) -> str:
        if (m, layout) not in inputs:
            src = work / (f"docs-{m}.jsonl" if layout == "jsonl" else f"corpus-{m}")
            if src.exists():  # a previous run's input in --workdir (deterministic, so reusable)
                files = [src] if src.is_file() else list((src / "documents").glob("*.json"))
                inputs[m, layout] = (src, sum(f.stat().st_size for f in files))
            else:
                print(f"writing {m} synthetic documents ({layout}) ...", file=sys.stderr)
                inputs[m, layout] = (src, write_corpus(src, m, layout))
        return str(inputs[m, layout][0])

    def row(name: str, m: int, layout: str, r: dict) -> None:
        lines.append(
            f"| {name} | {layout} | {m} | {inputs[m, layout][1] / 1e6:.0f} | {r['seconds']:.1f} | {r['cpu']:.1f} | "
            f"{m / r['seconds']:.0f} | {m / r['cpu']:.0f} | {r['rss_mib']:.0f} | {r['bytes'] / 1e6:.0f} |"
        )

    print("baseline ...", file=sys.stderr)
    base = run_child("baseline", corpus(n, "dir"), str(work / "baseline.parquet"))
    row("baseline A: json.loads + from_pylist + write_table of the input records", n, "dir", base)
    ws = None
    if not args.skip_writer_stage:
        print("writer stage / baseline B ...", file=sys.stderr)
        ws = run_child("writer-stage", corpus(n, "dir"), str(work / "writer-stage"))
        lines.append(
            f"| baseline B: from_pylist + write_table of the build's rows (pre-generated, {ws['rows']} rows) | dir "
            f"| {n} | {inputs[n, 'dir'][1] / 1e6:.0f} | {ws['bare_seconds']:.1f} | {ws['bare_cpu']:.1f} "
            f"| {n / ws['bare_seconds']:.0f} | {n / ws['bare_cpu']:.0f} | {ws['rss_mib']:.0f} "
            f"| {ws['bare_bytes'] / 1e6:.0f} |"
        )
    print("build without deduplication or leakage check (write pass only) ...", file=sys.stderr)
    bare_build = run_child("build-bare", corpus(n, "dir"), str(work / f"out-bare-{n}"))
    row("corpus build, write pass only (dedup=False, check_leakage=False)", n, "dir", bare_build)
    jobs = {}
    if args.jobs:
        print(f"builds with jobs={args.jobs} ...", file=sys.stderr)
        jobs["bare"] = run_child("build-bare-jobs2", corpus(n, "dir"), str(work / f"out-bare-jobs-{n}"), str(args.jobs))
        row(f"corpus build, write pass only, jobs={args.jobs} (CPU: all processes)", n, "dir", jobs["bare"])
        jobs["default"] = run_child("build-jobs2", corpus(n, "dir"), str(work / f"out-jobs-{n}"), str(args.jobs))
        row(f"corpus build (default), jobs={args.jobs} (CPU: all processes)", n, "dir", jobs["default"])
    print("build --no-dedup ...", file=sys.stderr)
    nodedup = run_child("build-nodedup", corpus(n, "dir"), str(work / f"out-nodedup-{n}"))
    row("corpus build --no-dedup (leakage check pass + write pass)", n, "dir", nodedup)
    results = {}
    for m in sorted(set(args.sizes) | {n}):
        print(f"build {m} ...", file=sys.stderr)
        results[m] = run_child("build", corpus(m, "dir"), str(work / f"out-{m}"))
        row("corpus build (default: dedup pass + write pass)", m, "dir", results[m])
    if args.with_jsonl:
        print("build from unsorted JSONL ...", file=sys.stderr)
        row(
            "corpus build (dedup, two-pass write)",
            n,
            "jsonl",
            run_child("build", corpus(n, "jsonl"), str(work / "out-jsonl")),
        )
    if args.with_validation:
        print("build with validation ...", file=sys.stderr)
        row(
            "corpus build (validate, check_raw=False, dedup)",
            n,
            "dir",
            run_child("build-validate", corpus(n, "dir"), str(work / "out-validated")),
        )
    lines.append("")

    def ratios(name: str, r: dict) -> str:
        out = f"- {name}: vs A **{base['seconds'] / r['seconds']:.2f}x** wall / **{base['cpu'] / r['cpu']:.2f}x** CPU"
        if ws is not None:
            out += (
                f"; vs B **{ws['bare_seconds'] / r['seconds']:.2f}x** wall / **{ws['bare_cpu'] / r['cpu']:.2f}x** CPU"
            )
        return out

    lines.append(
        f"Throughput as a share of the bare baseline at {n} documents (target >= 0.5x; B is the baseline the "
        "target refers to: a bare write_table of the same rows):"
    )
    lines.append(ratios("corpus build (default, dedup)", results[n]))
    if "default" in jobs:
        lines.append(ratios(f"corpus build (default, dedup), jobs={args.jobs}", jobs["default"]))
    lines.append(ratios("corpus build --no-dedup", nodedup))
    lines.append(ratios("write pass only", bare_build))
    if "bare" in jobs:
        lines.append(ratios(f"write pass only, jobs={args.jobs}", jobs["bare"]))
        lines.append(
            f"- jobs={args.jobs}: largest worker peak RSS {jobs['default']['worker_rss_mib']:.0f} MiB "
            f"(parent {jobs['default']['rss_mib']:.0f} MiB)"
        )
    lines.append(f"- write_table alone took {base['write_seconds']:.1f} s of baseline A's {base['seconds']:.1f} s")
    if ws is not None:
        lines.append(
            f"- writer stage only ({ws['rows']} rows of all four configs, pre-generated): the build's streaming shard "
            f"writer {ws['ours_seconds']:.2f} s wall / {ws['ours_cpu']:.2f} s CPU vs baseline B "
            f"{ws['bare_seconds']:.2f} s / {ws['bare_cpu']:.2f} s: **{ws['bare_cpu'] / ws['ours_cpu']:.2f}x** CPU"
        )
    if len(args.sizes) >= 2:
        lo, hi = min(args.sizes), max(args.sizes)
        growth = results[hi]["rss_mib"] / results[lo]["rss_mib"]
        lines.append(f"- peak RSS {hi} / {lo} documents (default build): **{growth:.2f}x** (target <= 1.5x)")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
