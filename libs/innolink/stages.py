"""Stage registry and runner: every stage runs the same way, with the same bookkeeping.

A stage is a function StageContext -> StageResult. The runner wraps it in an MLflow run,
gives it the one writer, checks records in == out + rejected, and logs the counts and the
Delta versions it wrote.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

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
    module: str
    description: str

    @property
    def run(self) -> Callable[[StageContext], StageResult]:
        # Imported on use so `innolink --help` does not import every stage's dependencies.
        return import_module(self.module).run


# In the order `innolink run all` runs them: every stage after the tables it reads.
STAGES = (
    Stage("firms", "innolink.firms.stage", "listed firms of every exchange -> silver/firms"),
    Stage(
        "patents",
        "innolink.patents.stage",
        "patent corpora of every office -> silver/patents, patent_parties, "
        "patent_classes, patent_citations",
    ),
    Stage(
        "pages",
        "innolink.pages.stage",
        "firms' crawled web pages (WARC, WET, saved HTML, Common Crawl) -> silver/pages",
    ),
    Stage(
        "link",
        "innolink.link.stage",
        "patent applicants -> listed firms: silver/applicant_firm_links, gold/firm_patents",
    ),
    Stage(
        "keywords",
        "innolink.keywords.stage",
        "Spark NLP: product keywords of pages, patent text -> gold/firm_keywords, gold/patent_text",
    ),
    Stage(
        "linkage",
        "innolink.linkage.stage",
        "per country x firm type technology -> product models -> gold/firm_scores",
    ),
    Stage(
        "summary",
        "innolink.linkage.summary",
        "scores by country x firm type x industry -> gold/score_summary",
    ),
    Stage("flows", "innolink.flows.stage", "inventor moves between regions -> gold/inventor_flows"),
    Stage(
        "science",
        "innolink.science.stage",
        "non-patent literature classified as science -> gold/science_linkage",
    ),
)


def _registry() -> dict[str, Stage]:
    return {s.name: s for s in STAGES}


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
    experiment = getattr(getattr(cfg.stages, name, None), "experiment", None)
    with stage_run(cfg, name, experiment) as tracked:
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
