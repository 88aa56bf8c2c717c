"""Build the report: read every table once at a pinned version, find the linkage run, draw
the sections, write <out>/index.html (figures inline, and as PNGs beside it)."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, StrictUndefined
from mlflow.exceptions import MlflowException
from pyspark.sql import SparkSession

from innolink.config import Config
from innolink.report import sections
from innolink.report.blocks import Section
from innolink.report.data import TableRead, read_pinned
from innolink.report.template import TEMPLATE, code
from innolink.runs import RunView, client_for, default_experiment, nested_runs, newest_stage_runs
from innolink.tracking import git_info

log = logging.getLogger(__name__)

TITLE = "From patents to products: technology → product linkage by country and firm type"
# Every table any section reads, in the order the data-versions table lists them.
TABLES = (
    "gold/firm_scores",
    "gold/score_summary",
    "silver/firms",
    "gold/firm_patents",
    "gold/firm_keywords",
    "gold/inventor_flows",
    "gold/region_flows",
    "gold/science_linkage",
    "gold/science_summary",
)

# The PNG names sections.py writes.
FIGURES = ("scores_*.png", "industries_*.png", "inventor_flows.png", "science.png")


@dataclass
class Report:
    path: Path
    sections: list[Section]
    reads: dict[str, TableRead]

    @property
    def not_produced(self) -> dict[str, str]:
        return {s.id: s.missing for s in self.sections if s.missing}


def _environment() -> Environment:
    env = Environment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
    env.filters["code"] = code
    return env


def find_linkage_run(cfg: Config) -> sections.LinkageRun:
    experiment = default_experiment(cfg, "linkage")
    found = sections.LinkageRun(experiment)
    try:
        client = client_for(cfg)
        finished = newest_stage_runs(client, experiment, "linkage", 1, status="FINISHED")
        newest = newest_stage_runs(client, experiment, "linkage", 1)
        if finished:
            found.view = RunView(finished[0], nested_runs(client, finished[0]))
        if newest and (not finished or newest[0].info.run_id != finished[0].info.run_id):
            found.newer_unfinished = newest[0]
    except MlflowException as exc:
        # An unreachable tracking server costs the model section, not the report.
        log.warning("MLflow: %s", exc, exc_info=True)
        found.error = f"MLflow tracking store {cfg.mlflow.tracking_uri} could not be read: {exc}"
    return found


def build_report(spark: SparkSession, cfg: Config, out_dir: str | Path | None = None) -> Report:
    out = Path(cfg.resolve(str(out_dir or cfg.report.out_dir)))
    out.mkdir(parents=True, exist_ok=True)
    for pattern in FIGURES:
        # A previous report's figures that this one may not draw (a model no longer run);
        # only the report's own names: --out may be a folder holding other files.
        for old in out.glob(pattern):
            old.unlink()
    # Each read is mostly driver work (Delta log, a count job): threads overlap them.
    with ThreadPoolExecutor(max_workers=4) as pool:
        pinned = pool.map(lambda t: read_pinned(spark, cfg.warehouse_uri, t), TABLES)
        reads = dict(zip(TABLES, pinned, strict=True))
    inputs = sections.Inputs(
        cfg=cfg,
        out_dir=out,
        reads=reads,
        linkage=find_linkage_run(cfg),
        git=git_info(cfg.project_root),
    )
    why_empty = sections.load_summary(inputs)
    built = [
        sections.headline(inputs, why_empty),
        sections.industries(inputs, why_empty),
        sections.caveats(inputs, why_empty),
        sections.flows(inputs),
        sections.science(inputs),
        sections.model(inputs),
        sections.versions(inputs),
    ]
    html = (
        _environment()
        .from_string(TEMPLATE)
        .render(
            title=TITLE,
            generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            warehouse=cfg.warehouse_uri,
            commit=inputs.git.get("git.commit", ""),
            sections=built,
        )
    )
    path = out / "index.html"
    path.write_text(html, encoding="utf-8")
    log.info("report: %s (%d sections)", path, len(built))
    return Report(path, built, reads)
