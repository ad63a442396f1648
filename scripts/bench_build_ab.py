"""``corpus build`` of this checkout against another checkout of the package, same corpus, paired runs.

Each round builds the same synthetic corpus once with each tree (the order alternates from round to
round, so drift of the machine's speed hits both alike), every build in a fresh child process with
``PYTHONPATH`` pointing at its tree. The child times only the build call (CPU, ``time.process_time``)
and reports its peak RSS. The report gives, per build kind, the median CPU of each side and the median
and range of the per-round ratio (this tree / the other one).

    python scripts/bench_build_ab.py --before ../corpus-0.1.0 --docs 10000 --rounds 5

``--before`` is a checkout whose ``corpus`` package has either layout: the staged one
(``corpus.api.build``) or the flat one of 0.1.0 (``corpus.build.build``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: build kinds: keyword arguments of ``build`` besides ``check_raw=False, validate=False``
KINDS = {
    "write": {"dedup": False, "check_leakage": False},  # the write pass alone
    "no-dedup": {"dedup": False},  # leakage check + write pass
    "default": {},  # deduplication + write pass
}

_CHILD = r"""
import json, os, resource, shutil, sys, time
src, out, kind = sys.argv[1:4]
opts = json.loads(sys.argv[4])
import corpus
if os.path.exists(os.path.join(os.path.dirname(corpus.__file__), "build.py")):
    from corpus.build import CONFIGS, build, features  # the flat 0.1.0 layout
else:
    from corpus.api import build
    from corpus.dataset.layout import CONFIGS, features
for c in CONFIGS:  # `datasets` features outside the timing, as a CLI run has them loaded
    features(c)
shutil.rmtree(out, ignore_errors=True)
c0 = time.process_time()
build(src, out, check_raw=False, validate=False, **opts)
cpu = time.process_time() - c0
print(json.dumps({"cpu": cpu, "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_child(tree: Path, src: Path, out: Path, kind: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(src), str(out), kind, json.dumps(KINDS[kind])],
                          capture_output=True, text=True, env=env, check=False, cwd=tree)
    if proc.returncode != 0:
        raise SystemExit(f"build in {tree} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", type=Path, required=True, help="the other checkout (the baseline)")
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--kinds", nargs="+", default=list(KINDS), choices=list(KINDS))
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT / "scripts"))
    from bench_build import write_corpus

    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-build-ab-"))
    src = work / f"corpus-{args.docs}"
    if not (src / "documents").is_dir():
        print(f"writing {args.docs} synthetic documents ...", file=sys.stderr)
        write_corpus(src, args.docs, "dir")
    trees = {"after": ROOT, "before": args.before.resolve()}
    lines = [f"| build ({args.docs} documents, one process) | before CPU s | after CPU s | after / before "
             "(median, range) | peak RSS before / after MiB |", "|---|---:|---:|---:|---:|"]
    for kind in args.kinds:
        runs: dict[str, list[dict]] = {"after": [], "before": []}
        for r in range(args.rounds + 1):  # round 0 warms the page cache and is not counted
            order = ("after", "before") if r % 2 else ("before", "after")
            res = {side: run_child(trees[side], src, work / f"out-{side}", kind) for side in order}
            print(f"{kind} round {r}: " + ", ".join(f"{s} {res[s]['cpu']:.2f} s" for s in order), file=sys.stderr)
            if r:
                for side in order:
                    runs[side].append(res[side])
        ratios = [a["cpu"] / b["cpu"] for a, b in zip(runs["after"], runs["before"], strict=True)]
        med = {s: statistics.median(x["cpu"] for x in runs[s]) for s in runs}
        rss = {s: statistics.median(x["rss_mib"] for x in runs[s]) for s in runs}
        lines.append(f"| {kind} | {med['before']:.2f} | {med['after']:.2f} | {statistics.median(ratios):.3f} "
                     f"({min(ratios):.3f}–{max(ratios):.3f}) | {rss['before']:.0f} / {rss['after']:.0f} |")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
