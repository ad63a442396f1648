"""Carry a document's annotations from its old text onto the text a new normaliser gives (pure).

The old and new texts are aligned character by character (:func:`corpus.text.align.align_chars`).
A new block takes the label of the old text it covers; when that text carries several labels the
block takes the one covering most characters (the dominant function, docs/annotation-guidelines.md
§2) and the conflict is reported. A new block no old text aligns with is unlabelled (``lost``), and a
``gold`` block layer then becomes ``projected``. Each entity's first and last characters are mapped;
it keeps its place when both map into one new block and the surface is unchanged, is re-located when
its surface occurs exactly once in the new block its characters map to, and otherwise is reported
``changed`` (kept with the new surface) or ``lost``; either lowers a ``gold`` entity layer to
``projected`` (to be reviewed). Metadata, checks, reference and provenance are kept.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from corpus.migration.report import BlockNote, DocumentReport, EntityNote, RemovedBlock, quote
from corpus.model import Block, Document, Entity, Layer
from corpus.text.align import align_chars
from corpus.text.normalise import NormalisedPage, fold_text

#: ``annotation.*.tool`` of a layer the migration lowered from ``gold``.
MIGRATE_TOOL = "corpus.migration"
#: The status a ``gold`` layer drops to when something could not be carried: to be reviewed.
REVIEW_STATUS = "projected"


def _block_at(starts: list[int], pos: int) -> int:
    return bisect_right(starts, pos) - 1


def _carry_blocks(old: Document, page: NormalisedPage, fwd: list[int], rep: DocumentReport) -> tuple[Block, ...]:
    starts = [b.start for b in old.blocks]
    out = []
    for n, b in enumerate(page.blocks):
        per_block = Counter(_block_at(starts, i) for i in fwd[b.start : b.end] if i >= 0)
        if not per_block:
            out.append(Block(b.start, b.end, None, b.tag, b.xpath))
            rep.blocks_lost += 1
            rep.block_notes.append(BlockNote(n, "lost", None, quote(page.text[b.start : b.end])))
            continue
        shares: Counter[str | None] = Counter()
        for k, chars in per_block.items():
            shares[old.blocks[k].label] += chars
        first = {}
        for k in sorted(per_block):
            first.setdefault(old.blocks[k].label, k)
        label = max(shares, key=lambda lab: (shares[lab], -first[lab]))
        out.append(Block(b.start, b.end, label, b.tag, b.xpath))
        (k,) = per_block if len(per_block) == 1 else (None,)
        same = k is not None and old.block_text(old.blocks[k]) == page.text[b.start : b.end]
        text = quote(page.text[b.start : b.end])
        named = {str(lab): c for lab, c in shares.most_common()}
        if len(shares) > 1:
            rep.blocks_conflict += 1
            rep.block_notes.append(BlockNote(n, "conflict", label, text, named))
        elif same:
            rep.blocks_carried += 1
        else:
            rep.blocks_changed += 1
            rep.block_notes.append(BlockNote(n, "changed", label, text, named))
    covered = Counter(_block_at(starts, i) for i in fwd if i >= 0)
    for k, b in enumerate(old.blocks):
        if k not in covered:
            rep.removed_blocks.append(RemovedBlock(k, b.label, quote(old.block_text(b))))
    return tuple(out)


def _carry_entities(old: Document, page: NormalisedPage, fwd: list[int], rep: DocumentReport) -> tuple[Entity, ...]:
    inv = [-1] * len(old.text)
    for j, i in enumerate(fwd):
        if i >= 0:
            inv[i] = j
    starts = [b.start for b in page.blocks]
    new_text = page.text
    out: list[Entity] = []

    def lost(e: Entity, why: str) -> None:
        rep.entities_lost += 1
        rep.entity_notes.append(EntityNote("lost", e.label, e.text, e.start, e.end, why=why))

    for e in old.entities:
        s, t = inv[e.start], inv[e.end - 1]
        placed: tuple[int, int] | None = None
        if s >= 0 and t >= s and _block_at(starts, s) == _block_at(starts, t):
            placed = (s, t + 1)
        if placed is None or new_text[placed[0] : placed[1]] != e.text:
            placed = _relocate(e, inv, new_text, page.blocks, starts) or placed
        if placed is None:
            mapped = [inv[i] for i in range(e.start, e.end) if inv[i] >= 0]
            lost(e, "no character of it is in the new text" if not mapped
                 else "its characters are no longer in one block" if s >= 0 and t >= 0
                 else "its first or last character is not in the new text")
            continue
        ns, ne = placed
        if out and ns < out[-1].end:
            lost(e, f"it would overlap the entity at [{out[-1].start}, {out[-1].end})")
            continue
        surface = new_text[ns:ne]
        if surface == e.text:
            rep.entities_carried += 1
            if (ns, ne) != (e.start, e.end):
                rep.entities_moved += 1
            out.append(Entity(ns, ne, e.label, e.text))
        else:
            rep.entities_changed += 1
            rep.entity_notes.append(EntityNote("changed", e.label, e.text, e.start, e.end, ns, ne, surface))
            out.append(Entity(ns, ne, e.label, surface))
    return tuple(out)


def _relocate(e: Entity, inv: list[int], text: str, blocks: Sequence[Block], starts: list[int]
              ) -> tuple[int, int] | None:
    """The one occurrence of the entity's surface in the new block its mapped characters fall in."""
    hits = {_block_at(starts, inv[i]) for i in range(e.start, e.end) if inv[i] >= 0}
    if len(hits) != 1:
        return None
    b = blocks[hits.pop()]
    found = text.find(e.text, b.start, b.end)
    if found < 0 or text.find(e.text, found + 1, b.end) >= 0:
        return None
    return found, found + len(e.text)


def _lowered(layer: Layer, name: str, rep: DocumentReport) -> Layer:
    if layer.status != "gold":
        return layer
    rep.status_changes[name] = [layer.status, REVIEW_STATUS]
    return Layer(REVIEW_STATUS, layer.by, MIGRATE_TOOL)


def carry(old: Document, page: NormalisedPage, rep: DocumentReport) -> Document:
    """``old`` re-based on ``page`` (the raw page re-normalised), with ``rep`` filled in.

    ``old`` is at the target schema already (:func:`corpus.migration.schema_upgrade.upgrade_schema`);
    the result records ``page``'s normaliser and encoding.
    """
    rep.from_normalizer = f"{old.normalizer.name} {old.normalizer.version}"
    rep.to_normalizer = f"{page.normalizer.name} {page.normalizer.version}"
    rep.from_encoding, rep.to_encoding = old.source.encoding, page.encoding
    rep.text_changed = old.text != page.text
    rep.blocks_old, rep.blocks_new, rep.entities_old = len(old.blocks), len(page.blocks), len(old.entities)
    fwd = align_chars(old.text, page.text)
    blocks = _carry_blocks(old, page, fwd, rep)
    entities = _carry_entities(old, page, fwd, rep)
    ann = old.annotation
    if rep.blocks_lost:
        ann = replace(ann, blocks=_lowered(ann.blocks, "blocks", rep))
    if rep.entities_changed or rep.entities_lost:
        ann = replace(ann, entities=_lowered(ann.entities, "entities", rep))
    if page.text != old.text:
        folded = None
        for snippet in old.checks.include:
            if snippet not in page.text:
                folded = fold_text(page.text) if folded is None else folded
                if fold_text(snippet) not in folded:
                    rep.checks_missing.append(snippet)
    source = replace(old.source, encoding=page.encoding, encoding_source=page.encoding_source)
    return old.replace(source=source, normalizer=page.normalizer, text=page.text, blocks=blocks,
                       entities=entities, annotation=ann)

