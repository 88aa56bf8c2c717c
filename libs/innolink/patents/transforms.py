"""DataFrame steps of the patent stage. I/O only in `read_document_records`.

Order: documents (one record per document found: parsed, or rejected with a reason) ->
one row per publication (the last input wins when a publication comes twice) -> the rows of
the four silver tables.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ArrayType,
    BooleanType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
)

from innolink.io.files import InputFile
from innolink.patents.document import Citation, Party, PatentClass, PatentDoc, Reject
from innolink.patents.sources import Chunk, document_rdd
from innolink.tables import PATENT_PARTIES, PATENTS

log = logging.getLogger(__name__)

EXCERPT_BYTES = 4096

_PY_TYPES = {"str": StringType(), "int": IntegerType(), "bool": BooleanType()}


def _struct_of(cls) -> StructType:
    """The Spark struct of a reader dataclass, from its annotations (one source of truth)."""
    out = []
    for f in fields(cls):
        base = str(f.type).split("|")[0].strip()
        if base in _PY_TYPES:
            out.append(StructField(f.name, _PY_TYPES[base]))
    return StructType(out)


PARTY_STRUCT = _struct_of(Party)
CLASS_STRUCT = _struct_of(PatentClass)
CITATION_STRUCT = _struct_of(Citation)
_DOC_SCALARS = [f for f in _struct_of(PatentDoc).fields]

RECORD_SCHEMA = StructType(
    [
        StructField("input_index", IntegerType(), False),
        StructField("source_file", StringType(), False),
        StructField("locator", StringType(), False),
        StructField("position", LongType(), False),
        StructField("reason", StringType()),
        StructField("excerpt", StringType()),
        StructField("pub_key", StringType()),
        *_DOC_SCALARS,
        StructField("parties", ArrayType(PARTY_STRUCT)),
        StructField("classes", ArrayType(CLASS_STRUCT)),
        StructField("citations", ArrayType(CITATION_STRUCT)),
    ]
)
_SCALAR_NAMES = [f.name for f in _DOC_SCALARS]
_EMPTY_DOC = (None,) * (1 + len(_SCALAR_NAMES) + 3)


@dataclass(frozen=True)
class DocFormat:
    """How a document format's files become PatentDocs."""

    # One document -> PatentDoc (XML formats) ...
    parse: Callable[[bytes], PatentDoc] | None = None
    # ... or one file -> its records (text formats such as USPTO APS).
    parse_records: Callable[[bytes], Iterator[PatentDoc | Reject]] | None = None
    # Files hold many XML documents back to back (USPTO weekly files) or one each.
    concatenated: bool = False


def _position(locator: str) -> int:
    """Order of a document within its file: its byte offset when the locator has one."""
    for part in locator.split(";"):
        if part.startswith("offset="):
            return int(part[len("offset=") :])
    return 0


def _excerpt(data: bytes | None) -> str | None:
    if data is None:
        return None
    return data[:EXCERPT_BYTES].decode("utf-8", errors="replace")


def _reject_row(index: int, chunk: Chunk, reason: str, excerpt: str | None = None) -> tuple:
    return (
        index,
        chunk.source,
        chunk.locator,
        _position(chunk.locator),
        reason,
        excerpt if excerpt is not None else _excerpt(chunk.data),
        *_EMPTY_DOC,
    )


_PARTY_FIELDS = [f.name for f in PARTY_STRUCT.fields]
_CLASS_FIELDS = [f.name for f in CLASS_STRUCT.fields]
_CITATION_FIELDS = [f.name for f in CITATION_STRUCT.fields]


def _values(item, names: list[str]) -> tuple:
    # getattr, not dataclasses.asdict: asdict deep-copies every nested list and string,
    # which cost more than parsing on documents with hundreds of citations.
    return tuple(getattr(item, name) for name in names)


def _doc_row(index: int, chunk: Chunk, doc: PatentDoc) -> tuple:
    return (
        index,
        chunk.source,
        chunk.locator,
        _position(chunk.locator),
        None,
        None,
        doc.pub_key,
        *_values(doc, _SCALAR_NAMES),
        [_values(p, _PARTY_FIELDS) for p in doc.parties],
        [_values(c, _CLASS_FIELDS) for c in doc.classes],
        [_values(c, _CITATION_FIELDS) for c in doc.citations],
    )


def record_of(
    index: int, chunk: Chunk, parse: Callable[[bytes], PatentDoc], max_bytes: int
) -> tuple:
    """One record (a RECORD_SCHEMA tuple) per chunk: the parsed document, or a reject."""
    if chunk.error is not None:
        return _reject_row(index, chunk, chunk.error.split(":", 1)[0])
    if chunk.data is None or not chunk.data.strip():
        return _reject_row(index, chunk, "document.empty")
    if len(chunk.data) > max_bytes:
        return _reject_row(index, chunk, "document.too_large")
    if not chunk.data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return _reject_row(index, chunk, "document.not_xml")
    try:
        doc = parse(chunk.data)
    except Reject as exc:
        return _reject_row(index, chunk, exc.reason)
    except Exception as exc:  # noqa: BLE001 - a reader bug must not lose the document
        log.warning("reader failed on %s %s: %r", chunk.source, chunk.locator, exc)
        return _reject_row(index, chunk, f"reader.error.{type(exc).__name__}")
    return _doc_row(index, chunk, doc)


def records_of_file(
    index: int, chunk: Chunk, parse_records: Callable[[bytes], Iterator[PatentDoc | Reject]]
) -> Iterator[tuple]:
    """The records of one file of a record-oriented text format (APS), one row each."""
    if chunk.error is not None or not chunk.data:
        yield _reject_row(index, chunk, (chunk.error or "file.empty").split(":", 1)[0])
        return
    number = 0
    try:
        for number, item in enumerate(parse_records(chunk.data), start=1):
            where = Chunk(chunk.source, f"{chunk.locator};record={number}", None)
            if isinstance(item, Reject):
                yield _reject_row(index, where, item.reason, item.detail)
            else:
                yield _doc_row(index, where, item)
    except Exception as exc:  # noqa: BLE001 - the rest of the file is one reject, not lost
        log.warning("reader failed on %s after record %d: %r", chunk.source, number, exc)
        where = Chunk(chunk.source, f"{chunk.locator};after_record={number}", None)
        yield _reject_row(index, where, f"reader.error.{type(exc).__name__}")


def read_document_records(
    spark: SparkSession,
    index: int,
    files: Sequence[InputFile],
    doc_format: DocFormat,
    min_partitions: int,
    max_bytes: int,
    split_bytes: int | None = None,
) -> DataFrame:
    """Every document (or text record) of the files as one record each (RECORD_SCHEMA).

    Empty files are answered here: Hadoop's input formats skip them without a trace.
    """
    empty = [
        _reject_row(index, Chunk(f.path, "file", None), "file.empty") for f in files if f.size == 0
    ]
    chunks = document_rdd(
        spark.sparkContext,
        [f.path for f in files if f.size > 0],
        doc_format.concatenated,
        min_partitions,
        split_bytes,
    )
    parse, parse_records = doc_format.parse, doc_format.parse_records

    def records(part: Iterator[Chunk]) -> Iterator[tuple]:
        for chunk in part:
            if parse_records is not None:
                yield from records_of_file(index, chunk, parse_records)
            else:
                yield record_of(index, chunk, parse, max_bytes)

    # A corpus of many small weekly files would otherwise be one task per file in every
    # later job; a few tasks per core each read several files one after another.
    target = max(min_partitions, spark.sparkContext.defaultParallelism * 3)
    if chunks.getNumPartitions() > target:
        chunks = chunks.coalesce(target)
    rows = chunks.mapPartitions(records)
    if empty:
        rows = rows.union(spark.sparkContext.parallelize(empty, 1))
    return spark.createDataFrame(rows, RECORD_SCHEMA)


def missing_input_records(spark: SparkSession, index: int, path: str) -> DataFrame:
    """The record of a configured input path that names no file."""
    row = _reject_row(index, Chunk(path, "input", None), "input.not_found")
    return spark.createDataFrame([row], RECORD_SCHEMA)


def rejects_of(records: DataFrame) -> DataFrame:
    return records.where(F.col("reason").isNotNull()).select(
        F.col("source_file").alias("source"), "locator", "reason", "excerpt"
    )


@dataclass
class Frames:
    """Rows of the four tables from one or more inputs, before duplicates are resolved.

    Each frame carries `_doc` (which input document a row came from); patents also carry
    what orders copies of one publication (input_index, source_file, position) and the
    locator of its document.
    """

    patents: DataFrame
    parties: DataFrame
    classes: DataFrame
    citations: DataFrame

    def union(self, other: Frames) -> Frames:
        return Frames(
            *(
                mine.unionByName(theirs)
                for mine, theirs in zip(self.astuple(), other.astuple(), strict=True)
            )
        )

    def astuple(self) -> tuple[DataFrame, DataFrame, DataFrame, DataFrame]:
        return (self.patents, self.parties, self.classes, self.citations)


_ORDERING = ["_doc", "input_index", "position", "_locator"]


def _doc_id(index: Column, source: Column, position: Column) -> Column:
    return F.concat_ws("|", index.cast("string"), source, position.cast("string"))


def xml_frames(records: DataFrame) -> Frames:
    """The table rows of the parsed XML records (rejects are handled apart)."""
    parsed = records.where(F.col("reason").isNull()).withColumn(
        "_doc", _doc_id(F.col("input_index"), F.col("source_file"), F.col("position"))
    )
    patents = parsed.select(
        *_patent_columns(),
        "_doc",
        "input_index",
        "position",
        F.col("locator").alias("_locator"),
    )
    return Frames(
        patents=patents,
        parties=_exploded(parsed, "parties", PATENT_PARTIES),
        classes=_classes(parsed),
        citations=_citations(parsed),
    )


def table_frames(
    patents: DataFrame, parties: DataFrame, classes: DataFrame, citations: DataFrame, index: int
) -> Frames:
    """The rows a table-format reader produced (PatentsView, Google Patents), as Frames."""
    doc = F.lit(f"{index}|table")
    return Frames(
        patents=patents.select(
            *[c for c in PATENTS.columns if c != "run_id"],
            doc.alias("_doc"),
            F.lit(index).alias("input_index"),
            F.lit(0).cast("long").alias("position"),
            F.concat(F.lit("pub_key="), F.col("pub_key")).alias("_locator"),
        ),
        parties=parties.withColumn("_doc", doc),
        classes=classes.withColumn("_doc", doc),
        citations=citations.withColumn("_doc", doc),
    )


def _patent_columns() -> list[Column]:
    dates = {"application_date", "publication_date", "grant_date", "priority_date"}
    return [
        _date(name) if name in dates else F.col(name)
        for name in PATENTS.columns
        if name != "run_id"
    ]


def _date(name: str) -> Column:
    return F.to_date(F.col(name), "yyyy-MM-dd").alias(name)


def _exploded(parsed: DataFrame, column: str, spec) -> DataFrame:
    rows = parsed.select("pub_key", "_doc", F.explode(column).alias("x")).select(
        "pub_key", "_doc", "x.*"
    )
    return rows.select(*[c for c in spec.columns if c != "run_id"], "_doc")


def _classes(parsed: DataFrame) -> DataFrame:
    """One row per (publication, scheme, code): a code listed twice (as main and again among
    the further classes) is one class, main if either listing says so."""
    rows = parsed.select("pub_key", "_doc", F.explode("classes").alias("c")).select(
        "pub_key", "_doc", "c.*"
    )
    return rows.groupBy("pub_key", "_doc", "scheme", "code").agg(
        F.max(F.col("main").cast("int")).cast("boolean").alias("main"),
        F.min("sequence").alias("sequence"),
    )


def cited_key(country: Column, number: Column, kind: Column) -> Column:
    """The cited publication's key in the shape of pub_key, when country, number and kind
    are all known; the number loses separators and the leading zeros of its digits."""
    compact = F.upper(F.regexp_replace(number, r"[\s/,.\-]", ""))
    normalized = F.regexp_replace(compact, r"^([A-Z]*)0+(\d)", "$1$2")
    return F.when(
        country.isNotNull() & number.isNotNull() & kind.isNotNull() & (compact != ""),
        F.concat_ws("-", F.upper(country), normalized, F.upper(kind)),
    )


def _citations(parsed: DataFrame) -> DataFrame:
    rows = parsed.select("pub_key", "_doc", F.explode("citations").alias("c")).select(
        "pub_key", "_doc", "c.*"
    )
    return rows.select(
        "pub_key",
        "sequence",
        "kind",
        "country",
        "number",
        "cited_kind",
        cited_key(F.col("country"), F.col("number"), F.col("cited_kind")).alias("cited_key"),
        _date("date"),
        "name",
        "text",
        "category",
        "_doc",
    )


def resolve(frames: Frames) -> tuple[Frames, DataFrame]:
    """(one copy per publication, rejects of the superseded copies).

    A publication met twice (a weekly file and its correction, the same patent from the
    full text and from PatentsView, a file named twice) is kept from the later input, then
    the later file, then the later position: what loading the inputs one run after another
    would leave after the MERGEs. Its parties, classes and citations come from that copy.
    """
    order = Window.partitionBy("pub_key").orderBy(
        F.col("input_index").desc(), F.col("source_file").desc(), F.col("position").desc()
    )
    ranked = frames.patents.withColumn("_rank", F.row_number().over(order))
    winners = ranked.where(F.col("_rank") == 1).select("pub_key", "_doc")

    def keep(frame: DataFrame) -> DataFrame:
        return frame.join(winners, ["pub_key", "_doc"], "left_semi").drop(*_ORDERING)

    superseded = ranked.where(F.col("_rank") > 1).select(
        F.col("source_file").alias("source"),
        F.col("_locator").alias("locator"),
        F.lit("document.superseded").alias("reason"),
        F.concat(F.lit("pub_key="), F.col("pub_key")).alias("excerpt"),
    )
    kept = Frames(*(keep(f) for f in frames.astuple()))
    return kept, superseded
