"""A folder of saved HTML files with a URL manifest -> RawRecords.

The manifest (`url_index.csv` by default, at the folder's root) names each page's URL:
columns `file` (path relative to the folder) and `url`, optionally `fetch_time` (ISO 8601).
Every file of the folder is a record and so is every manifest row without a file: a file the
manifest does not name is rejected as `page.no_url` (a page without a URL cannot be given to
a firm), a row whose file is missing as `manifest.file_missing`. Files ending in `.gz` are
inflated. The HTTP headers are unknown: the type comes from the file name, else from the
first bytes, and the charset from the page itself.
"""

from __future__ import annotations

import csv
import io
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime

from innolink.io.files import InputFile
from innolink.pages.readers.streams import S3Settings, read_range
from innolink.pages.records import RawRecord

_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".xhtml": "application/xhtml+xml",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
}


@dataclass(frozen=True)
class PageFile:
    input_index: int
    path: str
    size: int
    url: str | None
    fetch_time: str | None
    crawl: str
    name: str


def _plain(path: str) -> str:
    """A path without its file: scheme (Hadoop lists local files as file:/...)."""
    if path.startswith("file://"):
        return path[len("file://") :]
    if path.startswith("file:"):
        return path[len("file:") :]
    return path


def _relative(path: str, folder: str) -> str:
    root = _plain(folder).rstrip("/") + "/"
    plain = _plain(path)
    return plain[len(root) :] if plain.startswith(root) else plain.rsplit("/", 1)[-1]


def _content_type(name: str) -> str | None:
    base = name[:-3] if name.endswith(".gz") else name
    dot = base.rfind(".")
    return _TYPES.get(base[dot:].lower()) if dot >= 0 else None


def read_manifest(data: bytes) -> list[dict]:
    text = data.decode("utf-8-sig", errors="replace")
    return list(csv.DictReader(io.StringIO(text)))


def plan(
    input_index: int,
    folder: str,
    files: list[InputFile],
    manifest_name: str,
    crawl: str,
    s3: S3Settings,
) -> tuple[list[PageFile], list[RawRecord]]:
    """(files to read, records rejected on the driver: missing files, a missing manifest)."""
    by_name = {_relative(f.path, folder): f for f in files}
    manifest = by_name.pop(manifest_name, None)
    rejects: list[RawRecord] = []
    rows: dict[str, dict] = {}
    if manifest is None:
        rejects.append(
            RawRecord(
                source=folder,
                locator=f"manifest={manifest_name}",
                position=0,
                record_type="manifest",
                error="input.no_manifest",
            )
        )
    else:
        for row in read_manifest(read_range(manifest.path, 0, manifest.size, s3)):
            name = (row.get("file") or "").strip()
            if name and name not in rows:
                rows[name] = row
        for name in sorted(set(rows) - set(by_name)):
            rejects.append(
                RawRecord(
                    source=manifest.path,
                    locator=f"file={name}",
                    position=0,
                    record_type="manifest",
                    url=(rows[name].get("url") or None),
                    error="manifest.file_missing",
                )
            )
    pages = []
    for name, file in sorted(by_name.items()):
        row = rows.get(name, {})
        pages.append(
            PageFile(
                input_index=input_index,
                path=file.path,
                size=file.size,
                url=(row.get("url") or "").strip() or None,
                fetch_time=(row.get("fetch_time") or "").strip() or None,
                crawl=crawl,
                name=name,
            )
        )
    return pages, rejects


def _fetch_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def read_page(page: PageFile, max_bytes: int, s3: S3Settings) -> RawRecord:
    raw = RawRecord(
        source=page.path,
        locator="file",
        position=0,
        record_type="resource",
        url=page.url,
        fetch_time=_fetch_time(page.fetch_time),
        crawl_id=page.crawl,
        content_type=_content_type(page.name),
        length=page.size,
    )
    if page.url is None:
        raw.error = "page.no_url"
    elif page.size == 0:
        raw.error = "file.empty"
    elif page.size > max_bytes:
        raw.error = "page.too_large"
    else:
        data = read_range(page.path, 0, page.size, s3)
        if page.name.endswith(".gz"):
            try:
                inflater = zlib.decompressobj(31)
                data = inflater.decompress(data, max_bytes + 1)
            except zlib.error as exc:
                raw.error, raw.detail = "record.decompression_error", str(exc)
                return raw
            if len(data) > max_bytes:
                raw.error = "page.too_large"
                return raw
            if not inflater.eof:
                raw.error, raw.detail = "record.truncated", "gzip stream ends early"
                return raw
        raw.payload = data
    return raw
