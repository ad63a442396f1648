"""Pre-annotation: a draft document -> block labels, page metadata and silver entities.

:func:`preannotate` is pure: it reads the draft and the page it came from and returns a new
document with the same ``text`` and block offsets, every filled layer marked ``status: "model"``
with the tool that produced it. Layers a person already marked ``gold`` or ``projected`` are kept.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import fields

from corpus.annotate.preannotate.labeller import label_blocks, labeller_tool
from corpus.annotate.preannotate.language import identify_language, langid_version
from corpus.annotate.preannotate.learned import label_blocks_learned, learned_tool
from corpus.annotate.preannotate.metadata import PageMetadata, extract_metadata
from corpus.annotate.preannotate.ner import find_entities, resolve_model
from corpus.errors import ConfigError, DocumentError, MissingDependencyError
from corpus.model import Annotation, Block, Document, Layer, Metadata, domain_of
from corpus.text.normalise import normalise_html_root, parse_html

__all__ = ["LABELLERS", "METADATA_TOOL", "METADATA_VERSION", "PREANNOTATOR_VERSION", "preannotate"]

PREANNOTATOR_VERSION = "1.0.0"
#: Version of the metadata rules (``metadata.py``, ``byline.py``, ``class_words.py``); in ``annotation.metadata.tool``.
METADATA_VERSION = "1.2.0"
METADATA_TOOL = f"corpus-metadata@{METADATA_VERSION}"
_KEEP = frozenset({"gold", "projected"})


#: Block labellers :func:`preannotate` can run: the learned model (default) or the rules with trafilatura.
LABELLERS = ("learned", "rules")


def preannotate(doc: Document, *, html: str | None = None, root=None, elements: Sequence | None = None,
                ner: bool | str = "auto", labeller: str = "learned", features=None) -> Document:
    """Label every block, fill the metadata from the page and (when a model is there) add entities.

    ``html`` is the decoded page (``corpus.text.normalise.decode_raw``) or ``root`` its parsed tree
    (``corpus.text.normalise.parse_html``); give neither for text dumps. ``elements``: the block elements
    :func:`corpus.text.normalise.normalise_html_root` returned for ``root`` when the draft was made from
    that very tree (saves normalising it again; ignored without ``root``). ``ner``: ``"auto"`` (use an
    installed spaCy model for the document's language if there is one), ``True`` (require one),
    ``False`` (off) or a spaCy model name. ``labeller``: ``"learned"`` (the shipped model over
    normaliser v2 blocks, :mod:`corpus.annotate.preannotate.learned`; needs ``html``, else the rules
    run) or ``"rules"`` (:mod:`corpus.annotate.preannotate.labeller`); ``features``: the learned
    labeller's :func:`~corpus.annotate.preannotate.learned.features.page_features` of ``html`` when
    the caller computed them (saves parsing the page again). ``source.url`` is filled from
    the page's canonical link only when the draft has no URL. Never raises on bad markup; a requested
    but missing NER model raises :class:`corpus.errors.ConfigError`.
    """
    if labeller not in LABELLERS:
        raise ConfigError(f"unknown labeller {labeller!r}; choose one of {', '.join(LABELLERS)}")
    learned = labeller == "learned" and html is not None and doc.source.raw_format != "text"
    plain_root = False  # a tree parsed here for the metadata only (plain lxml elements, cheaper to walk)
    if root is None and html is not None:
        try:
            root = parse_html(html, checked=features is not None, plain=learned)  # v2's parse checked it
            plain_root = learned
        except DocumentError:
            root = None
    ann = doc.annotation
    page = extract_metadata(root, url=doc.source.url) if root is not None else PageMetadata(Metadata())

    new_blocks = doc.blocks
    blocks_layer = ann.blocks
    if ann.blocks.status not in _KEEP:
        labels = tool = None
        if learned:
            try:
                labels = label_blocks_learned(doc.text, doc.blocks, html, titles=page.titles, features=features)
                tool = learned_tool()
            except DocumentError:
                labels = None  # markup v2 rejects: the rules label it from the v1 tree or the text
        if labels is None:
            if plain_root:  # the rules read lxml.html elements
                root = parse_html(html, checked=features is not None)
            labels = _rule_labels(doc, html, root, elements, page.titles)
            tool = labeller_tool()
        new_blocks = tuple(Block(b.start, b.end, lab, b.tag, b.xpath) for b, lab in zip(doc.blocks, labels,
                                                                                          strict=True))
        blocks_layer = Layer(status="model", tool=tool)

    metadata = doc.metadata
    metadata_layer = ann.metadata
    language = doc.metadata.language
    source = doc.source
    if ann.metadata.status not in _KEEP:
        metadata, tool = _merge_metadata(doc.metadata, page.metadata, doc.text, new_blocks)
        metadata_layer = Layer(status="model", tool=tool)
        language = metadata.language
        if source.url is None and page.canonical_url:
            source = dataclasses.replace(source, url=page.canonical_url, domain=domain_of(page.canonical_url))

    entities = doc.entities
    entities_layer = ann.entities
    label_set = ann.entity_label_set
    if ann.entities.status not in _KEEP:
        model = resolve_model(ner, language)
        if model is None:
            entities, entities_layer = (), Layer(status="none")
        else:
            entities = find_entities(doc.text, new_blocks, model)
            entities_layer = Layer(status="model", tool=model.tool)
            label_set = "conll4"

    annotation = Annotation(blocks=blocks_layer, entities=entities_layer, metadata=metadata_layer,
                            entity_label_set=label_set, guidelines_version=ann.guidelines_version)
    return doc.replace(source=source, blocks=new_blocks, entities=entities, metadata=metadata,
                       annotation=annotation)


def _rule_labels(doc: Document, html: str | None, root, elements: Sequence | None,
                 titles: Sequence[str]) -> tuple[str, ...]:
    """The rule labeller on the draft's v1 elements (re-normalising ``root`` when none were given)."""
    if root is None or elements is None or len(elements) != len(doc.blocks):
        elements = None
    if root is not None and elements is None:
        try:
            text, blocks, elements = normalise_html_root(root)
        except DocumentError:
            text, blocks, elements = "", (), None
        if text != doc.text or [(b.start, b.end) for b in blocks] != [(b.start, b.end) for b in doc.blocks]:
            elements = None  # the tree is not the one the draft came from: label from the text alone
    return label_blocks(doc.text, doc.blocks, elements, source=(html if html is not None else root)
                        if elements is not None else None, titles=titles)


def _merge_metadata(existing: Metadata, found: Metadata, text: str, blocks: tuple[Block, ...]) -> tuple[Metadata,
                                                                                                        str]:
    """Fields already set on the draft win; the page fills the rest; language falls back to langid."""
    values = {}
    for f in fields(Metadata):
        old, new = getattr(existing, f.name), getattr(found, f.name)
        values[f.name] = old if old not in (None, (), "") else new
    tool = METADATA_TOOL
    if values["language"] is None:
        body = "\n".join(text[b.start : b.end] for b in blocks if b.label == "body")
        try:
            lang = identify_language(body if len(body) >= 200 else text)
        except MissingDependencyError:
            lang = None
        if lang is not None:
            values["language"] = lang
            tool += f"+py3langid-{langid_version()}"
    return Metadata(**values), tool
