"""The migration report: per document, what was carried, changed and lost (JSON and a human summary)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

#: How much of a block's or entity's text the report quotes.
QUOTE_CHARS = 80


def _js(s: str | None) -> str:
    return json.dumps(s, ensure_ascii=False)


def quote(s: str) -> str:
    """``s`` shortened to :data:`QUOTE_CHARS` characters for the report."""
    return s if len(s) <= QUOTE_CHARS else s[: QUOTE_CHARS - 1] + "…"


@dataclass(frozen=True, slots=True)
class BlockNote:
    """A new block whose label was not a plain copy of one old block's.

    ``outcome``: ``changed`` (one label, but the block's text or extent differs from every old block),
    ``conflict`` (the old text it covers carries several labels; ``label`` is the one covering most
    characters, ``shares`` the characters per label) or ``lost`` (no old text aligns with it:
    unlabelled).
    """

    block: int
    outcome: str
    label: str | None
    text: str
    shares: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RemovedBlock:
    """An old block none of whose text is in the new text (the new normaliser drops it)."""

    block: int
    label: str | None
    text: str


@dataclass(frozen=True, slots=True)
class EntityNote:
    """An old entity that moved (``moved``: same surface, new offsets), whose surface changed
    (``changed``) or that could not be placed (``lost``, with ``why``)."""

    outcome: str
    label: str
    text: str
    old_start: int
    old_end: int
    start: int | None = None
    end: int | None = None
    new_text: str | None = None
    why: str | None = None


@dataclass(slots=True)
class DocumentReport:
    """What migrating one document did. ``error`` is set (and nothing else) when it could not be migrated."""

    id: str
    file: str
    from_normalizer: str = ""
    to_normalizer: str = ""
    from_schema: str = ""
    to_schema: str = ""
    schema_steps: list[str] = field(default_factory=list)
    from_encoding: str | None = None
    to_encoding: str | None = None
    text_changed: bool = False
    blocks_old: int = 0
    blocks_new: int = 0
    blocks_carried: int = 0
    blocks_changed: int = 0
    blocks_conflict: int = 0
    blocks_lost: int = 0
    entities_old: int = 0
    entities_carried: int = 0
    entities_moved: int = 0
    entities_changed: int = 0
    entities_lost: int = 0
    #: layer -> [old status, new status], for the layers whose status the migration lowered
    status_changes: dict[str, list[str]] = field(default_factory=dict)
    checks_missing: list[str] = field(default_factory=list)
    block_notes: list[BlockNote] = field(default_factory=list)
    removed_blocks: list[RemovedBlock] = field(default_factory=list)
    entity_notes: list[EntityNote] = field(default_factory=list)
    error: dict[str, str] | None = None

    @property
    def changed(self) -> bool:
        """The migrated document differs from the input in anything but nothing at all."""
        return self.error is None and (
            self.text_changed or bool(self.schema_steps) or self.from_schema != self.to_schema
            or self.from_normalizer != self.to_normalizer or self.from_encoding != self.to_encoding
        )

    @property
    def needs_review(self) -> bool:
        """Something could not be carried as it was: a person should look (the exit code is 1)."""
        return self.error is not None or bool(
            self.blocks_conflict or self.blocks_lost or self.entities_changed or self.entities_lost
            or self.status_changes or self.checks_missing or self.removed_blocks
        )

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["needs_review"] = self.needs_review
        return d

    def summary_line(self) -> str:
        if self.error is not None:
            return f"{self.id} {self.file}: NOT MIGRATED [{self.error['reason']}] {self.error['message']}"
        parts = [
            f"{self.id}: {self.from_normalizer} -> {self.to_normalizer}, schema {self.from_schema} -> {self.to_schema}",
            f"blocks {self.blocks_old} -> {self.blocks_new} (carried {self.blocks_carried}, changed "
            f"{self.blocks_changed}, conflict {self.blocks_conflict}, lost {self.blocks_lost}, old blocks removed "
            f"{len(self.removed_blocks)})",
            f"entities {self.entities_old} (carried {self.entities_carried}, of which moved {self.entities_moved}; "
            f"changed {self.entities_changed}, lost {self.entities_lost})",
        ]
        if self.from_encoding != self.to_encoding:
            parts.append(f"encoding {self.from_encoding} -> {self.to_encoding}")
        for layer, (a, b) in self.status_changes.items():
            parts.append(f"{layer} layer {a} -> {b}")
        if self.checks_missing:
            parts.append(f"{len(self.checks_missing)} checks.include snippet(s) no longer in text")
        return "; ".join(parts)

    def detail_lines(self) -> list[str]:
        out = []
        for n in self.block_notes:
            shares = ", ".join(f"{k} {v}" for k, v in n.shares.items())
            out.append(f"  block {n.block} {n.outcome}: {n.label} ({shares}) {_js(n.text)}")
        for r in self.removed_blocks:
            out.append(f"  old block {r.block} removed: {r.label} {_js(r.text)}")
        for e in self.entity_notes:
            if e.outcome == "lost":
                out.append(f"  entity {e.label} {_js(e.text)} [{e.old_start}, {e.old_end}) "
                           f"lost: {e.why}")
            elif e.outcome == "changed":
                out.append(f"  entity {e.label} {_js(e.text)} changed to "
                           f"{_js(e.new_text)} at [{e.start}, {e.end})")
        out.extend(f"  checks.include no longer found: {_js(s)}" for s in self.checks_missing)
        return out


@dataclass(slots=True)
class MigrationReport:
    """The whole run: the target versions, one :class:`DocumentReport` per document, where files went."""

    normaliser: str
    normalizer_version: str
    schema_version: str
    documents: list[DocumentReport] = field(default_factory=list)
    out: str | None = None
    in_place: bool = False
    written: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[DocumentReport]:
        return [d for d in self.documents if d.error is not None]

    @property
    def ok(self) -> bool:
        """Every document migrated and nothing needs review."""
        return not any(d.needs_review for d in self.documents)

    def totals(self) -> dict[str, int]:
        keys = ("blocks_old", "blocks_new", "blocks_carried", "blocks_changed", "blocks_conflict", "blocks_lost",
                "entities_old", "entities_carried", "entities_moved", "entities_changed", "entities_lost")
        done = [d for d in self.documents if d.error is None]
        t = {k: sum(getattr(d, k) for d in done) for k in keys}
        t["old_blocks_removed"] = sum(len(d.removed_blocks) for d in done)
        t["documents"] = len(self.documents)
        t["migrated"] = len(done)
        t["failed"] = len(self.documents) - len(done)
        t["changed"] = sum(d.changed for d in done)
        t["needs_review"] = sum(d.needs_review for d in self.documents)
        return t

    def as_dict(self) -> dict[str, Any]:
        return {
            "normaliser": self.normaliser,
            "normalizer_version": self.normalizer_version,
            "schema_version": self.schema_version,
            "out": self.out,
            "in_place": self.in_place,
            "totals": self.totals(),
            "documents": [d.as_dict() for d in self.documents],
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, ensure_ascii=False) + "\n"

    def summary(self) -> str:
        """The human summary: totals, then one line per document and the items to review."""
        lines = self._totals_lines()
        for d in self.documents:
            lines.append(d.summary_line())
            lines.extend(d.detail_lines())
        return "\n".join(lines) + "\n"

    def brief(self) -> str:
        """The terminal summary: totals and the first documents that need review, a few details each."""
        from corpus.limits import MIGRATE_SHOWN_DETAILS, MIGRATE_SHOWN_DOCUMENTS

        lines = self._totals_lines()
        review = [d for d in self.documents if d.needs_review]
        for d in review[:MIGRATE_SHOWN_DOCUMENTS]:
            details = d.detail_lines()
            lines += [f"needs review: {d.summary_line()}", *details[:MIGRATE_SHOWN_DETAILS]]
            if len(details) > MIGRATE_SHOWN_DETAILS:
                lines.append(f"  ... {len(details) - MIGRATE_SHOWN_DETAILS} more in the report")
        if len(review) > MIGRATE_SHOWN_DOCUMENTS:
            lines.append(f"... {len(review) - MIGRATE_SHOWN_DOCUMENTS} more documents need review (see the report)")
        return "\n".join(lines) + "\n"

    def _totals_lines(self) -> list[str]:
        t = self.totals()
        return [
            f"migrated {t['migrated']} of {t['documents']} document(s) to normaliser {self.normaliser} "
            f"({self.normalizer_version}), schema {self.schema_version}; {t['changed']} changed, "
            f"{t['needs_review']} need review, {t['failed']} failed",
            f"blocks {t['blocks_old']} -> {t['blocks_new']}: carried {t['blocks_carried']}, changed "
            f"{t['blocks_changed']}, conflict {t['blocks_conflict']}, lost {t['blocks_lost']}; old blocks removed "
            f"{t['old_blocks_removed']}",
            f"entities {t['entities_old']}: carried {t['entities_carried']} (moved {t['entities_moved']}), changed "
            f"{t['entities_changed']}, lost {t['entities_lost']}",
        ]
