"""Shared fixtures: paths to the repository, the bundled data and ../shared."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SHARED = Path(os.environ.get("CORPUS_SHARED_DIR", ROOT.parent / "shared"))
TRAF_EVAL = SHARED / "benchmarks" / "trafilatura-eval-dev"
SEED = SHARED / "seeds" / "000_31caa0d164b498d3.txt"


pytest_plugins = ["pytester"]


def in_ci() -> bool:
    """``CI`` set to anything but empty, 0 or false (CI services set ``CI=true``)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _fail_skip(rep) -> None:
    """Under CI a skip is a failure: a missing importer, extra or data set must never pass silently."""
    if in_ci() and rep.skipped and not hasattr(rep, "wasxfail"):
        reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
        rep.outcome = "failed"
        rep.longrepr = f"skipped under CI=true, which runs every test: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    _fail_skip(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    _fail_skip(outcome.get_result())


def require_chromium(*modules: str, what: str) -> str:
    """Path of Debian's chromium, with ``modules`` importable; else skip with the reason (fail in CI)."""
    import importlib.util
    import shutil

    exe = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if exe is None or missing:
        msg = (f"{what} needs Debian's chromium (CI installs it with `apt-get install -y chromium`)"
               + (f" and {', '.join(missing)}" if missing else ""))
        if in_ci():
            pytest.fail(msg)
        pytest.skip(msg)
    return exe


def require_shared(path: Path = SHARED) -> Path:
    """Skip (with the reason) when ../shared material is absent; in CI it must be there."""
    if not path.exists():
        if in_ci():
            pytest.fail(f"{path} is missing; CI runs with ../shared beside the checkout")
        pytest.skip(f"{path} not found: shared benchmark material lives beside the checkout in ../shared")
    return path


@pytest.fixture
def traf_eval_dir() -> Path:
    return require_shared(TRAF_EVAL)


@pytest.fixture
def data_dir() -> Path:
    return DATA


def sigint_default() -> None:
    """``preexec_fn`` of a child a test interrupts: Ctrl-C handled by default, even when the test run
    itself was started with SIGINT ignored (a ``nohup … &`` background job inherits that)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
