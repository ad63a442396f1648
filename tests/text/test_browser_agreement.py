"""Normaliser v2 against a browser: headless Chromium's ``document.body.innerText`` (scripts/browser_agreement.py).

Runs the generated tricky cases and a small fixed sample of real pages; skipped (with the reason) when
Playwright or Chromium is missing, a failure under CI=true.
"""

from __future__ import annotations

import importlib.util
import sys

import pytest

from tests.conftest import ROOT, SHARED, require_chromium, require_shared


def _script():
    spec = importlib.util.spec_from_file_location("browser_agreement", ROOT / "scripts" / "browser_agreement.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("browser_agreement", mod)  # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def browser():
    ba = _script()
    exe = require_chromium("playwright", what="the browser anchor")
    with ba.Browser(exe) as b:
        yield ba, b


def test_metrics_on_known_values() -> None:
    ba = _script()
    assert ba.token_overlap("a b b c", "b a c c") == (3, 4, 4)
    assert ba.boundary_overlap(["x y", "z"], ba.browser_lines("x y\n\nz\tw")) == (1, 1, 2)
    assert ba.f1(0, 0, 0) == 1.0 and ba.f1(1, 2, 2) == 0.5


def test_tricky_cases_agree_with_chromium(browser) -> None:
    ba, b = browser
    tallies, pages = ba.run(b, ba.TRICKY_CASES, modes=("aligned",))
    v1, v2 = tallies["aligned"]["v1"].row(), tallies["aligned"]["v2"].row()
    bad = [p for p in pages if p["aligned"]["v2"] < 1.0]
    assert v2["token_f1"] == 1.0 and not bad, bad
    assert v2["boundary_f1"] >= 0.99 and v2["token_f1"] > v1["token_f1"]


@pytest.mark.shared
def test_real_pages_agree_with_chromium(browser) -> None:
    require_shared(SHARED / "benchmarks" / "trafilatura-eval-dev")
    require_shared(SHARED / "benchmarks" / "wcxb-dev")
    ba, b = browser
    items = [(name, ba.decoded_page(p)) for name, p in ba.sample_pages(SHARED, 12, 6)]
    tallies, _ = ba.run(b, items, modes=("aligned",))
    v1, v2 = tallies["aligned"]["v1"].row(), tallies["aligned"]["v2"].row()
    assert v2["token_f1"] >= 0.99 and v2["boundary_f1"] >= 0.98, v2
    assert v2["token_f1"] >= v1["token_f1"], (v1, v2)
