"""Spark session start: a new process building the session with all jars, then one query.

Run by benchmarks/run.py; prints one JSON object.
"""

import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHILD = """
import time
t0 = time.perf_counter()
from innolink.config import load_config
from innolink.session import build_session
spark = build_session(load_config("local", conf_dir="{conf}"))
spark.range(10).count()
t1 = time.perf_counter()
build_session(load_config("local", conf_dir="{conf}")).range(10).count()
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def main(runs: int = 3) -> None:
    starts, reuses = [], []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", CHILD.format(conf=ROOT / "conf")],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        first, again = (float(x) for x in out.stdout.split()[-2:])
        starts.append(first)
        reuses.append(again)
    result = {
        "name": "spark_session_start",
        "cold_s": round(starts[0], 2),
        "warm_s": round(statistics.median(starts[1:]), 2),
        "reuse_in_process_s": round(statistics.median(reuses), 3),
        "runs": runs,
        "how": "new Python process: build_session(local) with Delta + hadoop-aws jars, then spark.range(10).count(); "
        "cold = first of the runs, warm = median of the others (OS file cache warm); reuse = getOrCreate in the same process",
    }
    result["warm_over_cold"] = round(result["warm_s"] / result["cold_s"], 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
