"""Finding documents in weekly files and archives, before any parsing."""

from __future__ import annotations

import gzip
import io
import zipfile

from innolink.patents.sources import Chunk, chunks_of_file, split_stream, utf8_document

from .conftest import SHARED

WEEKLY = SHARED / "patents/uspto_fulltext_xml/ipg060103.sample25.xml"


def offsets_of(data: bytes) -> list[int]:
    """Where each document starts, found with plain bytes.find (independent of the code)."""
    out, at = [], data.find(b"<?xml ")
    while at >= 0:
        out.append(at)
        at = data.find(b"<?xml ", at + 1)
    return out


def test_split_stream_finds_every_document_at_its_offset():
    data = WEEKLY.read_bytes()
    expected = offsets_of(data)
    # 25 grants and 2 sequence listings (SOURCES.md).
    assert len(expected) == 27
    # A chunk smaller than a document forces boundaries to straddle reads.
    docs = list(split_stream(io.BytesIO(data), chunk_size=4096))
    assert [offset for offset, _ in docs] == expected
    assert all(doc.startswith(b'<?xml version="1.0"') for _, doc in docs)
    assert b"".join(doc for _, doc in docs) == data[expected[0] :]


def test_split_stream_yields_leading_junk_for_rejection():
    docs = list(split_stream(io.BytesIO(b"garbage\n<?xml version='1.0'?><a/>\n<?xml ?><b/>")))
    assert docs == [(0, b"garbage\n"), (8, b"<?xml version='1.0'?><a/>\n"), (34, b"<?xml ?><b/>")]


def test_gzip_and_zip_are_streamed_member_by_member():
    data = WEEKLY.read_bytes()
    expected = offsets_of(data)
    from_gzip = list(chunks_of_file("w.xml.gz", gzip.compress(data), concatenated=True))
    assert [c.locator for c in from_gzip] == [f"offset={o}" for o in expected]

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("ipg060103.xml", data)
        archive.writestr("readme/", b"")
    from_zip = list(chunks_of_file("ipg060103.zip", buffer.getvalue(), concatenated=True))
    assert [c.locator for c in from_zip] == [f"member=ipg060103.xml;offset={o}" for o in expected]
    assert from_zip[3].data == from_gzip[3].data


def test_broken_archives_become_chunks_with_errors():
    data = WEEKLY.read_bytes()
    truncated = gzip.compress(data)[:200_000]
    chunks = list(chunks_of_file("w.xml.gz", truncated, concatenated=True))
    # The complete documents before the cut are still found; the rest is one error.
    assert chunks[-1].error is not None and chunks[-1].error.startswith("archive.corrupt")
    assert all(c.error is None for c in chunks[:-1])
    assert [c.locator for c in chunks[:-1]][:2] == [f"offset={o}" for o in offsets_of(data)[:2]]

    bad_zip = list(chunks_of_file("x.zip", b"PK\x03\x04 not really a zip", concatenated=True))
    assert [(c.locator, c.error.split(":")[0]) for c in bad_zip] == [("archive", "archive.corrupt")]
    assert list(chunks_of_file("empty.xml", b"  \n", concatenated=False)) == [
        Chunk("empty.xml", "file", None, "file.empty")
    ]


def test_documents_hadoop_decoded_say_utf8():
    doc = utf8_document('<?xml version="1.0" encoding="ISO-8859-1"?><t>café</t>')
    assert doc == '<?xml version="1.0" encoding="UTF-8"?><t>café</t>'.encode()


def test_spark_splits_weekly_files_at_document_boundaries(spark, tmp_path):
    from innolink.patents.sources import document_rdd

    data = WEEKLY.read_bytes()
    plain = tmp_path / "ipg060103.xml"
    plain.write_bytes(b"\n" + data)  # a blank line before the first document is no record
    packed = tmp_path / "ipg060103.xml.gz"
    packed.write_bytes(gzip.compress(data))
    # 64 KB splits: most documents straddle a split boundary (the file is 1.4 MB).
    rdd = document_rdd(spark.sparkContext, [str(plain), str(packed)], True, 2, split_bytes=64 << 10)
    assert rdd.getNumPartitions() > 20
    chunks = rdd.collect()
    by_file: dict[str, list[Chunk]] = {}
    for chunk in chunks:
        by_file.setdefault(chunk.source.rsplit("/", 1)[-1], []).append(chunk)
    plain_chunks = by_file["ipg060103.xml"]
    assert [c.locator for c in plain_chunks] == [f"offset={o + 1}" for o in offsets_of(data)]
    assert [c.data for c in plain_chunks] == [d for _, d in split_stream(io.BytesIO(data))]
    # gzip is one stream (not splittable); its documents are the same 27.
    assert [c.data for c in by_file["ipg060103.xml.gz"]] == [c.data for c in plain_chunks]
