"""Every stage on a synthetic world (BENCH_PIPELINE_SCALE: M by default, or demo, L), one after
the other as `innolink run STAGE` in a new process each, on one warehouse: per stage wall
time, peak memory of the process tree, records in / out / rejected and records per second;
next to raw single-process loops of the same per-record work measured in the same run
(firm-list readers, the USPTO document parser, FastWARC + Resiliparse, segmenter + YAKE-like
scoring), as the ratio stage rate / (2 x raw rate): 1.0 would be both cores busy with nothing
but that loop.

The world is generated first (timed) unless BENCH_PIPELINE_WORLD names one already written by
`innolink generate`. An M or L run takes hours: with BENCH_PIPELINE_DIR the world, warehouse and
per-stage figures live there instead of a temporary directory, and a rerun resumes after the
last stage that finished (each stage is its own process, so its figures do not depend on the
earlier ones having run in the same invocation). `make bench SCALE=M` (or demo, L); `make bench BENCH=pipeline` is M. The
demo scale gives the time of the demo pipeline. Progress on stderr, one JSON object on stdout.
"""

from __future__ import annotations

import gzip
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from harness import INNOLINK, ROOT, measured, world_sets

SCALE = os.environ.get("BENCH_PIPELINE_SCALE", "M")
SEED = int(os.environ.get("BENCH_PIPELINE_SEED", "1"))
STAGES = [
    "firms",
    "patents",
    "pages",
    "link",
    "keywords",
    "linkage",
    "summary",
    "flows",
    "science",
]
RAW_SECONDS = 20.0


def log(message: str) -> None:
    print(f"[bench_pipeline {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def stage_metrics(tmp: Path, stage: str) -> dict[str, float]:
    """Metrics of the newest top-level MLflow run of the stage, in whatever experiment."""
    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{tmp}/mlflow.db")
    runs = mlflow.search_runs(
        search_all_experiments=True,
        filter_string=f"tags.`innolink.stage` = '{stage}'",
        order_by=["start_time DESC"],
        output_format="list",
    )
    run = next(r for r in runs if "mlflow.parentRunId" not in r.data.tags)
    return dict(run.data.metrics)


def raw_firms(world: Path) -> float:
    """innolink's firm-list readers, one process, records/s."""
    from bench_firms import raw_rates

    inputs = [(p, "financedatabase") for p in sorted((world / "firms").glob("[A-Z]*.csv"))]
    _, readers, _ = raw_rates(inputs, repeat_s=RAW_SECONDS / 2)
    return readers


def raw_patents(world: Path) -> float:
    """innolink's USPTO splitter + document parser, one process, documents per CPU second."""
    from innolink.patents.document import Reject
    from innolink.patents.readers.uspto import parse_document, split_documents

    n, t0 = 0, time.process_time()
    for path in sorted((world / "patents" / "uspto").iterdir()):
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        for _, doc in split_documents(data):
            # The world plants broken documents: a reject is work done too.
            try:
                parse_document(doc)
            except Reject:
                pass
            n += 1
            if time.process_time() - t0 > RAW_SECONDS:
                return n / (time.process_time() - t0)
    return n / (time.process_time() - t0)


def raw_pages(world: Path) -> dict[str, float]:
    """FastWARC + Resiliparse alone, and innolink's per-record work, pages per CPU second."""
    import csv
    from urllib.parse import urlsplit

    from bench_pages import raw_rates

    # The firms' domains, so that the per-record work matches pages to firms as the stage does.
    domains = {}
    for path in sorted((world / "firms").glob("[A-Z]*.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                host = urlsplit(row.get("website") or "").hostname or ""
                if host:
                    domains[host.removeprefix("www.")] = row["symbol"]
    first = sorted(p for p in (world / "web").rglob("*.warc*") if p.is_file())[0]
    return raw_rates(first, RAW_SECONDS, domains)


def raw_keywords(warehouse: Path) -> dict[str, float]:
    """Segmenter + YAKE-like scoring on up to 2,000 extracted pages per language, one process,
    documents per CPU second."""
    from bench_keywords import raw_rate
    from deltalake import DeltaTable
    from innolink.keywords import vocabulary as V

    lists = V.read(ROOT / "conf/mappings/stopwords.yaml")
    pages = DeltaTable(str(warehouse / "silver" / "pages")).to_pandas(columns=["language", "text"])
    rates = {}
    for language in ("en", "ja", "zh"):
        texts = pages.loc[pages.language == language, "text"].dropna().head(2000).tolist()
        if texts:
            # The project's lists without Spark's built-in ones (no JVM in this loop).
            stop = V.vocabulary(lists, language).stopwords
            rates[language] = raw_rate(texts, language, stop)
    return rates


def main() -> None:
    keep = os.environ.get("BENCH_PIPELINE_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as name:
        tmp = Path(keep or name)
        state = tmp / "bench_state.json"
        done = json.loads(state.read_text()) if state.exists() else {}
        result: dict = {"name": f"pipeline_{SCALE}", "scale": SCALE, "seed": SEED}
        given = os.environ.get("BENCH_PIPELINE_WORLD")
        world = Path(given) if given else tmp / "world"
        if "generate_wall_s" in done:
            result["generate_wall_s"] = done["generate_wall_s"]
        elif not given:
            log(f"generating the {SCALE} world (seed {SEED})")
            wall, peak, out = measured(
                [INNOLINK, "generate", "--scale", SCALE, "--seed", str(SEED), "--out", str(world)]
            )
            if out.returncode:
                raise SystemExit(out.stderr[-3000:])
            result["generate_wall_s"] = round(wall, 1)
            done["generate_wall_s"] = result["generate_wall_s"]
            state.write_text(json.dumps(done))
        warehouse = tmp / "warehouse"
        sets = [
            f"mlflow.tracking_uri=sqlite:///{tmp}/mlflow.db",
            f"mlflow.artifact_root={tmp}/artifacts",
            *world_sets(world),
        ]
        if SCALE != "demo":
            # What docs/linking.md tells users to give runs of this size: the local 6g driver
            # spends most of a 1M-name link in full GC.
            sets.append("spark.conf.spark.driver.memory=12g")
            result["driver_memory"] = "12g"
        stages = dict(done.get("stages", {}))
        total = sum(s["wall_s"] for s in stages.values())
        for stage in STAGES:
            if stage in stages:
                log(f"stage {stage}: done in an earlier invocation, {stages[stage]}")
                continue
            log(f"stage {stage}")
            args = [INNOLINK, "run", stage, "--warehouse", str(warehouse)]
            for assignment in sets:
                args += ["--set", assignment]
            wall, peak, out = measured(args)
            if out.returncode:
                raise SystemExit(f"stage {stage} failed:\n{out.stderr[-3000:]}")
            m = stage_metrics(tmp, stage)
            total += wall
            stages[stage] = {
                "wall_s": round(wall, 1),
                "peak_rss_mb": round(peak / 2**20),
                "records_in": int(m.get("records_in", 0)),
                "records_out": int(m.get("records_out", 0)),
                "records_rejected": int(m.get("records_rejected", 0)),
                "records_in_per_s": round(m.get("records_in", 0) / wall, 1),
            }
            log(f"stage {stage}: {stages[stage]}")
            done["stages"] = stages
            state.write_text(json.dumps(done))
        # Does the pipeline recover the world's planted order of linkage strengths at this
        # scale? (innolink.linkage.recovery, as bench_recovery does per seed at demo scale.)
        truth = world / "truth" / "group_truth.csv"
        if truth.exists():
            import pandas as pd
            from deltalake import DeltaTable
            from innolink.linkage.recovery import recovery

            scores = DeltaTable(str(warehouse / "gold" / "firm_scores")).to_pandas()
            r = recovery(scores, pd.read_csv(truth)).as_dict()
            result["recovery"] = {
                k: round(v, 3) if isinstance(v, float) else v for k, v in r.items()
            }
            log(f"recovery: {result['recovery']}")
        log("raw single-process baselines")
        raw = {
            "firms_readers": raw_firms(world),
            "patents_uspto_parser": raw_patents(world),
            **{f"pages_{k}": v for k, v in raw_pages(world).items()},
            **{f"keywords_{k}": v for k, v in raw_keywords(warehouse).items()},
        }
        # The stage's rate over the rate of both cores running the bare loop.
        ratio = {
            "firms": stages["firms"]["records_in_per_s"] / (2 * raw["firms_readers"]),
            "patents": stages["patents"]["records_in_per_s"] / (2 * raw["patents_uspto_parser"]),
            "pages": stages["pages"]["records_in_per_s"] / (2 * raw["pages_same_work"]),
        }
        raw_kw = [v for k, v in raw.items() if k.startswith("keywords_")]
        if raw_kw:
            # Pages and patents are the keyword stage's documents; the raw loop's slowest
            # language is the fair bound for a mix of them.
            ratio["keywords"] = stages["keywords"]["records_in_per_s"] / (2 * min(raw_kw))
        result.update(
            {
                "pipeline_wall_s": round(total, 1),
                "stages": stages,
                "raw_per_s_1core": {k: round(v, 1) for k, v in raw.items()},
                "stage_over_2x_raw": {k: float(f"{v:.2g}") for k, v in ratio.items()},
                "how": f"make bench SCALE={SCALE}: innolink "
                "generate, then innolink run STAGE for each stage in a new process (JVM start, "
                "MLflow run, Delta MERGEs included) on one warehouse; peak = RSS of the process "
                "tree; raw = one process, the same per-record work without Spark, same run",
            }
        )
        print(json.dumps(result))


if __name__ == "__main__":
    main()
