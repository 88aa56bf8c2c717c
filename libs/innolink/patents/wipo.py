"""IPC (or CPC) code -> one of WIPO's 35 technology fields (Schmoch 2008 concordance).

The concordance's patterns ship with the package (innolink/synth/lexicon/tech_derived.yaml,
written from WIPO's CSV by `python -m innolink.synth.derive`): a subclass ("H01L") or a
main group of a subclass ("H04N 5/"). A main-group pattern beats its subclass's pattern.
CPC codes share IPC's subclasses and main groups, so they map the same way (CPC's 2000-series
indexing groups fall back to their subclass).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import IntegerType, StringType, StructField, StructType

CONCORDANCE = Path(__file__).resolve().parents[1] / "synth" / "lexicon" / "tech_derived.yaml"
UNCLASSIFIED = 0
UNCLASSIFIED_NAME = "Unclassified"

_CODE = re.compile(r"^\s*([A-HY]\d{2}[A-Z])\s*(\d{1,4})?")


@dataclass(frozen=True)
class WipoField:
    number: int
    name: str
    sector: str
    patterns: tuple[str, ...]


@lru_cache(maxsize=1)
def wipo_fields() -> dict[int, WipoField]:
    data = yaml.safe_load(CONCORDANCE.read_text(encoding="utf-8"))
    return {
        int(n): WipoField(int(n), f["name"], f["sector"], tuple(f["ipc"]))
        for n, f in sorted(data["fields"].items(), key=lambda kv: int(kv[0]))
    }


def field_name(number: int | None) -> str:
    field = wipo_fields().get(number or UNCLASSIFIED)
    return field.name if field else UNCLASSIFIED_NAME


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, str | None, int]]:
    """(subclass, main group or None, field) of every pattern."""
    out = []
    for number, f in wipo_fields().items():
        for pattern in f.patterns:
            subclass, _, group = pattern.partition(" ")
            out.append((subclass, group.rstrip("/") or None, number))
    return out


@lru_cache(maxsize=1)
def _index() -> dict[str, dict[str | None, int]]:
    index: dict[str, dict[str | None, int]] = {}
    for subclass, group, number in _patterns():
        index.setdefault(subclass, {})[group] = number
    return index


def ipc_to_wipo_field(code: str | None) -> int | None:
    """The WIPO field of an IPC/CPC code ("H04N 5/225", "H04N5/225", "H01L"), None when the
    concordance does not cover it."""
    if not code:
        return None
    match = _CODE.match(code.upper())
    if not match:
        return None
    subclass, group = match.group(1), match.group(2)
    by_group = _index().get(subclass)
    if not by_group:
        return None
    if group is not None and str(int(group)) in by_group:
        return by_group[str(int(group))]
    return by_group.get(None)


def field_table(spark: SparkSession) -> DataFrame:
    """field, field_name, sector: the 35 fields and 0 (Unclassified)."""
    rows = [(UNCLASSIFIED, UNCLASSIFIED_NAME, UNCLASSIFIED_NAME)] + [
        (f.number, f.name, f.sector) for f in wipo_fields().values()
    ]
    schema = StructType(
        [
            StructField("field", IntegerType(), False),
            StructField("field_name", StringType(), False),
            StructField("sector", StringType(), False),
        ]
    )
    return spark.createDataFrame(rows, schema)


def _pattern_table(spark: SparkSession) -> DataFrame:
    schema = StructType(
        [
            StructField("_subclass", StringType(), False),
            StructField("_group", StringType()),
            StructField("_field", IntegerType(), False),
        ]
    )
    return spark.createDataFrame(_patterns(), schema)


def _subclass(code: Column) -> Column:
    return F.regexp_extract(F.upper(code), r"^\s*([A-HY][0-9]{2}[A-Z])", 1)


def _group(code: Column) -> Column:
    digits = F.regexp_extract(F.upper(code), r"^\s*[A-HY][0-9]{2}[A-Z]\s*([0-9]{1,4})", 1)
    return F.when(digits != "", digits.cast("int").cast("string"))


def with_wipo_field(df: DataFrame, code: str, out: str = "field") -> DataFrame:
    """df with `out`: the WIPO field of column `code` (null when not covered), through a
    broadcast join with the concordance's patterns (no Python per row)."""
    patterns = F.broadcast(_pattern_table(df.sparkSession))
    keyed = df.withColumn("_row", F.monotonically_increasing_id())
    matched = keyed.join(
        patterns,
        (_subclass(F.col(code)) == F.col("_subclass"))
        & (F.col("_group").isNull() | (F.col("_group") == _group(F.col(code)))),
        "left",
    )
    # A main-group pattern beats the subclass pattern of the same code.
    best = Window.partitionBy("_row").orderBy(F.col("_group").isNull().asc())
    return (
        matched.withColumn("_rank", F.row_number().over(best))
        .where(F.col("_rank") == 1)
        .withColumnRenamed("_field", out)
        .drop("_row", "_rank", "_subclass", "_group")
    )


def patent_fields(classes: DataFrame) -> DataFrame:
    """pub_key, field: the WIPO field of each publication's first IPC code (the main one,
    else the lowest sequence), else of its first CPC code; publications whose codes the
    concordance does not cover get field 0 (Unclassified)."""
    codes = classes.where(F.col("scheme").isin("IPC", "CPC")).select(
        "pub_key", "code", "main", "sequence", "scheme"
    )
    fielded = with_wipo_field(codes, "code").where(F.col("field").isNotNull())
    first = Window.partitionBy("pub_key").orderBy(
        (F.col("scheme") != "IPC").asc(), F.col("main").desc(), "sequence", "code"
    )
    chosen = (
        fielded.withColumn("_n", F.row_number().over(first))
        .where(F.col("_n") == 1)
        .select("pub_key", "field")
    )
    return (
        classes.select("pub_key")
        .distinct()
        .join(chosen, "pub_key", "left")
        .select("pub_key", F.coalesce("field", F.lit(UNCLASSIFIED)).cast("int").alias("field"))
    )
