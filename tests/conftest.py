"""One local Spark session for the whole suite, built by the project's own session factory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
COMPANIES = SHARED / "companies"

# s3a reads credentials from the AWS default chain; the moto test server accepts any key.
# Set before the JVM starts, since the JVM copies the environment once.
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ["AWS_REGION"] = "us-east-1"


def test_config(tmp: Path, *sets: str, inputs: list[dict] | None = None):
    """The local configuration with the warehouse and MLflow store under `tmp`."""
    from innolink.config import load_config

    extra = {"warehouse": str(tmp / "warehouse")}
    if inputs is not None:
        extra["stages"] = {"firms": {"inputs": inputs}}
    return load_config(
        env="local",
        conf_dir=ROOT / "conf",
        extra=extra,
        overrides=[
            f"mlflow.tracking_uri=sqlite:///{tmp}/mlflow.db",
            f"mlflow.artifact_root={tmp}/mlartifacts",
            *sets,
        ],
    )


test_config.__test__ = False  # a helper, not a test


def cli(tmp, *args):
    """innolink with the test's warehouse and MLflow store (in-process: shares the session)."""
    from innolink.cli import main

    return main(
        [
            *args,
            "--warehouse",
            str(tmp / "warehouse"),
            "--set",
            f"mlflow.tracking_uri=sqlite:///{tmp}/mlflow.db",
            "--set",
            f"mlflow.artifact_root={tmp}/mlartifacts",
            "--conf-dir",
            str(ROOT / "conf"),
        ]
    )


def input_args(inputs):
    out = []
    for path, fmt in inputs:
        out += ["--input", str(path), "--format", fmt]
    return out


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    from innolink.session import build_session

    cfg = test_config(
        tmp_path_factory.mktemp("session"),
        "spark.conf.spark.sql.shuffle.partitions=2",
        "spark.conf.spark.driver.memory=4g",
    )
    session = build_session(cfg)
    yield session
    session.stop()


def table(spark, tmp, spec):
    """A table of the warehouse under tmp (as cli() writes it)."""
    return spark.read.format("delta").load(spec.path(str(tmp / "warehouse")))


def last_run(tmp):
    """The newest stage run of the tracking store under tmp (as cli() writes it); the nested
    runs a stage starts (linkage: one per group) are not stage runs."""
    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{tmp}/mlflow.db")
    runs = mlflow.search_runs(
        experiment_names=["innolink"], order_by=["start_time DESC"], output_format="list"
    )
    return next(r for r in runs if "mlflow.parentRunId" not in r.data.tags)


@pytest.fixture(scope="module")
def interpreted_spark(spark):
    """The session with whole-stage code generation off while a module runs: on inputs of a
    few rows, compiling the generated code of each of many distinct plans takes most of the
    time (the table-format patent readers build dozens)."""
    key = "spark.sql.codegen.wholeStage"
    previous = spark.conf.get(key)
    spark.conf.set(key, "false")
    yield spark
    spark.conf.set(key, previous)
