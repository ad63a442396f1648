"""A round trip through a real Label Studio server (``label-studio`` from PyPI, in its own environment).

The server is found through ``CORPUS_LABEL_STUDIO`` (the ``label-studio`` executable of a separate
virtual environment: its dependencies conflict with ours; ``.ci/run`` installs it). The test starts it
on 127.0.0.1 with a temporary data directory, creates a project with our labelling config, imports our
exported tasks, submits annotations the way the editor serialises them (code-point offsets and the
selected text), exports from the server and imports that export back into the corpus.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from annotation_samples import samples

from corpus.cli import main
from corpus.documents import load_documents
from corpus.interop.labelstudio import BLOCK_CONTROL, ENTITY_CONTROL, TEXT_OBJECT
from corpus.interop.spans import spans_equal, utf16_offsets
from corpus.model import Annotation, Block, Document
from corpus.store import write_documents

pytestmark = pytest.mark.labelstudio

SERVER_ENV = "CORPUS_LABEL_STUDIO"
#: The first start applies a few hundred database migrations: minutes on a busy 2-core machine.
START_TIMEOUT_S = 900
REQUEST_TIMEOUT_S = 120
SNAPSHOT_POLLS = 240
USER = "annotator@example.org"
TOKEN = "corpus-round-trip-" + uuid.uuid4().hex[:16]


@dataclass
class Server:
    url: str
    log: Path

    def call(self, method: str, path: str, body: Any = None) -> Any:
        """One JSON API call, its decoded answer."""
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        return json.loads(self.get(path, method, data).decode("utf-8"))

    def get(self, path: str, method: str = "GET", data: bytes | None = None) -> bytes:
        """The raw body of one authenticated request."""
        req = urllib.request.Request(self.url + path, data=data, method=method, headers={
            "Authorization": f"Token {TOKEN}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=REQUEST_TIMEOUT_S) as resp:
                return resp.read()
        except urllib.error.HTTPError as exc:
            raise AssertionError(f"{method} {path}: HTTP {exc.code}: {exc.read()[:500]!r}") from None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace")[-3000:]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    exe = os.environ.get(SERVER_ENV, "")
    if not exe:
        pytest.skip(f"{SERVER_ENV} is not set: point it at a label-studio executable installed in its own "
                    "virtual environment (see docs/annotation-format.md; .ci/run does this)")
    if not Path(exe).is_file():
        pytest.skip(f"{SERVER_ENV}={exe} is not a file")
    data = tmp_path_factory.mktemp("label-studio")
    log = data / "server.log"
    port = _free_port()
    env = {**os.environ, "LABEL_STUDIO_BASE_DATA_DIR": str(data), "LATEST_VERSION_CHECK": "false",
           "COLLECT_ANALYTICS": "false", "SENTRY_DSN": "", "FRONTEND_SENTRY_DSN": "",
           "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true"}
    cmd = [exe, "start", "--no-browser", "--internal-host", "127.0.0.1", "--port", str(port),
           "--data-dir", str(data), "--username", USER, "--password", uuid.uuid4().hex,
           "--user-token", TOKEN, "--enable-legacy-api-token", "--log-level", "WARNING"]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env,
                                cwd=data, start_new_session=True)
    srv = Server(f"http://127.0.0.1:{port}", log)
    try:
        started = time.monotonic()
        while True:
            if proc.poll() is not None:
                pytest.fail(f"label-studio exited with {proc.returncode}:\n{_tail(log)}")
            try:
                with urllib.request.urlopen(srv.url + "/health", timeout=5) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() - started > START_TIMEOUT_S:
                pytest.fail(f"label-studio did not answer within {START_TIMEOUT_S} s:\n{_tail(log)}")
            time.sleep(0.5)
        print(f"label-studio up after {time.monotonic() - started:.1f} s")
        yield srv
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _draft(doc: Document) -> Document:
    """The same page before annotation: no block labels, no entities."""
    return doc.replace(blocks=tuple(Block(b.start, b.end, None, b.tag, b.xpath) for b in doc.blocks),
                       entities=(), annotation=Annotation())


def _region(control: str, text: str, start: int, end: int, label: str) -> dict:
    """A text region as the editor serialises it: code-point offsets and the selected text."""
    return {"id": uuid.uuid4().hex[:10], "from_name": control, "to_name": TEXT_OBJECT, "type": "labels",
            "origin": "manual", "value": {"start": start, "end": end, "text": text[start:end], "labels": [label]}}


def _annotator_result(doc: Document, text: str) -> list[dict]:
    """What an annotator selects to label ``doc`` on the task text the server holds.

    Consecutive blocks of the same label are one selection (one region over several blocks)."""
    result, i = [], 0
    while i < len(doc.blocks):
        j = i
        while j + 1 < len(doc.blocks) and doc.blocks[j + 1].label == doc.blocks[i].label:
            j += 1
        if doc.blocks[i].label is not None:
            result.append(_region(BLOCK_CONTROL, text, doc.blocks[i].start, doc.blocks[j].end, doc.blocks[i].label))
        i = j + 1
    result += [_region(ENTITY_CONTROL, text, e.start, e.end, e.label) for e in doc.entities]
    return result


def test_round_trip_through_the_real_server(server: Server, tmp_path: Path) -> None:
    gold = {d.id: d for d in samples()}
    news, weather, plain = samples()
    # the plain draft gets labels the annotator adds by hand
    plain_gold = plain.replace(blocks=tuple(Block(b.start, b.end, "body", b.tag, b.xpath) for b in plain.blocks))
    gold[plain.id] = plain_gold
    assert any(ord(c) > 0xFFFF for c in news.text) and len(news.text) != len(news.text.encode("utf-16-le")) // 2

    # the corpus holds drafts, except the weather page whose labels go out as pre-annotations
    corpus = tmp_path / "corpus"
    write_documents([_draft(news), weather, _draft(plain)], corpus / "documents")
    assert main(["export", "labelstudio", str(corpus / "documents"), "--out", str(tmp_path / "ls")]) == 0
    tasks = json.loads((tmp_path / "ls" / "tasks.json").read_text(encoding="utf-8"))
    config = (tmp_path / "ls" / "labeling_config.xml").read_text(encoding="utf-8")

    project = server.call("POST", "/api/projects/", {"title": "corpus round trip", "label_config": config})
    parsed = project["parsed_label_config"]
    assert parsed[BLOCK_CONTROL]["to_name"] == [TEXT_OBJECT] and "paywall" in parsed[BLOCK_CONTROL]["labels"]
    assert parsed[ENTITY_CONTROL]["labels"] == ["PER", "ORG", "LOC", "MISC"]
    pid = project["id"]
    imported = server.call("POST", f"/api/projects/{pid}/import", tasks)
    assert imported["task_count"] == 3 and imported["prediction_count"] == 3, imported  # drafts' are empty

    listed = server.call("GET", f"/api/tasks/?project={pid}&page_size=100")["tasks"]
    by_doc = {t["data"]["doc_id"]: server.call("GET", f"/api/tasks/{t['id']}") for t in listed}
    assert set(by_doc) == set(gold)
    for doc_id, task in by_doc.items():
        text = task["data"]["text"]
        assert text == gold[doc_id].text  # the server keeps astral characters and newlines as they are
        pred = task["predictions"][0]
        if pred["result"]:  # accept the pre-annotations unchanged, as "submit" on a predicted task does
            result = [{**r, "origin": "prediction"} for r in pred["result"]]
            body = {"result": result, "parent_prediction": pred["id"]}
        else:
            result = _annotator_result(gold[doc_id], text)
            body = {"result": result}
        body.update(was_cancelled=False, ground_truth=False, lead_time=12.5, task=task["id"], project=pid)
        saved = server.call("POST", f"/api/tasks/{task['id']}/annotations/", body)
        stored = server.call("GET", f"/api/annotations/{saved['id']}")
        # the server stores offsets as sent: code points, not UTF-16 units
        assert [r["value"] for r in stored["result"]] == [r["value"] for r in result]

    tripoli = next(r["value"] for r in stored_news(server, by_doc[news.id]["id"]) if r["value"]["text"] == "Tripoli")
    at = news.text.index("Tripoli")
    assert (tripoli["start"], tripoli["end"]) == (at, at + 7) and utf16_offsets(news.text)[at] != at

    export = tmp_path / "export.json"
    export.write_bytes(server.get(f"/api/projects/{pid}/export?exportType=JSON&download_all_tasks=true"))
    out = tmp_path / "back"
    assert main(["import", "labelstudio", str(export), "--corpus", str(corpus), "--out", str(out)]) == 0
    assert not (out / "rejects.jsonl").exists() or not (out / "rejects.jsonl").read_text().strip()
    back = {d.id: d for d in load_documents(out / "documents")}
    assert set(back) == set(gold)
    user_id = saved["completed_by"]  # the token's user
    assert isinstance(user_id, int)
    for doc_id, want in gold.items():
        got = back[doc_id]
        assert spans_equal(got, want), doc_id
        assert [(e.start, e.end, e.label, e.text) for e in got.entities] == [
            (e.start, e.end, e.label, e.text) for e in want.entities]
        assert got.annotation.blocks.status == "gold" and got.annotation.blocks.tool == "label-studio"
        assert got.annotation.blocks.by == f"label-studio user {user_id}"

    # an export snapshot that expands the annotator names them by email
    snap = server.call("POST", f"/api/projects/{pid}/exports/", {
        "title": "round trip", "serialization_options": {"annotations__completed_by": {"only_id": False}},
        "task_filter_options": {"only_with_annotations": False}})
    for _ in range(SNAPSHOT_POLLS):
        if snap["status"] in ("completed", "failed"):
            break
        time.sleep(0.5)
        snap = server.call("GET", f"/api/projects/{pid}/exports/{snap['id']}")
    assert snap["status"] == "completed", snap
    expanded = tmp_path / "snapshot.json"
    expanded.write_bytes(server.get(f"/api/projects/{pid}/exports/{snap['id']}/download?exportType=JSON"))
    assert main(["import", "labelstudio", str(expanded), "--corpus", str(corpus), "--out", str(tmp_path / "b2")]) == 0
    named = {d.id: d for d in load_documents(tmp_path / "b2" / "documents")}
    assert all(spans_equal(named[i], want) and named[i].annotation.blocks.by == USER for i, want in gold.items())


def stored_news(server: Server, task_id: int) -> list[dict]:
    """The result of the task's last annotation as the server returns it."""
    return server.call("GET", f"/api/tasks/{task_id}")["annotations"][-1]["result"]
