"""Scoring functions (DESIGN §6): pure, deterministic, no I/O.

Text metrics take ``(prediction, gold...)`` items where a prediction of ``None`` means the system
failed on that page (crash, time-out, missing from a predictions file). Each returns a
:class:`Score`. Definitions (and how they were checked against their anchors) are in
``docs/metrics.md``.

- :func:`aeb_shingle4` — the Scrapinghub article-extraction-benchmark metric;
- :func:`trafilatura_segments` — trafilatura's evaluation-set metric (include / exclude snippets);
- :func:`token_f1` — bag-of-words F1 on whitespace tokens, macro-averaged;
- :func:`wcxb_word_f1` — WCXB's metric: bag-of-words F1 on lower-cased ``\\w+`` tokens, macro-averaged;
- :func:`cohen_kappa`, :func:`block_scores` — block classification;
- entity scores live in :mod:`corpus.evaluate.entities` (re-exported here).
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from corpus.evaluate.entities import ENTITY_SCHEMAS as ENTITY_SCHEMAS
from corpus.evaluate.entities import EntityScores as EntityScores
from corpus.evaluate.entities import entity_scores as entity_scores
from corpus.labels import CONTENT_LABELS
from corpus.model import Document
from corpus.text.normalise import fold_text

#: Metric names accepted by ``corpus bench --metric`` (text metrics).
TEXT_METRICS: tuple[str, ...] = ("aeb_shingle4", "trafilatura_segments", "token_f1", "wcxb_word_f1")
#: Shingle length of ``aeb_shingle4``.
SHINGLE_N = 4
#: Default number of bootstrap resamples.
DEFAULT_BOOTSTRAP = 1000

_AEB_TOKEN = re.compile(r"\w+")


@dataclass
class Score:
    """One system's score on one metric.

    ``per_page`` holds one dict per scored page (in input order) with the page's counts and
    scores; :func:`aggregate` recomputes the corpus numbers from any subset of it, which is what
    bootstrap resampling and breakdowns use.
    """

    precision: float
    recall: float
    f1: float
    accuracy: float | None = None
    f1_std: float | None = None
    n_pages: int = 0
    n_empty: int = 0
    n_failed: int = 0
    per_page: list[dict[str, Any]] = field(default_factory=list)
    metric: str = ""

    def summary(self) -> dict[str, Any]:
        """The numbers without the per-page list."""
        return {
            "metric": self.metric,
            "n_pages": self.n_pages,
            "n_empty": self.n_empty,
            "n_failed": self.n_failed,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "accuracy": self.accuracy,
            "f1_std": self.f1_std,
        }


def _is_empty(pred: str | None) -> bool:
    return pred is not None and not pred.strip()


def _harmonic(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r > 0 else 0.0


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values) if values else 0.0


# -- aeb_shingle4 ---------------------------------------------------------------------------------
def aeb_tokens(text: str | None) -> list[str]:
    """Tokens of the AEB metric: every ``\\w+`` run (Unicode), case kept."""
    return _AEB_TOKEN.findall(text or "")


def shingles(text: str | None, n: int = SHINGLE_N) -> Counter[tuple[str, ...]]:
    """Multiset of token ``n``-grams; 1 to n-1 tokens give one shorter shingle, none give none."""
    toks = aeb_tokens(text)
    if not toks:
        return Counter()
    if len(toks) < n:
        return Counter([tuple(toks)])
    return Counter(tuple(toks[i : i + n]) for i in range(len(toks) - n + 1))


def shingle_counts(pred: str | None, gold: str | None, n: int = SHINGLE_N) -> tuple[float, float, float]:
    """Per-page ``(tp, fp, fn)`` over shingle counts, divided by their sum (when it is > 0)."""
    p, g = shingles(pred, n), shingles(gold, n)
    tp = float(sum((p & g).values()))
    fp = float(sum((p - g).values()))
    fn = float(sum((g - p).values()))
    s = tp + fp + fn
    if s > 0:
        return tp / s, fp / s, fn / s
    return tp, fp, fn


def page_precision(tp: float, fp: float, fn: float) -> float:
    """AEB page precision: 1 when fp = fn = 0, 0 when tp = fp = 0, else tp / (tp + fp)."""
    if fp == 0 and fn == 0:
        return 1.0
    if tp == 0 and fp == 0:
        return 0.0
    return tp / (tp + fp)


def page_recall(tp: float, fp: float, fn: float) -> float:
    """AEB page recall: 1 when fp = fn = 0, 0 when tp = fn = 0, else tp / (tp + fn)."""
    if fp == 0 and fn == 0:
        return 1.0
    if tp == 0 and fn == 0:
        return 0.0
    return tp / (tp + fn)


def _aeb_aggregate(rows: Sequence[Mapping[str, Any]]) -> tuple[float, float, float, float | None]:
    precisions = [r["precision"] for r in rows if r["tp"] + r["fp"] > 0]
    recalls = [r["recall"] for r in rows if r["tp"] + r["fn"] > 0]
    p, r = _mean(precisions), _mean(recalls)
    acc = _mean([r["accuracy"] for r in rows]) if rows else None
    return p, r, _harmonic(p, r), acc


def aeb_shingle4(
    pairs: Sequence[tuple[str | None, str]], *, bootstrap: int = DEFAULT_BOOTSTRAP, seed: int = 0
) -> Score:
    """Scrapinghub AEB metric over ``(prediction or None, gold)`` pairs (texts taken verbatim)."""
    rows = []
    for pred, gold in pairs:
        tp, fp, fn = shingle_counts(pred, gold)
        rows.append({
            "tp": tp, "fp": fp, "fn": fn,
            "precision": page_precision(tp, fp, fn),
            "recall": page_recall(tp, fp, fn),
            "accuracy": float(aeb_tokens(pred) == aeb_tokens(gold)),
            "failed": pred is None, "empty": _is_empty(pred),
        })
    return _finish("aeb_shingle4", rows, bootstrap, seed)


# -- trafilatura_segments -------------------------------------------------------------------------
def segment_counts(pred: str | None, include: Sequence[str], exclude: Sequence[str]) -> tuple[int, int, int, int]:
    """Per-page ``(tp, fp, fn, tn)``: whitespace-folded snippets searched in the folded output."""
    if isinstance(pred, str):
        out = fold_text(pred)
        tp = sum(1 for s in include if fold_text(s) in out)
        fp = sum(1 for s in exclude if fold_text(s) in out)
    else:
        tp = fp = 0
    return tp, fp, len(include) - tp, len(exclude) - fp


def _segments_aggregate(rows: Sequence[Mapping[str, Any]]) -> tuple[float, float, float, float | None]:
    tp = sum(r["tp"] for r in rows)
    fp = sum(r["fp"] for r in rows)
    fn = sum(r["fn"] for r in rows)
    tn = sum(r["tn"] for r in rows)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    total = tp + fp + fn + tn
    acc = (tp + tn) / total if total else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if 2 * tp + fp + fn else 0.0
    return p, r, f1, acc


def trafilatura_segments(
    items: Sequence[tuple[str | None, Sequence[str], Sequence[str]]],
    *,
    bootstrap: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
) -> Score:
    """trafilatura's evaluation metric over ``(prediction or None, include, exclude)``, micro-averaged."""
    rows = []
    for pred, include, exclude in items:
        tp, fp, fn, tn = segment_counts(pred, include, exclude)
        rows.append({"tp": tp, "fp": fp, "fn": fn, "tn": tn, "failed": pred is None, "empty": _is_empty(pred)})
    return _finish("trafilatura_segments", rows, bootstrap, seed)


# -- token_f1 -------------------------------------------------------------------------------------
def _token_aggregate(rows: Sequence[Mapping[str, Any]]) -> tuple[float, float, float, float | None]:
    return (
        _mean([r["precision"] for r in rows]),
        _mean([r["recall"] for r in rows]),
        _mean([r["f1"] for r in rows]),
        None,
    )


def token_f1(
    pairs: Sequence[tuple[str | None, str]], *, bootstrap: int = DEFAULT_BOOTSTRAP, seed: int = 0
) -> Score:
    """Bag-of-words P/R/F1 per page on whitespace tokens, each macro-averaged over pages.

    Per page: overlap = size of the multiset intersection; precision = overlap / |prediction|
    (1 when both are empty, 0 when only the prediction is), recall likewise with |gold|,
    F1 = their harmonic mean. A failed page scores 0, whatever its gold.
    """
    rows = []
    for pred, gold in pairs:
        p_tok, g_tok = Counter((pred or "").split()), Counter(gold.split())
        overlap = sum((p_tok & g_tok).values())
        n_p, n_g = sum(p_tok.values()), sum(g_tok.values())
        if pred is None:
            prec = rec = 0.0
        else:
            prec = overlap / n_p if n_p else (1.0 if n_g == 0 else 0.0)
            rec = overlap / n_g if n_g else (1.0 if n_p == 0 else 0.0)
        rows.append({"overlap": overlap, "n_pred": n_p, "n_gold": n_g, "precision": prec, "recall": rec,
                     "f1": _harmonic(prec, rec), "failed": pred is None, "empty": _is_empty(pred)})
    return _finish("token_f1", rows, bootstrap, seed)


# -- wcxb_word_f1 ---------------------------------------------------------------------------------
def wcxb_tokens(text: str | None) -> list[str]:
    """Tokens of WCXB's metric: the ``\\w+`` runs (Unicode) of the lower-cased text."""
    return _AEB_TOKEN.findall(text.lower()) if text else []


def wcxb_page(pred: str | None, gold: str) -> tuple[float, float, float]:
    """Per-page ``(precision, recall, f1)`` of ``wcxb_word_f1``.

    Empty gold (no token): 1/1/1 for an empty prediction, else 0/0/0; empty prediction: 0/0/0;
    a failed page (``None``): 0/0/0 whatever its gold.
    """
    if pred is None:
        return 0.0, 0.0, 0.0
    p_tok, g_tok = Counter(wcxb_tokens(pred)), Counter(wcxb_tokens(gold))
    if not g_tok:
        return (1.0, 1.0, 1.0) if not p_tok else (0.0, 0.0, 0.0)
    if not p_tok:
        return 0.0, 0.0, 0.0
    overlap = sum((p_tok & g_tok).values())
    prec, rec = overlap / p_tok.total(), overlap / g_tok.total()
    return prec, rec, _harmonic(prec, rec)


def wcxb_word_f1(
    pairs: Sequence[tuple[str | None, str]], *, bootstrap: int = DEFAULT_BOOTSTRAP, seed: int = 0
) -> Score:
    """WCXB's word-level P/R/F1 per page (:func:`wcxb_page`), each macro-averaged over pages."""
    rows = []
    for pred, gold in pairs:
        prec, rec, f1 = wcxb_page(pred, gold)
        rows.append({"precision": prec, "recall": rec, "f1": f1, "failed": pred is None, "empty": _is_empty(pred)})
    return _finish("wcxb_word_f1", rows, bootstrap, seed)


# -- shared aggregation / bootstrap ---------------------------------------------------------------
AGGREGATORS: dict[str, Callable[[Sequence[Mapping[str, Any]]], tuple[float, float, float, float | None]]] = {
    "aeb_shingle4": _aeb_aggregate,
    "trafilatura_segments": _segments_aggregate,
    "token_f1": _token_aggregate,
    "wcxb_word_f1": _token_aggregate,
}

TEXT_METRIC_FUNCTIONS: dict[str, Callable[..., Score]] = {
    "aeb_shingle4": aeb_shingle4,
    "trafilatura_segments": trafilatura_segments,
    "token_f1": token_f1,
    "wcxb_word_f1": wcxb_word_f1,
}


def aggregate(metric: str, rows: Sequence[Mapping[str, Any]]) -> Score:
    """Corpus-level score of ``metric`` from per-page rows (no bootstrap)."""
    p, r, f1, acc = AGGREGATORS[metric](rows)
    return Score(
        precision=p, recall=r, f1=f1, accuracy=acc, f1_std=None,
        n_pages=len(rows),
        n_empty=sum(1 for x in rows if x["empty"]),
        n_failed=sum(1 for x in rows if x["failed"]),
        per_page=list(rows), metric=metric,
    )


#: Most (resample x page) cells drawn at once, to bound memory on large corpora.
_BOOTSTRAP_CELLS = 4_000_000


def _columns(metric: str, rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    import numpy as np

    def col(key: str) -> Any:
        return np.fromiter((float(r[key]) for r in rows), dtype=np.float64, count=len(rows))

    if metric == "aeb_shingle4":
        tp, fp, fn = col("tp"), col("fp"), col("fn")
        return {"p": col("precision"), "r": col("recall"), "pm": (tp + fp > 0) * 1.0, "rm": (tp + fn > 0) * 1.0}
    if metric == "trafilatura_segments":
        return {"tp": col("tp"), "fp": col("fp"), "fn": col("fn")}
    return {"f1": col("f1")}


def _f1_batch(metric: str, c: dict[str, Any], idx: Any) -> Any:
    """Corpus F1 of every resample (one row of ``idx`` each), vectorised."""
    import numpy as np

    with np.errstate(divide="ignore", invalid="ignore"):
        if metric == "aeb_shingle4":
            pn, rn = c["pm"][idx].sum(axis=1), c["rm"][idx].sum(axis=1)
            p = np.where(pn > 0, (c["p"] * c["pm"])[idx].sum(axis=1) / pn, 0.0)
            r = np.where(rn > 0, (c["r"] * c["rm"])[idx].sum(axis=1) / rn, 0.0)
            return np.where(p + r > 0, 2 * p * r / (p + r), 0.0)
        if metric == "trafilatura_segments":
            tp, fp, fn = (c[k][idx].sum(axis=1) for k in ("tp", "fp", "fn"))
            den = 2 * tp + fp + fn
            return np.where(den > 0, 2 * tp / den, 0.0)
        return c["f1"][idx].mean(axis=1)


def _resamples(n: int, rounds: int, seed: int) -> Iterator[Any]:
    """Batches of bootstrap resamples (rows of page indices), reproducible from ``seed``."""
    import numpy as np

    rng = np.random.default_rng(seed)
    batch = max(1, _BOOTSTRAP_CELLS // max(n, 1))
    done = 0
    while done < rounds:
        k = min(batch, rounds - done)
        yield rng.integers(0, n, size=(k, n))
        done += k


def bootstrap_f1(metric: str, rows: Sequence[Mapping[str, Any]], rounds: int, seed: int) -> list[float]:
    """Corpus F1 of ``rounds`` bootstrap resamples of the pages."""
    if not rows or rounds <= 0:
        return []
    cols = _columns(metric, rows)
    out: list[float] = []
    for idx in _resamples(len(rows), rounds, seed):
        out.extend(float(x) for x in _f1_batch(metric, cols, idx))
    return out


def bootstrap_std(metric: str, rows: Sequence[Mapping[str, Any]], rounds: int, seed: int) -> float | None:
    """Standard deviation of corpus F1 over bootstrap resamples of pages (None if undefined)."""
    values = bootstrap_f1(metric, rows, rounds, seed)
    return statistics.stdev(values) if len(values) >= 2 else None


def _finish(metric: str, rows: list[dict[str, Any]], rounds: int, seed: int) -> Score:
    score = aggregate(metric, rows)
    score.f1_std = bootstrap_std(metric, rows, rounds, seed)
    return score


@dataclass(frozen=True)
class Difference:
    """Paired bootstrap of ``F1(a) - F1(b)`` over the same pages."""

    a: str
    b: str
    metric: str
    observed: float
    mean: float
    std: float
    #: Share of resamples in which ``a`` is not better than ``b`` (a one-sided bootstrap p-value).
    p_not_better: float

    def as_dict(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "metric": self.metric, "observed": self.observed,
                "mean": self.mean, "std": self.std, "p_not_better": self.p_not_better}


def paired_difference(
    a_name: str, a: Score, b_name: str, b: Score, *, rounds: int = DEFAULT_BOOTSTRAP, seed: int = 0
) -> Difference:
    """Paired bootstrap of the F1 difference: both systems are scored on the same resampled pages.

    Both scores must cover the same pages in the same order.
    """
    if a.metric != b.metric or len(a.per_page) != len(b.per_page):
        raise ValueError("paired bootstrap needs two scores of one metric over the same pages")
    observed = a.f1 - b.f1
    if not a.per_page or rounds < 2:
        return Difference(a_name, b_name, a.metric, observed, observed, 0.0, 1.0 if observed <= 0 else 0.0)
    ca, cb = _columns(a.metric, a.per_page), _columns(b.metric, b.per_page)
    diffs: list[float] = []
    for idx in _resamples(len(a.per_page), rounds, seed):
        diffs.extend(float(x) for x in _f1_batch(a.metric, ca, idx) - _f1_batch(b.metric, cb, idx))
    return Difference(a_name, b_name, a.metric, observed, statistics.fmean(diffs), statistics.stdev(diffs),
                      sum(1 for d in diffs if d <= 0) / len(diffs))


# -- block classification -------------------------------------------------------------------------
def cohen_kappa(a_labels: Sequence[Any], b_labels: Sequence[Any]) -> float:
    """Cohen's kappa of two equally long label sequences (1.0 when both are constant and equal)."""
    if len(a_labels) != len(b_labels):
        raise ValueError("cohen_kappa needs two sequences of the same length")
    n = len(a_labels)
    if n == 0:
        return 0.0
    p_o = sum(1 for x, y in zip(a_labels, b_labels, strict=True) if x == y) / n
    ca, cb = Counter(a_labels), Counter(b_labels)
    p_e = sum(ca[k] * cb.get(k, 0) for k in ca) / (n * n)
    if p_e == 1.0:
        return 1.0 if p_o == 1.0 else 0.0
    return (p_o - p_e) / (1 - p_e)


def prf(tp: int | float, fp: int | float, fn: int | float) -> dict[str, float]:
    """Precision, recall and F1 from counts (0.0 for an empty denominator)."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": p, "recall": r, "f1": _harmonic(p, r)}


#: Label given to a gold block the prediction leaves unlabelled (or a page it lacks).
UNLABELLED = "(none)"


def _predicted_label(gold_start: int, gold_end: int, pred_doc: Document | None) -> str:
    """Label of the predicted block(s) covering most characters of ``[gold_start, gold_end)``."""
    if pred_doc is None:
        return UNLABELLED
    cover: Counter[str] = Counter()
    for b in pred_doc.blocks:
        lo, hi = max(b.start, gold_start), min(b.end, gold_end)
        if hi > lo:
            cover[b.label if b.label is not None else UNLABELLED] += hi - lo
    if not cover:
        return UNLABELLED
    best = max(cover.values())
    return min(k for k, v in cover.items() if v == best)  # deterministic tie-break


@dataclass
class BlockScores:
    """Block-labelling agreement of a prediction with gold (per gold block with a label)."""

    n_docs: int
    n_blocks: int
    n_missing_docs: int
    accuracy: float
    kappa: float
    content: dict[str, float]
    per_label: dict[str, dict[str, float]]
    confusion: dict[str, dict[str, int]]

    def as_dict(self) -> dict[str, Any]:
        return {"n_docs": self.n_docs, "n_blocks": self.n_blocks, "n_missing_docs": self.n_missing_docs,
                "accuracy": self.accuracy, "kappa": self.kappa, "content": self.content,
                "per_label": self.per_label, "confusion": self.confusion}


def _by_id(docs: Iterable[Document]) -> dict[str, Document]:
    return {d.id: d for d in docs}


def block_labels(gold_docs: Iterable[Document], pred_docs: Iterable[Document]) -> tuple[list[str], list[str], int]:
    """Aligned ``(gold, predicted)`` labels of every labelled gold block, and the count of gold
    documents without a prediction. Predicted blocks are matched by character overlap, so the two
    sides may segment the same ``text`` differently."""
    preds = _by_id(pred_docs)
    gold_l: list[str] = []
    pred_l: list[str] = []
    missing = 0
    for g in gold_docs:
        p = preds.get(g.id)
        if p is not None and p.text != g.text:
            p = None  # offsets of another text are meaningless
        if p is None:
            missing += 1
        for b in g.blocks:
            if b.label is None:
                continue
            gold_l.append(b.label)
            pred_l.append(_predicted_label(b.start, b.end, p))
    return gold_l, pred_l, missing


def block_scores(gold_docs: Iterable[Document], pred_docs: Iterable[Document]) -> BlockScores:
    """Per-label and content-vs-boilerplate P/R/F1, accuracy and Cohen's kappa over gold blocks."""
    gold_docs = list(gold_docs)
    gold_l, pred_l, missing = block_labels(gold_docs, pred_docs)
    n = len(gold_l)
    labels = sorted(set(gold_l) | set(pred_l))
    confusion: dict[str, dict[str, int]] = {g: {} for g in sorted(set(gold_l))}
    for g, p in zip(gold_l, pred_l, strict=True):
        confusion[g][p] = confusion[g].get(p, 0) + 1
    per_label = {}
    for lab in labels:
        if lab == UNLABELLED:
            continue
        tp = sum(1 for g, p in zip(gold_l, pred_l, strict=True) if g == lab and p == lab)
        fp = sum(1 for g, p in zip(gold_l, pred_l, strict=True) if g != lab and p == lab)
        fn = sum(1 for g, p in zip(gold_l, pred_l, strict=True) if g == lab and p != lab)
        per_label[lab] = {**prf(tp, fp, fn), "support": float(tp + fn)}
    gc = [g in CONTENT_LABELS for g in gold_l]
    pc = [p in CONTENT_LABELS for p in pred_l]
    ctp = sum(1 for g, p in zip(gc, pc, strict=True) if g and p)
    cfp = sum(1 for g, p in zip(gc, pc, strict=True) if not g and p)
    cfn = sum(1 for g, p in zip(gc, pc, strict=True) if g and not p)
    content = {**prf(ctp, cfp, cfn),
               "accuracy": (sum(1 for g, p in zip(gc, pc, strict=True) if g == p) / n) if n else 0.0,
               "kappa": cohen_kappa(gc, pc)}
    return BlockScores(
        n_docs=len(gold_docs), n_blocks=n, n_missing_docs=missing,
        accuracy=(sum(1 for g, p in zip(gold_l, pred_l, strict=True) if g == p) / n) if n else 0.0,
        kappa=cohen_kappa(gold_l, pred_l), content=content, per_label=per_label, confusion=confusion,
    )
