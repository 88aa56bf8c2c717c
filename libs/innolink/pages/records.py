"""One input record -> one row: a page, or a reject with its reason.

What a record is: every WARC record of a WARC or WET file (warcinfo, request, response,
metadata, revisit, resource, conversion), every file of an html-dir folder and every row of
its manifest without a file, every WARC record fetched by range for the Common Crawl index.
Response and resource records (HTML or feeds) and WET conversion records (text) can become
pages; every other record becomes a reject (`record.not_response`, `record.revisit`), so the
records of a file always add up: records in = pages + rejects.

Reasons, in the order they are tested:
- reader: `record.decompression_error` (a gzip member that does not inflate: the bytes up to
  the next readable record), `record.malformed` (a plain WARC whose headers do not parse),
  `record.truncated` (WARC-Truncated set, or fewer payload bytes than declared),
  `page.too_large` (payload above `pages.max_page_mb`, never read into memory),
  `file.empty`, `input.not_found`, `manifest.file_missing`, `page.no_url`;
- `record.not_response`, `record.revisit`, `record.no_url`;
- `http.redirect` (3xx), `http.error` (4xx, 5xx and other non-2xx);
- `page.not_html` (neither HTML, XHTML nor a feed; a missing or generic type is sniffed);
- `firm.unmatched`, `firm.ambiguous_domain` (innolink.pages.firms);
- `page.empty` (fewer than `pages.min_text_chars` characters of text after extraction);
- `reader.error.<Exception>`: a bug met on one page, which must not lose the others;
- later, on the DataFrame: `page.superseded`, `page.duplicate`, `page.near_duplicate`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from pyspark.sql.types import (
    ArrayType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from innolink.pages import charset, dedup, firms, kinds, language
from innolink.pages.text import Extracted, extract_feed, extract_html, feed_root

log = logging.getLogger(__name__)

EXCERPT_CHARS = 2000
PAGE_TYPES = {"response", "resource"}
TEXT_TYPES = {"conversion"}
_HTML_TYPES = ("text/html", "application/xhtml+xml", "application/vnd.wap.xhtml+xml")
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")
_XML_TYPES = ("application/xml", "text/xml")
# Types a server sends for anything: the payload is sniffed instead.
_GENERIC_TYPES = ("", "application/octet-stream", "text/plain", "unknown/unknown")


@dataclass
class RawRecord:
    """What a reader found at one place of one input, before any judgement."""

    source: str
    locator: str
    position: int
    record_type: str
    url: str | None = None
    fetch_time: datetime | None = None
    crawl_id: str | None = None
    status: int | None = None
    content_type: str | None = None
    http_charset: str | None = None
    payload: bytes | None = None
    length: int = 0
    error: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class Settings:
    """What the workers need to turn records into pages (pickled into every task)."""

    min_text_chars: int
    languages: tuple[str, ...]
    language_sample_chars: int
    max_links: int
    kind_rules: tuple[kinds.KindRule, ...]
    # The crawl of records whose input and file name none.
    default_crawl: str
    extractor: str = "resiliparse"


RECORD_SCHEMA = StructType(
    [
        StructField("input_index", IntegerType(), False),
        StructField("source_format", StringType(), False),
        StructField("source_file", StringType(), False),
        StructField("locator", StringType(), False),
        StructField("position", LongType(), False),
        StructField("reason", StringType()),
        StructField("excerpt", StringType()),
        StructField("url", StringType()),
        StructField("crawl_id", StringType()),
        StructField("fetch_time", TimestampType()),
        StructField("firm_id", StringType()),
        StructField("domain", StringType()),
        StructField("language", StringType()),
        StructField("charset", StringType()),
        StructField("title", StringType()),
        StructField("headings", ArrayType(StringType())),
        StructField("links", ArrayType(StringType())),
        StructField("text", StringType()),
        StructField("text_hash", StringType()),
        StructField("page_kind", StringType()),
        StructField("bytes", LongType()),
        StructField("minhash", ArrayType(LongType())),
    ]
)
# Fields after fetch_time: empty in a reject.
_PAGE_FIELDS = len(RECORD_SCHEMA.fields) - 10


def _describe(raw: RawRecord) -> str:
    parts = [f"type={raw.record_type}"]
    if raw.url:
        parts.append(f"url={raw.url}")
    if raw.status is not None:
        parts.append(f"status={raw.status}")
    if raw.content_type:
        parts.append(f"content-type={raw.content_type}")
    if raw.length:
        parts.append(f"bytes={raw.length}")
    return " ".join(parts)


def reject_row(index: int, fmt: str, raw: RawRecord, reason: str, detail: str | None = None):
    excerpt = _describe(raw)
    if detail or raw.detail:
        excerpt = f"{excerpt} {detail or raw.detail}"
    return (
        index,
        fmt,
        raw.source,
        raw.locator,
        raw.position,
        reason,
        excerpt[:EXCERPT_CHARS],
        raw.url,
        raw.crawl_id,
        raw.fetch_time,
        *(None,) * _PAGE_FIELDS,
    )


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _sniff(payload: bytes) -> str:
    """'html', 'xml' or '' from the first bytes (servers mislabel pages as text/plain)."""
    head = payload[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<meta", b"<title")):
        return "html"
    if head.startswith(b"<?xml") or head.startswith((b"<rss", b"<feed", b"<rdf:rdf")):
        return "xml"
    if b"<html" in head or b"<body" in head:
        return "html"
    return ""


def document_kind(raw: RawRecord) -> str:
    """'html', 'feed', 'xml' (maybe a feed), 'text' (WET) or '' (not a page)."""
    if raw.record_type in TEXT_TYPES:
        return "text"
    media = _media_type(raw.content_type)
    if media in _HTML_TYPES:
        return "html"
    if media in _FEED_TYPES:
        return "feed"
    if media in _XML_TYPES or media.endswith("+xml"):
        return "xml"
    if media in _GENERIC_TYPES and raw.payload:
        return _sniff(raw.payload)
    return ""


def _status_reason(status: int | None) -> str | None:
    if status is None or 200 <= status < 300:
        return None
    return "http.redirect" if 300 <= status < 400 else "http.error"


def _extract(raw: RawRecord, kind: str, settings: Settings) -> tuple[Extracted, str] | str:
    """(extracted, charset) or the reason it is not a page."""
    if kind == "text":
        text, name, _ = charset.decode(raw.payload or b"", "utf-8")
        return Extracted(title=None, text=text), name
    text, name, _ = charset.decode(raw.payload or b"", raw.http_charset)
    if kind in ("feed", "xml"):
        if not feed_root(text):
            return "page.not_html"
        return extract_feed(text, settings.max_links), name
    page = extract_html(text, raw.url, settings.max_links)
    if settings.extractor == "trafilatura":
        import trafilatura

        main = trafilatura.extract(text, url=raw.url) or ""
        page = Extracted(title=page.title, text=main, headings=page.headings, links=page.links)
    return page, name


def process(index: int, fmt: str, raw: RawRecord, firm_keys: dict, settings: Settings) -> tuple:
    """The RECORD_SCHEMA row of one record."""
    if raw.record_type in TEXT_TYPES:
        # Common Crawl's WET text of a page, whatever the input was called.
        fmt = "wet"
    if raw.error:
        return reject_row(index, fmt, raw, raw.error)
    if raw.record_type == "revisit":
        return reject_row(index, fmt, raw, "record.revisit")
    if raw.record_type not in PAGE_TYPES and raw.record_type not in TEXT_TYPES:
        return reject_row(index, fmt, raw, "record.not_response")
    if not raw.url:
        return reject_row(index, fmt, raw, "record.no_url")
    status_reason = _status_reason(raw.status)
    if status_reason:
        return reject_row(index, fmt, raw, status_reason)
    kind = document_kind(raw)
    if not kind:
        return reject_row(index, fmt, raw, "page.not_html")
    firm_id, domain, firm_reason = firms.match(raw.url, firm_keys)
    if firm_reason:
        return reject_row(index, fmt, raw, firm_reason, _firm_detail(raw.url, firm_keys))
    try:
        result = _extract(raw, kind, settings)
        if isinstance(result, str):
            return reject_row(index, fmt, raw, result)
        extracted, charset_name = result
        if len(extracted.text) < settings.min_text_chars:
            return reject_row(index, fmt, raw, "page.empty")
        return (
            index,
            fmt,
            raw.source,
            raw.locator,
            raw.position,
            None,
            None,
            raw.url,
            raw.crawl_id,
            raw.fetch_time,
            firm_id,
            domain,
            language.detect(extracted.text, settings.languages, settings.language_sample_chars),
            charset_name,
            extracted.title,
            extracted.headings,
            extracted.links,
            extracted.text,
            dedup.text_hash(extracted.text),
            kinds.page_kind(raw.url, extracted.title, extracted.headings, settings.kind_rules),
            len(raw.payload or b""),
            dedup.signature(extracted.text),
        )
    except Exception as exc:  # noqa: BLE001 - one bad page must not lose the others
        log.warning("page failed: %s %s: %r", raw.source, raw.locator, exc)
        return reject_row(index, fmt, raw, f"reader.error.{type(exc).__name__}", repr(exc))


def _firm_detail(url: str, firm_keys: dict) -> str | None:
    parsed = firms.host_and_domain(url)
    if parsed is None:
        return "no registrable domain"
    for key in firms.candidates(*parsed):
        if len(firm_keys.get(key, ())) > 1:
            return f"domain {key} names firms {', '.join(firm_keys[key])}"
    return f"domain {parsed[1]}"
