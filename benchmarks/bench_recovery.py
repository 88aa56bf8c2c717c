"""Does the whole pipeline recover the planted order of linkage strengths? (issue: linkage)

For each seed (BENCH_RECOVERY_SEEDS, default 20, from BENCH_RECOVERY_FIRST_SEED;
BENCH_RECOVERY_SCALE, default demo): generate a world and run every stage from firms to
keywords on it, in a new process; then the linkage stage once per variant on the same tables
(in one new process, one Spark session), and compare the groups' mean scores with the planted
strengths (innolink.linkage.recovery): pairs of groups whose strengths differ by >= 0.1 that
come out misordered, Spearman's rho of strength vs group mean, and the gap of the scores to
the shuffle baseline.

Variants: the defaults; the technology side in text tokens only (tech_space=text, what the
WIPO fields add); the product side in raw keywords (product_space=keywords, what the
concepts add).

With BENCH_RECOVERY_DIR the worlds and warehouses stay in DIR/s<seed>, and a seed whose
upstream stages finished (DIR/s<seed>/upstream.json) is not generated and run again: changing
the linkage stage then costs the linkage runs only. Prints one JSON object per seed, then the
summary.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import pandas as pd
from harness import INNOLINK, measured, world_sets

SEEDS = int(os.environ.get("BENCH_RECOVERY_SEEDS", "20"))
FIRST = int(os.environ.get("BENCH_RECOVERY_FIRST_SEED", "1"))
SCALE = os.environ.get("BENCH_RECOVERY_SCALE", "demo")
KEEP = os.environ.get("BENCH_RECOVERY_DIR")
UPSTREAM = ["firms", "patents", "pages", "link", "keywords"]
VARIANTS = {
    "default": [],
    "text_only": ["stages.linkage.tech_space=text"],
    "keywords_space": ["stages.linkage.product_space=keywords"],
}


def common_sets(tmp: Path) -> list[str]:
    return [
        f"mlflow.tracking_uri=sqlite:///{tmp}/mlflow.db",
        f"mlflow.artifact_root={tmp}/artifacts",
        "stages.keywords.log_models=false",
        *world_sets(tmp / "world"),
    ]


def upstream(seed: int, tmp: Path) -> float | None:
    """World and warehouse up to gold/firm_keywords; seconds, None when kept from before."""
    marker = tmp / "upstream.json"
    if marker.exists():
        return None
    wall_gen, _, out = measured(
        [INNOLINK, "generate", "--scale", SCALE, "--seed", str(seed), "--out", str(tmp / "world")]
    )
    if out.returncode:
        raise SystemExit(out.stderr[-3000:])
    args = [INNOLINK, "run", *UPSTREAM, "--warehouse", str(tmp / "warehouse")]
    for assignment in common_sets(tmp):
        args += ["--set", assignment]
    wall, _, out = measured(args)
    if out.returncode:
        raise SystemExit(out.stderr[-3000:])
    marker.write_text(json.dumps({"seed": seed, "scale": SCALE, "upstream_s": round(wall, 1)}))
    return wall


def variants(tmp: Path) -> dict:
    """The linkage stage per variant, in this process (one Spark session): recovery of each."""
    from deltalake import DeltaTable
    from innolink.cli import main as innolink
    from innolink.linkage.recovery import recovery

    groups = pd.read_csv(tmp / "world" / "truth" / "group_truth.csv")
    out = {}
    for name, extra in VARIANTS.items():
        args = ["run", "linkage", "--warehouse", str(tmp / "warehouse")]
        for assignment in [*common_sets(tmp), *extra]:
            args += ["--set", assignment]
        if innolink(args) != 0:
            raise SystemExit(f"linkage ({name}) failed")
        scores = DeltaTable(str(tmp / "warehouse" / "gold" / "firm_scores")).to_pandas()
        out[name] = recovery(scores, groups).as_dict()
    return out


def one_seed(seed: int, tmp: Path) -> dict:
    up = upstream(seed, tmp)
    wall, _, out = measured([sys.executable, __file__, "--variants", str(tmp)])
    if out.returncode:
        raise SystemExit(out.stderr[-3000:])
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return {
        "seed": seed,
        "upstream_s": round(up, 1) if up is not None else None,
        "linkage_variants_s": round(wall, 1),
        **result,
    }


def main() -> None:
    per_seed = []
    for seed in range(FIRST, FIRST + SEEDS):
        if KEEP:
            tmp = Path(KEEP) / f"s{seed}"
            tmp.mkdir(parents=True, exist_ok=True)
            result = one_seed(seed, tmp)
        else:
            with tempfile.TemporaryDirectory(prefix="bench-recovery-") as name:
                result = one_seed(seed, Path(name))
        per_seed.append(result)
        print(json.dumps(result), flush=True)
    best = [r["default"] for r in per_seed]
    summary = {
        "name": f"linkage_recovery_{SCALE}",
        "seeds": SEEDS,
        "seeds_recovered": sum(r["recovered"] for r in best),
        "misordered_total": sum(r["misordered"] for r in best),
        "pairs_total": sum(r["pairs"] for r in best),
        "misordered_per_seed": [r["misordered"] for r in best],
        "spearman_per_seed": [round(r["spearman"], 3) for r in best],
        "shuffle_gap_per_seed": [round(r["shuffle_gap"], 3) for r in best],
        "groups_judged_per_seed": [r["groups"] for r in best],
        "pairs_per_seed": [r["pairs"] for r in best],
        "misordered_pairs": {r["seed"]: r["default"]["misordered_pairs"] for r in per_seed},
    }
    for name in VARIANTS:
        if name == "default":
            continue
        summary[f"{name}_seeds_recovered"] = sum(r[name]["recovered"] for r in per_seed)
        summary[f"{name}_misordered_per_seed"] = [r[name]["misordered"] for r in per_seed]
    summary["upstream_s_per_seed"] = [r["upstream_s"] for r in per_seed]
    summary["how"] = (
        f"cd benchmarks && BENCH_RECOVERY_SEEDS={SEEDS} BENCH_RECOVERY_FIRST_SEED={FIRST} "
        f"BENCH_RECOVERY_SCALE={SCALE} ../.venv/bin/python bench_recovery.py: per seed "
        "innolink generate, innolink run firms..keywords (upstream_s; null: kept from an "
        "earlier run of the same commands in BENCH_RECOVERY_DIR), then innolink run linkage "
        f"per variant ({', '.join(VARIANTS)}) on the same tables"
    )
    print(json.dumps(summary))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--variants"]:
        print(json.dumps(variants(Path(sys.argv[2]))))
    else:
        main()
