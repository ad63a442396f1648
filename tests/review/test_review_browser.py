"""`corpus review` end to end in real headless Chromium (Debian's ``chromium``, driven by Playwright).

Opens a draft, relabels a block by keyboard, adds an entity by selecting text with the mouse, fails a
save on purpose (the edits stay in the page), saves, and checks that the file on disk validates and
differs from the draft by exactly those changes; the page text's ``<script>`` shows as text and
never runs, the original page's scripts and remote loads never run or load, and requests without
the token are refused.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from review_corpus import (
    DRAFT_WRONG_BLOCK,
    DRAFT_WRONG_LABEL,
    MISSING_ENTITY,
    RIGHT_LABEL,
    make_corpus,
    news_draft,
    read,
)

from tests.conftest import require_chromium

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
NEWS = news_draft().id


def _chromium() -> str:
    return require_chromium("playwright", "starlette", "uvicorn", what="the review app's browser test")


@pytest.fixture
def app(tmp_path: Path):
    exe = _chromium()
    from playwright.sync_api import sync_playwright

    from corpus.review.app import ReviewServer
    from corpus.review.workspace import Workspace

    files = make_corpus(tmp_path / "c")
    with ReviewServer(Workspace.open(tmp_path / "c"), port=0, annotator="ana") as srv, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        requests: dict[str, list] = {"sent": [], "finished": [], "failed": []}
        page.on("request", lambda r: requests["sent"].append(r.url))
        page.on("requestfinished", lambda r: requests["finished"].append(r.url))
        page.on("requestfailed", lambda r: requests["failed"].append((r.url, r.failure)))
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        try:
            yield srv, page, files, requests, errors
        finally:
            browser.close()


def labels_shown(page) -> list[str]:
    return page.eval_on_selector_all("#blocks .block .chip", "els => els.map(e => e.textContent)")


def select_with_mouse(page, block: int, surface: str, cut: int) -> None:
    """Drag the mouse over ``surface`` in block ``block``, stopping ``cut`` characters short of its end."""
    box = page.evaluate("""([i, surface, cut]) => {
        const t = document.querySelector(`#blocks .block[data-i="${i}"] .btext`);
        const walker = document.createTreeWalker(t, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            const at = n.textContent.indexOf(surface);
            if (at < 0) continue;
            const r = document.createRange();
            r.setStart(n, at); r.setEnd(n, at + 1);
            const a = r.getBoundingClientRect();
            r.setStart(n, at + surface.length - cut - 1); r.setEnd(n, at + surface.length - cut);
            const b = r.getBoundingClientRect();
            return {x0: a.left + 1, x1: b.right - 1, y: (a.top + a.bottom) / 2};
        }
        return null;
    }""", [block, surface, cut])
    assert box, surface
    page.mouse.move(box["x0"], box["y"])
    page.mouse.down()
    page.mouse.move(box["x1"], box["y"], steps=5)
    page.mouse.up()


def test_correct_a_draft_in_the_browser(app) -> None:
    from corpus.validation import validate_paths

    srv, page, files, requests, errors = app
    path = files[NEWS]
    draft = read(path)
    page.goto(srv.url + "#" + NEWS)
    page.wait_for_selector("body[data-ready='1']")
    assert page.inner_text("#progress-text") == "1 of 3 reviewed"
    assert page.eval_on_selector_all("#queue .qitem", "els => els.length") == 3
    shown = labels_shown(page)
    assert shown[DRAFT_WRONG_BLOCK] == DRAFT_WRONG_LABEL

    # the page text's <script> is text: shown literally, never run, never turned into an element
    hostile = page.inner_text('#blocks .block[data-i="6"] .btext')
    assert hostile.startswith('<script>document.title="pwned"</script>')
    assert page.title() == "corpus review"
    assert page.evaluate("() => document.querySelectorAll('#blocks script, #blocks img').length") == 0

    # a range by keyboard, relabelled, then undone
    page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("o")
    assert labels_shown(page)[:2] == ["other", "other"]
    page.keyboard.press("u")
    assert labels_shown(page) == shown

    # relabel the caption block by keyboard
    page.keyboard.press("Home")
    for _ in range(DRAFT_WRONG_BLOCK):
        page.keyboard.press("ArrowDown")
    page.keyboard.press(RIGHT_LABEL[0])
    assert labels_shown(page)[DRAFT_WRONG_BLOCK] == RIGHT_LABEL
    # the cursor moved on: "same as previous" copies that label to the next block (undone again)
    page.keyboard.press(".")
    assert labels_shown(page)[DRAFT_WRONG_BLOCK + 1] == RIGHT_LABEL
    page.keyboard.press("u")
    assert labels_shown(page)[DRAFT_WRONG_BLOCK + 1] == shown[DRAFT_WRONG_BLOCK + 1]

    # add an entity by selecting part of the word (the selection snaps to the whole word) and its key
    surface = MISSING_ENTITY[0]
    select_with_mouse(page, 6, surface, cut=2)
    page.keyboard.press("3")
    marks = page.eval_on_selector_all('#blocks .block[data-i="6"] mark.ent',
                                      "els => els.map(e => [e.textContent, e.dataset.label])")
    assert marks == [[surface, "LOC"]]

    # click an entity, change its label by key, and undo that
    page.click('#blocks mark.ent[data-label="PER"] >> nth=0')
    page.wait_for_selector("#entity-pop:not([hidden])")
    page.keyboard.press("4")
    assert page.eval_on_selector_all("#blocks mark.ent", "els => els.filter(e => e.dataset.label == 'PER').length") \
        == sum(e["label"] == "PER" for e in draft["entities"]) - 1
    page.keyboard.press("u")

    # a save the validator refuses: problems in place with their rule ids, nothing written, nothing lost
    page.click(".tabs button[data-tab='metadata']")
    page.fill("#meta-form [name=date_published]", "last Tuesday")
    page.press("#meta-form [name=date_published]", "Tab")
    page.keyboard.press("Control+s")
    page.wait_for_selector("#problems:not([hidden])")
    assert "date-invalid" in page.inner_text("#problems")
    assert "date-invalid" in page.inner_text('#meta-form .field[data-f="date_published"]')
    assert read(path) == draft
    assert labels_shown(page)[DRAFT_WRONG_BLOCK] == RIGHT_LABEL  # the edits are still there

    # put the date back and save
    page.fill("#meta-form [name=date_published]", draft["metadata"]["date_published"])
    page.press("#meta-form [name=date_published]", "Tab")
    page.click("#save")
    page.wait_for_selector("#problems", state="hidden")
    page.wait_for_function("() => document.querySelector('#doc-meta .saved') !== null")

    saved = read(path)
    expected = json.loads(json.dumps(draft))
    expected["blocks"][DRAFT_WRONG_BLOCK]["label"] = RIGHT_LABEL
    s = draft["text"].index(surface)
    expected["entities"] = sorted(draft["entities"] + [{"start": s, "end": s + len(surface), "label": "LOC",
                                                         "text": surface}], key=lambda e: e["start"])
    assert saved == expected
    report = validate_paths([path])
    assert report.ok and not report.problems, [p.message for p in report.problems]

    # the original page: framed without scripts; none of its scripts, refreshes or remote loads ran
    frame = page.frame_locator("#original")
    assert "NATO chief" in frame.locator("body").inner_text()
    assert page.get_attribute("#original", "sandbox") == ""
    assert page.evaluate("() => window.owned === undefined")
    # every load the original page asks for is stopped by the policy inside the browser, before any network
    assert {u for u in requests["sent"] if "owned" in u} == {u for u, why in requests["failed"] if why == "csp"}
    assert not [u for u in requests["finished"] if not u.startswith(srv.url)], requests["finished"]
    assert errors == []

    # without the token: refused, in the browser too
    for bad in (f"http://127.0.0.1:{srv.port}/", f"http://127.0.0.1:{srv.port}/{srv.token[:-1]}/",
                f"http://127.0.0.1:{srv.port}/api/documents/{NEWS}"):
        response = page.goto(bad)
        assert response.status == 403, bad
        assert "NATO" not in page.content()
    assert read(path) == expected
