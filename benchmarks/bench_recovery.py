"""Does the whole pipeline recover the planted order of linkage strengths? (issue: linkage)

For each seed (BENCH_RECOVERY_SEEDS, default 20; BENCH_RECOVERY_SCALE, default demo): generate
a world, run every stage from firms to summary on it alone, in a new process, and compare the
groups' mean scores with the planted strengths (innolink.linkage.recovery): pairs of groups
whose strengths differ by >= 0.1 that come out misordered, Spearman's rho of strength vs
group mean, and the gap of the scores to the shuffle baseline. Prints one JSON object.
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
STAGES = ["firms", "patents", "pages", "link", "keywords", "linkage", "summary"]


def one_seed(seed: int, tmp: Path) -> dict:
    from deltalake import DeltaTable
    from innolink.linkage.recovery import recovery

    world = tmp / "world"
    wall_gen, _, out = measured(
        [INNOLINK, "generate", "--scale", SCALE, "--seed", str(seed), "--out", str(world)]
    )
    if out.returncode:
        raise SystemExit(out.stderr[-3000:])
    args = [INNOLINK, "run", *STAGES, "--warehouse", str(tmp / "warehouse")]
    for assignment in [
        f"mlflow.tracking_uri=sqlite:///{tmp}/mlflow.db",
        f"mlflow.artifact_root={tmp}/artifacts",
        *world_sets(world),
    ]:
        args += ["--set", assignment]
    wall, peak, out = measured(args)
    if out.returncode:
        raise SystemExit(out.stderr[-3000:])
    scores = DeltaTable(str(tmp / "warehouse" / "gold" / "firm_scores")).to_pandas()
    groups = pd.read_csv(world / "truth" / "group_truth.csv")
    r = recovery(scores, groups).as_dict()
    return {"seed": seed, "pipeline_s": round(wall, 1), "peak_gb": round(peak / 2**30, 2), **r}


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
                "how": f"cd benchmarks && BENCH_RECOVERY_SEEDS={SEEDS} "
                f"BENCH_RECOVERY_SCALE={SCALE} ../.venv/bin/python bench_recovery.py",
            }
        )
    )


if __name__ == "__main__":
    main()
