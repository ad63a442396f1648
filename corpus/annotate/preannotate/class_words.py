"""Class / id words of elements: the word lists the metadata searches use and cached tests on them.

A value (``class="post-title entry"``) is split on whitespace, ``-``, ``_`` and camelCase and
lower-cased; an element is flagged by a whole word (``postDate`` holds ``date``, ``update`` does not).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

#: Class / id words (split on camelCase, ``-``, ``_``) that mark a byline element.
BYLINE_WORDS = frozenset({"author", "authors", "byline", "byl", "autor", "autore", "auteur", "autora",
                          "firma", "writer", "signature", "creator", "contributor", "reporter", "by"})
#: Class / id words of regions whose names are not the article's authors.
NOT_BYLINE_WORDS = frozenset({"comment", "comments", "reply", "respond", "bio", "box", "related", "footer",
                              "sidebar", "widget", "avatar", "form", "label", "nav", "menu", "review",
                              "reviews", "testimonial", "quote", "gravatar", "share", "social"})
#: Class / id words of regions whose dates are not the article's (narrower than :data:`NOT_BYLINE_WORDS`:
#: a date in a "box" or next to a "share" button is still the article's).
NOT_DATE_WORDS = frozenset({"comment", "comments", "reply", "respond", "related", "footer", "sidebar",
                            "widget", "nav", "menu", "testimonial"})
#: Class / id words of headline elements.
HEADLINE_WORDS = frozenset({"title", "headline", "heading", "titular", "titre", "titel", "titolo", "tit"})
#: Class / id words of elements that show a date.
DATE_WORDS = frozenset({"date", "dates", "published", "pubdate", "posted", "postdate", "entrydate", "time",
                        "timestamp", "datum", "fecha", "data", "dateline", "meta", "info", "infos", "byline",
                        "submitted", "updated"})


_CAMEL_CASE = re.compile(r"([a-z])([A-Z])")
_CLASS_SEP = re.compile(r"[\s\-_]+")


@functools.lru_cache(maxsize=4096)
def split_class(raw: str) -> frozenset[str]:
    """The lower-cased words of a ``class`` / ``id`` value (split on whitespace, ``-``, ``_``, camelCase)."""
    raw = _CAMEL_CASE.sub(r"\1 \2", raw)
    return frozenset(w for w in _CLASS_SEP.split(raw.lower()) if w)


BYLINE_FLAG, HEADLINE_FLAG, DATE_FLAG = 1, 2, 4
#: ``class`` / ``id`` value -> which of byline / headline / date words it holds (bits above); a plain
#: dict read inline by :class:`~corpus.annotate.preannotate.byline.PageScan` (cheaper than a cached
#: call per element), emptied when it is full.
CLASS_FLAGS: dict[str, int] = {}
#: Values :data:`CLASS_FLAGS` holds at most (ids and generated class names are often unique to a page).
CLASS_FLAGS_CACHE_SIZE = 1 << 16


def class_flags(raw: str) -> int:
    """Which of byline / headline / date words the value ``raw`` holds (flag bits), kept in :data:`CLASS_FLAGS`."""
    if _FLAG_WORD_HINT.search(raw.lower()) is None:  # no flag word in it, not even as part of a longer word
        flags = 0
    else:
        words = split_class(raw)
        flags = ((BYLINE_FLAG if not words.isdisjoint(BYLINE_WORDS) else 0)
                 | (HEADLINE_FLAG if not words.isdisjoint(HEADLINE_WORDS) else 0)
                 | (DATE_FLAG if not words.isdisjoint(DATE_WORDS) else 0))
    if len(CLASS_FLAGS) >= CLASS_FLAGS_CACHE_SIZE:
        CLASS_FLAGS.clear()
    CLASS_FLAGS[raw] = flags
    return flags


def trie_pattern(words: Iterable[str]) -> str:
    """A regex matching any of ``words`` (non-empty literals), alternatives grouped by shared prefix.

    Python's ``re`` tries the branches of a flat alternation one by one at each position; the
    grouped form rejects a position after its first character (≈ 1 µs for a class attribute).
    """
    heads: dict[str, list[str]] = {}
    ends = False
    for w in sorted(set(words)):
        if w:
            heads.setdefault(w[0], []).append(w[1:])
        else:
            ends = True
    if not heads:
        return ""
    alts = [re.escape(c) + trie_pattern(rest) for c, rest in heads.items()]
    body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    return f"(?:{body})?" if ends else body


#: Matches every lower-cased ``class`` / ``id`` value holding a byline, headline or date word (and some
#: others: a word that is only part of a longer word): the others have no flag and skip the splitting.
#: A word of :func:`split_class` is a substring of ``raw.lower()`` (the camelCase split only adds spaces).
_FLAG_WORD_HINT = re.compile(trie_pattern(BYLINE_WORDS | HEADLINE_WORDS | DATE_WORDS))
_NOT_BYLINE_HINT = re.compile(trie_pattern(NOT_BYLINE_WORDS))
_NOT_DATE_HINT = re.compile(trie_pattern(NOT_DATE_WORDS))
#: Words that keep a region's names as authors even next to :data:`NOT_BYLINE_WORDS` (``byline-box``).
_BYLINE_KEEP = frozenset({"byline", "byl"})


def excluding_class(raw: str) -> bool:
    """Whether the class / id words of ``raw`` mark a region of :data:`NOT_BYLINE_WORDS` (and no byline)."""
    if _NOT_BYLINE_HINT.search(raw.lower()) is None:  # as :data:`_FLAG_WORD_HINT`: no such word in it
        return False
    words = split_class(raw)
    return not words.isdisjoint(NOT_BYLINE_WORDS) and words.isdisjoint(_BYLINE_KEEP)


def excluding_date_class(raw: str) -> bool:
    """Whether the class / id words of ``raw`` mark a region of :data:`NOT_DATE_WORDS` (comments, footers, …)."""
    if _NOT_DATE_HINT.search(raw.lower()) is None:
        return False
    return not split_class(raw).isdisjoint(NOT_DATE_WORDS)
