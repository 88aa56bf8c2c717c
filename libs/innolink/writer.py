"""The one writer: conform a DataFrame to its declared table, then MERGE it on the keys.

A rerun of a stage on the same input therefore changes nothing (rows whose tracked columns
are equal are not even rewritten), and rejected records land in bronze/rejects keyed by
(stage, source, locator, reason), so rejects do not pile up either.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from delta.tables import DeltaTable
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from innolink.errors import SchemaError
from innolink.tables import REJECTS, TableSpec

log = logging.getLogger(__name__)

EXCERPT_MAX_BYTES = 4096


@dataclass(frozen=True)
class WriteResult:
    table: str
    version: int
    rows: int
    inserted: int
    updated: int
    deleted: int = 0


def conform(df: DataFrame, spec: TableSpec) -> DataFrame:
    """Columns in declared order and types; a missing or unexpected column is a SchemaError."""
    have = set(df.columns)
    missing = [c for c in spec.columns if c not in have]
    extra = [c for c in df.columns if c not in spec.columns]
    if missing or extra:
        raise SchemaError(f"{spec.id}: missing columns {missing}, unexpected columns {extra}")
    return df.select(*[F.col(f.name).cast(f.dataType).alias(f.name) for f in spec.schema.fields])


def check_keys(df: DataFrame, spec: TableSpec) -> int:
    """Row count; raises if a key is null or repeated (MERGE would be ambiguous)."""
    key_struct = F.struct(*[F.col(k) for k in spec.keys])
    null_key = F.lit(False)
    for k in spec.keys:
        null_key = null_key | F.col(k).isNull()
    row = df.agg(
        F.count(F.lit(1)).alias("n"),
        F.count_distinct(key_struct).alias("distinct_keys"),
        F.sum(null_key.cast("int")).alias("null_keys"),
    ).first()
    n, distinct, nulls = row["n"], row["distinct_keys"], row["null_keys"] or 0
    if nulls:
        raise SchemaError(f"{spec.id}: {nulls} rows with a null key {spec.keys}")
    if distinct != n:
        raise SchemaError(f"{spec.id}: {n - distinct} rows repeat a key {spec.keys}")
    return n


def clip_utf8(col: Column, max_bytes: int = EXCERPT_MAX_BYTES) -> Column:
    """The longest of a few character prefixes that fits in max_bytes of UTF-8.

    Cutting the bytes instead would leave a broken character, which readers of the table
    (Spark 4, delta-rs) refuse to decode; a character is at most 4 bytes, so the last candidate always fits.
    """
    candidates = sorted({max_bytes, max_bytes // 2, max_bytes // 3, max_bytes // 4}, reverse=True)
    return F.when(col.isNull() | (F.octet_length(col) <= max_bytes), col).otherwise(
        F.coalesce(
            *[
                F.when(F.octet_length(F.substring(col, 1, n)) <= max_bytes, F.substring(col, 1, n))
                for n in candidates
            ]
        )
    )


class TableWriter:
    def __init__(self, spark: SparkSession, warehouse: str, stage: str, run_id: str):
        self.spark = spark
        self.warehouse = warehouse
        self.stage = stage
        self.run_id = run_id

    def path(self, spec: TableSpec) -> str:
        return spec.path(self.warehouse)

    def ensure(self, spec: TableSpec) -> DeltaTable:
        """Create the table with its declared schema (NOT NULL included) if it is missing."""
        (
            DeltaTable.createIfNotExists(self.spark)
            .location(self.path(spec))
            .addColumns(spec.schema)
            .partitionedBy(*spec.partition_by)
            .execute()
        )
        return DeltaTable.forPath(self.spark, self.path(spec))

    def version(self, spec: TableSpec) -> int | None:
        if not DeltaTable.isDeltaTable(self.spark, self.path(spec)):
            return None
        return DeltaTable.forPath(self.spark, self.path(spec)).history(1).first()["version"]

    def merge(
        self, spec: TableSpec, df: DataFrame, replace_by: tuple[str, ...] = ()
    ) -> WriteResult:
        """MERGE `df` into the table on its keys.

        replace_by: key columns naming a group of rows (a publication's parties) that the
        source replaces as a whole: target rows of a group present in `df` whose key `df`
        lacks are deleted, so a corrected record with fewer rows leaves nothing stale.
        """
        # Materialised once: the key check and the MERGE would otherwise each recompute the
        # stage's whole plan.
        df = conform(df, spec).persist()
        try:
            result = self._merge(spec, df, check_keys(df, spec))
            # A first load (everything inserted) has nothing stale to replace.
            if replace_by and result.inserted != result.rows:
                result = self._delete_stale(spec, df, replace_by, result)
            return result
        finally:
            df.unpersist()

    def _delete_stale(
        self, spec: TableSpec, df: DataFrame, replace_by: tuple[str, ...], merged: WriteResult
    ) -> WriteResult:
        unknown = [c for c in replace_by if c not in spec.keys]
        if unknown:
            raise SchemaError(f"{spec.id}: replace_by {unknown} are not key columns")
        target = DeltaTable.forPath(self.spark, self.path(spec))
        stale = (
            target.toDF()
            .select(*spec.keys)
            .join(df.select(*replace_by).distinct(), list(replace_by), "left_semi")
            .join(df.select(*spec.keys), list(spec.keys), "left_anti")
        )
        # Most loads replace nothing; an empty MERGE would still commit a version.
        if stale.isEmpty():
            return merged
        on = " AND ".join(f"t.`{k}` = s.`{k}`" for k in spec.keys)
        target.alias("t").merge(stale.alias("s"), on).whenMatchedDelete().execute()
        last = target.history(1).first()
        deleted = int((last["operationMetrics"] or {}).get("numTargetRowsDeleted", 0))
        log.info("%s: deleted %d stale rows -> version %d", spec.id, deleted, last["version"])
        return WriteResult(
            table=merged.table,
            version=last["version"],
            rows=merged.rows,
            inserted=merged.inserted,
            updated=merged.updated,
            deleted=deleted,
        )

    def _merge(self, spec: TableSpec, df: DataFrame, rows: int) -> WriteResult:
        target = self.ensure(spec)
        if rows == 0:
            version = target.history(1).first()["version"]
            log.info("%s: nothing to merge, stays at version %d", spec.id, version)
            return WriteResult(spec.id, version, 0, 0, 0)
        if target.detail().first()["numFiles"] == 0:
            # Nothing to match against: a blind append writes the same rows without the
            # MERGE's join (the first load of every table, seconds less per table).
            df.write.format("delta").mode("append").save(self.path(spec))
            version = target.history(1).first()["version"]
            log.info("%s: appended %d rows -> version %d", spec.id, rows, version)
            return WriteResult(spec.id, version, rows, rows, 0)
        on = " AND ".join(f"t.`{k}` = s.`{k}`" for k in spec.keys)
        tracked = [c for c in spec.columns if c not in spec.keys and c not in spec.volatile]
        # Equal rows are left alone, so a rerun rewrites no files.
        changed = " OR ".join(f"NOT (t.`{c}` <=> s.`{c}`)" for c in tracked) or "false"
        (
            target.alias("t")
            .merge(df.alias("s"), on)
            .whenMatchedUpdateAll(condition=changed)
            .whenNotMatchedInsertAll()
            .execute()
        )
        last = target.history(1).first()
        metrics = last["operationMetrics"] or {}
        result = WriteResult(
            table=spec.id,
            version=last["version"],
            rows=rows,
            inserted=int(metrics.get("numTargetRowsInserted", 0)),
            updated=int(metrics.get("numTargetRowsUpdated", 0)),
        )
        log.info(
            "%s: merged %d rows -> version %d (%d inserted, %d updated)",
            spec.id,
            rows,
            result.version,
            result.inserted,
            result.updated,
        )
        return result

    def reject(self, rejects: DataFrame) -> WriteResult:
        """rejects: source, locator, reason, excerpt -> bronze/rejects for this stage and run."""
        now = datetime.now(UTC).replace(tzinfo=None)
        df = (
            rejects.select(
                F.lit(self.stage).alias("stage"),
                F.coalesce(F.col("source"), F.lit("")).alias("source"),
                F.coalesce(F.col("locator"), F.lit("")).alias("locator"),
                F.col("reason"),
                # Through a Java string and back: bytes that are not UTF-8 (a line cut in
                # the middle of a character) become U+FFFD instead of an unreadable column.
                clip_utf8(F.decode(F.encode(F.col("excerpt"), "UTF-8"), "UTF-8")).alias("excerpt"),
                F.lit(self.run_id).alias("run_id"),
                F.lit(now).cast("timestamp").alias("ts"),
            )
            # The same record listed twice (a file named twice in the inputs) is one reject.
            .dropDuplicates(list(REJECTS.keys))
        )
        return self.merge(REJECTS, df)
