"""Page-kind columns: what the page declares about itself, the same in every block's row.

An article, a product page, a category grid, a forum thread and a documentation page put their main
content in differently shaped blocks; these columns let the trees tell the kinds apart from what the
page says of itself, before any block is looked at: the schema.org types of its JSON-LD and
microdata (``Product``, ``ItemList``, ``NewsArticle``, ``DiscussionForumPosting``, ``TechArticle``,
...), its ``og:type`` and the words of its canonical address's path (``/products/``, ``/category/``,
``/forum/``, ``/docs/``, a year). Read from the v2 parse before its walk prunes ``<head>``; the
address is the page's own (``<link rel="canonical">``, else ``og:url``), so the columns depend on the
page alone.
"""

from __future__ import annotations

import re

import numpy as np

from corpus.model import split_url

#: schema.org types (lower-cased, without their vocabulary prefix) that mark each kind of page.
SCHEMA_KINDS: dict[str, tuple[str, ...]] = {
    "product": ("product", "offer", "aggregateoffer", "productgroup", "individualproduct"),
    "list": ("itemlist", "collectionpage", "searchresultspage", "offercatalog"),
    "article": ("article", "newsarticle", "blogposting", "reportagenewsarticle", "analysisnewsarticle",
                "opinionnewsarticle", "scholarlyarticle", "liveblogposting"),
    "forum": ("qapage", "discussionforumposting", "question", "answer", "comment", "socialmediaposting"),
    "docs": ("techarticle", "apireference", "howto", "softwaresourcecode", "softwareapplication"),
    "faq": ("faqpage",),
    "org": ("service", "localbusiness", "organization", "corporation", "professionalservice", "store",
            "restaurant"),
    "recipe": ("recipe",),
    "breadcrumb": ("breadcrumblist",),
    "video": ("videoobject",),
}
#: Words of the canonical address's path that mark each kind of page.
URL_KINDS: dict[str, tuple[str, ...]] = {
    "product": ("product", "products", "p", "dp", "pdp", "item", "items", "sku", "buy", "shop"),
    "list": ("collections", "collection", "category", "categories", "c", "catalog", "browse", "search", "b", "s",
             "shop", "sb0", "l", "list", "tag", "tags"),
    "forum": ("forum", "forums", "thread", "threads", "t", "topic", "topics", "questions", "q", "community",
              "discussion", "discussions", "r", "comments", "viewtopic"),
    "docs": ("docs", "doc", "documentation", "api", "reference", "guide", "guides", "manual", "learn", "tutorial",
             "wiki", "help", "support", "kb"),
    "article": ("blog", "news", "article", "articles", "story", "stories", "posts", "post"),
}
#: Characters of each JSON-LD script searched for ``@type`` values.
JSONLD_SCAN_CHARS = 20_000
#: Path segments and segment length are capped here.
MAX_PATH_SEGMENTS, MAX_SEGMENT_CHARS = 8, 120

PAGE_KIND_FEATURES: tuple[str, ...] = (
    tuple(f"sch_{k}" for k in SCHEMA_KINDS) + ("og_article", "og_product", "og_website")
    + tuple(f"url_{k}" for k in URL_KINDS)
    + ("url_year", "url_depth", "url_root", "url_known", "url_longest_segment")
)
_TYPE = re.compile(r'"@type"\s*:\s*\[?\s*"([^"]{1,60})"')
_WORD = re.compile(r"[a-z0-9]+")
_YEAR = re.compile(r"/(?:19|20)\d\d/")
_SCHEMA_SETS = tuple(frozenset(v) for v in SCHEMA_KINDS.values())
_URL_SETS = tuple(frozenset(v) for v in URL_KINDS.values())


def _attr(node, name: str) -> str | None:
    v = node.attributes.get(name) if node is not None else None
    return v.strip() if isinstance(v, str) and v.strip() else None


def page_kind_columns(tree) -> np.ndarray:
    """The :data:`PAGE_KIND_FEATURES` of one page from its lexbor tree (``head`` not yet pruned)."""
    types: set[str] = set()
    for s in tree.css('script[type="application/ld+json"]'):
        types.update(t.rsplit("/", 1)[-1].lower() for t in _TYPE.findall(s.text(deep=True)[:JSONLD_SCAN_CHARS]))
    for e in tree.css("[itemtype]"):
        v = _attr(e, "itemtype")
        if v:
            types.update(t.rsplit("/", 1)[-1].lower() for t in v.split())
    out = [float(not kind.isdisjoint(types)) for kind in _SCHEMA_SETS]
    og = (_attr(tree.css_first('meta[property="og:type"]'), "content") or "").lower()
    out += [float("article" in og), float("product" in og), float(og == "website")]
    url = (_attr(tree.css_first('link[rel="canonical"]'), "href")
           or _attr(tree.css_first('meta[property="og:url"]'), "content"))
    parts = split_url(url)  # None: no address, or a malformed one
    path = parts.path.lower() if parts is not None else ""
    segs = [s for s in path.split("/") if s]
    words = {w for s in segs for w in _WORD.findall(s)}
    out += [float(not kind.isdisjoint(words)) for kind in _URL_SETS]
    out += [float(bool(_YEAR.search(path))), float(min(len(segs), MAX_PATH_SEGMENTS)),
            float(parts is not None and not segs), float(parts is not None),
            float(min(max((len(s) for s in segs), default=0), MAX_SEGMENT_CHARS))]
    return np.array(out, np.float32)


__all__ = ["PAGE_KIND_FEATURES", "page_kind_columns"]
