"""Screenshots of `corpus review` for docs/review.md, taken in headless Chromium (Playwright).

Builds a review corpus in a temporary folder: the seed page and ten bundled pages ingested as drafts
(``corpus ingest``), four bundled gold documents (so the queue shows progress), and one long real page
from ../shared (WCXB development page 2020, an open-access journal article, CC-BY-4.0). Then it serves
the corpus with the app and drives it as an annotator would: relabel by keyboard, select a range,
open an entity, fail a save on purpose.

    python scripts/review_screenshots.py --shared ../shared --out docs/img
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

import corpus
from corpus.model import doc_id_for, sha256_hex
from corpus.review.app import ReviewServer
from corpus.review.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SEED_ID = "2a651a9cacbfdf27"
LONG_PAGE = Path("benchmarks/wcxb-dev/dev/html/2020.html.gz")
#: Bundled pages kept as gold documents (the rest of the bundled pages are ingested as drafts).
GOLD = ("001_", "002_", "003_", "004_")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1600, "height": 1000}


def build_corpus(shared: Path, root: Path) -> str:
    """The review corpus under ``root``; returns the long page's document id."""
    inputs = root / "inputs"
    inputs.mkdir(parents=True)
    shutil.copy(shared / "seeds" / "000_31caa0d164b498d3.txt", inputs)
    shutil.copy(shared / LONG_PAGE, inputs / "jmir-mhealth-2019-6-e14273.html.gz")
    for page in sorted((DATA / "raw").iterdir()):
        if not page.name.startswith(("000_", *GOLD)):
            shutil.copy(page, inputs)
    out = root / "corpus"
    corpus.ingest([inputs], out, source_dataset="native")
    for doc_file in (DATA / "documents").glob("*.json"):
        doc = corpus.pick_document(doc_file)
        if doc.source.raw_path and Path(doc.source.raw_path).name.startswith(GOLD):
            (out / "raw").mkdir(exist_ok=True)
            shutil.copy(DATA / doc.source.raw_path, out / doc.source.raw_path)
            shutil.copy(doc_file, out / "documents" / doc_file.name)
    return long_page_id(shared)


def long_page_id(shared: Path) -> str:
    return doc_id_for(sha256_hex((shared / LONG_PAGE).read_bytes()))


def shrink(path: Path) -> None:
    """Store the screenshot with a 256-colour palette (a third of the size) when Pillow is installed."""
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as im:
        small = im.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def shoot(root: Path, long_id: str, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    shots = []
    ws = Workspace.open(root / "corpus")
    with ReviewServer(ws, annotator="ana.lima") as srv, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORT, device_scale_factor=1)

        def open_doc(doc_id: str) -> None:
            page.goto(srv.url + "#" + doc_id)
            page.wait_for_selector("body[data-ready='1']")
            page.wait_for_function("(id) => document.querySelector('#doc-meta code')?.textContent === id", arg=doc_id)
            page.wait_for_timeout(600)

        def save(name: str) -> None:
            path = out / name
            page.wait_for_timeout(400)
            page.screenshot(path=str(path))
            shrink(path)
            shots.append(path)

        # 1. the seed page: the app promo at the top relabelled by keyboard, a range selected below it
        open_doc(SEED_ID)
        page.keyboard.press("Shift+ArrowDown")
        page.keyboard.press("Shift+ArrowDown")
        page.keyboard.press("Shift+ArrowDown")
        page.keyboard.press("a")
        for _ in range(3):
            page.keyboard.press("Shift+ArrowDown")
        page.evaluate("() => document.querySelector('#toast').hidden = true")
        save("review-seed.png")

        # 2. a long real page, scrolled into the article, with an entity's menu open
        open_doc(long_id)
        target = page.evaluate("""() => {
            const blocks = [...document.querySelectorAll('#blocks .block.content')];
            const b = blocks.find(x => x.querySelectorAll('mark.ent').length >= 2 && x.textContent.length > 300);
            return b ? +b.dataset.i : 0;
        }""")
        page.keyboard.press("Home")
        for _ in range(target):
            page.keyboard.press("ArrowDown")
        page.evaluate("(i) => document.querySelector(`#blocks .block[data-i='${i}']`)"
                      ".scrollIntoView({block: 'center'})", target)
        page.click(f"#blocks .block[data-i='{target}'] mark.ent >> nth=0")
        save("review-long.png")

        # 3. a refused save: the problems in place, with their rule ids; nothing written, nothing lost
        page.keyboard.press("Escape")
        open_doc(SEED_ID)
        page.click(".tabs button[data-tab='metadata']")
        page.fill("#meta-form [name=date_published]", "last Tuesday")
        page.press("#meta-form [name=date_published]", "Tab")
        page.click("#accept")
        page.wait_for_selector("#problems:not([hidden])")
        page.evaluate("() => document.querySelector('#toast').hidden = true")
        save("review-problems.png")
        browser.close()
    return shots


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    ap.add_argument("--keep", type=Path, help="build the corpus here (kept) instead of a temporary folder")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        long_id = build_corpus(args.shared, root) if not (root / "corpus").is_dir() else long_page_id(args.shared)
        for path in shoot(root, long_id, args.out):
            print(path)


if __name__ == "__main__":
    main()
