"""Language tags: BCP-47 normalisation of declared tags and identification from the text."""

from __future__ import annotations

import functools
import re

from corpus.limits import LANGID_MAX_CHARS, LANGID_MIN_CHARS

_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
#: Primary subtags that declare nothing about the page's language.
_NOT_A_LANGUAGE = frozenset({"und", "mul", "zxx", "mis", "xx", "c", "i", "x"})


def normalise_language_tag(tag: str | None) -> str | None:
    """A declared language (``lang``, ``og:locale``, ``inLanguage``) as a BCP-47 tag, or ``None``.

    ``en_US``/``EN-us`` become ``en-US``; script subtags get title case (``zh-Hans``); private-use,
    undetermined or malformed tags give ``None``.
    """
    if not isinstance(tag, str):
        return None
    tag = tag.strip().replace("_", "-")
    tag = tag.split(",")[0].split(";")[0].strip()  # "en-US,en;q=0.9" (http-equiv content-language)
    if not tag or not _TAG.fullmatch(tag):
        return None
    parts = tag.split("-")
    primary = parts[0].lower()
    if primary in _NOT_A_LANGUAGE:
        return None
    out = [primary]
    for i, sub in enumerate(parts[1:], start=1):
        if len(sub) == 1:  # extension / private-use singleton: keep only what precedes it
            break
        if len(sub) == 4 and sub.isalpha() and i == 1:
            out.append(sub.title())  # script
        elif (len(sub) == 2 and sub.isalpha()) or (len(sub) == 3 and sub.isdigit()):
            out.append(sub.upper())  # region
        else:
            out.append(sub.lower())
    return "-".join(out)


def identify_language(text: str) -> str | None:
    """ISO 639-1 code of the language ``text`` is written in (py3langid), ``None`` when unsure.

    Needs the ``langid`` extra; texts shorter than ``LANGID_MIN_CHARS`` letters give ``None``
    rather than a guess. Only the first ``LANGID_MAX_CHARS`` characters are read.
    """
    sample = text[:LANGID_MAX_CHARS]
    if sum(ch.isalpha() for ch in sample) < LANGID_MIN_CHARS:
        return None
    from corpus.errors import require

    langid = require("py3langid", "langid", "language identification")
    try:
        code, _score = langid.classify(sample)
    except Exception:  # a model failure must not sink the document
        return None
    return normalise_language_tag(code)


@functools.cache
def langid_version() -> str | None:
    """Installed py3langid version, or ``None`` (looked up once per process)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("py3langid")
    except PackageNotFoundError:
        return None
