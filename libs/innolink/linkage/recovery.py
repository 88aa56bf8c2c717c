"""Does the pipeline recover the planted linkage strengths of a synthetic world?

The world (`innolink generate`, docs/synthetic_world.md) plants a strength lambda per country x
firm type; a firm's products follow its technology with that weight. The pipeline's group
mean score should rise with lambda. A pair of groups is "ordered" when the group with the
larger planted strength has the larger mean score; pairs whose strengths differ by less than
`min_gap` are not judged (the world's noise can swap them legitimately).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

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
