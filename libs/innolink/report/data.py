"""What the report reads: Delta tables pinned to one version each, and the linkage run.

Tables of stages still being written (flows, science) may be missing from the registry or
from the warehouse; a missing table is a `TableRead` with a reason, never an error, so the
report says which section was not produced and why.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession

from innolink.tables import REGISTRY

log = logging.getLogger(__name__)


@dataclass
class TableRead:
    id: str
    path: str
    registered: bool
    version: int | None = None
    written_at: str = ""
    rows: int | None = None
    df: DataFrame | None = None

    @property
    def present(self) -> bool:
        return self.df is not None

    def reason(self, stage: str) -> str:
        """Why the table cannot be used, for the report's reader."""
        if self.present:
            return ""
        if not self.registered:
            return (
                f"table {self.id} is not declared in innolink.tables and nothing was found at "
                f"{self.path}: the stage `{stage}` is not part of this installation yet"
            )
        return f"table {self.id} has not been written yet: run `innolink run {stage}`"

    def missing_columns(self, *columns: str) -> list[str]:
        return [c for c in columns if self.df is None or c not in self.df.columns]


def table_path(warehouse: str, table_id: str) -> str:
    spec = REGISTRY.get(table_id)
    if spec is not None:
        return spec.path(warehouse)
    # The registry's layout (<warehouse>/<layer>/<name>), for tables not declared yet.
    return f"{warehouse.rstrip('/')}/{table_id}"


def read_pinned(spark: SparkSession, warehouse: str, table_id: str) -> TableRead:
    """The table at its current version; every later use of `df` sees that same snapshot."""
    path = table_path(warehouse, table_id)
    read = TableRead(id=table_id, path=path, registered=table_id in REGISTRY)
    if not DeltaTable.isDeltaTable(spark, path):
        log.info("%s: not written (%s)", table_id, path)
        return read
    last = DeltaTable.forPath(spark, path).history(1).first()
    read.version = int(last["version"])
    read.written_at = last["timestamp"].strftime("%Y-%m-%d %H:%M:%S") if last["timestamp"] else ""
    read.df = spark.read.format("delta").option("versionAsOf", read.version).load(path)
    read.rows = read.df.count()
    log.info("%s: version %d, %d rows", table_id, read.version, read.rows)
    return read
