"""Byte streams of input files from a given offset: local files and S3 objects.

Spark's Python workers read WARC files themselves (as cc-pyspark does), streaming, so a task
never holds a whole file. Local paths (and file: URIs) are opened directly; s3://, s3a://
and s3n:// objects through boto3 with the AWS default credential chain, from the offset to
the end of the object (a range request), so a split of a large file reads only its part.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

_S3_SCHEMES = ("s3", "s3a", "s3n")


@dataclass(frozen=True)
class S3Settings:
    """Where boto3 goes: None everywhere means AWS with the default chain and region."""

    endpoint_url: str | None = None
    region: str | None = None
    max_attempts: int = 10
    path_style: bool = False


class PositionedStream(io.RawIOBase):
    """A readable stream whose tell() is the absolute offset in the file.

    FastWARC reports each record's position as the stream's tell() when the record began;
    with a stream opened at an offset, that is the record's offset in the file.
    """

    def __init__(self, raw, start: int):
        self._raw = raw
        self._pos = start

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read() if size is None or size < 0 else self._raw.read(size)
        self._pos += len(data)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()


def is_s3(path: str) -> bool:
    return urlsplit(path).scheme in _S3_SCHEMES


def local_path(path: str) -> str:
    parts = urlsplit(path)
    return unquote(parts.path) if parts.scheme == "file" else path


def s3_client(settings: S3Settings):
    """A boto3 S3 client that retries throttling (SlowDown, 503) with backoff.

    The adaptive mode adds client-side rate limiting to the standard mode's exponential
    backoff with jitter: the behaviour Common Crawl asks of bulk readers of its bucket.
    """
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=settings.endpoint_url,
        region_name=settings.region,
        config=Config(
            retries={"max_attempts": settings.max_attempts, "mode": "adaptive"},
            connect_timeout=10,
            read_timeout=60,
            s3={"addressing_style": "path" if settings.path_style else "auto"},
        ),
    )


def bucket_and_key(path: str) -> tuple[str, str]:
    parts = urlsplit(path)
    return parts.netloc, parts.path.lstrip("/")


def open_at(path: str, start: int, s3: S3Settings | None = None, client=None) -> PositionedStream:
    """The file from byte `start` to its end."""
    if is_s3(path):
        bucket, key = bucket_and_key(path)
        client = client or s3_client(s3 or S3Settings())
        body = client.get_object(Bucket=bucket, Key=key, Range=f"bytes={start}-")["Body"]
        return PositionedStream(body, start)
    handle = open(local_path(path), "rb", buffering=1 << 20)  # noqa: SIM115 - closed by caller
    handle.seek(start)
    return PositionedStream(handle, start)


def read_range(path: str, start: int, length: int, s3: S3Settings | None = None, client=None):
    """`length` bytes of the file from `start` (fewer at the end of the file)."""
    if is_s3(path):
        bucket, key = bucket_and_key(path)
        client = client or s3_client(s3 or S3Settings())
        end = start + length - 1
        return client.get_object(Bucket=bucket, Key=key, Range=f"bytes={start}-{end}")[
            "Body"
        ].read()
    with open(local_path(path), "rb") as handle:
        handle.seek(start)
        return handle.read(length)
