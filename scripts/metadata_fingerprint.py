"""Dump, per shared benchmark page, the pre-annotated draft and ``extract_metadata``'s output; compare two dumps.

Used to check that a change to the metadata rules' implementation leaves their output unchanged:
run ``dump`` with one tree of the code, then with the other, then ``compare`` the two files. Per
page a JSON line holds the draft of ``draft_page`` (``--normaliser v2``, learned labeller, NER off,
the page URL given; time stamps masked) and the :class:`PageMetadata` of ``parse_html`` +
``extract_metadata`` (the URL given) — both as JSON text, compared byte for byte.

    PYTHONPATH=TREE python scripts/metadata_fingerprint.py dump OUT.jsonl [--limit N]
    python scripts/metadata_fingerprint.py compare A.jsonl B.jsonl
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks"
_MASKED = ("created_at", "updated_at", "timestamp", "ingested_at")


def _pages(limit: int | None) -> Iterator[tuple[str, bytes, bool, str | None]]:
    """``(key, raw, gzipped, url)`` for trafilatura-eval-dev, then wcxb-dev."""
    n = 0
    base = SHARED / "trafilatura-eval-dev"
    for url, entry in sorted(json.loads((base / "evaldata.json").read_text(encoding="utf-8")).items()):
        p = base / "pages" / entry["file"]
        if p.is_file():
            yield f"te:{entry['file']}", p.read_bytes(), False, url
            n += 1
            if limit and n >= limit:
                return
    wc = SHARED / "wcxb-dev" / "dev"
    for truth in sorted((wc / "ground-truth").glob("*.json")):
        url = json.loads(truth.read_text(encoding="utf-8")).get("url")
        yield f"wc:{truth.stem}", (wc / "html" / f"{truth.stem}.html.gz").read_bytes(), True, url
        n += 1
        if limit and n >= limit:
            return


def _mask(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: ("<masked>" if k in _MASKED else _mask(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    return value


def dump(out: Path, limit: int | None) -> int:
    from corpus.annotate.preannotate import preannotate
    from corpus.annotate.preannotate.metadata import extract_metadata
    from corpus.errors import DocumentError
    from corpus.ingestion.engine import draft_page
    from corpus.ingestion.plan import IngestOptions
    from corpus.text.normalise import decode_raw, parse_html

    opts = IngestOptions(normaliser="v2", ner="off")
    with out.open("w", encoding="utf-8") as fh:
        for key, raw, gz, url in _pages(limit):
            try:
                doc = draft_page(raw, raw_path="raw/x.html", raw_format="html", gzipped=gz, url=url, options=opts,
                                 preannotate=preannotate)
                draft = json.dumps(_mask(doc.to_dict()), ensure_ascii=False, sort_keys=True)
            except Exception as exc:  # a rejection is part of the output
                draft = f"error: {type(exc).__name__}: {exc}"
            try:
                root = parse_html(decode_raw(raw, "html", gzipped=gz)[0])
                meta = json.dumps(dataclasses.asdict(extract_metadata(root, url=url)), ensure_ascii=False,
                                  sort_keys=True) if root is not None else "none"
            except DocumentError as exc:
                meta = f"error: {exc.reason}"
            fh.write(json.dumps({"key": key, "draft": draft, "metadata": meta}, ensure_ascii=False) + "\n")
    return 0


def compare(a: Path, b: Path) -> int:
    rows_a = [json.loads(line) for line in a.read_text(encoding="utf-8").splitlines()]
    rows_b = [json.loads(line) for line in b.read_text(encoding="utf-8").splitlines()]
    if [r["key"] for r in rows_a] != [r["key"] for r in rows_b]:
        print("the dumps cover different pages")
        return 1
    diffs = 0
    for ra, rb in zip(rows_a, rows_b, strict=True):
        for part in ("draft", "metadata"):
            if ra[part] != rb[part]:
                diffs += 1
                print(f"{ra['key']}: {part} differs")
    errors = sum(r["draft"].startswith("error") for r in rows_a)
    print(f"{len(rows_a)} pages ({errors} rejected drafts): {diffs} differences")
    return 1 if diffs else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out", type=Path)
    d.add_argument("--limit", type=int, default=None)
    c = sub.add_parser("compare")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    args = ap.parse_args(argv)
    if args.cmd == "dump":
        return dump(args.out, args.limit)
    return compare(args.a, args.b)


if __name__ == "__main__":
    sys.exit(main())
