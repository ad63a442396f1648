"""Page metadata from the page itself: JSON-LD, OpenGraph, ``<meta>``, ``<title>``, ``<html lang>``.

Priority per field: JSON-LD (the article node, then page / site nodes) > OpenGraph / ``article:*``
> other ``<meta>`` names > document structure (``<title>``, first ``<h1>``). Never raises on broken
markup or broken JSON-LD: what cannot be read is skipped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from corpus.annotate.preannotate.byline import (
    PageScan,
    byline_texts,
    choose_headline,
    clean_authors,
    date_elements,
    dated_credit_line,
    headline_candidates,
    headline_date,
    host_label,
    in_excluded_region,
    is_site_part,
    lead_in_lines,
    page_text_date,
    text_of,
)
from corpus.annotate.preannotate.dates import (
    date_in_text,
    date_in_url,
    declared_text,
    normalise_date,
    shown_day,
    utc_or_floating,
)
from corpus.annotate.preannotate.language import normalise_language_tag
from corpus.limits import MAX_JSON_DEPTH, MAX_JSONLD_BYTES
from corpus.model import Metadata, split_url

#: schema.org types whose node describes the article itself.
ARTICLE_TYPES = frozenset(
    {"article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
     "reviewnewsarticle", "backgroundnewsarticle", "askpublicquestionarticle", "blogposting",
     "liveblogposting", "socialmediaposting", "discussionforumposting", "techarticle",
     "scholarlyarticle", "report", "review", "satiricalarticle", "advertisercontentarticle",
     "medicalscholarlyarticle", "creativework", "videoobject", "podcastepisode", "recipe"}
)
PAGE_TYPES = frozenset({"webpage", "itempage", "collectionpage", "aboutpage", "faqpage", "qapage",
                        "profilepage", "searchresultspage", "medicalwebpage", "realestatelisting"})
SITE_TYPES = frozenset({"website"})
ORG_TYPES = frozenset({"organization", "newsmediaorganization", "corporation", "localbusiness"})

#: ``<meta name|property>`` keys per field, in priority order (lower-cased).
META_KEYS: dict[str, tuple[str, ...]] = {
    "title": ("og:title", "twitter:title", "dc.title", "dcterms.title", "citation_title", "title",
              "parsely-title", "sailthru.title"),
    "authors": ("author", "article:author", "dc.creator", "dcterms.creator", "citation_author",
                "parsely-author", "sailthru.author", "byl", "twitter:creator"),
    "date_published": ("article:published_time", "og:article:published_time", "datepublished",
                       "date", "dc.date", "dc.date.issued", "dcterms.issued", "dcterms.created",
                       "dcterms.date", "citation_publication_date", "citation_date", "pubdate",
                       "publishdate", "publish-date", "publish_date", "article.published",
                       "parsely-pub-date", "sailthru.date", "originalpublicationdate", "og:pubdate",
                       "article:published", "og:published_time", "published_time", "published-date",
                       "publication_date", "publication-date", "date_published", "uploaddate",
                       "datecreated", "dc.date.created", "article_date_original", "release_date"),
    "date_modified": ("article:modified_time", "og:updated_time", "datemodified", "last-modified",
                      "dcterms.modified", "article.updated", "lastmod"),
    "publisher": ("article:publisher", "dc.publisher", "dcterms.publisher", "citation_publisher",
                  "publisher"),
    "site_name": ("og:site_name", "application-name", "twitter:site", "al:ios:app_name"),
    "section": ("article:section", "section", "parsely-section", "category", "article.section"),
    "description": ("og:description", "description", "twitter:description", "dc.description",
                    "dcterms.description", "dcterms.abstract"),
    "tags": ("article:tag", "news_keywords", "keywords", "parsely-tags", "sailthru.tags",
             "dc.subject"),
    "language": ("og:locale", "dc.language", "dcterms.language", "language", "content-language",
                 "inlanguage"),
}
_MULTI_FIELDS = frozenset({"authors", "tags"})
_URLISH = re.compile(r"^(?:https?:)?//|^www\.", re.IGNORECASE)
_HANDLE = re.compile(r"^@\w+$")


@dataclass(frozen=True, slots=True)
class PageMetadata:
    """What the page says about itself; ``canonical_url`` has no schema field of its own."""

    metadata: Metadata
    canonical_url: str | None = None
    declared_language: bool = False
    #: Every headline string the page offers (JSON-LD headline, og:title, <title>, first <h1>).
    titles: tuple[str, ...] = ()


# -- small helpers ---------------------------------------------------------------------------------
def _lower_types(node: dict[str, Any]) -> set[str]:
    t = node.get("@type")
    types = t if isinstance(t, list) else [t]
    out = set()
    for x in types:
        if isinstance(x, str):
            out.add(x.rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower())
    return out


def _dedupe(items: list[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for item in items:
        key = item.casefold()
        if key not in {k.casefold() for k in seen}:
            seen[item] = None
    return tuple(seen)


def _split_keywords(value: str) -> list[str]:
    sep = "," if "," in value else (";" if ";" in value else None)
    parts = value.split(sep) if sep else [value]
    return [p for p in (declared_text(x) for x in parts) if p]


# -- JSON-LD ---------------------------------------------------------------------------------------
def _load_jsonld(raw: str) -> Any:
    raw = raw.strip()
    # a character is 1 to 4 UTF-8 bytes: encode only when the length alone does not decide
    if not raw or len(raw) > MAX_JSONLD_BYTES or (4 * len(raw) > MAX_JSONLD_BYTES
                                                  and len(raw.encode("utf-8", "replace")) > MAX_JSONLD_BYTES):
        return None
    for candidate in (raw, _repair_jsonld(raw)):
        try:
            data = json.loads(candidate, strict=False)
        except (ValueError, RecursionError):
            continue
        return data
    return None


def _repair_jsonld(raw: str) -> str:
    raw = re.sub(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$", "", raw)
    raw = re.sub(r"^\s*<!--|-->\s*$", "", raw).strip().rstrip(";")
    return re.sub(r",\s*([}\]])", r"\1", raw)  # trailing commas


def _walk_nodes(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every object node with an ``@type`` (top level, arrays, ``@graph``, nested values)."""
    if depth > MAX_JSON_DEPTH:
        return
    if isinstance(data, list):
        for item in data:
            yield from _walk_nodes(item, depth + 1)
    elif isinstance(data, dict):
        if "@type" in data:
            yield data
        for key, value in data.items():
            if key == "@graph" or (isinstance(value, (dict, list)) and key in ("mainEntity", "mainEntityOfPage",
                                                                             "hasPart", "itemListElement")):
                yield from _walk_nodes(value, depth + 1)


def _names(value: Any, depth: int = 0, ids: dict[str, dict[str, Any]] | None = None) -> list[str]:
    """Person / organisation names from a string, an object with ``name``, or a list of them.

    ``ids``: JSON-LD nodes by ``@id``, for a reference without a name (``{"@id": "…#/schema/person/…"}``).
    """
    if depth > 4:
        return []
    if isinstance(value, list):
        return [n for item in value for n in _names(item, depth + 1, ids)]
    if isinstance(value, dict):
        name = value.get("name")
        if name is None and ids and isinstance(ref := value.get("@id"), str) and ids.get(ref) is not value:
            target = ids.get(ref)
            return _names(target, depth + 1) if target is not None else []
        if isinstance(name, (list, dict)):
            return _names(name, depth + 1)
        if name is None and ("givenName" in value or "familyName" in value):
            name = " ".join(x for x in (value.get("givenName"), value.get("familyName")) if isinstance(x, str))
        name = declared_text(name)
        return [name] if name and not _URLISH.match(name) else []
    name = declared_text(value)
    if not name or _URLISH.match(name):
        return []
    return [name]


def _first_str(value: Any) -> str | None:
    if isinstance(value, list):
        for item in value:
            s = _first_str(item)
            if s:
                return s
        return None
    if isinstance(value, dict):
        return declared_text(value.get("name") or value.get("@value"))
    return declared_text(value)


def _free(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        v = value.strip().lower()
        if v in ("true", "yes", "1"):
            return True
        if v in ("false", "no", "0"):
            return False
    return None


#: JSON-LD publication-date fields: a date the page shows that equals one of them is taken
#: (:func:`_publication_date`; not ``dateModified``: the page may show when it was updated).
_JSONLD_DATE_KEYS = ("datePublished", "dateCreated", "uploadDate")


def _from_jsonld(root) -> dict[str, Any]:
    article: dict[str, Any] | None = None
    page: dict[str, Any] | None = None
    site: dict[str, Any] | None = None
    any_date: str | None = None
    seen: list[str] = []
    ids: dict[str, dict[str, Any]] = {}
    for script in root.iter("script"):
        stype = (script.get("type") or "").strip().lower()
        text = script.text or ""
        if "ld+json" not in stype and (stype or not _is_untyped_jsonld(text)):
            continue
        data = _load_jsonld(text)
        for node in _walk_nodes(data):
            types = _lower_types(node)
            if isinstance(ref := node.get("@id"), str) and "name" in node:
                ids.setdefault(ref, node)
            if not types & (SITE_TYPES | ORG_TYPES):
                for key in _JSONLD_DATE_KEYS:
                    if key in node and (date := normalise_date(_first_str(node[key]))):
                        seen.append(date)
                        if any_date is None and key == "datePublished":
                            any_date = date
            if article is None and types & ARTICLE_TYPES:
                article = node
            elif page is None and types & PAGE_TYPES:
                page = node
            elif site is None and types & SITE_TYPES:
                site = node
    out: dict[str, Any] = {}
    for node in (article, page):
        if node is None:
            continue
        _fill(out, "title", _first_str(node.get("headline")) or _first_str(node.get("name")))
        _fill(out, "authors", _names(node.get("author"), ids=ids) or _names(node.get("creator"), ids=ids))
        _fill(out, "date_published", normalise_date(_first_str(node.get("datePublished"))
                                                    or _first_str(node.get("dateCreated"))
                                                    or _first_str(node.get("uploadDate"))))
        _fill(out, "date_modified", normalise_date(_first_str(node.get("dateModified"))))
        _fill(out, "publisher", (_names(node.get("publisher")) or [None])[0])
        section = node.get("articleSection")
        _fill(out, "section", _first_str(section))
        if isinstance(section, list):
            _fill(out, "categories", [s for s in (_first_str(x) for x in section) if s])
        _fill(out, "description", _first_str(node.get("description")))
        kw = node.get("keywords")
        if isinstance(kw, str):
            _fill(out, "tags", _split_keywords(kw))
        elif isinstance(kw, list):
            _fill(out, "tags", [s for s in (_first_str(x) for x in kw) if s])
        _fill(out, "language", normalise_language_tag(_first_str(node.get("inLanguage"))))
        _fill(out, "is_accessible_for_free", _free(node.get("isAccessibleForFree")))
        part = node.get("isPartOf")
        if isinstance(part, dict) and _lower_types(part) & SITE_TYPES:
            _fill(out, "site_name", _first_str(part.get("name")))
    if site is not None:
        _fill(out, "site_name", _first_str(site.get("name")))
        _fill(out, "language", normalise_language_tag(_first_str(site.get("inLanguage"))))
    _fill(out, "date_published", any_date)
    _fill(out, "dates_seen", seen)
    return out


#: Characters at the start of an untyped ``<script>`` searched for a schema.org context.
_UNTYPED_JSONLD_HEAD = 200


def _is_untyped_jsonld(text: str) -> bool:
    """Whether a ``<script>`` without ``type`` holds JSON-LD (``{"@context": "https://schema.org", …``)."""
    head = text[:_UNTYPED_JSONLD_HEAD].lstrip()
    return head[:1] in ("{", "[") and "@context" in head and "schema.org" in head


def _fill(out: dict[str, Any], key: str, value: Any) -> None:
    if key not in out and value not in (None, "", [], ()):
        out[key] = value


# -- <meta>, <title>, <link> -----------------------------------------------------------------------
def _meta_values(root) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for meta in root.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop") or meta.get("http-equiv")
        content = declared_text(meta.get("content"))
        if not key or not content:
            continue
        values.setdefault(key.strip().lower(), []).append(content)
    return values


def _from_meta(values: dict[str, list[str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field_name, keys in META_KEYS.items():
        for key in keys:
            found = values.get(key)
            if not found:
                continue
            if field_name == "authors":
                names = [n for v in found for n in _names(v) if not _HANDLE.match(n)]
                if names:
                    out[field_name] = names
                    break
            elif field_name == "tags":
                out[field_name] = [t for v in found for t in _split_keywords(v)]
                break
            elif field_name in ("date_published", "date_modified"):
                date = next((d for d in map(normalise_date, found) if d), None)
                if date and field_name == "date_published":  # one per name: a forum repeats it per post
                    out.setdefault("dates_seen", []).append(date)
                if date and field_name not in out:
                    out[field_name] = date
            elif field_name == "language":
                lang = normalise_language_tag(found[0])
                if lang:
                    out[field_name] = lang
                    break
            elif field_name == "publisher":
                if not _URLISH.match(found[0]):
                    out[field_name] = found[0]
                    break
            elif field_name == "site_name":
                out[field_name] = found[0].lstrip("@") if key == "twitter:site" else found[0]
                break
            else:
                out[field_name] = found[0]
                break
    return out


def _text_of(el) -> str | None:
    """Text of ``el``, whitespace-collapsed, entities left in it decoded."""
    return declared_text(text_of(el))


def _from_structure(root) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for el in root.iter("title"):
        _fill(out, "title", _text_of(el))
        break
    for el in root.iter("h1"):
        _fill(out, "h1", _text_of(el))
        break
    html = root if root.tag == "html" else None
    if html is None:
        for el in root.iter("html"):
            html = el
            break
    if html is not None:
        lang = html.get("lang") or html.get("{http://www.w3.org/XML/1998/namespace}lang") or html.get("xml:lang")
        _fill(out, "language", normalise_language_tag(lang))
    for el in root.iter("time"):
        if el.get("pubdate") is not None or (el.get("itemprop") or "").lower() == "datepublished":
            _fill(out, "date_published", normalise_date(el.get("datetime") or _text_of(el)))
    return out


def _visible_date(root, bylines: list[str], scan: PageScan, url_date: str | None) -> str | None:
    """The date the page shows, in this order: an element marked ``itemprop=datePublished`` (its
    ``datetime`` / ``content``, else its text), the first ``<time>`` outside comments / footers /
    asides, a date in a byline, in a date-classed element, in the URL's path, next to the headline."""
    for el in scan.date_props:
        value = el.get("datetime") or el.get("content") or _text_of(el) or ""
        date = normalise_date(value) or date_in_text(value)
        if date:
            return date
    for el in scan.times:
        if in_excluded_region(el, dates=True):
            continue
        date = normalise_date(el.get("datetime")) or date_in_text(_text_of(el) or "")
        if date:
            return date
    for text in bylines:
        date = date_in_text(text)
        if date:
            return date
    for text in date_elements(root, scan=scan):
        date = normalise_date(text) or date_in_text(text)
        if date:
            return date[:10]
    return url_date or headline_date(scan)


def _publication_date(root, declared: str | None, seen: list[str], bylines: list[str], scan: PageScan,
                      url: str | None) -> str | None:
    """The declared publication date, else the visible one (:func:`_visible_date`).

    The day the page shows (URL path, else visible date) overrides the declared date when it equals
    another publication date the page declares (a second JSON-LD node, another ``<meta>`` name: the
    page shows the one it considers its own) or is a day off a declared timestamp (:func:`shown_day`).
    """
    url_date = date_in_url(url)
    if declared is None:
        return _visible_date(root, bylines, scan, url_date) or page_text_date(root)
    days = {d[:10] for d in seen} - {declared[:10]}
    if url_date in days:
        return url_date
    if not days and not utc_or_floating(declared):  # a local day (bare, or with its UTC offset): only the URL
        return shown_day(declared, (url_date,))
    shown = (url_date, _visible_date(root, bylines, scan, None))
    for day in shown:
        if day and day[:10] in days:
            return day[:10]
    return shown_day(declared, shown)


def _home_link_names(root, url: str | None, limit: int = 6) -> list[str]:
    """Texts / image ``alt`` of links to the site's home page (the logo usually names the site)."""
    home = {"/", "./", "index.html", "/index.html"}
    parts = split_url(url)
    if parts is not None:
        base = f"{parts.scheme}://{parts.netloc}"
        home |= {base, base + "/"}
    out: list[str] = []
    for a in root.iter("a"):
        if (a.get("href") or "").strip() not in home:
            continue
        for value in [_text_of(a)] + [img.get("alt") for img in a.iter("img")] + [a.get("title")]:
            v = declared_text(value)
            if v and len(v) <= 80 and v not in out:
                out.append(v)
        if len(out) >= limit:
            break
    return out


def canonical_url(root) -> str | None:
    """The page's ``<link rel="canonical">`` (absolute http(s) URLs only)."""
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        href = declared_text(link.get("href"))
        if "canonical" in rel and href and re.match(r"^https?://[^\s/]+", href, re.IGNORECASE):
            return href
    return None


def _page_fields(root, url: str | None, sources: list[dict[str, Any]], merged: dict[str, Any],
                 values: dict[str, list[str]]) -> tuple[str | None, tuple[str, ...], str | None]:
    """Title, authors and publication date: declared values cleaned, visible ones where they are better.

    ``values``: the page's ``<meta>`` values (:func:`_meta_values`).
    """
    jsonld, meta, structure = sources
    scan = PageScan(root)
    sites = [x for x in (merged.get("site_name"), merged.get("publisher")) if x]
    sites += [v for key in META_KEYS["site_name"] for v in values.get(key, ())]
    sites += _home_link_names(root, url)
    declared = [jsonld.get("title")] + [v for key in META_KEYS["title"] for v in values.get(key, ())[:1]]
    declared.append(structure.get("title"))
    sections = [x for x in (merged.get("section"),) if x] + list(merged.get("categories", ()))
    title = choose_headline([t for t in declared if t], headline_candidates(root, scan=scan), sites,
                            host_label(url), sections) or structure.get("h1")
    bylines = byline_texts(root, scan=scan)
    host = host_label(url)
    authors: list[str] = []
    publisher_credits: list[str] = []
    credits = bylines or lead_in_lines(root) or dated_credit_line(root, title, scan=scan)
    for found in (jsonld.get("authors"), meta.get("authors"), credits):
        names = clean_authors(found or ())
        people = [n for n in names if not is_site_part(n, sites, host)]
        publisher_credits = publisher_credits or names
        if people:
            authors = people
            break
    authors = authors or publisher_credits  # the site credited as author: only when nobody else is
    seen = [*jsonld.get("dates_seen", ()), *meta.get("dates_seen", ())]
    date = _publication_date(root, merged.get("date_published"), seen, bylines, scan, url)
    return title, _dedupe(authors), date


def extract_metadata(root, url: str | None = None) -> PageMetadata:
    """Metadata the page declares about itself (``root``: a parsed lxml HTML tree, or ``None``).

    ``url``: the page's address when known (its host names the site; a date in its path is the
    last resort for the publication date).
    """
    if root is None:
        return PageMetadata(Metadata())
    try:
        values = _meta_values(root)
        sources = [_from_jsonld(root), _from_meta(values), _from_structure(root)]
        canonical = canonical_url(root)
    except (ValueError, TypeError, RecursionError):  # pathological trees: give up on metadata only
        return PageMetadata(Metadata())
    merged: dict[str, Any] = {}
    for src in sources:
        for key, value in src.items():
            _fill(merged, key, value)
    try:
        title, authors, date = _page_fields(root, url, sources, merged, values)
    except (ValueError, TypeError, RecursionError):
        title, authors, date = merged.get("title"), (), merged.get("date_published")
    tags = _dedupe(list(merged.get("tags", ())))
    categories = list(merged.get("categories", ()))
    if not categories and merged.get("section"):
        categories = [merged["section"]]
    md = Metadata(
        title=title,
        authors=authors,
        date_published=date,
        date_modified=merged.get("date_modified"),
        publisher=merged.get("publisher"),
        site_name=merged.get("site_name"),
        section=merged.get("section"),
        description=merged.get("description"),
        categories=_dedupe(categories),
        tags=tags,
        language=merged.get("language"),
        is_accessible_for_free=merged.get("is_accessible_for_free"),
    )
    titles = _dedupe([src[key] for src in sources for key in ("title", "h1") if src.get(key)]
                     + ([title] if title else []))
    return PageMetadata(md, canonical, declared_language=md.language is not None, titles=titles)
