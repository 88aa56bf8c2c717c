"""WARC and WET files -> RawRecords, streamed with FastWARC, split at gzip members.

A task reads one split of one file: a `.warc.gz` written as one gzip member per record (as
every crawler writes them, so that records can be fetched by range) and larger than
`pages.split_mb` is cut into byte ranges; a split starts at the first gzip member at or after
its start that inflates to a WARC header, and owns the records that start before its end.
Other files (plain `.warc`, a file compressed as one gzip stream) are one split. A task
holds one record at a time; a record larger than `pages.max_page_mb` is skipped unread.

Damage does not end a file: when a member does not inflate (or a plain WARC header does not
parse), the bytes up to the next readable record become one reject and reading resumes there.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC

from fastwarc.warc import ArchiveIterator

from innolink.pages.readers.streams import S3Settings, open_at, read_range, s3_client
from innolink.pages.records import RawRecord

_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_MAGIC = b"WARC/1."
_SCAN_CHUNK = 1 << 20
_PAGE_TYPES = {"response", "resource", "conversion"}
# Encodings a payload may still carry (wget and Heritrix keep the server's bytes as sent).
_CONTENT_CODINGS = {"gzip": 31, "x-gzip": 31, "deflate": 15}


@dataclass(frozen=True)
class Split:
    """A byte range of one input file, read by one task."""

    input_index: int
    format: str
    path: str
    start: int
    end: int
    crawl: str | None
    # A file compressed as one gzip stream: FastWARC cannot tell where its records start, so
    # they are located by their number in the file (record=N) and the file is one split.
    ordinal: bool = False


def _inflates_to_warc(head: bytes) -> bool:
    """Whether bytes starting with a gzip header inflate to the start of a WARC record."""
    try:
        out = zlib.decompressobj(31).decompress(head, 16)
    except zlib.error:
        return False
    return out.startswith(_WARC_MAGIC)


def find_member(path: str, start: int, end: int, s3: S3Settings, client=None) -> int | None:
    """Offset of the first gzip member in [start, end) that holds a WARC record."""
    position = start
    while position < end:
        block = read_range(path, position, _SCAN_CHUNK + 4096, s3, client)
        if not block:
            return None
        at = block.find(_GZIP_MAGIC)
        while 0 <= at < min(len(block), _SCAN_CHUNK):
            if position + at >= end:
                return None
            head = block[at : at + 4096]
            if len(head) < 4096 and position + at + len(head) < end:
                head = read_range(path, position + at, 4096, s3, client)
            if _inflates_to_warc(head):
                return position + at
            at = block.find(_GZIP_MAGIC, at + 1)
        position += _SCAN_CHUNK
    return None


def _find_header(path: str, start: int, s3: S3Settings, client=None) -> int | None:
    """Offset of the next line starting with a WARC version in a plain WARC, from `start`."""
    position = start
    while True:
        block = read_range(path, position, _SCAN_CHUNK + 16, s3, client)
        if not block:
            return None
        at = block.find(b"\n" + _WARC_MAGIC)
        if at >= 0:
            return position + at + 1
        if len(block) < _SCAN_CHUNK:
            return None
        position += _SCAN_CHUNK


def _member_end(path: str, start: int, s3: S3Settings, client=None) -> int:
    """Offset just after the gzip member starting at `start` (it inflated before)."""
    inflater = zlib.decompressobj(31)
    position = start
    while not inflater.eof:
        block = read_range(path, position, _SCAN_CHUNK, s3, client)
        if not block:
            break
        inflater.decompress(block, 1 << 16)
        while inflater.unconsumed_tail and not inflater.eof:
            inflater.decompress(inflater.unconsumed_tail, 1 << 16)
        position += len(block)
    return position - len(inflater.unused_data)


def is_member_per_record(path: str, s3: S3Settings, client=None) -> bool:
    """Whether a gzip file has a second member right after its first (one per record)."""
    head = read_range(path, 0, 4096, s3, client)
    if not head.startswith(_GZIP_MAGIC) or not _inflates_to_warc(head):
        return False
    end = _member_end(path, 0, s3, client)
    return _inflates_to_warc(read_range(path, end, 4096, s3, client))


def plan_splits(
    input_index: int,
    fmt: str,
    path: str,
    size: int,
    split_bytes: int,
    crawl: str | None,
    s3: S3Settings,
) -> list[Split]:
    """The splits of one file (checked on the driver: a few small reads per gzip file)."""
    if read_range(path, 0, 2, s3) == b"\x1f\x8b":
        if not is_member_per_record(path, s3):
            return [Split(input_index, fmt, path, 0, size, crawl, ordinal=True)]
        if size > split_bytes:
            return [
                Split(input_index, fmt, path, start, min(start + split_bytes, size), crawl)
                for start in range(0, size, split_bytes)
            ]
    return [Split(input_index, fmt, path, 0, size, crawl)]


def _warcinfo_crawl(payload: bytes) -> str | None:
    """`isPartOf` of a warcinfo record (Common Crawl: the crawl, e.g. CC-MAIN-2024-22)."""
    for line in payload.decode("utf-8", errors="replace").splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == "ispartof" and value.strip():
            return value.strip()
    return None


def file_crawl(path: str, s3: S3Settings, client=None) -> str | None:
    """The crawl named by the file's first record, when it is a warcinfo record."""
    stream = open_at(path, 0, s3, client)
    try:
        for record in ArchiveIterator(stream, parse_http=False):
            if str(record.record_type) == "warcinfo":
                return _warcinfo_crawl(record.reader.read(65536))
            return None
    except OSError:
        return None
    finally:
        stream.close()
    return None


def _dechunk(data: bytes) -> bytes:
    """HTTP/1.1 chunked transfer coding removed (wget stores bodies as received)."""
    out, position = [], 0
    while True:
        line_end = data.index(b"\r\n", position)
        size = int(data[position:line_end].split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            return b"".join(out)
        start = line_end + 2
        out.append(data[start : start + size])
        position = start + size + 2


def _decode_body(data: bytes, transfer: str, coding: str, max_bytes: int) -> bytes:
    """The payload with transfer and content codings undone, at most max_bytes + 1 bytes."""
    if "chunked" in transfer.lower():
        data = _dechunk(data)
    wbits = _CONTENT_CODINGS.get(coding.strip().lower())
    if wbits is not None:
        inflater = zlib.decompressobj(wbits)
        data = inflater.decompress(data, max_bytes + 1)
    elif coding.strip().lower() == "br":
        import brotli  # optional: only Brotli-coded bodies need it

        data = brotli.decompress(data)
    return data


def convert(record, path: str, crawl: str | None, max_bytes: int) -> RawRecord:
    """One FastWARC record as a RawRecord; the payload is read only for page records."""
    kind = str(record.record_type)
    headers = record.headers
    try:
        fetched = record.record_date.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OSError, OverflowError, AttributeError):
        fetched = None
    raw = RawRecord(
        source=path,
        locator=f"offset={record.stream_pos}",
        position=record.stream_pos,
        record_type=kind,
        url=headers.get("WARC-Target-URI"),
        fetch_time=fetched,
        crawl_id=crawl,
        length=record.content_length,
    )
    if kind not in _PAGE_TYPES:
        return raw
    if record.is_http:
        http = record.http_headers
        if http is None or http.status_code is None or not http.status_line.startswith("HTTP/"):
            # application/http without a parsable status line: the crawler stored something
            # that is not an HTTP response, so nothing in it can be trusted as the page.
            raw.error, raw.detail = "record.malformed", "no HTTP status line"
            return raw
        raw.status = http.status_code
        raw.content_type = http.get("Content-Type")
        raw.http_charset = record.http_charset
    else:
        raw.content_type = headers.get("Content-Type")
    truncated = headers.get("WARC-Truncated")
    if truncated:
        raw.error, raw.detail = "record.truncated", f"WARC-Truncated: {truncated}"
        return raw
    if record.content_length > max_bytes:
        raw.error = "page.too_large"
        return raw
    payload = record.reader.read()
    if len(payload) < record.content_length:
        raw.error = "record.truncated"
        raw.detail = f"payload {len(payload)} of {record.content_length} bytes"
        return raw
    if record.is_http:
        transfer = record.http_headers.get("Transfer-Encoding") or ""
        coding = record.http_headers.get("Content-Encoding") or ""
        declared = record.http_headers.get("Content-Length") or ""
        # The server declared the body's length: fewer bytes mean the fetch was cut off (the
        # WARC record itself is whole), and a cut page is not the page.
        if not transfer and declared.strip().isdigit() and len(payload) < int(declared):
            raw.error = "record.truncated"
            raw.detail = f"HTTP body {len(payload)} of {int(declared)} bytes (Content-Length)"
            return raw
        if transfer or coding:
            try:
                payload = _decode_body(payload, transfer, coding, max_bytes)
            except (ValueError, zlib.error, OSError, ImportError) as exc:
                raw.error, raw.detail = "record.decompression_error", f"{coding}: {exc}"
                return raw
            if len(payload) > max_bytes:
                raw.error = "page.too_large"
                return raw
    raw.payload = payload
    return raw


def read_split(split: Split, max_bytes: int, s3: S3Settings) -> Iterator[RawRecord]:
    """Every record that starts in the split, in file order, then any damage found."""
    client = s3_client(s3) if split.path.startswith(("s3:", "s3a:", "s3n:")) else None
    gzipped = read_range(split.path, 0, 2, s3, client) == b"\x1f\x8b"
    crawl = split.crawl
    if crawl is None and split.start > 0:
        crawl = file_crawl(split.path, s3, client)
    position = (
        split.start
        if split.start == 0
        else find_member(split.path, split.start, split.end, s3, client)
    )
    while position is not None and position < split.end:
        stream = open_at(split.path, position, s3, client)
        last_good = current = None
        try:
            for number, record in enumerate(ArchiveIterator(stream, parse_http=True), 1):
                current = number if split.ordinal else record.stream_pos
                if not split.ordinal and current >= split.end:
                    position = None
                    break
                raw = convert(record, split.path, crawl, max_bytes)
                if split.ordinal:
                    raw.locator, raw.position = f"record={number}", number
                if raw.record_type == "warcinfo" and crawl is None and number == 1:
                    crawl = _warcinfo_crawl(record.reader.read(65536))
                    raw.crawl_id = crawl
                yield raw
                last_good = current
            else:
                position = None
        except OSError as exc:
            if split.ordinal:
                # One gzip stream: nothing after the damage can be found again.
                yield RawRecord(
                    source=split.path,
                    locator=f"record={(last_good or 0) + 1}",
                    position=(last_good or 0) + 1,
                    record_type="unreadable",
                    crawl_id=crawl,
                    error="record.decompression_error",
                    detail=f"{exc}; the rest of the file is unreadable",
                )
                return
            gap = _gap_start(split, position, last_good, current, gzipped, s3, client)
            if gap < split.end:
                yield RawRecord(
                    source=split.path,
                    locator=f"offset={gap}",
                    position=gap,
                    record_type="unreadable",
                    crawl_id=crawl,
                    error="record.decompression_error" if gzipped else "record.malformed",
                    detail=str(exc),
                )
            if gzipped:
                position = find_member(split.path, gap + 1, split.end, s3, client)
            else:
                position = _find_header(split.path, gap + 1, s3, client)
        finally:
            stream.close()


def _gap_start(
    split: Split,
    position: int,
    last_good: int | None,
    current: int | None,
    gzipped: bool,
    s3: S3Settings,
    client,
) -> int:
    """Where the unreadable bytes start: the record that failed, else after the last good."""
    if current is not None and current != last_good:
        return current
    if last_good is None:
        return position
    if gzipped:
        return _member_end(split.path, last_good, s3, client)
    return last_good + 1


def response_record(
    url: str,
    body: bytes,
    content_type: str = "text/html",
    status: int = 200,
    date: str = "2024-05-01T00:00:00Z",
    record_id: str | None = None,
) -> bytes:
    """One gzip member holding a WARC/1.0 response record (builds test and benchmark inputs)."""
    import gzip
    import uuid

    http = (
        f"HTTP/1.1 {status} OK\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode("ascii") + body
    head = (
        "WARC/1.0\r\nWARC-Type: response\r\n"
        f"WARC-Record-ID: <urn:uuid:{record_id or uuid.uuid4()}>\r\n"
        f"WARC-Date: {date}\r\nWARC-Target-URI: {url}\r\n"
        "Content-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(http)}\r\n\r\n"
    ).encode()
    return gzip.compress(head + http + b"\r\n\r\n", compresslevel=1)
