"""The default block labeller on a hand-written news page, on text dumps, and on the dev benchmark."""

from __future__ import annotations

import json

import pytest

from corpus.annotate.preannotate import labeller, preannotate
from corpus.annotate.preannotate.labeller import element_cue
from corpus.ingestion.draft import draft_document
from corpus.labels import BLOCK_LABELS
from corpus.text.normalise import decode_raw, parse_html
from tests.conftest import TRAF_EVAL, require_shared

PARAGRAPHS = [
    "The city council voted on Tuesday to expand the tram network to the northern districts, ending a "
    "decade of debate about how to connect the fast-growing suburbs with the old town centre.",
    "Construction of the first section is due to start next spring and should take about three years, "
    "according to the transport department, which expects forty thousand passengers a day.",
    "Opponents argued that the money would be better spent on buses, but the proposal passed with a clear "
    "majority after the mayor promised to review the fares before the new line opens to the public.",
    "Local businesses along the planned route have welcomed the decision, saying that better transport "
    "links will bring more customers to a part of the city that has long felt neglected by planners.",
]

NEWS_PAGE = f"""<!DOCTYPE html>
<html lang="en-gb">
<head>
<title>Council approves tram extension | The Daily Example</title>
<meta property="og:title" content="Council approves tram extension">
<meta name="author" content="Jane Doe">
</head>
<body>
<div id="cookie-banner"><p>We use cookies to improve your experience on our website.</p>
<button>Accept all cookies</button></div>
<header class="site-header"><a href="/">The Daily Example</a></header>
<nav><ul><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li>
<li><a href="/culture">Culture</a></li></ul></nav>
<main>
<article>
<h1>Council approves tram extension</h1>
<p class="byline">By Jane Doe, 12 March 2024</p>
<figure><img src="tram.jpg" alt=""><figcaption>A tram in the old town centre.</figcaption></figure>
<p>{PARAGRAPHS[0]}</p>
<p>{PARAGRAPHS[1]}</p>
<div class="share-buttons"><a href="#">Share on Facebook</a> <a href="#">Share on X</a></div>
<p>{PARAGRAPHS[2]}</p>
<p>{PARAGRAPHS[3]}</p>
</article>
<section class="related-articles"><h2>Related stories</h2>
<ul><li><a href="/a">Bus fares to rise in autumn across the whole region</a></li>
<li><a href="/b">New cycle lanes planned for the river bank next year</a></li></ul></section>
<section id="comments"><h2>Comments</h2>
<div class="comment"><p>Finally some good news for commuters in the north of the city, I have waited for this
for years and years.</p></div></section>
</main>
<footer><p>Copyright 2024 The Daily Example. All rights reserved.</p><a href="/imprint">Imprint</a></footer>
</body>
</html>"""


def _labelled(page: str = NEWS_PAGE, **kw):
    """The rule labeller (the learned one is tested in test_learned_labeller.py)."""
    raw = page.encode("utf-8")
    doc = draft_document(raw, raw_format="html", gzipped=False)
    html, _ = decode_raw(raw, "html")
    return preannotate(doc, html=html, ner=False, labeller="rules", **kw)


def _label_of(doc, needle: str) -> str | None:
    for b in doc.blocks:
        if needle in doc.text[b.start : b.end]:
            return b.label
    raise AssertionError(f"no block contains {needle!r}")


def test_news_page_labels() -> None:
    pytest.importorskip("trafilatura")
    doc = _labelled()
    assert all(b.label in BLOCK_LABELS for b in doc.blocks)
    expected = {
        "We use cookies": "other",
        "Accept all cookies": "other",
        "The Daily Example": "header",
        "Sport": "navigation",
        "Council approves tram extension": "title",
        "By Jane Doe": "byline",
        "A tram in the old town centre.": "caption",
        "Share on Facebook": "social",
        "Related stories": "related",
        "Bus fares to rise": "related",
        "Finally some good news": "comments",
        "All rights reserved": "footer",
    }
    for needle, label in expected.items():
        assert _label_of(doc, needle) == label, needle
    for para in PARAGRAPHS:
        assert _label_of(doc, para[:40]) == "body"
    # the body view is exactly the article paragraphs: no title, caption, share links or comments
    assert doc.view("body") == "\n".join(PARAGRAPHS)


def test_structure_only_without_extractor(monkeypatch) -> None:
    """Without trafilatura the structural stand-in still finds the article and the boilerplate."""
    monkeypatch.setattr(labeller, "run_trafilatura", lambda source: None)
    doc = _labelled()
    for para in PARAGRAPHS:
        assert _label_of(doc, para[:40]) == "body"
    assert _label_of(doc, "Sport") == "navigation"
    assert _label_of(doc, "All rights reserved") == "footer"
    assert _label_of(doc, "Share on Facebook") == "social"
    wrapped = _labelled(NEWS_PAGE.replace("<main>", '<main class="post has-comments">'))
    for para in PARAGRAPHS:
        assert _label_of(wrapped, para[:40]) == "body"


def test_extractor_failure_is_not_fatal(monkeypatch) -> None:
    import trafilatura

    def boom(*args, **kwargs):
        raise RuntimeError("extractor crashed")

    monkeypatch.setattr(trafilatura, "bare_extraction", boom)
    doc = _labelled()
    assert all(b.label in BLOCK_LABELS for b in doc.blocks)


def test_cue_on_article_container_is_ignored() -> None:
    """A wrapper whose class names a widget but holds the article is not that widget."""
    pytest.importorskip("trafilatura")
    page = NEWS_PAGE.replace("<main>", '<main class="layout with-sidebar">')
    doc = _labelled(page)
    for para in PARAGRAPHS:
        assert _label_of(doc, para[:40]) == "body"


@pytest.mark.parametrize(
    ("markup", "label"),
    [
        ('<div role="navigation"></div>', "navigation"),
        ('<div role="banner"></div>', "header"),
        ('<div role="contentinfo"></div>', "footer"),
        ('<div role="complementary"></div>', "related"),
        ("<nav></nav>", "navigation"),
        ("<aside></aside>", "related"),
        ('<div class="cookie-consent"></div>', "other"),
        ('<div id="mostRead"></div>', "related"),
        ('<div class="paywall-prompt"></div>', "paywall"),
        ('<ul class="socialShare"></ul>', "social"),
        ('<div class="ad-slot"></div>', "advertisement"),
        ('<div class="sponsored-content"></div>', "advertisement"),
        ('<ol class="breadcrumbs"></ol>', "navigation"),
        ('<div itemtype="https://schema.org/WPFooter"></div>', "footer"),
        ('<div itemprop="articleBody"></div>', "body"),
        ("<figcaption></figcaption>", "caption"),
        ('<span class="author-name"></span>', "byline"),
        ('<div class="headline-wrapper"></div>', None),
        ('<div class="loading"></div>', None),  # "ad" only as a whole word
    ],
)
def test_element_cue(markup: str, label: str | None) -> None:
    root = parse_html(f"<html><body>{markup}</body></html>")
    el = root.find("body")[0]
    assert element_cue(el) == label


def test_text_dump_labels() -> None:
    lines = [
        "Get all our news in one place.",
        "World",
        "Tram network to reach the northern districts",
        *PARAGRAPHS[:2],
        "Read more: Bus fares to rise in autumn",
        *PARAGRAPHS[2:],
        "Sign up to read more articles like this",
        "Related stories",
        "Copyright 2024 The Daily Example",
    ]
    raw = "\n".join(lines).encode("utf-8")
    doc = preannotate(draft_document(raw, raw_format="text", gzipped=False), ner=False)
    assert [b.label for b in doc.blocks] == [
        "header", "header", "title", "body", "body", "related", "body", "body", "paywall", "related", "footer",
    ]
    assert doc.view("body") == "\n".join(PARAGRAPHS)


@pytest.mark.shared
def test_dev_benchmark_body_view_matches_extractor() -> None:
    """On 80 dev pages the body view is at least as good as trafilatura alone (trafilatura_segments)."""
    trafilatura = pytest.importorskip("trafilatura")
    from corpus.evaluate.metrics import trafilatura_segments

    base = require_shared(TRAF_EVAL)
    entries = sorted(json.loads((base / "evaldata.json").read_text(encoding="utf-8")).items())[:80]
    ours, theirs = [], []
    for _url, entry in entries:
        raw = (base / "pages" / entry["file"]).read_bytes()
        html, _ = decode_raw(raw, "html")
        doc = preannotate(draft_document(raw, raw_format="html", gzipped=False), html=html, ner=False,
                          labeller="rules")
        ours.append((doc.view("body"), entry["with"], entry["without"]))
        theirs.append((trafilatura.extract(html), entry["with"], entry["without"]))
    mine = trafilatura_segments(ours, bootstrap=0)
    base_score = trafilatura_segments(theirs, bootstrap=0)
    assert mine.f1 >= base_score.f1 - 0.005, (mine.summary(), base_score.summary())
    assert mine.f1 >= 0.85


@pytest.mark.shared
def test_score_script_reports_both_systems() -> None:
    import subprocess
    import sys

    from tests.conftest import ROOT

    pytest.importorskip("trafilatura")
    base = require_shared(TRAF_EVAL)
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "score_labeller.py"), "--dir", str(base), "--limit", "5", "--json"],
        capture_output=True, text=True, check=True, timeout=300,
    )
    report = json.loads(out.stdout)
    assert report["metric"] == "trafilatura_segments"
    systems = [r["system"] for r in report["results"]]
    assert systems[0].startswith("corpus-labeller") and systems[1].startswith("trafilatura")
    for row in report["results"]:
        assert row["n_pages"] == 5 and 0.0 <= row["f1"] <= 1.0
