"""Common Crawl: choose firms' pages in the columnar URL index, fetch exactly those records.

1. The index (Parquet, `cc-index/table/cc-main/warc/crawl=.../subset=warc/`) is read with
   Spark SQL: the configured crawls (partition pruning), the `warc` subset, successful
   fetches of HTML, and hosts whose registered domain is a firm's (a broadcast join with the
   domains of silver/firms and `pages.firm_domains`). At most `max_pages_per_domain` pages
   per domain and crawl are kept, shortest URLs first: a site's home, product and company
   pages sit near its root.
2. Each chosen record is fetched by range (`warc_filename`, `warc_record_offset`,
   `warc_record_length`) from the bucket with boto3: credentials from the AWS default chain,
   throttling (SlowDown, 503) retried with backoff by botocore's adaptive mode, a broken
   transfer retried here. A record is one gzip member, read like any WARC record.

Rows are sorted by file and offset before fetching, so a task's requests go to few files.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator

from fastwarc.warc import ArchiveIterator
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from innolink.pages.readers.streams import PositionedStream, S3Settings, s3_client
from innolink.pages.readers.warc import convert
from innolink.pages.records import RawRecord

log = logging.getLogger(__name__)

INDEX_COLUMNS = (
    "url",
    "url_host_registered_domain",
    "warc_filename",
    "warc_record_offset",
    "warc_record_length",
    "fetch_time",
    "crawl",
)
_TRANSFER_ATTEMPTS = 4


def select(
    spark: SparkSession,
    index_path: str,
    crawls: list[str],
    domains: DataFrame,
    mime_types: list[str],
    max_pages_per_domain: int,
) -> DataFrame:
    """The index rows of the firms' pages to fetch (INDEX_COLUMNS)."""
    index = spark.read.parquet(index_path)
    chosen = (
        index.where(F.col("crawl").isin(crawls))
        .where(F.col("subset") == "warc")
        .where(F.col("fetch_status") == 200)
        .where(F.col("content_mime_detected").isin(mime_types))
        .join(
            F.broadcast(domains.select(F.col("domain").alias("url_host_registered_domain"))),
            "url_host_registered_domain",
            "left_semi",
        )
    )
    order = Window.partitionBy("url_host_registered_domain", "crawl").orderBy(
        F.length("url"), "url"
    )
    return (
        chosen.withColumn("_n", F.row_number().over(order))
        .where(F.col("_n") <= max_pages_per_domain)
        .select(*INDEX_COLUMNS)
    )


def _fetch(client, bucket: str, key: str, offset: int, length: int) -> bytes:
    """The record's bytes; a transfer broken mid-body is retried (botocore retries the rest)."""
    from botocore.exceptions import ConnectionError as BotoConnectionError
    from botocore.exceptions import ReadTimeoutError, ResponseStreamingError

    for attempt in range(1, _TRANSFER_ATTEMPTS + 1):
        try:
            response = client.get_object(
                Bucket=bucket, Key=key, Range=f"bytes={offset}-{offset + length - 1}"
            )
            return response["Body"].read()
        except (ResponseStreamingError, ReadTimeoutError, BotoConnectionError):
            if attempt == _TRANSFER_ATTEMPTS:
                raise
            time.sleep(min(2**attempt, 30))
    raise AssertionError("unreachable")


def fetch_records(
    rows: Iterable,
    bucket: str,
    s3: S3Settings,
    max_bytes: int,
) -> Iterator[RawRecord]:
    """One RawRecord per index row: the fetched record, or why it could not be fetched."""
    from botocore.exceptions import BotoCoreError, ClientError

    client = s3_client(s3)
    for row in rows:
        key, offset, length = row.warc_filename, row.warc_record_offset, row.warc_record_length
        source = f"s3://{bucket}/{key}"
        where = RawRecord(
            source=source,
            locator=f"offset={offset};length={length}",
            position=offset,
            record_type="response",
            url=row.url,
            crawl_id=row.crawl,
        )
        if length > max_bytes:
            where.error, where.detail = "page.too_large", f"record of {length} bytes"
            yield where
            continue
        try:
            data = _fetch(client, bucket, key, offset, length)
        except (ClientError, BotoCoreError) as exc:
            where.error, where.detail = "record.fetch_error", str(exc)[:500]
            yield where
            continue
        if len(data) < length:
            where.error = "record.truncated"
            where.detail = f"fetched {len(data)} of {length} bytes"
            yield where
            continue
        try:
            records = ArchiveIterator(PositionedStream(_Bytes(data), offset), parse_http=True)
            record = next(iter(records), None)
            if record is None:
                where.error, where.detail = "record.malformed", "no WARC record in the range"
                yield where
                continue
            raw = convert(record, source, row.crawl, max_bytes)
        except OSError as exc:
            where.error, where.detail = "record.decompression_error", str(exc)
            yield where
            continue
        raw.locator = where.locator
        if raw.url is None:
            raw.url = row.url
        yield raw


class _Bytes:
    """A minimal readable over bytes (PositionedStream supplies tell())."""

    def __init__(self, data: bytes):
        self._data = memoryview(data)
        self._at = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size is None or size < 0 else self._at + size
        chunk = bytes(self._data[self._at : end])
        self._at += len(chunk)
        return chunk

    def close(self) -> None:
        self._data.release()
