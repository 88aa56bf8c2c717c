"""Where patent XML documents come from: files, weekly files of concatenated documents, archives.

A USPTO weekly file is 0.5-1 GB of XML documents back to back, each starting with its own
`<?xml` declaration. Plain and gzip files are read with Hadoop's TextInputFormat using that
declaration as the record delimiter, so a file is split across tasks at document boundaries
and no task holds more than one document. A zip archive is streamed member by member and
each member chunk by chunk. Single-document formats (EPO, JPO, CNIPA) are read per file.

Every chunk of input becomes exactly one document (bytes) with a locator; what cannot be
read at all (a corrupt archive) becomes a locator with an error, never nothing.
"""

from __future__ import annotations

import gzip
import io
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pyspark import RDD, SparkContext

# The record delimiter of concatenated files. Every document of every USPTO generation
# starts with an XML declaration; "<?xml " (with the space) never occurs inside one.
DELIMITER = "<?xml "
_DELIMITER_BYTES = DELIMITER.encode("ascii")
# Small enough that a truncated gzip loses only its last partial read, not its good documents.
_CHUNK = 256 << 10
_DECLARED_ENCODING = re.compile(rb"^(<\?xml[^>]*?encoding\s*=\s*[\"'])([^\"']+)([\"'])")


@dataclass(frozen=True)
class Chunk:
    """One document's bytes (or the error that kept it from being read) and where it was."""

    source: str
    locator: str
    data: bytes | None
    error: str | None = None


def utf8_document(text: str) -> bytes:
    """A document that Hadoop decoded as UTF-8, as bytes whose declaration says so.

    TextInputFormat hands records over as text decoded from UTF-8; a declaration naming
    another encoding would make lxml decode the UTF-8 bytes a second time.
    """
    data = text.encode("utf-8")
    head = data[:200]
    fixed = _DECLARED_ENCODING.sub(rb"\g<1>UTF-8\g<3>", head, count=1)
    return data if fixed == head else fixed + data[200:]


def split_stream(
    stream: io.BufferedIOBase | io.RawIOBase, chunk_size: int = _CHUNK
) -> Iterator[tuple[int, bytes]]:
    """(offset, document) for each document of a stream of concatenated documents.

    Memory holds one document plus one read chunk. Content before the first declaration
    that is not blank is yielded too, so the caller can reject it.
    """
    buffer = b""
    start = 0  # stream offset of buffer[0]
    while True:
        block = stream.read(chunk_size)
        if block:
            buffer += block
        search_from = 1
        while True:
            cut = buffer.find(_DELIMITER_BYTES, search_from)
            if cut < 0:
                break
            head = buffer[:cut]
            if head.strip():
                yield start, head
            buffer = buffer[cut:]
            start += cut
            search_from = 1
        if not block:
            break
    if buffer.strip():
        yield start, buffer


def _iter_zip(source: str, data: bytes, concatenated: bool) -> Iterator[Chunk]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        yield Chunk(source, "archive", None, f"archive.corrupt: {exc}")
        return
    for member in members:
        where = f"member={member.filename}"
        try:
            with archive.open(member) as stream:
                if concatenated:
                    for offset, doc in split_stream(stream):
                        yield Chunk(source, f"{where};offset={offset}", doc)
                else:
                    yield Chunk(source, where, stream.read())
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
            yield Chunk(source, where, None, f"archive.corrupt: {exc}")


def _iter_gzip(source: str, data: bytes, concatenated: bool) -> Iterator[Chunk]:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            if concatenated:
                for offset, doc in split_stream(stream):
                    yield Chunk(source, f"offset={offset}", doc)
            else:
                yield Chunk(source, "file", stream.read())
    except (OSError, EOFError, zlib.error) as exc:
        # A truncated gzip still gave its complete documents above; the rest is reported.
        yield Chunk(source, "archive", None, f"archive.corrupt: {exc}")


def chunks_of_file(source: str, data: bytes, concatenated: bool) -> Iterator[Chunk]:
    """The documents of one whole file (plain, .gz or .zip, told apart by content)."""
    if data[:4] == b"PK\x03\x04" or source.lower().endswith(".zip"):
        yield from _iter_zip(source, data, concatenated)
    elif data[:2] == b"\x1f\x8b":
        yield from _iter_gzip(source, data, concatenated)
    elif not data.strip():
        yield Chunk(source, "file", None, "file.empty")
    elif concatenated:
        for offset, doc in split_stream(io.BytesIO(data)):
            yield Chunk(source, f"offset={offset}", doc)
    else:
        yield Chunk(source, "file", data)


def _splittable(path: str) -> bool:
    return not path.lower().endswith(".zip")


def document_rdd(
    sc: SparkContext,
    files: Iterable[str],
    concatenated: bool,
    min_partitions: int,
    split_bytes: int | None = None,
) -> RDD:
    """RDD of Chunk for the given files.

    Plain and gzip files of concatenated documents go through TextInputFormat (split at
    document boundaries across tasks, gzip decompressed as a stream); everything else is
    read per file (binaryFiles; zips streamed member by member).
    """
    files = list(files)
    text_files = [f for f in files if concatenated and _splittable(f)]
    whole_files = [f for f in files if f not in text_files]
    parts: list[RDD] = []
    hadoop_conf = {"textinputformat.record.delimiter": DELIMITER}
    if split_bytes:
        hadoop_conf["mapreduce.input.fileinputformat.split.maxsize"] = str(split_bytes)
    for path in text_files:
        pairs = sc.newAPIHadoopFile(
            path,
            "org.apache.hadoop.mapreduce.lib.input.TextInputFormat",
            "org.apache.hadoop.io.LongWritable",
            "org.apache.hadoop.io.Text",
            conf=hadoop_conf,
        )
        parts.append(pairs.flatMap(_text_records(path)))
    if whole_files:
        blobs = sc.binaryFiles(",".join(whole_files), minPartitions=min_partitions)
        parts.append(blobs.flatMap(lambda kv: chunks_of_file(kv[0], kv[1], concatenated)))
    if not parts:
        return sc.emptyRDD()
    return sc.union(parts) if len(parts) > 1 else parts[0]


def _text_records(path: str):
    """Hadoop (offset, text) records of one file -> Chunks.

    The record text lacks the delimiter it was split on: every record but a file's first
    starts right after a "<?xml ", which is put back. Offsets are byte offsets of the
    declaration in the file (of the compressed stream position for gzip input).
    """

    def convert(pair: tuple[int, str]) -> Iterator[Chunk]:
        offset, text = pair
        if offset == 0:
            # What precedes the first declaration: nothing in a well-formed file.
            if text.strip():
                yield Chunk(path, "offset=0", text.encode("utf-8"))
            return
        start = offset - len(DELIMITER)
        yield Chunk(path, f"offset={start}", utf8_document(DELIMITER + text))

    return convert
