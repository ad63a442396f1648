"""The installed normalisers by short name (``v1``, ``v2``) and by the ``normalizer`` record of a document."""

from __future__ import annotations

import functools

from corpus.errors import ConfigError
from corpus.model import Normalizer
from corpus.text.normalise import NORMALIZER, NormalisedPage, normalise_raw
from corpus.text.normalise_v2 import COMPATIBLE_V2_VERSIONS, NORMALIZER_V2, normalise_raw_v2

#: Short name -> the record a document carries. ``v2`` is the default of ``corpus ingest`` and
#: ``corpus migrate``; both stay installed so that documents recorded with either validate.
NORMALISERS: dict[str, Normalizer] = {"v1": NORMALIZER, "v2": NORMALIZER_V2}
DEFAULT_NORMALISER = "v2"
#: Readers by the names :func:`normaliser_of` gives: the installed normalisers, and v2 as its records up to
#: 2.2.0 read pages (the hidden-wrapper rule of 2.3.0 off), which re-checks those records exactly.
_RAW = {"v1": normalise_raw, "v2": normalise_raw_v2,
        "v2-2.2": functools.partial(normalise_raw_v2, hidden_share=0.0)}


def check_normaliser(name: str) -> str:
    """``name`` when it is an installed normaliser, else a :class:`ConfigError` naming the choices."""
    if name not in NORMALISERS:
        raise ConfigError(f"unknown normaliser {name!r}; choose one of {', '.join(NORMALISERS)}")
    return name


#: Records of earlier versions an installed normaliser reproduces on every document they wrote, and the
#: reader (a key of ``_RAW``) that does.
COMPATIBLE: dict[Normalizer, str] = {Normalizer(NORMALIZER_V2.name, v): "v2-2.2" for v in COMPATIBLE_V2_VERSIONS}


def normaliser_of(record: Normalizer) -> str | None:
    """Name of the reader that reproduces what ``record`` wrote (for :func:`normalise_raw_with`): the short
    name of the installed normaliser that wrote it, the reader of a compatible earlier version, or None."""
    return next((k for k, v in NORMALISERS.items() if v == record), None) or COMPATIBLE.get(record)


def normalise_raw_with(name: str, raw: bytes, raw_format: str, *, gzipped: bool = False,
                       declared_charset: str | None = None) -> NormalisedPage:
    """:func:`corpus.text.normalise.normalise_raw` by the normaliser (or :func:`normaliser_of` reader) ``name``."""
    fn = _RAW.get(name) or _RAW[check_normaliser(name)]
    return fn(raw, raw_format, gzipped=gzipped, declared_charset=declared_charset)
