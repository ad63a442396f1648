"""Second-stage columns: a block's first-stage article probability seen in its page's context.

The first tree ensemble scores every block from its own features; the second one (the model file's
``stack``) sees each row again with :data:`STACK_FEATURES` appended — the first-stage probabilities
of its neighbours, of windows around it, of its signature group (forum posts, listing items, product
cards: :func:`signature_groups`) and of its run of blocks under one parent, page-level summaries and
where the block lies relative to the blocks the first stage calls article. So a short block between
two article paragraphs, or one post of a thread whose other posts are article, can change side.
The second stage is trained on out-of-fold first-stage probabilities (``scripts/train_labeller.py``),
never on the ones of a model that saw the block's label.
"""

from __future__ import annotations

import numpy as np

from corpus.annotate.preannotate.learned.features import FEATURES, signature_groups

#: Neighbour offsets whose first-stage probability is a column.
STACK_NEIGHBOURS = (-3, -2, -1, 1, 2, 3)
#: Half-widths of the windows the first-stage probability is averaged over.
STACK_WINDOWS = (2, 6, 15)
#: Distances (in blocks) to the nearest first-stage article block are capped here.
STACK_MAX_DIST = 50
#: First-stage probability from which a block counts as article in the position columns.
STACK_ARTICLE = 0.5


def _names() -> tuple[str, ...]:
    names = ["s_logit"]
    names += [f"s_{'m' if k < 0 else 'p'}{abs(k)}" for k in STACK_NEIGHBOURS]
    names += [f"s_win{w}" for w in STACK_WINDOWS] + [f"s_wwin{w}" for w in STACK_WINDOWS]
    names += ["s_sig_mean", "s_sig_wmean", "s_sig_max", "s_sig_min", "s_run_mean", "s_run_wmean",
              "s_page_mean", "s_page_wmean", "s_page_max", "s_page_art_share", "s_rank",
              "s_dist_prev", "s_dist_next", "s_inside", "s_art_words_before", "s_art_words_after"]
    return tuple(names)


#: Column names of the second-stage columns (appended to :data:`FEATURES` in the second stage's rows).
STACK_FEATURES: tuple[str, ...] = _names()
_LOG_WORDS = FEATURES.index("log_words")
_SAME_PARENT = FEATURES.index("m1_same_parent")


def _windowed(v: np.ndarray, w: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and ``w``-weighted mean of ``v`` over ``[i - width, i + width]`` (cut at the ends)."""
    n = len(v)
    lo = np.clip(np.arange(n) - width, 0, n)
    hi = np.clip(np.arange(n) + width + 1, 0, n)
    cv = np.concatenate(([0.0], np.cumsum(v)))
    cw = np.concatenate(([0.0], np.cumsum(w)))
    cvw = np.concatenate(([0.0], np.cumsum(v * w)))
    sw = cw[hi] - cw[lo]
    return (cv[hi] - cv[lo]) / (hi - lo), np.where(sw > 0, (cvw[hi] - cvw[lo]) / np.where(sw > 0, sw, 1.0), -1.0)


def _group_stats(p: np.ndarray, w: np.ndarray, inv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per block, the mean and the ``w``-weighted mean of ``p`` over its group (``inv``: group ids)."""
    cnt = np.bincount(inv)
    sw = np.bincount(inv, weights=w)
    mean = np.bincount(inv, weights=p) / cnt
    wmean = np.where(sw > 0, np.bincount(inv, weights=p * w) / np.where(sw > 0, sw, 1.0), mean)
    return mean[inv], wmean[inv]


def stack_columns(X: np.ndarray, proba: np.ndarray) -> np.ndarray:
    """The :data:`STACK_FEATURES` of every block of one page, from its feature matrix and its
    first-stage probabilities (module docstring)."""
    n = X.shape[0]
    out = np.zeros((n, len(STACK_FEATURES)), np.float64)
    if not n:
        return out
    c = {name: j for j, name in enumerate(STACK_FEATURES)}
    p = np.asarray(proba, np.float64)
    words = np.expm1(X[:, _LOG_WORDS].astype(np.float64))
    q = np.clip(p, 1e-6, 1 - 1e-6)
    out[:, c["s_logit"]] = np.log(q / (1 - q))
    idx = np.arange(n)
    for k in STACK_NEIGHBOURS:
        j = idx + k
        ok = (j >= 0) & (j < n)
        out[:, c[f"s_{'m' if k < 0 else 'p'}{abs(k)}"]] = np.where(ok, p[np.clip(j, 0, n - 1)], -1.0)
    for width in STACK_WINDOWS:
        out[:, c[f"s_win{width}"]], out[:, c[f"s_wwin{width}"]] = _windowed(p, words, width)
    sig = signature_groups(X)
    out[:, c["s_sig_mean"]], out[:, c["s_sig_wmean"]] = _group_stats(p, words, sig)
    g_max = np.full(sig.max() + 1, -1.0)
    np.maximum.at(g_max, sig, p)
    g_min = np.full(sig.max() + 1, 2.0)
    np.minimum.at(g_min, sig, p)
    out[:, c["s_sig_max"]], out[:, c["s_sig_min"]] = g_max[sig], g_min[sig]
    run = np.cumsum(X[:, _SAME_PARENT] != 1) - 1  # consecutive blocks under one parent
    out[:, c["s_run_mean"]], out[:, c["s_run_wmean"]] = _group_stats(p, words, run)
    total = float(words.sum())
    art = p >= STACK_ARTICLE
    out[:, c["s_page_mean"]] = p.mean()
    out[:, c["s_page_wmean"]] = float((p * words).sum() / total) if total else p.mean()
    out[:, c["s_page_max"]] = p.max()
    out[:, c["s_page_art_share"]] = art.mean()
    out[:, c["s_rank"]] = (np.argsort(np.argsort(p, kind="stable"), kind="stable") + 0.5) / n
    last = np.maximum.accumulate(np.where(art, idx, -1))
    nxt = np.minimum.accumulate(np.where(art, idx, n)[::-1])[::-1]
    prev_of = np.concatenate(([-1], last[:-1]))  # the previous article block, this one excluded
    next_of = np.concatenate((nxt[1:], [n]))
    out[:, c["s_dist_prev"]] = np.where(prev_of >= 0, np.minimum(idx - prev_of, STACK_MAX_DIST), -1.0)
    out[:, c["s_dist_next"]] = np.where(next_of < n, np.minimum(next_of - idx, STACK_MAX_DIST), -1.0)
    if art.any():
        first, final = int(np.argmax(art)), int(n - 1 - np.argmax(art[::-1]))
        out[:, c["s_inside"]] = (idx >= first) & (idx <= final)
    art_words = words * art
    aw = float(art_words.sum())
    if aw:
        before = np.cumsum(art_words) - art_words
        out[:, c["s_art_words_before"]] = before / aw
        out[:, c["s_art_words_after"]] = (aw - before - art_words) / aw
    return out


def stack_rows(X: np.ndarray, proba: np.ndarray) -> np.ndarray:
    """The second stage's input rows: the block features followed by :func:`stack_columns`."""
    return np.hstack([X.astype(np.float64), stack_columns(X, proba)])


__all__ = ["STACK_FEATURES", "stack_columns", "stack_rows"]
