"""CI evaluation gate: import + bench of the trafilatura evaluation dev set and the package's labeller,
each inside its pinned band, and the bench counts equal to trafilatura's own procedure page by page."""

from __future__ import annotations

import importlib.util

import pytest

from tests.conftest import ROOT, TRAF_EVAL, require_shared


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
@pytest.mark.shared
def test_gate_scores_stay_in_their_bands_and_equal_trafilaturas_procedure(tmp_path):
    src = require_shared(TRAF_EVAL)
    pytest.importorskip("trafilatura", reason="the gate needs the `extract` extra")
    gate = _script("eval_gate")
    rows, problems = gate.run_gate(src, tmp_path, jobs=2)
    measured = {s: {k: r[k] for k in ("precision", "recall", "f1")} for s, r in rows.items()}
    assert not problems, f"{problems}; measured {measured}"
    assert set(rows) == {"trafilatura", "corpus-labeller"}
    # the bench side of the gate against the independent re-implementation of trafilatura's evaluation
    cross = _script("crosscheck_trafilatura_eval")
    options, system = cross.VARIANTS["fallback"]
    assert system == gate.SYSTEM
    ours = rows["trafilatura"]["per_page"]
    ref = cross.reference_counts(src, options)
    assert len(ref) == gate.N_PAGES
    bad = cross.differences(ref, ours)
    assert not bad, f"{len(bad)} pages differ from trafilatura's procedure, e.g. " + "; ".join(
        f"{u}: reference {ref.get(u)} corpus {ours.get(u)}" for u in bad[:5])


def test_bands_have_a_floor_and_a_ceiling_around_the_measured_scores():
    gate = _script("eval_gate")
    for system, scores in gate.MEASURED.items():
        for key, value in scores.items():
            floor, ceiling = gate.BANDS[system][key]
            assert floor < value < ceiling
    row = {"precision": 0.9047, "recall": 0.9499, "f1": 0.9267}
    assert gate.band_problems("trafilatura", row) == []
    assert "below the floor" in gate.band_problems("trafilatura", {**row, "f1": 0.92})[0]
    assert "above the ceiling" in gate.band_problems("trafilatura", {**row, "recall": 0.96})[0]


def test_crosscheck_reports_every_differing_page():
    cross = _script("crosscheck_trafilatura_eval")
    ref = {"a": (1, 0, 0, 1), "b": (2, 0, 0, 0), "c": (0, 0, 1, 0)}
    assert cross.differences(ref, dict(ref)) == []
    assert cross.differences(ref, {"a": (1, 0, 0, 1), "b": (1, 1, 1, 0), "d": (0, 0, 0, 0)}) == ["c", "d", "b"]


@pytest.mark.shared
def test_dev_set_digest_is_pinned():
    src = require_shared(TRAF_EVAL)
    assert _script("eval_gate").dev_set_digest(src) == _script("eval_gate").DIGEST, \
        "the dev set changed: re-pin scripts/eval_gate.py"
