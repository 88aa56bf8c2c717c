"""WARC/WET and html-dir readers without Spark, on the real files of ../shared/data/web."""

from __future__ import annotations

import gzip
import tracemalloc
from collections import Counter

import pytest
from innolink.io.files import InputFile
from innolink.pages import kinds
from innolink.pages.readers import htmldir, warc
from innolink.pages.readers.streams import S3Settings
from innolink.pages.records import Settings, process

from .conftest import SHARED

WARCS = SHARED / "web" / "warc"
CJK = SHARED / "web" / "html_cjk"
S3 = S3Settings()
MB = 1 << 20
SETTINGS = Settings(
    min_text_chars=1,
    languages=("en", "ja", "zh", "de", "ru", "es"),
    language_sample_chars=1000,
    max_links=50,
    kind_rules=kinds.compile_rules([]),
    default_crawl="own",
)


def whole(path, max_bytes=10 * MB):
    split = warc.Split(0, "warc", str(path), 0, path.stat().st_size, None)
    return list(warc.read_split(split, max_bytes, S3))


# Record counts by type: the `records` column of ../shared/data/SOURCES.md.
@pytest.mark.parametrize(
    "name, types",
    [
        ("cjk_pages.repackaged.warc.gz", {"warcinfo": 1, "response": 9}),
        (
            "commoncrawl_whirlwind.warc.gz",
            {"warcinfo": 1, "request": 1, "response": 1, "metadata": 1},
        ),
        ("commoncrawl_whirlwind.warc.wat.gz", {"warcinfo": 1, "metadata": 1}),
        ("commoncrawl_whirlwind.warc.wet.gz", {"warcinfo": 1, "conversion": 1}),
        ("corporate_and_firm_news_pages.repackaged.warc.gz", {"warcinfo": 1, "response": 38}),
        (
            "ia_web_commons_IAH-urls-wget.warc.gz",
            {"warcinfo": 1, "request": 16, "response": 16, "resource": 3},
        ),
        (
            "resiliparse_commoncrawl_sample.warc.gz",
            {"warcinfo": 1, "request": 17, "response": 16, "metadata": 16},
        ),
        (
            "warcio_example.warc.gz",
            {"warcinfo": 2, "response": 1, "request": 2, "revisit": 1},
        ),
    ],
)
def test_every_record_of_the_shared_files(name, types):
    records = whole(WARCS / name)
    assert Counter(r.record_type for r in records) == types
    assert [r.error for r in records if r.error] == []
    # Records are located by their byte offset, in file order.
    positions = [r.position for r in records]
    assert positions == sorted(positions) and positions[0] == 0


def test_crawl_from_warcinfo_and_pages_of_a_wget_crawl():
    cc = whole(WARCS / "resiliparse_commoncrawl_sample.warc.gz")
    assert {r.crawl_id for r in cc} == {"CC-MAIN-2020-34"}
    keys = {"archive.org": ("IA",)}
    records = whole(WARCS / "ia_web_commons_IAH-urls-wget.warc.gz")
    outcome = Counter(
        row[5] or "page" for row in (process(0, "warc", r, keys, SETTINGS) for r in records)
    )
    # wget: 16 requests and the warcinfo; 7 redirects from www.archive.org and 2 from
    # /index.php; 3 images, robots.txt (text/plain) and wget's 3 own log records are not
    # pages; the home page (fetched twice) and the collection RSS feed are.
    assert outcome == {
        "record.not_response": 17,
        "http.redirect": 9,
        "page.not_html": 7,
        "page": 3,
    }


def test_split_reading_equals_whole_file_reading():
    path = WARCS / "corporate_and_firm_news_pages.repackaged.warc.gz"
    size = path.stat().st_size
    splits = warc.plan_splits(0, "warc", str(path), size, 100_000, None, S3)
    assert len(splits) == 9
    by_split = [r.position for s in splits for r in warc.read_split(s, 10 * MB, S3)]
    assert by_split == [r.position for r in whole(path)]


def test_a_file_compressed_as_one_stream_is_one_split(tmp_path):
    path = tmp_path / "one-stream.warc.gz"
    path.write_bytes(
        gzip.compress(gzip.decompress((WARCS / "warcio_example.warc.gz").read_bytes()))
    )
    splits = warc.plan_splits(0, "warc", str(path), path.stat().st_size, 100, None, S3)
    assert [(s.start, s.end, s.ordinal) for s in splits] == [(0, path.stat().st_size, True)]
    # Records are numbered: FastWARC cannot tell their offsets inside one gzip stream.
    assert [r.locator for r in warc.read_split(splits[0], MB, S3)] == [
        f"record={n}" for n in range(1, 7)
    ]


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("damaged")
    data = (WARCS / "corporate_and_firm_news_pages.repackaged.warc.gz").read_bytes()
    plain = gzip.decompress(data)
    files = {
        "cut.warc.gz": data[:500_000],
        "corrupt.warc.gz": data[:230_000] + b"\0" * 100 + data[230_100:],
        "plain.warc": plain,
        "cut.warc": plain[: len(plain) // 2],
    }
    at = plain.find(b"WARC/1.0", 300_000)
    files["bad-header.warc"] = plain[:at] + b"XXXXXXXX" + plain[at + 8 :]
    for name, content in files.items():
        (tmp / name).write_bytes(content)
    return tmp


@pytest.mark.parametrize(
    "name, records, errors",
    [
        # Cut inside the 26th record: its payload is short.
        ("cut.warc.gz", 26, [(491151, "record.truncated")]),
        # Zeros inside the lidl.de member: that record is lost, reading resumes after it.
        ("corrupt.warc.gz", 39, [(229572, "record.decompression_error")]),
        ("plain.warc", 39, []),
        ("cut.warc", 20, [(1895504, "record.truncated")]),
        # A record whose header does not parse: the reader finds the next header.
        ("bad-header.warc", 39, [(272560, "record.malformed")]),
    ],
)
def test_damaged_files_lose_only_the_damaged_record(damaged, name, records, errors):
    found = whole(damaged / name)
    assert len(found) == records
    assert [(r.position, r.error) for r in found if r.error] == errors


def test_a_50_mb_page_is_rejected_without_being_read(tmp_path):
    path = tmp_path / "big.warc.gz"
    big = (
        b"<html><body>" + b"<p>lorem ipsum dolor sit amet</p>" * (50 * MB // 33) + b"</body></html>"
    )
    path.write_bytes(
        warc.response_record("https://www.example.com/big", big)
        + warc.response_record("https://www.example.com/", b"<html><title>ok</title></html>")
    )
    tracemalloc.start()
    records = whole(path, max_bytes=10 * MB)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [(r.url, r.error) for r in records] == [
        ("https://www.example.com/big", "page.too_large"),
        ("https://www.example.com/", None),
    ]
    assert records[0].length > 50 * MB and records[0].payload is None
    # The 50 MB payload never became a Python object.
    assert peak < 5 * MB


def test_html_dir_manifest_matches_files_and_reports_both_kinds_of_gap(tmp_path):
    files = sorted(p for p in CJK.rglob("*") if p.is_file())
    listing = [InputFile(f"file:{p}", p.stat().st_size) for p in files]
    pages, rejects = htmldir.plan(0, str(CJK), listing, "url_index.csv", "own", S3)
    # 11 files besides the manifest, each named by it.
    assert len(pages) == 11 and rejects == []
    assert {p.name: p.url for p in pages}["jsoup/yahoo-jp.html.gz"] == "http://www.yahoo.co.jp/"
    yahoo = htmldir.read_page(
        next(p for p in pages if p.name == "jsoup/yahoo-jp.html.gz"), 10 * MB, S3
    )
    assert yahoo.payload.startswith(b"<!DOCTYPE") and yahoo.content_type == "text/html"

    manifest = tmp_path / "url_index.csv"
    manifest.write_text("file,url\na.html,https://www.example.com/a\nmissing.html,https://x/\n")
    (tmp_path / "a.html").write_text("<html><title>a</title></html>")
    (tmp_path / "stray.html").write_text("<html></html>")
    listing = [InputFile(str(p), p.stat().st_size) for p in sorted(tmp_path.iterdir())]
    pages, rejects = htmldir.plan(0, str(tmp_path), listing, "url_index.csv", "own", S3)
    assert [(p.name, p.url) for p in pages] == [
        ("a.html", "https://www.example.com/a"),
        ("stray.html", None),
    ]
    assert [(r.locator, r.error) for r in rejects] == [
        ("file=missing.html", "manifest.file_missing")
    ]
    assert htmldir.read_page(pages[1], MB, S3).error == "page.no_url"


def test_trafilatura_as_the_extractor():
    import dataclasses

    import trafilatura

    record = next(
        r
        for r in whole(WARCS / "corporate_and_firm_news_pages.repackaged.warc.gz")
        if r.url == "https://www.parallels.com/products/desktop/"
    )
    keys = {"parallels.com": ("P",)}
    ours = process(0, "warc", record, keys, SETTINGS)
    theirs = process(
        0, "warc", record, keys, dataclasses.replace(SETTINGS, extractor="trafilatura")
    )
    text = 17  # RECORD_SCHEMA position of `text`
    assert theirs[text] == trafilatura.extract(record.payload.decode("utf-8"), url=record.url)
    assert theirs[text] != ours[text]
    # Title, headings and links come from the page either way.
    assert theirs[14:17] == ours[14:17]


def _raw_response(url: str, http: bytes) -> bytes:
    """A whole, valid WARC record around an HTTP block as the crawler stored it."""
    import gzip

    head = (
        "WARC/1.0\r\nWARC-Type: response\r\n"
        "WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000001>\r\n"
        f"WARC-Date: 2024-05-01T00:00:00Z\r\nWARC-Target-URI: {url}\r\n"
        "Content-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(http)}\r\n\r\n"
    ).encode()
    return gzip.compress(head + http + b"\r\n\r\n")


def test_cut_http_bodies_and_missing_status_lines_are_rejected(tmp_path):
    # Both WARC records are whole; what they hold is not a page: a body cut at 12 of the 80
    # bytes its server declared, and a block with no HTTP status line at all.
    path = tmp_path / "broken.warc.gz"
    path.write_bytes(
        _raw_response(
            "https://www.example.com/cut",
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 80\r\n\r\n<html><body>",
        )
        + _raw_response(
            "https://www.example.com/nostatus",
            b"Content-Type: text/html\r\n\r\n<html><body>products</body></html>",
        )
        + warc.response_record("https://www.example.com/", b"<html><title>ok</title></html>")
    )
    assert [(r.url, r.error, r.detail) for r in whole(path, max_bytes=MB)] == [
        (
            "https://www.example.com/cut",
            "record.truncated",
            "HTTP body 12 of 80 bytes (Content-Length)",
        ),
        ("https://www.example.com/nostatus", "record.malformed", "no HTTP status line"),
        ("https://www.example.com/", None, None),
    ]
