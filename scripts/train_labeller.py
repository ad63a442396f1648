"""Train the learned block labeller and measure it out of fold, grouped by site.

Sources (docs/labeller.md says how each one's gold becomes block labels):

- ``../shared/benchmarks/trafilatura-eval-dev``: ``with`` snippets -> article blocks, ``without``
  snippets -> not article; other blocks unlabelled;
- ``../shared/benchmarks/wcxb-dev``: ``main_content`` -> a block is article when most token 3-grams
  touching it occur in the gold text, not article when hardly any do, else unlabelled;
- the bundled gold in ``data/`` and pages of ``scripts/gen_pages.py``: every block, fine labels.

Features are cached under ``--cache`` (keyed by the page bytes and the feature list). With
``--folds K`` (default 5) the script first scores the model out of fold: pages are split into K
folds by registrable domain (``corpus.dataset.splits.site_of``), each fold is labelled by a model
trained on the other folds, and the figures per source, per WCXB page type and per label are
printed and written to ``--report`` (with the first stage's alone under ``first_stage_only``). The
model has two stages: the first ensemble scores blocks from their features, the second
(``corpus.annotate.preannotate.learned.stack``) from those plus the first stage's probabilities in
page context, trained on out-of-fold first-stage probabilities only (:func:`out_of_fold`). Then it
fits on everything and writes the model file (arrays, feature list, version, data digest,
parameters). Same inputs and seed, same digest.

    nice python scripts/train_labeller.py [--seed 1] [--folds 5] [--report /tmp/labeller-cv.json]
        [--baseline]   # also score trafilatura.extract on the same pages (needs the extract extra)
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import pickle
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from labeller_report import block_report, markdown_report, print_report, score_row  # noqa: E402

from corpus.annotate.preannotate.labeller import _coverage, _shingles, _tokens  # noqa: E402
from corpus.annotate.preannotate.learned import MODEL_PATH, decide  # noqa: E402
from corpus.annotate.preannotate.learned.features import FEATURES, PageFeatures, page_features  # noqa: E402
from corpus.annotate.preannotate.learned.model import TreeModel, from_sklearn, save_model, with_stack  # noqa: E402
from corpus.annotate.preannotate.learned.stack import STACK_FEATURES, stack_rows  # noqa: E402
from corpus.annotate.projection import align_labels, snippet_labels, title_labels  # noqa: E402
from corpus.dataset.splits import site_of  # noqa: E402
from corpus.errors import DocumentError  # noqa: E402
from corpus.evaluate.metrics import trafilatura_segments, wcxb_word_f1  # noqa: E402
from corpus.labels import VIEWS  # noqa: E402
from corpus.model import domain_of  # noqa: E402
from corpus.text.normalise import decode_raw, fold_text  # noqa: E402
from corpus.text.normalise_v2 import NORMALIZER_V2_VERSION  # noqa: E402

SHARED = Path(os.environ.get("CORPUS_SHARED_DIR", ROOT.parent / "shared")) / "benchmarks"
MODEL_VERSION = "1.1.0"  # 1.1.0: a second stage (learned.stack) rides in the file
ARTICLE = VIEWS["article"]
#: A block is article (not article) when at least (at most) this share of its 3-grams is in the gold text.
WCXB_POSITIVE, WCXB_NEGATIVE = 0.7, 0.2
#: Labelled blocks per page at most in the training rows (a seeded sample of longer pages).
PAGE_BLOCK_CAP = 60
#: Extra weight of snippet-labelled blocks (few per page, and the closest to the body-view target).
SNIPPET_WEIGHT = 3.0
#: Share of a row's weight that follows its block's log word count relative to the page's labelled blocks
#: (the word-F1 targets count words, so a long block's error costs more than a short one's); 0 disables.
WORD_WEIGHT_MIX = 0.5
#: Depth is capped so that inference walks at most 8 levels per tree.
PARAMS = {"max_iter": 200, "learning_rate": 0.1, "max_leaf_nodes": 31, "max_depth": 8, "min_samples_leaf": 30,
          "l2_regularization": 1.0, "max_bins": 255, "early_stopping": False}
#: Second stage (``corpus.annotate.preannotate.learned.stack``): it starts from the first stage's
#: probabilities, so fewer and shallower trees do.
STACK_PARAMS = {**PARAMS, "max_iter": 100, "max_depth": 6}
#: Folds (grouped by site) of the out-of-fold first-stage probabilities the shipped second stage learns from.
STACK_FOLDS = 5
THRESHOLD = 0.5
SOURCES = ("trafilatura-eval-dev", "wcxb-dev", "bundled", "generated")
FEATURE_CACHE_VERSION = "5"
_LOG_WORDS = FEATURES.index("log_words")


@dataclass
class Page:
    source: str
    key: str
    url: str | None
    html: str
    raw_sha256: str
    gold: dict[str, Any] = field(default_factory=dict)
    #: Where the raw bytes are: (path, gzipped, declared charset); None for generated pages (their HTML).
    origin: tuple[Path, bool, str | None] | None = None


@dataclass
class Item:
    page: Page
    pf: PageFeatures
    y: np.ndarray  # 1 article, 0 not, -1 unlabelled
    fine: list[str | None] | None  # fine gold labels per v2 block (bundled, generated)
    group: str


# -- sources -------------------------------------------------------------------------------------
def traf_pages(base: Path) -> Iterator[Page]:
    entries = json.loads((base / "evaldata.json").read_text(encoding="utf-8"))
    for url, e in sorted(entries.items()):
        p = base / "pages" / e["file"]
        if not p.is_file():
            continue
        raw = p.read_bytes()
        html, _ = decode_raw(raw, "html")
        yield Page("trafilatura-eval-dev", url, url, html, hashlib.sha256(raw).hexdigest(),
                   {"include": list(e.get("with") or ()), "exclude": list(e.get("without") or ()),
                    "comments": list(e.get("comments") or ()), "title": e.get("title")}, (p, False, None))


def wcxb_pages(base: Path) -> Iterator[Page]:
    split = base / "dev"
    for gt_path in sorted((split / "ground-truth").glob("*.json")):
        rec = json.loads(gt_path.read_text(encoding="utf-8"))
        gt = rec.get("ground_truth") or {}
        page = split / "html" / f"{gt_path.stem}.html.gz"
        if not page.is_file():
            continue
        raw = page.read_bytes()
        html, _ = decode_raw(raw, "html", gzipped=True, declared_charset="utf-8")
        pt = ((rec.get("_internal") or {}).get("page_type") or {}).get("primary") or "unknown"
        pt = {"category": "collection"}.get(pt, pt)
        yield Page("wcxb-dev", gt_path.stem, rec.get("url"), html, hashlib.sha256(raw).hexdigest(),
                   {"main": gt.get("main_content") or "", "page_type": pt, "title": gt.get("title")},
                   (page, True, "utf-8"))


def bundled_pages(data: Path) -> Iterator[Page]:
    for p in sorted((data / "documents").glob("*.json")):
        d = json.loads(p.read_text(encoding="utf-8"))
        src = d["source"]
        if src.get("raw_format") != "html":
            continue
        raw = (data / src["raw_path"]).read_bytes()
        html, _ = decode_raw(raw, "html", gzipped=src["raw_path"].endswith(".gz"),
                             declared_charset=src.get("encoding"))
        text = d["text"]
        gold = [(text[b["start"] : b["end"]], b["label"]) for b in d["blocks"]]
        yield Page("bundled", p.stem, src.get("url"), html, src["raw_sha256"], {"blocks": gold},
                   (data / src["raw_path"], src["raw_path"].endswith(".gz"), src.get("encoding")))


def generated_pages(n: int, seed: int) -> Iterator[Page]:
    from gen_pages import page

    for i in range(n):
        html, blocks = page(i, seed)
        yield Page("generated", f"gen-{seed}-{i}", f"https://gen{i % 40}.example/a/{i}", html,
                   hashlib.sha256(html.encode()).hexdigest(), {"blocks": [(t, lab) for lab, t in blocks]})


# -- gold -> block labels ------------------------------------------------------------------------
def block_targets(page: Page, pf: PageFeatures) -> tuple[np.ndarray, list[str | None] | None]:
    n = len(pf.blocks)
    doc = SimpleNamespace(text=pf.text, blocks=pf.blocks)
    y = np.full(n, -1, np.int8)
    fine = None
    g = page.gold
    if page.source == "trafilatura-eval-dev":
        inc = snippet_labels(doc, g["include"])
        flat = pf.text.replace("\n", " ")
        excluded = np.zeros(n, bool)
        starts = [b.start for b in pf.blocks]
        for s in g["exclude"]:
            needle = fold_text(s)
            pos = flat.find(needle) if needle else -1
            while pos >= 0:
                for i in _overlapping(starts, pf.blocks, pos, pos + len(needle)):
                    excluded[i] = True
                pos = flat.find(needle, pos + 1)
        for i, lab in enumerate(inc):
            if lab == "body" and not excluded[i]:
                y[i] = 1
            elif excluded[i] and lab is None:
                y[i] = 0
        for i, lab in enumerate(title_labels(doc, g.get("title"), list(inc))):
            if lab == "title":
                y[i] = 1
    elif page.source == "wcxb-dev":
        gold_sh = _shingles(_tokens(g["main"]))
        toks = [_tokens(pf.text[b.start : b.end]) for b in pf.blocks]
        cov = _coverage(toks, gold_sh)
        for i, c in enumerate(cov):
            if not toks[i]:
                continue
            if c >= WCXB_POSITIVE:
                y[i] = 1
            elif c <= WCXB_NEGATIVE:
                y[i] = 0
        for i, lab in enumerate(title_labels(doc, g.get("title"))):
            if lab == "title":
                y[i] = 1
    else:
        texts = [pf.text[b.start : b.end] for b in pf.blocks]
        gold_texts = [t for t, _ in g["blocks"]]
        fine = align_labels(texts, gold_texts, [lab for _, lab in g["blocks"]])
        for i, lab in enumerate(fine):
            if lab is not None:
                y[i] = 1 if lab in ARTICLE else 0
    return y, fine


def _overlapping(starts: list[int], blocks, start: int, end: int) -> list[int]:
    import bisect

    i = max(bisect.bisect_right(starts, start) - 1, 0)
    out = []
    while i < len(blocks) and blocks[i].start < end:
        if blocks[i].end > start:
            out.append(i)
        i += 1
    return out


# -- features (cached) ---------------------------------------------------------------------------
def _features_key() -> str:
    key = "\n".join(FEATURES) + FEATURE_CACHE_VERSION + NORMALIZER_V2_VERSION  # features read v2's blocks
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def _featurise(page: Page) -> PageFeatures | None:
    try:
        return page_features(page.html)
    except DocumentError:
        return None


def build_items(pages: list[Page], cache: Path, jobs: int, dropped: list[Page] | None = None) -> list[Item]:
    """Featurised pages with their targets; pages v2 rejects or finds no text in go to ``dropped``."""
    cache.mkdir(parents=True, exist_ok=True)
    key = _features_key()
    by_source: dict[str, list[Page]] = defaultdict(list)
    for p in pages:
        by_source[p.source].append(p)
    items: list[Item] = []
    for source, group in by_source.items():
        digest = hashlib.sha256("".join(p.raw_sha256 for p in group).encode()).hexdigest()[:12]
        path = cache / f"{source}-{key}-{digest}.pkl"
        if path.is_file():
            feats = pickle.loads(path.read_bytes())
        else:
            t0 = time.process_time()
            if jobs > 1:
                with get_context("fork").Pool(jobs) as pool:
                    feats = list(pool.imap(_featurise, group, chunksize=8))
            else:
                feats = [_featurise(p) for p in group]
            path.write_bytes(pickle.dumps(feats, protocol=pickle.HIGHEST_PROTOCOL))
            print(f"features {source}: {len(group)} pages, {time.process_time() - t0:.1f}s CPU (parent)",
                  file=sys.stderr)
        for p, pf in zip(group, feats, strict=True):
            if pf is None or not pf.blocks:
                if dropped is not None:
                    dropped.append(p)
                continue
            y, fine = block_targets(p, pf)
            host = domain_of(p.url) if p.url else None
            items.append(Item(p, pf, y, fine, site_of(host) if host else f"page:{p.key}"))
    return items


# -- training ------------------------------------------------------------------------------------
def design(items: list[Item], seed: int, mats: list[np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray,
                                                                                     np.ndarray]:
    """Training rows: the labelled blocks, at most ``PAGE_BLOCK_CAP`` per page (a seeded sample of
    each page's own blocks), weighted so that every page counts about the same and, within a page,
    longer blocks a little more (``WORD_WEIGHT_MIX``). ``mats``: each item's rows (default its features)."""
    Xs, ys, ws = [], [], []
    for j, it in enumerate(items):
        idx = np.flatnonzero(it.y >= 0)
        k = len(idx)
        if not k:
            continue
        if k > PAGE_BLOCK_CAP:
            rng = np.random.default_rng([seed, int(it.page.raw_sha256[:12], 16)])
            idx = np.sort(rng.choice(idx, PAGE_BLOCK_CAP, replace=False))
        w = SNIPPET_WEIGHT if it.page.source == "trafilatura-eval-dev" else 1.0
        lw = it.pf.X[idx, _LOG_WORDS].astype(np.float64)
        rel = lw / lw.mean() if lw.mean() > 0 else np.ones(len(idx))
        Xs.append((it.pf.X if mats is None else mats[j])[idx])
        ys.append(it.y[idx])
        ws.append(w * (1.0 - WORD_WEIGHT_MIX + WORD_WEIGHT_MIX * rel))
    return (np.concatenate(Xs).astype(np.float64), np.concatenate(ys).astype(np.int64),
            np.concatenate(ws))


def fit(items: list[Item], seed: int, meta: dict[str, Any], mats: list[np.ndarray] | None = None,
        params: dict[str, Any] = PARAMS) -> TreeModel:
    from sklearn.ensemble import HistGradientBoostingClassifier

    X, y, w = design(items, seed, mats)
    est = HistGradientBoostingClassifier(random_state=seed, **params)
    est.fit(X, y, sample_weight=w)
    return from_sklearn(est, meta)


def folds_by_site(items: list[Item], k: int, seed: int) -> list[int]:
    """Fold of each item: sites hashed (with the seed) into ``k`` folds, so no site spans two folds."""
    def fold_of(site: str) -> int:
        return int(hashlib.sha256(f"{seed}:{site}".encode()).hexdigest(), 16) % k

    return [fold_of(it.group) for it in items]


_FOLD_STATE: tuple[list[Item], list[int], int] | None = None
#: First-stage out-of-fold probabilities by the folds left out of the fit (set before forking).
_PROBA: dict[tuple[int, ...], dict[int, np.ndarray]] = {}


def _fold_proba(excl: tuple[int, ...]) -> tuple[tuple[int, ...], dict[int, np.ndarray]]:
    """First-stage probabilities of the pages of folds ``excl`` from a model fitted on the other folds."""
    assert _FOLD_STATE is not None
    items, fold, seed = _FOLD_STATE
    model = fit([it for it, k in zip(items, fold, strict=True) if k not in excl], seed, {})
    print(f"first stage without folds {[f + 1 for f in excl]} done", file=sys.stderr, flush=True)
    return excl, {i: model.predict_proba(it.pf.X) for i, (it, k) in enumerate(zip(items, fold, strict=True))
                  if k in excl}


def _stack_proba(f: int) -> dict[int, np.ndarray]:
    """Second-stage probabilities of fold ``f``'s pages. The second stage is trained on the other folds'
    pages, each with the first-stage probabilities of a model that saw neither fold ``f`` nor the page's
    own fold, and applied to fold ``f`` with those of the model fitted on all the other folds: nothing
    that scores fold ``f`` has seen its labels."""
    assert _FOLD_STATE is not None
    items, fold, seed = _FOLD_STATE
    train = [i for i, k in enumerate(fold) if k != f]
    mats = [stack_rows(items[i].pf.X, _PROBA[tuple(sorted((f, fold[i])))][i]) for i in train]
    stack = fit([items[i] for i in train], seed, {}, mats, STACK_PARAMS)
    print(f"second stage of fold {f + 1} done", file=sys.stderr, flush=True)
    return {i: stack.predict_proba(stack_rows(items[i].pf.X, _PROBA[(f,)][i])) for i, k in enumerate(fold) if k == f}


def _pool_map(fn, args: list, jobs: int) -> list:
    """``map`` over ``jobs`` forked processes (each fit is single-threaded: the same trees either way)."""
    if jobs > 1 and len(args) > 1:
        with get_context("fork").Pool(min(jobs, len(args))) as pool:
            return pool.map(fn, args, chunksize=1)
    return [fn(a) for a in args]


def out_of_fold(items: list[Item], k: int, seed: int, jobs: int, *, stacked: bool = True
                ) -> tuple[list[np.ndarray], list[np.ndarray] | None]:
    """Out-of-fold article probabilities of every item, ``k`` folds grouped by site: the first stage's
    and (``stacked``) the second stage's, whose training probabilities come from the models of every
    pair of folds (:func:`_stack_proba`)."""
    global _FOLD_STATE
    fold = folds_by_site(items, k, seed)
    _FOLD_STATE = (items, fold, seed)
    jobs_args = [(f,) for f in range(k)] + (list(itertools.combinations(range(k), 2)) if stacked else [])
    _PROBA.clear()
    _PROBA.update(_pool_map(_fold_proba, jobs_args, jobs))
    first = [_PROBA[(f,)][i] for i, f in enumerate(fold)]
    if not stacked:
        return first, None
    final: list[np.ndarray] = list(first)
    for part in _pool_map(_stack_proba, list(range(k)), jobs):
        for i, p in part.items():
            final[i] = p
    return first, final


def fit_stacked(items: list[Item], seed: int, meta: dict[str, Any], first_oof: list[np.ndarray]) -> TreeModel:
    """The shipped model: the first stage fitted on every item, the second on every item's rows with its
    out-of-fold first-stage probabilities (``first_oof``, :data:`STACK_FOLDS` folds)."""
    model = fit(items, seed, meta)
    stack_meta = {"name": "corpus-labeller-gbt-stack", "features": list(FEATURES + STACK_FEATURES),
                  "params": STACK_PARAMS, "stack_folds": STACK_FOLDS}
    stack = fit(items, seed, stack_meta, [stack_rows(it.pf.X, p) for it, p in zip(items, first_oof, strict=True)],
                STACK_PARAMS)
    return with_stack(model, stack)


def data_digest(items: list[Item], seed: int) -> str:
    h = hashlib.sha256(json.dumps({"seed": seed, "params": PARAMS, "features": FEATURES,
                                   "stack": [STACK_PARAMS, STACK_FEATURES, STACK_FOLDS],
                                   "weights": [PAGE_BLOCK_CAP, SNIPPET_WEIGHT, WCXB_POSITIVE, WCXB_NEGATIVE,
                                               WORD_WEIGHT_MIX]},
                                  sort_keys=True).encode())
    for it in items:
        h.update(f"{it.page.source}\0{it.page.key}\0{it.page.raw_sha256}\0".encode())
        h.update(it.y.tobytes())
    return h.hexdigest()


# -- evaluation ----------------------------------------------------------------------------------
def ingest_views(pages: list[Page], normaliser: str = "v2") -> dict[str, dict[str, str]]:
    """What ``corpus ingest --normaliser <normaliser>`` drafts for each page: its ``body`` and ``article``
    views (both empty when the ingest rejects the page) and the reject reason (``""`` when it drafts).

    Used for the pages v2 rejects or finds no text in: the learned labeller has no v2 block to score
    there, so the draft's labels come from the rule labeller (a v1 draft) or the page is rejected (v2,
    the ingest default); the shipped model is never consulted, so the figures stay out of fold.
    """
    from corpus.annotate.preannotate import preannotate
    from corpus.ingestion.engine import draft_page
    from corpus.ingestion.plan import IngestOptions

    options = IngestOptions(normaliser=normaliser, ner="off")
    out: dict[str, dict[str, str]] = {}
    for p in pages:
        if p.origin is None:
            raw, gz, cs = p.html.encode(), False, "utf-8"
        else:
            path, gz, cs = p.origin
            raw = path.read_bytes()
        try:
            doc = draft_page(raw, raw_path=f"raw/{p.key}", raw_format="html", gzipped=gz, url=p.url,
                             declared_charset=cs, options=options, preannotate=preannotate)
        except DocumentError as exc:
            out[p.key] = {"reason": exc.reason or "rejected", "body": "", "article": ""}
            continue
        out[p.key] = {"reason": "", "body": doc.view("body"), "article": doc.view("article")}
    return out


def view(pf: PageFeatures, labels: list[str], name: str) -> str:
    keep = VIEWS[name]
    return "\n".join(pf.text[b.start : b.end] for b, lab in zip(pf.blocks, labels, strict=True) if lab in keep)


def evaluate(items: list[Item], labels: list[list[str]], baseline: dict[str, str | None] | None,
             dropped: list[Page] = (), ingested: dict[str, dict[str, str]] | None = None) -> dict[str, Any]:
    """Out-of-fold figures; ``dropped`` pages (no v2 blocks) are scored on what the ingest drafts for them
    (``ingested``, from :func:`ingest_views`; empty outputs when it rejects them or without it)."""
    out: dict[str, Any] = {}
    ingested = ingested or {}

    def fallback(p: Page, name: str) -> str:
        return ingested.get(p.key, {}).get(name, "")

    traf = [(it, lab) for it, lab in zip(items, labels, strict=True) if it.page.source == "trafilatura-eval-dev"]
    traf_dropped = [p for p in dropped if p.source == "trafilatura-eval-dev"]
    if traf:
        s = trafilatura_segments([(view(it.pf, lab, "body"), it.page.gold["include"], it.page.gold["exclude"])
                                  for it, lab in traf]
                                 + [(fallback(p, "body"), p.gold["include"], p.gold["exclude"])
                                    for p in traf_dropped])
        out["trafilatura-eval-dev"] = {"metric": "trafilatura_segments", "view": "body", **score_row(s)}
        if baseline is not None:
            b = trafilatura_segments([(baseline.get(it.page.key), it.page.gold["include"], it.page.gold["exclude"])
                                      for it, _ in traf]
                                     + [(baseline.get(p.key), p.gold["include"], p.gold["exclude"])
                                        for p in traf_dropped])
            out["trafilatura-eval-dev"]["trafilatura"] = score_row(b)
    wc = [(it.page, view(it.pf, lab, "article")) for it, lab in zip(items, labels, strict=True)
          if it.page.source == "wcxb-dev"]
    wc += [(p, fallback(p, "article")) for p in dropped if p.source == "wcxb-dev"]
    if wc:
        types = sorted({p.gold["page_type"] for p, _ in wc})
        res: dict[str, Any] = {"metric": "wcxb_word_f1", "view": "article"}
        for t in [None, *types]:
            sub = [(p, o) for p, o in wc if t is None or p.gold["page_type"] == t]
            row = score_row(wcxb_word_f1([(o, p.gold["main"]) for p, o in sub]))
            if baseline is not None:
                row["trafilatura"] = score_row(wcxb_word_f1([(baseline.get(p.key), p.gold["main"]) for p, _ in sub]))
            res["all" if t is None else t] = row
        out["wcxb-dev"] = res
    for source in ("bundled", "generated"):
        fine = [(it, lab) for it, lab in zip(items, labels, strict=True) if it.page.source == source]
        if not fine:
            continue
        gold, pred = [], []
        for it, lab in fine:
            for g, p in zip(it.fine or (), lab, strict=True):
                if g is not None:
                    gold.append(g)
                    pred.append(p)
        out[source] = block_report(gold, pred, len(fine))
    return out


def trafilatura_outputs(pages: list[Page], cache: Path) -> dict[str, str | None]:
    """``trafilatura.extract`` (defaults) on the decoded benchmark pages, cached by page bytes."""
    import trafilatura

    todo = [p for p in pages if p.source in ("trafilatura-eval-dev", "wcxb-dev")]
    digest = hashlib.sha256("".join(p.raw_sha256 for p in todo).encode()).hexdigest()[:12]
    path = cache / f"trafilatura-{trafilatura.__version__}-{digest}.json"
    if path.is_file():
        return json.loads(path.read_text())
    out = {p.key: trafilatura.extract(p.html) for p in todo}
    path.write_text(json.dumps(out))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--folds", type=int, default=5, help="out-of-fold evaluation folds (0: skip)")
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/corpus-labeller-cache"))
    ap.add_argument("--report", type=Path, default=None, help="write the out-of-fold figures as JSON here")
    ap.add_argument("--generated", type=int, default=200, help="generated pages to train on")
    ap.add_argument("--jobs", type=int, default=2, help="processes for the features and the out-of-fold fits")
    ap.add_argument("--baseline", action="store_true", help="score trafilatura.extract on the same pages")
    ap.add_argument("--no-fit", action="store_true", help="evaluate only; do not write the model")
    ap.add_argument("--markdown", type=Path, default=None, help="render a --report JSON as Markdown and exit")
    ap.add_argument("--ingest-normaliser", choices=("v2", "v1"), default="v2",
                    help="score the pages without v2 blocks on what `corpus ingest --normaliser` drafts (v2, the "
                         "default, rejects them; v1 drafts some and labels them with the rule labeller)")
    ap.add_argument("--shared", type=Path, default=SHARED,
                    help="shared benchmarks folder (default: $CORPUS_SHARED_DIR/benchmarks or ../shared/benchmarks)")
    ap.add_argument("--sources", nargs="+", choices=SOURCES, default=list(SOURCES),
                    help="train and evaluate on these sources only (the shipped model uses all)")
    args = ap.parse_args(argv)
    if args.markdown:
        print(markdown_report(json.loads(args.markdown.read_text(encoding="utf-8"))))
        return 0
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # one thread: same trees, no spinning on a busy machine

    pages: list[Page] = []
    use = set(args.sources)
    if "trafilatura-eval-dev" in use and (args.shared / "trafilatura-eval-dev" / "evaldata.json").is_file():
        pages += traf_pages(args.shared / "trafilatura-eval-dev")
    if "wcxb-dev" in use and (args.shared / "wcxb-dev" / "dev").is_dir():
        pages += wcxb_pages(args.shared / "wcxb-dev")
    if "bundled" in use:
        pages += bundled_pages(ROOT / "data")
    if "generated" in use:
        pages += generated_pages(args.generated, args.seed)
    dropped: list[Page] = []
    items = build_items(pages, args.cache, args.jobs, dropped)
    counts = Counter(it.page.source for it in items)
    labelled = int(sum((it.y >= 0).sum() for it in items))
    print("pages:", dict(counts), "without v2 blocks:", len(dropped), "labelled blocks:", labelled, file=sys.stderr)
    digest = data_digest(items, args.seed)
    meta = {"name": "corpus-labeller-gbt", "version": MODEL_VERSION, "features": list(FEATURES),
            "data_digest": digest, "seed": args.seed, "params": PARAMS, "threshold": THRESHOLD,
            "stack_folds": STACK_FOLDS,
            "sources": dict(sorted(counts.items())), "target": "article (title, byline, body, caption) vs not"}

    first_oof: list[np.ndarray] | None = None
    if args.folds:
        first_oof, final_oof = out_of_fold(items, args.folds, args.seed, args.jobs)
        oof = [decide(it.pf, p, THRESHOLD) for it, p in zip(items, final_oof, strict=True)]
        first_labels = [decide(it.pf, p, THRESHOLD) for it, p in zip(items, first_oof, strict=True)]
        baseline = trafilatura_outputs(pages, args.cache) if args.baseline else None
        ingested = ingest_views(dropped, args.ingest_normaliser)
        rep = evaluate(items, oof, baseline, dropped, ingested)  # type: ignore[arg-type]
        other = "v1" if args.ingest_normaliser == "v2" else "v2"
        alt = evaluate(items, oof, None, dropped, ingest_views(dropped, other))  # type: ignore[arg-type]
        alt_f1 = {src: ({k: v["f1"] for k, v in r.items() if isinstance(v, dict)} if src == "wcxb-dev" else r["f1"])
                  for src, r in alt.items() if src in ("wcxb-dev", "trafilatura-eval-dev")}
        first = evaluate(items, first_labels, None, dropped, ingested)
        first_f1 = {src: ({k: v["f1"] for k, v in r.items() if isinstance(v, dict)} if src == "wcxb-dev" else
                          r.get("f1", r.get("kappa"))) for src, r in first.items()}
        rep = {"folds": args.folds, "grouped_by": "registrable domain", "data_digest": digest,
               "first_stage_only": first_f1,
               "dropped_pages": dict(Counter(p.source for p in dropped)),
               "dropped_ingest": {"normaliser": args.ingest_normaliser,
                                  "pages": {p.key: ingested[p.key]["reason"] or "drafted" for p in dropped},
                                  f"f1_if_{other}": alt_f1},
               **rep}
        if args.report:
            args.report.write_text(json.dumps(rep, indent=2) + "\n")
        print_report({k: v for k, v in rep.items() if k in SOURCES})
    if not args.no_fit:
        if first_oof is None or args.folds != STACK_FOLDS:
            first_oof, _ = out_of_fold(items, STACK_FOLDS, args.seed, args.jobs, stacked=False)
        model = fit_stacked(items, args.seed, meta, first_oof)
        save_model(model, args.out)
        size = args.out.stat().st_size
        print(f"model {args.out}: {size / 1e6:.2f} MB, digest {model.meta['digest']}, data digest {digest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
