"""Stage `keywords`: silver/pages, silver/patents -> gold/firm_keywords, gold/patent_text,
gold/keyword_vectors (+ bronze/rejects).

One Spark NLP pipeline per language (innolink.keywords.pipeline), fitted on that language's
pages and patents; each is logged to MLflow as keywords_<language>. Records in are the pages
and patents read; out are those with words left after normalization (a page of an older crawl
of the same URL, or a document without words, is rejected with its reason). silver/firms only
supplies the firms' names, which are never their keywords.

With stages.keywords.evaluate the stage also scores itself on the labelled real pages
(innolink.keywords.evaluate): precision@k logged as keywords.precision_at_<k>.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pyspark.sql import SparkSession

from innolink.config import Config
from innolink.context import StageContext, StageResult
from innolink.keywords import evaluate as E
from innolink.keywords import extract as X
from innolink.keywords import vocabulary as V
from innolink.pages import kinds
from innolink.tables import FIRM_KEYWORDS, FIRMS, KEYWORD_VECTORS, PAGES, PATENT_TEXT, PATENTS
from innolink.tracking import log_spark_model

log = logging.getLogger(__name__)


def run(ctx: StageContext) -> StageResult:
    cfg = ctx.cfg.stages.keywords
    spark = ctx.spark
    lists = V.read(ctx.cfg.resolve(cfg.stopwords))
    pages = ctx.read(PAGES)
    patents = ctx.read(PATENTS)
    firms = ctx.read(FIRMS)
    pages_in = pages.count()
    patents_in = patents.count()
    ctx.run.params(
        **{
            f"keywords.{k}": v
            for k, v in cfg.model_dump().items()
            if k not in ("evaluate", "labels", "label_pages")
        }
    )

    outputs = X.extract(spark, pages, patents, firms, lists, cfg, ctx.run.run_id)
    written = [
        # A firm's keywords are replaced as a whole: one it no longer has goes.
        ctx.writer.merge(FIRM_KEYWORDS, X.firm_keyword_rows(outputs), replace_by=("firm_id",)),
        ctx.writer.merge(PATENT_TEXT, outputs.patent_text),
        ctx.writer.merge(KEYWORD_VECTORS, outputs.keyword_vectors),
    ]
    reject_counts = {
        (r["source"], r["reason"]): r["count"]
        for r in outputs.rejects.groupBy("source", "reason").count().collect()
    }
    written.append(ctx.writer.reject(outputs.rejects))
    if cfg.log_models:
        for language, model in sorted(outputs.models.items()):
            log_spark_model(model, f"keywords_{language}")
    metrics = {
        "pages_in": pages_in,
        "patents_in": patents_in,
        "pages_out": outputs.pages_out,
        "patents_out": outputs.patents_out,
        "firm_keywords": written[0].rows,
        "firms_with_keywords": _firms(outputs),
        "languages": len(outputs.models),
        **{
            f"rejected.{source.split('/')[-1]}.{reason}": n
            for (source, reason), n in sorted(reject_counts.items())
        },
    }
    if cfg.evaluate:
        _evaluate(ctx, spark, lists)

    records_out = outputs.pages_out + outputs.patents_out
    rejected = sum(reject_counts.values())
    log.info(
        "keywords: pages %d -> %d, patents %d -> %d, rejected %s",
        pages_in,
        outputs.pages_out,
        patents_in,
        outputs.patents_out,
        reject_counts,
    )
    return StageResult(
        records_in=pages_in + patents_in,
        records_out=records_out,
        records_rejected=rejected,
        written=written,
        metrics=metrics,
    )


def _firms(outputs: X.Outputs) -> int:
    return outputs.firm_keywords.select("firm_id").distinct().count()


def labelled_set(spark: SparkSession, cfg: Config):
    """(labels, pages, firms) of the labelled real pages, read as the pages stage reads pages."""
    kcfg = cfg.stages.keywords
    labels = E.read_labels(cfg.resolve(kcfg.labels))
    rules = kinds.compile_rules([r.model_dump() for r in cfg.stages.pages.page_kinds])
    rows, firm_rows = E.labelled_rows(
        labels,
        Path(cfg.resolve(kcfg.label_pages)),
        rules,
        tuple(code.lower() for code in cfg.stages.pages.languages),
    )
    pages = _pages_frame(spark, rows)
    firms = spark.createDataFrame(
        firm_rows, "firm_id string, name_keys array<string>, domain string"
    )
    return labels, pages, firms


def _pages_frame(spark: SparkSession, rows: list[dict]):
    columns = ("url", "crawl_id", "firm_id", "fetch_time", "language", "title", "text", "page_kind")
    return spark.createDataFrame(
        [tuple(row[c] for c in columns) for row in rows],
        "url string, crawl_id string, firm_id string, fetch_time timestamp, language string, "
        "title string, text string, page_kind string",
    )


def evaluate_labelled(spark: SparkSession, cfg: Config, lists, run_id: str = "evaluate"):
    """(precision@k, partial precision@k, per-page scores) of the labelled pages."""
    kcfg = cfg.stages.keywords
    labels, pages, firms = labelled_set(spark, cfg)
    patents = spark.createDataFrame([], PATENTS.schema)
    # Every page is a firm of its own here, and a language may have a page or two.
    settings = kcfg.model_copy(update={"min_language_documents": 1})
    outputs = X.extract(spark, pages, patents, firms, lists, settings, run_id)
    ranked: dict[str, list[str]] = {}
    for row in outputs.firm_keywords.orderBy("firm_id", "rank").collect():
        ranked.setdefault(row["firm_id"], []).append(row["keyword"])
    return E.precision_at_k(ranked, labels, kcfg.evaluate_k)


def _evaluate(ctx: StageContext, spark: SparkSession, lists) -> None:
    k = ctx.cfg.stages.keywords.evaluate_k
    precision, partial, scores = evaluate_labelled(spark, ctx.cfg, lists)
    ctx.run.counts(
        **{
            f"keywords.precision_at_{k}": precision,
            f"keywords.partial_precision_at_{k}": partial,
            "keywords.labelled_pages": len(scores),
        }
    )
    ctx.run.artifact_dict(
        {
            "precision": precision,
            "partial_precision": partial,
            "k": k,
            "pages": [
                {"file": s.file, "hits": s.hits, "partial_hits": s.partial_hits, "top": s.keywords}
                for s in scores
            ],
        },
        "keywords_evaluation.json",
    )
    log.info(
        "keywords: precision@%d %.3f (partial %.3f) on %d pages", k, precision, partial, len(scores)
    )
