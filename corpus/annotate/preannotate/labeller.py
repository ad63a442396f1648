"""The rule labeller (``preannotate(..., labeller="rules")``): main-content extraction aligned onto blocks,
plus structure cues. The default labeller is the learned one (:mod:`corpus.annotate.preannotate.learned`),
which reuses this module's cues and text rules.

How a block gets its label (first rule that applies):

1. ``title`` — the first block (``<h1>`` preferred) whose text matches the page's title
   (JSON-LD headline, ``og:title``, ``<title>``, first ``<h1>``).
2. Boilerplate region — the nearest ancestor with a boilerplate cue: ARIA landmark roles,
   HTML5 ``nav``/``header``/``footer``/``aside``, schema.org ``WP*`` types, class/id words
   (cookie, related, share, comments, advert, paywall, breadcrumb, ...). A cue on an ancestor that
   holds most of the extracted main text is ignored (it is the article container, not a widget).
3. ``caption`` / ``byline`` — ``figcaption``/``caption`` and byline/author/date cues near the block.
4. ``body`` — the block's text is covered by the main-content extractor's output (trafilatura),
   measured as the share of its token 3-grams (including the ones that reach into its neighbours,
   so short blocks are judged in context) found in the extraction; ``comments`` likewise for the
   extractor's comment section.
5. Fallback — link-dense blocks ``navigation``; short blocks before the headline ``header``;
   copyright lines after the article ``footer``; everything else ``other``.

Without trafilatura (``extract`` extra missing) step 4 uses a structural stand-in: paragraph-like
blocks (sentences, few links) inside the article container.
"""

from __future__ import annotations

import copy
import functools
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

from corpus.model import Block

LABELLER_NAME = "corpus-labeller"
LABELLER_VERSION = "1.0.0"

#: Token n-gram size used to align extractor output onto blocks.
SHINGLE = 3
#: Share of a block's n-grams that must be found in the extraction for it to count as extracted.
COVERAGE_MIN = 0.5
#: A cue-bearing ancestor holding at least this share of the extracted text is a content container.
CONTAINER_SHARE = 0.5
#: Words at most in a block that a byline/caption/header cue may label.
SHORT_BLOCK_WORDS = 40

_TOKEN = re.compile(r"\w+")
_WORD_SPLIT = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SENTENCE_END = re.compile(r"[.!?…:;\"'»”)]\s*$")
_COPYRIGHT = re.compile(r"©|\(c\)\s*\d{4}|copyright|all rights reserved|impressum|imprint|datenschutz|privacy policy",
                        re.IGNORECASE)

# Lead-ins of in-article teaser links ("Read more: ...") and of photo credits, in common languages.
_RELATED_LEADIN = re.compile(
    r"^\W{0,3}(?:read (?:more|also)|also read|see also|related(?: articles?| stories| content)?|more on this"
    r"|you (?:may|might) (?:also )?(?:like|be interested)|recommended|lea (?:también|más|además)|lea|vea también"
    r"|le puede interesar|te puede interesar|lee también|leia (?:também|mais)|veja também|lire aussi|à lire aussi"
    r"|voir aussi|lesen sie (?:auch|hier|mehr)|auch lesen|mehr zum thema|mehr dazu|weitere artikel|schon gelesen"
    r"|das könnte (?:dich|sie) auch interessieren|zum weiterlesen|mehr themen|leggi anche|czytaj (?:też|także)"
    r"|lees ook|läs också|les også|læs også)\b\s*(?:[:»›>|?.!-]|$)",
    re.IGNORECASE,
)
_CREDIT_LEADIN = re.compile(
    r"^\W{0,2}(?:foto|fotos|photo|photos|bild|bilder|titelbild|image|picture|crédits? photos?|credits?|copyright"
    r"|quelle|source|fuente|©)\s*:", re.IGNORECASE)
#: Words at most in a block that a text lead-in may label.
LEADIN_MAX_WORDS = 25

BOILERPLATE = frozenset({"navigation", "header", "footer", "advertisement", "related", "paywall", "social",
                         "comments", "other"})

_ROLE_CUES = {
    "navigation": "navigation", "menu": "navigation", "menubar": "navigation", "tablist": "navigation",
    "banner": "header", "search": "header", "contentinfo": "footer", "complementary": "related",
    "dialog": "other", "alertdialog": "other", "alert": "other",
}
_ITEMTYPE_CUES = {
    "wpheader": "header", "wpfooter": "footer", "wpadblock": "advertisement",
    "sitenavigationelement": "navigation", "wpsidebar": "related", "comment": "comments",
    "breadcrumblist": "navigation",
}
_TAG_CUES = {"nav": "navigation", "aside": "related", "header": "header", "footer": "footer",
             "form": "other", "button": "other", "select": "other", "menu": "navigation", "dialog": "other"}
# class / id words -> label; a word matches when a class/id token equals it or starts with it (stems).
_WORD_CUES: tuple[tuple[str, str, bool], ...] = (
    # (word, label, prefix match?)
    ("cookie", "other", True), ("consent", "other", True), ("gdpr", "other", False), ("cmp", "other", False),
    ("modal", "other", False), ("popup", "other", False), ("overlay", "other", False), ("alert", "other", False),
    ("related", "related", True), ("recommend", "related", True), ("mostread", "related", False),
    ("popular", "related", True), ("trending", "related", False), ("outbrain", "related", True),
    ("taboola", "related", True), ("moreartic", "related", True), ("morestories", "related", True),
    ("alsoread", "related", False), ("readmore", "related", False), ("sidebar", "related", True),
    ("paywall", "paywall", True), ("subscribe", "paywall", True), ("subscription", "paywall", True),
    ("regwall", "paywall", True), ("metered", "paywall", False), ("piano", "paywall", False),
    ("share", "social", True), ("sharing", "social", False), ("social", "social", True),
    ("sociallinks", "social", False), ("follow", "social", False), ("shariff", "social", False),
    ("addthis", "social", True), ("sharethis", "social", True),
    ("comment", "comments", True), ("disqus", "comments", True), ("respond", "comments", False),
    ("replies", "comments", False), ("discussion", "comments", False),
    ("ad", "advertisement", False), ("ads", "advertisement", False), ("advert", "advertisement", True),
    ("adslot", "advertisement", True), ("adunit", "advertisement", True), ("dfp", "advertisement", False),
    ("sponsor", "advertisement", True), ("promo", "advertisement", True), ("newsletter", "advertisement", True),
    ("banner", "advertisement", False), ("anzeige", "advertisement", True), ("werbung", "advertisement", True),
    ("breadcrumb", "navigation", True), ("menu", "navigation", True), ("nav", "navigation", False),
    ("navbar", "navigation", False), ("navigation", "navigation", False), ("pagination", "navigation", False),
    ("pager", "navigation", False), ("tagcloud", "navigation", False), ("tags", "navigation", False),
    ("toolbar", "navigation", False), ("skip", "navigation", False), ("prevnext", "navigation", False),
    ("masthead", "header", False), ("topbar", "header", False), ("header", "header", False),
    ("footer", "footer", True), ("colophon", "footer", False), ("copyright", "footer", False),
    ("caption", "caption", True), ("figcaption", "caption", False), ("credit", "caption", True),
    ("wp-caption-text", "caption", False),
    ("byline", "byline", True), ("author", "byline", True), ("dateline", "byline", False),
    ("date", "byline", False), ("pubdate", "byline", False), ("published", "byline", False),
    ("timestamp", "byline", False), ("posted", "byline", True), ("time", "byline", False),
)
#: Words a prefix cue must not match ("commentary" is an article genre, not a comment thread).
_PREFIX_EXCEPTIONS = frozenset({"commentary", "commentaries", "shareholder", "shareholders", "authority",
                                "authorities", "authorised", "authorized", "promotional-article"})
_WORD_EXACT = {w: lab for w, lab, prefix in _WORD_CUES if not prefix}
_WORD_PREFIX = tuple((w, lab) for w, lab, prefix in _WORD_CUES if prefix)
# the first stem (in _WORD_CUES order) a word starts with: regex alternatives are tried in order
_PREFIX_RE = re.compile("|".join(re.escape(w) for w, _ in _WORD_PREFIX))
_PREFIX_LABEL = dict(_WORD_PREFIX)
_FINE = frozenset({"caption", "byline"})
_BODY_HINTS = frozenset({"articlebody", "article-body", "articletext", "article-text", "entry-content",
                         "post-content", "story-body", "storybody", "post-body", "postbody", "article-content",
                         "text-content", "main-content", "content-body", "bodytext", "body-text"})


@functools.cache
def trafilatura_version() -> str | None:
    """Installed trafilatura version (looked up once per process: the lookup scans site-packages)."""
    try:
        return version("trafilatura")
    except PackageNotFoundError:
        return None


def labeller_tool() -> str:
    """Provenance string, e.g. ``corpus-labeller@1.0.0+trafilatura-2.3.1``."""
    tv = trafilatura_version()
    base = f"{LABELLER_NAME}@{LABELLER_VERSION}"
    return f"{base}+trafilatura-{tv}" if tv else f"{base}+structure-only"


# -- text helpers ----------------------------------------------------------------------------------
def _tokens(s: str) -> list[str]:
    if s.isascii():  # casefold is lower() on ASCII, and lowering cannot split or merge tokens there
        return _TOKEN.findall(s.lower())
    return [t.casefold() for t in _TOKEN.findall(s)]


def _canon(s: str) -> str:
    return " ".join(_tokens(s if s.isascii() else unicodedata.normalize("NFKC", s)))


def _ngrams(tokens: Sequence[str], k: int) -> Iterator[tuple[str, ...]]:
    """``tuple(tokens[i : i + k])`` for every ``i`` in ``range(len(tokens) - k + 1)``."""
    return zip(*(tokens[i:] for i in range(k)), strict=False)


def _shingles(tokens: Sequence[str], k: int = SHINGLE) -> set[tuple[str, ...]]:
    if not tokens:
        return set()
    if len(tokens) < k:
        return {tuple(tokens)}
    return set(_ngrams(tokens, k))


def _coverage(block_tokens: Sequence[Sequence[str]], extracted: set[tuple[str, ...]]) -> list[float]:
    """Per block: share of the token n-grams touching it that occur in the extraction."""
    stream: list[str] = []
    spans: list[tuple[int, int]] = []
    for toks in block_tokens:
        spans.append((len(stream), len(stream) + len(toks)))
        stream.extend(toks)
    n = len(stream)
    out: list[float] = []
    if not extracted or n == 0:
        return [0.0] * len(block_tokens)
    if n < SHINGLE:
        hit = 1.0 if tuple(stream) in extracted else 0.0
        return [hit if a < b else 0.0 for a, b in spans]
    present = [g in extracted for g in _ngrams(stream, SHINGLE)]
    for a, b in spans:
        if a == b:
            out.append(0.0)
            continue
        lo, hi = max(0, a - SHINGLE + 1), min(n - SHINGLE, b - 1)
        window = present[lo : hi + 1]
        inside = present[a : max(a, b - SHINGLE + 1)]  # n-grams wholly inside the block
        cov = sum(window) / len(window) if window else 0.0
        if inside:
            cov = max(cov, sum(inside) / len(inside))
        out.append(cov)
    return out


# -- structure cues --------------------------------------------------------------------------------
def element_cue(el) -> str | None:
    """Label suggested by one element's tag, role, itemtype, class or id (``body`` for article-body hints)."""
    cue = _head_cue(el.tag if isinstance(el.tag, str) else "", el.get("role"), el.get("itemprop"), el.get("itemtype"))
    if cue is not None:
        return cue
    # class/id words, token by token: an article-body hint anywhere wins, else the first cue word
    label = None
    for attr in ("class", "id"):
        v = el.get(attr)
        if not v:
            continue
        for chunk in v[:300].split():
            hint, lab = _chunk_cue(chunk)
            if hint:
                return "body"
            label = label or lab
    return label


@functools.lru_cache(maxsize=1 << 14)
def _head_cue(tag: str, role: str | None, itemprop: str | None, itemtype: str | None) -> str | None:
    """The cue of an element's role, itemprop, itemtype or tag, in that order of trust (None: look at
    its class and id)."""
    tag = tag.lower()
    role = (role or "").strip().lower()
    if role in _ROLE_CUES:
        return _ROLE_CUES[role]
    itemprop = (itemprop or "").lower()
    if itemprop in ("articlebody", "text"):
        return "body"
    itemtype = (itemtype or "").rstrip("/").rsplit("/", 1)[-1].lower()
    if itemtype in _ITEMTYPE_CUES:
        return _ITEMTYPE_CUES[itemtype]
    if tag in ("figcaption", "caption"):
        return "caption"
    if tag in _TAG_CUES:
        return _TAG_CUES[tag]
    if itemprop in ("author", "datepublished", "datemodified", "creator"):
        return "byline"
    return None


@functools.lru_cache(maxsize=1 << 16)
def _chunk_cue(chunk: str) -> tuple[bool, str | None]:
    """``(article-body hint?, label of its first cue word)`` of one whitespace-free class/id token; its
    words: the token lower-cased (camel case split with ``-``), its alphanumeric parts and, when there
    are several, the parts joined ("most-read" / "mostRead" -> "mostread")."""
    low = chunk.lower()
    if low != chunk:  # camel case needs an upper-case letter
        low = _CAMEL.sub("-", chunk).lower()
    parts = [w for w in _WORD_SPLIT.split(low) if w]
    words = [low, *parts, "".join(parts)] if len(parts) > 1 else [low, *parts]
    hint = not _BODY_HINTS.isdisjoint(words)
    for w in words:
        lab = _WORD_EXACT.get(w)
        if lab:
            return hint, lab
        if w in _PREFIX_EXCEPTIONS:
            continue
        m = _PREFIX_RE.match(w)
        if m:
            return hint, _PREFIX_LABEL[m.group()]
    return hint, None


@dataclass(frozen=True, slots=True)
class _Cues:
    region: str | None  # nearest trusted boilerplate cue
    fine: str | None  # caption / byline cue near the block
    in_article: bool
    body_hint: bool


def _ancestor_chain(el, limit: int = 64) -> list:
    chain = []
    while el is not None and len(chain) < limit:
        chain.append(el)
        el = el.getparent()
    return chain


def _block_cues(elements: Sequence, weights: Sequence[int]) -> list[_Cues]:
    """Cues per block; ``weights`` (extracted characters per block) decide which containers to trust."""
    total = sum(weights) or 0
    mass: dict[int, int] = {}
    chains = []
    for el, w in zip(elements, weights, strict=True):
        chain = _ancestor_chain(el)
        chains.append(chain)
        if w:
            for anc in chain:
                mass[id(anc)] = mass.get(id(anc), 0) + w
    cue_cache: dict[int, str | None] = {}
    out: list[_Cues] = []
    for chain in chains:
        region = fine = None
        in_article = body_hint = False
        for depth, anc in enumerate(chain):
            key = id(anc)
            if key not in cue_cache:
                cue_cache[key] = element_cue(anc)
            cue = cue_cache[key]
            tag = anc.tag.lower() if isinstance(anc.tag, str) else ""
            if tag in ("html", "body"):
                break
            if tag in ("article", "main") or cue == "body":
                in_article = True
                body_hint = body_hint or cue == "body"
            if cue is None or cue == "body":
                continue
            if cue in _FINE:
                # only cues below the article container: its own classes ("date-posts") say nothing
                if fine is None and region is None and depth <= 3 and not in_article:
                    fine = cue
                continue
            if region is not None:
                continue
            if total and mass.get(key, 0) >= CONTAINER_SHARE * total:
                continue  # holds most of the main text: a content container, not a widget
            if cue in ("header", "footer") and _inside_article(anc):
                cue = "article-" + cue
            region = cue
        out.append(_Cues(region, fine, in_article, body_hint))
    return out


def _inside_article(el) -> bool:
    for anc in _ancestor_chain(el.getparent()):
        tag = anc.tag.lower() if isinstance(anc.tag, str) else ""
        if tag in ("article", "main") or (anc.get("itemprop") or "").lower() == "articlebody":
            return True
    return False


def _link_density(el, cache: dict[int, float]) -> float:
    key = id(el)
    if key in cache:
        return cache[key]
    try:
        total = len(" ".join(el.text_content().split()))
        linked = sum(len(" ".join(a.text_content().split())) for a in el.iter("a"))
    except (ValueError, AttributeError):
        total, linked = 0, 0
    value = linked / total if total else 0.0
    cache[key] = value
    return value


# -- extraction ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Extraction:
    main: str
    comments: str


def run_trafilatura(source) -> Extraction | None:
    """Main text and comments of a page (decoded HTML string or lxml tree, never modified)."""
    try:
        import trafilatura
    except ImportError:
        return None
    if not isinstance(source, str):
        source = copy.deepcopy(source)
    try:
        doc = trafilatura.bare_extraction(source, include_comments=True, include_tables=True)
    except Exception:  # the extractor failing on a page must not sink the document
        return None
    if doc is None:
        return Extraction("", "")
    get = doc.get if isinstance(doc, dict) else lambda k: getattr(doc, k, None)
    return Extraction(get("text") or "", get("comments") or "")


# -- title -----------------------------------------------------------------------------------------
def _title_index(block_texts: Sequence[str], tags: Sequence[str | None], titles: Sequence[str],
                 limit: int) -> int | None:
    cands = [c for c in (_canon(t) for t in titles) if c]
    if not cands:
        return None
    best: tuple[int, int] | None = None
    for i, text in enumerate(block_texts[:limit]):
        c = _canon(text)
        if not c or len(c) > 400:
            continue
        score = 0
        for t in cands:
            if c == t:
                score = max(score, 3)
            elif len(c) >= 12 and (c in t or t in c) and min(len(c), len(t)) / max(len(c), len(t)) >= 0.5:
                score = max(score, 2)
        if not score:
            continue
        if tags[i] == "h1":
            score += 2
        elif tags[i] in ("h2", "h3"):
            score += 1
        if best is None or score > best[0]:
            best = (score, i)
    if best is None:
        return None
    return best[1]


# -- labelling -------------------------------------------------------------------------------------
def label_blocks(
    text: str,
    blocks: Sequence[Block],
    elements: Sequence | None = None,
    *,
    source=None,
    titles: Sequence[str] = (),
) -> tuple[str, ...]:
    """One label per block.

    ``elements[i]`` is the lxml element of block ``i`` (``corpus.text.normalise.normalise_html_root``) and
    ``source`` the decoded HTML or parsed tree given to the extractor; without them (text dumps) the
    labeller uses line-level text cues only (see ``_label_text_blocks``).
    """
    if not blocks:
        return ()
    texts = [text[b.start : b.end] for b in blocks]
    if elements is None or source is None:
        return _label_text_blocks(texts, titles)
    extraction = run_trafilatura(source)
    return _label(texts, [b.tag for b in blocks], list(elements), extraction, titles)


def _label(texts: list[str], tags: list[str | None], elements: list, extraction: Extraction | None,
           titles: Sequence[str]) -> tuple[str, ...]:
    toks = [_tokens(t) for t in texts]
    n = len(texts)
    if extraction is not None:
        main_cov = _coverage(toks, _shingles(_tokens(extraction.main)))
        com_cov = _coverage(toks, _shingles(_tokens(extraction.comments)))
    else:
        main_cov = com_cov = [0.0] * n
    main = [c >= COVERAGE_MIN for c in main_cov]
    comm = [c >= COVERAGE_MIN and not m for c, m in zip(com_cov, main, strict=True)]
    if extraction is None:  # weigh containers by their sentence-like text instead
        main = [len(tk) >= 15 and bool(_SENTENCE_END.search(t)) for tk, t in zip(toks, texts, strict=True)]
    weights = [len(t) if m else 0 for t, m in zip(texts, main, strict=True)]
    cues = _block_cues(elements, weights)
    if extraction is None:  # structural stand-in for the extractor
        main = [_paragraph_like(t, el, c) for t, el, c in zip(texts, elements, cues, strict=True)]
    link_cache: dict[int, float] = {}
    title_i = _title_index(texts, tags, titles, limit=max(50, n // 2))
    if title_i is None:  # no declared title matched: the first <h1> with words, if any
        title_i = next((i for i, t in enumerate(tags[: max(50, n // 2)]) if t == "h1" and toks[i]), None)

    labels: list[str] = []
    for i in range(n):
        c = cues[i]
        words = len(toks[i])
        if i == title_i:
            labels.append("title")
            continue
        region = c.region
        if region in ("article-header", "article-footer") or (region == "header" and main[i]):
            # an article's own header holds headline / byline / standfirst, its footer tags and share
            # links; "header" classes often mark a standfirst: trust the extractor there.
            region = None
        if region == "comments" and main[i] and words > LEADIN_MAX_WORDS:
            # the extractor separates comment threads itself; a long paragraph it keeps as main text
            # under a "comment" class is a forum post or live-ticker entry
            region = None
        if region is not None:
            labels.append(region)
            continue
        if c.fine is not None and words <= SHORT_BLOCK_WORDS:
            labels.append(c.fine)
            continue
        if main[i]:
            labels.append(_text_cue(texts[i], words) or "body")
            continue
        if comm[i]:
            labels.append("comments")
            continue
        labels.append(_fallback(texts[i], words, elements[i], link_cache, before_title=title_i is not None
                                and i < title_i))
    _fill_tokenless(labels, toks)
    return tuple(labels)


def _text_cue(text: str, words: int) -> str | None:
    """``related`` for teaser lead-ins ("Read more: ..."), ``caption`` for photo credits, else ``None``."""
    if words > LEADIN_MAX_WORDS:
        return None
    if _RELATED_LEADIN.match(text):
        return "related"
    if _CREDIT_LEADIN.match(text) or (text.startswith("©") and words <= 8):
        return "caption"
    return None


def _paragraph_like(text: str, el, cues: _Cues) -> bool:
    words = len(_TOKEN.findall(text))
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    if cues.region is not None and not cues.region.startswith("article-"):
        return False
    if tag in ("p", "blockquote", "pre", "li", "h2", "h3", "h4") and cues.in_article:
        return words >= 3
    return words >= 15 and bool(_SENTENCE_END.search(text))


def _fallback(text: str, words: int, el, link_cache: dict[int, float], *, before_title: bool) -> str:
    return _fallback_text(text, words, _link_density(el, link_cache), before_title=before_title)


def _fallback_text(text: str, words: int, link_density: float, *, before_title: bool) -> str:
    """Label of a block no rule claimed, from its text and the share of its characters in links."""
    if link_density >= 0.5 and words <= 60:
        return "navigation"
    cue = _line_cue(text, words)
    if cue is not None:
        return cue
    if _COPYRIGHT.search(text) and words <= 40:
        return "footer"
    if before_title and words <= 8:
        return "header"
    return "other"


def _fill_tokenless(labels: list[str], toks: Sequence[Sequence[str]]) -> None:
    """Blocks without a word (bullets, separators) take the label of a same-labelled neighbourhood."""
    for i, t in enumerate(toks):
        if t:
            continue
        prev = labels[i - 1] if i > 0 else None
        nxt = labels[i + 1] if i + 1 < len(labels) else None
        if prev is not None and prev == nxt:
            labels[i] = prev
        elif labels[i] == "body":
            labels[i] = "other"


# -- text dumps ------------------------------------------------------------------------------------
_PAYWALL_LINE = re.compile(r"\b(?:sign[ -]?in|sign[ -]?up|log[ -]?in|subscribe|subscription|subscriber|member(?:ship)?"
                           r"|free trial|days free|abonnieren|abo\b|anmelden|registrieren)\b", re.IGNORECASE)
_RELATED_LINE = re.compile(r"^(?:related|top stories|most (?:read|popular|viewed)|our picks|more (?:stories|news|from)"
                           r"|recommended|trending|weitere artikel|meistgelesen|das könnte)", re.IGNORECASE)
_AD_LINE = re.compile(r"^(?:advertisement|anzeige|werbung|sponsored|publicidad|publicité|download (?:the|our) app)",
                      re.IGNORECASE)
_SOCIAL_LINE = re.compile(r"^(?:share|share this|follow us|teilen|tweet|facebook|twitter|whatsapp|e-?mail)\b",
                          re.IGNORECASE)
#: A text line this long (words) that ends like a sentence anchors the article body of a text dump.
TEXT_BODY_WORDS = 12


def _line_cue(text: str, words: int) -> str | None:
    if words > LEADIN_MAX_WORDS:
        return None
    for rx, label in ((_AD_LINE, "advertisement"), (_RELATED_LINE, "related"), (_SOCIAL_LINE, "social"),
                      (_PAYWALL_LINE, "paywall")):
        if rx.search(text):
            return label
    if _COPYRIGHT.search(text):
        return "footer"
    return _text_cue(text, words)


def _label_text_blocks(texts: list[str], titles: Sequence[str]) -> tuple[str, ...]:
    """Text-only page dumps (one block per line): the article body is the run of lines between the
    first and last sentence-like paragraph; lines around it are labelled by text cues."""
    toks = [_tokens(t) for t in texts]
    strong = [(len(t) >= TEXT_BODY_WORDS and bool(_SENTENCE_END.search(s))) or len(t) >= 2 * TEXT_BODY_WORDS
              for t, s in zip(toks, texts, strict=True)]
    first = next((i for i, x in enumerate(strong) if x), None)
    last = max((i for i, x in enumerate(strong) if x), default=None)
    title_i = _title_index(texts, [None] * len(texts), titles, limit=50) if titles else None
    if title_i is None and first is not None:
        title_i = _guess_text_title(texts, toks, first)
    labels: list[str] = []
    for i, text in enumerate(texts):
        words = len(toks[i])
        is_title = i == title_i or (title_i is not None and title_i < i < (first if first is not None else i)
                                    and _canon(text) == _canon(texts[title_i]))
        if is_title:
            labels.append("title")
            continue
        inside = first is not None and last is not None and first <= i <= last
        cue = _line_cue(text, words) if not strong[i] else None
        if inside:
            labels.append(cue or "body")
        elif cue is not None:
            labels.append(cue)
        elif first is not None and i < first and words <= 8:
            labels.append("header")
        else:
            labels.append("other")
    _fill_tokenless(labels, toks)
    return tuple(labels)


def _guess_text_title(texts: Sequence[str], toks: Sequence[Sequence[str]], first_body: int) -> int | None:
    """The last headline-like line (4–30 words, no closing full stop) in the six lines before the
    first body line; of repeated copies (headline printed twice), the first."""
    for i in range(first_body - 1, max(0, first_body - 6) - 1, -1):
        words = len(toks[i])
        if 4 <= words <= 30 and not texts[i].rstrip().endswith("."):
            while i > 0 and _canon(texts[i - 1]) == _canon(texts[i]):
                i -= 1
            return i
    return None
