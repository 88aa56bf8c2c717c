"""The one writer: Delta round trip, MERGE by key, schema enforcement, rejects."""

import pytest
from innolink.errors import SchemaError
from innolink.tables import REJECTS, TableSpec
from innolink.writer import TableWriter
from pyspark.sql import functions as F
from pyspark.sql.types import IntegerType, StringType, StructField, StructType

SPEC = TableSpec(
    layer="silver",
    name="things",
    schema=StructType(
        [
            StructField("id", StringType(), False),
            StructField("value", IntegerType()),
            StructField("run_id", StringType(), False),
        ]
    ),
    keys=("id",),
    volatile=("run_id",),
)


def rows(spark, data, run="r1"):
    return spark.createDataFrame(
        [(i, v, run) for i, v in data], "id string, value int, run_id string"
    )


def test_round_trip_merge_and_time_travel(spark, tmp_path):
    writer = TableWriter(spark, str(tmp_path), "test", "r1")
    first = writer.merge(SPEC, rows(spark, [("a", 1), ("b", 2)]))
    assert (first.version, first.inserted, first.updated, first.rows) == (1, 2, 0, 2)  # v0 = create

    second = writer.merge(SPEC, rows(spark, [("b", 20), ("c", 3)], run="r2"))
    assert (second.inserted, second.updated) == (1, 1)

    # Same data again, new run id: run_id is volatile, so nothing counts as changed.
    third = writer.merge(SPEC, rows(spark, [("b", 20), ("c", 3)], run="r3"))
    assert (third.inserted, third.updated) == (0, 0)

    path = SPEC.path(str(tmp_path))
    now = {r["id"]: r["value"] for r in spark.read.format("delta").load(path).collect()}
    assert now == {"a": 1, "b": 20, "c": 3}
    v1 = {
        r["id"]: r["value"]
        for r in spark.read.format("delta").option("versionAsOf", 1).load(path).collect()
    }
    assert v1 == {"a": 1, "b": 2}
    v0 = spark.read.format("delta").option("versionAsOf", 0).load(path)
    assert v0.count() == 0 and v0.columns == ["id", "value", "run_id"]


def test_missing_column_is_a_schema_error(spark, tmp_path):
    writer = TableWriter(spark, str(tmp_path), "test", "r1")
    with pytest.raises(SchemaError, match=r"missing columns \['run_id'\]"):
        writer.merge(SPEC, rows(spark, [("a", 1)]).drop("run_id"))


def test_repeated_or_null_keys_are_refused(spark, tmp_path):
    writer = TableWriter(spark, str(tmp_path), "test", "r1")
    with pytest.raises(SchemaError, match="1 rows repeat a key"):
        writer.merge(SPEC, rows(spark, [("a", 1), ("a", 2)]))
    with pytest.raises(SchemaError, match="1 rows with a null key"):
        writer.merge(SPEC, rows(spark, [(None, 1), ("b", 2)]))


def test_rejects_are_keyed_and_clipped(spark, tmp_path):
    writer = TableWriter(spark, str(tmp_path), "firms", "r1")
    big = "株" * 3000  # 9,000 UTF-8 bytes
    rejects = spark.createDataFrame(
        [("f.csv", "line 2", "missing.name", big), ("f.csv", "line 2", "missing.name", big)],
        "source string, locator string, reason string, excerpt string",
    )
    writer.reject(rejects)
    TableWriter(spark, str(tmp_path), "firms", "r2").reject(rejects)  # rerun
    table = spark.read.format("delta").load(REJECTS.path(str(tmp_path)))
    got = table.select(
        "stage", "source", "locator", "reason", "run_id", F.octet_length("excerpt").alias("n")
    ).collect()
    # One row: same record, same reason, twice in a batch and again in a rerun.
    assert [tuple(r) for r in got] == [("firms", "f.csv", "line 2", "missing.name", "r1", 4095)]
