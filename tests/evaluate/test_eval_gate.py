"""CI evaluation gate: import + bench of the trafilatura evaluation dev set against pinned floors."""

from __future__ import annotations

import importlib.util

import pytest

from tests.conftest import ROOT, TRAF_EVAL, require_shared


def _gate():
    spec = importlib.util.spec_from_file_location("eval_gate", ROOT / "scripts" / "eval_gate.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
@pytest.mark.shared
def test_default_extractor_meets_the_pinned_floors(tmp_path):
    src = require_shared(TRAF_EVAL)
    from corpus.formats import importers as available

    if "trafilatura-eval" not in available():
        pytest.skip("the trafilatura-eval importer is not available in this checkout")
    gate = _gate()
    row, problems = gate.run_gate(src, tmp_path, jobs=2)
    assert not problems, f"{problems}; measured {row}"
    assert row["system"] == "trafilatura" and row["metric"] == "trafilatura_segments"


@pytest.mark.shared
def test_dev_set_digest_is_pinned():
    src = require_shared(TRAF_EVAL)
    assert _gate().dev_set_digest(src) == _gate().DIGEST, "the dev set changed: re-pin scripts/eval_gate.py"
