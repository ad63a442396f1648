"""The learned labeller's block-text columns that look at characters and short lines.

Per-character counts (punctuation, digits) for every block of a page at once, and the text-cue
flags of short blocks (dates, bylines, copyright, lead-ins, ads, share, sign-in and cookie lines),
read by :func:`corpus.annotate.preannotate.learned.features.page_features`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from corpus.annotate.preannotate.labeller import _CREDIT_LEADIN, _RELATED_LEADIN

# A small multilingual stop-word list (function words of the languages most pages are in).
STOP_WORDS = frozenset("""
a an the and or but of to in on at by for with from as is are was were be been being it its this that these
those he she they we you i his her their our your not no do does did have has had will would can could should
may might must there here which who whom what when where why how all any some more most other such than then
so if into over about after before also just only very
der die das und oder aber ist sind war waren ein eine einen einem einer nicht mit von zu im in den dem des auf
für sich auch es er sie wir ihr als wie bei nach aus um an noch nur so dass wird werden hat haben
le la les et ou mais est sont été un une des du de dans sur pour avec par pas que qui il elle ils nous vous au
aux ce cette ses son sa leur plus ne se en
el los las y o pero es son fue un una unos unas del al en con por para no que se su sus lo como más le
il lo gli e ma è sono di da con per non che si della dei delle nel alla
o os as e mas é são um uma do da dos das em no na com por para não que se seu sua
de het een en of maar is zijn was niet met van voor op te dat die er ook aan als bij
""".split())

_PUNCT = re.compile(r"[.,;:!?]")
_DIGIT = re.compile(r"\d")
# Matched against the lower-cased text (cheaper than IGNORECASE).
_DATE = re.compile(r"\b(?:\d{1,4}[./-]\d{1,2}[./-]\d{1,4}"
                   r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}|\d{1,2}\.?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*|\d{4}-\d{2}-\d{2})")
_BYLINE_START = re.compile(r"^(?:by|von|par|por|di|door|av|af)\s+\w")
_AD_TEXT = re.compile(r"^(?:advertisement|anzeige|werbung|sponsored|publicidad|publicité|ad)\b")
_SOCIAL_TEXT = re.compile(r"^(?:share|teilen|partager|compartir|tweet|facebook|twitter|whatsapp|linkedin|pinterest"
                          r"|e-?mail|print|follow)\b")
_PAYWALL_TEXT = re.compile(r"\b(?:sign[ -]?in|sign[ -]?up|log[ -]?in|subscri(?:be|ption|ber)|register"
                           r"|abonnieren|anmelden|registrieren|free trial)\b")
_PAYWALL_HINT = ("sign", "log", "subscri", "regist", "abonn", "anmeld", "free trial")
_COOKIE_TEXT = re.compile(r"\b(?:cookies?|consent|gdpr|privacy settings|datenschutz)\b")
_COOKIE_HINT = ("cookie", "consent", "gdpr", "privacy settings", "datenschutz")
# any of the hints as a substring (one pass instead of one per hint)
_PAYWALL_HINT_RE = re.compile("|".join(map(re.escape, _PAYWALL_HINT)))
_COOKIE_HINT_RE = re.compile("|".join(map(re.escape, _COOKIE_HINT)))
_COPYRIGHT_LOW = re.compile(r"©|\(c\)\s*\d{4}|copyright|all rights reserved|impressum|imprint|datenschutz"
                            r"|privacy policy")


#: ASCII code -> 1 for a :data:`_PUNCT` character, 2 for a digit (``\d`` beyond ASCII is looked up per page).
_ASCII_CLASS = np.zeros(129, np.int8)
_ASCII_CLASS[[ord(c) for c in ".,;:!?"]] = 1
_ASCII_CLASS[ord("0") : ord("9") + 1] = 2
assert all(bool(_PUNCT.fullmatch(chr(c))) == (_ASCII_CLASS[c] == 1) and bool(_DIGIT.fullmatch(chr(c)))
           == (_ASCII_CLASS[c] == 2) for c in range(128))


def char_counts(text: str, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How many characters of each block ``text[start:end]`` match :data:`_PUNCT` and :data:`_DIGIT`."""
    a = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)
    cls = _ASCII_CLASS[np.minimum(a, 128)]
    punct = cls == 1
    digit = cls == 2
    high = a[a > 127]
    if high.size:
        extra = [c for c in np.unique(high).tolist() if _DIGIT.match(chr(c))]
        if extra:
            digit |= np.isin(a, extra)
    cp = np.concatenate(([0], np.cumsum(punct)))
    cd = np.concatenate(([0], np.cumsum(digit)))
    return (cp[ends] - cp[starts]).astype(np.float64), (cd[ends] - cd[starts]).astype(np.float64)


def short_text_flags(texts: Sequence[str], short: Sequence[int], has_digit: Sequence[bool]) -> dict[str, list[int]]:
    """The blocks (of ``short``, the blocks of at most 40 words) whose text sets each text-cue flag."""
    out: dict[str, list[int]] = {k: [] for k in ("has_date", "byline_start", "copyright", "related_leadin",
                                                  "credit_leadin", "ad_text", "social_text", "paywall_text",
                                                  "cookie_text")}
    date, byline, copy_, related, credit = (_DATE.search, _BYLINE_START.match, _COPYRIGHT_LOW.search,
                                            _RELATED_LEADIN.match, _CREDIT_LEADIN.match)
    ad, social, paywall, cookie = _AD_TEXT.match, _SOCIAL_TEXT.match, _PAYWALL_TEXT.search, _COOKIE_TEXT.search
    paywall_hint, cookie_hint = _PAYWALL_HINT_RE.search, _COOKIE_HINT_RE.search
    for i in short:
        t = texts[i]
        low = t.lower()
        if has_digit[i] and date(low):
            out["has_date"].append(i)
        if byline(low):
            out["byline_start"].append(i)
        if copy_(low):
            out["copyright"].append(i)
        if related(t):
            out["related_leadin"].append(i)
        if credit(t) or t.startswith("©"):
            out["credit_leadin"].append(i)
        if ad(low):
            out["ad_text"].append(i)
        if social(low):
            out["social_text"].append(i)
        if paywall_hint(low) and paywall(low):
            out["paywall_text"].append(i)
        if cookie_hint(low) and cookie(low):
            out["cookie_text"].append(i)
    return out
