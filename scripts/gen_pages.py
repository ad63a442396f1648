"""Generate realistic synthetic news pages with known block labels, at any scale, deterministically.

Each page has the furniture of a real news page — cookie banner, masthead, navigation, headline,
byline, paragraphs, figure caption, inline ads, related links, share widget, paywall prompt, comments,
footer, inline scripts and styles, nested layout divs — with invented words and names (no real text is
copied). Next to the pages, ``labels.jsonl`` gives for every page the text of each block and its label
(the generator's ground truth), so labellers can be scored on it.

    python scripts/gen_pages.py OUT_DIR --pages 10000 [--seed 1] [--gzip-share 0.1]

Same arguments, same bytes. Pages are spread over ``OUT_DIR/pages/NNN/`` (1000 per directory).
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import random
from pathlib import Path

SYLLABLES = ["ka", "lo", "mer", "tin", "sa", "ven", "dor", "li", "qua", "ros", "ten", "bel", "ni", "gar",
             "fo", "ul", "pri", "zan", "mo", "cre", "dal", "vi", "she", "tor", "ba", "ex", "pon", "ri"]
FIRST = ["Anna", "Milo", "Sara", "Jonas", "Lea", "Tomas", "Ines", "Karel", "Nora", "Emil", "Olga", "Piet"]
LAST = ["Varnholt", "Ostrova", "Keller", "Dunmore", "Abernet", "Silvestri", "Marov", "Lindqvist", "Otieno"]
CITIES = ["Harbourton", "Velmar", "Ostrand", "Kilbury", "Norrvik", "Castellane", "Dunmere", "Brasko"]
ORGS = ["Tidal Authority", "Velmar Council", "Northern Rail Board", "Kilbury United", "Ostrand Bank"]
SECTIONS = ["World", "Politics", "Business", "Sport", "Culture", "Science", "Opinion", "Travel"]


def word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3)))


def sentence(rng: random.Random, n: int | None = None) -> str:
    words = [word(rng) for _ in range(n or rng.randint(6, 22))]
    for _ in range(rng.randint(0, 2)):  # named entities
        kind = rng.random()
        name = (f"{rng.choice(FIRST)} {rng.choice(LAST)}" if kind < 0.4 else rng.choice(CITIES) if kind < 0.7
                else f"the {rng.choice(ORGS)}")
        words.insert(rng.randrange(len(words)), name)
    s = " ".join(words)
    return s[0].upper() + s[1:] + rng.choice([".", ".", ".", "?", "!"])


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(2, 6)))


def page(i: int, seed: int) -> tuple[str, list[tuple[str, str]]]:
    """HTML of page ``i`` and its ``(label, text)`` blocks in reading order."""
    rng = random.Random(f"{seed}:{i}")
    blocks: list[tuple[str, str]] = []
    site = word(rng).capitalize() + " " + rng.choice(["Courier", "Gazette", "Herald", "Post", "Tribune"])
    section = rng.choice(SECTIONS)

    def b(label: str, text: str) -> str:
        blocks.append((label, text))
        return html.escape(text)

    parts: list[str] = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{html.escape(site)}</title><style>" + "".join(
            f".c{k}{{margin:0 auto;padding:{k}px}}" for k in range(rng.randint(100, 500))) + "</style>",
        "<script>" + "".join(f"window.dataLayer.push({{e:'x{k}',v:{k}}});" for k in range(rng.randint(100, 600)))
        + "</script></head><body>",
    ]
    if rng.random() < 0.6:
        parts.append(f"<div class='cookie-banner'><p>{b('other', 'We use cookies to improve your experience.')}"
                     "</p><button>Accept</button></div>")
    parts.append(f"<header class='masthead'><div class='logo'>{b('header', site)}</div></header>")
    nav = [rng.choice(SECTIONS) for _ in range(rng.randint(4, 9))]
    parts.append("<nav><ul>" + "".join(f"<li><a href='/{n.lower()}'>{b('navigation', n)}</a></li>" for n in nav)
                 + "</ul></nav>")
    parts.append(f"<div class='breadcrumb'><a href='/'>{b('navigation', 'Home')}</a> › "
                 f"<a href='/{section.lower()}'>{b('navigation', section)}</a></div>")
    parts.append("<div class='wrap container-fluid'><div class='col col-md-8 col-sm-12' data-track='main'>"
                 "<main id='content' role='main'><article class='story story--long' itemscope>")
    parts.append(f"<h1>{b('title', sentence(rng, rng.randint(5, 12)).rstrip('.?!'))}</h1>")
    author = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    parts.append(f"<p class='byline'>{b('byline', f'By {author}, {rng.randint(1, 28)} May 2024')}</p>")
    n_par = rng.randint(4, 25)
    for k in range(n_par):
        if k == 2 and rng.random() < 0.7:
            parts.append(f"<figure><img src='/img/{i}.jpg' alt=''><figcaption>{b('caption', sentence(rng))}"
                         "</figcaption></figure>")
        if k == 4 and rng.random() < 0.5:
            parts.append(f"<div class='ad'><p>{b('advertisement', 'Advertisement: ' + sentence(rng, 6))}</p></div>")
        if k and k % 7 == 0:
            parts.append(f"<h2>{b('body', sentence(rng, 5).rstrip('.?!'))}</h2>")
        parts.append(f"<p>{b('body', paragraph(rng))}</p>")
    if rng.random() < 0.3:
        parts.append(f"<div class='paywall'><p>{b('paywall', 'Subscribe to keep reading this story.')}</p></div>")
    parts.append("</article>")
    parts.append(f"<div class='share'>{b('social', 'Share this article')}</div>")
    parts.append("<aside class='related'><h3>" + b("related", "Related stories") + "</h3><ul>" + "".join(
        f"<li><a href='/s/{rng.randint(1, 10**6)}'>{b('related', sentence(rng, 7))}</a></li>"
        for _ in range(rng.randint(2, 6))) + "</ul></aside>")
    if rng.random() < 0.4:
        parts.append("<section class='comments'>" + "".join(
            f"<div class='comment'><p>{b('comments', paragraph(rng))}</p></div>" for _ in range(rng.randint(1, 5)))
                     + "</section>")
    parts.append("</main></div></div>")
    parts.append(f"<footer><p>{b('footer', f'© 2024 {site}. All rights reserved.')}</p></footer>")
    parts.append("<script>" + "track('view');" * rng.randint(5, 40) + "</script></body></html>")
    return "".join(parts), blocks


def generate(out: Path, pages: int, seed: int = 1, gzip_share: float = 0.0) -> list[Path]:
    """Write ``pages`` pages and ``labels.jsonl`` under ``out``; returns the page paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    with open(out / "labels.jsonl", "w", encoding="utf-8") as labels:
        for i in range(pages):
            text, blocks = page(i, seed)
            d = out / "pages" / f"{i // 1000:03d}"
            d.mkdir(parents=True, exist_ok=True)
            gz = random.Random(f"gz:{seed}:{i}").random() < gzip_share
            p = d / (f"p{i:07d}.html.gz" if gz else f"p{i:07d}.html")
            data = text.encode("utf-8")
            p.write_bytes(gzip.compress(data, mtime=0) if gz else data)
            labels.write(json.dumps({"page": str(p.relative_to(out)), "blocks": blocks}, ensure_ascii=False) + "\n")
            paths.append(p)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--gzip-share", type=float, default=0.0, help="share of pages written as .html.gz")
    args = ap.parse_args()
    generate(args.out, args.pages, args.seed, args.gzip_share)


if __name__ == "__main__":
    main()
