"""Under CI=true a skipped test or module fails the run; outside CI it stays a skip."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT

CASE = """
import pytest

def test_needs_something():
    pytest.importorskip("a_module_that_is_not_installed")
"""
MODULE_CASE = """
import pytest
pytest.importorskip("a_module_that_is_not_installed")

def test_never_runs():
    pass
"""


@pytest.mark.parametrize("source", [CASE, MODULE_CASE], ids=["test", "module"])
@pytest.mark.parametrize("ci", ["true", ""])
def test_a_skip_fails_only_under_ci(pytester: pytest.Pytester, monkeypatch, source: str, ci: str) -> None:
    monkeypatch.setenv("CI", ci)
    pytester.makeconftest((ROOT / "tests" / "conftest.py").read_text(encoding="utf-8").replace(
        'pytest_plugins = ["pytester"]', ""))
    pytester.makepyfile(test_case=source)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    if ci:
        assert result.ret != 0
        result.stdout.fnmatch_lines(["*skipped under CI=true*a_module_that_is_not_installed*"])
    else:
        assert "skipped under CI" not in result.stdout.str()
        assert result.parseoutcomes().get("skipped") == 1
