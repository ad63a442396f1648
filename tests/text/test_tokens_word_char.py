"""The token view's word-character test is exactly ``re``'s ``\\w`` (it replaced a regex call)."""

from __future__ import annotations

import re

from corpus.text.tokens import _is_word_char


def test_is_word_char_is_re_word_for_every_code_point() -> None:
    word = re.compile(r"\w")
    assert [c for c in map(chr, range(0x110000)) if (word.fullmatch(c) is not None) != _is_word_char(c)] == []
