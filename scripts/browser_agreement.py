"""Agreement of normaliser v1 and v2 with a browser: headless Chromium's ``document.body.innerText``.

Each page is decoded as ingest decodes it, given to Chromium with ``page.set_content`` (scripting off,
every request aborted: no network) and to both normalisers. Figures (docs/normalisation.md):

- token F1: the multiset of tokens (``\\w+|[^\\w\\s]`` over NFC text) of the normaliser's text against
  innerText's, micro-averaged over pages (and the mean of per-page F1);
- boundary F1: block boundaries as ``(last token of a block, first token of the next)`` pairs against
  the same pairs of innerText's lines (split at ``\\n`` and at the ``\\t`` between table cells).

Three browser views: ``as-is``; ``no-author-css`` (``<style>`` and style-sheet links removed: the
normalisers apply no style sheets); ``aligned`` (also the deliberate differences of docs/normalisation.md
neutralised: ``noscript`` removed unless the page then shows no text, hidden elements shown when it
still shows none or under ``HIDDEN_WRAPPER_SHARE`` of what it shows with them, ``svg``, ``math``, ``canvas``
removed, closed ``details`` opened, control
characters dropped).

    python scripts/browser_agreement.py --shared ../shared --traf 200 --wcxb 100 [--json out.json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from corpus.text.normalise import clean, decode_raw, normalise_html, raw_format_for
from corpus.text.normalise_v2 import HIDDEN_WRAPPER_SHARE, normalise_html_v2
from corpus.text.tokens import TOKEN_RE

CHROMIUM = "/usr/bin/chromium"
MODES = ("as-is", "no-author-css", "aligned")
_PREPARE = {
    "as-is": "",
    "no-author-css": "for (const e of document.querySelectorAll('style, link[rel~=\"stylesheet\" i]')) e.remove();",
}
_PREPARE["aligned"] = _PREPARE["no-author-css"] + (
    # noscript removed as a browser with scripting on shows the page, unless the page then shows no text:
    # normaliser v2 reads such a page as with scripting off (this browser's own mode), noscript kept
    "const ns = [...document.querySelectorAll('noscript')].map(e => [e, e.parentNode, e.nextSibling]);"
    "for (const [e] of ns) e.remove();"
    "const empty = () => !document.body || !document.body.innerText.trim();"
    "if (empty()) for (const [e, p, n] of [...ns].reverse()) p.insertBefore(e, n);"
    # and if it still shows none, or under HIDDEN_WRAPPER_SHARE of what it shows with its hidden elements
    # shown, v2 shows them (scripting on again: noscript removed)
    "const solid = () => document.body ? document.body.innerText.replace(/\\s+/g, '').length : 0;"
    "const wasEmpty = empty();"
    "if (wasEmpty) for (const [e] of ns) e.remove();"
    "const shown = solid();"
    "const undo = [];"
    "for (const e of document.querySelectorAll('[hidden]')) { e.removeAttribute('hidden');"
    "  undo.push(() => e.setAttribute('hidden', '')); }"
    "for (const e of document.querySelectorAll('dialog:not([open])')) { e.open = true;"
    "  undo.push(() => { e.open = false; }); }"
    "for (const e of document.querySelectorAll('[style]')) {"
    "  const st = e.getAttribute('style');"
    "  if (/display\\s*:\\s*none/i.test(st)) e.style.removeProperty('display');"
    "  if (/visibility\\s*:\\s*(hidden|collapse)/i.test(st)) e.style.removeProperty('visibility');"
    "  if (e.getAttribute('style') !== st) undo.push(() => e.setAttribute('style', st));"
    "}"
    f"if (wasEmpty || shown < {HIDDEN_WRAPPER_SHARE} * solid()) for (const [e] of ns) e.remove();"
    "else for (const u of undo.reverse()) u();"
    "for (const e of document.querySelectorAll('svg, math, canvas')) e.remove();"
    "for (const e of document.querySelectorAll('details:not([open])')) e.open = true;"
)
_LINES = re.compile(r"[\n\t]+")
# a refresh would navigate away before innerText is read; it changes no text
_REFRESH = re.compile(r"<meta[^>]*http-equiv\s*=\s*[\"']?refresh[^>]*>", re.IGNORECASE)

#: Generated cases: the parser's and the walk's hard spots (name, html).
TRICKY_CASES: tuple[tuple[str, str], ...] = (
    ("implicit-p-close", "<p>alpha<p>beta<div>gamma</div>delta"),
    ("implicit-li-close", "<ul><li>one<li>two<li>three</ul>after"),
    ("misnested-formatting", "<p><b>bold <i>both</b> italic</i> plain</p>"),
    ("adoption-agency", "<a href=x>one<p>two</a>three</p>"),
    ("template", "<p>before</p><template><p>never shown</p></template><p>after</p>"),
    ("unknown-elements", "<x-card><x-title>Custom</x-title> element <foo>text</foo></x-card>"),
    ("table-foster-parenting", "<table>fostered text<tr><td>cell one<td>cell two</tr></table>after"),
    ("table-rows", "<table><tr><th>h1<th>h2<tr><td>a<td>b</table>"),
    ("br", "line one<br>line two<br><br>line three"),
    ("pre-whitespace", "<pre>\n  indented  code\n\n    more   code\n</pre><p>after pre</p>"),
    ("entities", "<p>&amp; &lt;tag&gt; &nbsp;&eacute;&#233;&#xE9; &notin; &copy caf&eacute &euro;</p>"),
    ("comments", "<p>vis<!-- hidden comment -->ible</p><!-- <p>gone</p> -->"),
    ("script-style", "<p>a</p><script>var x = '<p>no</p>';</script><style>p{}</style><p>b</p>"),
    ("hidden", "<p hidden>h</p><p style='display:none'>n</p><p style='visibility:hidden'>v</p><p>shown</p>"),
    ("head-content-in-body", "<title>T</title><p>body text</p>"),
    ("nested-blocks", "<div>outer <div>inner</div> tail</div>"),
    ("inline-whitespace", "<p>New<span>castle</span> <em>upon</em>\n\tTyne</p>"),
    ("select", "<label>Pick <select><option>first<option>second</select></label>"),
    ("form-controls", "<button>Send</button> <input value=typed placeholder=ph> <textarea>draft</textarea>"),
    ("headings-lists", "<h1>Title</h1><ol><li>x</li><li>y</li></ol><dl><dt>term<dd>def</dl>"),
    ("ruby", "<p><ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby>字</p>"),
    ("stray-end-tags", "</div></p><p>text</span> more</b></p></body></html>after html"),
    ("nul-and-controls", "<p>a\x00b\x07c</p>"),
    ("noscript-beside-text", "<p>shown</p><noscript><p>enable scripts</p></noscript>"),
    ("noscript-only-shell",
     "<div id=app></div><noscript><div><p>First post</p><p>Reply <b>one</b></p></div></noscript>"),
    ("dialog", "<dialog>closed dialog</dialog><dialog open>open dialog</dialog>"),
    ("hidden-only-shell",
     "<div id=app></div><div hidden id=S:0><h1>Streamed</h1><p>server <b>rendered</b></p></div>"),
    ("hydration-wrapper", "<div style='visibility:hidden'><main><h1>Title</h1><p>Lead</p></main></div>"),
    ("hidden-beside-text", "<p>shown</p><div hidden><p>never shown</p></div>"),
    ("deferred-block", "<header><a href=/>Shop</a></header><div style='display: none'><h1>Staple tee</h1>"
                       "<p>" + "Heavyweight cotton, regular fit, ribbed neck and a tubular body. " * 3 + "</p></div>"),
    ("svg-sprite", "<svg>" + "<path d='M0 0h1'/>" * 5000 + "</svg><p>after the icons</p>"),
    ("processing-instruction", "<div>a<?php echo 'x'; ?>b</div>"),
)


@dataclass(slots=True)
class Tally:
    """Summed counts for one normaliser against one browser view."""

    tp: int = 0
    ours: int = 0
    theirs: int = 0
    b_tp: int = 0
    b_ours: int = 0
    b_theirs: int = 0
    page_f1: list[float] = field(default_factory=list)

    def add(self, ours: Sequence[str], theirs: str) -> float:
        tp, n_ours, n_theirs = token_overlap(" ".join(ours), theirs)
        self.tp, self.ours, self.theirs = self.tp + tp, self.ours + n_ours, self.theirs + n_theirs
        btp, b_ours, b_theirs = boundary_overlap(ours, browser_lines(theirs))
        self.b_tp, self.b_ours, self.b_theirs = self.b_tp + btp, self.b_ours + b_ours, self.b_theirs + b_theirs
        f = f1(tp, n_ours, n_theirs)
        self.page_f1.append(f)
        return f

    def row(self) -> dict[str, Any]:
        return {
            "pages": len(self.page_f1),
            "token_p": round(self.tp / self.ours, 4) if self.ours else 1.0,
            "token_r": round(self.tp / self.theirs, 4) if self.theirs else 1.0,
            "token_f1": round(f1(self.tp, self.ours, self.theirs), 4),
            "mean_page_f1": round(sum(self.page_f1) / len(self.page_f1), 4) if self.page_f1 else 1.0,
            "boundary_f1": round(f1(self.b_tp, self.b_ours, self.b_theirs), 4),
        }


def tokens(text: str) -> list[str]:
    return TOKEN_RE.findall(unicodedata.normalize("NFC", text))


def f1(tp: int, n_ours: int, n_theirs: int) -> float:
    if n_ours == 0 and n_theirs == 0:
        return 1.0
    return 2 * tp / (n_ours + n_theirs)


def token_overlap(ours: str, theirs: str) -> tuple[int, int, int]:
    """``(shared tokens, our tokens, their tokens)`` as multisets."""
    a, b = Counter(tokens(ours)), Counter(tokens(theirs))
    return sum((a & b).values()), sum(a.values()), sum(b.values())


def browser_lines(inner_text: str) -> list[str]:
    return [s for s in _LINES.split(inner_text) if s.strip()]


def _pairs(segments: Iterable[str]) -> Counter[tuple[str, str]]:
    toks = [t for t in (tokens(s) for s in segments) if t]
    return Counter((x[-1], y[0]) for x, y in pairwise(toks))


def boundary_overlap(ours: Sequence[str], theirs: Sequence[str]) -> tuple[int, int, int]:
    """``(shared boundaries, ours, theirs)``; a boundary is (last token before, first token after)."""
    a, b = _pairs(ours), _pairs(theirs)
    return sum((a & b).values()), sum(a.values()), sum(b.values())


def block_texts(text: str, blocks) -> list[str]:
    return [text[b.start : b.end] for b in blocks]


class Browser:
    """Headless Chromium via Playwright: scripting off, every request aborted."""

    def __init__(self, executable: str = CHROMIUM) -> None:
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self._browser = self._pw.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        self._context = self._browser.new_context(java_script_enabled=False, offline=True)
        self._context.route("**/*", lambda route: route.abort())
        self._page = self._context.new_page()

    def inner_text(self, html: str, mode: str) -> str:
        page = self._page
        page.set_content(_REFRESH.sub("", html), wait_until="domcontentloaded", timeout=30_000)
        script = "() => { " + _PREPARE[mode] + " return document.body ? document.body.innerText : ''; }"
        text = page.evaluate(script)
        return clean(text) if mode == "aligned" else text  # the normalisers drop control characters

    def close(self) -> None:
        self._browser.close()
        self._pw.stop()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def sample_pages(shared: Path, n_traf: int, n_wcxb: int) -> list[tuple[str, Path]]:
    """A fixed sample: the first ``n`` page files of each set ordered by the sha256 of their names."""
    def pick(folder: Path, n: int) -> list[Path]:
        files = [p for p in folder.iterdir() if p.name.endswith((".html", ".htm", ".html.gz"))]
        return sorted(files, key=lambda p: hashlib.sha256(p.name.encode()).hexdigest())[:n]

    traf = shared / "benchmarks" / "trafilatura-eval-dev" / "pages"
    wcxb = shared / "benchmarks" / "wcxb-dev" / "dev" / "html"
    out = [(f"trafilatura-eval/{p.name}", p) for p in pick(traf, n_traf)] if n_traf else []
    out += [(f"wcxb/{p.name}", p) for p in pick(wcxb, n_wcxb)] if n_wcxb else []
    return out


def decoded_page(path: Path) -> str:
    raw_format, gz = raw_format_for(path.name)
    return decode_raw(path.read_bytes(), raw_format, gzipped=gz)[0]


def run(browser: Browser, items: Iterable[tuple[str, str]], modes: Sequence[str] = MODES
        ) -> tuple[dict[str, dict[str, Tally]], list[dict[str, Any]]]:
    """Tallies ``{mode: {"v1": Tally, "v2": Tally}}`` and per-page token F1 rows."""
    tallies = {m: {"v1": Tally(), "v2": Tally()} for m in modes}
    pages: list[dict[str, Any]] = []
    for name, html in items:
        v1 = block_texts(*normalise_html(html))
        v2 = block_texts(*normalise_html_v2(html))
        row: dict[str, Any] = {"page": name}
        for m in modes:
            theirs = browser.inner_text(html, m)
            row[m] = {"v1": round(tallies[m]["v1"].add(v1, theirs), 4),
                      "v2": round(tallies[m]["v2"].add(v2, theirs), 4)}
        pages.append(row)
    return tallies, pages


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=Path("../shared"))
    ap.add_argument("--traf", type=int, default=200, help="pages from trafilatura-eval-dev")
    ap.add_argument("--wcxb", type=int, default=100, help="pages from wcxb-dev")
    ap.add_argument("--chromium", default=CHROMIUM)
    ap.add_argument("--json", type=Path, help="write figures and per-page rows here")
    args = ap.parse_args(argv)
    sets = {"tricky": list(TRICKY_CASES)}
    for name, path in sample_pages(args.shared, args.traf, args.wcxb):
        sets.setdefault(name.split("/")[0], []).append((name, decoded_page(path)))
    report: dict[str, Any] = {}
    with Browser(args.chromium) as browser:
        for set_name, items in sets.items():
            tallies, pages = run(browser, items)
            report[set_name] = {"figures": {m: {v: t.row() for v, t in by.items()} for m, by in tallies.items()},
                                "pages": pages}
    print("| set | browser view | normaliser | pages | token P | token R | token F1 | mean page F1 | boundary F1 |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    for set_name, rep in report.items():
        for mode, by in rep["figures"].items():
            for v, r in by.items():
                print(f"| {set_name} | {mode} | {v} | {r['pages']} | {r['token_p']} | {r['token_r']} | "
                      f"{r['token_f1']} | {r['mean_page_f1']} | {r['boundary_f1']} |")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
