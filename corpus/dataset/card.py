"""The dataset card (``README.md`` with the Hub YAML header) of a built dataset.

A pure function of the manifest, the corpus statistics and :class:`CardInputs` (change history,
citations of the sources, the labelling-guide example, the plot's file name), so it is byte-identical
on rebuild (the publication date comes from the manifest, never from the clock).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from corpus.dataset.layout import (
    BLOCKS,
    CONFIGS,
    DEFAULT_CONFIG,
    DOCUMENTS,
    ENTITIES,
    ENTITY_CLASS_NAMES,
    NER_TOKENS,
    features,
)
from corpus.dataset.stats import UNKNOWN, CorpusStats
from corpus.labels import BIO_TAGS, BLOCK_LABEL_DEFINITIONS, BLOCK_LABELS, CONLL4, VIEWS

CONFIG_DESCRIPTIONS: dict[str, str] = {
    DOCUMENTS: "one row per page: every schema v1 field, nested block and entity spans, and the derived "
    "views body / article / article_with_comments",
    BLOCKS: "one row per block: document id, block index, offsets, text, block label, tag, xpath, domain",
    ENTITIES: "one row per entity, label mapped to CoNLL-4 (PER, ORG, LOC, MISC); original label kept",
    NER_TOKENS: "token-level NER view: one row per block of pages with an annotated entity layer; tokens "
    "(regex `\\w+|[^\\w\\s]`) and BIO tags",
}

_HUB_LICENSE = re.compile(r"^[a-z0-9][a-z0-9.+-]*$")
_LANG = re.compile(r"^[A-Za-z]{2,3}$")


def size_category(n: int) -> str:
    """The Hub ``size_categories`` bucket of ``n`` examples."""
    bounds = [(1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"),
              (10_000_000, "1M<n<10M"), (100_000_000, "10M<n<100M"), (1_000_000_000, "100M<n<1B")]
    for bound, name in bounds:
        if n < bound:
            return name
    return "1B<n<10B"


def languages(stats: CorpusStats) -> list[str]:
    """Primary language subtags (ISO 639) present in the corpus, sorted."""
    out = set()
    for tag in stats.languages:
        primary = tag.split("-")[0].split("_")[0]
        if tag != UNKNOWN and _LANG.match(primary) and primary.lower() != "und":
            out.add(primary.lower())
    return sorted(out)


def card_license(stats: CorpusStats) -> str:
    """One Hub licence id when every page declares the same one, else ``other``."""
    known = [k for k in stats.licenses if k != UNKNOWN]
    if len(stats.licenses) == 1 and len(known) == 1 and _HUB_LICENSE.match(known[0]):
        return known[0]
    return "other"


def card_data(manifest: dict[str, Any], stats: CorpusStats) -> Any:
    """The card's YAML header as ``huggingface_hub.DatasetCardData``: Hub metadata, ``configs`` and the
    ``dataset_info`` that ``datasets`` writes itself (``DatasetInfosDict.to_dataset_card_data``)."""
    from datasets.info import DatasetInfo, DatasetInfosDict
    from datasets.splits import SplitDict, SplitInfo
    from huggingface_hub import DatasetCardData

    configs = []
    infos = {}
    for c in CONFIGS:
        splits = manifest["configs"][c]["splits"]
        entry: dict[str, Any] = {
            "config_name": c,
            "data_files": [{"split": s, "path": f"data/{c}/{s}-*.parquet"} for s in splits],
        }
        if c == DEFAULT_CONFIG:
            entry["default"] = True
        configs.append(entry)
        split_infos = SplitDict({s: SplitInfo(name=s, num_bytes=v["arrow_bytes"], num_examples=v["num_examples"])
                                 for s, v in splits.items()})
        infos[c] = DatasetInfo(
            config_name=c, features=features(c), splits=split_infos,
            download_size=sum(v["num_bytes"] for v in splits.values()),
            dataset_size=sum(v["arrow_bytes"] for v in splits.values()),
        )
    langs = languages(stats)
    card = DatasetCardData(
        pretty_name=manifest["name"],
        license=card_license(stats),
        language=langs or None,
        multilinguality="multilingual" if len(langs) > 1 else "monolingual",
        task_categories=["token-classification", "text-classification"],
        task_ids=["named-entity-recognition"],
        size_categories=[size_category(stats.documents)],
        tags=["web-pages", "boilerplate-removal", "main-content-extraction", "news", "ner"],
        configs=configs,
    )
    DatasetInfosDict(infos).to_dataset_card_data(card)
    return card


def card_yaml(manifest: dict[str, Any], stats: CorpusStats) -> dict[str, Any]:
    """The YAML header of the dataset card as a plain mapping."""
    return card_data(manifest, stats).to_dict()


def _table(counts: dict[str, int], header: str, top: int = 15) -> str:
    if not counts:
        return "_none_\n"
    total = sum(counts.values())
    lines = [f"| {header} | count | share |", "|---|---:|---:|"]
    items = list(counts.items())
    for key, n in items[:top]:
        lines.append(f"| {_md(key)} | {n} | {n / total:.1%} |")
    if len(items) > top:
        rest = sum(n for _, n in items[top:])
        lines.append(f"| ({len(items) - top} more) | {rest} | {rest / total:.1%} |")
    return "\n".join(lines) + "\n"


def _md(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def _dedup_line(dedup: dict[str, Any] | None) -> str:
    if not dedup or not dedup.get("enabled"):
        return "The build did not deduplicate.\n"
    return (
        f"Deduplicated at build time ({dedup['method']}; threshold {dedup['threshold']}, seed {dedup['seed']}): "
        f"{dedup['dropped_exact']} exact and {dedup['dropped_near']} near duplicates dropped, one copy kept by "
        f"annotation priority; every drop is listed in `{dedup['audit']}`.\n"
    )


def _source_split_table(stats: CorpusStats, splits: list[str]) -> str:
    """Markdown table: one row per ``source.source_dataset``, one column per published split."""
    counts: dict[str, dict[str, int]] = {}
    for key, n in stats.source_splits.items():
        source, _, split = key.rpartition(" / ")
        counts.setdefault(source, {})[split] = n
    rows = ["| source | " + " | ".join(splits) + " |", "|---|" + "---:|" * len(splits)]
    for source in sorted(counts):
        rows.append(f"| {source} | " + " | ".join(str(counts[source].get(sp, 0)) for sp in splits) + " |")
    return "\n".join(rows) + "\n"


#: The seed page of the bundled corpus (``data/``), the worked example of the annotation guidelines
#: (docs/annotation-guidelines.md §7); the card's labelling guide shows it when the corpus holds it.
GUIDE_EXAMPLE_ID = "2a651a9cacbfdf27"
#: Most blocks of the example document shown in the labelling guide, and characters per block text.
_EXAMPLE_BLOCKS = 40
_EXAMPLE_CHARS = 90
_NATIVE = "native"


@dataclass(frozen=True, slots=True)
class CardInputs:
    """What the card shows besides the manifest and statistics (each optional)."""

    changelog: str | None = None  # the dataset's own change history (``CHANGELOG.md`` of the corpus root)
    citations: Mapping[str, str] = field(default_factory=dict)  # source_dataset -> how to cite it
    example: tuple[str, list[tuple[str, str | None]]] | None = None  # (id, [(block text, label)])
    plot: str | None = None  # file name of the label plot in the published directory
    plot_missing: str = ""  # why there is no plot


def _split_source(source: str) -> str:
    """The importer that made ``source`` (``wceb/cleaneval`` -> ``wceb``)."""
    return source.split("/", 1)[0]


def _source_language_table(stats: CorpusStats, splits: list[str]) -> str:
    """Documents per source × language (rows) and split (columns)."""
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for key, n in stats.source_split_languages.items():
        source, split, language = key.split(" / ")
        counts.setdefault((source, language), {})[split] = n
    rows = ["| source | language | " + " | ".join(splits) + " | total |", "|---|---|" + "---:|" * (len(splits) + 1)]
    for (source, language), per in sorted(counts.items()):
        cells = " | ".join(str(per.get(sp, 0)) for sp in splits)
        rows.append(f"| {_md(source)} | {_md(language)} | {cells} | {sum(per.values())} |")
    return "\n".join(rows) + "\n"


def _licence_table(stats: CorpusStats) -> str:
    """One row per (source, declared licence), with the number of documents."""
    rows = ["| source | licence (`source.license`) | documents |", "|---|---|---:|"]
    for key, n in sorted(stats.source_licenses.items()):
        source, _, licence = key.partition(" / ")
        shown = "not declared: all rights stay with the publisher" if licence == UNKNOWN else f"`{licence}`"
        rows.append(f"| {_md(source)} | {shown} | {n} |")
    return "\n".join(rows) + "\n"


def draft_layers(stats: CorpusStats) -> list[str]:
    """Every layer with model drafts (not checked by a person): ``"blocks of 3 of 14 documents"``."""
    return [f"{layer} of {counts['model']} of {stats.documents} documents"
            for layer, counts in stats.layer_status.items() if counts.get("model", 0)]


def _draft_warning(stats: CorpusStats) -> str:
    """A warning naming every layer with model drafts (not checked by a person), or ''."""
    parts = draft_layers(stats)
    if not parts:
        return ""
    return (
        "> **Warning: model drafts.** The " + "; ".join(parts) + " are model output (`annotation.<layer>.status` "
        "is `model`): they were drafted by a labeller or NER model and not checked by a person. Filter on the "
        "status before training or scoring against them as gold.\n"
    )


def _guide(example: tuple[str, list[tuple[str, str | None]]] | None) -> str:
    lines = [
        "Each block of a page's text gets one label; the content labels form the views. The full rules, "
        "decision order for ambiguous blocks and entity conventions are in the project's annotation "
        "guidelines (`docs/annotation-guidelines.md`, version recorded per document in "
        "`annotation.guidelines_version`).\n",
        "| label | on news pages | content view |",
        "|---|---|---|",
    ]
    for label in BLOCK_LABELS:
        views = [k for k, x in VIEWS.items() if label in x]
        lines.append(f"| `{label}` | {BLOCK_LABEL_DEFINITIONS[label]} | {', '.join(views) or '—'} |")
    lines.append(
        "\nEntities: CoNLL-4 (`PER`, `ORG`, `LOC`, `MISC`) in title, byline, body and caption blocks only; "
        "dates and numbers are not entities; a span never crosses a block.\n"
    )
    if example is None:
        return "\n".join(lines)
    doc_id, blocks = example
    seed = ""
    if doc_id == GUIDE_EXAMPLE_ID:
        seed = " (the seed page of the bundled corpus, the guidelines' worked example)"
    lines += [f"### Example: document `{doc_id}`{seed}\n", "| # | block text | label |", "|---:|---|---|"]
    for k, (text, label) in enumerate(blocks[:_EXAMPLE_BLOCKS]):
        short = text if len(text) <= _EXAMPLE_CHARS else text[: _EXAMPLE_CHARS - 1].rstrip() + "…"
        lines.append(f"| {k} | {_md(short)} | {'`' + label + '`' if label else '_(none)_'} |")
    if len(blocks) > _EXAMPLE_BLOCKS:
        lines.append(f"| … | ({len(blocks) - _EXAMPLE_BLOCKS} more blocks) | |")
    return "\n".join(lines) + "\n"


def _citation(manifest: dict[str, Any], stats: CorpusStats, citations: Mapping[str, str]) -> str:
    name, version = manifest["name"], manifest["versions"]["package"]
    key = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_") or "dataset"
    year = str(manifest["date_published"])[:4]
    lines = [
        "Cite this dataset as:\n",
        "```bibtex",
        f"@misc{{{key}_{manifest['input']['sha256'][:8]},",
        f"  title  = {{{{{name}}}: annotated web pages with block labels and named entities}},",
        f"  year   = {{{year}}},",
        f"  note   = {{Built with webcorpus {version}, input digest {manifest['input']['sha256']}}},",
        "}",
        "```\n",
    ]
    sources = sorted(stats.source_datasets)
    others = [s for s in sources if s != _NATIVE]
    if others:
        lines.append("Pages imported from public benchmarks: cite the benchmark too.\n")
        lines += ["| source | documents | how to cite |", "|---|---:|---|"]
        for s in others:
            cite = citations.get(s) or citations.get(_split_source(s)) or "_not recorded_"
            lines.append(f"| {_md(s)} | {stats.source_datasets[s]} | {_md(cite)} |")
        lines.append("")
    if _NATIVE in stats.source_datasets:
        lines.append(
            f"`{_NATIVE}` pages ({stats.source_datasets[_NATIVE]}) were collected for this corpus; cite this "
            "dataset for them. Their text stays under the licence recorded per page (see Distribution).\n"
        )
    return "\n".join(lines)


def _changelog(changelog: str | None, manifest: dict[str, Any]) -> str:
    """The dataset's own change history, its headings nested under the card's "Changelog"."""
    text = (changelog or "").strip()
    if text:
        lines = text.splitlines()
        if lines[0].startswith("# "):  # the file's own title: the card's heading replaces it
            text = "\n".join(lines[1:]).strip()
        return re.sub(r"^(#+)", r"##\1", text, flags=re.MULTILINE) + "\n"
    return (
        "No change history was recorded with this corpus (a `CHANGELOG.md` in the corpus root is shown here). "
        f"This build: {manifest['input']['documents']} documents, input digest `{manifest['input']['sha256']}`.\n"
    )


def render_card(manifest: dict[str, Any], stats: CorpusStats, inputs: CardInputs | None = None) -> str:
    """The full ``README.md``: YAML header, datasheet sections, labelling guide, citation, changelog."""
    inputs = inputs or CardInputs()
    d = stats.to_dict()
    head = card_data(manifest, stats).to_yaml().rstrip("\n") + "\n"
    name = manifest["name"]
    v = manifest["versions"]
    split_cfg = manifest["split"]
    docs_splits = manifest["configs"][DOCUMENTS]["splits"]
    split_line = ", ".join(f"{s}: {x['num_examples']}" for s, x in docs_splits.items())
    rows_table = [
        "| config | " + " | ".join(docs_splits) + " | contents |",
        "|---|" + "---:|" * len(docs_splits) + "---|",
    ]
    for c in CONFIGS:
        sp = manifest["configs"][c]["splits"]
        cells = " | ".join(str(sp.get(s, {}).get("num_examples", 0)) for s in docs_splits)
        rows_table.append(f"| `{c}` | {cells} | {_md(CONFIG_DESCRIPTIONS[c])} |")
    dropped = manifest["input"]["dropped"]
    dropped_line = (
        "No document was dropped by the build filters."
        if not dropped
        else "Documents dropped by the build filters: " + ", ".join(f"{k}: {n}" for k, n in dropped.items()) + "."
    )
    status = d["annotation_status"]

    def status_line(layer: str) -> str:
        return ", ".join(f"{k}: {n}" for k, n in status[layer].items()) or "none"

    plot = (
        f"![Blocks per label]({inputs.plot})\n"
        if inputs.plot
        else f"_No plot of the label distribution: {inputs.plot_missing or 'not drawn'}._\n"
    )
    parts = [
        "---\n" + head + "---\n",
        f"# {name}\n",
        f"Annotated web pages: one canonical text per page with stand-off block labels (main content vs. "
        f"boilerplate, {len(BLOCK_LABELS)} labels) and named entities (CoNLL-4), with provenance for every "
        f"annotation layer. {stats.documents} documents, {stats.blocks} blocks, {stats.entities} entities "
        f"({split_line}). Published {manifest['date_published']}.\n",
    ]
    warning = _draft_warning(stats)
    if warning:
        parts.append(warning)
    parts += [
        "## Loading\n",
        "```python\nfrom datasets import load_dataset\n\n"
        "docs = load_dataset(\"path/to/this/directory\")               # default config: documents\n"
        "blocks = load_dataset(\"path/to/this/directory\", \"blocks\")\n"
        "ner = load_dataset(\"path/to/this/directory\", \"ner_tokens\")\n"
        "label_names = ner[\"train\"].features[\"ner_tags\"].feature.names\n```\n",
        "## Configs\n",
        "\n".join(rows_table) + "\n",
        f"Block labels (ClassLabel order): {', '.join(BLOCK_LABELS)}; a block that is not annotated has "
        f"label `-1`. Entity labels in `documents`: {', '.join(ENTITY_CLASS_NAMES)} (CoNLL-4 first; the "
        f"OntoNotes-18 names appear only in documents whose `annotation.entity_label_set` is `ontonotes18`). "
        f"`entities.label`: {', '.join(CONLL4)}. `ner_tokens.ner_tags`: {', '.join(BIO_TAGS)}. Views: "
        + "; ".join(f"`{k}` = blocks labelled {', '.join(b for b in BLOCK_LABELS if b in x)}" for k, x in VIEWS.items())
        + ", joined by a newline.\n",
        "## Labelling guide\n",
        _guide(inputs.example),
        "## Motivation\n",
        "The corpus supports training and evaluating main-content extraction (which parts of a web page are "
        "the article) and named-entity recognition on the extracted text, with one schema shared by native "
        "pages and imported public benchmarks so that scores are comparable.\n",
        "## Composition\n",
        f"- documents: {stats.documents}; characters: {stats.characters}; blocks: {stats.blocks}; "
        f"entities: {stats.entities}\n"
        f"- splits (documents): {split_line}\n",
        "Documents per source, language and split:\n",
        _source_language_table(stats, list(docs_splits)),
        "### Block labels\n",
        plot,
        _table(d["block_labels"], "label"),
        "### Entity labels\n",
        _table(d["entity_labels"], "label"),
        "### Languages\n",
        _table(d["languages"], "language"),
        "### Source datasets\n",
        _table(d["source_datasets"], "source dataset"),
        "### Sites\n",
        _table(d["domains"], "domain"),
        "## Collection process\n",
        "Pages are stored exactly as fetched (raw HTML, page dumps or WARC records); each document records its "
        "URL, crawl date, source dataset and the sha256 of the raw bytes, from which its id is derived. "
        "Annotation provenance per layer (gold / projected / model / none):\n\n"
        f"- blocks: {status_line('blocks')}\n- entities: {status_line('entities')}\n"
        f"- metadata: {status_line('metadata')}\n",
        _table(d["raw_formats"], "raw format"),
        "## Preprocessing / normalisation\n",
        "The text of each page is produced by a deterministic, versioned normaliser (visible text only, NFC, "
        "whitespace folded inside blocks, blocks joined by a newline). Every offset is a half-open range of "
        "Unicode code points into that text.\n",
        _table(d["normalizers"], "normaliser"),
        f"{dropped_line}\n",
        _dedup_line(manifest.get("dedup")),
        "## Uses\n",
        "Training and evaluating boilerplate removal / main-content extraction (`documents` views, `blocks`), "
        "block classification (`blocks`) and NER (`entities`, `ner_tokens`). The token view is a convenience: "
        "the span annotations in `documents` are authoritative. Not suitable for inferring anything about the "
        "people named in the pages.\n",
        "## Distribution\n",
        "The sources differ in licence; each document declares its own (`source.license`), and that licence "
        f"governs the page's text. The card's `license` field is `{card_license(stats)}` "
        "(one id only when every page declares the same one). Licences per source:\n",
        _licence_table(stats),
        f"Split rule: {split_cfg['method']} (seed `{split_cfg['seed']}`). Pages from a public benchmark keep that "
        f"benchmark's own split, or go to `test` when it publishes none, so benchmark test pages are never in "
        f"`train`. Other pages are grouped by site ({split_cfg['group_key']}) and assigned by hashing the group "
        f"key (train {split_cfg['ratios']['train']:.0%}, validation {split_cfg['ratios']['validation']:.0%}, "
        f"test {split_cfg['ratios']['test']:.0%} of sites): no site is in two splits and adding pages never "
        f"moves an existing page. Empty splits are not published. Documents per source and split:\n\n"
        + _source_split_table(stats, list(docs_splits)) + "\n"
        "`MANIFEST.json` lists every file with its bytes and sha256; `corpus verify` re-checks them. "
        "`croissant.json` carries Croissant 1.0 metadata.\n",
        "## Citation\n",
        _citation(manifest, stats, inputs.citations),
        "## Maintenance\n",
        f"Built with webcorpus {v['package']} (schema {v['schema']}, {v['normaliser']}, datasets {v['datasets']}, "
        f"pyarrow {v['pyarrow']}); input digest `{manifest['input']['sha256']}`. Rebuilding the same input with "
        f"the same versions gives byte-identical files. Report problems through the project's issue tracker.\n",
        "## Changelog\n",
        _changelog(inputs.changelog, manifest),
    ]
    return "\n".join(parts)
