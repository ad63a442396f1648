"""CI gate on the learned labeller's training procedure, scored out of fold (grouped by site).

The shipped model is trained on every shared page, so scoring it on them would be in-sample. The
gate reruns what ``scripts/train_labeller.py`` does, on trafilatura-eval-dev alone: five folds, each
model trained on the other sites' pages and scored on its own fold's, and pins the pooled body-view F1.
The floor catches a worse procedure (features, targets, parameters); the ceiling catches a leak
between folds (a score near the in-sample one).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT, TRAF_EVAL, require_shared

#: Out-of-fold body-view F1 of the procedure on trafilatura-eval-dev alone (``trafilatura_segments``),
#: measured with the command in docs/labeller.md ("CI gate"), and its band.
MEASURED_F1 = 0.946
BAND = (0.936, 0.956)
#: trafilatura 2.3.1's published F1 on the same pages (issue target: the labeller at least matches it).
TRAFILATURA_PUBLISHED_F1 = 0.927


def test_band_holds_the_measured_figure_above_trafilatura():
    assert BAND[0] < MEASURED_F1 < BAND[1]
    assert BAND[0] > TRAFILATURA_PUBLISHED_F1


@pytest.mark.slow
@pytest.mark.shared
def test_out_of_fold_body_view_f1_stays_in_its_band(tmp_path):
    shared = require_shared(TRAF_EVAL).parent
    pytest.importorskip("sklearn", reason="the gate trains trees: the `train` extra")
    report = tmp_path / "oof.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "train_labeller.py"), "--sources", "trafilatura-eval-dev",
         "--folds", "5", "--no-fit", "--jobs", "2", "--shared", str(shared), "--cache", str(tmp_path / "cache"),
         "--report", str(report)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rep = json.loads(report.read_text(encoding="utf-8"))
    assert rep["folds"] == 5 and rep["grouped_by"] == "registrable domain"
    row = rep["trafilatura-eval-dev"]
    assert row["pages"] == 592
    assert BAND[0] <= row["f1"] <= BAND[1], f"out-of-fold body-view F1 {row['f1']:.4f} outside {BAND}"
