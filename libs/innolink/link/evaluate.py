"""Labelled applicant -> firm sets, their train / held-out split, and pairwise precision,
recall and F1 of the links against them.

Sets:
- `synthetic`: a generated world's applicant_truth.parquet (name as written, office ->
  firm_id, null for the planted hard negatives and institutes). Held out: every name of the
  firms whose firm_key has CRC32 % 4 == 0, and the unlisted names whose own CRC32 % 4 == 0,
  so no firm has names on both sides of the split.
- `real`: conf/mappings/link_labels.csv, applicants of real USPTO / EPO / JPO / CNIPA
  publications and PatentsView's hand-disambiguated assignees, labelled by hand against
  silver/firms built from the bundled firm lists; the split is a column of the file (assigned
  per group of variants of one organisation, before any tuning). Names the firm only goes by
  through its group (a subsidiary of another name, a former name: scope "group") form the set
  `real_group`: their recall measures what GLEIF and the aliases know, not the matching, and
  the model is not fitted on them.

The model is fitted on `train` rows only (train.py); `test` rows are only ever scored.

A labelled name counts as one pair: true positive when it is linked to one of its true firms
(a firm listed twice in the registry has two acceptable ids), false positive when linked to
another firm, false negative when a name with a firm is left unlinked or linked wrongly.
"""

from __future__ import annotations

import csv
import logging
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

log = logging.getLogger(__name__)

HELD_OUT_BUCKETS = 4
LABEL_COLUMNS = ("set", "split", "applicant", "office", "country", "truth")


def synthetic_labels(spark: SparkSession, path: str) -> DataFrame:
    truth = spark.read.parquet(path)
    group = F.coalesce(F.col("firm_key"), F.col("applicant"))
    held_out = (F.crc32(F.encode(group, "UTF-8")) % HELD_OUT_BUCKETS) == 0
    return truth.select(
        F.lit("synthetic").alias("set"),
        F.when(held_out, "test").otherwise("train").alias("split"),
        "applicant",
        "office",
        F.lit(None).cast("string").alias("country"),
        F.when(F.col("firm_id").isNotNull(), F.array("firm_id"))
        .otherwise(F.array().cast("array<string>"))
        .alias("truth"),
    )


def read_label_rows(path: str | Path) -> list[dict]:
    """conf's labelled pairs: applicant, office, country, firm_ids (';'-separated, empty: no
    listed firm), split (train / test), scope (name / group), group, source."""
    with open(path, encoding="utf-8", newline="") as f:
        # Comment lines (#) before the header document the file.
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    out = []
    for i, row in enumerate(rows, start=2):
        if row.get("split") not in ("train", "test") or not row.get("applicant"):
            raise ValueError(f"{path}:{i}: needs an applicant and a split of train or test")
        # A subsidiary, business or former name of another name needs knowledge of the group
        # (GLEIF, an alias): measured apart from names that are the firm's own.
        out.append(
            {
                "set": "real_group" if row.get("scope") == "group" else "real",
                "split": row["split"],
                "applicant": row["applicant"],
                "office": row.get("office") or "US",
                "country": row.get("country") or None,
                "truth": [f for f in (row.get("firm_ids") or "").split(";") if f],
            }
        )
    return out


def real_labels(spark: SparkSession, path: str | Path) -> DataFrame:
    schema = (
        "set string, split string, applicant string, office string, country string, "
        "truth array<string>"
    )
    return spark.createDataFrame(read_label_rows(path), schema)


def labelled_sets(spark: SparkSession, truth_paths: list[str], labels_path: str) -> DataFrame:
    """Every labelled set found (missing files are skipped with a warning)."""
    frames = []
    for path in truth_paths:
        if Path(path).is_file():
            frames.append(synthetic_labels(spark, path))
        else:
            log.warning("no synthetic truth at %s: not evaluated", path)
    if Path(labels_path).is_file():
        frames.append(real_labels(spark, labels_path))
    else:
        log.warning("no labelled pairs at %s: not evaluated", labels_path)
    if not frames:
        return spark.createDataFrame(
            [],
            "set string, split string, applicant string, office string, country string, "
            "truth array<string>",
        )
    out = frames[0]
    for frame in frames[1:]:
        out = out.unionByName(frame)
    # A name labelled twice (two files) is one pair; the first label wins.
    return out.dropDuplicates(["set", "applicant", "office"])


def with_countries(labels: DataFrame, names: DataFrame) -> DataFrame:
    """Countries the run's publications give with a name, where the label has none."""
    known = names.select("applicant", "office", F.col("country").alias("_c"))
    return (
        labels.join(known, ["applicant", "office"], "left")
        .withColumn("country", F.coalesce("country", "_c"))
        .drop("_c")
    )


def known_truth(labels: DataFrame, firm_ids: DataFrame) -> tuple[DataFrame, DataFrame]:
    """(labels whose firm is in the registry or who have none, labels whose every true firm
    is missing from silver/firms). A missing firm cannot be linked to, whatever the linker
    does (a firm lost or merged away by the firms stage): such labels are counted apart,
    neither trained on nor scored."""
    keyed = labels.withColumn("_label", F.monotonically_increasing_id())
    exploded = keyed.select("_label", F.explode("truth").alias("firm_id"))
    present = exploded.join(firm_ids.select("firm_id").distinct(), "firm_id", "left_semi")
    missing = keyed.where(F.size("truth") > 0).join(present, "_label", "left_anti")
    kept = keyed.join(missing.select("_label"), "_label", "left_anti")
    return kept.drop("_label"), missing.drop("_label")


def confusion(predicted: DataFrame) -> DataFrame:
    """predicted: set, split, truth, firm_id -> per (set, split): names, tp, fp, fn, tn."""
    linked = F.col("firm_id").isNotNull()
    right = linked & F.array_contains("truth", F.col("firm_id"))
    has_firm = F.size("truth") > 0
    return predicted.groupBy("set", "split").agg(
        F.count(F.lit(1)).alias("names"),
        F.sum(right.cast("int")).alias("tp"),
        F.sum((linked & ~right).cast("int")).alias("fp"),
        F.sum((has_firm & ~F.coalesce(right, F.lit(False))).cast("int")).alias("fn"),
        F.sum((~has_firm & ~linked).cast("int")).alias("tn"),
    )


def metrics(rows: list[dict]) -> dict[str, float]:
    """eval_<set>_<split>_{names,tp,fp,fn,precision,recall,f1} from confusion() rows."""
    out: dict[str, float] = {}
    for row in rows:
        prefix = f"eval_{row['set']}_{row['split']}"
        tp, fp, fn = row["tp"] or 0, row["fp"] or 0, row["fn"] or 0
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out.update(
            {
                f"{prefix}_names": float(row["names"]),
                f"{prefix}_tp": float(tp),
                f"{prefix}_fp": float(fp),
                f"{prefix}_fn": float(fn),
                f"{prefix}_precision": round(precision, 4),
                f"{prefix}_recall": round(recall, 4),
                f"{prefix}_f1": round(f1, 4),
            }
        )
    return out


def evaluate(linker, labels: DataFrame) -> tuple[dict[str, float], DataFrame]:
    """Metrics of the linker on the labelled names, and the predictions (for the run's
    artifact: every labelled name with its link and evidence)."""
    kept, missing = known_truth(labels, linker.refs)
    predicted = linker.link(kept).cache()
    rows = [r.asDict() for r in confusion(predicted).collect()]
    out = metrics(rows)
    for row in missing.groupBy("set", "split").count().collect():
        out[f"eval_{row['set']}_{row['split']}_truth_missing"] = float(row["count"])
    return out, predicted
