"""Stage `pages`: firms' crawled web pages -> silver/pages (+ bronze/rejects).

Inputs: WARC and WET files (own crawls: wget, Heritrix, Scrapy; Common Crawl downloads),
folders of saved HTML with a URL manifest, and Common Crawl itself (its URL index queried for
the firms' domains, the chosen records fetched by range). Every input record becomes a page
or a reject with its reason (innolink.pages.records says what a record is); the stage checks
records in = pages + rejects, per file and in total (files.json in the MLflow run).

Page -> firm needs silver/firms (the `firms` stage) or `pages.firm_domains`.
"""

from __future__ import annotations

import logging

from delta.tables import DeltaTable
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from innolink.config import CommonCrawlConfig, PagesConfig, PagesInput
from innolink.context import StageContext, StageResult
from innolink.errors import ConfigError, InnolinkError
from innolink.io.files import list_files
from innolink.pages import firms, kinds, language
from innolink.pages import transforms as T
from innolink.pages.readers import commoncrawl, htmldir, warc
from innolink.pages.readers.streams import S3Settings
from innolink.pages.records import Settings
from innolink.session import apply_s3a
from innolink.tables import FIRMS, PAGES

log = logging.getLogger(__name__)

# Where Python workers can open WARC files themselves (streaming, by range).
_READABLE_SCHEMES = ("", "file", "s3", "s3a", "s3n")


def settings_of(cfg: PagesConfig) -> Settings:
    languages = tuple(code.lower() for code in cfg.languages)
    unknown = language.check_languages(languages)
    if unknown:
        raise ConfigError(f"stages.pages.languages: lingua does not know {unknown}")
    return Settings(
        min_text_chars=cfg.min_text_chars,
        languages=languages,
        language_sample_chars=cfg.language_sample_chars,
        max_links=cfg.max_links,
        kind_rules=kinds.compile_rules([r.model_dump() for r in cfg.page_kinds]),
        default_crawl=cfg.default_crawl,
        extractor=cfg.extractor,
    )


def s3_settings(s3a, max_attempts: int = 10) -> S3Settings:
    endpoint = s3a.endpoint
    if endpoint and "://" not in endpoint:
        endpoint = f"{'https' if s3a.ssl_enabled else 'http'}://{endpoint}"
    return S3Settings(
        endpoint_url=endpoint,
        region=s3a.region,
        max_attempts=max_attempts,
        path_style=s3a.path_style_access,
    )


def _firm_domains(ctx: StageContext) -> list[tuple[str, str]]:
    path = ctx.writer.path(FIRMS)
    if not DeltaTable.isDeltaTable(ctx.spark, path):
        ctx.run.delta_read(FIRMS.id, None)
        return []
    ctx.run.delta_read(FIRMS.id, ctx.writer.version(FIRMS))
    rows = (
        ctx.spark.read.format("delta")
        .load(path)
        .where(F.col("domain").isNotNull())
        .select("firm_id", "domain")
        .collect()
    )
    return [(r.firm_id, r.domain) for r in rows]


def run(ctx: StageContext) -> StageResult:
    cfg = ctx.cfg.stages.pages
    spark = ctx.spark
    inputs = [i.model_copy(update={"path": ctx.cfg.resolve(i.path)}) for i in cfg.inputs]
    if cfg.common_crawl is not None and not any(i.format == "cc-index" for i in inputs):
        inputs.append(PagesInput(path=cfg.common_crawl.index, format="cc-index"))
    ctx.run.artifact_dict({"inputs": [i.model_dump() for i in inputs]}, "inputs.json")
    if not inputs:
        log.info("pages: no inputs configured")
        return StageResult(records_in=0, records_out=0, records_rejected=0)

    settings = settings_of(cfg)
    keys = T.firm_keys(_firm_domains(ctx), cfg.firm_domains)
    if not keys:
        raise InnolinkError(
            "pages: no firm domains: run the firms stage first (silver/firms) or set "
            "stages.pages.firm_domains"
        )
    keys_broadcast = spark.sparkContext.broadcast(keys)
    max_bytes = cfg.max_page_mb << 20
    local_s3 = s3_settings(ctx.cfg.s3a)

    parts: list[DataFrame] = []
    for index, spec in enumerate(inputs):
        if spec.format == "cc-index":
            parts.append(
                _common_crawl(ctx, index, spec, cfg, keys, keys_broadcast, settings, max_bytes)
            )
            continue
        scheme = spec.path.split("://", 1)[0] if "://" in spec.path else ""
        if scheme not in _READABLE_SCHEMES:
            # Python workers open the files themselves (streaming, by range): local or
            # mounted paths and S3 only.
            raise ConfigError(
                f"stages.pages.inputs[{index}]: {spec.format} files are read from local paths "
                f"or S3 (s3://, s3a://), not {scheme}://"
            )
        files = list_files(spark, spec.path)
        if not files:
            parts.append(T.missing_input(spark, index, spec.format, spec.path))
            continue
        empty = T.empty_files(files)
        if empty:
            parts.append(T.driver_rejects(spark, index, spec.format, empty))
        files = [f for f in files if f.size > 0]
        if spec.format == "html-dir":
            pages, rejects = htmldir.plan(
                index, spec.path, files, spec.manifest, spec.crawl or cfg.default_crawl, local_s3
            )
            if rejects:
                parts.append(T.driver_rejects(spark, index, spec.format, rejects))
            if pages:
                parts.append(
                    T.read_html_dir(
                        spark,
                        pages,
                        spec.format,
                        keys_broadcast,
                        settings,
                        max_bytes,
                        local_s3,
                        spark.sparkContext.defaultParallelism * 2,
                    )
                )
        else:
            splits = [
                split
                for f in files
                for split in warc.plan_splits(
                    index, spec.format, f.path, f.size, cfg.split_mb << 20, spec.crawl, local_s3
                )
            ]
            if splits:
                parts.append(
                    T.read_warc(spark, splits, keys_broadcast, settings, max_bytes, local_s3)
                )

    records = _union(parts).persist()
    judged = T.judge(T.pages_of(records), cfg.near_duplicate_threshold).persist()
    kept = judged.where(F.col("reason").isNull())
    written = [ctx.writer.merge(PAGES, T.page_rows(kept, ctx.run.run_id))]
    written.append(ctx.writer.reject(T.rejects_of(records).unionByName(T.rejects_of(judged))))

    # Every count from one aggregation: records by file, verdict and language.
    outcome = (
        records.where(F.col("reason").isNotNull())
        .select("source_file", "reason", "language")
        .unionByName(judged.select("source_file", "reason", "language"))
        .groupBy("source_file", "reason", "language")
        .count()
        .collect()
    )
    # Records found are counted on their own, so in = out + rejected checks that judging
    # neither lost nor repeated a record.
    found = {r["source_file"]: r["count"] for r in records.groupBy("source_file").count().collect()}
    per_file = _per_file_counts(found, outcome)
    ctx.run.artifact_dict({"files": per_file}, "files.json")
    reasons: dict[str, int] = {}
    languages: dict[str, int] = {}
    for row in outcome:
        if row["reason"] is None:
            key = row["language"] or "unknown"
            languages[key] = languages.get(key, 0) + row["count"]
        else:
            reasons[row["reason"]] = reasons.get(row["reason"], 0) + row["count"]
    ctx.run.artifact_dict({"reasons": reasons, "languages": languages}, "rejects.json")
    records_in = sum(f["records_in"] for f in per_file)
    out = sum(f["out"] for f in per_file)
    rejected = sum(f["rejected"] for f in per_file)
    for frame in (records, judged):
        frame.unpersist()
    keys_broadcast.unpersist()
    log.info("pages: rejects by reason %s; languages %s", reasons, languages)
    return StageResult(
        records_in=records_in,
        records_out=out,
        records_rejected=rejected,
        written=written,
        metrics={
            "pages": written[0].rows,
            "pages_inserted": written[0].inserted,
            "pages_updated": written[0].updated,
            "files": len(per_file),
            "firm_keys": len(keys),
            **{f"rejected.{reason}": n for reason, n in sorted(reasons.items())},
        },
    )


def _common_crawl(
    ctx: StageContext,
    index: int,
    spec: PagesInput,
    cfg: PagesConfig,
    keys: dict,
    keys_broadcast,
    settings: Settings,
    max_bytes: int,
) -> DataFrame:
    cc: CommonCrawlConfig | None = cfg.common_crawl
    if cc is None or not cc.crawls:
        raise ConfigError(
            "a cc-index input needs stages.pages.common_crawl.crawls (e.g. [CC-MAIN-2024-22])"
        )
    spark = ctx.spark
    # The index is read over s3a with the Common Crawl endpoint for that bucket alone, so the
    # same session still reaches the warehouse wherever it is.
    index_uri = spec.path
    if index_uri.startswith("s3a://"):
        apply_s3a(spark, cc.s3, bucket=index_uri[len("s3a://") :].split("/", 1)[0])
    # The index is searched by registered domain; a configured host stands for its domain
    # there (its other hosts' pages are then fetched and rejected as firm.unmatched).
    registered = {firms.host_and_domain(f"http://{key}") for key in keys}
    domains = spark.createDataFrame(
        sorted({parsed[1] for parsed in registered if parsed}), "string"
    ).toDF("domain")
    selected = commoncrawl.select(
        spark, index_uri, cc.crawls, domains, cc.mime_types, cc.max_pages_per_domain
    )
    return T.read_common_crawl(
        spark,
        index,
        selected,
        cc.bucket,
        keys_broadcast,
        settings,
        max_bytes,
        s3_settings(cc.s3, cc.max_attempts),
        cc.records_per_task,
    )


def _union(frames: list[DataFrame]) -> DataFrame:
    out = frames[0]
    for frame in frames[1:]:
        out = out.unionByName(frame)
    return out


def _per_file_counts(found: dict[str, int], outcome: list) -> list[dict]:
    """records in (found) / out / rejected (outcome) per input file."""
    files = {
        source: {"source": source, "records_in": n, "out": 0, "rejected": 0}
        for source, n in found.items()
    }
    for row in outcome:
        entry = files.setdefault(
            row["source_file"],
            {"source": row["source_file"], "records_in": 0, "out": 0, "rejected": 0},
        )
        entry["out" if row["reason"] is None else "rejected"] += row["count"]
    for entry in files.values():
        if entry["records_in"] != entry["out"] + entry["rejected"]:
            log.warning(
                "%s: records in %d != out %d + rejected %d",
                entry["source"],
                entry["records_in"],
                entry["out"],
                entry["rejected"],
            )
    return [files[source] for source in sorted(files)]
