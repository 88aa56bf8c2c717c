"""What a stage gets and what it gives back: the types every stage and the runner share.

They live apart from the stage registry (innolink.stages), which imports every stage, so a
stage never imports the module that imports it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyspark.sql import DataFrame, SparkSession

from innolink.config import Config
from innolink.errors import CountMismatch
from innolink.tables import TableSpec
from innolink.tracking import StageRun
from innolink.writer import TableWriter, WriteResult


@dataclass
class StageContext:
    spark: SparkSession
    cfg: Config
    writer: TableWriter
    run: StageRun

    def read(self, spec: TableSpec) -> DataFrame:
        """A table another stage wrote, at its current version, recorded on the MLflow run.

        Pinned with versionAsOf so every read of it in this run sees the same snapshot even
        if the table is written meanwhile; a table never written reads as empty (its
        declared schema), so a stage whose inputs are missing produces nothing, not an error.
        """
        version = self.writer.version(spec)
        self.run.delta_read(spec.id, version)
        if version is None:
            return self.spark.createDataFrame([], spec.schema)
        return (
            self.spark.read.format("delta")
            .option("versionAsOf", version)
            .load(self.writer.path(spec))
        )


@dataclass
class StageResult:
    records_in: int
    records_out: int
    records_rejected: int
    written: list[WriteResult] = field(default_factory=list)
    metrics: dict[str, int] = field(default_factory=dict)

    def check(self, stage: str) -> None:
        if self.records_in != self.records_out + self.records_rejected:
            raise CountMismatch(
                f"{stage}: records in {self.records_in} != out {self.records_out} "
                f"+ rejected {self.records_rejected}"
            )
