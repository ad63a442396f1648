"""CleanEval (ACL SIGWAC shared task, 2007): original pages + hand-cleaned gold text files.

The data is distributed in several layouts, all with one original and one gold file per page number:
the development set as ``en-original/<n>.html`` + ``en-cleaned/<n>.txt`` (the archive names; some
copies use ``en_original`` / ``en_cleaned``), the final set as ``input/<n>.html`` +
``GoldStandard/<n>.txt`` (or ``gold_std/``), and the WCEB raw copy as ``orig/<n>.html`` +
``clean/<n>.txt``. ``--option pages=DIR --option gold=DIR`` names the two folders instead. Gold file
names may carry a suffix after the number (``163-ml06zz.txt``); the number is the key.

Each original page is wrapped in ``<text id="URL" title="..." encoding="...">`` ... ``</text>``:
the wrapper is removed before normalising (left in, it pushes the page's ``<head>`` into the body)
and the page is stored without it; its ``encoding`` decodes the page, its ``id`` is the URL when the
gold has no ``URL:`` line. The gold file starts with ``URL: ...``; paragraphs follow, each introduced
by a ``<p>`` (paragraph), ``<h>`` (heading) or ``<l>`` (list item) marker. It is kept verbatim as
``reference`` (convention ``cleaneval``: a scorer strips the URL line and the markers the way the
CleanEval scorer does; :func:`cleaneval_text` does exactly that). ``source_id`` is the page number.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from corpus.annotate.projection import apply_labels, reference_labels
from corpus.benchmarks._common import (
    charset_label,
    check_options,
    clean_str,
    guarded,
    make_document,
    read_page,
    read_text_file,
    require_dir,
    unique,
)
from corpus.errors import ConfigError, DocumentError
from corpus.model import Reference
from corpus.registry import Imported, Reject, importer

NAME = "cleaneval"
CITATION = ("Baroni, M., Chantree, F., Kilgarriff, A. and Sharoff, S. (2008). Cleaneval: a Competition for "
            "Cleaning Web Pages. Proceedings of LREC 2008.")
CONVENTION = "cleaneval"
#: ``(pages, gold)`` folder pairs the data is published in, tried in this order.
LAYOUTS: tuple[tuple[str, str], ...] = (
    ("orig", "clean"),
    ("input", "GoldStandard"),
    ("input", "gold_std"),
    ("en-original", "en-cleaned"),
    ("en_original", "en_cleaned"),
)
PAGE_SUFFIXES = (".html", ".htm", ".html.gz", ".txt")
GOLD_SUFFIX = ".txt"
_URL_LINE = re.compile(r"\A\s*URL:\s*(\S+)[^\n]*\n?")
_MARKER = re.compile(r"<\s*[phl]\s*>", re.IGNORECASE)
_WRAPPER_OPEN = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<text\b([^>]*)>", re.IGNORECASE)
_WRAPPER_CLOSE = re.compile(rb"</text\s*>\s*\Z", re.IGNORECASE)
_ATTR = re.compile(rb"""\b(id|encoding)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_HTTP = re.compile(r"^https?://\S+$", re.IGNORECASE)


def cleaneval_url(gold: str) -> str | None:
    m = _URL_LINE.match(gold)
    return clean_str(m.group(1)) if m else None


def cleaneval_text(gold: str) -> str:
    """The gold main text of a clean file: URL line and ``<p>``/``<h>``/``<l>`` markers removed."""
    body = _URL_LINE.sub("", gold, count=1)
    return "\n".join(line.strip() for line in _MARKER.sub("\n", body).splitlines() if line.strip())


def unwrap_page(raw: bytes) -> tuple[bytes, dict[str, str]]:
    """``(page without the <text ...> wrapper, wrapper attributes id/encoding)``; unchanged when unwrapped."""
    m = _WRAPPER_OPEN.match(raw)
    if not m:
        return raw, {}
    attrs = {}
    for a in _ATTR.finditer(m.group(1)):
        value = next(v for v in a.groups()[1:] if v is not None)
        attrs[a.group(1).decode("ascii").lower()] = value.decode("utf-8", "replace").strip()
    body = raw[m.end() :]
    close = _WRAPPER_CLOSE.search(body)
    if close:
        body = body[: close.start()]
    return body.strip(b" \t\r\n"), attrs


def page_key(name: str) -> str:
    """The page number a file name stands for: ``12.html`` -> ``12``, ``163-ml06zz.txt`` -> ``163``."""
    stem = name.split(".", 1)[0]
    head = stem.split("-", 1)[0]
    return head if head.isdigit() else stem


def _pages_by_key(pages_dir: Path) -> dict[str, Path]:
    out: dict[str, Path] = {}
    for p in sorted(pages_dir.iterdir()):
        if p.is_file() and p.name.lower().endswith(PAGE_SUFFIXES):
            out.setdefault(page_key(p.name), p)
    return out


def cleaneval_document(gold_path: Path, page: Path, license: str | None) -> Imported:
    gold = read_text_file(gold_path)
    raw, attrs = unwrap_page(read_page(page))
    declared = charset_label(attrs.get("encoding"))
    wrapper_url = attrs.get("id", "")
    url = cleaneval_url(gold) or (wrapper_url if _HTTP.match(wrapper_url) else None)
    name = page.name if page.name.lower().endswith((".html", ".htm", ".html.gz")) else f"{page.name}.html"
    doc = make_document(raw, source_dataset=NAME, file_name=name, source_id=page_key(page.name), url=url,
                        license=license, declared_charset=declared)
    doc = doc.replace(reference=Reference(text=gold, convention=CONVENTION))
    return Imported(apply_labels(doc, reference_labels(doc, {"body": cleaneval_text(gold)}), by=NAME), raw)


def find_layout(root: Path, options: dict[str, str]) -> tuple[Path, Path]:
    """``(pages dir, gold dir)`` from the options, else the first published layout under ``root``."""
    if "pages" in options or "gold" in options:
        if not ("pages" in options and "gold" in options):
            raise ConfigError(f"{NAME}: give both --option pages=DIR and --option gold=DIR")
        return (require_dir(root / options["pages"], "pages"), require_dir(root / options["gold"], "gold"))
    for pages, gold in LAYOUTS:
        if (root / pages).is_dir() and (root / gold).is_dir():
            return root / pages, root / gold
    known = ", ".join(f"{p}/ + {g}/" for p, g in LAYOUTS)
    raise ConfigError(f"{root}: no CleanEval layout found (looked for {known}; "
                      "or give --option pages=DIR --option gold=DIR)")


@importer(
    NAME,
    description="CleanEval shared task (orig/+clean/, input/+GoldStandard/, en-original/+en-cleaned/)",
    citation=CITATION,
)
def import_cleaneval(src: Path, **options: str) -> Iterator[Imported | Reject]:
    """Options: ``pages`` and ``gold`` (the two folders, relative to SRC), ``license`` (none by default)."""
    check_options(NAME, options, {"license", "pages", "gold"})
    root = Path(src)
    pages_dir, gold_dir = find_layout(root, options)
    license = options.get("license")
    golds = sorted(p for p in gold_dir.iterdir() if p.is_file() and p.name.endswith(GOLD_SUFFIX))
    pages = _pages_by_key(pages_dir)
    keys = {page_key(g.name) for g in golds}

    def one(g: Path) -> Imported:
        page = pages.get(page_key(g.name))
        if page is None:
            raise DocumentError(f"no page {page_key(g.name)}.html in {pages_dir.name}/ for {g.name}",
                                reason="missing_page")
        return cleaneval_document(g, page, license)

    def items() -> Iterator[Imported | Reject]:
        for g in golds:
            yield guarded(f"{gold_dir.name}/{g.name}", lambda g=g: one(g))
        for key, p in pages.items():
            if key not in keys:
                yield Reject(f"{pages_dir.name}/{p.name}", "missing_gold", f"no {gold_dir.name}/{key}.txt for {p.name}")

    yield from unique(items())
