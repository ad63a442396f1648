"""Cleaning rules for page metadata: headlines without site names, author names, dates in visible text.

Used by :mod:`corpus.annotate.preannotate.metadata`. The rules follow the annotation guidelines
(§6.1): the title is the headline *as displayed*, without the site-name suffix of ``<title>``;
authors are the people credited, without "By / Von / Par", dates or roles.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator

from corpus.annotate.preannotate.class_words import (
    BYLINE_FLAG,
    CLASS_FLAGS,
    DATE_FLAG,
    HEADLINE_FLAG,
    class_flags,
    excluding_class,
    excluding_date_class,
)
from corpus.annotate.preannotate.dates import TEXT_DATES, date_in_text, unescape
from corpus.model import split_url

#: Separators between the parts of a ``<title>`` ("Headline | Section | Site").
_TITLE_SEP = re.compile(r"(\s+[|\-–—·•»/]\s+|\s*[|·•»]\s*|\s*::\s*|:\s+)")
_WORD = re.compile(r"\w+")
#: A visible headline must share this share of its words with a declared title (and the title's with it).
HEADLINE_COVER = 0.8
TITLE_COVER = 0.6
#: Parts of ``<title>`` at most this many words long, next to a removed site name, are section names.
SECTION_MAX_WORDS = 2
MAX_HEADLINE_WORDS = 40
MAX_BYLINE_WORDS = 25
MAX_NAME_WORDS = 5
MAX_NAME_CHARS = 60
MAX_DATE_LINE_WORDS = 30
#: Credit lead-ins, most languages of the bundled corpus and the benchmarks (case-insensitive).
_LEAD_IN = re.compile(
    r"^(?:(?:written|posted|published|reported|text|story|words|article|photos?|interview)\s*by|"
    r"(?:ein\s+)?(?:artikel|beitrag|text|bericht)\s+von|(?:geschrieben|verfasst|veröffentlicht|publiziert)"
    r"(?:\s+von)?|publié\s+par|publicado\s+por|pubblicato\s+da|escrito\s+por|scritto\s+da|by|von|par|"
    r"por|text|tekst|interview|autor(?:in)?|author|auteur|autore|της|του|από|от|автор)\b[:\s]*",
    re.IGNORECASE,
)
#: Lower-case lead-ins only ("di Chiara Bonetti", but "De Vries" is a name).
_LEAD_IN_LOWER = re.compile(r"^(?:di|da|de|door|av|af|vom|przez)\s+(?=[^\W\d_])")
_NAME_SPLIT = re.compile(r"\s*(?:,|;|&|\+|\||·|•|/|\s(?:and|und|et|y|e|og|och|en|i|и|και)\s)\s*",
                         re.IGNORECASE)
_CREDENTIAL = re.compile(
    r"^(?:[A-Z]{2,6}(?:-[A-Z0-9]{1,6})?\d*|Ph\.?\s?D\.?|M\.?D\.?|Dr\.?|Jr\.?|Sr\.?|MBA|MSc|BSc|R\.?N\.?)[®©™]*$")
_HAS_DIGIT = re.compile(r"\d")
#: ``first.last`` logins and ``site.com`` domains (initials such as "T. Kaiser" have a space).
_DOTTED = re.compile(r"[^\W\d_]{2,}\.[^\W\d_]{2,}")
_HANDLE_NAME = re.compile(r"^[^\W\d_][\w-]*$")
_URLISH = re.compile(r"^(?:https?:)?//|^www\.|\.\w{2,4}/|@", re.IGNORECASE)
#: Words that end a name part of a byline ("Jane Doe Updated …", "Jane Doe on 3 May").
_STOP_AFTER = re.compile(r"\s(?:updated|published|posted|on|am|le|el|il|em|at|aktualisiert|mis à jour|"
                         r"actualizado|aggiornato|atualizado)\b.*$", re.IGNORECASE)
#: Names that are roles or site furniture, never a person credited as author.
_NOT_NAMES = frozenset({"admin", "administrator", "redaktion", "editor", "editors", "staff", "team", "guest",
                        "anonymous", "unknown", "share", "follow", "email", "more", "read more", "posted",
                        "comments", "comment", "home", "menu", "login", "about", "contact"})



def fold_words(s: str) -> list[str]:
    """Case-folded ``\\w+`` words of ``s`` (NFKC)."""
    return _WORD.findall(unicodedata.normalize("NFKC", s).casefold())


def folded(s: str) -> str:
    return " ".join(fold_words(s))


# -- site names and titles -------------------------------------------------------------------------
def host_label(url: str | None) -> str | None:
    """The registrable label of the URL's host (``www.newegg.com`` -> ``newegg``), at least 4 letters."""
    parts = split_url(url)
    if parts is None:
        return None
    host = (parts.hostname or "").lower()
    parts = [p for p in host.split(".") if p and p not in ("www", "m", "amp", "web")]
    if len(parts) >= 3 and len(parts[-2]) <= 3:  # example.co.uk
        parts = parts[:-1]
    label = parts[-2] if len(parts) >= 2 else (parts[0] if parts else "")
    label = re.sub(r"[^a-z0-9]", "", label)
    return label if len(label) >= 4 else None


def is_site_part(part: str, sites: Iterable[str], host: str | None) -> bool:
    """Whether a title part names the site (a declared site name, or the URL's host label)."""
    f = folded(part)
    if not f:
        return False
    squashed = f.replace(" ", "")
    for site in sites:
        fs = folded(site)
        if fs and (f == fs or squashed == fs.replace(" ", "")):
            return True
    return bool(host and (host in squashed or (len(squashed) >= 4 and squashed in host)))


def strip_site(title: str, sites: Iterable[str], host: str | None = None,
               sections: Iterable[str] = ()) -> str:
    """``title`` without leading / trailing parts naming the site, and section names next to them."""
    sites = [s for s in sites if s]
    pieces = _TITLE_SEP.split(title)
    parts, seps = pieces[0::2], pieces[1::2]
    if len(parts) < 2:
        return title
    section_folds = {folded(s) for s in sections if s}
    lo, hi = 0, len(parts)
    removed_end = removed_start = False
    while hi - lo > 1 and is_site_part(parts[hi - 1], sites, host):
        hi -= 1
        removed_end = True
    while hi - lo > 1 and is_site_part(parts[lo], sites, host):
        lo += 1
        removed_start = True
    head_words = max(len(fold_words(p)) for p in parts[lo:hi])
    while hi - lo > 1 and (removed_end or section_folds):
        last = parts[hi - 1]
        n = len(fold_words(last))
        if folded(last) in section_folds or (removed_end and n <= SECTION_MAX_WORDS < head_words
                                             and seps[hi - 2].strip() in ("|", "·", "•", "»", "-", "–", "—")):
            hi -= 1
            continue
        break
    if removed_start and hi - lo > 1 and folded(parts[lo]) in section_folds:
        lo += 1
    out = parts[lo]
    for i in range(lo + 1, hi):
        out += seps[i - 1] + parts[i]
    return out.strip() or title


def _cover(words: list[str], other: set[str]) -> float:
    return sum(w in other for w in words) / len(words) if words else 0.0


def choose_headline(declared: list[str], visible: list[str], sites: Iterable[str], host: str | None,
                    sections: Iterable[str] = ()) -> str | None:
    """The title: the visible headline matching a declared title, else the first declared title.

    ``declared`` in priority order (JSON-LD headline, OpenGraph, ``<title>``), ``visible`` the
    headline-like elements' texts in page order (``<h1>`` first). Declared titles lose their
    site-name parts. A visible text matches when most of its words are in a declared title and most
    of that title's words are in it (so a kicker or site name on either side does not matter).
    """
    sites = list(sites)
    site_folds = {folded(s) for s in sites if s}
    cleaned = [strip_site(unescape(t), sites, host, sections) for t in declared if t]
    best: tuple[float, int] | None = None
    chosen = None
    titles = [(tw, set(tw)) for tw in (fold_words(t) for t in cleaned + [unescape(t) for t in declared if t]) if tw]
    for order, text in enumerate(visible):
        words = fold_words(text)
        if not words or len(words) > MAX_HEADLINE_WORDS or " ".join(words) in site_folds:
            continue
        text_words = set(words)
        for tw, title_words in titles:
            a, b = _cover(words, title_words), _cover(tw, text_words)
            if a >= HEADLINE_COVER and b >= TITLE_COVER:
                key = (a + b, -order)
                if best is None or key > best:
                    best, chosen = key, text
    if chosen is not None:
        return chosen
    return cleaned[0] if cleaned else None


def headline_candidates(root, limit: int = 20, scan: PageScan | None = None) -> list[str]:
    """Texts of ``<h1>`` elements, then of ``itemprop=headline`` / title-class elements, in page order."""
    found = (scan or PageScan(root)).headlines[: 4 * limit]
    out: list[str] = []
    for el in [el for el, h1 in found if h1] + [el for el, h1 in found if not h1]:
        text = text_of(el)
        if text and len(text) <= 400 and text not in out:
            out.append(text)
        if len(out) >= limit:
            break
    return out


def text_of(el, sep: str = "") -> str | None:
    """Text of ``el``, whitespace-collapsed; ``sep`` goes between its text pieces ("<a>Name</a>Posts")."""
    try:
        s = " ".join(sep.join(el.itertext()).split())
    except (ValueError, AttributeError):
        return None
    return s or None


# -- authors ----------------------------------------------------------------------------------------
def clean_authors(values: Iterable[str]) -> list[str]:
    """Author strings (byline text, ``<meta name=author>``, JSON-LD names) -> clean person names."""
    out: list[str] = []
    for value in values:
        for name in split_names(value):
            if name.casefold() not in {n.casefold() for n in out}:
                out.append(name)
    return out


def split_names(value: str) -> list[str]:
    """One credit string -> the names in it (lead-ins, dates, roles and credentials removed)."""
    s = " ".join(unescape(value).split())
    s = _cut_date(s)
    names = []
    for part in _NAME_SPLIT.split(s):
        part = _lead_in(part.strip(" :-–—()[]")).strip(" :-–—()[].")
        part = _STOP_AFTER.sub("", part).strip(" ,:-–—")
        if is_name(part):
            names.append(part)
    return names


_GLUED_BY = re.compile(r"^((?:posted|written|published)\s*by)(?=[A-Z])", re.IGNORECASE)


def _lead_in(s: str) -> str:
    s = _GLUED_BY.sub(r"\1 ", s)
    for _ in range(2):  # "Text und Fotos von ..." -> two lead-ins at most
        s = _LEAD_IN_LOWER.sub("", _LEAD_IN.sub("", s)).strip()
    return s


def _cut_date(s: str) -> str:
    """Text before the first date or time in ``s`` (a byline reads "Name · 3 May 2024 · 4 min read")."""
    cut = len(s)
    for rx, _ in TEXT_DATES:
        m = rx.search(s)
        if m:
            cut = min(cut, m.start())
    m = re.search(r"\b\d{1,2}[:.]\d{2}\b|\b\d+\s*(?:min|minutes?|minuten|mins)\b", s, re.IGNORECASE)
    if m:
        cut = min(cut, m.start())
    return s[:cut]


def is_name(part: str) -> bool:
    """Whether ``part`` can be a person's (or credited organisation's) name; one-word user names may hold digits."""
    if not part or len(part) > MAX_NAME_CHARS or _URLISH.search(part) or _DOTTED.search(part):
        return False
    if _HAS_DIGIT.search(part) and (" " in part or not _HANDLE_NAME.match(part)):
        return False
    if _CREDENTIAL.match(part) or part.casefold() in _NOT_NAMES:
        return False
    words = part.split()
    return 1 <= len(words) <= MAX_NAME_WORDS and any(ch.isalpha() for ch in part)


_NO_MARK_TAGS = frozenset({"script", "style", "meta", "link", "head", "title", "html", "body"})
_NO_HEADLINE_TAGS = frozenset({"script", "style", "head", "title", "meta"})
_HEADLINE_TAGS = frozenset({"h2", "div", "span", "p", "header"})
_CREDIT_START_TAGS = frozenset({"div", "p", "span", "header"})
_NO_DATE_TAGS = frozenset({"script", "style", "head", "a"})
#: ``itemprop`` values of an element showing the publication date.
_DATE_PROPS = frozenset({"datepublished", "datecreated", "uploaddate"})
#: Tags :class:`PageScan` looks at even without class / id flags or ``itemprop`` (links, ``<h1>``, ``<h2>``).
_SCAN_TAGS = frozenset({"a", "h1", "h2", "time"})


class PageScan:
    """The elements the byline, headline, credit-line and date searches look at, from one pass over the tree.

    Page order throughout. ``marked``: ``(element, kind)`` of every element crediting an author
    (``kind`` ``"itemprop"`` for ``itemprop=author|creator``, else ``"marked"``: ``rel=author``, a
    link into an ``/author/`` path, byline class / id words); ``headlines``: ``(element, is_h1)`` of
    ``<h1>`` and ``itemprop=headline`` / title-classed elements; ``credit_starts``: ``<h1>``, ``<h2>``
    and title-classed blocks; ``dated``: ``(node index, element)`` of date-classed elements;
    ``date_props``: elements (not ``<meta>``) marked ``itemprop=datePublished|dateCreated|uploadDate``;
    ``times``: ``<time>`` elements.
    """

    __slots__ = ("credit_starts", "date_props", "dated", "headlines", "marked", "times")

    def __init__(self, root) -> None:
        marked: list[tuple[object, str]] = []
        headlines: list[tuple[object, bool]] = []
        credit_starts: list = []
        dated: list[tuple[int, object]] = []
        date_props: list = []
        times: list = []
        flags_of = CLASS_FLAGS.get
        for i, el in enumerate(root.iter()):
            tag = el.tag
            if not isinstance(tag, str):
                continue
            get = el.get
            cls, ident, itemprop = get("class"), get("id"), get("itemprop")
            flags = 0
            if cls:
                flags = flags_of(cls)
                if flags is None:
                    flags = class_flags(cls)
            if ident:
                more = flags_of(ident)
                flags |= class_flags(ident) if more is None else more
            if not flags and not itemprop and tag not in _SCAN_TAGS:  # most elements: only rel=author can mark it
                if tag not in _NO_MARK_TAGS and (rel := get("rel")) and "author" in rel.lower().split():
                    marked.append((el, "marked"))
                continue
            if tag not in _NO_MARK_TAGS:
                kind = None
                if itemprop:
                    props = itemprop.lower().split()
                    if "author" in props or "creator" in props:
                        kind = "itemprop"
                    elif not _DATE_PROPS.isdisjoint(props):
                        date_props.append(el)
                if kind is None:
                    rel = get("rel")
                    if rel and "author" in rel.lower().split():
                        kind = "marked"
                    elif tag == "a" and (href := get("href")) and _AUTHOR_PATH.search(href.lower()):
                        kind = "marked"
                    elif flags & BYLINE_FLAG:
                        kind = "marked"
                if kind is not None:
                    marked.append((el, kind))
            if tag == "time":
                times.append(el)
            if tag == "h1":
                headlines.append((el, True))
                credit_starts.append(el)
            else:
                if tag == "h2" or (flags & HEADLINE_FLAG and tag in _CREDIT_START_TAGS):
                    credit_starts.append(el)
                if tag not in _NO_HEADLINE_TAGS and ((itemprop and itemprop.lower() == "headline")
                                                     or (flags & HEADLINE_FLAG and tag in _HEADLINE_TAGS)):
                    headlines.append((el, False))
            if flags & DATE_FLAG and tag not in _NO_DATE_TAGS:
                dated.append((i, el))
        self.marked, self.headlines, self.credit_starts, self.dated = marked, headlines, credit_starts, dated
        self.date_props, self.times = date_props, times


@functools.cache
def _following_xpath(follow: int, axis: str = "following"):
    from lxml import etree

    return etree.XPath(f"{axis}::*[position() <= {int(follow)}]")


_AUTHOR_PATH = re.compile(r"/(?:author|authors|autor|autoren|auteur|autore|byline|profile/staff)/")


def byline_texts(root, limit: int = 8, scan: PageScan | None = None) -> list[str]:
    """Texts crediting the article's author(s), from marked elements.

    Marked: ``itemprop="author"`` (its ``itemprop="name"`` if any), ``rel="author"`` links, links into
    an ``/author/`` path, byline class words. The innermost marked element counts (a byline box
    holding an author link gives the link), never inside comments, author bios and similar regions,
    never longer than ``MAX_BYLINE_WORDS`` words. The first such element's text, plus every further
    ``itemprop="author"`` element when the first is one (co-authors marked one by one).
    """
    marked = (scan or PageScan(root)).marked
    holds_marked: set = set()  # ancestors of marked elements (lxml keeps one proxy per live node)
    for el, _ in marked:
        node = el.getparent()
        while node is not None and node not in holds_marked:
            holds_marked.add(node)
            node = node.getparent()
    found: list[tuple[str, object]] = []
    for el, kind in marked:
        if el in holds_marked or in_excluded_region(el):
            continue
        if kind == "itemprop":
            names = [n for n in el.iter() if (n.get("itemprop") or "").lower() == "name"]
            if names:
                el = names[0]
        text = text_of(el, " ")
        if not text or len(text.split()) > MAX_BYLINE_WORDS or not split_names(text):
            continue
        found.append((kind, text))
        if len(found) >= limit:
            break
    if not found:
        return []
    if found[0][0] == "itemprop":
        return [t for k, t in found if k == "itemprop"]
    return [found[0][1]]


def lead_in_lines(root, limit: int = 400) -> list[str]:
    """The first short block that opens with a credit lead-in ("By …", "Von …", "Ein Artikel von …")."""
    for i, el in enumerate(root.iter("p", "div", "span", "li", "em", "strong", "address", "td")):
        if i >= limit * 10:
            break
        head = (el.text or "").strip()
        if not head or not _STRONG_LEAD_IN.match(head) or in_excluded_region(el):
            continue
        text = text_of(el, " ")
        if text and len(text.split()) <= MAX_BYLINE_WORDS // 2 and split_names(text):
            return [text]
    return []


def dated_credit_line(root, headline: str | None, follow: int = 12, scan: PageScan | None = None) -> list[str]:
    """Names in the short "date · Name · 5 min read" line right after the headline, if there is one.

    Looks at the ``follow`` elements after the element showing ``headline``; a line qualifies when
    it is split by ``·``, ``•`` or ``|``, one part is a date and another reads as a name (2-4
    capitalised words).
    """
    if not headline:
        return []
    target = folded(headline)
    start = None
    for el in (scan or PageScan(root)).credit_starts:
        t = text_of(el)
        if t and folded(t) == target:
            start = el
            break
    if start is None:
        return []
    for el in _following_xpath(follow)(start):
        if not isinstance(el.tag, str) or el.tag in ("script", "style"):
            continue
        text = text_of(el, " ")
        if not text or len(text.split()) > MAX_BYLINE_WORDS:
            continue
        parts = [p.strip() for p in re.split(r"\s[·•|]\s", text)]
        if len(parts) < 2 or not any(date_in_text(p) for p in parts):
            continue
        names = [p for p in parts if _CAPITALISED_NAME.match(p) and is_name(p)]
        if names:
            return names[:1]
    return []


_CAPITALISED_NAME = re.compile(r"^[^\W\d_][^\s\d]*(?:\s+(?:[a-z]{1,3}\s+)?[^\W\d_][^\s\d]*){1,3}$")


_STRONG_LEAD_IN = re.compile(r"^(?:(?:written|posted|published|text|words|story)\s*by|by|von|par|por|"
                             r"(?:ein\s+)?(?:artikel|beitrag|text|bericht)\s+von|geschrieben\s+von|"
                             r"verfasst\s+von|di|της|του|автор)\b[:\s]*(?:[^\W\d_]|$)", re.IGNORECASE)


_EXCLUDED_TAGS = frozenset({"footer", "nav", "aside", "form", "blockquote"})
#: For dates: not ``<form>`` (some sites wrap the whole page in one).
_EXCLUDED_DATE_TAGS = frozenset({"footer", "nav", "aside", "blockquote"})
#: Ancestors :func:`in_excluded_region` looks at.
EXCLUDED_REGION_DEPTH = 12


def in_excluded_region(el, *, dates: bool = False) -> bool:
    """Whether ``el`` sits in comments, an author bio, a footer, navigation or a similar region.

    Regions are footer / nav / aside / form / blockquote elements and elements whose class / id
    words mark them, unless they hold an ``<h1>`` ("sticky-sidebar-parent" around the article).

    ``dates``: the narrower regions whose dates are not the article's
    (:data:`~corpus.annotate.preannotate.class_words.NOT_DATE_WORDS`).
    """
    tags, excluding = (_EXCLUDED_DATE_TAGS, excluding_date_class) if dates else (_EXCLUDED_TAGS, excluding_class)
    node = el
    for _ in range(EXCLUDED_REGION_DEPTH):
        if node is None or not isinstance(node.tag, str):
            break
        if node.tag in tags:
            return True
        cls, ident = node.get("class"), node.get("id")
        if (cls or ident) and excluding(f"{cls or ''} {ident or ''}") and node.find(".//h1") is None:
            return True  # a region holding the headline is the article, whatever its class says
        node = node.getparent()
    return False


# -- dates ------------------------------------------------------------------------------------------
def date_elements(root, limit: int = 4000, scan: PageScan | None = None) -> Iterator[str]:
    """Texts (and ``title`` / ``datetime``-like attributes) of short date-classed elements, page order.

    Only among the first ``limit`` nodes of the tree.
    """
    for i, el in (scan or PageScan(root)).dated:
        if i >= limit:
            return
        for attr in ("datetime", "content", "title", "data-date"):
            v = el.get(attr)
            if v:
                yield v
        text = text_of(el, " ")
        if text and len(text.split()) <= MAX_DATE_LINE_WORDS and not in_excluded_region(el, dates=True):
            yield text


#: Elements after / before the headline whose own text :func:`headline_date` reads.
HEADLINE_DATE_FOLLOW, HEADLINE_DATE_PRECEDE = 25, 6


def headline_date(scan: PageScan) -> str | None:
    """A date written next to the headline: in the own text (and tail) of the first ``<h1>`` (else
    headline-classed element) and of the :data:`HEADLINE_DATE_FOLLOW` elements after it, else of the
    :data:`HEADLINE_DATE_PRECEDE` elements before it ("Samstag, 5. Oktober 2013", "Paddy · April 19, 2019")."""
    heads = scan.headlines
    start = next((el for el, is_h1 in heads if is_h1), heads[0][0] if heads else None)
    if start is None:
        return None
    date = date_in_text(start.tail or "")
    if date:
        return date
    for axis, n in (("following", HEADLINE_DATE_FOLLOW), ("preceding", HEADLINE_DATE_PRECEDE)):
        for el in _following_xpath(n, axis)(start):
            if not isinstance(el.tag, str) or el.tag in ("script", "style"):
                continue
            date = date_in_text(el.text or "") or date_in_text(el.tail or "")
            if date:
                return date
    return None


#: Characters of body text :func:`page_text_date` reads at most.
PAGE_DATE_CHARS = 20_000


@functools.cache
def _body_texts():
    from lxml import etree

    return etree.XPath("//body//text()[not(parent::script or parent::style or parent::noscript)]",
                       smart_strings=False)


def page_text_date(root, limit: int = PAGE_DATE_CHARS) -> str | None:
    """The first date written in the first ``limit`` characters of the page's body text (scripts and
    styles left out): the last resort."""
    try:
        texts = _body_texts()(root)
    except (ValueError, TypeError):
        return None
    size = 0
    for t in texts:
        date = date_in_text(t)
        if date:
            return date
        size += len(t)
        if size >= limit:
            break
    return None
