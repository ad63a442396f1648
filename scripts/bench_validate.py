"""Benchmark the validator's fast path against plain jsonschema on the same documents.

Generates N synthetic news-like pages (HTML, normalised with the package's normaliser: a few KB of
text, 30-100 blocks, ~20 entities, gold labels), then measures in one process:

* ``jsonschema``: ``Draft202012Validator(schema).iter_errors(doc)`` on parsed documents (schema only);
* ``reference``: ``validate_document(doc)`` (schema + semantic layers, the reference path);
* ``fast``: ``validate_document(doc, fast=True)`` (same checks, bulk path);
* end to end on a JSONL file: ``json.loads`` + ``iter_errors`` per line versus
  ``validate_paths([file], check_raw=False)`` (parsing, duplicate-key detection, all layers).

Usage: ``python scripts/bench_validate.py [-n 2000] [--seed 0] [--write docs/perf-validate.md]``
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from corpus.ingestion.draft import draft_document
from corpus.validation import validate_document, validate_paths
from corpus.validation.schema import load_schema

WORDS = ("the city council said on Tuesday that plans for a new bridge over the river were approved after "
         "months of debate between residents officials and local businesses who had raised concerns about "
         "traffic noise costs and the environment").split()
NAMES = [("Angela Merkel", "PER"), ("Emmanuel Macron", "PER"), ("United Nations", "ORG"), ("Paris", "LOC"),
         ("Berlin", "LOC"), ("European Commission", "ORG"), ("Jane Doe", "PER"), ("Olympic Games", "MISC")]


def synthetic_page(rng: random.Random, i: int) -> bytes:
    """A news-like HTML page with 30-100 text blocks and named entities."""
    n_blocks = rng.randint(30, 100)
    parts = [f"<html><head><title>Story {i}</title></head><body><nav>Home | World | Politics | Sport</nav>",
             f"<h1>Story {i}: {NAMES[i % len(NAMES)][0]} visits {NAMES[(i + 3) % len(NAMES)][0]}</h1>"]
    for k in range(n_blocks - 3):
        words = [rng.choice(WORDS) for _ in range(rng.randint(4, 14))]
        if k % 3 == 0:
            words.insert(rng.randint(0, len(words)), rng.choice(NAMES)[0])
        tag = "li" if k % 7 == 6 else "p"
        sentence = " ".join(words)
        parts.append(f"<{tag}>{sentence[0].upper()}{sentence[1:]}.</{tag}>")
    parts.append(f"<footer>Copyright 2024 Example News {i}</footer></body></html>")
    return "".join(parts).encode("utf-8")


def synthetic_document(rng: random.Random, i: int) -> dict[str, Any]:
    raw = synthetic_page(rng, i)
    d = draft_document(raw, raw_path=f"raw/{i:06d}.html", url=f"https://news{i % 50}.example.com/{i}",
                       crawl_date="2024-05-03").to_dict()
    blocks = d["blocks"]
    for k, b in enumerate(blocks):
        b["label"] = "navigation" if k == 0 else "title" if k == 1 else "footer" if k == len(blocks) - 1 else "body"
    text = d["text"]
    ents = []
    for name, label in NAMES:
        start = 0
        while len(ents) < 40:
            s = text.find(name, start)
            if s < 0:
                break
            ents.append({"start": s, "end": s + len(name), "label": label, "text": name})
            start = s + len(name)
    ents.sort(key=lambda e: e["start"])
    d["entities"] = ents[:: max(1, len(ents) // 20)][:20]
    d["metadata"].update(title=f"Story {i}", authors=["Jane Doe"], date_published="2024-05-02", language="en")
    d["checks"] = {"include": [text[blocks[2]["start"] : blocks[2]["end"]][:30]], "exclude": []}
    d["annotation"]["blocks"] = {"status": "gold", "by": "bench"}
    d["annotation"]["entities"] = {"status": "gold", "by": "bench"}
    return d


NOTES = """\
Notes:

- Rates are documents per CPU second of this process (`time.process_time`), so other load on the
  machine does not distort the ratios; baseline and candidates run in the same process and run.
- "in memory" is the like-for-like comparison: the same parsed documents, `iter_errors` checks the
  schema only while `validate_document` also checks every semantic invariant (DESIGN §3). The fast
  path proves a document clean with bulk C-level checks and only falls back to the reference layers
  (jsonschema included) for documents it cannot prove clean, so its output is identical.
- "JSONL file" includes reading and parsing (`json.loads` alone is a large share of the fast path's
  time), UTF-8 checks, duplicate-key detection and positions; raw-file checks are off (`--no-raw`),
  since re-normalising raw HTML costs milliseconds per page whatever the validator does.
- All synthetic documents are valid: this measures the common case. An invalid document costs one
  reference validation (about the jsonschema time) plus the position parser.
"""


def _rate(fn: Any, docs: list[Any], min_seconds: float = 1.0) -> float:
    """Documents per CPU second of ``fn`` over ``docs`` (repeated until ``min_seconds`` of CPU time)."""
    done, t0 = 0, time.process_time()
    while True:
        for d in docs:
            fn(d)
        done += len(docs)
        elapsed = time.process_time() - t0
        if elapsed >= min_seconds:
            return done / elapsed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=2000, help="number of synthetic documents")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--write", type=Path, help="write the figures as Markdown to this file")
    args = ap.parse_args(argv)

    from jsonschema import Draft202012Validator

    rng = random.Random(args.seed)
    docs = [synthetic_document(rng, i) for i in range(args.n)]
    assert all(validate_document(d) == [] for d in docs[:50]), "synthetic documents must be valid"
    sizes = [len(d["text"]) for d in docs]
    nblocks = [len(d["blocks"]) for d in docs]
    nents = [len(d["entities"]) for d in docs]
    validator = Draft202012Validator(load_schema())
    base_sample = docs[: max(50, args.n // 10)]

    r_schema = _rate(lambda d: list(validator.iter_errors(d)), base_sample)
    r_ref = _rate(validate_document, base_sample)
    r_fast = _rate(lambda d: validate_document(d, fast=True), docs)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "docs.jsonl"
        lines = [json.dumps(d, ensure_ascii=False) for d in docs]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        r_e2e_schema = _rate(lambda line: list(validator.iter_errors(json.loads(line))), lines[: len(base_sample)])
        t0 = time.process_time()
        report = validate_paths([path], check_raw=False, fast=True)
        r_e2e_fast = len(docs) / (time.process_time() - t0)
        assert report.problems == [] and report.documents == len(docs)
        t0 = time.process_time()
        validate_paths([path], check_raw=False, fast=False)
        r_e2e_ref = len(docs) / (time.process_time() - t0)

    rows = [
        ("in memory", "jsonschema iter_errors (schema only)", r_schema, 1.0),
        ("in memory", "validate_document, reference path (schema + semantic)", r_ref, r_ref / r_schema),
        ("in memory", "validate_document, fast path (schema + semantic)", r_fast, r_fast / r_schema),
        ("JSONL file", "json.loads + jsonschema iter_errors", r_e2e_schema, 1.0),
        ("JSONL file", "validate_paths --reference (all layers, no raw)", r_e2e_ref, r_e2e_ref / r_e2e_schema),
        ("JSONL file", "validate_paths --fast (all layers, no raw)", r_e2e_fast, r_e2e_fast / r_e2e_schema),
    ]
    mean = lambda xs: sum(xs) / len(xs)  # noqa: E731
    lines_out = [
        f"documents: {args.n} synthetic pages (seed {args.seed}); text {mean(sizes):.0f} characters, "
        f"{mean(nblocks):.0f} blocks, {mean(nents):.1f} entities on average",
        f"python {platform.python_version()}, {platform.machine()}, jsonschema "
        f"{__import__('importlib.metadata').metadata.version('jsonschema')}",
        "",
        "| input | what | docs/s | × baseline |",
        "|---|---|---:|---:|",
        *(f"| {a} | {b} | {r:,.0f} | {x:.1f}× |" for a, b, r, x in rows),
    ]
    text = "\n".join(lines_out)
    print(text)
    if args.write:
        args.write.write_text(
            "# Validator performance\n\n"
            f"Command: `python scripts/bench_validate.py -n {args.n} --seed {args.seed} --write {args.write}`\n\n"
            + text + "\n\n" + NOTES, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
