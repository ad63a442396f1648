"""The token view's word-character test is exactly ``re``'s ``\\w`` (it replaced a regex call)."""

from __future__ import annotations

import re
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from corpus.text.tokens import _edges_on_tokens


def test_word_character_is_re_word_for_every_code_point() -> None:
    """An entity edge between two copies of a character splits a word exactly when ``re``'s ``\\w`` matches it."""
    word = re.compile(r"\w")
    assert [c for c in map(chr, range(0x110000))
            if (word.fullmatch(c) is not None) == _edges_on_tokens(c + c, 0, 2, [(1, 2, "PER")])] == []


def _reference_edges(text: str, lo: int, hi: int, spans: list[tuple[int, int, str]]) -> bool:
    """Every span inside ``lo:hi``, no edge between two ``\\w`` characters, no overlap (``re`` only)."""
    def splits(p: int) -> bool:
        return lo < p < hi and re.fullmatch(r"\w\w", text[p - 1 : p + 1]) is not None

    inside = all(lo <= s and e <= hi and not splits(s) and not splits(e) for s, e, _ in spans)
    return inside and all(a[1] <= b[0] for a, b in pairwise(spans))


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab_1 .-éΩ٣\u0301", min_size=1, max_size=12), st.data())
def test_entity_edge_check_is_re_word_edges(text: str, data) -> None:
    """The inlined edge test of the token view agrees with ``re``'s ``\\w`` on every span."""
    n = len(text)
    lo = data.draw(st.integers(0, n))
    hi = data.draw(st.integers(lo, n))
    pairs = data.draw(st.lists(st.tuples(st.integers(0, n), st.integers(0, n)), max_size=3))
    spans = sorted((min(a, b), max(a, b), "PER") for a, b in pairs)
    assert _edges_on_tokens(text, lo, hi, spans) == _reference_edges(text, lo, hi, spans)
