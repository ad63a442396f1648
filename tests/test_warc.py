"""WARC reading: pages, provenance, digests, truncation, per-record isolation."""

from __future__ import annotations

import gzip
import io
import json

import pytest
from hostile.warcs import page_record, record, warc_gz, warc_plain

from corpus.warc import WarcPage, WarcProblem, WarcStats, dechunk, digest_matches, iter_pages

PAGES = [f"<html><body><h1>Title {i}</h1><p>Paragraph number {i} of the test.</p></body></html>" for i in range(4)]


def _write(tmp_path, name, data):
    p = tmp_path / name
    p.write_bytes(data)
    return str(p)


def _items(path):
    stats = WarcStats()
    items = list(iter_pages(path, "x.warc", stats))
    return items, stats


@pytest.mark.parametrize("gz", [True, False])
def test_pages_with_provenance(tmp_path, gz):
    recs = [page_record(h, url=f"http://ex.com/{i}", i=i) for i, h in enumerate(PAGES)]
    recs.insert(1, record(b"GET / HTTP/1.1\r\n\r\n", wtype="request", payload_digest=None))
    data = warc_gz(recs) if gz else warc_plain(recs)
    items, stats = _items(_write(tmp_path, "a.warc.gz" if gz else "a.warc", data))
    pages = [i for i in items if isinstance(i, WarcPage)]
    assert [p.url for p in pages] == [f"http://ex.com/{i}" for i in range(4)]
    assert [p.payload.decode() for p in pages] == PAGES
    assert pages[0].crawl_date == "2024-05-01T10:00:00Z"
    assert pages[0].charset == "utf-8"
    assert pages[0].record_id.startswith("urn:uuid:")
    assert stats.records == 5 and stats.pages == 4 and stats.skipped == {"request": 1}
    # offsets point at the record start in the file as stored
    offsets = [int(p.offset.split("#")[1]) for p in pages]
    assert offsets[0] == 0
    if gz:
        assert data[offsets[2] : offsets[2] + 2] == b"\x1f\x8b"
        assert gzip.decompress(data[offsets[2]:]).startswith(b"WARC/1.0")
    else:
        assert data[offsets[2]:].startswith(b"WARC/1.0")


def test_warcio_written_file_is_read(tmp_path):
    warcio = pytest.importorskip("warcio.warcwriter")
    from warcio.statusandheaders import StatusAndHeaders

    buf = io.BytesIO()
    w = warcio.WARCWriter(buf, gzip=True)
    for i, html in enumerate(PAGES):
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=iso-8859-1")], protocol="HTTP/1.1")
        w.write_record(w.create_warc_record(f"https://site.org/p{i}", "response",
                                            payload=io.BytesIO(html.encode()), http_headers=http))
    items, _ = _items(_write(tmp_path, "w.warc.gz", buf.getvalue()))
    assert [i.url for i in items] == [f"https://site.org/p{i}" for i in range(4)]
    assert all(i.charset == "iso-8859-1" for i in items)


@pytest.mark.parametrize("cut", [30, 200, 400])
def test_truncated_gzip_keeps_good_records_and_reports_partial(tmp_path, cut):
    data = warc_gz([page_record(h, url=f"http://ex.com/{i}", i=i) for i, h in enumerate(PAGES)])
    items, _ = _items(_write(tmp_path, "t.warc.gz", data[:-cut]))
    pages = [i for i in items if isinstance(i, WarcPage)]
    problems = [i for i in items if isinstance(i, WarcProblem)]
    assert len(pages) >= 1 and len(pages) < 4
    assert [p.reason for p in problems] == ["partial_file"]
    assert problems[0].file_level


def test_truncated_plain_reports_partial(tmp_path):
    data = warc_plain([page_record(h, i=i) for i, h in enumerate(PAGES)])
    items, _ = _items(_write(tmp_path, "t.warc", data[:-50]))
    assert sum(isinstance(i, WarcPage) for i in items) == 3
    assert items[-1].reason == "partial_file"


def test_corrupt_gzip_member_reports_partial(tmp_path):
    members = [gzip.compress(page_record(h, i=i), mtime=0) for i, h in enumerate(PAGES)]
    bad = bytearray(members[2])
    bad[20:40] = b"\xff" * 20
    items, _ = _items(_write(tmp_path, "c.warc.gz", b"".join([members[0], members[1], bytes(bad), members[3]])))
    assert sum(isinstance(i, WarcPage) for i in items) == 2
    assert items[-1].reason == "partial_file"


def test_bad_records_do_not_lose_others(tmp_path):
    recs = [
        page_record(PAGES[0], i=0),
        page_record(PAGES[1], url=None, i=1),                                 # no target URI
        page_record(PAGES[2], i=2, payload_digest="sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        b"NOT-A-WARC-HEADER\r\nfoo: bar\r\n\r\nxxx\r\n\r\n",                 # malformed header
        page_record(b"\x89PNG....", i=4, http_content_type="image/png"),     # not HTML
        page_record(PAGES[3], i=5, status=404),
        record(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>x</p>", length=None,
               block_digest="sha1:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"),
        page_record(PAGES[3], url="http://ex.com/last", i=7),
    ]
    items, _ = _items(_write(tmp_path, "b.warc.gz", warc_gz(recs)))
    reasons = [i.reason if isinstance(i, WarcProblem) else "page" for i in items]
    assert reasons == ["page", "missing_target_uri", "digest_mismatch", "malformed_warc_record", "not_html",
                       "http_status", "digest_mismatch", "page"]


def test_missing_content_length_in_plain_file_stops_with_partial(tmp_path):
    bad = b"WARC/1.0\r\nWARC-Type: response\r\n\r\nabc\r\n\r\n"
    data = warc_plain([page_record(PAGES[0], i=0), bad, page_record(PAGES[1], i=1)])
    items, _ = _items(_write(tmp_path, "m.warc", data))
    reasons = [i.reason if isinstance(i, WarcProblem) else "page" for i in items]
    assert reasons == ["page", "malformed_warc_record", "partial_file"]


def test_chunked_and_gzip_content_encoding(tmp_path):
    body = gzip.compress(PAGES[0].encode(), mtime=0)
    chunked = b"%x\r\n" % 10 + body[:10] + b"\r\n" + b"%x\r\n" % (len(body) - 10) + body[10:] + b"\r\n0\r\n\r\n"
    rec = page_record(chunked, i=0, http_extra=(("Transfer-Encoding", "chunked"), ("Content-Encoding", "gzip")),
                      payload_digest=None)
    items, _ = _items(_write(tmp_path, "g.warc.gz", warc_gz([rec])))
    (page,) = items
    assert page.gzipped and page.payload == body


def test_unsupported_content_encoding(tmp_path):
    rec = page_record(b"....", i=0, http_extra=(("Content-Encoding", "br"),))
    (item,), _ = _items(_write(tmp_path, "b.warc.gz", warc_gz([rec])))
    assert item.reason == "unsupported_content_encoding"


def test_oversized_record_is_skipped_not_held(tmp_path, monkeypatch):
    import corpus.warc as w

    monkeypatch.setattr(w, "MAX_WARC_RECORD_BYTES", 1000)
    recs = [page_record(PAGES[0], i=0), page_record("<p>" + "x" * 5000 + "</p>", i=1), page_record(PAGES[1], i=2)]
    for name, data in (("o.warc", warc_plain(recs)), ("o.warc.gz", warc_gz(recs))):
        items, _ = _items(_write(tmp_path, name, data))
        assert [i.reason if isinstance(i, WarcProblem) else "page" for i in items] == ["page", "raw_too_large", "page"]


def test_digest_encodings():
    data = b"hello"
    import base64
    import hashlib

    assert digest_matches("sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode(), data)
    assert digest_matches("sha256:" + hashlib.sha256(data).hexdigest(), data)
    assert digest_matches("sha1:" + base64.b32encode(hashlib.sha1(b"x").digest()).decode(), data) is False
    assert digest_matches("crc32:abc", data) is None


def test_dechunk_rejects_garbage():
    assert dechunk(b"3\r\nabc\r\n0\r\n\r\n") == b"abc"
    with pytest.raises(ValueError):
        dechunk(b"zz\r\nabc")
    with pytest.raises(ValueError):
        dechunk(b"ff\r\nabc")


def test_ingest_warc_end_to_end(tmp_path):
    from corpus.cli import main

    recs = [page_record(h, url=f"http://www.ex.com/{i}", i=i) for i, h in enumerate(PAGES)]
    recs.append(page_record(PAGES[0], url=None, i=9))
    bomb = gzip.compress(b"<p>" + b"a" * (80 * 1024 * 1024), mtime=0)
    recs.append(page_record(bomb, i=10, http_extra=(("Content-Encoding", "gzip"),)))
    src = tmp_path / "in"
    src.mkdir()
    (src / "crawl.warc.gz").write_bytes(warc_gz(recs))
    out = tmp_path / "out"
    assert main(["ingest", str(src), "--out", str(out), "--no-preannotate", "-q"]) == 0
    docs = [json.loads(p.read_text()) for p in sorted((out / "documents").glob("*.json"))]
    assert len(docs) == 4
    d = next(d for d in docs if d["source"]["url"] == "http://www.ex.com/2")
    assert d["source"]["raw_format"] == "warc" and d["source"]["domain"] == "ex.com"
    assert d["source"]["crawl_date"] == "2024-05-01T10:00:00Z"
    name, offset = d["source"]["raw_path"].split("#")
    raw = (out / name).read_bytes()
    assert raw == (src / "crawl.warc.gz").read_bytes()
    assert gzip.decompress(raw[int(offset):]).startswith(b"WARC/1.0")
    rejects = [json.loads(line) for line in (out / "rejects.jsonl").read_text().splitlines()]
    assert sorted(r["reason"] for r in rejects) == ["decompression_bomb", "missing_target_uri"]
    assert all(r["location"].startswith(str(src / "crawl.warc.gz") + "#") for r in rejects)


def _ingest_warc(tmp_path, name: str, data: bytes):
    from corpus.cli import main

    src = tmp_path / "in"
    src.mkdir()
    (src / name).write_bytes(data)
    out = tmp_path / "out"
    assert main(["ingest", str(src), "--out", str(out), "--no-preannotate", "-q"]) == 0
    return out


def _validate_json(out, capsys) -> tuple[int, list[dict]]:
    from corpus.cli import main

    capsys.readouterr()
    rc = main(["validate", str(out / "documents"), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    return rc, report["problems"]


@pytest.mark.parametrize("layout", ["members", "one-stream", "plain"])
def test_validator_rereads_warc_records_at_their_offset(tmp_path, capsys, layout):
    gzipped_page = gzip.compress(PAGES[3].encode(), mtime=0)
    recs = [page_record(h, url=f"http://www.ex.com/{i}", i=i) for i, h in enumerate(PAGES[:3])]
    recs.append(page_record(gzipped_page, url="http://www.ex.com/3", i=3, http_extra=(("Content-Encoding", "gzip"),)))
    data = {"members": warc_gz, "one-stream": lambda r: gzip.compress(warc_plain(r), mtime=0),
            "plain": warc_plain}[layout](recs)
    out = _ingest_warc(tmp_path, "c.warc" if layout == "plain" else "c.warc.gz", data)
    paths = sorted(json.loads(p.read_text())["source"]["raw_path"] for p in (out / "documents").glob("*.json"))
    assert len(paths) == 4
    if layout == "one-stream":  # records inside one gzip member are located as <member>+<n>
        assert sum("+" in p for p in paths) == 3
    rc, problems = _validate_json(out, capsys)
    assert (rc, problems) == (0, [])

    # the text no longer matches the record -> text-not-reproduced
    doc_path = next(p for p in (out / "documents").glob("*.json") if "ex.com/1" in p.read_text())
    d = json.loads(doc_path.read_text())
    d["text"] = d["text"].replace("Paragraph", "Paragraf")
    doc_path.write_text(json.dumps(d))
    rc, problems = _validate_json(out, capsys)
    assert rc == 1 and {p["rule"] for p in problems} >= {"text-not-reproduced"}

    # an offset where no record starts -> raw-missing; a record id fragment -> raw-not-checked warning
    d["source"]["raw_path"] = d["source"]["raw_path"].split("#")[0] + "#7"
    doc_path.write_text(json.dumps(d))
    rc, problems = _validate_json(out, capsys)
    assert rc == 1 and "raw-missing" in {p["rule"] for p in problems}


def test_validator_notices_a_changed_warc_record(tmp_path, capsys):
    recs = [page_record(h, url=f"http://www.ex.com/{i}", i=i) for i, h in enumerate(PAGES)]
    out = _ingest_warc(tmp_path, "c.warc", warc_plain(recs))
    raw = next((out / "raw").glob("*.warc"))
    data = raw.read_bytes()
    raw.write_bytes(data.replace(b"Paragraph number 2", b"Paragraph number X"))
    rc, problems = _validate_json(out, capsys)
    assert rc == 1
    assert [(p["rule"], p["pointer"]) for p in problems] == [("raw-hash-mismatch", "/source/raw_sha256")]
