"""What a stage gets and what it gives back: the types every stage and the runner share.

They live apart from the stage registry (innolink.stages), which imports every stage, so a
stage never imports the module that imports it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyspark.sql import SparkSession

from innolink.config import Config
from innolink.errors import CountMismatch
from innolink.tracking import StageRun
from innolink.writer import TableWriter, WriteResult


@dataclass
class StageContext:
    spark: SparkSession
    cfg: Config
    writer: TableWriter
    run: StageRun


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
