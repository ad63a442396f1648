"""Extractor registry, plug-ins and process isolation (time-out, crash, byte cap)."""

from __future__ import annotations

import importlib.metadata
import os
import time

import pytest

from corpus.errors import ConfigError
from corpus.evaluate import extractors as X
from corpus.evaluate.extractors.pool import Task, cap_text, run_isolated

BUILTINS = {"trafilatura", "readability", "justext", "goose3", "boilerpy3", "newspaper4k", "news-please",
            "resiliparse", "inscriptis", "html-text", "html2text", "bs4", "everything", "nothing", "corpus-labeller"}


def test_builtin_adapters_are_registered_with_variants():
    names = set(X.available())
    assert BUILTINS <= names
    systems = X.system_names()
    for v in ("trafilatura", "trafilatura:precision", "trafilatura:recall", "trafilatura:fast", "trafilatura:defaults"):
        assert v in systems


def test_resolve_records_version_and_options():
    ex = X.resolve("trafilatura:precision")
    assert ex.name == "trafilatura:precision"
    assert ex.version == importlib.metadata.version("trafilatura")
    assert ex.options["favor_precision"] is True and ex.options["include_tables"] is True
    assert ex.cache_key() != X.resolve("trafilatura").cache_key()


def test_unknown_extractor_or_variant_is_a_config_error():
    with pytest.raises(ConfigError, match="unknown extractor"):
        X.resolve("no-such-extractor")
    with pytest.raises(ConfigError, match="unknown variant"):
        X.resolve("trafilatura:nope")


def test_missing_dependency_names_the_extra(monkeypatch):
    spec = X.register(X.ExtractorSpec(name="t-missing", factory=lambda o: lambda p: "",
                                      module="no_such_module_xyz", extra="extractors"))
    try:
        with pytest.raises(ConfigError, match=r"webcorpus\[extractors\]"):
            X.resolve(spec.name)
    finally:
        X._REGISTRY.pop(spec.name, None)


def test_plugin_entry_point_is_loaded(monkeypatch):
    spec = X.ExtractorSpec(name="t-plugin", factory=lambda o: lambda p: "plugged")

    class EP:
        name = "t-plugin"

        def load(self):
            return lambda: spec  # a callable returning the spec is accepted too

    real = importlib.metadata.entry_points

    def fake(**kw):
        return [EP()] if kw.get("group") == X.ENTRY_POINT_GROUP else real(**kw)

    monkeypatch.setattr(importlib.metadata, "entry_points", fake)
    monkeypatch.setattr(X, "_loaded", False)
    try:
        assert "t-plugin" in X.available()
        assert X.build("t-plugin")(X.Page(b"<p>x</p>")) == "plugged"
    finally:
        X._REGISTRY.pop("t-plugin", None)


HTML = (b"<html><head><title>T</title><script>var x=1;</script></head><body><nav>Menu</nav><article><p>"
        + b"The article text is here and it is long enough to count. " * 8 + b"</p></article></body></html>")


@pytest.mark.parametrize("system", ["everything", "nothing", "bs4", "trafilatura"])
def test_builtin_adapters_extract_text(system):
    text = X.build(system)(X.Page(HTML))
    if system == "nothing":
        assert text == ""
    else:
        assert "The article text is here" in text
        assert "var x" not in text


def test_everything_html_variant_keeps_markup():
    assert "<article>" in X.build("everything:html")(X.Page(HTML))


def _misbehaving(options):
    def run(page):
        if b"HANG" in page.raw:
            time.sleep(60)
        if b"CRASH" in page.raw:
            os._exit(3)
        if b"RAISE" in page.raw:
            raise RuntimeError("boom")
        if b"HUGE" in page.raw:
            return "é" * 100
        return page.raw.decode()

    return run


@pytest.fixture
def misbehaving():
    X.register(X.ExtractorSpec(name="t-misbehaving", factory=_misbehaving))
    yield "t-misbehaving"
    X._REGISTRY.pop("t-misbehaving", None)


def test_hang_crash_and_exception_are_recorded_failures_and_the_run_goes_on(tmp_path, misbehaving):
    tasks = []
    for key, body in [("hang", "HANG"), ("ok1", "fine"), ("crash", "CRASH"), ("raise", "RAISE"),
                      ("ok2", "also fine"), ("huge", "HUGE")]:
        p = tmp_path / f"{key}.html"
        p.write_bytes(body.encode())
        tasks.append(Task(key, str(p)))
    start = time.monotonic()
    out = {o.key: o for o in run_isolated(misbehaving, tasks, jobs=2, timeout=1.5, max_bytes=11)}
    assert time.monotonic() - start < 20
    assert out["hang"].text is None and out["hang"].error.startswith("timeout")
    assert out["crash"].text is None and out["crash"].error.startswith("crash")
    assert out["raise"].text is None and "RuntimeError: boom" in out["raise"].error
    assert out["ok1"].text == "fine" and out["ok2"].text == "also fine"
    assert out["huge"].text == "é" * 5 and out["huge"].truncated  # 11 bytes -> 5 two-byte characters


def test_missing_raw_file_is_a_failure_not_an_abort(tmp_path, misbehaving):
    out = list(run_isolated(misbehaving, [Task("gone", str(tmp_path / "gone.html"))], jobs=1))
    assert out[0].text is None and "FileNotFoundError" in out[0].error


def test_cap_text_cuts_on_a_character_boundary():
    assert cap_text("abc", 10) == ("abc", False)
    assert cap_text("€€", 4) == ("€", True)


NETWORK_PAGE = (b"<html><head><title>News</title><link rel='stylesheet' href='http://192.0.2.1/s.css'></head><body>"
                b"<article><h1>Headline of the story</h1><img src='http://192.0.2.1/big.jpg' width='800'>"
                + b"<p>Paragraph of the news article with enough words to be taken as content by anyone.</p>" * 6
                + b"</article></body></html>")


@pytest.mark.parametrize("system", ["newspaper4k", "news-please", "goose3", "readability", "trafilatura"])
def test_adapters_never_touch_the_network(system, monkeypatch):
    import socket

    spec = X.available()[system]
    if not X.installed(spec):
        pytest.skip(f"{system} is not installed")
    attempts = []

    def refuse(self, *args, **kwargs):
        attempts.append(args)
        raise OSError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: attempts.append(a) or [])
    text = X.build(system)(X.Page(NETWORK_PAGE, url="http://192.0.2.1/story"))
    assert attempts == []
    assert "Paragraph of the news article" in (text or "")
