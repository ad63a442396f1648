"""Corpus statistics, accumulated in one streaming pass (``corpus stats``, dataset card)."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from corpus.model import Document

UNLABELLED = "(unlabelled)"
UNKNOWN = "(unknown)"


@dataclass
class CorpusStats:
    """Counts over a corpus; add documents with :meth:`add`."""

    documents: int = 0
    characters: int = 0
    blocks: int = 0
    entities: int = 0
    block_labels: Counter[str] = field(default_factory=Counter)
    block_label_chars: Counter[str] = field(default_factory=Counter)
    entity_labels: Counter[str] = field(default_factory=Counter)
    entity_label_sets: Counter[str] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)
    source_datasets: Counter[str] = field(default_factory=Counter)
    domains: Counter[str] = field(default_factory=Counter)
    licenses: Counter[str] = field(default_factory=Counter)
    raw_formats: Counter[str] = field(default_factory=Counter)
    normalizers: Counter[str] = field(default_factory=Counter)
    splits: Counter[str] = field(default_factory=Counter)
    layer_status: dict[str, Counter[str]] = field(
        default_factory=lambda: {"blocks": Counter(), "entities": Counter(), "metadata": Counter()}
    )

    def add(self, doc: Document, split: str | None = None) -> None:
        self.documents += 1
        self.characters += len(doc.text)
        self.blocks += len(doc.blocks)
        self.entities += len(doc.entities)
        for b in doc.blocks:
            label = b.label or UNLABELLED
            self.block_labels[label] += 1
            self.block_label_chars[label] += b.end - b.start
        for e in doc.entities:
            self.entity_labels[e.label] += 1
        if doc.entities:
            self.entity_label_sets[doc.annotation.entity_label_set] += 1
        self.languages[doc.metadata.language or UNKNOWN] += 1
        self.source_datasets[doc.source.source_dataset] += 1
        self.domains[doc.source.domain or UNKNOWN] += 1
        self.licenses[doc.source.license or UNKNOWN] += 1
        self.raw_formats[doc.source.raw_format] += 1
        self.normalizers[f"{doc.normalizer.name} {doc.normalizer.version}"] += 1
        self.layer_status["blocks"][doc.annotation.blocks.status] += 1
        self.layer_status["entities"][doc.annotation.entities.status] += 1
        self.layer_status["metadata"][doc.annotation.metadata.status] += 1
        if split is not None:
            self.splits[split] += 1

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form; every counter sorted by count (descending), then key."""

        def c(counter: Counter[str]) -> dict[str, int]:
            return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))

        return {
            "documents": self.documents,
            "characters": self.characters,
            "blocks": self.blocks,
            "entities": self.entities,
            "splits": c(self.splits),
            "block_labels": c(self.block_labels),
            "block_label_chars": c(self.block_label_chars),
            "entity_labels": c(self.entity_labels),
            "entity_label_sets": c(self.entity_label_sets),
            "languages": c(self.languages),
            "source_datasets": c(self.source_datasets),
            "domains": c(self.domains),
            "licenses": c(self.licenses),
            "raw_formats": c(self.raw_formats),
            "normalizers": c(self.normalizers),
            "annotation_status": {k: c(v) for k, v in self.layer_status.items()},
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def format_text(self, *, top: int = 20) -> str:
        """Human-readable tables; at most ``top`` rows per table (``0``: all)."""
        d = self.to_dict()
        lines = [
            f"documents   {d['documents']}",
            f"characters  {d['characters']}",
            f"blocks      {d['blocks']}",
            f"entities    {d['entities']}",
        ]
        sections = [
            ("split", d["splits"]),
            ("block label", d["block_labels"]),
            ("entity label", d["entity_labels"]),
            ("language", d["languages"]),
            ("source dataset", d["source_datasets"]),
            ("domain", d["domains"]),
            ("license", d["licenses"]),
            ("raw format", d["raw_formats"]),
            ("normaliser", d["normalizers"]),
        ]
        sections += [(f"{layer} annotation", v) for layer, v in d["annotation_status"].items()]
        for title, counts in sections:
            if not counts:
                continue
            total = sum(counts.values())
            lines.append("")
            lines.append(f"{title:<32} {'count':>9} {'share':>7}")
            items = list(counts.items())
            shown = items if top <= 0 else items[:top]
            for key, n in shown:
                lines.append(f"  {key:<30} {n:>9} {n / total:>7.1%}")
            if len(shown) < len(items):
                rest = sum(n for _, n in items[len(shown) :])
                lines.append(f"  {f'({len(items) - len(shown)} more)':<30} {rest:>9} {rest / total:>7.1%}")
        return "\n".join(lines)


def corpus_stats(docs: Iterable[Document] | Iterable[tuple[str | None, Document]]) -> CorpusStats:
    """Stats over documents, or over ``(split, document)`` pairs."""
    stats = CorpusStats()
    for item in docs:
        if isinstance(item, tuple):
            split, doc = item
            stats.add(doc, split)
        else:
            stats.add(item)
    return stats


def stats_for_path(path: str | os.PathLike[str]) -> CorpusStats:
    """Stats of a corpus root, documents directory, JSON/JSONL file or built dataset.

    Splits are those of the built dataset, or the ones ``corpus build`` would assign.
    """
    from corpus.dataset.build import iter_built_documents
    from corpus.dataset.splits import assign_split

    paths = resolve(path)
    if paths.built:
        return corpus_stats(iter_built_documents(paths.given))
    return corpus_stats((assign_split(doc), doc) for doc in iter_documents(paths))
