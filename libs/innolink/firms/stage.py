"""Stage `firms`: published firm lists and GLEIF data -> the registry of listed firms and
their corporate families.

silver/firms (listed firms), silver/legal_entities, silver/entity_parents, silver/lei_isins
(GLEIF), silver/firm_family (every legal entity that rolls up to a listed firm), and
bronze/rejects. One stage, because a family is only as good as the registry it hangs from:
one run builds both, and a run with only GLEIF inputs (or only firm lists) recomputes the
families from the tables of earlier runs.
"""

from __future__ import annotations

import logging
from pathlib import Path

import yaml
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from innolink.config import Config
from innolink.context import StageContext, StageResult
from innolink.firms import families as FAM
from innolink.firms import transforms as T
from innolink.firms.exchanges import ExchangeResolver
from innolink.firms.records import ReadContext
from innolink.legal_forms import load_legal_forms
from innolink.tables import ENTITY_PARENTS, FIRM_FAMILY, FIRMS, LEGAL_ENTITIES, LEI_ISINS

log = logging.getLogger(__name__)

GLEIF_PREFIX = "gleif-"


def read_context(cfg: Config) -> ReadContext:
    """Exchange overrides and the ISO 20275 legal-form vocabulary, loaded once on the driver."""
    firms = cfg.stages.firms
    elf_path = Path(cfg.resolve(firms.legal_forms.elf_list))
    additions = yaml.safe_load(
        Path(cfg.resolve(firms.legal_forms.additions)).read_text(encoding="utf-8")
    )
    forms = load_legal_forms(elf_path.read_bytes(), additions or {}, version=elf_path.name)
    overrides = {k: v.model_dump(exclude_none=True) for k, v in firms.exchanges.items()}
    return ReadContext(ExchangeResolver(overrides), forms)


def _counts(records: DataFrame) -> dict[tuple[str, bool], int]:
    return {
        (r["role"], r["rejected"]): r["n"]
        for r in records.groupBy("role", F.col("reason").isNotNull().alias("rejected"))
        .count()
        .withColumnRenamed("count", "n")
        .collect()
    }


def run(ctx: StageContext) -> StageResult:
    cfg = ctx.cfg.stages.firms
    inputs = [i.model_copy(update={"path": ctx.cfg.resolve(i.path)}) for i in cfg.inputs]
    ctx.run.artifact_dict({"inputs": [i.model_dump() for i in inputs]}, "inputs.json")
    rctx = read_context(ctx.cfg)
    lists = [i for i in inputs if not i.format.startswith(GLEIF_PREFIX)]
    gleif = [i for i in inputs if i.format.startswith(GLEIF_PREFIX)]

    result = StageResult(records_in=0, records_out=0, records_rejected=0)
    rejects: list[DataFrame] = []
    cached: list[DataFrame] = []
    if lists:
        _firms(ctx, lists, rctx, result, rejects, cached)
    if gleif:
        _entities(ctx, gleif, rctx, result, rejects, cached)
    if rejects:
        all_rejects = rejects[0]
        for frame in rejects[1:]:
            all_rejects = all_rejects.unionByName(frame)
        result.written.append(ctx.writer.reject(all_rejects))
    _families(ctx, result)
    for frame in cached:
        frame.unpersist()
    return result


def _firms(ctx, inputs, rctx, result: StageResult, rejects: list, cached: list) -> None:
    cfg = ctx.cfg.stages.firms
    spark = ctx.spark
    mapping = yaml.safe_load(Path(ctx.cfg.resolve(cfg.industry_map)).read_text(encoding="utf-8"))

    # Parsing is the costly part (Python); cache it and count everything in one pass.
    records = T.with_record_id(T.read_records(spark, inputs, rctx)).cache()
    counts = _counts(records)
    read_rejected = sum(n for (_, rejected), n in counts.items() if rejected)

    accepted = records.where(F.col("reason").isNull())
    primary = accepted.where(F.col("role") == "primary")
    variants = accepted.where(F.col("role") == "variant")

    clusters = T.connected_components(T.resolution_keys(primary), cfg.resolution_max_iterations)
    clustered = primary.join(clusters, "record_id")
    matched, unmatched = T.attach_variants(variants, clustered)
    matched, unmatched = matched.cache(), unmatched.cache()
    cached += [records, matched, unmatched]
    # Counted independently of the reader counts, so in == out + rejected really checks
    # that the joins neither lost nor duplicated a record.
    matched_count, unmatched_count = matched.count(), unmatched.count()
    primary_count = counts.get(("primary", False), 0)

    firms = T.assemble_firms(
        clustered,
        matched,
        T.industry_map_frame(spark, mapping),
        cfg.reference_year,
        cfg.multinational_patterns,
        cfg.study_country,
    )
    firms = T.assign_firm_type(
        firms, cfg.firm_type_rules, cfg.default_firm_type, cfg.reference_year
    )
    firms = firms.drop("listing_country_count").withColumn("run_id", F.lit(ctx.run.run_id))

    written = ctx.writer.merge(FIRMS, firms)
    result.written.append(written)
    rejects += [T.rejects_of(records), unmatched]
    result.records_in += sum(counts.values())
    result.records_out += primary_count + matched_count
    result.records_rejected += read_rejected + unmatched_count
    result.metrics.update(
        {
            "firms": written.rows,
            "firms_inserted": written.inserted,
            "firms_updated": written.updated,
            "variants_matched": matched_count,
            "variants_unmatched": unmatched_count,
        }
    )


def _entities(ctx, inputs, rctx, result: StageResult, rejects: list, cached: list) -> None:
    cfg = ctx.cfg.stages.firms
    split = cfg.gleif_split_mb << 20 if cfg.gleif_split_mb else None
    records = FAM.read_entity_records(ctx.spark, inputs, rctx, split).cache()
    cached.append(records)
    counts = _counts(records)
    run_id = F.lit(ctx.run.run_id)
    written = [
        ctx.writer.merge(LEGAL_ENTITIES, FAM.legal_entities(records).withColumn("run_id", run_id)),
        ctx.writer.merge(ENTITY_PARENTS, FAM.entity_parents(records).withColumn("run_id", run_id)),
        ctx.writer.merge(LEI_ISINS, FAM.lei_isins(records).withColumn("run_id", run_id)),
    ]
    result.written += written
    rejects.append(T.rejects_of(records))
    rejected = sum(n for (_, r), n in counts.items() if r)
    result.records_in += sum(counts.values())
    result.records_out += sum(n for (_, r), n in counts.items() if not r)
    result.records_rejected += rejected
    result.metrics.update(
        {
            "gleif_records": sum(counts.values()),
            "legal_entities": written[0].rows,
            "entity_parents": written[1].rows,
            "lei_isins": written[2].rows,
        }
    )


def _families(ctx, result: StageResult) -> None:
    """silver/firm_family from the tables as they now are (this run's and earlier runs')."""
    writer = ctx.writer
    if writer.version(FIRMS) is None or writer.version(LEGAL_ENTITIES) is None:
        return
    spark = ctx.spark

    def table(spec):
        return spark.read.format("delta").load(writer.path(spec))

    entities = table(LEGAL_ENTITIES)
    parents = (
        table(ENTITY_PARENTS)
        if writer.version(ENTITY_PARENTS) is not None
        else spark.createDataFrame([], ENTITY_PARENTS.schema)
    )
    isins = (
        table(LEI_ISINS)
        if writer.version(LEI_ISINS) is not None
        else spark.createDataFrame([], LEI_ISINS.schema)
    )
    links = FAM.firm_links(table(FIRMS), entities, isins).localCheckpoint()
    family = FAM.firm_family(links, parents, entities, ctx.cfg.stages.firms.family_max_depth)
    # A firm's family is replaced as a whole: a subsidiary sold since leaves no stale row.
    written = writer.merge(
        FIRM_FAMILY, family.withColumn("run_id", F.lit(ctx.run.run_id)), replace_by=("firm_id",)
    )
    result.written.append(written)
    result.metrics.update(
        {
            "firms_linked_to_lei": links.select("firm_id").distinct().count(),
            "family_members": written.rows,
        }
    )
