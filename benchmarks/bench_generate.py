"""`innolink generate` at a scale (BENCH_GENERATE_SCALE, default M), against raw single-process
loops over the same work.

The job runs as a user runs it, in a new process (JVM start included); peak memory is the
whole process tree's. The baselines render the same world's patents (USPTO XML and Google
JSON lines) and web sites (HTML into WARC records) in this one process with the same
functions, without Spark, for BENCH_BASELINE_S seconds each: the ratio says what the Spark
job adds or gains on this machine. Run by benchmarks/run.py; prints one JSON object.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from datetime import datetime
from pathlib import Path

from harness import INNOLINK, measured

SCALE = os.environ.get("BENCH_GENERATE_SCALE", "M")
SEED = int(os.environ.get("BENCH_GENERATE_SEED", "1"))
BASELINE_S = float(os.environ.get("BENCH_BASELINE_S", "20"))
CRAWLED = datetime(2024, 6, 3)


def baseline_rates(seed: int, scale_name: str) -> tuple[float, float]:
    """(patents/s, pages/s) of the generator's own functions in one process."""
    from innolink.synth import formats
    from innolink.synth.generate import firm_of, patent_keys, render_patent, site_pages, world_of
    from innolink.synth.world import SCALES

    scale = SCALES[scale_name]
    world = world_of(seed, scale)
    keys = patent_keys(seed, scale, 0)
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < BASELINE_S / 2:
        (office, period), key = keys[n % len(keys)]
        render_patent(seed, scale, office, period, key, n)
        n += 1
    patents_per_s = n / (time.perf_counter() - t0)
    pages, index, t0 = 0, 0, time.perf_counter()
    block = world.block_range(0)
    while time.perf_counter() - t0 < BASELINE_S / 2:
        firm = firm_of(seed, scale, block[index % len(block)])
        index += 1
        if not firm["website"]:
            continue
        for page in site_pages(world, firm):
            body = page["html"].encode("utf-8")
            block = formats.http_response("200 OK", "text/html", body, CRAWLED)
            formats.warc_response(page["url"], CRAWLED, "<urn:x>", "203.0.113.1", block)
            pages += 1
    return patents_per_s, pages / (time.perf_counter() - t0)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-generate-") as tmp:
        out = Path(tmp) / "world"
        wall, peak, result = measured(
            [INNOLINK, "generate", "--scale", SCALE, "--seed", str(SEED), "--out", str(out)]
        )
        if result.returncode != 0:
            raise SystemExit(result.stderr[-3000:])
        manifest = json.loads((out / "MANIFEST.json").read_text(encoding="utf-8"))
    counts = manifest["counts"]
    patents_per_s, pages_per_s = baseline_rates(SEED, SCALE)
    total_bytes = sum(manifest["bytes"].values())
    # the single process would render patents, then pages, one after the other
    baseline_s = counts["patents"] / patents_per_s + counts["pages"] / pages_per_s
    print(
        json.dumps(
            {
                "name": f"generate_world_{SCALE}",
                "firms": counts["firms"],
                "patents": counts["patents"],
                "pages": counts["pages"],
                "bytes_mb": round(total_bytes / 1e6, 1),
                "wall_s": round(wall, 1),
                "peak_rss_mb": round(peak / 2**20),
                "patents_per_s": round(counts["patents"] / wall, 1),
                "pages_per_s": round(counts["pages"] / wall, 1),
                "baseline_patents_per_s": round(patents_per_s, 1),
                "baseline_pages_per_s": round(pages_per_s, 1),
                "baseline_render_s": round(baseline_s, 1),
                "wall_over_baseline": round(wall / baseline_s, 2),
                "how": (
                    f"innolink generate --scale {SCALE} --seed {SEED} in a new process (JVM start, "
                    "all three phases, MANIFEST hashing); baseline = the same render functions "
                    "in one process without Spark, rates over "
                    f"{BASELINE_S:.0f} s, extrapolated to the world's counts"
                ),
            }
        )
    )


if __name__ == "__main__":
    main()
