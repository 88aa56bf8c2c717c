"""Spark NLP in innolink: the one place that imports it, checks it and reloads its pipelines.

Only rule-based and trainable annotators are used (pretrained models cannot be downloaded
here or on many secured clusters), so the jar is trimmed of its model-download clients and
deep-learning back ends (deploy/pom.xml).

Reloading a saved PipelineModel maps each stage's Java class name to a Python module of the
same dotted name (pyspark's JavaParams._from_java). `sparknlp` registers most of its Java
packages in sys.modules, but not all: `com.johnsnowlabs.nlp.annotators.keyword.yake` is
missing in 5.5.3, so a pipeline holding YakeKeywordExtraction fails to load with
ModuleNotFoundError. `register_java_packages` fills those gaps; every load goes through
`load_pipeline`, and mlflow.spark.load_model works once this module is imported.
"""

from __future__ import annotations

import logging
import sys

from pyspark.ml import PipelineModel
from pyspark.sql import SparkSession

log = logging.getLogger(__name__)

# Java packages that sparknlp 5.5.3 does not map to a module: YAKE's, and the tokenizer
# package (sparknlp registers it under the misspelt "com.johnsnsowlabs"). tests/test_nlp.py
# saves and reloads a pipeline with every annotator innolink uses, so a gap fails there.
_UNMAPPED_JAVA_PACKAGES = (
    "com.johnsnowlabs.nlp.annotators.keyword.yake",
    "com.johnsnowlabs.nlp.annotators.tokenizer",
)


def register_java_packages() -> None:
    """Make every Java package of our annotators importable as the `sparknlp.annotator` module."""
    from sparknlp import annotator

    for package in _UNMAPPED_JAVA_PACKAGES:
        sys.modules.setdefault(package, annotator)


register_java_packages()


def python_version() -> str:
    import sparknlp

    return sparknlp.version()


def jar_version(spark: SparkSession) -> str | None:
    """The Spark NLP version of the jar on the session's classpath, or None when it is absent."""
    jvm = spark.sparkContext._jvm
    try:
        cls = jvm.java.lang.Class.forName(
            "com.johnsnowlabs.util.Build",
            True,
            jvm.Thread.currentThread().getContextClassLoader(),
        )
    except Exception:  # py4j wraps ClassNotFoundException: the jar is not loaded
        return None
    del cls
    return str(jvm.com.johnsnowlabs.util.Build.version())


def load_pipeline(path: str) -> PipelineModel:
    """A saved PipelineModel with Spark NLP stages (use this, not PipelineModel.load)."""
    register_java_packages()
    return PipelineModel.load(path)
