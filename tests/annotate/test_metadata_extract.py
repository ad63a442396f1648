"""Page metadata from JSON-LD, OpenGraph, <meta>, <title>, <html lang> and the canonical link."""

from __future__ import annotations

import pytest

from corpus.annotate.preannotate.metadata import extract_metadata, normalise_date
from corpus.text.normalise import parse_html


def _meta(head: str, body: str = "<p>text</p>", html_attrs: str = ""):
    return extract_metadata(parse_html(f"<html{html_attrs}><head>{head}</head><body>{body}</body></html>"))


def _ld(payload: str) -> str:
    return f'<script type="application/ld+json">{payload}</script>'


def test_jsonld_news_article() -> None:
    page = _meta(_ld("""{
      "@context": "https://schema.org", "@type": "NewsArticle",
      "headline": "Council approves tram extension",
      "author": [{"@type": "Person", "name": "Jane Doe"}, "John Roe"],
      "datePublished": "2024-03-12T08:30:00+01:00", "dateModified": "2024-03-12T10:00:00Z",
      "publisher": {"@type": "Organization", "name": "The Daily Example"},
      "articleSection": "Local", "description": "The tram reaches the north.",
      "keywords": "trams, transport, city council", "inLanguage": "en_GB",
      "isAccessibleForFree": "False"
    }"""))
    md = page.metadata
    assert md.title == "Council approves tram extension"
    assert md.authors == ("Jane Doe", "John Roe")
    assert md.date_published == "2024-03-12T08:30:00+01:00"
    assert md.date_modified == "2024-03-12T10:00:00Z"
    assert md.publisher == "The Daily Example"
    assert md.section == "Local"
    assert md.categories == ("Local",)
    assert md.description == "The tram reaches the north."
    assert md.tags == ("trams", "transport", "city council")
    assert md.language == "en-GB"
    assert md.is_accessible_for_free is False
    assert page.declared_language


def test_jsonld_graph_and_arrays() -> None:
    graph = _ld("""{"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "Example News", "inLanguage": "de-DE"},
        {"@type": "WebPage", "name": "Page name"},
        {"@type": ["ReportageNewsArticle", "Article"], "headline": "Schlagzeile",
         "author": {"@type": "Person", "name": ["Erika Mustermann"]},
         "datePublished": "2023-01-05", "articleSection": ["Politik", "Inland"],
         "keywords": ["Wahl", "Bund"], "isAccessibleForFree": true}
    ]}""")
    md = _meta(graph).metadata
    assert md.title == "Schlagzeile"
    assert md.authors == ("Erika Mustermann",)
    assert md.date_published == "2023-01-05"
    assert md.section == "Politik"
    assert md.categories == ("Politik", "Inland")
    assert md.tags == ("Wahl", "Bund")
    assert md.site_name == "Example News"
    assert md.language == "de-DE"
    assert md.is_accessible_for_free is True


def test_jsonld_top_level_array_and_blog_posting() -> None:
    md = _meta(_ld("""[{"@type": "BreadcrumbList", "itemListElement": []},
                       {"@type": "BlogPosting", "name": "A post", "author": "Ann Author",
                        "publisher": "Blog Inc"}]""")).metadata
    assert md.title == "A post"
    assert md.authors == ("Ann Author",)
    assert md.publisher == "Blog Inc"


def test_opengraph_and_article_meta() -> None:
    head = """
    <meta property="og:title" content="OG headline">
    <meta property="og:site_name" content="OG Site">
    <meta property="og:description" content="OG description">
    <meta property="og:locale" content="fr_FR">
    <meta property="article:published_time" content="2022-11-29T07:00:00+0100">
    <meta property="article:modified_time" content="2022-11-30">
    <meta property="article:section" content="Économie">
    <meta property="article:tag" content="énergie">
    <meta property="article:tag" content="prix">
    <meta property="article:author" content="https://example.org/authors/x">
    <title>Title tag | OG Site</title>"""
    md = _meta(head).metadata
    assert md.title == "OG headline"
    assert md.site_name == "OG Site"
    assert md.description == "OG description"
    assert md.language == "fr-FR"
    assert md.date_published == "2022-11-29T07:00:00+01:00"
    assert md.date_modified == "2022-11-30"
    assert md.section == "Économie"
    assert md.tags == ("énergie", "prix")
    assert md.authors == ()  # an author URL is not a name


def test_plain_meta_title_and_html_lang() -> None:
    head = """<title> Plain  title </title>
    <meta name="author" content="Max Mustermann">
    <meta name="date" content="31.05.2012">
    <meta name="description" content="Beschreibung">
    <meta name="keywords" content="eins; zwei">"""
    md = _meta(head, html_attrs=' lang="DE-at"').metadata
    assert md.title == "Plain title"
    assert md.authors == ("Max Mustermann",)
    assert md.date_published == "2012-05-31"
    assert md.description == "Beschreibung"
    assert md.tags == ("eins", "zwei")
    assert md.language == "de-AT"


def test_jsonld_wins_over_meta() -> None:
    head = _ld('{"@type": "NewsArticle", "headline": "From JSON-LD"}') + '<meta property="og:title" content="From OG">'
    page = _meta(head)
    assert page.metadata.title == "From JSON-LD"
    assert set(page.titles) >= {"From JSON-LD", "From OG"}


def test_missing_everything() -> None:
    page = _meta("", "<div>nothing declared here</div>")
    md = page.metadata
    assert md.title is None and md.authors == () and md.date_published is None and md.language is None
    assert page.canonical_url is None
    assert not page.declared_language
    assert extract_metadata(None).metadata == md


@pytest.mark.parametrize(
    "payload",
    [
        '{"@type": "NewsArticle", "headline": ',  # truncated
        "not json at all",
        '{"@type": "NewsArticle", "headline": "Trailing", }',  # trailing comma: repaired
        "[" * 5000 + "]" * 5000,  # deep nesting
        '{"@type": 42, "author": {"name": {"name": null}}, "datePublished": "yesterday"}',
        '{"@type": "NewsArticle", "headline": ["A", "B"], "author": [[["Deep"]]], "keywords": 7}',
        "",
    ],
)
def test_broken_jsonld_never_raises(payload: str) -> None:
    head = _ld(payload) + '<meta property="og:site_name" content="Still read">'
    page = _meta(head)
    assert page.metadata.site_name == "Still read"
    if "Trailing" in payload:
        assert page.metadata.title == "Trailing"


def test_canonical_link() -> None:
    page = _meta('<link rel="canonical" href="https://example.org/a/b">')
    assert page.canonical_url == "https://example.org/a/b"
    assert _meta('<link rel="canonical" href="/relative">').canonical_url is None


def test_time_element_date() -> None:
    md = _meta("", '<time itemprop="datePublished" datetime="2021-07-01T12:00">1 July</time>').metadata
    assert md.date_published == "2021-07-01T12:00:00"


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2024-03-12", "2024-03-12"),
        ("2024-03-12T08:30:00+01:00", "2024-03-12T08:30:00+01:00"),
        ("2024-03-12 08:30", "2024-03-12T08:30:00"),
        ("2024-03-12T08:30:00.123Z", "2024-03-12T08:30:00Z"),
        ("2024-03-12T08:30:00+0100", "2024-03-12T08:30:00+01:00"),
        ("20240312", "2024-03-12"),
        ("12.03.2024", "2024-03-12"),
        ("2024/3/2", "2024-03-02"),
        ("Tue, 12 Mar 2024 08:30:00 +0100", "2024-03-12T08:30:00+01:00"),
        ("March 12, 2024", "2024-03-12"),
        ("12 March 2024", "2024-03-12"),
        ("2024-02-30", None),
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_date(raw, iso) -> None:
    assert normalise_date(raw) == iso
