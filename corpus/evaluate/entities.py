"""Entity scores (DESIGN §6): nervaluate's four schemas and seqeval's BIO view, per label and overall.

Pure functions over documents paired by id. Spans are ``(start, end, label)``, half-open character
offsets with CoNLL-4 labels (OntoNotes labels mapped; dropped or unknown labels and empty spans ignored),
sorted by ``(start, end, label)``: that sorted order is the order nervaluate walks predictions and
gold spans in, which decides ties. Definitions and the mapping to the libraries' names are in
``docs/metrics.md``; the tests compare every figure with nervaluate 1.2.1 and seqeval 1.2.2.

- ``strict``, ``exact``, ``partial``, ``ent_type`` — nervaluate's ``Evaluator(...).evaluate()``
  counts (correct, incorrect, partial, missed, spurious) and P/R/F1, with nervaluate's default
  minimum overlap (1 % of the gold span, ends taken inclusive as nervaluate does);
- ``bio`` — seqeval's default (conlleval) mode over BIO tags of the text's tokens
  (:func:`corpus.text.tokens.tokenize`), micro-averaged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from corpus.labels import CONLL4, to_conll
from corpus.model import Document
from corpus.text.tokens import claim_tags, tokenize

#: A span: half-open ``[start, end)`` character offsets and a CoNLL-4 label.
Span = tuple[int, int, str]
#: nervaluate's evaluation schemas, in the order reports show them.
ENTITY_SCHEMAS: tuple[str, ...] = ("strict", "exact", "partial", "ent_type")
#: Name of seqeval's BIO token view in :attr:`EntityScores.overall` / ``per_label``.
BIO = "bio"
#: Every score name an :class:`EntityScores` carries per label and overall.
ENTITY_MODES: tuple[str, ...] = (*ENTITY_SCHEMAS, BIO)
_CONLL4 = frozenset(CONLL4)
#: nervaluate's default ``min_overlap_percentage``: share of the gold span (in %) a prediction must cover.
MIN_OVERLAP_PERCENT = 1.0


def _harmonic(p: float, r: float) -> float:
    return 2 * (p * r) / (p + r) if (p + r) > 0 else 0.0


@dataclass(frozen=True, slots=True)
class Counts:
    """nervaluate's counts for one schema; ``+`` adds two documents' counts."""

    correct: int = 0
    incorrect: int = 0
    partial: int = 0
    missed: int = 0
    spurious: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.correct + other.correct, self.incorrect + other.incorrect,
                      self.partial + other.partial, self.missed + other.missed, self.spurious + other.spurious)

    @property
    def actual(self) -> int:
        return self.correct + self.incorrect + self.partial + self.spurious

    @property
    def possible(self) -> int:
        return self.correct + self.incorrect + self.partial + self.missed

    def scores(self, schema: str) -> dict[str, float]:
        """P/R/F1 as nervaluate computes them: ``partial`` and ``ent_type`` credit half a partial."""
        credit = self.correct + 0.5 * self.partial if schema in ("partial", "ent_type") else self.correct
        p = credit / self.actual if self.actual > 0 else 0.0
        r = credit / self.possible if self.possible > 0 else 0.0
        return {"precision": p, "recall": r, "f1": _harmonic(p, r), "correct": self.correct,
                "incorrect": self.incorrect, "partial": self.partial, "missed": self.missed,
                "spurious": self.spurious, "actual": self.actual, "possible": self.possible}


def doc_spans(doc: Document) -> list[Span]:
    """The document's entities as sorted CoNLL-4 spans (labels mapped to none or outside CoNLL-4, and
    empty spans, removed)."""
    out = []
    for e in doc.entities:
        lab = to_conll(e.label, doc.annotation.entity_label_set)
        if lab in _CONLL4 and e.end > e.start:
            out.append((e.start, e.end, lab))
    return sorted(out)


# -- nervaluate's matching ------------------------------------------------------------------------
def overlaps(pred: Span, gold: Span) -> bool:
    """nervaluate's "sufficient overlap": inclusive ends, overlap >= 1 % of the gold span."""
    ps, pe, gs, ge = pred[0], pred[1] - 1, gold[0], gold[1] - 1
    if ps > ge or pe < gs:
        return False
    return (min(pe, ge) - max(ps, gs) + 1) / (ge - gs + 1) * 100.0 >= MIN_OVERLAP_PERCENT


def _same_bounds(p: Span, g: Span) -> bool:
    return p[0] == g[0] and p[1] == g[1]


def _first_match(gold: Sequence[Span], pred: Sequence[Span], correct: Callable[[Span, Span], bool],
                 near: str) -> Counts:
    """strict / exact / partial: per prediction, the first unmatched gold span that is ``correct``
    wins; otherwise the first overlapping one earlier in the walk counts as ``near``."""
    matched: set[int] = set()
    cor = near_n = spu = 0
    for p in pred:
        hit = None
        for i, g in enumerate(gold):
            if i in matched:
                continue
            if correct(p, g):
                hit = i
                break
            if hit is None and overlaps(p, g):
                hit = -1 - i  # the first overlapping gold span, kept unless a correct one follows
        if hit is None:
            spu += 1
        elif hit >= 0:
            cor += 1
            matched.add(hit)
        else:
            near_n += 1
            matched.add(-1 - hit)
    mis = len(gold) - len(matched)
    if near == "partial":
        return Counts(correct=cor, partial=near_n, missed=mis, spurious=spu)
    return Counts(correct=cor, incorrect=near_n, missed=mis, spurious=spu)


def _strict_correct(p: Span, g: Span) -> bool:
    return p[2] == g[2] and _same_bounds(p, g)


def _partial_correct(p: Span, g: Span) -> bool:
    return overlaps(p, g) and _same_bounds(p, g)


def _ent_type(gold: Sequence[Span], pred: Sequence[Span]) -> Counts:
    """ent_type: the overlapping unmatched same-label gold span with the closest boundaries is
    correct; else the first overlapping gold span of another label makes the prediction incorrect."""
    matched: set[int] = set()
    cor = inc = spu = 0
    for p in pred:
        best: int | None = None
        best_dist = 0
        wrong: int | None = None
        for i, g in enumerate(gold):
            if i in matched or not overlaps(p, g):
                continue
            dist = abs(p[0] - g[0]) + abs(p[1] - g[1])
            if p[2] == g[2]:
                if best is None or dist < best_dist:
                    best, best_dist = i, dist
            elif wrong is None:
                wrong = i
        if best is not None:
            cor += 1
            matched.add(best)
        elif wrong is not None:
            inc += 1
            matched.add(wrong)
        else:
            spu += 1
    return Counts(correct=cor, incorrect=inc, missed=len(gold) - len(matched), spurious=spu)


def schema_counts(schema: str, gold: Sequence[Span], pred: Sequence[Span]) -> Counts:
    """nervaluate's counts of one document under one schema (spans in walk order)."""
    if schema == "strict":
        return _first_match(gold, pred, _strict_correct, "incorrect")
    if schema == "exact":
        return _first_match(gold, pred, _same_bounds, "incorrect")
    if schema == "partial":
        return _first_match(gold, pred, _partial_correct, "partial")
    if schema == "ent_type":
        return _ent_type(gold, pred)
    raise ValueError(f"unknown entity schema {schema!r} (one of {', '.join(ENTITY_SCHEMAS)})")


# -- seqeval's BIO view ---------------------------------------------------------------------------
def bio_tags(text: str, spans: Sequence[Span]) -> list[str]:
    """BIO tag of every token of ``text``: spans, in order, claim the tokens they overlap that no
    earlier span claimed (``B-`` on the first, ``I-`` after) — the rule of the ``ner_tokens`` view."""
    return claim_tags(tokenize(text), spans)


def bio_chunks(tags: Sequence[str]) -> list[tuple[str, int, int]]:
    """seqeval's default-mode ``get_entities`` for BIO tags: ``(type, first, last)`` token chunks."""
    chunks = []
    prev_tag, prev_type, begin = "O", "", 0
    for i, chunk in enumerate([*tags, "O"]):
        tag, typ = (chunk[0], chunk[2:]) if chunk != "O" else ("O", "")
        ends = (prev_tag == "B" and tag in ("B", "O")) or (prev_tag == "I" and tag in ("B", "O")) or (
            prev_tag != "O" and prev_type != typ)
        if ends:
            chunks.append((prev_type, begin, i - 1))
        starts = tag == "B" or (prev_tag == "O" and tag == "I") or (tag != "O" and prev_type != typ)
        if starts:
            begin = i
        prev_tag, prev_type = tag, typ
    return chunks


@dataclass(frozen=True, slots=True)
class BioCounts:
    """Chunk counts of seqeval's view: ``true`` gold chunks, ``pred`` predicted, ``correct`` both."""

    true: int = 0
    pred: int = 0
    correct: int = 0

    def __add__(self, other: BioCounts) -> BioCounts:
        return BioCounts(self.true + other.true, self.pred + other.pred, self.correct + other.correct)

    def scores(self) -> dict[str, float]:
        p = self.correct / self.pred if self.pred else 0.0
        r = self.correct / self.true if self.true else 0.0
        return {"precision": p, "recall": r, "f1": _harmonic(p, r), "correct": self.correct,
                "predicted": self.pred, "support": self.true}


def _bio_counts(gold: set[tuple[str, int, int]], pred: set[tuple[str, int, int]], label: str | None) -> BioCounts:
    if label is not None:
        gold = {c for c in gold if c[0] == label}
        pred = {c for c in pred if c[0] == label}
    return BioCounts(len(gold), len(pred), len(gold & pred))


# -- documents ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EntityScores:
    """Entity scores of a prediction against gold. ``overall[mode]`` and ``per_label[label][mode]``
    for every mode of :data:`ENTITY_MODES` (nervaluate's four schemas, then seqeval's ``bio``)."""

    n_docs: int
    n_missing_docs: int
    overall: dict[str, dict[str, float]]
    per_label: dict[str, dict[str, dict[str, float]]]

    def as_dict(self) -> dict[str, Any]:
        return {"n_docs": self.n_docs, "n_missing_docs": self.n_missing_docs,
                "overall": self.overall, "per_label": self.per_label}


def entity_scores(gold_docs: Iterable[Document], pred_docs: Iterable[Document]) -> EntityScores:
    """Score predicted entities against gold ones, documents paired by id (CoNLL-4 labels).

    A gold document without a prediction, or whose prediction has another ``text``, counts as a
    prediction without entities (and in ``n_missing_docs``).
    """
    preds = {d.id: d for d in pred_docs}
    pairs: list[tuple[str, list[Span], list[Span]]] = []
    missing = 0
    for g in gold_docs:
        p = preds.get(g.id)
        if p is None or p.text != g.text:
            missing += 1
            p_spans: list[Span] = []
        else:
            p_spans = doc_spans(p)
        pairs.append((g.text, doc_spans(g), p_spans))
    labels = sorted({s[2] for _, g, p in pairs for s in (*g, *p)})
    overall = dict.fromkeys(ENTITY_SCHEMAS, Counts())
    per = {lab: dict.fromkeys(ENTITY_SCHEMAS, Counts()) for lab in labels}
    bio_all = BioCounts()
    bio_per = dict.fromkeys(labels, BioCounts())
    for text, g_spans, p_spans in pairs:
        for s in ENTITY_SCHEMAS:
            overall[s] = overall[s] + schema_counts(s, g_spans, p_spans)
            for lab in labels:
                gl = [x for x in g_spans if x[2] == lab]
                pl = [x for x in p_spans if x[2] == lab]
                if gl or pl:
                    per[lab][s] = per[lab][s] + schema_counts(s, gl, pl)
        g_chunks = set(bio_chunks(bio_tags(text, g_spans)))
        p_chunks = set(bio_chunks(bio_tags(text, p_spans)))
        bio_all = bio_all + _bio_counts(g_chunks, p_chunks, None)
        for lab in labels:
            bio_per[lab] = bio_per[lab] + _bio_counts(g_chunks, p_chunks, lab)

    def out(counts: dict[str, Counts], bio: BioCounts) -> dict[str, dict[str, float]]:
        return {**{s: counts[s].scores(s) for s in ENTITY_SCHEMAS}, BIO: bio.scores()}

    return EntityScores(n_docs=len(pairs), n_missing_docs=missing, overall=out(overall, bio_all),
                        per_label={lab: out(per[lab], bio_per[lab]) for lab in labels})


def format_entity_table(scores: dict[str, Any], indent: str = "  ") -> list[str]:
    """Text table of an :meth:`EntityScores.as_dict`: one row per mode overall, then per label."""
    def f(x: float) -> str:
        return f"{x:6.3f}"

    lines = [f"{indent}{'':18} {'P':>6} {'R':>6} {'F1':>6}"]
    for mode in ENTITY_MODES:
        s = scores["overall"][mode]
        lines.append(f"{indent}{mode:18} {f(s['precision'])} {f(s['recall'])} {f(s['f1'])}")
    for lab, modes in scores["per_label"].items():
        for mode in ENTITY_MODES:
            s = modes[mode]
            lines.append(f"{indent}{lab + ' ' + mode:18} {f(s['precision'])} {f(s['recall'])} {f(s['f1'])}")
    return lines
