"""Peak RSS of ``corpus ingest --jobs N``, the parent process and the largest worker reported apart.

Each page directory is ingested in a fresh interpreter (``--layout shards``), so the figures of one
scale do not leak into the next::

    python scripts/gen_pages.py /tmp/pages-10000 --pages 10000
    python scripts/gen_pages.py /tmp/pages-100000 --pages 100000
    python scripts/bench_ingest_memory.py /tmp/pages-10000/pages /tmp/pages-100000/pages --jobs 2 [--preannotate]

Target: peak RSS flat in corpus size (at most 1.5x from the smallest to the largest input). Prints one
JSON object per input and the growth ratios.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile

RUN = """
import json, resource, shutil, sys, time
from corpus.ingestion.engine import IngestOptions, ingest
src, out, jobs, pre = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
t = time.perf_counter()
s = ingest([src], out, options=IngestOptions(layout="shards", preannotate=pre, ner="none"), jobs=jobs)
dt = time.perf_counter() - t
mib = lambda who: round(resource.getrusage(who).ru_maxrss / 1024, 1)
print(json.dumps({"documents": s.documents, "rejects": s.rejects, "seconds": round(dt, 1),
                  "pages_per_s": round((s.documents + s.rejects) / dt, 1),
                  "parent_peak_mib": mib(resource.RUSAGE_SELF), "worker_peak_mib": mib(resource.RUSAGE_CHILDREN)}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("inputs", nargs="+", help="page directories, smallest first")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--preannotate", action="store_true", help="pre-annotate (block labels, metadata; no NER)")
    args = ap.parse_args()
    rows = []
    for src in args.inputs:
        with tempfile.TemporaryDirectory(prefix="bench-ingest-mem-") as tmp:
            proc = subprocess.run([sys.executable, "-c", RUN, src, f"{tmp}/out", str(args.jobs),
                                   "1" if args.preannotate else "0"], capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit(proc.stderr[-2000:])
        row = {"input": src} | json.loads(proc.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(json.dumps(row), flush=True)
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        print(json.dumps({key: round(last[key] / first[key], 2) for key in ("parent_peak_mib", "worker_peak_mib")}
                         | {"growth": f"{first['documents']} -> {last['documents']} documents"}))


if __name__ == "__main__":
    main()
