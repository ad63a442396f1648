"""Built-in extractor adapters, each calling its library's documented main-text API.

No adapter fetches anything: the libraries that can download images or follow links
(newspaper4k, news-please, goose3) are configured not to. Libraries are imported inside the
factory, so a missing optional dependency only disables its own adapter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from corpus.evaluate.extractors import ExtractFn, ExtractorSpec, Page, register
from corpus.text.normalise import NORMALIZER_VERSION

#: trafilatura options shared by every variant: the settings of trafilatura's own evaluation.
TRAFILATURA_BASE: dict[str, Any] = {"include_comments": False, "include_tables": True, "include_formatting": False}


def _trafilatura(options: Mapping[str, Any]) -> ExtractFn:
    from trafilatura import extract

    opts = dict(options)

    def run(page: Page) -> str | None:
        # raw bytes, as trafilatura's evaluation passes them: trafilatura decodes them itself
        return extract(page.raw, **opts)

    return run


register(ExtractorSpec(
    name="trafilatura",
    factory=_trafilatura,
    description="trafilatura.extract (default: with fallback algorithms, tables, no comments)",
    module="trafilatura",
    distribution="trafilatura",
    extra="extract",
    variants={
        "": {**TRAFILATURA_BASE, "fast": False},
        "precision": {**TRAFILATURA_BASE, "fast": False, "favor_precision": True},
        "recall": {**TRAFILATURA_BASE, "fast": False, "favor_recall": True},
        "fast": {**TRAFILATURA_BASE, "fast": True},
        # trafilatura.extract called without options (its own defaults: comments included)
        "defaults": {},
    },
))


def _html_to_text(html: str) -> str:
    """Visible text of an HTML fragment, blocks on their own lines (the corpus normaliser)."""
    from corpus.text.normalise import normalise_html

    return normalise_html(html)[0] if html.strip() else ""


def _readability(options: Mapping[str, Any]) -> ExtractFn:
    from readability import Document as ReadabilityDocument

    def run(page: Page) -> str:
        # summary() is the article as an HTML fragment; its text is the main text
        return _html_to_text(ReadabilityDocument(page.html).summary(html_partial=True))

    return run


register(ExtractorSpec(
    name="readability", factory=_readability,
    description="readability-lxml Document(html).summary(), converted to text",
    module="readability", distribution="readability-lxml",
))


def _justext(options: Mapping[str, Any]) -> ExtractFn:
    import justext

    lang = options.get("stoplist", "all")
    if lang == "all":  # every language's stop words, so pages in any language can be classified
        stoplist = frozenset().union(*(justext.get_stoplist(name) for name in justext.get_stoplists()))
    else:
        stoplist = justext.get_stoplist(lang)

    def run(page: Page) -> str:
        paragraphs = justext.justext(page.raw, stoplist, encoding=_codec(page))
        return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)

    return run


def _codec(page: Page) -> str | None:
    enc = page.encoding
    if not enc or enc.endswith(";replacement"):
        return None
    return enc


register(ExtractorSpec(
    name="justext", factory=_justext,
    description="jusText paragraphs not classified as boilerplate (default parameters)",
    module="justext", distribution="jusText",
    variants={"": {"stoplist": "all"}, "english": {"stoplist": "English"}},
))


def _goose3(options: Mapping[str, Any]) -> ExtractFn:
    from goose3 import Goose

    goose = Goose({"enable_image_fetching": False})

    def run(page: Page) -> str:
        return goose.extract(raw_html=page.html).cleaned_text

    return run


register(ExtractorSpec(
    name="goose3", factory=_goose3,
    description="goose3 Goose().extract(raw_html=...).cleaned_text, image fetching off",
    module="goose3", distribution="goose3",
))


def _boilerpy3(options: Mapping[str, Any]) -> ExtractFn:
    from boilerpy3 import extractors

    ex = getattr(extractors, options.get("extractor", "ArticleExtractor"))()

    def run(page: Page) -> str:
        return ex.get_content(page.html)

    return run


register(ExtractorSpec(
    name="boilerpy3", factory=_boilerpy3,
    description="boilerpy3 ArticleExtractor().get_content(html)",
    module="boilerpy3", distribution="boilerpy3",
    variants={"": {"extractor": "ArticleExtractor"}, "default": {"extractor": "DefaultExtractor"},
              "largest": {"extractor": "LargestContentExtractor"}},
))


def _newspaper4k(options: Mapping[str, Any]) -> ExtractFn:
    import newspaper

    lang = options.get("language", "en")

    def run(page: Page) -> str:
        # fulltext() parses the given HTML only (no download, images not fetched)
        return newspaper.fulltext(page.html, language=lang)

    return run


register(ExtractorSpec(
    name="newspaper4k", factory=_newspaper4k,
    description="newspaper4k newspaper.fulltext(html) (no requests)",
    module="newspaper", distribution="newspaper4k",
    variants={"": {"language": "en"}},
))


def _no_image_downloads() -> None:
    """Make newspaper4k honour ``fetch_images=False`` when it picks the top image.

    newspaper4k 0.9.3.1 (the release installable beside justext's ``lxml[html_clean]`` by pip 23.2)
    ignores the setting on that path and downloads candidate images to measure them; the text it
    extracts does not depend on the top image.
    """
    from newspaper.extractors.image_extractor import ImageExtractor

    check = ImageExtractor._check_image_size
    if getattr(check, "_offline", False):
        return

    def offline(self: Any, url: str, referer: str | None) -> bool:
        return check(self, url, referer) if self.config.fetch_images else False

    offline._offline = True  # type: ignore[attr-defined]
    ImageExtractor._check_image_size = offline


def _news_please(options: Mapping[str, Any]) -> ExtractFn:
    from newsplease import NewsPlease

    _no_image_downloads()

    def run(page: Page) -> str | None:
        # fetch_images=False: the default would download images from the article's host
        article = NewsPlease.from_html(page.html, url=None, fetch_images=False)
        return article.maintext

    return run


register(ExtractorSpec(
    name="news-please", factory=_news_please,
    description="news-please NewsPlease.from_html(html, fetch_images=False).maintext",
    module="newsplease", distribution="news-please",
))


def _resiliparse(options: Mapping[str, Any]) -> ExtractFn:
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    main = bool(options.get("main_content", True))

    def run(page: Page) -> str:
        return extract_plain_text(HTMLTree.parse(page.html), main_content=main)

    return run


register(ExtractorSpec(
    name="resiliparse", factory=_resiliparse,
    description="resiliparse extract_plain_text(tree, main_content=True)",
    module="resiliparse", distribution="resiliparse",
    variants={"": {"main_content": True}, "all": {"main_content": False}},
))


def _inscriptis(options: Mapping[str, Any]) -> ExtractFn:
    from inscriptis import get_text

    def run(page: Page) -> str:
        return get_text(page.html)

    return run


register(ExtractorSpec(
    name="inscriptis", factory=_inscriptis,
    description="inscriptis get_text(html): layout-aware full-page text",
    module="inscriptis", distribution="inscriptis",
))


def _html_text(options: Mapping[str, Any]) -> ExtractFn:
    import html_text

    def run(page: Page) -> str:
        return html_text.extract_text(page.html)

    return run


register(ExtractorSpec(
    name="html-text", factory=_html_text,
    description="html_text.extract_text(html): full-page text",
    module="html_text", distribution="html-text",
))


def _html2text(options: Mapping[str, Any]) -> ExtractFn:
    import html2text

    def run(page: Page) -> str:
        h = html2text.HTML2Text()
        h.ignore_images = True
        h.body_width = 0  # no hard wrapping
        return h.handle(page.html)

    return run


register(ExtractorSpec(
    name="html2text", factory=_html2text,
    description="html2text.HTML2Text().handle(html): full page as Markdown, images ignored",
    module="html2text", distribution="html2text",
))


def _bs4(options: Mapping[str, Any]) -> ExtractFn:
    from bs4 import BeautifulSoup

    def run(page: Page) -> str:
        soup = BeautifulSoup(page.html, "lxml")
        for el in soup(["script", "style", "noscript", "template"]):
            el.decompose()
        return soup.get_text(separator="\n", strip=True)

    return run


register(ExtractorSpec(
    name="bs4", factory=_bs4,
    description="BeautifulSoup(html, 'lxml').get_text('\\n', strip=True) without scripts / styles",
    module="bs4", distribution="beautifulsoup4",
))


def _everything(options: Mapping[str, Any]) -> ExtractFn:
    if options.get("html"):
        def raw_html(page: Page) -> str:
            return page.html

        return raw_html

    from corpus.text.normalise import normalise_html, normalise_text

    def run(page: Page) -> str:
        return (normalise_text if page.raw_format == "text" else normalise_html)(page.html)[0]

    return run


def _nothing(options: Mapping[str, Any]) -> ExtractFn:
    def run(page: Page) -> str:
        return ""

    return run


register(ExtractorSpec(
    name="everything", factory=_everything,
    description="baseline: the whole visible page text (the corpus normaliser); :html = the decoded raw HTML",
    # the normaliser version is recorded so cached outputs are recomputed when it changes
    variants={"": {"normalizer": NORMALIZER_VERSION}, "html": {"html": True}},
))
register(ExtractorSpec(name="nothing", factory=_nothing, description="baseline: empty output for every page"))


def _corpus_labeller(options: Mapping[str, Any]) -> ExtractFn:
    from corpus.annotate.preannotate.learned import predict_page
    from corpus.labels import VIEWS

    keep = VIEWS[options["view"]]

    def run(page: Page) -> str:
        if page.raw_format == "text":
            return ""
        pf, labels = predict_page(page.html)
        return "\n".join(pf.text[b.start : b.end] for b, lab in zip(pf.blocks, labels, strict=True) if lab in keep)

    return run


def _labeller_model_digest() -> str:
    """Digest of the shipped labeller model, so cached outputs are recomputed when the model changes."""
    try:
        from corpus.annotate.preannotate.learned import default_model

        return str(default_model().meta["digest"])
    except Exception:  # a missing model shows when the extractor runs, with its own message
        return "missing"


register(ExtractorSpec(
    name="corpus-labeller", factory=_corpus_labeller,
    description="this package's learned block labeller on normaliser v2 blocks: the body view "
                "(:article = title, byline, body and caption blocks)",
    variants={"": {"view": "body", "model": _labeller_model_digest()},
              "article": {"view": "article", "model": _labeller_model_digest()}},
))
