"""Deterministic, site-grouped train/validation/test splits (DESIGN §5).

A document's split depends only on its group key (the site it comes from) and the seed, never on
the other documents: adding pages to the corpus never moves an existing page to another split, and
no site is in two splits.
"""

from __future__ import annotations

import hashlib

from corpus.ingest.draft import domain_of
from corpus.model import Document

#: Split names in publication order.
SPLITS: tuple[str, ...] = ("train", "validation", "test")
#: Share of groups per split (cumulative thresholds are derived from these).
SPLIT_RATIOS: dict[str, float] = {"train": 0.8, "validation": 0.1, "test": 0.1}
#: Seed mixed into the group hash; recorded in the manifest. Changing it reshuffles every split.
SPLIT_SEED = "webcorpus-splits-v1"
#: How the group key is derived (documented in the manifest and the dataset card).
GROUP_KEY_RULE = "source.domain, else the URL host (without www.), else the document id"


def group_key(doc: Document) -> str:
    """The site a document belongs to: ``source.domain``, the URL host, then the document id."""
    domain = (doc.source.domain or "").strip().lower()
    if domain:
        return domain[4:] if domain.startswith("www.") else domain
    host = domain_of(doc.source.url)
    if host:
        return host.lower()
    return f"id:{doc.id}"


def bucket(key: str, seed: str = SPLIT_SEED) -> float:
    """Map a group key to [0, 1) by hashing ``seed`` and ``key`` with sha256."""
    digest = hashlib.sha256(f"{seed}\x00{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def split_for_key(key: str, seed: str = SPLIT_SEED) -> str:
    """The split of every document whose group key is ``key``."""
    b = bucket(key, seed)
    acc = 0.0
    for name in SPLITS:
        acc += SPLIT_RATIOS[name]
        if b < acc:
            return name
    return SPLITS[-1]


def assign_split(doc: Document, seed: str = SPLIT_SEED) -> str:
    """The split ``doc`` belongs to."""
    return split_for_key(group_key(doc), seed)
