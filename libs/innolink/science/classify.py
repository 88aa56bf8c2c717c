"""Non-patent literature references -> scientific or not, by ordered patterns.

conf/mappings/science.yaml lists rules (class, scientific, Java regular expression) tried in
order, first match wins; the rules become one CASE expression over the text (no Python per
row), and DOI, PMID and arXiv identifiers are extracted whatever the class.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from innolink.errors import ConfigError

DEFAULT_CLASS = "other"


@dataclass(frozen=True)
class Rule:
    npl_class: str
    scientific: bool
    pattern: str


@dataclass(frozen=True)
class Rules:
    rules: tuple[Rule, ...]
    identifiers: dict[str, str]


def load_rules(path: str | Path) -> Rules:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"stages.science.patterns: cannot read {path}: {exc}") from None
    rules = []
    for i, rule in enumerate(data.get("rules") or []):
        missing = {"class", "scientific", "pattern"} - set(rule)
        if missing:
            raise ConfigError(f"{path}: rule {i + 1} lacks {sorted(missing)}")
        rules.append(
            Rule(str(rule["class"]), bool(rule["scientific"]), str(rule["pattern"]).strip())
        )
    identifiers = {str(k): str(v) for k, v in (data.get("identifiers") or {}).items()}
    unknown = set(identifiers) - {"doi", "pmid", "arxiv"}
    if unknown:
        raise ConfigError(f"{path}: unknown identifiers {sorted(unknown)} (doi, pmid, arxiv)")
    return Rules(tuple(rules), identifiers)


def _matches(text: Column, pattern: str) -> Column:
    return text.rlike(f"(?i){pattern}")


def classify(df: DataFrame, rules: Rules, text: str = "text") -> DataFrame:
    """df + npl_class, scientific, doi, pmid, arxiv (null when absent)."""
    col = F.col(text)
    npl_class: Column = F.lit(DEFAULT_CLASS)
    scientific: Column = F.lit(False)
    for rule in reversed(rules.rules):
        hit = _matches(col, rule.pattern)
        npl_class = F.when(hit, F.lit(rule.npl_class)).otherwise(npl_class)
        scientific = F.when(hit, F.lit(rule.scientific)).otherwise(scientific)
    out = df.withColumn("npl_class", npl_class).withColumn("scientific", scientific)
    for name in ("doi", "pmid", "arxiv"):
        pattern = rules.identifiers.get(name)
        if pattern is None:
            out = out.withColumn(name, F.lit(None).cast("string"))
        else:
            found = F.regexp_extract(col, pattern, 1)
            out = out.withColumn(name, F.when(found != "", found))
    return out
