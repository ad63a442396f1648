"""The learned block labeller: a gradient-boosted tree model over normaliser-v2 block features.

The model (``model.npz`` next to this file, rebuilt by ``scripts/train_labeller.py``) gives each
block the probability that it belongs to the article (``title``, ``byline``, ``body`` or ``caption``
in the gold of the training sources): a first ensemble from the block's features, then a second one
that also sees the first one's probabilities around the block (:mod:`.stack`). Structure then names
the label (docs/labeller.md):

- the block most like the page title is ``title``;
- an article block under a caption/byline cue (``figcaption``, ``class="byline"``, ...) at most
  :data:`FINE_CUE_DEPTH` elements up, of at most ``SHORT_BLOCK_WORDS`` words, is ``caption`` /
  ``byline``; teaser lead-ins ("Read more: ...") are ``related`` and photo credits ``caption``;
  every other article block is ``body``;
- a block outside the article takes the label of its nearest structural cue (ARIA landmark, HTML5
  element, schema.org type, class/id words: cookie/consent -> ``other``, paywall, share, comments,
  ads, related, navigation, header, footer), else the text fallback of the rule labeller
  (link-dense -> ``navigation``, sign-in / share / copyright lines, short lines before the title
  ``header``, the rest ``other``).

Inference is numpy only and deterministic; the model's digest is part of the provenance string.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from corpus.annotate.preannotate.labeller import (
    _FINE,
    LABELLER_NAME,
    SHORT_BLOCK_WORDS,
    _fallback_text,
    _fill_tokenless,
    _label_text_blocks,
    _text_cue,
    _tokens,
)
from corpus.annotate.preannotate.learned.features import FEATURES, PageFeatures, page_features
from corpus.annotate.preannotate.learned.model import TreeModel, load_model
from corpus.annotate.preannotate.learned.stack import STACK_FEATURES, stack_rows
from corpus.annotate.projection import align_labels
from corpus.errors import ConfigError
from corpus.model import Block

MODEL_PATH = Path(__file__).with_name("model.npz")
#: Version of the label rules on top of the model (the model file carries its own version and digest).
LEARNED_LABELLER_VERSION = "2.0.0"
#: Share of a v1 draft's blocks that must have an equal v2 block for the labels to be carried over.
ALIGN_MIN_SHARE = 0.5
#: A caption/byline cue this many elements above the block at most names an article block.
FINE_CUE_DEPTH = 3
_COL = {n: i for i, n in enumerate(FEATURES)}


@functools.cache
def default_model() -> TreeModel:
    """The shipped model (loaded once per process); ConfigError when it is missing or damaged."""
    model = load_model(MODEL_PATH)
    stacked = model.stack is None or tuple(model.stack.meta["features"]) == FEATURES + STACK_FEATURES
    if tuple(model.meta["features"]) != FEATURES or not stacked:
        raise ConfigError(f"labeller model {MODEL_PATH}: trained on other features; rerun scripts/train_labeller.py")
    return model


def learned_tool(model: TreeModel | None = None) -> str:
    """Provenance, e.g. ``corpus-labeller@2.0.0+gbt-1a2b3c4d5e6f``."""
    m = model or default_model()
    return f"{LABELLER_NAME}@{LEARNED_LABELLER_VERSION}+gbt-{m.meta['digest'][:12]}"


def decide(pf: PageFeatures, proba: np.ndarray, threshold: float) -> list[str]:
    """Labels of the v2 blocks of ``pf`` from the model's article probabilities (module docstring)."""
    n = len(pf.blocks)
    texts = [pf.text[b.start : b.end] for b in pf.blocks]
    toks = pf.tokens if pf.tokens is not None else [_tokens(t) for t in texts]
    X = pf.X
    title_i = pf.title_index
    labels: list[str] = []
    for i in range(n):
        words = len(toks[i])
        cue = pf.cues[i]
        if i == title_i:
            labels.append("title")
            continue
        if proba[i] >= threshold:
            if cue in _FINE and X[i, _COL["cue_distance"]] <= FINE_CUE_DEPTH and words <= SHORT_BLOCK_WORDS:
                labels.append(cue)
            else:
                labels.append(_text_cue(texts[i], words) or "body")
            continue
        if cue is not None and cue not in _FINE and cue != "body":
            labels.append(cue)
            continue
        labels.append(_fallback_text(texts[i], words, float(X[i, _COL["link_density"]]),
                                     before_title=title_i is not None and i < title_i))
    _fill_tokenless(labels, toks)
    return labels


def predict_page(html: str, model: TreeModel | None = None, *,
                 features: PageFeatures | None = None) -> tuple[PageFeatures, list[str]]:
    """Features and labels of the v2 blocks of one decoded HTML page (DocumentError on rejected markup);
    ``features``: this page's :func:`page_features`, when the caller already computed them."""
    pf = features if features is not None else page_features(html)
    if not pf.blocks:
        return pf, []  # nothing to score: the model is not needed (nor loaded)
    m = model or default_model()
    return pf, decide(pf, article_proba(m, pf.X), float(m.meta["threshold"]))


def article_proba(model: TreeModel, X: np.ndarray) -> np.ndarray:
    """Article probability of every block of one page (rows of ``X``): the first ensemble's, or, when the
    model has a second stage, the second ensemble's on the rows with the first one's context appended
    (:func:`corpus.annotate.preannotate.learned.stack.stack_rows`)."""
    p = model.predict_proba(X)
    return p if model.stack is None else model.stack.predict_proba(stack_rows(X, p))


def label_blocks_learned(text: str, blocks: Sequence[Block], html: str | None, *,
                         model: TreeModel | None = None, titles: Sequence[str] = (),
                         features: PageFeatures | None = None) -> tuple[str, ...]:
    """One label per block of a draft made by normaliser v2 (or v1) from ``html``.

    The page is normalised with v2 and labelled; when the draft's blocks are v2's the labels are
    used as they are, otherwise (a v1 draft) they are carried over to the draft's blocks with the
    same text (:func:`corpus.annotate.projection.align_labels`), a block without an equal v2 block
    taking its neighbours' label; when fewer than :data:`ALIGN_MIN_SHARE` of them have one (another
    page was passed) the blocks are labelled from their text alone. Text dumps (``html`` None) get
    the rule labeller's text labels.
    ``features``: :func:`page_features` of ``html``, when the caller computed them already.
    """
    if not blocks:
        return ()
    texts = [text[b.start : b.end] for b in blocks]
    if html is None:
        return _label_text_blocks(texts, titles)
    pf, labels = predict_page(html, model, features=features)
    if pf.text == text and [(b.start, b.end) for b in pf.blocks] == [(b.start, b.end) for b in blocks]:
        return tuple(labels)
    v2_texts = [pf.text[b.start : b.end] for b in pf.blocks]
    carried = align_labels(texts, v2_texts, labels)
    if sum(lab is not None for lab in carried) < ALIGN_MIN_SHARE * len(carried):
        return _label_text_blocks(texts, titles)  # not the page the draft came from
    return tuple(_fill_gaps(carried))


def _fill_gaps(labels: list[str | None]) -> list[str]:
    """Unmatched blocks take the previous matched label (the next one at the start; ``other`` if none)."""
    out: list[str] = []
    nxt = next((lab for lab in labels if lab is not None), "other")
    last: str | None = None
    for lab in labels:
        if lab is not None:
            last = lab
        out.append(lab if lab is not None else (last or nxt))
    return out


__all__ = ["LEARNED_LABELLER_VERSION", "MODEL_PATH", "article_proba", "decide", "default_model", "label_blocks_learned",
           "learned_tool", "predict_page"]
