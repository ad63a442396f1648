"""'Did you mean ...?' hints for labels and property names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from corpus.labels import BLOCK_LABELS, CONLL4, ENTITY_LABEL_SETS, ONTONOTES_TO_CONLL

#: Common names for block labels that are not the label itself.
BLOCK_LABEL_ALIASES: dict[str, str] = {
    "nav": "navigation", "menu": "navigation", "breadcrumb": "navigation", "breadcrumbs": "navigation",
    "headline": "title", "heading": "title", "h1": "title",
    "author": "byline", "date": "byline", "dateline": "byline",
    "content": "body", "main": "body", "text": "body", "article": "body", "paragraph": "body",
    "figcaption": "caption", "credit": "caption",
    "masthead": "header", "banner": "header", "contentinfo": "footer", "copyright": "footer",
    "ad": "advertisement", "ads": "advertisement", "advert": "advertisement", "sponsored": "advertisement",
    "promo": "advertisement", "recommended": "related", "teaser": "related", "complementary": "related",
    "subscribe": "paywall", "share": "social", "comment": "comments", "boilerplate": "other",
    "cookie": "other", "form": "other",
}


def closest(word: str, choices: Iterable[str], n: int = 1) -> list[str]:
    """Close matches of ``word`` among ``choices`` (case-insensitive, prefixes count)."""
    choices = list(choices)
    low = {c.lower(): c for c in choices}
    w = word.lower()
    if w in low:
        return [low[w]]
    prefixed = [c for c in choices if c.lower().startswith(w) or w.startswith(c.lower())] if len(w) >= 2 else []
    hits = prefixed + [low[m] for m in difflib.get_close_matches(w, list(low), n=n + 2, cutoff=0.6)]
    out: list[str] = []
    for h in hits:
        if h not in out:
            out.append(h)
    return out[:n]


def suggest_block_label(label: str) -> str | None:
    w = label.strip().lower()
    if w in BLOCK_LABEL_ALIASES:
        return BLOCK_LABEL_ALIASES[w]
    hits = closest(w, BLOCK_LABELS)
    return hits[0] if hits else None


def suggest_entity_label(label: str, label_set: str) -> str:
    """Hint text (starting with '; ') for an entity label outside ``label_set``, or ''."""
    allowed = ENTITY_LABEL_SETS[label_set]
    up = label.strip().upper()
    if label_set == "conll4" and up in ONTONOTES_TO_CONLL:
        mapped = ONTONOTES_TO_CONLL[up]
        if mapped is None:
            return (f"; {up} is an OntoNotes-18 label with no CoNLL-4 counterpart (declare "
                    "annotation.entity_label_set 'ontonotes18' or drop the entity)")
        return f"; did you mean {mapped!r}? (OntoNotes {up} maps to CoNLL-4 {mapped})"
    if label_set == "ontonotes18" and up in CONLL4:
        sources = [k for k, v in ONTONOTES_TO_CONLL.items() if v == up]
        return f"; did you mean {' or '.join(repr(s) for s in sources)}? (or declare entity_label_set 'conll4')"
    hits = closest(label, allowed)
    return f"; did you mean {hits[0]!r}?" if hits else f"; allowed: {', '.join(allowed)}"


def suggest_name(name: str, allowed: Iterable[str]) -> str:
    hits = closest(name, allowed)
    return f"; did you mean {hits[0]!r}?" if hits else ""
