"""Shared fixtures: paths to the repository, the bundled data and ../shared."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SHARED = Path(os.environ.get("CORPUS_SHARED_DIR", ROOT.parent / "shared"))
TRAF_EVAL = SHARED / "benchmarks" / "trafilatura-eval-dev"
SEED = SHARED / "seeds" / "000_31caa0d164b498d3.txt"


def require_shared(path: Path = SHARED) -> Path:
    """Skip (with the reason) when ../shared material is absent; in CI it must be there."""
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing; CI runs with ../shared beside the checkout")
        pytest.skip(f"{path} not found: shared benchmark material lives beside the checkout in ../shared")
    return path


@pytest.fixture
def traf_eval_dir() -> Path:
    return require_shared(TRAF_EVAL)


@pytest.fixture
def data_dir() -> Path:
    return DATA
