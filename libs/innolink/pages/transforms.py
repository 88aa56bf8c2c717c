"""DataFrame steps of the pages stage. Reading happens in `read_*`; the rest is pure.

Order: records (one row per input record: a page or a reject, RECORD_SCHEMA) -> one page per
URL and crawl (the latest fetch wins: `page.superseded`) -> one page per text within a firm's
site and crawl (`page.duplicate`) -> no near copies within a firm's site and crawl
(`page.near_duplicate`) -> silver/pages rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from innolink.io.files import InputFile
from innolink.pages import dedup
from innolink.pages.readers import commoncrawl, htmldir, warc
from innolink.pages.readers.streams import S3Settings
from innolink.pages.records import RECORD_SCHEMA, RawRecord, Settings, process, reject_row
from innolink.tables import PAGES


def firm_keys(firm_domains: Sequence[tuple[str, str]], extra: dict[str, str]) -> dict:
    """host or registered domain -> firm ids: silver/firms' domains, then configuration's.

    A configured key replaces what silver/firms says of it (it settles shared domains).
    """
    keys: dict[str, set[str]] = {}
    for firm_id, domain in firm_domains:
        if domain:
            keys.setdefault(domain.strip().lower(), set()).add(firm_id)
    out = {key: tuple(sorted(ids)) for key, ids in keys.items()}
    for key, firm_id in extra.items():
        out[key.strip().lower()] = (firm_id,)
    return out


def _records(spark: SparkSession, rows) -> DataFrame:
    """The DataFrame of an RDD of RECORD_SCHEMA tuples."""
    # The tuples are built to RECORD_SCHEMA by records.process; checking every row again in
    # Python costs more than the check is worth.
    return spark.createDataFrame(rows, RECORD_SCHEMA, verifySchema=False)


def driver_rejects(spark: SparkSession, index: int, fmt: str, raws: list[RawRecord]) -> DataFrame:
    """Records judged on the driver (missing inputs, empty files, manifest rows)."""
    rows = [reject_row(index, fmt, raw, raw.error or "input.unreadable") for raw in raws]
    return spark.createDataFrame(rows, RECORD_SCHEMA, verifySchema=False)


def missing_input(spark: SparkSession, index: int, fmt: str, path: str) -> DataFrame:
    raw = RawRecord(source=path, locator="input", position=0, record_type="input")
    return driver_rejects(spark, index, fmt, [_with_error(raw, "input.not_found")])


def _with_error(raw: RawRecord, reason: str) -> RawRecord:
    raw.error = reason
    return raw


def empty_files(files: Sequence[InputFile]) -> list[RawRecord]:
    """Zero-byte files: Hadoop and FastWARC would pass over them without a trace."""
    return [
        RawRecord(source=f.path, locator="file", position=0, record_type="file", error="file.empty")
        for f in files
        if f.size == 0
    ]


def read_warc(
    spark: SparkSession,
    splits: Sequence[warc.Split],
    keys,
    settings: Settings,
    max_bytes: int,
    s3: S3Settings,
) -> DataFrame:
    """Every record of the splits (one task per split, largest first), processed."""
    ordered = sorted(splits, key=lambda s: s.end - s.start, reverse=True)

    def task(part: Iterator[warc.Split]) -> Iterator[tuple]:
        firm_keys = keys.value
        for split in part:
            for raw in warc.read_split(split, max_bytes, s3):
                if raw.crawl_id is None:
                    raw.crawl_id = settings.default_crawl
                yield process(split.input_index, split.format, raw, firm_keys, settings)

    rdd = spark.sparkContext.parallelize(ordered, max(1, len(ordered))).mapPartitions(task)
    return _records(spark, rdd)


def read_html_dir(
    spark: SparkSession,
    pages: Sequence[htmldir.PageFile],
    fmt: str,
    keys,
    settings: Settings,
    max_bytes: int,
    s3: S3Settings,
    partitions: int,
) -> DataFrame:
    def task(part: Iterator[htmldir.PageFile]) -> Iterator[tuple]:
        firm_keys = keys.value
        for page in part:
            raw = htmldir.read_page(page, max_bytes, s3)
            yield process(page.input_index, fmt, raw, firm_keys, settings)

    slices = max(1, min(len(pages), partitions))
    rdd = spark.sparkContext.parallelize(list(pages), slices).mapPartitions(task)
    return _records(spark, rdd)


def read_common_crawl(
    spark: SparkSession,
    index: int,
    selected: DataFrame,
    bucket: str,
    keys,
    settings: Settings,
    max_bytes: int,
    s3: S3Settings,
    records_per_task: int,
) -> DataFrame:
    """The chosen index rows fetched by range and processed (sorted by file and offset)."""
    # The chosen rows are few; kept so the index is scanned once, not for counting again.
    selected = selected.persist()
    count = selected.count()
    tasks = max(1, -(-count // records_per_task))
    ordered = selected.repartitionByRange(
        tasks, "warc_filename", "warc_record_offset"
    ).sortWithinPartitions("warc_filename", "warc_record_offset")

    def task(rows) -> Iterator[tuple]:
        firm_keys = keys.value
        for raw in commoncrawl.fetch_records(rows, bucket, s3, max_bytes):
            yield process(index, "cc-index", raw, firm_keys, settings)

    return _records(spark, ordered.rdd.mapPartitions(task))


def rejects_of(records: DataFrame) -> DataFrame:
    return records.where(F.col("reason").isNotNull()).select(
        F.col("source_file").alias("source"), "locator", "reason", "excerpt"
    )


def pages_of(records: DataFrame) -> DataFrame:
    return records.where(F.col("reason").isNull())


def _judged(frame: DataFrame, losing: Column, reason: str, excerpt: Column) -> DataFrame:
    """Rows still in the running that lose get `reason` and `excerpt`; the rest stay as they are."""
    lose = F.col("reason").isNull() & losing
    return frame.withColumn(
        "excerpt", F.when(lose, excerpt).otherwise(F.col("excerpt"))
    ).withColumn("reason", F.when(lose, F.lit(reason)).otherwise(F.col("reason")))


def judge(pages: DataFrame, threshold: float) -> DataFrame:
    """The pages with `reason` set on those that do not go to silver/pages:

    1. `page.superseded`: one page per URL and crawl, the latest fetch, then HTML over WET
       text of the same fetch, then the later input, file and position (what loading the
       inputs one run after another would leave);
    2. `page.duplicate`: one page per text within a firm's site and crawl, the shortest URL;
    3. `page.near_duplicate`: no page with a near copy ranked before it (innolink.pages.dedup).

    One frame carries every verdict, so kept pages and rejects come from one computation. The
    verdicts are reached on the few columns they need (the windows and the band join shuffle
    those, not the pages' text) and joined back to the pages by record.
    """
    record = ["input_index", "source_file", "locator"]
    frame = pages.select(
        *record,
        "position",
        "source_format",
        "url",
        "crawl_id",
        "firm_id",
        "fetch_time",
        "text_hash",
        "minhash",
        "reason",
        "excerpt",
    )
    latest = Window.partitionBy("url", "crawl_id").orderBy(
        F.col("fetch_time").desc_nulls_last(),
        (F.col("source_format") == "wet").asc(),
        F.col("input_index").desc(),
        F.col("source_file").desc(),
        F.col("position").desc(),
    )
    frame = frame.withColumn("_rank", F.row_number().over(latest)).withColumn(
        "_first", F.first(F.concat_ws(" ", "source_file", "locator")).over(latest)
    )
    frame = _judged(
        frame,
        F.col("_rank") > 1,
        "page.superseded",
        F.concat(F.lit("url="), F.col("url"), F.lit(" kept from "), F.col("_first")),
    )
    # Ranked among the pages still in the running (a superseded copy is its own group).
    same_text = Window.partitionBy(
        "firm_id", "crawl_id", "text_hash", F.col("reason").isNull()
    ).orderBy(F.length("url"), "url")
    frame = frame.withColumn("_rank", F.row_number().over(same_text)).withColumn(
        "_first", F.first("url").over(same_text)
    )
    frame = _judged(
        frame,
        F.col("_rank") > 1,
        "page.duplicate",
        F.concat(F.lit("url="), F.col("url"), F.lit(" same text as "), F.col("_first")),
    ).drop("_rank", "_first")
    losers = dedup.near_duplicate_losers(frame.where(F.col("reason").isNull()), threshold)
    frame = frame.join(losers, ["crawl_id", "url"], "left")
    frame = _judged(
        frame,
        F.col("kept_url").isNotNull(),
        "page.near_duplicate",
        F.concat(
            F.lit("url="),
            F.col("url"),
            F.lit(" near copy of "),
            F.col("kept_url"),
            F.lit(" (similarity "),
            F.format_number("similarity", 2),
            F.lit(")"),
        ),
    )
    verdicts = frame.where(F.col("reason").isNotNull()).select(
        *record, F.col("reason").alias("_reason"), F.col("excerpt").alias("_excerpt")
    )
    return (
        pages.join(verdicts, record, "left")
        .withColumn("reason", F.coalesce("_reason", "reason"))
        .withColumn("excerpt", F.coalesce("_excerpt", "excerpt"))
        .drop("_reason", "_excerpt")
    )


def _array(name: str) -> Column:
    return F.coalesce(F.col(name), F.array().cast("array<string>")).alias(name)


def page_rows(pages: DataFrame, run_id: str) -> DataFrame:
    """The silver/pages rows."""
    columns = {
        "headings": _array("headings"),
        "links": _array("links"),
        "source_file": F.col("source_file"),
        "run_id": F.lit(run_id).alias("run_id"),
    }
    return pages.select(*[columns.get(c, F.col(c)) for c in PAGES.columns])
