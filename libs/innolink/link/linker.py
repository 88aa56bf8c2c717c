"""The linker: listed firms' names prepared once, then any frame of applicant names linked.

The stage links the applicants of silver/patent_parties with it, the evaluation and the
training link labelled names with the very same steps, the benchmark synthetic ones.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from innolink.config import Config, LinkConfig
from innolink.legal_forms import LegalForms, load_legal_forms
from innolink.link import transforms as T
from innolink.link.model import LinkModel, load_model
from innolink.link.names import NameAnalyzer, load_vocabulary

log = logging.getLogger(__name__)

# The script a CJK name of an office is in (Han-only names are Japanese at the JPO).
OFFICE_LANG = {"JP": "ja", "CN": "zh", "TW": "zh", "HK": "zh", "MO": "zh", "KR": "ko"}
SELECTORS = ("isin", "ticker", "cik", "edinet_code", "name")


def legal_forms(cfg: Config) -> LegalForms:
    spec = cfg.stages.link.legal_forms or cfg.stages.firms.legal_forms
    elf = Path(cfg.resolve(spec.elf_list))
    additions = yaml.safe_load(Path(cfg.resolve(spec.additions)).read_text(encoding="utf-8"))
    return load_legal_forms(elf.read_bytes(), additions or {}, version=elf.name)


def analyzer(cfg: Config) -> NameAnalyzer:
    path = Path(cfg.resolve(cfg.stages.link.vocabulary))
    vocab = load_vocabulary(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    return NameAnalyzer(legal_forms(cfg), vocab)


def load_aliases(path: str | Path) -> list[dict]:
    """conf's alias entries: {name, firm: {selector: value}, kind, source}; a malformed entry
    is a configuration error (raised), not a silent skip."""
    p = Path(path)
    if not p.is_file():
        log.warning("no alias table at %s", p)
        return []
    data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    out = []
    for i, entry in enumerate(data.get("aliases") or []):
        firm = entry.get("firm") if isinstance(entry, Mapping) else None
        if not entry.get("name") or not isinstance(firm, Mapping) or len(firm) != 1:
            raise ValueError(f"{p}: alias {i}: needs a name and a firm with one selector")
        ((selector, value),) = firm.items()
        if selector not in SELECTORS:
            raise ValueError(f"{p}: alias {i}: selector {selector!r} not one of {SELECTORS}")
        out.append({"alias": str(entry["name"]), "selector": selector, "value": str(value)})
    return out


@dataclass
class Linker:
    spark: SparkSession
    analyzer: NameAnalyzer
    model: LinkModel
    cfg: LinkConfig
    refs: DataFrame
    firms: int
    idf: dict[str, float]
    ref_count: int
    unresolved_aliases: list[str] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        spark: SparkSession,
        cfg: Config,
        firms: DataFrame,
        family: DataFrame,
        entities: DataFrame,
        aliases: Sequence[Mapping] = (),
        model: LinkModel | None = None,
    ) -> Linker:
        link = cfg.stages.link
        names = analyzer(cfg)
        model = model or load_model(cfg.resolve(link.model))
        if not link.family:
            family = family.where(F.col("depth") == 0)
        firms = firms.select(
            "firm_id",
            "name",
            "name_variants",
            "country",
            "home_country",
            "listing_country",
            *SELECTORS[:-1],
        ).cache()
        refs = _analyzed_refs(spark, names, T.reference_names(firms, family, entities))
        refs = refs.localCheckpoint()
        unresolved: list[str] = []
        if aliases:
            resolved, unresolved = _resolve_aliases(spark, names, aliases, firms, refs)
            if resolved is not None:
                alias_refs = _analyzed_refs(spark, names, T.alias_names(resolved, firms))
                refs = refs.unionByName(alias_refs).localCheckpoint()
        if unresolved:
            log.warning("aliases whose firm is not in silver/firms: %s", unresolved)
        # The English legal forms a firm's own names use (features.RefName.classes).
        classes = (
            refs.where(F.col("source").isin("firm", "gleif"))
            .select("firm_id", F.get_json_object("info", "$.c").alias("c"))
            .where(F.col("c").isNotNull())
            .groupBy("firm_id")
            .agg(F.array_sort(F.collect_set("c")).alias("firm_classes"))
        )
        refs = refs.join(classes, "firm_id", "left").localCheckpoint()
        count = firms.count()
        firms.unpersist()
        idf = T.token_idf(refs, count)
        return cls(spark, names, model, link, refs, count, idf, refs.count(), unresolved)

    def link(self, apps: DataFrame) -> DataFrame:
        """apps: applicant, office, country (+ anything else, kept) -> one row per
        (applicant, office) with name_key, firm_id, score, method, matched_name, evidence."""
        analyzed = self.analyzed_apps(apps).localCheckpoint()
        scored = self.scored(analyzed)
        decided = T.decide(
            analyzed.select("app_id", F.col("country").alias("app_country")),
            scored,
            self.refs,
            self.cfg.threshold,
        )
        return analyzed.drop("info", "keys", "lang").join(decided, "app_id").drop("app_id")

    def analyzed_apps(self, apps: DataFrame) -> DataFrame:
        lang = F.coalesce(
            *[F.when(F.col("office") == o, F.lit(v)) for o, v in OFFICE_LANG.items()],
            F.lit(None).cast("string"),
        )
        with_id = apps.withColumn(
            "app_id", F.xxhash64("applicant", "office").cast("string")
        ).withColumn("lang", lang)
        return T.analyze(self.spark, with_id, self.analyzer, "applicant", "country", "lang")

    def scored(self, analyzed: DataFrame) -> DataFrame:
        """Every scored candidate of every applicant (app_id, ref_id, score, veto, ...)."""
        apps = analyzed.where(F.col("info").isNotNull())
        cands = T.candidates(
            apps.select("app_id", "keys"),
            self.refs.select("ref_id", "firm_id", "keys"),
            self.cfg.max_block,
            self.cfg.top_k,
            self.firms,
        )
        pairs = cands.join(
            apps.select(
                "app_id", F.col("info").alias("app_info"), F.col("country").alias("app_country")
            ),
            "app_id",
        ).join(
            self.refs.select(
                "ref_id",
                F.col("info").alias("ref_info"),
                "source",
                "kind",
                "firm_country",
                "firm_classes",
            ),
            "ref_id",
        )
        return T.score_candidates(
            self.spark, pairs, self.model, self.idf, self.cfg.legal_form_conflicts
        )


def _analyzed_refs(spark: SparkSession, names: NameAnalyzer, refs: DataFrame) -> DataFrame:
    with_id = refs.withColumn(
        "ref_id", F.xxhash64("firm_id", "ref_name", F.coalesce("lang", F.lit(""))).cast("string")
    )
    analyzed = T.analyze(spark, with_id, names, "ref_name", "firm_country", "lang")
    return analyzed.where(F.col("info").isNotNull())


def _resolve_aliases(
    spark: SparkSession,
    names: NameAnalyzer,
    aliases: Sequence[Mapping],
    firms: DataFrame,
    refs: DataFrame,
) -> tuple[DataFrame | None, list[str]]:
    """(firm_id, ref_name) of each alias: by a listing identifier, or by name: the firms an
    applicant of exactly that name would match (every listing of a firm listed twice). A few
    entries: looked up on the driver, two small queries."""
    wanted: dict[str, dict[str, list[str]]] = {s: {} for s in SELECTORS}
    for a in aliases:
        if a["selector"] == "name":
            info = names.analyze(a["value"])
            keys = {k for k in (info.blocking_keys() if info else ()) if k.startswith("x:")}
            for key in keys:
                wanted["name"].setdefault(key, []).append(a["alias"])
        else:
            wanted[a["selector"]].setdefault(a["value"], []).append(a["alias"])
    found: set[tuple[str, str]] = set()
    by_id = [s for s in SELECTORS[:-1] if wanted[s]]
    if by_id:
        condition = None
        for selector in by_id:
            clause = F.col(selector).isin(list(wanted[selector]))
            condition = clause if condition is None else condition | clause
        for row in firms.where(condition).select("firm_id", *by_id).collect():
            for selector in by_id:
                for alias in wanted[selector].get(row[selector], []):
                    found.add((row["firm_id"], alias))
    if wanted["name"]:
        keys = F.array(*[F.lit(k) for k in wanted["name"]])
        own = refs.where(F.col("source").isin("firm", "gleif"))
        matched = own.select("firm_id", F.array_intersect("keys", keys).alias("hits")).where(
            F.size("hits") > 0
        )
        for row in matched.collect():
            for key in row["hits"]:
                for alias in wanted["name"][key]:
                    found.add((row["firm_id"], alias))
    unresolved = sorted({a["alias"] for a in aliases} - {alias for _, alias in found})
    if not found:
        return None, unresolved
    rows = [{"firm_id": f, "ref_name": a} for f, a in sorted(found)]
    return spark.createDataFrame(rows, "firm_id string, ref_name string"), unresolved
