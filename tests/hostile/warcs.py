"""A tiny WARC writer for tests: well-formed records and deliberately broken ones."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io


def sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def http_response(body: bytes, *, content_type: str = "text/html; charset=utf-8", status: int = 200,
                  extra: tuple[tuple[str, str], ...] = ()) -> bytes:
    head = [f"HTTP/1.1 {status} OK", f"Content-Type: {content_type}", *(f"{k}: {v}" for k, v in extra)]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


def record(block: bytes, *, url: str | None = "http://example.com/", wtype: str = "response",
           date: str = "2024-05-01T10:00:00Z", payload_digest: str | None = "auto",
           block_digest: str | None = "auto", content_type: str = "application/http; msgtype=response",
           record_id: str = "<urn:uuid:00000000-0000-0000-0000-000000000000>",
           length: int | None = None, version: str = "WARC/1.0") -> bytes:
    """One WARC record; ``payload_digest``/``block_digest`` "auto" computes the correct value."""
    headers = [version, f"WARC-Type: {wtype}", f"WARC-Date: {date}", f"WARC-Record-ID: {record_id}"]
    if url is not None:
        headers.append(f"WARC-Target-URI: {url}")
    headers.append(f"Content-Type: {content_type}")
    if block_digest == "auto":
        block_digest = sha1_b32(block)
    if block_digest:
        headers.append(f"WARC-Block-Digest: {block_digest}")
    if payload_digest == "auto" and wtype == "response":
        sep = block.find(b"\r\n\r\n")
        payload_digest = sha1_b32(block[sep + 4 :]) if sep >= 0 else None
    if payload_digest and payload_digest != "auto":
        headers.append(f"WARC-Payload-Digest: {payload_digest}")
    headers.append(f"Content-Length: {len(block) if length is None else length}")
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + block + b"\r\n\r\n"


def page_record(html: bytes | str, url: str = "http://example.com/", i: int = 0, **kw) -> bytes:
    body = html.encode() if isinstance(html, str) else html
    extra = kw.pop("http_extra", ())
    ctype = kw.pop("http_content_type", "text/html; charset=utf-8")
    status = kw.pop("status", 200)
    return record(http_response(body, content_type=ctype, status=status, extra=extra), url=url,
                  record_id=f"<urn:uuid:00000000-0000-0000-0000-{i:012d}>", **kw)


def warc_gz(records: list[bytes]) -> bytes:
    """Per-record gzip members, as the WARC standard recommends."""
    out = io.BytesIO()
    for r in records:
        out.write(gzip.compress(r, mtime=0))
    return out.getvalue()


def warc_plain(records: list[bytes]) -> bytes:
    return b"".join(records)
