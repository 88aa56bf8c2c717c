"""Does the pipeline recover the planted linkage strengths of a synthetic world?

The world (`innolink generate`, docs/synthetic_world.md) plants a strength lambda per country x
firm type; a firm's products follow its technology with that weight. The pipeline's group
mean score should rise with lambda. A pair of groups is "ordered" when the group with the
larger planted strength has the larger mean score; pairs whose strengths differ by less than
`min_gap` are not judged (the world's noise can swap them legitimately).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class Recovery:
    groups: int
    pairs: int
    misordered: int
    spearman: float
    shuffle_gap: float
    misordered_pairs: list[str]

    @property
    def recovered(self) -> bool:
        return self.groups >= 2 and self.misordered == 0

    def as_dict(self) -> dict:
        return {**asdict(self), "recovered": self.recovered}


def recovery(scores: pd.DataFrame, groups: pd.DataFrame, min_gap: float = 0.1) -> Recovery:
    """scores: firm scores (country, firm_type, score, shuffle_score) of one model;
    groups: the world's truth/group_truth.csv (country, firm_type, linkage_lambda)."""
    means = (
        scores.groupby(["country", "firm_type"])
        .agg(mean=("score", "mean"), shuffle=("shuffle_score", "mean"))
        .reset_index()
        .merge(groups[["country", "firm_type", "linkage_lambda"]], on=["country", "firm_type"])
        .sort_values(["linkage_lambda", "country", "firm_type"])
        .reset_index(drop=True)
    )
    pairs, bad = 0, []
    for hi in means.itertuples():
        for lo in means.itertuples():
            # 1e-9: strengths are written with two decimals; 0.30 - 0.20 is 0.0999999...
            if hi.linkage_lambda - lo.linkage_lambda >= min_gap - 1e-9:
                pairs += 1
                if hi.mean <= lo.mean:
                    bad.append(
                        f"{hi.country}/{hi.firm_type} ({hi.linkage_lambda:.2f}: {hi.mean:.3f}) <= "
                        f"{lo.country}/{lo.firm_type} ({lo.linkage_lambda:.2f}: {lo.mean:.3f})"
                    )
    rho = (
        float(means["mean"].rank().corr(means["linkage_lambda"].rank()))
        if len(means) > 1
        else float("nan")
    )
    gap = float(scores["score"].mean() - scores["shuffle_score"].mean())
    return Recovery(len(means), pairs, len(bad), rho, gap, bad)


def known_matrix_scores(truth: str | Path, min_firms: int = 10) -> pd.DataFrame:
    """What the world's own documents allow: each firm scored with the planted topic matrix A
    instead of a learned model, from what the pipeline reads of it.

    Technology: the sum of A's rows of the fields of the firm's patents (patent_truth);
    products: the product mentions of its pages (page_truth, duplicates and broken records
    left out). Score: their cosine. Groups with fewer than `min_firms` such firms are dropped,
    as the linkage stage drops them. A learned model can only add noise to this (it must
    estimate A from a few hundred firms), so the seeds this misorders are seeds no pipeline
    can be expected to recover: the noise of finite documents, not the pipeline's.
    """
    import numpy as np

    truth = Path(truth)
    topic = pd.read_csv(truth / "topic_matrix.csv")
    rows = {f: dict(zip(g["product"], g["weight"], strict=True)) for f, g in topic.groupby("field")}
    patents = pd.read_parquet(
        truth / "patent_truth.parquet", columns=["firm_id", "entity", "field"]
    )
    pages = pd.read_parquet(
        truth / "page_truth.parquet",
        columns=["firm_id", "products", "product_mentions", "duplicate_of", "defect"],
    )
    firms = pd.read_parquet(
        truth / "firm_truth.parquet", columns=["firm_id", "country", "firm_type"]
    )
    tech: dict[str, dict[str, float]] = {}
    for firm, field in zip(patents["firm_id"], patents["field"], strict=True):
        vec = tech.setdefault(firm, {})
        for product, weight in rows[field].items():
            vec[product] = vec.get(product, 0.0) + weight
    prod: dict[str, dict[str, float]] = {}
    read = pages[pages["duplicate_of"].isna() & pages["defect"].isna() & pages["products"].notna()]
    for firm, products, mentions in zip(
        read["firm_id"], read["products"], read["product_mentions"], strict=True
    ):
        named = [p for p in products.split(",") if p]
        vec = prod.setdefault(firm, {})
        for product in named:
            vec[product] = vec.get(product, 0.0) + mentions / len(named)
    out = []
    for r in firms.itertuples():
        a, b = tech.get(r.firm_id), prod.get(r.firm_id)
        if not a or not b:
            continue
        num = sum(w * b.get(k, 0.0) for k, w in a.items())
        den = np.sqrt(sum(w * w for w in a.values()) * sum(w * w for w in b.values()))
        out.append((r.firm_id, r.country, r.firm_type, num / den, float("nan")))
    scores = pd.DataFrame(
        out, columns=["firm_id", "country", "firm_type", "score", "shuffle_score"]
    )
    size = scores.groupby(["country", "firm_type"])["firm_id"].transform("size")
    return scores[size >= min_firms].reset_index(drop=True)
