"""Corpus statistics, accumulated in one streaming pass (``corpus stats``, dataset card)."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from corpus.dataset.records import Record, layer_status, record_of_document
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
    source_splits: Counter[str] = field(default_factory=Counter)  # "<source_dataset> / <split>"
    # "<source_dataset> / <split> / <language>"
    source_split_languages: Counter[str] = field(default_factory=Counter)
    source_licenses: Counter[str] = field(default_factory=Counter)  # "<source_dataset> / <license>"
    latest_crawl_date: str = ""  # the newest ``source.crawl_date`` (ISO 8601 date part), "" when none
    layer_status: dict[str, Counter[str]] = field(
        default_factory=lambda: {"blocks": Counter(), "entities": Counter(), "metadata": Counter()}
    )

    def add(self, doc: Document, split: str | None = None) -> None:
        """Count one document (and its split, when given)."""
        self.add_record(record_of_document(doc), split)

    def add_record(self, r: Record, split: str | None = None) -> None:
        """Count one document given as its build record (the one implementation of the counts)."""
        self.documents += 1
        self.characters += len(r.text)
        self.blocks += len(r.starts)
        self.entities += len(r.e_labels)
        labels, chars = self.block_labels, self.block_label_chars
        for label, s, e in zip(r.labels, r.starts, r.ends, strict=True):
            label = label or UNLABELLED
            labels[label] += 1
            chars[label] += e - s
        self.entity_labels.update(r.e_labels)
        if r.e_labels:
            self.entity_label_sets[r.label_set] += 1
        src = r.source
        language = r.metadata.get("language") or UNKNOWN
        source = src.get("source_dataset", "native")
        license = src.get("license") or UNKNOWN
        self.languages[language] += 1
        self.source_datasets[source] += 1
        self.domains[src.get("domain") or UNKNOWN] += 1
        self.licenses[license] += 1
        self.source_licenses[f"{source} / {license}"] += 1
        crawled = (src.get("crawl_date") or "")[:10]
        if crawled > self.latest_crawl_date:
            self.latest_crawl_date = crawled
        self.raw_formats[src.get("raw_format", "html")] += 1
        self.normalizers[f"{r.normalizer[0]} {r.normalizer[1]}"] += 1
        for name, layer in zip(("blocks", "entities", "metadata"), r.layers, strict=True):
            self.layer_status[name][layer_status(layer)] += 1
        if split is not None:
            self.splits[split] += 1
            self.source_splits[f"{source} / {split}"] += 1
            self.source_split_languages[f"{source} / {split} / {language}"] += 1

    def merge(self, other: CorpusStats) -> None:
        """Add ``other``'s counts (statistics are sums: order does not matter)."""
        for f in dataclasses.fields(CorpusStats):
            a, b = getattr(self, f.name), getattr(other, f.name)
            if isinstance(a, Counter):
                a.update(b)
            elif isinstance(a, dict):
                for k, v in b.items():
                    a.setdefault(k, Counter()).update(v)
            elif isinstance(a, str):
                setattr(self, f.name, max(a, b))
            else:
                setattr(self, f.name, a + b)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form; every counter sorted by count (descending), then key."""

        def c(counter: Counter[str]) -> dict[str, int]:
            return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))

        return {
            "documents": self.documents,
            "characters": self.characters,
            "blocks": self.blocks,
            "entities": self.entities,
            "latest_crawl_date": self.latest_crawl_date or None,
            "splits": c(self.splits),
            "source_splits": c(self.source_splits),
            "source_split_languages": c(self.source_split_languages),
            "source_licenses": c(self.source_licenses),
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
