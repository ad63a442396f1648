"""Build-time deduplication: exact (sha256 of folded text) and near duplicates (MinHash LSH).

Pure functions over documents. Only fixed-size fingerprints are kept in memory (a sha256 and a
``num_perm``-value MinHash signature per document, about 0.6 KiB with the defaults), never the texts,
so :func:`plan_dedup` works on a stream of documents; applying the plan is a second pass.

Near duplicates: the text is folded, lower-cased and split into ``\\w+`` tokens; shingles are word
``DEDUP_SHINGLE``-grams (a text with fewer tokens gives one shorter shingle; an empty text is never a
near duplicate of anything); each shingle is hashed deterministically to 31 bits (CRC-32 of each token,
combined by a polynomial modulo the Mersenne prime 2**31 - 1). The signature is ``datasketch``'s
``MinHash`` over those values (scheme ``affine32``: MurmurHash3 finalizer, then ``DEDUP_NUM_PERM``
permutations ``a*h + b mod 2**32`` drawn from a fixed seed; uint32 values).
Candidate pairs come from ``datasketch.MinHashLSH`` with ``b`` bands of ``r`` rows (``b * r``
permutations): a pair of Jaccard similarity ``s`` becomes a candidate with probability
``1 - (1 - s**r)**b``. :func:`lsh_params` takes the most selective banding whose probability at
``threshold`` is at least ``DEDUP_MIN_RECALL`` (MinHashLSH's own choice weighs false positives and
negatives instead): for 128 permutations and 0.8, 32 bands of 4 rows (0.99999995 at 0.8, 0.87 at 0.5;
16 x 8 would give only 0.947 at 0.8). A candidate is a near duplicate when the estimated Jaccard
similarity (``MinHash.jaccard``: share of equal signature values) is at least ``threshold``.

Which copy is kept: documents are ranked by (1) the best annotation status over the three layers,
gold > projected > model > none, (2) the sum of the layers' status ranks, (3) more entities,
(4) more labelled blocks, (5) the smallest id. Going down that ranking, a document is dropped when it
duplicates one already kept (exact first, then near); the audit names the kept document, so a dropped
document always points at a kept one.
"""

from __future__ import annotations

import hashlib
import importlib
import re
import sys
import types
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from corpus.limits import DEDUP_MIN_RECALL, DEDUP_NUM_PERM, DEDUP_SHINGLE, DEDUP_THRESHOLD
from corpus.model import Document
from corpus.text.normalise import fold

STATUS_RANK = {"gold": 3, "projected": 2, "model": 1, "none": 0}
MERSENNE = (1 << 31) - 1
DEFAULT_SEED = 1_234_567
_WORD = re.compile(r"\w+")
_CRC_CACHE = 1 << 16  # tokens whose CRC-32 a MinHasher remembers (then it starts afresh)
#: datasketch's MinHash permutation scheme (uint32 values; part of what decides the signatures)
SCHEME = "affine32"
_INTEGRATE = "scipy.integrate"


@dataclass(frozen=True, slots=True)
class DedupAudit:
    """One dropped document: which kept document it duplicates, how, and how similar (1.0 for exact)."""

    dropped_id: str
    kept_id: str
    kind: str  # "exact" | "near"
    similarity: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "dropped_id": self.dropped_id,
            "kept_id": self.kept_id,
            "kind": self.kind,
            "similarity": self.similarity,
        }


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
    ann = doc.annotation
    labelled = sum(1 for b in doc.blocks if b.label is not None)
    return priority_of(
        (ann.blocks.status, ann.entities.status, ann.metadata.status), len(doc.entities), labelled, doc.id
    )


def priority_of(statuses: Iterable[str], entities: int, labelled: int, doc_id: str) -> tuple:
    """:func:`priority` from its parts: the three layer statuses, entity and labelled-block counts, the id."""
    ranks = [STATUS_RANK.get(status, 0) for status in statuses]
    return (-max(ranks), -sum(ranks), -entities, -labelled, doc_id)


def record_priority(r: Any) -> tuple:
    """:func:`priority` of a :class:`corpus.dataset.records.Record`."""
    statuses = [x.get("status", "none") for x in r.layers]
    return priority_of(statuses, len(r.e_labels), sum(x is not None for x in r.labels), r.id)


def text_key(text: str) -> str:
    """sha256 of the folded text: equal for texts that differ only in whitespace."""
    return hashlib.sha256(fold(text).encode("utf-8")).hexdigest()


def datasketch() -> Any:
    """The ``datasketch`` module, imported without ``scipy.integrate`` (about 37 MiB resident).

    ``datasketch.lsh`` imports ``scipy.integrate.quad`` at the top only to choose bands and rows when
    ``MinHashLSH`` is given none; the build always passes them (:func:`lsh_params`). While datasketch is
    imported, ``scipy.integrate`` is a stand-in whose ``quad`` imports the real function on first call,
    so datasketch behaves as before; the stand-in is gone from ``sys.modules`` afterwards.
    """
    mod = sys.modules.get("datasketch")
    if mod is not None:
        return mod
    if _INTEGRATE in sys.modules:
        return importlib.import_module("datasketch")
    stand_in = types.ModuleType(_INTEGRATE)
    stand_in.quad = _quad  # type: ignore[attr-defined]
    sys.modules[_INTEGRATE] = stand_in
    try:
        return importlib.import_module("datasketch")
    except ImportError:  # a datasketch that needs more of scipy.integrate: import it the plain way
        for name in [m for m in sys.modules if m == "datasketch" or m.startswith("datasketch.")]:
            del sys.modules[name]
        sys.modules.pop(_INTEGRATE, None)
        return importlib.import_module("datasketch")
    finally:
        if sys.modules.get(_INTEGRATE) is stand_in:
            del sys.modules[_INTEGRATE]


def _quad(*args: Any, **kwargs: Any) -> Any:
    """``scipy.integrate.quad``, imported when first called."""
    from scipy.integrate import quad

    return quad(*args, **kwargs)


class _TokenCrc(dict):
    """CRC-32 of a token's UTF-8 bytes, remembered (tokens repeat within and across documents)."""

    def __missing__(self, token: str) -> int:
        v = self[token] = zlib.crc32(token.encode("utf-8"))
        return v


def _identity(value: int) -> int:
    return value


class MinHasher:
    """Deterministic MinHash over word shingles: ``datasketch.MinHash`` fed with the shingle hashes."""

    def __init__(self, num_perm: int = DEDUP_NUM_PERM, shingle: int = DEDUP_SHINGLE, seed: int = DEFAULT_SEED):
        import numpy as np

        MinHash = datasketch().MinHash
        self.np = np
        self._minhash = MinHash
        self.num_perm = num_perm
        self.shingle = shingle
        self.seed = seed
        # the permutations are drawn once and shared by every signature (datasketch draws them per MinHash)
        self.permutations = MinHash(num_perm=num_perm, seed=seed, scheme=SCHEME).permutations
        self._crc = _TokenCrc()

    def shingles(self, text: str):
        """Shingle hashes of ``text`` (uint64 values below 2**31 - 1); empty for a text without words."""
        return self.np.unique(self._shingle_hashes(text))

    def _shingle_hashes(self, text: str):
        """Shingle hashes in text order, repeats included (the minimum does not need them removed)."""
        return self._hashes_of_folded(fold(text))

    def _hashes_of_folded(self, folded: str):
        np = self.np
        tokens = _WORD.findall(folded.lower())
        if not tokens:
            return np.zeros(0, dtype=np.uint64)
        crc = self._crc
        if len(crc) > _CRC_CACHE:
            crc.clear()
        t = np.array(list(map(crc.__getitem__, tokens)), dtype=np.uint64)
        k = min(self.shingle, len(tokens))
        n = len(tokens) - k + 1
        h = np.zeros(n, dtype=np.uint64)
        for j in range(k):  # polynomial combination, reduced each step so products stay below 2**63
            h = (h * np.uint64(1_000_003) + t[j : j + n]) % np.uint64(MERSENNE)
        return h

    def minhash(self, folded: str) -> Any:
        """The ``datasketch.MinHash`` of a folded text, or None for a text without words."""
        sh = self._hashes_of_folded(folded)
        if not len(sh):
            return None
        m = self._minhash(
            num_perm=self.num_perm, seed=self.seed, hashfunc=_identity, permutations=self.permutations, scheme=SCHEME
        )
        m.update_batch(sh.tolist())
        return m

    def signature(self, text: str):
        """``num_perm`` uint32 minimum hash values, or None for a text without words."""
        return self.signature_of_folded(fold(text))

    def signature_of_folded(self, folded: str):
        """:meth:`signature` of a text already passed through :func:`~corpus.text.normalise.fold`."""
        m = self.minhash(folded)
        return None if m is None else m.hashvalues


def lean_minhash(sig: Any, seed: int = DEFAULT_SEED) -> Any:
    """A stored signature (uint32 values) as a ``datasketch.LeanMinHash`` (what MinHashLSH indexes)."""
    return datasketch().LeanMinHash(seed=seed, hashvalues=sig, scheme=SCHEME)


class Fingerprinter:
    """The two fingerprints of a text: sha256 of the folded text and the packed MinHash signature."""

    def __init__(
        self,
        num_perm: int = DEDUP_NUM_PERM,
        shingle: int = DEDUP_SHINGLE,
        seed: int = DEFAULT_SEED,
        *,
        near: bool = True,
    ):
        self.hasher = MinHasher(num_perm, shingle, seed) if near else None

    def __call__(self, text: str) -> tuple[bytes | None, bytes | None]:
        """``(digest or None for a blank text, uint32 signature bytes or None without words / near off)``."""
        folded = fold(text)
        key = hashlib.sha256(folded.encode("utf-8")).digest() if text.strip() else None
        if self.hasher is None:
            return key, None
        sig = self.hasher.signature_of_folded(folded)
        return key, None if sig is None else sig.tobytes()


def candidate_probability(similarity: float, bands: int, rows: int) -> float:
    """Probability that a pair of Jaccard ``similarity`` shares at least one band."""
    return 1.0 - (1.0 - similarity**rows) ** bands


def lsh_params(num_perm: int, threshold: float = DEDUP_THRESHOLD,
               min_recall: float = DEDUP_MIN_RECALL) -> tuple[int, int]:
    """(bands, rows), ``bands * rows == num_perm``: the most rows (fewest false candidates) that still
    make a pair at ``threshold`` a candidate with probability ``min_recall``."""
    best = (num_perm, 1)
    for rows in range(1, num_perm + 1):
        if num_perm % rows == 0 and candidate_probability(threshold, num_perm // rows, rows) >= min_recall:
            best = (num_perm // rows, rows)
    return best


def _lsh(num_perm: int, threshold: float) -> Any:
    """An empty ``datasketch.MinHashLSH`` with the banding of :func:`lsh_params`."""
    return datasketch().MinHashLSH(threshold=threshold, num_perm=num_perm, params=lsh_params(num_perm, threshold))


def _band_groups(sigs, ok, bands: int, rows: int) -> dict[int, list[tuple[int, int]]]:
    """Per document that shares an LSH band with another one: its ``(band, bucket)`` pairs.

    A pre-pass of :meth:`DedupPlanner.plan`: buckets are found by sorting each band's values (the same
    band slices as MinHashLSH, exact byte equality, no per-document objects). A document whose band
    values are all unique cannot be a candidate of anything, so it never enters MinHashLSH, whose
    per-band dictionaries cost about 10 KB per indexed document.
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


class DedupPlanner:
    """Collects the fingerprints of a stream of documents, then decides which ones to drop.

    Memory per document: the priority tuple, a 32-byte text digest and the signature packed into one
    growing buffer (``4 * num_perm`` bytes); LSH buckets are computed at the end by sorting.
    """

    def __init__(self, *, near: bool = True, threshold: float = DEDUP_THRESHOLD, num_perm: int = DEDUP_NUM_PERM):
        self.near = near
        self.threshold = threshold
        self.num_perm = num_perm
        self.prios: list[tuple] = []
        self.keys: list[bytes | None] = []
        self.packed = bytearray()
        self.ok = bytearray()  # 1 when the document has a signature (some words)
        self._blank = bytes(4 * num_perm)

    def add(self, prio: tuple, key: bytes | None, sig: bytes | None) -> None:
        """One document: its :func:`priority`, text digest and signature (see :class:`Fingerprinter`)."""
        self.prios.append(prio)
        self.keys.append(key)
        if self.near:
            self.ok.append(sig is not None)
            self.packed += self._blank if sig is None else sig

    def plan(self) -> DedupPlan:
        """The documents to drop, and why (the order documents were added in does not matter)."""
        import numpy as np

        prios, keys, ok = self.prios, self.keys, self.ok
        n = len(prios)
        order = sorted(range(n), key=prios.__getitem__)
        plan = DedupPlan(total=n)
        exact: dict[bytes, str] = {}
        sigs = shared = None
        if self.near and n:
            sigs = np.frombuffer(bytes(self.packed), dtype=np.uint32).reshape(n, self.num_perm)
            self.packed = bytearray()
            valid = np.frombuffer(bytes(ok), dtype=np.uint8).astype(bool)
            shared = _band_groups(sigs, valid, *lsh_params(self.num_perm, self.threshold))
        lsh = _lsh(self.num_perm, self.threshold)
        kept: list[tuple[int, Any]] = []  # per LSH key (the order kept): the document and its MinHash
        for i in order:
            doc_id, key = prios[i][-1], keys[i]
            if key is not None and key in exact:
                plan.dropped[doc_id] = DedupAudit(doc_id, exact[key], "exact", 1.0)
                continue
            if sigs is not None and ok[i] and i in shared:
                m = lean_minhash(sigs[i])
                best, best_sim = None, -1.0
                for k in sorted(lsh.query(m)):  # earliest kept first: ties go to the better-ranked copy
                    sim = m.jaccard(kept[k][1])
                    if sim > best_sim:
                        best, best_sim = kept[k][0], sim
                if best is not None and best_sim >= self.threshold:
                    plan.dropped[doc_id] = DedupAudit(doc_id, prios[best][-1], "near", round(best_sim, 4))
                    continue
                lsh.insert(len(kept), m, check_duplication=False)
                kept.append((i, m))
            if key is not None:
                exact[key] = doc_id
        return plan


_TEXT_BATCH = 256  # texts per worker task of plan_dedup(jobs > 1)
_FINGERPRINTERS: dict[tuple[int, int, int], Fingerprinter] = {}


def _fingerprint_batch(
    texts: list[str], num_perm: int, shingle: int, seed: int
) -> list[tuple[bytes | None, bytes | None]]:
    """:class:`Fingerprinter` results of ``texts`` (runs in a worker process)."""
    fp = _FINGERPRINTERS.get((num_perm, shingle, seed))
    if fp is None:
        fp = _FINGERPRINTERS[num_perm, shingle, seed] = Fingerprinter(num_perm, shingle, seed)
    return [fp(t) for t in texts]


def plan_dedup(
    docs: Iterable[Document],
    *,
    near: bool = True,
    threshold: float = DEDUP_THRESHOLD,
    num_perm: int = DEDUP_NUM_PERM,
    shingle: int = DEDUP_SHINGLE,
    seed: int = DEFAULT_SEED,
    jobs: int = 1,
) -> DedupPlan:
    """One pass over ``docs`` (a stream is fine): which documents to drop, and why.

    With ``jobs > 1`` the fingerprints are computed by ``jobs`` worker processes, a bounded number of
    batches in flight (same plan as ``jobs=1``). See :class:`DedupPlanner` for the memory per document.
    """
    planner = DedupPlanner(near=near, threshold=threshold, num_perm=num_perm)
    if jobs <= 1 or not near:
        fp = Fingerprinter(num_perm, shingle, seed, near=near)
        for doc in docs:
            planner.add(priority(doc), *fp(doc.text))
        return planner.plan()
    from corpus.parallel import ProcessMap

    def batches() -> Iterator[list[Document]]:
        batch: list[Document] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= _TEXT_BATCH:
                yield batch
                batch = []
        if batch:
            yield batch

    prios: deque[list[tuple]] = deque()

    def work() -> Iterator[tuple[list[str], int, int, int]]:
        for batch in batches():
            prios.append([priority(d) for d in batch])
            yield [d.text for d in batch], num_perm, shingle, seed

    with ProcessMap(jobs, what="deduplication worker") as pm:
        for results in pm.map(_fingerprint_batch, work()):
            for prio, (key, sig) in zip(prios.popleft(), results, strict=True):
                planner.add(prio, key, sig)
    return planner.plan()


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


def check_split_leakage(
    docs_with_splits: Iterable[tuple[Document, str]],
    *,
    threshold: float = DEDUP_THRESHOLD,
    num_perm: int = DEDUP_NUM_PERM,
    shingle: int = DEDUP_SHINGLE,
    seed: int = DEFAULT_SEED,
) -> list[LeakPair]:
    """Every exact or near-duplicate pair whose two documents are in different splits (e.g. train / test).

    An empty list means no leakage. Each pair is reported once, ordered ``(id_a < id_b)``, sorted.
    """
    fp = Fingerprinter(num_perm, shingle, seed)
    checker = LeakageChecker(threshold=threshold, num_perm=num_perm)
    for doc, split in docs_with_splits:
        checker.add(doc.id, split, *fp(doc.text))
    return checker.pairs()


class LeakageChecker:
    """:func:`check_split_leakage` over a stream of fingerprints (see :class:`Fingerprinter`).

    Stores what :class:`DedupPlanner` stores (a text digest and the packed signature per document) and
    finds candidate pairs the same way at the end: documents sharing an LSH band bucket
    (:func:`_band_groups`), so no per-document MinHash object or LSH index entry is kept.
    """

    def __init__(self, *, threshold: float = DEDUP_THRESHOLD, num_perm: int = DEDUP_NUM_PERM):
        self.threshold = threshold
        self.num_perm = num_perm
        self.rows: list[tuple[str, str]] = []  # (document id, split)
        self.exact: dict[bytes, list[int]] = {}
        self.packed = bytearray()
        self.ok = bytearray()  # 1 when the document has a signature (some words)
        self._blank = bytes(4 * num_perm)

    def add(self, doc_id: str, split: str, key: bytes | None, sig: bytes | None) -> None:
        """One document: id, split, text digest (None when blank) and signature (None without words)."""
        if key is not None:
            self.exact.setdefault(key, []).append(len(self.rows))
        self.rows.append((doc_id, split))
        self.ok.append(sig is not None)
        self.packed += self._blank if sig is None else sig

    def pairs(self) -> list[LeakPair]:
        """Every exact or near-duplicate pair in different splits, ``(id_a < id_b)``, sorted."""
        import numpy as np

        rows, found = self.rows, {}

        def cross(members: list[int]) -> Iterator[tuple[int, int]]:
            for a, i in enumerate(members):
                for j in members[a + 1 :]:
                    if rows[i][1] != rows[j][1]:
                        yield i, j

        for members in self.exact.values():
            for i, j in cross(members):
                found[i, j] = ("exact", 1.0)
        n = len(rows)
        if n > 1:
            sigs = np.frombuffer(bytes(self.packed), dtype=np.uint32).reshape(n, self.num_perm)
            valid = np.frombuffer(bytes(self.ok), dtype=np.uint8).astype(bool)
            buckets: dict[tuple[int, int], list[int]] = {}
            for i, keys in _band_groups(sigs, valid, *lsh_params(self.num_perm, self.threshold)).items():
                for k in keys:
                    buckets.setdefault(k, []).append(i)
            for members in buckets.values():
                for i, j in cross(sorted(members)):
                    if (i, j) not in found:
                        sim = float(np.count_nonzero(sigs[i] == sigs[j])) / self.num_perm
                        if sim >= self.threshold:
                            found[i, j] = ("near", sim)
        out = []
        for (i, j), (kind, sim) in found.items():
            (ia, sa), (ib, sb) = sorted((rows[i], rows[j]))
            out.append(LeakPair(ia, sa, ib, sb, kind, round(sim, 4)))
        return sorted(out, key=lambda p: (p.id_a, p.id_b))
