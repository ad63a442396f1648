"""Deduplication: exact and near duplicates, which copy is kept, audit, split leakage."""

from __future__ import annotations

import random

import pytest

from corpus.dataset.dedup import DedupAudit, MinHasher, check_split_leakage, deduplicate, plan_dedup, priority
from corpus.model import Annotation, Block, Document, Entity, Layer, Normalizer, Source

NORM = Normalizer("corpus-normaliser", "1.0.0")
random.seed(7)
VOCAB = [f"word{i}" for i in range(3000)]


def article(n: int = 300, seed: int = 0) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(VOCAB) for _ in range(n))


def doc(doc_id: str, text: str, *, status: str = "none", entities: int = 0) -> Document:
    ents = tuple(Entity(0, 1, "PER", text[0]) for _ in range(entities))
    layer = Layer(status)
    return Document(id=doc_id, source=Source(raw_sha256=doc_id * 4), normalizer=NORM, text=text,
                    blocks=(Block(0, len(text)),), entities=ents,
                    annotation=Annotation(blocks=layer, entities=layer, metadata=layer))


def test_exact_duplicates_ignore_whitespace_and_keep_smallest_id():
    t = article(seed=1)
    docs = [doc("b" * 16, t), doc("a" * 16, t.replace(" ", "\n", 5)), doc("c" * 16, article(seed=2))]
    kept, audit = deduplicate(docs)
    assert [d.id for d in kept] == ["a" * 16, "c" * 16]
    assert audit == [DedupAudit("b" * 16, "a" * 16, "exact", 1.0)]


def test_near_duplicate_dropped_in_favour_of_better_annotated():
    base = article(400, seed=3)
    words = base.split()
    words[50] = "edited"
    words[200] = "changed"
    near = " ".join(words)
    docs = [doc("1" * 16, base), doc("2" * 16, near, status="gold"), doc("3" * 16, article(400, seed=4))]
    kept, audit = deduplicate(docs)
    assert [d.id for d in kept] == ["2" * 16, "3" * 16]
    (a,) = audit
    assert (a.dropped_id, a.kept_id, a.kind) == ("1" * 16, "2" * 16, "near") and 0.8 <= a.similarity < 1.0


def test_priority_order():
    gold, model, none = doc("f" * 16, "x", status="gold"), doc("0" * 16, "x", status="model"), doc("1" * 16, "x")
    more_ents = doc("e" * 16, "x", status="model", entities=3)
    assert sorted([none, model, gold, more_ents], key=priority) == [gold, more_ents, model, none]


def test_unrelated_documents_all_kept_and_deterministic():
    docs = [doc(f"{i:016x}", article(200, seed=100 + i)) for i in range(60)]
    plan = plan_dedup(iter(docs))  # a stream is enough
    assert plan.dropped == {} and plan.total == 60
    assert MinHasher().signature(docs[0].text).tolist() == MinHasher().signature(docs[0].text).tolist()


def test_threshold_respected():
    base = article(100, seed=9)
    words = base.split()
    for i in range(0, 100, 4):  # change every 4th word: shares few 5-grams
        words[i] = f"new{i}"
    kept, audit = deduplicate([doc("a" * 16, base), doc("b" * 16, " ".join(words))])
    assert len(kept) == 2 and audit == []


def test_empty_and_short_texts():
    kept, audit = deduplicate([doc("a" * 16, ""), doc("b" * 16, ""), doc("c" * 16, "Hi there"),
                               doc("d" * 16, "hi  there")])
    assert [d.id for d in kept] == ["a" * 16, "b" * 16, "c" * 16]  # empty texts are never duplicates
    assert audit == [DedupAudit("d" * 16, "c" * 16, "near", 1.0)]  # case differs: not exact, same shingles


def test_check_split_leakage():
    base = article(300, seed=11)
    words = base.split()
    words[3] = "tweak"
    docs = [(doc("a" * 16, base), "train"), (doc("b" * 16, " ".join(words)), "test"),
            (doc("c" * 16, base), "train"), (doc("d" * 16, article(300, seed=12)), "test"),
            (doc("e" * 16, article(300, seed=12)), "validation")]
    leaks = check_split_leakage(docs)
    assert [(p.id_a, p.id_b) for p in leaks] == [("a" * 16, "b" * 16), ("b" * 16, "c" * 16), ("d" * 16, "e" * 16)]
    assert leaks[2].kind == "exact"
    assert check_split_leakage([(d, "train") for d, _ in docs]) == []


@pytest.mark.parametrize("n", [200])
def test_many_documents_with_planted_duplicates(n):
    docs = [doc(f"{i:016x}", article(150, seed=1000 + i)) for i in range(n)]
    planted = []
    for i in range(0, n, 10):
        w = docs[i].text.split()
        w[-1] = "different"
        planted.append(doc(f"f{i:015x}", " ".join(w)))
    kept, audit = deduplicate(docs + planted)
    assert len(kept) == n
    assert {a.dropped_id for a in audit} == {d.id for d in planted}


def test_lsh_banding_meets_the_documented_recall_at_the_threshold() -> None:
    from corpus.dataset.dedup import candidate_probability, lsh_params
    from corpus.limits import DEDUP_MIN_RECALL, DEDUP_NUM_PERM, DEDUP_THRESHOLD

    bands, rows = lsh_params(DEDUP_NUM_PERM)
    assert bands * rows == DEDUP_NUM_PERM
    assert candidate_probability(DEDUP_THRESHOLD, bands, rows) >= DEDUP_MIN_RECALL
    # the most selective banding that meets it: one more row per band would not
    more = [r for r in range(rows + 1, DEDUP_NUM_PERM + 1) if DEDUP_NUM_PERM % r == 0]
    assert all(candidate_probability(DEDUP_THRESHOLD, DEDUP_NUM_PERM // r, r) < DEDUP_MIN_RECALL for r in more)



def _shingle_set(text: str) -> set[int]:
    return set(MinHasher().shingles(text).tolist())


def test_signature_is_datasketch_minhash_of_the_shingles_and_estimates_jaccard() -> None:
    from datasketch import MinHash

    from corpus.dataset.dedup import DEFAULT_SEED, SCHEME
    from corpus.limits import DEDUP_NUM_PERM

    base = article(400, seed=21).split()
    for k in (5, 40, 120, 300):  # from near copies to mostly different texts
        other = list(base)
        for i in random.Random(k).sample(range(len(base)), k):
            other[i] = f"swap{i}"
        a, b = " ".join(base), " ".join(other)
        ref = MinHash(num_perm=DEDUP_NUM_PERM, seed=DEFAULT_SEED, scheme=SCHEME, hashfunc=int)
        ref.update_batch(sorted(_shingle_set(a)))  # the set, in any order: the same minimum
        assert MinHasher().signature(a).tolist() == ref.hashvalues.tolist()
        sa, sb = _shingle_set(a), _shingle_set(b)
        true = len(sa & sb) / len(sa | sb)
        est = float((MinHasher().signature(a) == MinHasher().signature(b)).mean())
        assert abs(est - true) < 0.15, (k, est, true)  # 128 permutations: standard error <= 0.045


def test_plan_matches_brute_force_over_every_pair() -> None:
    """LSH finds every pair a full comparison finds (recall >= 0.999 at the threshold), same decisions."""
    from corpus.dataset.dedup import DEFAULT_SEED, lean_minhash
    from corpus.limits import DEDUP_THRESHOLD

    rng = random.Random(5)
    docs = []
    for i in range(60):
        words = article(200, seed=500 + i // 3).split()  # families of three related texts
        for j in rng.sample(range(200), (i % 3) * rng.choice((2, 10, 30))):
            words[j] = f"edit{i}x{j}"
        docs.append(doc(f"{i:016x}", " ".join(words), status=("gold", "model", "none")[i % 3]))
    plan = plan_dedup(docs)
    hasher = MinHasher()
    sigs = {d.id: lean_minhash(hasher.signature(d.text), DEFAULT_SEED) for d in docs}
    kept: list[Document] = []
    expected = {}
    for d in sorted(docs, key=priority):
        best = max(kept, key=lambda k: sigs[d.id].jaccard(sigs[k.id]), default=None)
        if best is not None and sigs[d.id].jaccard(sigs[best.id]) >= DEDUP_THRESHOLD:
            expected[d.id] = best.id
        else:
            kept.append(d)
    assert expected and len(expected) < len(docs) // 2
    assert {a.dropped_id: a.kept_id for a in plan.audit} == expected


def test_leakage_pairs_are_datasketch_lsh_candidates_at_the_threshold() -> None:
    """Reference: every pair MinHashLSH (same banding) returns for a query, in different splits, with
    datasketch's own Jaccard estimate at or above the threshold."""
    import numpy as np
    from datasketch import LeanMinHash, MinHashLSH

    from corpus.dataset.dedup import DEFAULT_SEED, SCHEME, Fingerprinter, lsh_params
    from corpus.limits import DEDUP_NUM_PERM, DEDUP_THRESHOLD

    rng = random.Random(5)
    texts = [article(120, seed=500 + i) for i in range(40)]
    for i in range(0, 40, 4):  # near copies with one to six words changed, and one exact copy
        w = texts[i].split()
        for _ in range(rng.randint(1, 6)):
            w[rng.randrange(len(w))] = "changed"
        texts.append(" ".join(w))
    texts.append(texts[1])
    docs = [(doc(f"{i:016x}", t), rng.choice(["train", "test", "validation"])) for i, t in enumerate(texts)]
    docs[-1] = (docs[-1][0], "test" if docs[1][1] == "train" else "train")  # the exact copy leaks
    fp = Fingerprinter()
    lsh = MinHashLSH(threshold=DEDUP_THRESHOLD, num_perm=DEDUP_NUM_PERM, params=lsh_params(DEDUP_NUM_PERM))
    mins = {}
    for d, _ in docs:
        sig = fp(d.text)[1]
        mins[d.id] = LeanMinHash(seed=DEFAULT_SEED, hashvalues=np.frombuffer(sig, dtype=np.uint32), scheme=SCHEME)
        lsh.insert(d.id, mins[d.id])
    split = {d.id: s for d, s in docs}
    keys = {d.id: fp(d.text)[0] for d, _ in docs}
    expected = set()
    for a in mins:
        for b in lsh.query(mins[a]):
            if a < b and split[a] != split[b]:
                if keys[a] == keys[b]:
                    expected.add((a, b, "exact"))
                elif mins[a].jaccard(mins[b]) >= DEDUP_THRESHOLD:
                    expected.add((a, b, "near"))
    got = {(p.id_a, p.id_b, p.kind) for p in check_split_leakage(docs)}
    assert got == expected
    assert any(k == "near" for *_, k in got) and any(k == "exact" for *_, k in got)
