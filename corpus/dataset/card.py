"""Dataset card (``README.md`` with the Hub YAML header) and Croissant metadata of a built dataset.

Both are pure functions of the manifest and the corpus statistics, so they are byte-identical on
rebuild (no timestamps).
"""

from __future__ import annotations

import re
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
from corpus.labels import BIO_TAGS, BLOCK_LABELS, CONLL4, VIEWS

CROISSANT_CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}

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


def render_card(manifest: dict[str, Any], stats: CorpusStats, changelog: str | None = None) -> str:
    """The full ``README.md``: YAML header, datasheet sections and changelog."""
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

    parts = [
        "---\n" + head + "---\n",
        f"# {name}\n",
        f"Annotated web pages: one canonical text per page with stand-off block labels (main content vs. "
        f"boilerplate, {len(BLOCK_LABELS)} labels) and named entities (CoNLL-4), with provenance for every "
        f"annotation layer. {stats.documents} documents, {stats.blocks} blocks, {stats.entities} entities "
        f"({split_line}).\n",
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
        "## Motivation\n",
        "The corpus supports training and evaluating main-content extraction (which parts of a web page are "
        "the article) and named-entity recognition on the extracted text, with one schema shared by native "
        "pages and imported public benchmarks so that scores are comparable.\n",
        "## Composition\n",
        f"- documents: {stats.documents}; characters: {stats.characters}; blocks: {stats.blocks}; "
        f"entities: {stats.entities}\n"
        f"- splits (documents): {split_line}\n",
        "### Block labels\n",
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
        f"Licence of the pages, as declared per document (`source.license`); the card's `license` field is "
        f"`{card_license(stats)}`:\n\n" + _table(d["licenses"], "license"),
        f"Split rule: {split_cfg['method']} (seed `{split_cfg['seed']}`). Pages from a public benchmark keep that "
        f"benchmark's own split, or go to `test` when it publishes none, so benchmark test pages are never in "
        f"`train`. Other pages are grouped by site ({split_cfg['group_key']}) and assigned by hashing the group "
        f"key (train {split_cfg['ratios']['train']:.0%}, validation {split_cfg['ratios']['validation']:.0%}, "
        f"test {split_cfg['ratios']['test']:.0%} of sites): no site is in two splits and adding pages never "
        f"moves an existing page. Empty splits are not published. Documents per source and split:\n\n"
        + _source_split_table(stats, list(docs_splits)) + "\n"
        "`MANIFEST.json` lists every shard with its rows, bytes and sha256; `corpus verify` re-checks them. "
        "`croissant.json` carries Croissant 1.0 metadata.\n",
        "## Maintenance\n",
        f"Built with webcorpus {v['package']} (schema {v['schema']}, {v['normaliser']}, datasets {v['datasets']}, "
        f"pyarrow {v['pyarrow']}); input digest `{manifest['input']['sha256']}`. Rebuilding the same input with "
        f"the same versions gives byte-identical files. Report problems through the project's issue tracker; "
        f"contract changes bump the schema version and are listed below.\n",
    ]
    if changelog and changelog.strip():
        body = re.sub(r"^(#+)", r"#\1", changelog.strip(), flags=re.MULTILINE)
        parts += ["## Changelog\n", body + "\n"]
    return "\n".join(parts)


_CR_TYPES = {"string": "sc:Text", "int64": "sc:Integer", "bool": "sc:Boolean"}


def _cr_fields(feats: Any, prefix: str, file_set: str, column_path: list[str]) -> list[dict[str, Any]]:
    from datasets import ClassLabel, List, Value

    out = []
    for name, f in feats.items():
        fid = f"{prefix}/{name}"
        entry: dict[str, Any] = {"@type": "cr:Field", "@id": fid, "name": name}
        inner = f
        if isinstance(f, List):
            entry["repeated"] = True
            inner = f.feature
        if isinstance(inner, ClassLabel):
            entry["dataType"] = "sc:Integer"
            entry["description"] = "class label: " + ", ".join(f"{i}={n}" for i, n in enumerate(inner.names))
        elif isinstance(inner, Value):
            entry["dataType"] = _CR_TYPES.get(inner.dtype, "sc:Text")
        elif isinstance(inner, dict):
            entry["subField"] = _cr_fields(inner, fid, file_set, [*column_path, name])
        source: dict[str, Any] = {"fileSet": {"@id": file_set}}
        if column_path:
            source["extract"] = {"column": column_path[0]}
            source["transform"] = {"jsonPath": ".".join([*column_path[1:], name])}
        else:
            source["extract"] = {"column": name}
        if "subField" not in entry:
            entry["source"] = source
        out.append(entry)
    return out


def render_croissant(manifest: dict[str, Any], stats: CorpusStats) -> dict[str, Any]:
    """Croissant 1.0 metadata (core and RAI) of the built dataset."""
    d = stats.to_dict()
    distribution: list[dict[str, Any]] = [
        {
            "@type": "cr:FileObject",
            "@id": s["path"],
            "name": s["path"],
            "contentUrl": s["path"],
            "contentSize": f"{s['bytes']} B",
            "encodingFormat": "application/x-parquet",
            "sha256": s["sha256"],
        }
        for s in manifest["shards"]
    ]
    record_sets = []
    for c in CONFIGS:
        fs = f"parquet-{c}"
        distribution.append(
            {
                "@type": "cr:FileSet",
                "@id": fs,
                "name": fs,
                "description": f"Parquet shards of the {c} config",
                "encodingFormat": "application/x-parquet",
                "includes": f"data/{c}/*.parquet",
            }
        )
        record_sets.append(
            {
                "@type": "cr:RecordSet",
                "@id": c,
                "name": c,
                "description": CONFIG_DESCRIPTIONS[c],
                "field": _cr_fields(features(c), c, fs, []),
            }
        )
    langs = languages(stats)
    return {
        "@context": CROISSANT_CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": "http://mlcommons.org/croissant/1.0",
        "name": manifest["name"],
        "description": (
            f"Annotated web pages with block labels and named entities: {stats.documents} documents, "
            f"{stats.blocks} blocks, {stats.entities} entities."
        ),
        "license": card_license(stats),
        "version": manifest["versions"]["package"],
        "citeAs": f"{manifest['name']}, built with webcorpus {manifest['versions']['package']}, "
        f"input digest {manifest['input']['sha256']}",
        "inLanguage": langs,
        "keywords": ["web pages", "boilerplate removal", "main content extraction", "named entity recognition"],
        "isLiveDataset": False,
        "distribution": distribution,
        "recordSet": record_sets,
        "rai:dataCollection": (
            "Web pages stored as fetched (raw bytes hashed with sha256) and normalised deterministically; "
            "sources: " + ", ".join(f"{k} ({n})" for k, n in d["source_datasets"].items()) + "."
        ),
        "rai:dataCollectionType": ["Web Scraping", "Secondary Data Analysis"],
        "rai:dataAnnotationProtocol": (
            "Blocks labelled with one of " + ", ".join(BLOCK_LABELS) + "; entities with CoNLL-4 labels "
            "(OntoNotes-18 allowed per document, mapped down in the entities and ner_tokens configs). "
            "Each layer records its provenance (gold, projected, model, none)."
        ),
        "rai:dataAnnotationPlatform": (
            "corpus annotate (plain-text annotation format) and importers of public benchmarks"
        ),
        "rai:annotationsPerItem": "one annotation per layer per page",
        "rai:dataPreprocessingProtocol": (
            "Visible text only, NFC, whitespace folded inside blocks, blocks joined by newlines; normaliser "
            "versions: " + ", ".join(d["normalizers"]) + "."
        ),
        "rai:dataBiases": (
            "Pages come from a limited set of sites and languages (sites: "
            f"{len(d['domains'])}, languages: {', '.join(d['languages'])}); splits are grouped by site, so "
            "scores measure generalisation to unseen sites but reflect the site mix."
        ),
        "rai:dataLimitations": (
            "Block boundaries follow the normaliser's HTML segmentation; pages with an entity layer of status "
            "'none' are excluded from the token view."
        ),
        "rai:personalSensitiveInformation": (
            "Pages are public web pages that name people (entity label PER), including authors and people in "
            "the news; user comments may contain personal data. No other personal data is added."
        ),
        "rai:dataUseCases": "Main-content extraction, block classification and NER: training and evaluation.",
        "rai:dataSocialImpact": "Improves text extraction from the web; the text itself is not redistributable "
        "beyond each page's licence.",
        "rai:dataReleaseMaintenancePlan": (
            "Versioned with the package; schema changes bump the schema version and are listed in the changelog."
        ),
    }
