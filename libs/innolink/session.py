"""The one place a SparkSession is built.

The master is never chosen here: the local environment's configuration names it
(conf/env/local.yaml), and on a cluster spark-submit does. Jars come from the folder
`make setup` filled, never from spark.jars.packages: Spark's Ivy resolver ignores Maven's
settings and mirrors, so run-time resolution is neither reproducible nor always reachable.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from pyspark.sql import SparkSession

from innolink.config import Config, S3aConfig
from innolink.errors import SetupError

log = logging.getLogger(__name__)

# The AWS SDK v1 default chain (hadoop-aws 3.3 is built on SDK v1): environment, system properties, profile files,
# container and instance roles. Naming it keeps S3A from ever reading keys out of config.
_AWS_DEFAULT_CHAIN = "com.amazonaws.auth.DefaultAWSCredentialsProviderChain"


def find_jars(cfg: Config) -> list[str]:
    """The jars to load, or a SetupError naming what is missing and how to get it."""
    if cfg.runtime.jars_dir is None:
        return []
    jars_dir = Path(cfg.resolve(cfg.runtime.jars_dir))
    jars = sorted(str(p) for p in jars_dir.glob("*.jar")) if jars_dir.is_dir() else []
    names = [Path(j).name for j in jars]
    missing = [
        prefix
        for prefix in cfg.runtime.required_jars
        if not any(n.startswith(prefix) for n in names)
    ]
    if missing:
        raise SetupError(
            f"missing jars in {jars_dir}: {', '.join(p.rstrip('-') for p in missing)}. "
            "Run `make setup` to fetch them from Maven Central."
        )
    return jars


def s3a_settings(s3a: S3aConfig) -> dict[str, str]:
    """Hadoop settings for s3a:// (without the spark.hadoop. prefix)."""
    settings = {"fs.s3a.aws.credentials.provider": _AWS_DEFAULT_CHAIN}
    if s3a.endpoint:
        settings["fs.s3a.endpoint"] = s3a.endpoint
    if s3a.region:
        settings["fs.s3a.endpoint.region"] = s3a.region
    settings["fs.s3a.path.style.access"] = str(s3a.path_style_access).lower()
    settings["fs.s3a.connection.ssl.enabled"] = str(s3a.ssl_enabled).lower()
    return settings


def apply_s3a(spark: SparkSession, s3a: S3aConfig, bucket: str | None = None) -> None:
    """Set s3a options on a running session, for all buckets or (per-bucket keys) one bucket.

    Per-bucket settings let one session reach two stores (e.g. a test endpoint beside AWS).
    """
    hconf = spark.sparkContext._jsc.hadoopConfiguration()
    for key, value in s3a_settings(s3a).items():
        if bucket:
            key = key.replace("fs.s3a.", f"fs.s3a.bucket.{bucket}.", 1)
        hconf.set(key, value)


def _java_options(cfg: Config) -> str | None:
    """Driver JVM options: the configured ones plus the log4j2 file, if any."""
    options = cfg.spark.conf.get("spark.driver.extraJavaOptions", "")
    if cfg.runtime.log4j_config:
        log4j = Path(cfg.resolve(cfg.runtime.log4j_config))
        if not log4j.is_file():
            raise SetupError(f"runtime.log4j_config: no file at {log4j}")
        options = f"{options} -Dlog4j2.configurationFile={log4j.as_uri()}".strip()
    return options or None


def build_session(cfg: Config) -> SparkSession:
    """A session configured from `cfg`; reuses the active one (tests, notebooks) if any."""
    jars = find_jars(cfg)
    builder = SparkSession.builder.appName(cfg.spark.app_name)
    for key, value in cfg.spark.conf.items():
        builder = builder.config(key, value)
    java_options = _java_options(cfg)
    if java_options:
        builder = builder.config("spark.driver.extraJavaOptions", java_options)
    if jars:
        builder = builder.config("spark.jars", ",".join(jars))
    if cfg.runtime.worker_python == "driver":
        # pyspark reads the worker interpreter from the environment when the context starts.
        os.environ["PYSPARK_PYTHON"] = sys.executable
        builder = builder.config("spark.pyspark.python", sys.executable)
    for key, value in s3a_settings(cfg.s3a).items():
        builder = builder.config(f"spark.hadoop.{key}", value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel(cfg.spark.log_level)
    from innolink import nlp

    log.info(
        "spark %s, spark-nlp %s, delta %s, master %s, %d jars",
        spark.version,
        nlp.jar_version(spark) or "absent",
        _delta_version(spark) or "absent",
        spark.sparkContext.master,
        len(jars),
    )
    return spark


def _delta_version(spark: SparkSession) -> str | None:
    try:
        return str(spark.sparkContext._jvm.io.delta.package.VERSION())
    except Exception:  # py4j: class absent (no Delta jar) or renamed
        return None
