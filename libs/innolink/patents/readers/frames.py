"""What a table-format patent reader (PatentsView, Google Patents) returns, and the Spark
column rules both apply so their rows match those of the XML readers (document.py).

The rules are built-in column functions, not Python UDFs: these readers never leave the JVM.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import LongType, StringType, StructField, StructType

from innolink.io.files import list_files
from innolink.tables import TableSpec

REJECT_SCHEMA = StructType(
    [
        StructField("source", StringType(), False),
        StructField("locator", StringType(), False),
        StructField("reason", StringType(), False),
        StructField("excerpt", StringType()),
    ]
)
COUNT_SCHEMA = StructType(
    [StructField("source", StringType(), False), StructField("records", LongType(), False)]
)
# The writer clips excerpts to 4 KB of UTF-8 anyway; clipping here keeps a runaway record
# (an unclosed quote that swallowed the rest of a file) from travelling through the plan.
EXCERPT_CHARS = 4096


@dataclass
class PatentFrames:
    """The rows one input gives each patent table (their columns minus run_id), its rejects
    and its per-file counts.

    Count rule, per input file: records_in.records == records_used.records + the file's rows
    in rejects. records_used is counted from the rows that reached (or were merged into) the
    output frames, so a join that lost or doubled rows breaks the rule.
    """

    patents: DataFrame
    parties: DataFrame
    classes: DataFrame
    citations: DataFrame
    rejects: DataFrame  # source, locator, reason, excerpt
    records_in: DataFrame  # source, records: one row per input file
    records_used: DataFrame | None = None  # source, records


def input_paths(spark: SparkSession, path: str) -> list[str]:
    """The files a path names (innolink.io.files.list_files), as path strings."""
    return [f.path for f in list_files(spark, path)]


def out_schema(spec: TableSpec) -> StructType:
    return StructType([f for f in spec.schema.fields if f.name != "run_id"])


def conform(df: DataFrame, spec: TableSpec) -> DataFrame:
    """The table's columns (minus run_id) in order and with the table's types."""
    return df.select(*[F.col(f.name).cast(f.dataType).alias(f.name) for f in out_schema(spec)])


def empty(spark: SparkSession, schema: StructType) -> DataFrame:
    return spark.createDataFrame([], schema)


def union(frames: Iterable[DataFrame]) -> DataFrame:
    """The rows of one or more frames with the same columns."""
    return reduce(lambda a, b: a.unionByName(b), frames)


def union_all(frames: Iterable[DataFrame], spark: SparkSession, schema: StructType) -> DataFrame:
    """The rows of the frames; an empty frame of `schema` when there are none."""
    frames = list(frames)
    return union(frames) if frames else empty(spark, schema)


def reject_rows(spark: SparkSession, rows: Iterable[tuple[str, str, str, str | None]]) -> DataFrame:
    """Rejects known on the driver (a whole file, a missing input)."""
    return spark.createDataFrame(list(rows), REJECT_SCHEMA)


def count_rows(spark: SparkSession, rows: Iterable[tuple[str, int]]) -> DataFrame:
    return spark.createDataFrame(list(rows), COUNT_SCHEMA)


def counts_by_source(frame: DataFrame, source: str = "_source") -> DataFrame:
    return frame.groupBy(F.col(source).alias("source")).agg(
        F.count(F.lit(1)).cast("long").alias("records")
    )


def sum_counts(frames: Iterable[DataFrame], spark: SparkSession) -> DataFrame:
    """One row per source: a file whose rows went to several frames is counted once."""
    return (
        union_all(frames, spark, COUNT_SCHEMA)
        .groupBy("source")
        .agg(F.sum("records").cast("long").alias("records"))
    )


def excerpt(col: Column) -> Column:
    return F.substring(col, 1, EXCERPT_CHARS)


# ---------------------------------------------------------------------------------------
# Values (the conventions of document.py)
# ---------------------------------------------------------------------------------------


def blank_to_null(col: Column) -> Column:
    """The value trimmed; null when nothing is left."""
    trimmed = F.trim(col)
    return F.when(trimmed != "", trimmed)


def norm_ws(col: Column) -> Column:
    """Runs of white space -> one space, stripped; empty -> null. (?U) makes \\s Unicode-
    aware like Python's, so the ideographic space of CJK texts counts as white space."""
    collapsed = F.trim(F.regexp_replace(col, r"(?U)\s+", " "))
    return F.when(collapsed != "", collapsed)


def doc_number(col: Column) -> Column:
    """A publication number without separators and the leading zeros of its digits
    ("08088102" -> "8088102", "D0651432" -> "D651432"), as common.strip_number does."""
    compact = F.upper(F.regexp_replace(col, r"[\s/,.\-]", ""))
    return F.when(compact != "", F.regexp_replace(compact, r"^([A-Z]*)0+(\d)", "$1$2"))


def iso_date(col: Column) -> Column:
    """A date from "YYYYMMDD", "YYYY-MM-DD" or a YYYYMMDD integer, as common.iso_date reads
    it: day 00 -> the first of the month; month 00, 0 ("unknown" in Google Patents) or an
    impossible date -> null.

    Built from checked parts rather than parsed, so a bad value is null whatever Spark's
    ANSI and parser-policy settings say.
    """
    digits = F.regexp_replace(col.cast("string"), r"\D", "")
    year = F.substring(digits, 1, 4).cast("int")
    month = F.substring(digits, 5, 2).cast("int")
    day = F.substring(digits, 7, 2).cast("int")
    day = F.when(day == 0, F.lit(1)).otherwise(day)
    plausible = (F.length(digits) == 8) & (year >= 1) & month.between(1, 12)
    first_of_month = F.make_date(year, month, F.lit(1))
    return F.when(
        plausible & (day <= F.dayofmonth(F.last_day(first_of_month))),
        F.make_date(year, month, day),
    )


_IPC = r"^\s*([A-HY])\s*(\d{2})\s*([A-Z])\s*(\d{1,4})\s*/\s*(\d{1,6})"


def class_code(col: Column) -> Column:
    """An IPC or CPC code as "H01M 10/0525" (common.ipc_code); null when not a code."""
    text = F.upper(col)

    def part(i: int) -> Column:
        return F.regexp_extract(text, _IPC, i)

    return F.when(
        text.rlike(_IPC),
        F.concat(
            part(1),
            part(2),
            part(3),
            F.lit(" "),
            part(4).cast("int").cast("string"),
            F.lit("/"),
            part(5),
        ),
    )


def mark_duplicates(
    frame: DataFrame, keys: list[str], order: list[str], reason: str, column: str = "_reason"
) -> DataFrame:
    """Among the rows not yet rejected (`column` null), every row but the first of each key
    (in `order`) gets `reason`: the key must be unique in the output table."""
    still_open = F.col(column).isNull()
    window = Window.partitionBy(still_open, *keys).orderBy(*order)
    return frame.withColumn(
        column,
        F.when(still_open & (F.row_number().over(window) > 1), F.lit(reason)).otherwise(
            F.col(column)
        ),
    )
