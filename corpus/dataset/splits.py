"""Deterministic, site-grouped train/validation/test splits (DESIGN §5).

Two rules, in order:

1. **Benchmark pages keep their benchmark's split.** A document whose ``source.split`` is set (the
   importers of public benchmarks record the benchmark's own split, or ``test`` when it publishes
   none) goes to that split, mapped onto ours by :data:`PUBLISHED_SPLITS`; a document imported from a
   benchmark before ``source.split`` existed goes to ``test``. Public benchmark test pages therefore
   never reach ``train``.
2. **Every other page is placed by its site.** The group key is the registrable domain (eTLD+1 by
   the public-suffix list shipped in the pinned ``publicsuffixlist`` package; no network):
   ``nytimes.com``, ``m.nytimes.com``, ``amp.nytimes.com`` and ``nytimes.com.`` are one site. The split
   depends only on that key and the seed, never on the other documents: adding pages never moves an
   existing page, and no site is in two splits.
"""

from __future__ import annotations

import hashlib
import ipaddress
from functools import lru_cache
from typing import Any

from corpus.labels import BENCHMARK_DATASETS, NATIVE_SOURCE
from corpus.model import Document, domain_of

#: Split names in publication order.
SPLITS: tuple[str, ...] = ("train", "validation", "test")
#: Share of groups per split (cumulative thresholds are derived from these).
SPLIT_RATIOS: dict[str, float] = {"train": 0.8, "validation": 0.1, "test": 0.1}
#: Seed mixed into the group hash; recorded in the manifest. Changing it reshuffles every split.
SPLIT_SEED = "webcorpus-splits-v1"
#: How the group key is derived (documented in the manifest and the dataset card).
GROUP_KEY_RULE = (
    "registrable domain (eTLD+1, public-suffix list of publicsuffixlist) of source.domain, else of the URL host, "
    "else the document id"
)
#: How a benchmark's published split names map onto ours; any other name means ``test``.
PUBLISHED_SPLITS: dict[str, str] = {
    "train": "train",
    "training": "train",
    "dev": "validation",
    "development": "validation",
    "valid": "validation",
    "validation": "validation",
    "val": "validation",
    "test": "test",
}
#: The split rule, as stated in the manifest and the dataset card.
SPLIT_RULE = (
    "source.split (a public benchmark's own split; train/training -> train, dev/validation -> validation, "
    "anything else -> test; benchmark pages without one -> test), else "
    "sha256(seed NUL group key) -> [0,1): train < 0.8 <= validation < 0.9 <= test"
)
NATIVE = NATIVE_SOURCE


@lru_cache(maxsize=1)
def _psl() -> Any:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


@lru_cache(maxsize=1 << 16)
def site_of(host: str) -> str:
    """The registrable domain of ``host`` (lower case, no trailing dot); IPs and bare names as they are."""
    host = host.strip().lower().rstrip(".")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    return _psl().privatesuffix(host) or host


def site_key(domain: str | None, url: str | None, doc_id: str) -> str:
    """The group key: the site of ``source.domain``, else of the URL host, else ``id:<id>``."""
    domain = (domain or "").strip()
    if domain:
        return site_of(domain)
    host = domain_of(url)
    if host:
        return site_of(host)
    return f"id:{doc_id}"


def group_key(doc: Document) -> str:
    """The site a document belongs to (:func:`site_key` of its source)."""
    return site_key(doc.source.domain, doc.source.url, doc.id)


def bucket(key: str, seed: str = SPLIT_SEED) -> float:
    """Map a group key to [0, 1) by hashing ``seed`` and ``key`` with sha256."""
    digest = hashlib.sha256(f"{seed}\x00{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@lru_cache(maxsize=1 << 16)
def split_for_key(key: str, seed: str = SPLIT_SEED) -> str:
    """The split of every document whose group key is ``key``."""
    b = bucket(key, seed)
    acc = 0.0
    for name in SPLITS:
        acc += SPLIT_RATIOS[name]
        if b < acc:
            return name
    return SPLITS[-1]


def is_benchmark(source_dataset: str | None) -> bool:
    """Whether ``source_dataset`` names a public benchmark (``_`` and ``-`` spellings alike)."""
    return bool(source_dataset) and source_dataset.replace("_", "-") in BENCHMARK_DATASETS


def split_of(
    domain: str | None,
    url: str | None,
    doc_id: str,
    source_dataset: str | None = NATIVE,
    published: str | None = None,
    seed: str = SPLIT_SEED,
) -> str:
    """The split of a document from its source fields (see the module docstring for the rule)."""
    if published:
        return PUBLISHED_SPLITS.get(published.strip().lower(), "test")
    if is_benchmark(source_dataset):
        return "test"
    return split_for_key(site_key(domain, url, doc_id), seed)


def assign_split(doc: Document, seed: str = SPLIT_SEED) -> str:
    """The split ``doc`` belongs to."""
    s = doc.source
    return split_of(s.domain, s.url, doc.id, s.source_dataset, s.split, seed)


def record_split(r: Any, seed: str = SPLIT_SEED) -> str:
    """:func:`assign_split` of a :class:`corpus.dataset.records.Record`."""
    s = r.source
    return split_of(s.get("domain"), s.get("url"), r.id, s.get("source_dataset", NATIVE), s.get("split"), seed)
