"""Block features for the learned labeller, from one page parsed by normaliser v2 (lexbor).

:func:`page_features` parses and normalises the page once and returns, next to the v2 text and
blocks, a ``float32`` matrix with one row per block and the columns of :data:`FEATURES`: the block's
tag, text and link density, punctuation, digit and stop-word ratios, position on the page, its
ancestors' tags and class/id words (and the structural cue of the nearest cue-bearing ancestor),
the text mass of its parent and grandparent, whether it lies in the page's densest paragraph
container, neighbour features, repetition of its text on the page and matches with the page title.
Every feature is computed from the page alone, deterministically.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from corpus.annotate.preannotate.labeller import (
    _SENTENCE_END,
    _canon,
    _tokens,
    element_cue,
)
from corpus.annotate.preannotate.learned.block_text import STOP_WORDS, char_counts, short_text_flags
from corpus.annotate.preannotate.learned.page_kind import PAGE_KIND_FEATURES, page_kind_columns
from corpus.model import Block
from corpus.text.normalise import fold, folder
from corpus.text.normalise_v2 import parse_and_walk_v2, parse_html_v2

#: Labels a structural cue can suggest (one-hot features, in this order).
CUE_LABELS = ("navigation", "header", "footer", "advertisement", "related", "paywall", "social", "comments",
              "other", "caption", "byline", "body")
#: Block tags with a column of their own; every other tag falls into ``tag_other``.
BLOCK_TAG_COLUMNS = ("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "blockquote", "pre",
                     "dd", "dt", "figcaption", "section", "article", "header", "footer", "nav", "aside", "form",
                     "table", "tr", "ul", "ol", "main", "address", "summary", "caption")
#: Ancestor tags whose presence above the block is a feature.
ANCESTOR_TAGS = ("article", "main", "nav", "header", "footer", "aside", "form", "figure", "table", "li", "section",
                 "ul", "ol", "blockquote", "details", "dialog")
#: Class/id words looked for on the block's element and its nearest ancestors.
CLASS_WORDS = ("content", "article", "post", "entry", "text", "body", "story", "main", "detail", "single",
               "sidebar", "widget", "menu", "nav", "footer", "header", "comment", "related", "share", "social",
               "ad", "promo", "breadcrumb", "tag", "meta", "author", "date", "caption", "title", "headline",
               "summary", "teaser", "card", "list", "item", "btn", "button", "link", "modal", "cookie",
               "newsletter", "subscribe", "hidden", "footnote", "toc", "review", "product", "price", "description",
               "question", "answer", "message", "thread", "reply", "user", "profile", "rating", "recipe",
               "instructions", "ingredients", "lead", "intro", "copy", "prose", "rich", "wysiwyg", "container",
               "wrapper", "row", "col", "grid", "label", "icon", "logo", "search", "form", "login", "sign")
#: How many ancestors (from the block's own element up) the class words and cue distance look at.
CLASS_DEPTH = 6
#: Ancestors walked at most per block (deeper documents are cut there).
MAX_CHAIN = 64
#: Neighbour offsets whose basic features are copied into a block's row.
NEIGHBOURS = (-2, -1, 1, 2)
#: Half-width of the window the windowed averages run over.
WINDOW = 4
#: A paragraph this long (words), ending like a sentence and with few links, anchors the text mass.
LONG_PARAGRAPH_WORDS = 12


#: Page-context columns computed from the other columns (:func:`context_columns`), after them.
CONTEXT_FEATURES = ("word_share", "words_before_share", "words_vs_max", "sig_count_log", "sig_word_share",
                    "sig_long_share", "sig_span", "page_long_log", "page_link_density", "page_li_share",
                    "price_text", "page_price_log", "heading_dist", "wide_long_share", "wide_link_density",
                    "code_char_ratio", "sig_long_count_log")
#: Half-width of the wide window of the page-context columns.
WIDE_WINDOW = 12
# a currency sign before or after the amount ("$19.99", "19,99 €"), or a currency code after it ("20 eur");
# a word boundary only after the codes (there is none after "€" at the end of a text)
_PRICE = re.compile(r"(?:[$€£¥₹]\s?\d|\d(?:[.,]\d{2})?\s?(?:[€£¥₹]|(?:eur|usd|gbp|chf|kr)\b))")
#: Characters that are frequent in program code and rare in prose (``code_char_ratio``).
_CODE_CHARS = "{}[]()<>;=_|\\"
_DROP_CODE = str.maketrans("", "", _CODE_CHARS)


def _names() -> tuple[str, ...]:
    names = ["log_words", "log_chars", "link_density", "punct_ratio", "digit_ratio", "upper_start", "sentence_end",
             "stop_ratio", "mean_word_len", "has_date", "byline_start", "copyright", "related_leadin",
             "credit_leadin", "ad_text", "social_text", "paywall_text", "cookie_text", "pos_block", "pos_char",
             "log_n_blocks", "log_page_words", "repeat_log", "title_exact", "title_overlap", "title_dist",
             "after_title", "in_long_span", "long_before_share", "long_after_share", "depth", "elem_blocks_log",
             "parent_words_log", "parent_blocks_log", "parent_link_density", "parent_long_share",
             "grand_words_log", "grand_blocks_log", "grand_link_density", "grand_long_share", "in_main_container",
             "main_container_depth_gap", "container_share", "cue_distance"]
    names += [f"tag_{t}" for t in BLOCK_TAG_COLUMNS] + ["tag_other"]
    names += [f"anc_{t}" for t in ANCESTOR_TAGS]
    names += [f"cue_{c}" for c in CUE_LABELS]
    names += [f"cls_{w}" for w in CLASS_WORDS]
    for k in NEIGHBOURS:
        side = f"m{-k}" if k < 0 else f"p{k}"
        names += [f"{side}_log_words", f"{side}_link_density", f"{side}_sentence_end", f"{side}_same_parent",
                  f"{side}_tag_p", f"{side}_tag_heading"]
    names += ["win_link_density", "win_log_words", "win_sentence_share"]
    names += list(CONTEXT_FEATURES)
    names += list(PAGE_KIND_FEATURES)
    return tuple(names)


#: Column names of the feature matrix, in order (recorded in the model file).
FEATURES: tuple[str, ...] = _names()
_COL = {n: i for i, n in enumerate(FEATURES)}
_TAG_COL = {t: _COL[f"tag_{t}"] for t in BLOCK_TAG_COLUMNS}
_ANC_COL = {t: _COL[f"anc_{t}"] for t in ANCESTOR_TAGS}
_CUE_COL = {c: _COL[f"cue_{c}"] for c in CUE_LABELS}
_CLS_COL = {w: _COL[f"cls_{w}"] for w in CLASS_WORDS}
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_WORD_SPLIT = re.compile(r"[^a-z]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_CLASS_WORD_SET = frozenset(CLASS_WORDS)
_CUE_SELECTOR = "[class], [id], [role], [itemtype], [itemprop], nav, header, footer, aside, form, menu, figcaption"


class _El:
    """The two things :func:`element_cue` reads from an element (tag and attributes) for a lexbor node."""

    __slots__ = ("attrs", "tag")

    def __init__(self, tag: str, attrs: dict) -> None:
        self.tag = tag
        self.attrs = attrs

    def get(self, key: str) -> str | None:
        v = self.attrs.get(key)
        return v if isinstance(v, str) else None


_cue_cache: dict[tuple, tuple[str | None, frozenset[str]]] = {}


def _cue_and_words(tag: str, attrs: dict) -> tuple[str | None, frozenset[str]]:
    key = (tag, attrs.get("class"), attrs.get("id"), attrs.get("role"), attrs.get("itemtype"), attrs.get("itemprop"))
    hit = _cue_cache.get(key)
    if hit is None:
        cue = element_cue(_El(tag, attrs))
        raw = " ".join(v for v in (attrs.get("class"), attrs.get("id")) if isinstance(v, str))[:300]
        hit = (cue, frozenset().union(*map(_token_class_words, raw.split())))
        if len(_cue_cache) < 200_000:
            _cue_cache[key] = hit
    return hit


@functools.lru_cache(maxsize=1 << 16)
def _token_class_words(token: str) -> frozenset[str]:
    """The :data:`CLASS_WORDS` among the letter runs of one whitespace-free class/id token (camel case
    split; case and camel-case splitting act within a token, so a value's words are its tokens')."""
    low = token.lower()
    if low != token:  # camel case needs an upper-case letter
        low = _CAMEL.sub(" ", token).lower()
    return _CLASS_WORD_SET.intersection(_WORD_SPLIT.split(low))


@dataclass(frozen=True)
class PageFeatures:
    """The v2 text and blocks of a page, the block tags, the feature matrix and the page's titles."""

    text: str
    blocks: tuple[Block, ...]
    X: np.ndarray
    cues: tuple[str | None, ...]  # nearest structural cue per block (raw, for the label rules)
    titles: tuple[str, ...]
    title_index: int | None
    tokens: tuple[list[str], ...] | None = None  # per block, ``labeller._tokens`` of its text


def _titles(tree) -> list[str]:
    out = []
    t = tree.css_first("title")
    if t is not None:
        out.append(t.text(deep=True))
    for sel in ('meta[property="og:title"]', 'meta[name="twitter:title"]'):
        m = tree.css_first(sel)
        if m is not None and isinstance(m.attributes.get("content"), str):
            out.append(m.attributes["content"])
    return [fold(s) for s in out if s and fold(s)]


def page_features(html: str, extra_titles: Sequence[str] = ()) -> PageFeatures:
    """Parse and normalise ``html`` with normaliser v2 and compute every block's features.

    Raises :class:`corpus.errors.DocumentError` for markup v2 rejects (as normalising it would).
    """
    if not html.strip():
        return PageFeatures("", (), np.zeros((0, len(FEATURES)), np.float32), (), (), None)
    tree = parse_html_v2(html)
    titles = _titles(tree) + [fold(t) for t in extra_titles if t and fold(t)]  # before the walk prunes <head>
    kind = page_kind_columns(tree)
    _, (text, blocks, elements, walk) = parse_and_walk_v2(html, tree)
    n = len(blocks)
    X = np.zeros((n, len(FEATURES)), np.float32)
    if n == 0 or walk is None:
        return PageFeatures(text, blocks, X, (), tuple(titles), None)
    steps = walk.steps
    names = walk.names
    texts = [text[b.start : b.end] for b in blocks]
    toks = [_tokens(t) for t in texts]
    words = np.array([len(t) for t in toks], np.float64)
    chars = np.array([len(t) for t in texts], np.float64)
    total_words = float(words.sum()) or 1.0

    # ancestor chains (mem_ids, from the block element's parent upwards)
    chain_cache: dict[int, tuple[int, ...]] = {}

    def chain(e: int) -> tuple[int, ...]:
        """The ancestors of ``e`` (parent first, at most MAX_CHAIN), memoised up the tree."""
        hit = chain_cache.get(e)
        if hit is not None:
            return hit
        stack = []
        m = e
        while m in steps and m not in chain_cache:
            stack.append(m)
            m = steps[m][0]
        for x in reversed(stack):
            p = steps[x][0]
            chain_cache[x] = ((p, *chain_cache[p]))[:MAX_CHAIN] if p in steps else ()
        return chain_cache.get(e, ())

    # structural cues and class words of the attribute-bearing elements that hold a block
    needed = set(elements)
    for e in set(elements):
        needed.update(chain(e))
    cue_of: dict[int, str | None] = {}
    cls_of: dict[int, frozenset[str]] = {}
    for node in tree.root.css(_CUE_SELECTOR):
        if node.mem_id not in needed:
            continue
        cue, cw = _cue_and_words(node.tag, node.attributes)
        if cue is not None:
            cue_of[node.mem_id] = cue
        if cw:
            cls_of[node.mem_id] = cw

    # link characters per block element
    elem_set = set(elements)
    elem_chars: Counter[int] = Counter()
    for e, c in zip(elements, chars, strict=True):
        elem_chars[e] += int(c)
    link_chars: Counter[int] = Counter()
    anchors = [(a, t) for a in tree.root.css("a") if (t := a.text(deep=True)) and t.strip()]
    fold_ = folder([t for _, t in anchors])
    for a, t in anchors:
        m = a.mem_id
        for _ in range(MAX_CHAIN):
            if m in elem_set or m not in steps:
                break
            m = steps[m][0]
        if m in elem_set:
            link_chars[m] += len(fold_(t))
    link = np.array([min(1.0, link_chars[e] / elem_chars[e]) if elem_chars[e] else 0.0 for e in elements])

    sentence_end = np.array([bool(_SENTENCE_END.search(t)) for t in texts], np.float64)
    long_par = (words >= LONG_PARAGRAPH_WORDS) & (sentence_end > 0) & (link < 0.3)

    # text mass of long paragraphs per ancestor, and the densest container
    mass: Counter[int] = Counter()
    for i in np.flatnonzero(long_par):
        for anc in chain(elements[i]):
            mass[anc] += int(chars[i])
    total_mass = float(sum(int(chars[i]) for i in np.flatnonzero(long_par))) or 0.0
    best, best_depth = None, -1
    if total_mass:
        for anc, m in mass.items():
            if m >= 0.5 * total_mass:
                d = len(chain(anc))
                if d > best_depth:
                    best, best_depth = anc, d

    canon = [" ".join(tk) if t.isascii() else _canon(t) for t, tk in zip(texts, toks, strict=True)]
    repeats = Counter(canon)
    title_canon = [c for c in (_canon(t) for t in titles) if c]
    title_exact = np.zeros(n)
    title_overlap = np.zeros(n)
    title_sets = [set(c.split()) for c in title_canon]
    title_words = set().union(*title_sets)
    for i in range(min(n, 400)):
        c = canon[i]
        if not c or len(c) > 400:
            continue
        if c in title_canon:
            title_exact[i] = 1.0
        ws = set(c.split())
        if not ws.isdisjoint(title_words):  # else no overlap with any title (0, as initialised)
            title_overlap[i] = max(len(ws & s) / len(ws | s) for s in title_sets)
    tags = [b.tag or "" for b in blocks]
    title_index = _pick_title(title_exact, title_overlap, tags, n)
    long_idx = np.flatnonzero(long_par)
    first_long = int(long_idx[0]) if long_idx.size else n
    last_long = int(long_idx[-1]) if long_idx.size else -1
    cum_long = np.cumsum(np.where(long_par, chars, 0.0))
    long_total = float(cum_long[-1]) if n else 0.0

    anc_memo: dict[int, frozenset[int]] = {}

    def anc_cols(m: int) -> frozenset[int]:
        """Columns of the ancestor tags of ``m`` and above (memoised up the tree)."""
        stack = []
        while m in steps and m not in anc_memo:
            stack.append(m)
            m = steps[m][0]
        base = anc_memo.get(m, frozenset())
        for x in reversed(stack):
            col = _ANC_COL.get(names.get(steps[x][1], ""))
            base = base | {col} if col is not None else base
            anc_memo[x] = base
        return base

    half_mass = 0.5 * total_mass
    cue_memo: dict[int, tuple[str | None, int]] = {}

    def nearest_cue(m: int) -> tuple[str | None, int]:
        """Nearest structural cue at or above ``m`` and its distance; an element holding most of the
        paragraph text is a content container, not a widget, so its cue is passed over."""
        stack = []
        while m in steps and m not in cue_memo:
            cu = cue_of.get(m)
            if cu is not None and (cu == "body" or not total_mass or mass.get(m, 0) < half_mass):
                cue_memo[m] = (cu, 0)
                break
            stack.append(m)
            m = steps[m][0]
        found = cue_memo.get(m, (None, -1))
        for x in reversed(stack):
            found = (found[0], found[1] + 1) if found[0] is not None else found
            cue_memo[x] = found
        return found

    # per distinct block element (several blocks can share one): everything that depends on the element
    uniq = list(dict.fromkeys(elements))
    where = {e: j for j, e in enumerate(uniq)}
    inv = np.array([where[e] for e in elements], np.intp)
    elem_n = np.bincount(inv, minlength=len(uniq))
    cols = _COL
    E = np.zeros((len(uniq), len(FEATURES)))
    hot_r: list[int] = []
    hot_c: list[int] = []
    cue_u: list[str | None] = []
    par_u: list[int] = []
    grand_u: list[int] = []
    depth_u, dist_u, inside_u, gap_u, share_u = [], [], [], [], []
    cue_col = _CUE_COL
    cls_col = _CLS_COL
    for j, e in enumerate(uniq):
        ch = chain(e)
        par_u.append(ch[0] if ch else -1)
        grand_u.append(ch[1] if len(ch) > 1 else -1)
        depth_u.append(len(ch))
        if best is not None:
            inside = best == e or best in ch
            inside_u.append(1.0 if inside else 0.0)
            gap_u.append((len(ch) - best_depth) if inside else -1.0)
        share = 0.0
        if total_mass:
            for anc in ch[:3]:
                share = max(share, mass.get(anc, 0) / total_mass)
        share_u.append(share)
        hot = set(anc_cols(ch[0])) if ch else set()
        cue, cue_dist = nearest_cue(e)
        cue_u.append(cue)
        dist_u.append(cue_dist)
        if cue is not None:
            hot.add(cue_col[cue])
        for anc in (e, *ch[: CLASS_DEPTH - 1]):
            for wd in cls_of.get(anc, ()):
                hot.add(cls_col[wd])
        hot_r += [j] * len(hot)
        hot_c += hot
    E[hot_r, hot_c] = 1.0
    E[:, cols["depth"]] = depth_u
    E[:, cols["elem_blocks_log"]] = list(map(math.log, elem_n.tolist()))
    if best is not None:
        E[:, cols["in_main_container"]] = inside_u
        E[:, cols["main_container_depth_gap"]] = gap_u
    E[:, cols["container_share"]] = share_u
    E[:, cols["cue_distance"]] = dist_u
    X64 = E[inv]
    cues = [cue_u[j] for j in inv.tolist()]

    # text mass, block count and link density of the parent and grandparent, summed in block order
    par = np.array(par_u, np.int64)[inv]
    grand = np.array(grand_u, np.int64)[inv]
    link_mass = link * chars
    long_chars = np.where(long_par, chars, 0.0)
    for key, pre in ((par, "parent"), (grand, "grand")):
        _, k_inv = np.unique(key, return_inverse=True)
        k_inv = k_inv.ravel()
        g_words = np.bincount(k_inv, weights=words)[k_inv]
        g_blocks = np.bincount(k_inv)[k_inv]
        X64[:, cols[f"{pre}_words_log"]] = list(map(math.log1p, g_words.tolist()))
        X64[:, cols[f"{pre}_blocks_log"]] = list(map(math.log, g_blocks.tolist()))
        X64[:, cols[f"{pre}_link_density"]] = np.bincount(k_inv, weights=link_mass)[k_inv] / np.maximum(
            1.0, g_words * 5.0)
        if total_mass:
            X64[:, cols[f"{pre}_long_share"]] = np.bincount(k_inv, weights=long_chars)[k_inv] / total_mass

    # the block's own text
    words_l, chars_l = words.tolist(), chars.tolist()
    X64[:, cols["log_words"]] = list(map(math.log1p, words_l))
    X64[:, cols["log_chars"]] = list(map(math.log1p, chars_l))
    X64[:, cols["link_density"]] = link
    starts = np.array([b.start for b in blocks], np.int64)
    ends = np.array([b.end for b in blocks], np.int64)
    punct, digits = char_counts(text, starts, ends)
    safe = np.where(chars > 0, chars, 1.0)
    X64[:, cols["punct_ratio"]] = np.where(chars > 0, punct / safe, 0.0)
    X64[:, cols["digit_ratio"]] = np.where(chars > 0, digits / safe, 0.0)
    X64[:, cols["upper_start"]] = [1.0 if t[:1].isupper() else 0.0 for t in texts]
    X64[:, cols["sentence_end"]] = sentence_end
    stop = STOP_WORDS.__contains__
    X64[:, cols["stop_ratio"]] = [sum(map(stop, tk)) / w if w else 0.0 for tk, w in zip(toks, words_l, strict=True)]
    X64[:, cols["mean_word_len"]] = [sum(map(len, tk)) / w if w else 0.0 for tk, w in zip(toks, words_l, strict=True)]
    short = np.flatnonzero(words <= 40)
    for name, hits in short_text_flags(texts, short.tolist(), (digits > 0).tolist()).items():
        X64[hits, cols[name]] = 1.0
    X64[np.arange(n), [_TAG_COL.get(t, cols["tag_other"]) for t in tags]] = 1.0

    # position on the page, repetition, title
    idx = np.arange(n)
    X64[:, cols["pos_block"]] = idx / n
    X64[:, cols["pos_char"]] = starts / max(1, len(text))
    X64[:, cols["log_n_blocks"]] = math.log1p(n)
    X64[:, cols["log_page_words"]] = math.log1p(total_words)
    X64[:, cols["repeat_log"]] = [math.log(repeats[c]) if c else 0.0 for c in canon]
    X64[:, cols["title_exact"]] = title_exact
    X64[:, cols["title_overlap"]] = title_overlap
    if title_index is not None:
        d = idx - title_index
        X64[:, cols["title_dist"]] = np.clip(d, -50, 50)
        X64[:, cols["after_title"]] = d > 0
    else:
        X64[:, cols["title_dist"]] = -99.0
    X64[:, cols["in_long_span"]] = (first_long <= idx) & (idx <= last_long)
    if long_total:
        before = np.concatenate(([0.0], cum_long[:-1]))
        X64[:, cols["long_before_share"]] = before / long_total
        X64[:, cols["long_after_share"]] = (long_total - cum_long) / long_total

    X = X64.astype(np.float32)
    # neighbours and windows (vectorised)
    is_p = np.array([t == "p" for t in tags], np.float64)
    is_h = np.array([t in _HEADINGS for t in tags], np.float64)
    lw = np.log1p(words)
    for k in NEIGHBOURS:
        side = f"m{-k}" if k < 0 else f"p{k}"
        idx = np.arange(n) + k
        ok = (idx >= 0) & (idx < n)
        j = np.clip(idx, 0, n - 1)
        X[:, cols[f"{side}_log_words"]] = np.where(ok, lw[j], -1.0)
        X[:, cols[f"{side}_link_density"]] = np.where(ok, link[j], -1.0)
        X[:, cols[f"{side}_sentence_end"]] = np.where(ok, sentence_end[j], -1.0)
        X[:, cols[f"{side}_same_parent"]] = np.where(ok, (par[j] == par).astype(np.float64), -1.0)
        X[:, cols[f"{side}_tag_p"]] = np.where(ok, is_p[j], -1.0)
        X[:, cols[f"{side}_tag_heading"]] = np.where(ok, is_h[j], -1.0)
    X[:, cols["win_link_density"]] = _window_mean(link)
    X[:, cols["win_log_words"]] = _window_mean(lw)
    X[:, cols["win_sentence_share"]] = _window_mean(long_par.astype(np.float64))
    X[:, _CONTEXT_START:_KIND_START] = context_columns(X, texts)
    X[:, _KIND_START:] = kind
    return PageFeatures(text, blocks, X, tuple(cues), tuple(titles), title_index, tuple(toks))


_CONTEXT_START = _COL[CONTEXT_FEATURES[0]]
_KIND_START = _COL[PAGE_KIND_FEATURES[0]]
#: Columns whose values make a block's *signature*: blocks alike in tag, depth, ancestors and class
#: words (forum posts, listing items, product cards) share one.
_SIG_COLS = np.array([_COL[c] for c in FEATURES[:_CONTEXT_START]
                      if c == "depth" or c.startswith(("tag_", "anc_", "cls_", "cue_"))])


def signature_groups(X: np.ndarray) -> np.ndarray:
    """Group id of every block: blocks with equal signature columns (``_SIG_COLS``) share one."""
    sig = np.ascontiguousarray(X[:, _SIG_COLS])
    _, inv = np.unique(sig.view(np.dtype((np.void, sig.dtype.itemsize * sig.shape[1]))).ravel(),
                       return_inverse=True)
    return inv.ravel()


def context_columns(X: np.ndarray, texts: Sequence[str]) -> np.ndarray:
    """The :data:`CONTEXT_FEATURES` of every block, from the page's other columns and block texts: the
    block's share of the page's words, its signature group (size, word share, share of long paragraphs,
    span over the page), page counts (long paragraphs, link density, list items, prices), distance
    from the last heading, long-paragraph share and link density over a wide window, the block's
    share of code-like characters (``{}[]()<>;=_|\\``) and its signature group's long paragraphs."""
    n = X.shape[0]
    out = np.zeros((n, len(CONTEXT_FEATURES)), np.float32)
    if not n:
        return out
    c = {name: j for j, name in enumerate(CONTEXT_FEATURES)}
    words = np.rint(np.expm1(X[:, _COL["log_words"]].astype(np.float64)))
    chars = np.expm1(X[:, _COL["log_chars"]].astype(np.float64))
    link = X[:, _COL["link_density"]].astype(np.float64)
    long_par = ((words >= LONG_PARAGRAPH_WORDS) & (X[:, _COL["sentence_end"]] > 0) & (link < 0.3)).astype(np.float64)
    total = float(words.sum()) or 1.0
    out[:, c["word_share"]] = words / total
    out[:, c["words_before_share"]] = (np.cumsum(words) - words) / total
    out[:, c["words_vs_max"]] = words / (float(words.max()) or 1.0)
    inv = signature_groups(X)
    counts = np.bincount(inv)
    g_words = np.bincount(inv, weights=words)
    g_long = np.bincount(inv, weights=long_par)
    idx = np.arange(n, dtype=np.float64)
    g_first = np.full(len(counts), n, np.float64)
    np.minimum.at(g_first, inv, idx)
    g_last = np.zeros(len(counts), np.float64)
    np.maximum.at(g_last, inv, idx)
    out[:, c["sig_count_log"]] = np.log(counts[inv])
    out[:, c["sig_word_share"]] = g_words[inv] / total
    out[:, c["sig_long_share"]] = g_long[inv] / counts[inv]
    out[:, c["sig_span"]] = (g_last[inv] - g_first[inv]) / n
    out[:, c["page_long_log"]] = np.log1p(long_par.sum())
    out[:, c["page_link_density"]] = float((link * chars).sum() / (chars.sum() or 1.0))
    out[:, c["page_li_share"]] = float(X[:, _COL["tag_li"]].mean())
    price = np.array([1.0 if len(t) <= 200 and _PRICE.search(t.lower()) else 0.0 for t in texts])
    out[:, c["price_text"]] = price
    out[:, c["page_price_log"]] = np.log1p(price.sum())
    heading = (X[:, [_COL[f"tag_h{k}"] for k in range(1, 7)]] > 0).any(axis=1)
    last = np.where(heading, idx, -1.0)
    last = np.maximum.accumulate(last)
    out[:, c["heading_dist"]] = np.where(last >= 0, np.minimum(idx - last, 50.0), -1.0)
    out[:, c["wide_long_share"]] = _window_mean(long_par, WIDE_WINDOW)
    out[:, c["wide_link_density"]] = _window_mean(link, WIDE_WINDOW)
    out[:, c["code_char_ratio"]] = [(len(t) - len(t.translate(_DROP_CODE))) / len(t) if t else 0.0 for t in texts]
    out[:, c["sig_long_count_log"]] = np.log1p(g_long[inv])
    return out


def _window_mean(v: np.ndarray, width: int = WINDOW) -> np.ndarray:
    """Mean of ``v`` over ``[i - width, i + width]`` (cut at the ends)."""
    n = len(v)
    c = np.concatenate(([0.0], np.cumsum(v)))
    lo = np.clip(np.arange(n) - width, 0, n)
    hi = np.clip(np.arange(n) + width + 1, 0, n)
    return (c[hi] - c[lo]) / (hi - lo)


def _pick_title(exact: np.ndarray, overlap: np.ndarray, tags: Sequence[str], n: int) -> int | None:
    """The block most like the page title: exact matches first, ``<h1>`` preferred, then the best overlap."""
    best, best_score = None, 0.0
    for i in range(min(n, 400)):
        score = 3.0 * exact[i] + (overlap[i] if overlap[i] >= 0.5 else 0.0)
        if not score:
            continue
        if tags[i] == "h1":
            score += 2.0
        elif tags[i] in ("h2", "h3"):
            score += 1.0
        if score > best_score:
            best, best_score = i, score
    if best is None:
        best = next((i for i in range(min(n, 400)) if tags[i] == "h1"), None)
    return best


__all__ = ["FEATURES", "PageFeatures", "page_features", "signature_groups"]
