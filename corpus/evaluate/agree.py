"""Inter-annotator agreement between two annotation sets of the same pages (``corpus agree A B``).

Pages are paired by id; pages present in one set only, and pairs whose ``text`` differs, are
reported and left out. Definitions (also in ``docs/annotation-format.md``):

* blocks — every block of A is paired with the block(s) of B covering most of its characters;
  pairs where both sides carry a label are compared. Cohen's kappa over all block labels and over
  content vs boilerplate (:data:`corpus.labels.CONTENT_LABELS`); when only one category occurs on
  both sides, kappa is 1.0 if the two sides agree on every block and 0.0 otherwise; with no
  comparable block it is ``None``. Blocks labelled on one side only are counted separately.
* entities — :func:`corpus.evaluate.entities.entity_scores` with A as reference (CoNLL-4 labels):
  nervaluate's ``strict``, ``exact``, ``partial``, ``ent_type`` and seqeval's ``bio``, overall and
  per label. When neither side has an entity, every P = R = F1 = 1.0 (nothing to disagree on).
* metadata — per field, the share of pages whose values are equal, over the pages where at least
  one side sets the field (``None`` when no page does).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from corpus.evaluate.entities import entity_scores, format_entity_table
from corpus.evaluate.metrics import cohen_kappa
from corpus.labels import CONTENT_LABELS
from corpus.model import Document, Metadata


@dataclass
class Agreement:
    n_a: int
    n_b: int
    paired: int
    only_a: list[str] = field(default_factory=list)
    only_b: list[str] = field(default_factory=list)
    text_differs: list[str] = field(default_factory=list)
    blocks: dict[str, Any] = field(default_factory=dict)
    entities: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def comparable(self) -> bool:
        """Whether any page is in both sets with the same text (else every score is vacuous)."""
        return self.paired > 0

    def nothing_comparable(self) -> str:
        """Why nothing could be compared (for ``corpus agree`` when :attr:`comparable` is false)."""
        why = []
        if self.text_differs:
            why.append(f"{len(self.text_differs)} page(s) differ in text")
        if self.only_a or self.only_b:
            why.append(f"{len(self.only_a)} page(s) only in A, {len(self.only_b)} only in B")
        if not (self.n_a and self.n_b):
            why.append(f"A holds {self.n_a} and B {self.n_b} documents")
        return ("nothing was comparable: no page is in both A and B with the same text ("
                + "; ".join(why or ["no documents"]) + "); pages are paired by document id")

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def kappa(a: list[Any], b: list[Any]) -> float | None:
    """Cohen's kappa (see module docstring for the one-category and empty cases)."""
    return cohen_kappa(a, b) if a else None


def _b_label(block_start: int, block_end: int, other: Document) -> str | None:
    cover: dict[str | None, int] = {}
    for b in other.blocks:
        lo, hi = max(b.start, block_start), min(b.end, block_end)
        if hi > lo:
            cover[b.label] = cover.get(b.label, 0) + hi - lo
    if not cover:
        return None
    best = max(cover.values())
    return min((k for k, v in cover.items() if v == best), key=lambda k: (k is None, k or ""))


def block_agreement(pairs: list[tuple[Document, Document]]) -> dict[str, Any]:
    la: list[str] = []
    lb: list[str] = []
    one_side = 0
    for a, b in pairs:
        for blk in a.blocks:
            other = _b_label(blk.start, blk.end, b)
            if blk.label is not None and other is not None:
                la.append(blk.label)
                lb.append(other)
            elif blk.label is not None or other is not None:
                one_side += 1
    ca = ["content" if x in CONTENT_LABELS else "boilerplate" for x in la]
    cb = ["content" if x in CONTENT_LABELS else "boilerplate" for x in lb]
    n = len(la)
    confusion: dict[str, dict[str, int]] = {}
    for x, y in zip(la, lb, strict=True):
        confusion.setdefault(x, {})[y] = confusion.setdefault(x, {}).get(y, 0) + 1
    return {
        "compared": n,
        "labelled_one_side": one_side,
        "kappa": kappa(la, lb),
        "accuracy": sum(x == y for x, y in zip(la, lb, strict=True)) / n if n else None,
        "content_kappa": kappa(ca, cb),
        "content_accuracy": sum(x == y for x, y in zip(ca, cb, strict=True)) / n if n else None,
        "confusion": {k: dict(sorted(v.items())) for k, v in sorted(confusion.items())},
    }


def entity_agreement(pairs: list[tuple[Document, Document]]) -> dict[str, Any]:
    """Entity scores of B against A: ``{n_a, n_b, pages, pages_one_side, overall: {mode: ...}, per_label:
    {label: {mode: ...}}}`` over the pages whose entity layer both sides annotated (status not ``none``);
    a page annotated on one side only is counted in ``pages_one_side``, not scored as all missed."""
    both = [(a, b) for a, b in pairs if _annotated(a) and _annotated(b)]
    one_side = sum(_annotated(a) != _annotated(b) for a, b in pairs)
    a_docs = [a for a, _ in both]
    b_docs = [b for _, b in both]
    n_a = sum(len(d.entities) for d in a_docs)
    n_b = sum(len(d.entities) for d in b_docs)
    scores = entity_scores(a_docs, b_docs).as_dict()
    overall = scores["overall"]
    if both and not any(overall["strict"][k] for k in ("correct", "incorrect", "partial", "missed", "spurious")):
        overall = {mode: {**v, "precision": 1.0, "recall": 1.0, "f1": 1.0} for mode, v in overall.items()}
    return {"n_a": n_a, "n_b": n_b, "pages": len(both), "pages_one_side": one_side, "overall": overall,
            "per_label": scores["per_label"]}


def _annotated(doc: Document) -> bool:
    return doc.annotation.entities.status != "none"


def _is_set(v: Any) -> bool:
    return v not in (None, "", (), [])


def metadata_agreement(pairs: list[tuple[Document, Document]]) -> dict[str, dict[str, Any]]:
    out = {}
    for f in dataclasses.fields(Metadata):
        compared = equal = 0
        for a, b in pairs:
            va, vb = getattr(a.metadata, f.name), getattr(b.metadata, f.name)
            if _is_set(va) or _is_set(vb):
                compared += 1
                equal += va == vb
        out[f.name] = {"compared": compared, "equal": equal, "share": equal / compared if compared else None}
    return out


def agreement(a_docs: Iterable[Document], b_docs: Iterable[Document]) -> Agreement:
    """Agreement of annotation set B with annotation set A (A is the reference for entity P/R)."""
    a = {d.id: d for d in a_docs}
    b = {d.id: d for d in b_docs}
    pairs = []
    res = Agreement(n_a=len(a), n_b=len(b), paired=0)
    for i in sorted(a):
        if i not in b:
            res.only_a.append(i)
        elif a[i].text != b[i].text:
            res.text_differs.append(i)
        else:
            pairs.append((a[i], b[i]))
    res.only_b = sorted(set(b) - set(a))
    res.paired = len(pairs)
    res.blocks = block_agreement(pairs)
    res.entities = entity_agreement(pairs)
    res.metadata = metadata_agreement(pairs)
    return res


def _f(x: float | None) -> str:
    return "   n/a" if x is None else f"{x:6.3f}"


def format_text(r: Agreement) -> str:
    """The agreement report as ``corpus agree`` prints it."""
    lines = [f"pages: A {r.n_a}, B {r.n_b}, paired {r.paired}"]
    for name, ids in (("only in A", r.only_a), ("only in B", r.only_b), ("text differs", r.text_differs)):
        if ids:
            lines.append(f"  {name} ({len(ids)}): {' '.join(ids)}")
    if not r.comparable:
        return "\n".join(lines)
    bl = r.blocks
    lines += [
        f"blocks: {bl['compared']} labelled on both sides, {bl['labelled_one_side']} on one side only",
        f"  kappa (all labels)             {_f(bl['kappa'])}",
        f"  kappa (content vs boilerplate) {_f(bl['content_kappa'])}",
        f"  accuracy (all labels)          {_f(bl['accuracy'])}",
    ]
    en = r.entities
    one_side = f", {en['pages_one_side']} page(s) annotated on one side only" if en["pages_one_side"] else ""
    if en["pages"]:
        lines.append(f"entities (A as reference, {en['pages']} page(s) annotated on both sides{one_side}): "
                     f"A {en['n_a']}, B {en['n_b']}")
        lines += format_entity_table(en)
    else:
        lines.append(f"entities: no page has entity annotations on both sides{one_side}")
    lines.append("metadata (share of equal values where either side sets the field):")
    for k, v in r.metadata.items():
        if v["compared"]:
            lines.append(f"  {k:24} {_f(v['share'])}  ({v['equal']}/{v['compared']})")
    return "\n".join(lines)


def format_json(r: Agreement) -> str:
    return json.dumps(r.as_dict(), ensure_ascii=False, indent=2)
