"""The one MLflow helper: every stage run is an MLflow run with the same tags.

Tags: git commit/branch/dirty, env, stage; the Delta versions of tables read and written;
the effective configuration as an artifact; record counts as metrics. With those, any number
in a gold table can be traced to the code, configuration and input versions that made it.
"""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import mlflow

# MLflow draws a progress bar for every artifact it copies (each logged model): noise in a
# job's log, and a terminal escape mess in CI.
os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
from innolink.config import Config, snapshot

log = logging.getLogger(__name__)

# Logged with every Spark model: letting MLflow infer requirements costs ~20 s per model.
# The installed versions, i.e. the pins of pyproject.toml, so the two never disagree.
MODEL_PACKAGES = ("pyspark", "delta-spark", "spark-nlp", "mlflow")


def model_pip_requirements() -> list[str]:
    return [f"{name}=={metadata.version(name)}" for name in MODEL_PACKAGES]


def git_info(root: str) -> dict[str, str]:
    def git(*args: str) -> str:
        try:
            out = subprocess.run(
                ["git", "-C", root, *args], capture_output=True, text=True, timeout=10, check=True
            )
            return out.stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    commit = git("rev-parse", "HEAD") or "unknown"
    return {
        "git.commit": commit,
        "mlflow.source.git.commit": commit,
        "git.branch": git("rev-parse", "--abbrev-ref", "HEAD") or "unknown",
        "git.dirty": "true" if git("status", "--porcelain", "--untracked-files=no") else "false",
    }


def tracking_uri(cfg: Config) -> str:
    uri = cfg.mlflow.tracking_uri
    prefix = "sqlite:///"
    if uri.startswith(prefix) and not uri.startswith(prefix + "/"):
        db = Path(cfg.resolve(uri[len(prefix) :]))
        db.parent.mkdir(parents=True, exist_ok=True)
        return prefix + str(db)
    return uri


def artifact_location(cfg: Config) -> str | None:
    """Where a new experiment keeps artifacts; None: the tracking server's default (a remote
    `mlflow server --serve-artifacts` stores them itself)."""
    if cfg.mlflow.artifact_root is None:
        return None
    root = cfg.resolve(cfg.mlflow.artifact_root)
    if "://" in root:
        return root
    Path(root).mkdir(parents=True, exist_ok=True)
    return Path(root).as_uri()


def experiment_id(cfg: Config, name: str | None = None) -> str:
    """The id of experiment `name` (default: the configured one), created if missing."""
    mlflow.set_tracking_uri(tracking_uri(cfg))
    name = name or cfg.mlflow.experiment
    found = mlflow.get_experiment_by_name(name)
    if found is not None:
        return found.experiment_id
    return mlflow.create_experiment(name, artifact_location=artifact_location(cfg))


@dataclass
class StageRun:
    run_id: str
    experiment_id: str = ""

    def delta_read(self, table: str, version: int | None) -> None:
        mlflow.set_tag(f"delta.read.{table}", "absent" if version is None else str(version))

    def delta_written(self, table: str, version: int) -> None:
        mlflow.set_tag(f"delta.written.{table}", str(version))

    def counts(self, **counts: int) -> None:
        mlflow.log_metrics({k: float(v) for k, v in counts.items()})

    def params(self, **params: object) -> None:
        mlflow.log_params({k: str(v)[:6000] for k, v in params.items()})

    def artifact_dict(self, data: dict, name: str) -> None:
        mlflow.log_dict(data, name)


@contextmanager
def stage_run(cfg: Config, stage: str, experiment: str | None = None) -> Iterator[StageRun]:
    """An MLflow run around one stage; failed stages end as FAILED runs, not vanish.

    experiment: an analysis of its own (stages.linkage.experiment) instead of the project's.
    """
    exp = experiment_id(cfg, experiment)
    tags = {"innolink.stage": stage, "innolink.env": cfg.env, **git_info(cfg.project_root)}
    with mlflow.start_run(experiment_id=exp, run_name=stage, tags=tags) as run:
        mlflow.log_dict(snapshot(cfg), "config.yaml")
        mlflow.log_param("warehouse", cfg.warehouse_uri)
        log.info("mlflow run %s (experiment %s)", run.info.run_id, cfg.mlflow.experiment)
        yield StageRun(run_id=run.info.run_id, experiment_id=exp)


def log_spark_model(model, name: str, pip_requirements: list[str] | None = None):
    """Log a fitted Spark ML model with explicit requirements (inference is slow)."""
    import mlflow.spark

    # The artifact name is positional: this MLflow calls it artifact_path (later ones, name).
    return mlflow.spark.log_model(
        model, name, pip_requirements=pip_requirements or model_pip_requirements()
    )
