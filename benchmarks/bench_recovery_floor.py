"""How much of the planted order the demo world's documents allow, with no model at all.

For each seed (BENCH_RECOVERY_SEEDS, default 20, from BENCH_RECOVERY_FIRST_SEED; scale
BENCH_RECOVERY_SCALE, default demo) every firm is scored with the world's own topic matrix
from its patents' fields and its pages' product mentions (innolink.linkage.recovery
.known_matrix_scores), and the groups are judged as bench_recovery judges the pipeline. A
learned model must also estimate the matrix, so it cannot be expected to recover a seed this
misorders. Worlds kept by bench_recovery in BENCH_RECOVERY_DIR (s<seed>/world) are reused;
others are generated in a temporary directory. Prints one JSON object.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pandas as pd
from harness import INNOLINK, measured

SEEDS = int(os.environ.get("BENCH_RECOVERY_SEEDS", "20"))
FIRST = int(os.environ.get("BENCH_RECOVERY_FIRST_SEED", "1"))
SCALE = os.environ.get("BENCH_RECOVERY_SCALE", "demo")
KEEP = os.environ.get("BENCH_RECOVERY_DIR")


def judged(world: Path) -> dict:
    from innolink.linkage.recovery import known_matrix_scores, recovery

    groups = pd.read_csv(world / "truth" / "group_truth.csv")
    r = recovery(known_matrix_scores(world / "truth"), groups)
    return {"groups": r.groups, "pairs": r.pairs, "misordered": r.misordered,
            "spearman": round(r.spearman, 3), "misordered_pairs": r.misordered_pairs}  # fmt: skip


def main() -> None:
    per_seed = {}
    for seed in range(FIRST, FIRST + SEEDS):
        kept = Path(KEEP) / f"s{seed}" / "world" if KEEP else None
        if kept is not None and (kept / "truth" / "group_truth.csv").exists():
            per_seed[seed] = judged(kept)
            continue
        with tempfile.TemporaryDirectory(prefix="bench-floor-") as name:
            world = Path(name) / "world"
            _, _, out = measured(
                [INNOLINK, "generate", "--scale", SCALE, "--seed", str(seed), "--out", str(world)]
            )
            if out.returncode:
                raise SystemExit(out.stderr[-3000:])
            per_seed[seed] = judged(world)
    rows = list(per_seed.values())
    print(
        json.dumps(
            {
                "name": f"linkage_recovery_floor_{SCALE}",
                "seeds": SEEDS,
                "seeds_recovered": sum(r["misordered"] == 0 for r in rows),
                "misordered_total": sum(r["misordered"] for r in rows),
                "pairs_total": sum(r["pairs"] for r in rows),
                "misordered_per_seed": [r["misordered"] for r in rows],
                "misordered_pairs": {s: r["misordered_pairs"] for s, r in per_seed.items()},
                "how": "per seed, every firm scored with the world's own topic matrix from its "
                "patents' fields and its pages' product mentions (no model; "
                "innolink.linkage.recovery.known_matrix_scores), groups of >= 10 such firms "
                "judged as the pipeline's (pairs >= 0.1 apart in planted strength)",
            }
        )
    )


if __name__ == "__main__":
    main()
