"""Score metadata pre-annotation (title, authors, date) against the gold metadata of the shared benchmarks.

Runs, in the same process and on the same decoded pages, ``corpus``'s metadata extraction
(``parse_html`` + ``extract_metadata``, the page URL given) and trafilatura's own
(``trafilatura.extract_metadata(html, default_url=url)``, defaults), over the development parts of
trafilatura's evaluation set (``evaldata.json``: ``title``, ``author``, ``date``) and WCXB
(``ground_truth.{title, author, publish_date}``). Per source and field it reports, over the pages
whose gold has that field: accuracy (title exact after whitespace folding, and normalised:
case-folded ``\\w+`` tokens; authors as a set of normalised names; date equal to the day), plus how
often a system gives a value where the gold has none, and CPU seconds per system.

    python scripts/score_metadata.py [--shared ../shared/benchmarks] [--source trafilatura-eval|wcxb]
                                     [--limit N] [--json] [--misses FIELD]
"""

from __future__ import annotations

import argparse
import html as html_lib
import json
import re
import sys
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from corpus.annotate.preannotate import METADATA_TOOL
from corpus.annotate.preannotate.metadata import extract_metadata
from corpus.benchmarks._common import clean_str, iso_date
from corpus.errors import DocumentError
from corpus.text.normalise import decode_raw, parse_html

DEFAULT_SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks"
FIELDS = ("title", "authors", "date")
#: Separators between names in an author string (gold and predictions alike).
_NAME_SPLIT = re.compile(r"\s*(?:[;,&|/]|\s(?:and|und|y|et|e|och|og|en)\s)\s*", re.IGNORECASE)
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Page:
    source: str
    key: str
    url: str | None
    html: str
    title: str | None
    authors: str | None
    date: str | None


@dataclass(frozen=True)
class Prediction:
    title: str | None
    authors: str | None
    date: str | None


# -- gold --------------------------------------------------------------------------------------------
def trafilatura_eval_pages(directory: Path) -> Iterator[Page]:
    entries = json.loads((directory / "evaldata.json").read_text(encoding="utf-8"))
    for url, entry in sorted(entries.items()):
        raw = (directory / "pages" / entry["file"]).read_bytes()
        yield Page("trafilatura-eval", url, url, _decode(raw), clean_str(entry.get("title")),
                   clean_str(entry.get("author")), iso_date(entry.get("date")))


def wcxb_pages(directory: Path) -> Iterator[Page]:
    for truth in sorted((directory / "dev" / "ground-truth").glob("*.json")):
        record = json.loads(truth.read_text(encoding="utf-8"))
        gt = record.get("ground_truth") or {}
        raw = (directory / "dev" / "html" / f"{truth.stem}.html.gz").read_bytes()
        html = _decode(raw, gzipped=True, charset="utf-8")  # as the WCXB importer reads them
        yield Page("wcxb", truth.stem, record.get("url"), html, clean_str(gt.get("title")),
                   clean_str(gt.get("author")), iso_date(gt.get("publish_date")))


def _decode(raw: bytes, *, gzipped: bool = False, charset: str | None = None) -> str:
    try:
        return decode_raw(raw, "html", gzipped=gzipped, declared_charset=charset)[0]
    except DocumentError:
        return ""


# -- systems -----------------------------------------------------------------------------------------
def corpus_metadata(page: Page) -> Prediction:
    try:
        root = parse_html(page.html)
    except DocumentError:
        return Prediction(None, None, None)
    md = extract_metadata(root, url=page.url).metadata
    return Prediction(md.title, "; ".join(md.authors) or None, md.date_published)


def trafilatura_metadata(page: Page) -> Prediction:
    import trafilatura

    md = trafilatura.extract_metadata(page.html, default_url=page.url)
    if md is None:
        return Prediction(None, None, None)
    return Prediction(md.title, md.author, md.date)


def trafilatura_version() -> str:
    import trafilatura

    return trafilatura.__version__


# -- comparison --------------------------------------------------------------------------------------
def fold_title(value: str | None, *, strict: bool) -> str:
    """Whitespace-folded, entity-decoded title (``strict``), or its case-folded ``\\w+`` tokens."""
    s = unicodedata.normalize("NFKC", html_lib.unescape(value or ""))
    if strict:
        return " ".join(s.split())
    return " ".join(_WORD.findall(s.casefold()))


def name_set(value: str | None) -> frozenset[str]:
    """Author string -> set of normalised names (split on ``;``, ``,``, ``&``, "and", ...)."""
    names = set()
    for part in _NAME_SPLIT.split(value or ""):
        words = _WORD.findall(unicodedata.normalize("NFKC", part).casefold())
        if words:
            names.add(" ".join(words))
    return frozenset(names)


def day(value: str | None) -> str | None:
    return iso_date(value[:10]) if value else None


def judge(page: Page, pred: Prediction) -> dict[str, dict[str, bool | None]]:
    """Per field: ``gold`` (gold has it), ``given`` (prediction has it), ``ok`` (and ``ok_norm`` for titles)."""
    out: dict[str, dict[str, bool | None]] = {}
    out["title"] = {"gold": page.title is not None, "given": bool(clean_str(pred.title)),
                    "ok": fold_title(pred.title, strict=True) == fold_title(page.title, strict=True),
                    "ok_norm": fold_title(pred.title, strict=False) == fold_title(page.title, strict=False)}
    gold_names, pred_names = name_set(page.authors), name_set(pred.authors)
    out["authors"] = {"gold": bool(gold_names), "given": bool(pred_names), "ok": gold_names == pred_names,
                      "tp": len(gold_names & pred_names), "fp": len(pred_names - gold_names),
                      "fn": len(gold_names - pred_names)}
    gold_day = page.date
    out["date"] = {"gold": gold_day is not None, "given": day(pred.date) is not None,
                   "ok": day(pred.date) == gold_day}
    return out


def summarise(judged: list[dict]) -> dict[str, dict[str, float | int]]:
    table: dict[str, dict[str, float | int]] = {}
    for f in FIELDS:
        rows = [j[f] for j in judged]
        with_gold = [r for r in rows if r["gold"]]
        without = [r for r in rows if not r["gold"]]
        n = len(with_gold)
        cell: dict[str, float | int] = {
            "n_gold": n,
            "accuracy": round(sum(r["ok"] for r in with_gold) / n, 4) if n else 0.0,
            "n_no_gold": len(without),
            "spurious": round(sum(r["given"] for r in without) / len(without), 4) if without else 0.0,
        }
        if f == "title":
            cell["accuracy_norm"] = round(sum(r["ok_norm"] for r in with_gold) / n, 4) if n else 0.0
        if f == "authors":
            tp, fp, fn = (sum(r[k] for r in rows) for k in ("tp", "fp", "fn"))
            p = tp / (tp + fp) if tp + fp else 0.0
            rc = tp / (tp + fn) if tp + fn else 0.0
            cell["name_f1"] = round(2 * p * rc / (p + rc), 4) if p + rc else 0.0
        table[f] = cell
    return table


def run(name: str, fn: Callable[[Page], Prediction], pages: list[Page], misses: str | None) -> dict:
    judged, failed = [], 0
    t0 = time.process_time()
    preds = []
    for page in pages:
        try:
            preds.append(fn(page))
        except Exception as exc:  # a crash counts as no metadata
            print(f"{name}: {page.source}:{page.key}: {type(exc).__name__}: {exc}", file=sys.stderr)
            preds.append(Prediction(None, None, None))
            failed += 1
    cpu = time.process_time() - t0
    for page, pred in zip(pages, preds, strict=True):
        j = judge(page, pred)
        judged.append(j)
        if misses and j[misses]["gold"] and not j[misses]["ok"]:
            gold = {"title": page.title, "authors": page.authors, "date": page.date}[misses]
            print(f"MISS {name[:12]} {page.source}:{page.key[:60]} gold={gold!r} pred={getattr(pred, misses)!r}",
                  file=sys.stderr)
    by_source: dict[str, dict] = {}
    for src in sorted({p.source for p in pages}):
        sel = [j for j, p in zip(judged, pages, strict=True) if p.source == src]
        by_source[src] = {"pages": len(sel), **summarise(sel)}
    return {"system": name, "cpu_seconds": round(cpu, 2), "failed": failed, "sources": by_source}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="folder holding the benchmark folders")
    ap.add_argument("--source", choices=("trafilatura-eval", "wcxb"), action="append", default=None)
    ap.add_argument("--limit", type=int, default=None, help="score only the first N pages of each source")
    ap.add_argument("--only", choices=("corpus", "trafilatura"), default=None)
    ap.add_argument("--misses", choices=FIELDS, default=None, help="print corpus's misses of FIELD to stderr")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = ap.parse_args(argv)
    loaders = {"trafilatura-eval": (args.shared / "trafilatura-eval-dev", trafilatura_eval_pages),
               "wcxb": (args.shared / "wcxb-dev", wcxb_pages)}
    pages: list[Page] = []
    for src in args.source or list(loaders):
        directory, load = loaders[src]
        if not directory.is_dir():
            print(f"{directory}: not found", file=sys.stderr)
            return 2
        for i, page in enumerate(load(directory)):
            if args.limit and i >= args.limit:
                break
            pages.append(page)
    systems = [(METADATA_TOOL, corpus_metadata),
               (f"trafilatura-{trafilatura_version()} extract_metadata", trafilatura_metadata)]
    if args.only:
        systems = [s for s in systems if s[0].startswith(args.only)]
    rows = [run(name, fn, pages, args.misses if fn is corpus_metadata else None) for name, fn in systems]
    if args.json:
        print(json.dumps({"results": rows}, indent=2))
        return 0
    print(f"{'source':17} {'system':38} {'title':>6} {'norm':>6} {'auth':>6} {'nameF1':>6} {'date':>6}  "
          f"{'n t/a/d':>13}  {'spurious a/d':>12}")
    for src in sorted({p.source for p in pages}):
        for r in rows:
            s = r["sources"][src]
            t, a, d = s["title"], s["authors"], s["date"]
            print(f"{src:17} {r['system'][:38]:38} {t['accuracy']:6.3f} {t['accuracy_norm']:6.3f} "
                  f"{a['accuracy']:6.3f} {a['name_f1']:6.3f} {d['accuracy']:6.3f}  "
                  f"{t['n_gold']:>4}/{a['n_gold']:>4}/{d['n_gold']:>3}  {a['spurious']:6.3f}/{d['spurious']:5.3f}")
    for r in rows:
        print(f"{r['system']}: {r['cpu_seconds']:.1f} s CPU, {r['failed']} failed, {len(pages)} pages")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
