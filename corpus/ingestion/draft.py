"""Raw page -> draft document (text and blocks, nothing annotated yet)."""

from __future__ import annotations

from corpus.model import Annotation, Document, Source, doc_id_for, domain_of, sha256_hex
from corpus.text.normalise import NormalisedPage, normalise_raw, raw_format_for


def draft_document(
    raw: bytes,
    *,
    raw_path: str | None = None,
    raw_format: str | None = None,
    gzipped: bool | None = None,
    url: str | None = None,
    crawl_date: str | None = None,
    source_dataset: str = "native",
    source_id: str | None = None,
    license: str | None = None,
    declared_charset: str | None = None,
    page: NormalisedPage | None = None,
    input: str | None = None,
) -> Document:
    """Normalise ``raw`` and wrap it as an unannotated document (every layer ``status: none``)."""
    if raw_format is None or gzipped is None:
        fmt, gz = raw_format_for(raw_path or "")
        raw_format = raw_format or fmt
        gzipped = gz if gzipped is None else gzipped
    if page is None:
        page = normalise_raw(raw, raw_format, gzipped=gzipped, declared_charset=declared_charset)
    digest = sha256_hex(raw)
    source = Source(
        url=url,
        domain=domain_of(url),
        crawl_date=crawl_date,
        source_dataset=source_dataset,
        source_id=source_id,
        license=license,
        raw_path=raw_path,
        raw_sha256=digest,
        raw_format=raw_format,
        encoding=page.encoding,
        encoding_source=page.encoding_source,
        input=input,
    )
    return Document(
        id=doc_id_for(digest),
        source=source,
        normalizer=page.normalizer,
        text=page.text,
        blocks=page.blocks,
        annotation=Annotation(),
    )
