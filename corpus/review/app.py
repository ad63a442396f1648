"""``corpus review``: the local web app that corrects drafts (Starlette + uvicorn, the ``review`` extra).

Served on 127.0.0.1 only. Every URL starts with a per-run random token (``/<token>/``); any other
request is refused with 403, so another local user or a web page in the same browser cannot read or
change the corpus. The app's own page loads only its own script and stylesheet (package data, nothing
fetched from elsewhere); the original page is served under ``Content-Security-Policy: default-src
'none'`` with the ``sandbox`` directive and shown in an ``<iframe sandbox>`` without ``allow-scripts``.

API (JSON, under the token prefix): ``GET api/config``, ``GET api/queue`` (filters ``status``,
``layer``, ``source``, ``language``), ``GET api/documents/{id}``, ``POST api/documents/{id}`` (an
edit, see :func:`corpus.review.workspace.apply_edit`; 200 saved, 422 refused with the validator's
problems, 409 the file changed on disk, 400 a malformed edit), ``GET raw/{id}`` (the original page).
"""

from __future__ import annotations

import hmac
import json
import secrets
import socket
import threading
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

from corpus.errors import ConfigError, require
from corpus.labels import BLOCK_LABELS, CONTENT_LABELS, ENTITY_LABEL_SETS, GUIDELINES_VERSION
from corpus.limits import MAX_DOCUMENT_BYTES
from corpus.review.show import BLOCK_COLOURS, ENTITY_COLOURS, OTHER_ENTITY_COLOUR
from corpus.review.workspace import LAYERS, METADATA_FIELDS, QUEUE_STATES, ReviewError, Workspace, problem_dict

HOST = "127.0.0.1"
#: Bytes of random token in every URL (shown as URL-safe base64).
TOKEN_BYTES = 24
#: Key that sets each block label (mnemonic; ``b`` is body, so byline is ``y`` and comments ``m``).
BLOCK_KEYS: dict[str, str] = {
    "title": "t", "byline": "y", "body": "b", "caption": "c", "navigation": "n", "header": "h",
    "footer": "f", "advertisement": "a", "related": "r", "paywall": "p", "social": "s", "comments": "m",
    "other": "o",
}
#: Key that clears a block label, and key for "same label as the block before".
UNLABEL_KEY, SAME_AS_PREVIOUS_KEY = "-", "."
#: Keys of entity labels in label-set order (labels past the tenth are picked from the palette).
ENTITY_KEYS = "1234567890"
#: Policy of the app's own page: its script, stylesheet and API only.
APP_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
           "frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
#: Policy of the original page: nothing runs, nothing loads (inline style and data: images only).
RAW_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; "
           "frame-ancestors 'self'; sandbox")
STATIC_FILES = {"review.js": "text/javascript; charset=utf-8", "review.css": "text/css; charset=utf-8"}
_COMMON_HEADERS = {"Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}

assert set(BLOCK_KEYS) == set(BLOCK_LABELS) and len(set(BLOCK_KEYS.values())) == len(BLOCK_KEYS)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def _static(name: str) -> bytes:
    return (files("corpus.review") / "static" / name).read_bytes()


def client_config(ws: Workspace, annotator: str | None) -> dict[str, Any]:
    """Labels, keys, colours and session facts the page needs (one source: the Python constants)."""
    return {
        "corpus": str(ws.paths.given),
        "annotator": annotator or "",
        "guidelines_version": GUIDELINES_VERSION,
        "layers": list(LAYERS),
        "metadata_fields": list(METADATA_FIELDS),
        "statuses": ["gold", "projected", "model", "none"],
        "queue_states": list(QUEUE_STATES),
        "block_labels": [{"label": lab, "key": BLOCK_KEYS[lab], "colour": BLOCK_COLOURS[lab],
                          "content": lab in CONTENT_LABELS} for lab in BLOCK_LABELS],
        "unlabel_key": UNLABEL_KEY,
        "same_as_previous_key": SAME_AS_PREVIOUS_KEY,
        "entity_label_sets": {
            name: [{"label": lab, "key": ENTITY_KEYS[i] if i < len(ENTITY_KEYS) else None,
                    "colour": ENTITY_COLOURS.get(lab, OTHER_ENTITY_COLOUR)} for i, lab in enumerate(labels)]
            for name, labels in ENTITY_LABEL_SETS.items()
        },
    }


def create_app(ws: Workspace, token: str, *, annotator: str | None = None) -> Any:
    """The ASGI app serving ``ws`` under ``/<token>/``; every other path is refused with 403."""
    require("starlette", "review", "corpus review")
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
    from starlette.routing import Mount, Route

    if len(token) < 16:
        raise ConfigError("the review token must be at least 16 characters")
    config = client_config(ws, annotator)

    def headers(csp: str = APP_CSP) -> dict[str, str]:
        return {**_COMMON_HEADERS, "Content-Security-Policy": csp}

    def error(exc: ReviewError) -> Response:
        return JSONResponse({"ok": False, "error": str(exc)}, status_code=exc.status, headers=headers())

    async def index(request: Request) -> Response:
        return Response(_static("index.html"), media_type="text/html; charset=utf-8", headers=headers())

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC_FILES:
            return PlainTextResponse("not found", status_code=404, headers=headers())
        return Response(_static(name), media_type=STATIC_FILES[name], headers=headers())

    async def get_config(request: Request) -> Response:
        return JSONResponse(config, headers=headers())

    async def get_queue(request: Request) -> Response:
        q = request.query_params
        try:
            entries = ws.queue(status=q.get("status") or None, layer=q.get("layer") or None,
                               source=q.get("source") or None, language=q.get("language") or None)
        except ReviewError as exc:
            return error(exc)
        return JSONResponse({"documents": [e.as_dict(ws.root) for e in entries], **ws.facets()}, headers=headers())

    async def get_document(request: Request) -> Response:
        try:
            loaded = await run_in_threadpool(ws.load, request.path_params["doc_id"])
        except ReviewError as exc:
            return error(exc)
        return JSONResponse(loaded, headers=headers())

    async def post_document(request: Request) -> Response:
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return error(ReviewError("send the edit as application/json", status=415))
        body = await request.body()
        try:
            edit = json.loads(body)
        except ValueError as exc:
            return error(ReviewError(f"the edit is not valid JSON: {exc}"))
        if not isinstance(edit, dict):
            return error(ReviewError("the edit must be a JSON object"))
        try:
            result = await run_in_threadpool(ws.save, request.path_params["doc_id"], edit)
        except ReviewError as exc:
            return error(exc)
        payload = {"ok": result.ok, "problems": [problem_dict(p) for p in result.problems],
                   "document": result.document, "version": result.version, **ws.facets()}
        return JSONResponse(payload, status_code=200 if result.ok else 422, headers=headers())

    async def raw(request: Request) -> Response:
        try:
            body, media_type = await run_in_threadpool(ws.raw_page, request.path_params["doc_id"])
        except ReviewError as exc:
            return PlainTextResponse(str(exc), status_code=exc.status, headers=headers(RAW_CSP))
        return Response(body, media_type=media_type, headers=headers(RAW_CSP))

    async def forbidden(request: Request) -> Response:
        return PlainTextResponse("forbidden: open the address with the token that `corpus review` printed",
                                 status_code=403, headers=headers())

    inner = Starlette(routes=[
        Route("/", index),
        Route("/static/{name}", static),
        Route("/api/config", get_config),
        Route("/api/queue", get_queue),
        Route("/api/documents/{doc_id}", get_document, methods=["GET"]),
        Route("/api/documents/{doc_id}", post_document, methods=["POST"]),
        Route("/raw/{doc_id}", raw),
    ], max_body_size=MAX_DOCUMENT_BYTES)
    refuse = Starlette(routes=[Route("/{path:path}", forbidden, methods=["GET", "POST", "PUT", "DELETE", "HEAD"])])
    prefix = f"/{token}"

    async def gate(scope: Any, receive: Any, send: Any) -> None:
        """Pass requests under ``/<token>/`` (compared in constant time) to the app, refuse the rest."""
        if scope["type"] != "http":
            await refuse(scope, receive, send)
            return
        path: str = scope["path"]
        head, _, _ = path[1:].partition("/")
        if not hmac.compare_digest(head.encode(), token.encode()):
            await refuse(scope, receive, send)
            return
        if path == prefix:
            await RedirectResponse(prefix + "/", headers=headers())(scope, receive, send)
            return
        await Mount(prefix, app=inner)(scope, receive, send)

    return gate


class ReviewServer:
    """uvicorn serving one workspace on 127.0.0.1:``port`` (0: any free port) until :meth:`stop`."""

    def __init__(self, ws: Workspace, *, port: int = 0, annotator: str | None = None, token: str | None = None):
        uvicorn = require("uvicorn", "review", "corpus review")
        if not 0 <= port <= 65535:
            raise ConfigError(f"--port {port}: not a port number (0-65535; 0 picks a free one)")
        self.token = token or new_token()
        self.app = create_app(ws, self.token, annotator=annotator)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            self._sock.bind((HOST, port))
        except OSError as exc:
            self._sock.close()
            raise ConfigError(f"--port {port}: cannot listen on {HOST}:{port} ({exc.strerror or exc}); "
                              "choose another port, or 0 for any free one") from None
        self.port = self._sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/{self.token}/"

    def run(self) -> None:
        """Serve in this thread until stopped (Ctrl-C in the main thread stops it)."""
        self._server.run(sockets=[self._sock])

    def start(self) -> ReviewServer:
        """Serve in a background thread; returns once the server accepts connections."""
        self._thread = threading.Thread(target=self.run, name="corpus-review", daemon=True)
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise ConfigError("the review server did not start")
            self._thread.join(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        self._sock.close()

    def __enter__(self) -> ReviewServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(corpus: str | Path, *, port: int = 0, annotator: str | None = None, open_browser: bool = False,
          on_ready: Callable[[str], None] | None = None) -> None:
    """Open ``corpus`` for review and serve it until Ctrl-C; ``on_ready`` gets the URL (with its token)."""
    ws = Workspace.open(corpus)
    server = ReviewServer(ws, port=port, annotator=annotator)
    if on_ready is not None:
        on_ready(server.url)
    if open_browser:
        import webbrowser

        threading.Timer(0.5, webbrowser.open, (server.url,)).start()
    try:
        server.run()
    except KeyboardInterrupt:  # uvicorn re-raises the SIGINT it handled, after a clean shutdown
        pass
    finally:
        server._sock.close()
