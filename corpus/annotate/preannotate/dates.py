"""Publication dates: normalising declared dates, reading dates written in text and URLs, reconciling them.

Used by :mod:`corpus.annotate.preannotate.metadata` (the search order lives there) and
:mod:`corpus.annotate.preannotate.byline` (dates cut out of credits). Only the formats listed here
are read; anything else is left out rather than guessed.
"""

from __future__ import annotations

import datetime as _dt
import functools
import html as html_lib
import re
from email.utils import parsedate_to_datetime
from typing import Any

from corpus.model import split_url

#: Month names and abbreviations (lower-case, accents kept) -> month number, for dates written in text:
#: English, German, French, Spanish, Italian, Portuguese, Dutch, Scandinavian, Polish, Russian,
#: Ukrainian, Greek (genitive forms, as dates write them) and Turkish.
MONTHS: dict[str, int] = {}
for _i, _names in enumerate((
    "january jan januar janvier enero gennaio janeiro januari jänner janv ene genn stycznia января січня "
    "ιανουαρίου ιαν ocak",
    "february feb februar février fevrier febrero febbraio fevereiro februari févr fév fevr lutego февраля "
    "лютого φεβρουαρίου φεβ şubat",
    "march mar märz maerz mars marzo março maart mrt marca марта березня μαρτίου μαρ mart",
    "april apr avril abril aprile avr kwietnia апреля квітня απριλίου απρ nisan",
    "may mai mayo maggio maio mei mag maj maja мая травня μαΐου μαιου mayıs",
    "june jun juni juin junio giugno junho czerwca июня червня ιουνίου ιουν haziran",
    "july jul juli juillet julio luglio julho juil lug lipca июля липня ιουλίου ιουλ temmuz",
    "august aug août aout agosto augustus ago augusti sierpnia августа серпня αυγούστου αυγ ağustos",
    "september sep sept septembre septiembre settembre setembro set września сентября вересня "
    "σεπτεμβρίου σεπ eylül",
    "october oct oktober octobre octubre ottobre outubro okt ott out października октября жовтня "
    "οκτωβρίου οκτ ekim",
    "november nov novembre noviembre novembro listopada ноября листопада νοεμβρίου νοε kasım",
    "december dec dezember décembre decembre diciembre dicembre dezembro dic dez déc grudnia декабря "
    "грудня δεκεμβρίου δεκ aralık",
), start=1):
    for _n in _names.split():
        MONTHS.setdefault(_n, _i)
_MONTH_RX = "|".join(sorted(MONTHS, key=len, reverse=True))
#: Date forms read in running text, each with the order of its groups (``mon``: a month name).
TEXT_DATES = (
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), ("y", "m", "d")),
    (re.compile(r"\b(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})\b"), ("d", "m", "y")),
    (re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b"), ("d", "m", "y")),
    (re.compile(r"\b(\d{4})[./](\d{1,2})[./](\d{1,2})\b"), ("y", "m", "d")),
    (re.compile(r"(\d{4})\s?年\s?(\d{1,2})\s?月\s?(\d{1,2})\s?日"), ("y", "m", "d")),
    (re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th|er|º|\.)?\s+(?:de\s+)?({_MONTH_RX})\.?,?\s+(?:de\s+)?(\d{{4}})\b",
                re.IGNORECASE), ("d", "mon", "y")),
    (re.compile(rf"\b({_MONTH_RX})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.IGNORECASE),
     ("mon", "d", "y")),
)
#: A cheap test run before the patterns above: every date they read holds two digits in a row.
_TWO_DIGITS = re.compile(r"\d\d")
_URL_DATES = (
    re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?:/|-|_|\.|$)"),
    re.compile(r"[/_-]((?:19|20)\d{2})(\d{2})(\d{2})(?:[/_.-]|$)"),
)
#: Years a date written in text or a URL may fall in (a web page's publication date).
MIN_YEAR, MAX_YEAR = 1900, 2100
#: Years a declared (machine-readable) date may fall in: read as given, so only implausible years go.
DECLARED_YEARS = (1000, 2999)
#: Days a declared timestamp may differ from the day the page shows (a UTC timestamp of a page
#: published late in the evening, local time, falls on the next day).
TIMEZONE_SLACK_DAYS = 1

_WS = re.compile(r"\s+")
_ISO_DATE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?"
)
_DMY = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})\b")
_YMD_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})\b")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T?(\d{2})(\d{2})(\d{2})?)?(Z|[+-]\d{4})?$")
_TEXT_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%B %d %Y", "%b. %d, %Y",
                 "%A, %B %d, %Y", "%a, %d %b %Y", "%d. %B %Y", "%B %Y")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_EN_MONTH = re.compile(r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec", re.IGNORECASE)
#: Longest string read as an RFC 2822 or English worded date ("Wednesday, September 30, 2020" is 29).
MAX_WORDED_DATE_CHARS = 40


_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def unescape(s: str) -> str:
    """Decode HTML entities left in a declared string (JSON-LD, double-escaped ``<meta>``)."""
    return html_lib.unescape(s) if _ENTITY.search(s) else s


def declared_text(value: Any) -> str | None:
    """A declared value (JSON-LD, ``<meta>``) as clean text: numbers as strings, entities decoded,
    whitespace folded; ``None`` for anything else or nothing."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    return _WS.sub(" ", unescape(value)).strip() or None


def normalise_date(value: Any) -> str | None:
    """A date string as ISO 8601 (``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM[:SS][±HH:MM|Z]``), else ``None``."""
    s = declared_text(value)
    if not s or len(s) > 100:
        return None
    m = _ISO_DATE.match(s)
    if m:
        y, mo, d, hh, mm, ss, tz = m.groups()
        if not _valid_ymd(y, mo, d):
            return None
        if hh is None:
            return f"{y}-{mo}-{d}"
        if int(hh) > 23 or int(mm) > 59 or (ss is not None and int(ss) > 59):
            return f"{y}-{mo}-{d}"
        out = f"{y}-{mo}-{d}T{hh}:{mm}:{ss or '00'}"
        if tz:
            out += "Z" if tz == "Z" else f"{tz[:3]}:{tz[-2:]}"
        return out
    m = _COMPACT.match(s)
    if m:  # read as the ISO form it abbreviates
        y, mo, d, hh, mm, ss, tz = m.groups()
        return normalise_date(f"{y}-{mo}-{d}" if hh is None else f"{y}-{mo}-{d}T{hh}:{mm}:{ss or '00'}{_tz(tz)}")
    for rx, order in ((_DMY, (3, 2, 1)), (_YMD_SLASH, (1, 2, 3))):
        m = rx.match(s)
        if m:
            y, mo, d = (m.group(i) for i in order)
            mo, d = mo.zfill(2), d.zfill(2)
            return f"{y}-{mo}-{d}" if _valid_ymd(y, mo, d) else None
    if len(s) > MAX_WORDED_DATE_CHARS or not _EN_MONTH.search(s):  # the forms below name an English month
        m = _YEAR_MONTH.match(s)
        return f"{m.group(1)}-{m.group(2)}" if m and 1 <= int(m.group(2)) <= 12 else None
    try:
        dt = parsedate_to_datetime(s)  # RFC 2822: "Thu, 31 May 2012 10:00:00 +0200"
        return dt.isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    for fmt in _TEXT_FORMATS:
        try:
            dt = _dt.datetime.strptime(s, fmt)
        except ValueError:
            continue
        return dt.strftime("%Y-%m") if fmt == "%B %Y" else dt.date().isoformat()
    return None


def _tz(tz: str | None) -> str:
    if not tz or tz == "Z":
        return tz or ""
    return f"{tz[:3]}:{tz[3:]}"


def date_in_text(text: str) -> str | None:
    """The first date written out in ``text``: ISO, ``DD.MM.YYYY``, ``DD/MM/YYYY`` (``MM/DD/YYYY`` when the
    day cannot be a month), ``YYYY/MM/DD``, ``YYYY年MM月DD日``, "D Month YYYY", "Month D, YYYY"."""
    if not text or not _TWO_DIGITS.search(text):
        return None
    best: tuple[int, str] | None = None
    for rx, order in TEXT_DATES:
        m = rx.search(text)
        if not m:
            continue
        got = dict(zip(order, m.groups(), strict=True))
        month = int(got["m"]) if "m" in got else MONTHS.get(got["mon"].lower().rstrip("."))
        iso = _iso(got["y"], month, got["d"])
        if iso is None and "m" in got and "/" in m.group(0) and order[0] == "d":  # 01/23/2020: month first
            iso = _iso(got["y"], int(got["d"]), str(got["m"]))
        if iso and (best is None or m.start() < best[0]):
            best = (m.start(), iso)
    return best[1] if best else None


def date_in_url(url: str | None) -> str | None:
    """A ``/YYYY/MM/DD/`` (or ``YYYY-MM-DD``, ``YYYYMMDD``) date in the URL's path."""
    parts = split_url(url)
    if parts is None:
        return None
    path = parts.path
    for rx in _URL_DATES:
        m = rx.search(path)
        if m:
            iso = _iso(m.group(1), int(m.group(2)), m.group(3))
            if iso:
                return iso
    return None


def _iso(y: str, month: int | None, d: str, years: tuple[int, int] = (MIN_YEAR, MAX_YEAR)) -> str | None:
    """``YYYY-MM-DD`` of a calendar day whose year is within ``years``, else ``None``."""
    if month is None or not years[0] <= int(y) <= years[1]:
        return None
    try:
        return _dt.date(int(y), month, int(d)).isoformat()
    except ValueError:
        return None


def _valid_ymd(y: str, mo: str, d: str) -> bool:
    return _iso(y, int(mo), d, DECLARED_YEARS) is not None


@functools.lru_cache(maxsize=256)
def _day(value: str) -> _dt.date | None:
    try:
        return _dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def shown_day(declared: str, shown: tuple[str | None, ...]) -> str:
    """``declared``, or the day a page shows (URL date, visible date) when they are at most
    :data:`TIMEZONE_SLACK_DAYS` apart.

    A declared timestamp is often in UTC (``2022-05-04T03:37:37+00:00``) while the page, its URL and
    its readers give the local day (3 May); the day shown wins. Dates further apart are different
    dates (the declared one stands).
    """
    d = _day(declared)
    for other in shown:
        o = _day(other) if other else None
        if d and o and o != d and abs((o - d).days) <= TIMEZONE_SLACK_DAYS:
            return other[:10]  # type: ignore[index]
    return declared


def utc_or_floating(value: str) -> bool:
    """Whether an ISO timestamp is in UTC (``Z``, ``+00:00``) or has a time but no offset: its day may
    not be the page's local day. A bare day, or a time with a local offset, is the local day."""
    if len(value) <= 10:
        return False
    return value.endswith(("Z", "+00:00", "-00:00")) or not _OFFSET.search(value[10:])


_OFFSET = re.compile(r"[+-]\d{2}:\d{2}$")
