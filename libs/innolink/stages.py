"""Stage registry and runner: every stage runs the same way, with the same bookkeeping.

A stage is a function StageContext -> StageResult. The runner wraps it in an MLflow run,
gives it the one writer, checks records in == out + rejected, and logs the counts and the
Delta versions it wrote.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from pyspark.sql import SparkSession

from innolink.config import Config
from innolink.context import StageContext, StageResult
from innolink.errors import InnolinkError
from innolink.tracking import stage_run
from innolink.writer import TableWriter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stage:
    name: str
    run: Callable[[StageContext], StageResult]
    description: str


def _registry() -> dict[str, Stage]:
    # Imported here so `innolink --help` does not import every stage's dependencies.
    from innolink.firms.stage import run as run_firms
    from innolink.pages.stage import run as run_pages
    from innolink.patents.stage import run as run_patents

    stages = [
        Stage("firms", run_firms, "listed firms of every exchange -> silver/firms"),
        Stage(
            "patents",
            run_patents,
            "patent corpora of every office -> silver/patents, patent_parties, "
            "patent_classes, patent_citations",
        ),
        Stage(
            "pages",
            run_pages,
            "firms' crawled web pages (WARC, WET, saved HTML, Common Crawl) -> silver/pages",
        ),
    ]
    return {s.name: s for s in stages}


def stage_names() -> list[str]:
    """All stages in the order `innolink run all` runs them (dependencies first)."""
    return list(_registry())


def resolve_stages(requested: list[str]) -> list[str]:
    names = stage_names()
    if requested == ["all"]:
        return names
    unknown = [s for s in requested if s not in names]
    if unknown:
        raise InnolinkError(f"unknown stage(s) {unknown}; known: {', '.join(names)} or all")
    return requested


def run_stage(name: str, cfg: Config, spark: SparkSession) -> StageResult:
    stage = _registry()[name]
    with stage_run(cfg, name) as tracked:
        writer = TableWriter(spark, cfg.warehouse_uri, name, tracked.run_id)
        result = stage.run(StageContext(spark, cfg, writer, tracked))
        tracked.counts(
            records_in=result.records_in,
            records_out=result.records_out,
            records_rejected=result.records_rejected,
            **result.metrics,
        )
        for written in result.written:
            tracked.delta_written(written.table, written.version)
        log.info(
            "%s: records in %d, out %d, rejected %d",
            name,
            result.records_in,
            result.records_out,
            result.records_rejected,
        )
        result.check(name)
    return result
