"""Build-time deduplication: exact (sha256 of folded text) and near duplicates (MinHash LSH).

Pure functions over documents. Only fixed-size fingerprints are kept in memory (a sha256 and a
``num_perm``-value MinHash signature per document, about 0.6 KiB with the defaults), never the texts,
so :func:`plan_dedup` works on a stream of documents; applying the plan is a second pass.

Near duplicates: the text is folded, lower-cased and split into ``\\w+`` tokens; shingles are word
``DEDUP_SHINGLE``-grams (a text with fewer tokens gives one shorter shingle; an empty text is never a
near duplicate of anything); each shingle is hashed deterministically (CRC-32 of each token, combined
by a polynomial modulo the Mersenne prime p = 2**31 - 1) and ``DEDUP_NUM_PERM`` universal hash
functions ``(a*x + b) mod p``, with ``a, b`` drawn from a fixed seed, give the signature (fully reduced:
a once-folded value keeps the high half ``a*x >> 31``, monotone in ``x``, which correlates the
permutations and inflates the similarity estimate).
Candidate pairs come from LSH banding (16 bands of 8 rows for 128 permutations: a pair with Jaccard
similarity 0.8 becomes a candidate with probability 0.9996); a candidate is a near duplicate when the estimated Jaccard
similarity (share of equal signature values) is at least ``threshold``.

Which copy is kept: documents are ranked by (1) the best annotation status over the three layers,
gold > projected > model > none, (2) the sum of the layers' status ranks, (3) more entities,
(4) more labelled blocks, (5) the smallest id. Going down that ranking, a document is dropped when it
duplicates one already kept (exact first, then near); the audit names the kept document, so a dropped
document always points at a kept one.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .limits import DEDUP_NUM_PERM, DEDUP_SHINGLE, DEDUP_THRESHOLD
from .model import Document
from .normalise import fold

STATUS_RANK = {"gold": 3, "projected": 2, "model": 1, "none": 0}
MERSENNE = (1 << 31) - 1
DEFAULT_SEED = 1_234_567
_WORD = re.compile(r"\w+")
_BLOCK_COLS = 4096  # shingles hashed per numpy step (bounds memory for very long texts)


@dataclass(frozen=True, slots=True)
class DedupAudit:
    """One dropped document: which kept document it duplicates, how, and how similar (1.0 for exact)."""

    dropped_id: str
    kept_id: str
    kind: str  # "exact" | "near"
    similarity: float

    def as_dict(self) -> dict[str, Any]:
        return {"dropped_id": self.dropped_id, "kept_id": self.kept_id, "kind": self.kind,
                "similarity": self.similarity}


@dataclass(slots=True)
class DedupPlan:
    """Result of :func:`plan_dedup`: the dropped ids with their audit entries."""

    dropped: dict[str, DedupAudit] = field(default_factory=dict)
    total: int = 0

    def keep(self, doc: Document) -> bool:
        return doc.id not in self.dropped

    @property
    def audit(self) -> list[DedupAudit]:
        return sorted(self.dropped.values(), key=lambda a: a.dropped_id)

    def apply(self, docs: Iterable[Document]) -> Iterator[Document]:
        return (d for d in docs if d.id not in self.dropped)


def priority(doc: Document) -> tuple:
    """Sort key: the document to keep sorts first (see the module docstring)."""
    ranks = [STATUS_RANK.get(layer.status, 0)
             for layer in (doc.annotation.blocks, doc.annotation.entities, doc.annotation.metadata)]
    labelled = sum(1 for b in doc.blocks if b.label is not None)
    return (-max(ranks), -sum(ranks), -len(doc.entities), -labelled, doc.id)


def text_key(text: str) -> str:
    """sha256 of the folded text: equal for texts that differ only in whitespace."""
    return hashlib.sha256(fold(text).encode("utf-8")).hexdigest()


class MinHasher:
    """Deterministic MinHash over word shingles (needs numpy, a dependency of ``datasets``)."""

    def __init__(self, num_perm: int = DEDUP_NUM_PERM, shingle: int = DEDUP_SHINGLE, seed: int = DEFAULT_SEED):
        import numpy as np

        self.np = np
        self.num_perm = num_perm
        self.shingle = shingle
        rng = np.random.default_rng(seed)
        self.a = rng.integers(1, MERSENNE, size=(num_perm, 1), dtype=np.uint64)
        self.b = rng.integers(0, MERSENNE, size=(num_perm, 1), dtype=np.uint64)

    def shingles(self, text: str):
        """Shingle hashes of ``text`` (uint64 values below 2**31 - 1); empty for a text without words."""
        return self.np.unique(self._shingle_hashes(text))

    def _shingle_hashes(self, text: str):
        """Shingle hashes in text order, repeats included (the minimum does not need them removed)."""
        np = self.np
        tokens = _WORD.findall(fold(text).lower())
        if not tokens:
            return np.zeros(0, dtype=np.uint64)
        t = np.fromiter((zlib.crc32(w.encode("utf-8")) for w in tokens), dtype=np.uint64, count=len(tokens))
        k = min(self.shingle, len(tokens))
        n = len(tokens) - k + 1
        h = np.zeros(n, dtype=np.uint64)
        for j in range(k):  # polynomial combination, reduced each step so products stay below 2**63
            h = (h * np.uint64(1_000_003) + t[j : j + n]) % np.uint64(MERSENNE)
        return h

    def signature(self, text: str):
        """``num_perm`` uint32 minimum hash values, or None for a text without words."""
        np = self.np
        sh = self._shingle_hashes(text)
        if not len(sh):
            return None
        sig = np.full(self.num_perm, 1 << 32, dtype=np.uint64)
        m, s31 = np.uint64(MERSENNE), np.uint64(31)
        for i in range(0, len(sh), _BLOCK_COLS):
            x = self.a * sh[i : i + _BLOCK_COLS][None, :]
            x += self.b
            r = x & m  # Mersenne fold of (a*x + b): r <= 2p - 1 ...
            x >>= s31
            r += x
            np.subtract(r, m, out=x)  # ... then fully reduced modulo p (see the module docstring):
            np.minimum(r, x, out=r)  # r - p wraps around (huge) unless r >= p, so min(r, r - p) == r % p
            sig = np.minimum(sig, r.min(axis=1))
        return sig.astype(np.uint32)


def _bands(num_perm: int) -> tuple[int, int]:
    """(bands, rows) with rows * bands == num_perm and a candidate threshold near 0.7."""
    best = (num_perm, 1)
    for rows in range(1, num_perm + 1):
        if num_perm % rows == 0:
            bands = num_perm // rows
            if (1 / bands) ** (1 / rows) <= 0.72:
                best = (bands, rows)
    return best


class _LSH:
    def __init__(self, num_perm: int):
        self.bands, self.rows = _bands(num_perm)
        self.buckets: list[dict[bytes, list[int]]] = [{} for _ in range(self.bands)]

    def keys(self, sig) -> list[bytes]:
        r = self.rows
        return [sig[i * r : (i + 1) * r].tobytes() for i in range(self.bands)]

    def candidates(self, sig) -> set[int]:
        out: set[int] = set()
        for band, key in zip(self.buckets, self.keys(sig), strict=True):
            out.update(band.get(key, ()))
        return out

    def add(self, sig, idx: int) -> None:
        for band, key in zip(self.buckets, self.keys(sig), strict=True):
            band.setdefault(key, []).append(idx)


def _similarity(a, b) -> float:
    return float((a == b).mean())


def _band_groups(sigs, ok, bands: int, rows: int) -> dict[int, list[tuple[int, int]]]:
    """Per document that shares an LSH band with another one: its ``(band, bucket)`` pairs.

    Buckets are found by sorting each band's values (exact byte equality, no per-document objects), so
    documents with a unique band value, the vast majority, cost nothing here.
    """
    import numpy as np

    shared: dict[int, list[tuple[int, int]]] = {}
    idx = np.flatnonzero(ok)
    if len(idx) < 2:
        return shared
    width = np.dtype((np.void, 4 * rows))
    for band in range(bands):
        values = np.ascontiguousarray(sigs[idx, band * rows : (band + 1) * rows]).view(width).ravel()
        _, bucket, counts = np.unique(values, return_inverse=True, return_counts=True)
        bucket = bucket.ravel()
        for pos in np.flatnonzero(counts[bucket] > 1):
            shared.setdefault(int(idx[pos]), []).append((band, int(bucket[pos])))
    return shared


_SIG_BATCH = 256  # texts per signature batch (per worker task when ``jobs > 1``)
_HASHERS: dict[tuple[int, int, int], MinHasher] = {}


def _signature_batch(texts: list[str], num_perm: int, shingle: int, seed: int,
                     hasher: MinHasher | None = None) -> tuple[bytes, bytes]:
    """Packed uint32 signatures of ``texts`` (zeros for a text without words) and one has-signature flag each."""
    if hasher is None:
        hasher = _HASHERS.get((num_perm, shingle, seed))
        if hasher is None:
            hasher = _HASHERS[num_perm, shingle, seed] = MinHasher(num_perm, shingle, seed)
    blank = bytes(4 * num_perm)
    packed = bytearray()
    ok = bytearray()
    for text in texts:
        sig = hasher.signature(text)
        ok.append(sig is not None)
        packed += blank if sig is None else sig.tobytes()
    return bytes(packed), bytes(ok)


def plan_dedup(docs: Iterable[Document], *, near: bool = True, threshold: float = DEDUP_THRESHOLD,
               num_perm: int = DEDUP_NUM_PERM, shingle: int = DEDUP_SHINGLE, seed: int = DEFAULT_SEED,
               jobs: int = 1) -> DedupPlan:
    """One pass over ``docs`` (a stream is fine): which documents to drop, and why.

    With ``jobs > 1`` the signatures are computed by ``jobs - 1`` worker processes while this one reads
    the documents (same plan as ``jobs=1``).

    Memory per document: the priority tuple, a 32-byte text digest and the signature packed into one
    growing buffer (``4 * num_perm`` bytes); LSH buckets are computed afterwards by sorting.
    """
    import numpy as np

    hasher = MinHasher(num_perm, shingle, seed) if near else None
    prios: list[tuple] = []
    keys: list[bytes | None] = []
    packed = bytearray()
    ok = bytearray()  # 1 when the document has a signature (some words)
    params = (num_perm, shingle, seed)
    pool = None
    if hasher is not None and jobs > 1:
        import multiprocessing

        pool = multiprocessing.get_context("spawn").Pool(jobs - 1)  # the parent parses: jobs processes in all
    try:
        pending: deque[Any] = deque()
        texts: list[str] = []

        def collect(result: tuple[bytes, bytes]) -> None:
            packed.extend(result[0])
            ok.extend(result[1])

        def submit() -> None:
            if pool is None:
                collect(_signature_batch(texts, *params, hasher=hasher))
            else:
                pending.append(pool.apply_async(_signature_batch, (list(texts), *params)))
                while len(pending) > 2 * (jobs - 1):  # bounded: at most a few batches of texts in flight
                    collect(pending.popleft().get())
            texts.clear()

        for doc in docs:
            prios.append(priority(doc))
            keys.append(hashlib.sha256(fold(doc.text).encode("utf-8")).digest() if doc.text.strip() else None)
            if hasher is not None:
                texts.append(doc.text)
                if len(texts) >= _SIG_BATCH:
                    submit()
        if hasher is not None:
            submit()
            while pending:
                collect(pending.popleft().get())
    finally:
        if pool is not None:
            pool.terminate()
    n = len(prios)
    order = sorted(range(n), key=prios.__getitem__)
    plan = DedupPlan(total=n)
    exact: dict[bytes, str] = {}
    sigs = shared = None
    if hasher is not None and n:
        sigs = np.frombuffer(bytes(packed), dtype=np.uint32).reshape(n, num_perm)
        del packed
        shared = _band_groups(sigs, np.frombuffer(bytes(ok), dtype=np.uint8).astype(bool), *_bands(num_perm))
    kept_in: dict[tuple[int, int], list[tuple[int, int]]] = {}  # bucket -> (kept rank, document) kept so far
    rank = 0
    for i in order:
        doc_id, key = prios[i][-1], keys[i]
        if key is not None and key in exact:
            plan.dropped[doc_id] = DedupAudit(doc_id, exact[key], "exact", 1.0)
            continue
        if sigs is not None and ok[i]:
            mine = shared.get(i, ())
            best, best_sim = None, -1.0
            for _, j in sorted({c for b in mine for c in kept_in.get(b, ())}):
                sim = _similarity(sigs[i], sigs[j])
                if sim > best_sim:
                    best, best_sim = j, sim
            if best is not None and best_sim >= threshold:
                plan.dropped[doc_id] = DedupAudit(doc_id, prios[best][-1], "near", round(best_sim, 4))
                continue
            for b in mine:
                kept_in.setdefault(b, []).append((rank, i))
            rank += 1
        if key is not None:
            exact[key] = doc_id
    return plan


def deduplicate(docs: Iterable[Document], **kwargs: Any) -> tuple[list[Document], list[DedupAudit]]:
    """Kept documents (input order) and the audit list; materialises ``docs`` (use :func:`plan_dedup` to stream)."""
    docs = list(docs)
    plan = plan_dedup(docs, **kwargs)
    return list(plan.apply(docs)), plan.audit


@dataclass(frozen=True, slots=True)
class LeakPair:
    """Two (near-)duplicate documents that sit in different splits."""

    id_a: str
    split_a: str
    id_b: str
    split_b: str
    kind: str
    similarity: float


def check_split_leakage(docs_with_splits: Iterable[tuple[Document, str]], *, threshold: float = DEDUP_THRESHOLD,
                        num_perm: int = DEDUP_NUM_PERM, shingle: int = DEDUP_SHINGLE,
                        seed: int = DEFAULT_SEED) -> list[LeakPair]:
    """Every exact or near-duplicate pair whose two documents are in different splits (e.g. train / test).

    An empty list means no leakage. Each pair is reported once, ordered ``(id_a < id_b)``, sorted.
    """
    hasher = MinHasher(num_perm, shingle, seed)
    lsh = _LSH(num_perm)
    rows: list[tuple[str, str, Any]] = []
    exact: dict[str, list[int]] = {}
    pairs: dict[tuple[str, str], LeakPair] = {}

    def add_pair(i: int, j: int, kind: str, sim: float) -> None:
        (ia, sa, _), (ib, sb, _) = sorted((rows[i], rows[j]), key=lambda r: r[0])
        if (ia, ib) not in pairs or (pairs[(ia, ib)].kind == "near" and kind == "exact"):
            pairs[(ia, ib)] = LeakPair(ia, sa, ib, sb, kind, round(sim, 4))

    for doc, split in docs_with_splits:
        sig = hasher.signature(doc.text)
        idx = len(rows)
        rows.append((doc.id, split, sig))
        if doc.text.strip():
            key = text_key(doc.text)
            for j in exact.get(key, ()):
                if rows[j][1] != split:
                    add_pair(idx, j, "exact", 1.0)
            exact.setdefault(key, []).append(idx)
        if sig is None:
            continue
        for j in lsh.candidates(sig):
            if rows[j][1] != split:
                sim = _similarity(sig, rows[j][2])
                if sim >= threshold:
                    add_pair(idx, j, "near", sim)
        lsh.add(sig, idx)
    return sorted(pairs.values(), key=lambda p: (p.id_a, p.id_b))
