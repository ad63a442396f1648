"""`corpus review`: the HTTP API (Starlette TestClient) and the real server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from review_corpus import (
    DRAFT_WRONG_BLOCK,
    MISSING_ENTITY,
    RIGHT_LABEL,
    empty_draft,
    make_corpus,
    news_draft,
    read,
    text_doc,
)

pytest.importorskip("starlette", reason="the review extra (starlette, uvicorn) is needed")
from starlette.testclient import TestClient

import corpus.store as store
from corpus.cli import main
from corpus.errors import ConfigError
from corpus.labels import GUIDELINES_VERSION
from corpus.review.app import RAW_CSP, ReviewServer, create_app, new_token
from corpus.review.workspace import Workspace
from corpus.store import write_document
from corpus.validation import validate_paths

TOKEN = "t0k3n-for-the-tests-only-0123456789"
NEWS, WEATHER, DRAFT = news_draft().id, text_doc().id, empty_draft().id


@pytest.fixture
def corpus(tmp_path: Path) -> dict[str, Path]:
    return make_corpus(tmp_path / "c")


@pytest.fixture
def client(corpus) -> TestClient:
    ws = Workspace.open(next(iter(corpus.values())).parent.parent)
    return TestClient(create_app(ws, TOKEN, annotator="ana"))


def url(path: str) -> str:
    return f"/{TOKEN}/{path}"


def edit_of(loaded: dict, **changes) -> dict:
    d = loaded["document"]
    edit = {"version": loaded["version"], "labels": [b["label"] for b in d["blocks"]],
            "entities": [{k: e[k] for k in ("start", "end", "label")} for e in d["entities"]],
            "metadata": d["metadata"],
            "status": {k: d["annotation"][k]["status"] for k in ("blocks", "entities", "metadata")},
            "annotator": "ana"}
    edit.update(changes)
    return edit


def test_requests_without_the_token_are_refused(client, corpus) -> None:
    before = corpus[NEWS].read_bytes()
    for path in ("/", "/api/queue", f"/api/documents/{NEWS}", f"/raw/{NEWS}", "/static/review.js", "/favicon.ico",
                 f"/{TOKEN[:-1]}/api/queue", f"/{TOKEN}x/api/queue", f"/x{TOKEN}/", f"/api/{TOKEN}/queue"):
        r = client.get(path)
        assert r.status_code == 403, path
        assert NEWS not in r.text and "NATO" not in r.text
    r = client.post(f"/api/documents/{NEWS}", json={"labels": []})
    assert r.status_code == 403
    assert client.post(f"/{TOKEN[:-1]}/api/documents/{NEWS}", json={}).status_code == 403
    assert corpus[NEWS].read_bytes() == before
    assert client.get(url("")).status_code == 200
    assert client.get(f"/{TOKEN}", follow_redirects=False).headers["location"] == f"/{TOKEN}/"


def test_the_page_loads_only_its_own_assets_and_frames_the_original_without_scripts(client) -> None:
    page = client.get(url(""))
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp and "unsafe" not in csp
    assert page.headers["referrer-policy"] == "no-referrer"
    html = page.text
    assert '<iframe id="original" sandbox=""' in html and "allow-scripts" not in html
    assert not [m for m in ("http://", "https://", "//cdn") if m in html]
    js, css = client.get(url("static/review.js")), client.get(url("static/review.css"))
    assert js.status_code == css.status_code == 200
    assert js.headers["content-type"].startswith("text/javascript") and "innerHTML" not in js.text
    assert "http" not in css.text and "@import" not in css.text and "url(" not in css.text
    assert client.get(url("static/../app.py")).status_code == 404
    assert client.get(url("static/index.html")).status_code == 404


def test_the_original_page_is_served_inert(client) -> None:
    r = client.get(url(f"raw/{NEWS}"))
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    csp = r.headers["content-security-policy"]
    assert csp == RAW_CSP and csp.startswith("default-src 'none'") and csp.endswith("; sandbox")
    assert "script-src" not in csp and r.headers["x-content-type-options"] == "nosniff"
    assert "owned-refresh" not in r.text  # the refresh redirect is removed; the rest is blocked by the policy
    assert "pointer-events:none" in r.text and "<script>" in r.text  # the markup stays, inert
    text = client.get(url(f"raw/{WEATHER}"))
    assert text.headers["content-type"] == "text/plain; charset=utf-8" and "Rain in Bergen" in text.text
    assert client.get(url("raw/0000000000000000")).status_code == 404


def test_queue_filters_and_progress(client) -> None:
    q = client.get(url("api/queue")).json()
    assert [d["id"] for d in q["documents"]] == sorted([NEWS, WEATHER, DRAFT])
    assert (q["total"], q["reviewed"]) == (3, 1) and q["languages"] == ["de", "en", "nb"]

    def ids(**params) -> set[str]:
        r = client.get(url("api/queue"), params=params)
        assert r.status_code == 200, r.text
        return {d["id"] for d in r.json()["documents"]}

    assert ids(status="reviewed") == {WEATHER}
    assert ids(status="to-review") == {NEWS, DRAFT}
    assert ids(status="model") == {NEWS}
    assert ids(status="none", layer="blocks") == {DRAFT}
    assert ids(status="gold", layer="metadata") == {WEATHER}
    assert ids(language="de") == {DRAFT}
    assert ids(source="native") == ids() and ids(source="wcxb") == set()
    assert client.get(url("api/queue"), params={"status": "golden"}).status_code == 400
    item = next(d for d in q["documents"] if d["id"] == NEWS)
    assert item["status"] == {"blocks": "model", "entities": "model", "metadata": "model"}
    assert item["file"] == f"documents/{NEWS}.json" and item["title"].startswith("NATO chief")


def test_a_save_the_validator_refuses_writes_nothing_and_reports_rule_ids(client, corpus) -> None:
    before = corpus[NEWS].read_bytes()
    loaded = client.get(url(f"api/documents/{NEWS}")).json()
    assert loaded["problems"] == [] and loaded["version"] == hashlib.sha256(before).hexdigest()
    labels = [b["label"] for b in loaded["document"]["blocks"]]
    labels[0] = "masthead"
    ents = edit_of(loaded)["entities"]
    first = ents[0]
    ents.append({"start": first["start"] - 1, "end": first["end"], "label": "ORG"})  # starts on a space
    meta = {**loaded["document"]["metadata"], "date_published": "yesterday"}
    r = client.post(url(f"api/documents/{NEWS}"), json=edit_of(loaded, labels=labels, entities=ents, metadata=meta))
    assert r.status_code == 422
    found = {(p["rule"], p["pointer"]) for p in r.json()["problems"]}
    assert ("block-label-unknown", "/blocks/0/label") in found
    assert ("date-invalid", "/metadata/date_published") in found
    assert ("entity-whitespace-edge", f"/entities/{len(ents) - 1}/start") in found
    assert ("entity-overlap", "/entities/0") in found  # the earlier-starting new entity overlaps entity 0
    assert corpus[NEWS].read_bytes() == before
    # the same edit, corrected, saves
    ok = client.post(url(f"api/documents/{NEWS}"), json=edit_of(loaded))
    assert ok.status_code == 200 and ok.json()["ok"]


def test_a_save_writes_exactly_the_edit_atomically(client, corpus) -> None:
    path = corpus[NEWS]
    original = read(path)
    loaded = client.get(url(f"api/documents/{NEWS}")).json()
    labels = [b["label"] for b in original["blocks"]]
    labels[DRAFT_WRONG_BLOCK] = RIGHT_LABEL
    text = original["text"]
    surface = MISSING_ENTITY[0]
    s = text.index(surface)
    ents = edit_of(loaded)["entities"] + [{"start": s, "end": s + len(surface), "label": "LOC"}]
    ents.sort(key=lambda e: e["start"])
    r = client.post(url(f"api/documents/{NEWS}"), json=edit_of(loaded, labels=labels, entities=ents))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["ok"] and body["problems"] == []
    assert body["version"] == hashlib.sha256(path.read_bytes()).hexdigest() != loaded["version"]
    saved = read(path)
    expected = json.loads(json.dumps(original))
    expected["blocks"][DRAFT_WRONG_BLOCK]["label"] = RIGHT_LABEL
    expected["entities"] = sorted(original["entities"] + [{"start": s, "end": s + len(surface), "label": "LOC",
                                                            "text": surface}], key=lambda e: e["start"])
    assert saved == expected and body["document"] == expected
    assert validate_paths([path.parent.parent]).ok
    assert sorted(p.name for p in path.parent.iterdir()) == sorted(f"{i}.json" for i in corpus)  # no temp file left
    # a second save from the version read before is stale: refused, unless forced
    again = client.post(url(f"api/documents/{NEWS}"), json=edit_of(loaded))
    assert again.status_code == 409 and "changed on disk" in again.json()["error"]
    assert read(path) == expected
    forced = client.post(url(f"api/documents/{NEWS}"), json=edit_of(loaded, force=True))
    assert forced.status_code == 200 and read(path) == original


def test_a_failed_write_leaves_the_file_whole(client, corpus, monkeypatch) -> None:
    before = corpus[NEWS].read_bytes()
    loaded = client.get(url(f"api/documents/{NEWS}")).json()
    labels = [b["label"] for b in loaded["document"]["blocks"]]
    labels[DRAFT_WRONG_BLOCK] = RIGHT_LABEL

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.os, "replace", broken_replace)
    r = client.post(url(f"api/documents/{NEWS}"), json=edit_of(loaded, labels=labels))
    assert r.status_code == 500 and "No space left" in r.json()["error"] and "unchanged" in r.json()["error"]
    assert corpus[NEWS].read_bytes() == before
    assert [p.name for p in corpus[NEWS].parent.iterdir() if p.name.startswith(".")] == []


def test_accept_marks_every_layer_gold_with_annotator_and_guidelines(client, corpus) -> None:
    loaded = client.get(url(f"api/documents/{NEWS}")).json()
    r = client.post(url(f"api/documents/{NEWS}"), json=edit_of(loaded, accept=True, annotator=" "))
    assert r.status_code == 400 and "annotator" in r.json()["error"]
    r = client.post(url(f"api/documents/{NEWS}"), json=edit_of(loaded, accept=True, annotator="ana"))
    assert r.status_code == 200, r.text
    ann = read(corpus[NEWS])["annotation"]
    assert ann == {"blocks": {"status": "gold", "by": "ana", "tool": "corpus-labeller@1.0.0"},
                   "entities": {"status": "gold", "by": "ana", "tool": "spacy"},
                   "metadata": {"status": "gold", "by": "ana", "tool": "corpus-metadata"},
                   "entity_label_set": "conll4", "guidelines_version": GUIDELINES_VERSION}
    assert r.json()["reviewed"] == 2
    # a gold block layer must label every block: accepting the empty draft is refused with the rule id
    before = corpus[DRAFT].read_bytes()
    loaded = client.get(url(f"api/documents/{DRAFT}")).json()
    r = client.post(url(f"api/documents/{DRAFT}"), json=edit_of(loaded, accept=True))
    assert r.status_code == 422 and "layer-incomplete" in {p["rule"] for p in r.json()["problems"]}
    assert corpus[DRAFT].read_bytes() == before


def test_one_layer_made_gold_records_who_and_keeps_the_others(client, corpus) -> None:
    loaded = client.get(url(f"api/documents/{NEWS}")).json()
    meta = {**loaded["document"]["metadata"], "section": "World"}
    status = {"blocks": "model", "entities": "model", "metadata": "gold"}
    r = client.post(url(f"api/documents/{NEWS}"), json=edit_of(loaded, metadata=meta, status=status, annotator="bo"))
    assert r.status_code == 200, r.text
    saved = read(corpus[NEWS])
    assert saved["metadata"]["section"] == "World"
    assert saved["annotation"]["metadata"] == {"status": "gold", "by": "bo", "tool": "corpus-metadata"}
    assert saved["annotation"]["blocks"] == loaded["document"]["annotation"]["blocks"]
    assert saved["annotation"]["guidelines_version"] == GUIDELINES_VERSION


def test_malformed_edits_are_named_not_crashes(client, corpus) -> None:
    before = corpus[NEWS].read_bytes()
    loaded = client.get(url(f"api/documents/{NEWS}")).json()
    post = url(f"api/documents/{NEWS}")
    assert client.post(post, content=b"{", headers={"content-type": "application/json"}).status_code == 400
    assert client.post(post, content=b"[]", headers={"content-type": "application/json"}).status_code == 400
    assert client.post(post, content=b"labels=x", headers={"content-type": "text/plain"}).status_code == 415
    assert client.post(post, json=edit_of(loaded, labels=["body"])).status_code == 400
    assert client.post(post, json=edit_of(loaded, entities="PER")).status_code == 400
    assert client.post(post, json=edit_of(loaded, status={"tokens": "gold"})).status_code == 400
    assert client.post(post, json=edit_of(loaded, status=["gold"])).status_code == 400
    r = client.post(post, json=edit_of(loaded, entities=[{"start": "0", "end": 4, "label": "PER"}]))
    assert r.status_code == 422 and "schema-type" in {p["rule"] for p in r.json()["problems"]}
    assert client.post(url("api/documents/ffffffffffffffff"), json=edit_of(loaded)).status_code == 404
    assert client.get(url("api/documents/ffffffffffffffff")).status_code == 404
    assert corpus[NEWS].read_bytes() == before


def test_what_review_refuses_to_open(tmp_path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        Workspace.open(tmp_path / "missing")
    jsonl = tmp_path / "shards" / "part-00000.jsonl"
    jsonl.parent.mkdir()
    jsonl.write_text(json.dumps(news_draft().to_dict()) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="one per file"):
        Workspace.open(tmp_path)
    dup = tmp_path / "dup"
    write_document(news_draft(), dup / "documents" / "a.json")
    write_document(news_draft(), dup / "documents" / "b.json")
    with pytest.raises(ConfigError, match="also used by"):
        Workspace.open(dup)
    assert main(["review", str(tmp_path / "missing")]) == 2


def test_the_server_listens_on_loopback_only_and_checks_the_token(corpus) -> None:
    ws = Workspace.open(next(iter(corpus.values())).parent.parent)
    with ReviewServer(ws, port=0) as srv:
        assert srv._sock.getsockname()[0] == "127.0.0.1" and srv.url.startswith(f"http://127.0.0.1:{srv.port}/")
        assert len(srv.token) >= 32
        with urllib.request.urlopen(srv.url + "api/queue", timeout=10) as r:
            assert json.load(r)["total"] == 3
        for bad in (f"http://127.0.0.1:{srv.port}/", f"http://127.0.0.1:{srv.port}/api/queue",
                    f"http://127.0.0.1:{srv.port}/{srv.token[:-2]}/api/queue"):
            with pytest.raises(urllib.error.HTTPError) as err:
                urllib.request.urlopen(bad, timeout=10)
            assert err.value.code == 403
        with pytest.raises(ConfigError, match="cannot listen"):
            ReviewServer(ws, port=srv.port)
    assert len({new_token() for _ in range(50)}) == 50
