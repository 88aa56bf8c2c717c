"""Does the whole pipeline recover the planted order of linkage strengths? (issue: linkage)

For each seed (BENCH_RECOVERY_SEEDS, default 20; BENCH_RECOVERY_SCALE, default demo): generate
a world, run every stage from firms to linkage on it alone, in a new process, and compare the
groups' mean scores with the planted strengths (innolink.linkage.recovery): pairs of groups
whose strengths differ by >= 0.1 that come out misordered, Spearman's rho of strength vs
group mean, and the gap of the scores to the shuffle baseline. Then the linkage stage again on
the same tables with the raw keywords as the product side (product_space=keywords), the
comparison that shows what the language-free product concepts do. Prints one JSON object.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pandas as pd
from harness import INNOLINK, measured, world_sets

SEEDS = int(os.environ.get("BENCH_RECOVERY_SEEDS", "20"))
FIRST = int(os.environ.get("BENCH_RECOVERY_FIRST_SEED", "1"))
SCALE = os.environ.get("BENCH_RECOVERY_SCALE", "demo")
STAGES = ["firms", "patents", "pages", "link", "keywords", "linkage"]


def one_seed(seed: int, tmp: Path) -> dict:
    from deltalake import DeltaTable
    from innolink.linkage.recovery import recovery

    world = tmp / "world"
    wall_gen, _, out = measured(
        [INNOLINK, "generate", "--scale", SCALE, "--seed", str(seed), "--out", str(world)]
    )
    if out.returncode:
        raise SystemExit(out.stderr[-3000:])
    common = ["--warehouse", str(tmp / "warehouse")]
    for assignment in [
        f"mlflow.tracking_uri=sqlite:///{tmp}/mlflow.db",
        f"mlflow.artifact_root={tmp}/artifacts",
        "stages.keywords.log_models=false",
        *world_sets(world),
    ]:
        common += ["--set", assignment]
    wall, peak, out = measured([INNOLINK, "run", *STAGES, *common])
    if out.returncode:
        raise SystemExit(out.stderr[-3000:])
    groups = pd.read_csv(world / "truth" / "group_truth.csv")
    scores_path = str(tmp / "warehouse" / "gold" / "firm_scores")
    r = recovery(DeltaTable(scores_path).to_pandas(), groups).as_dict()
    _, _, out = measured(
        [INNOLINK, "run", "linkage", *common, "--set", "stages.linkage.product_space=keywords"]
    )
    if out.returncode:
        raise SystemExit(out.stderr[-3000:])
    raw = recovery(DeltaTable(scores_path).to_pandas(), groups)
    return {
        "seed": seed,
        "pipeline_s": round(wall, 1),
        "peak_gb": round(peak / 2**30, 2),
        **r,
        "keywords_space": {"misordered": raw.misordered, "spearman": round(raw.spearman, 3)},
    }


def main() -> None:
    per_seed = []
    for seed in range(FIRST, FIRST + SEEDS):
        with tempfile.TemporaryDirectory(prefix="bench-recovery-") as tmp:
            result = one_seed(seed, Path(tmp))
        per_seed.append(result)
        print(json.dumps(result), flush=True)
    recovered = sum(r["recovered"] for r in per_seed)
    print(
        json.dumps(
            {
                "name": f"linkage_recovery_{SCALE}",
                "seeds": SEEDS,
                "seeds_recovered": recovered,
                "misordered_per_seed": [r["misordered"] for r in per_seed],
                "spearman_per_seed": [round(r["spearman"], 3) for r in per_seed],
                "shuffle_gap_per_seed": [round(r["shuffle_gap"], 3) for r in per_seed],
                "groups_judged_per_seed": [r["groups"] for r in per_seed],
                "pairs_per_seed": [r["pairs"] for r in per_seed],
                "misordered_pairs": {r["seed"]: r["misordered_pairs"] for r in per_seed},
                "keywords_space_seeds_recovered": sum(
                    r["keywords_space"]["misordered"] == 0 for r in per_seed
                ),
                "keywords_space_misordered_per_seed": [
                    r["keywords_space"]["misordered"] for r in per_seed
                ],
                "pipeline_s_per_seed": [r["pipeline_s"] for r in per_seed],
                "how": f"cd benchmarks && BENCH_RECOVERY_SEEDS={SEEDS} "
                f"BENCH_RECOVERY_SCALE={SCALE} ../.venv/bin/python bench_recovery.py",
            }
        )
    )


if __name__ == "__main__":
    main()
