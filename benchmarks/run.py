"""Run every benchmarks/bench_*.py, keep their JSON in benchmarks/results/, write BENCHMARKS.md."""

import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def machine() -> str:
    mem_kb = next(
        int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal")
    )
    return f"{platform.machine()}, {os.cpu_count()} cores, {mem_kb / 2**20:.0f} GiB, Python {platform.python_version()}"


def main() -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    rows = []
    for script in sorted((ROOT / "benchmarks").glob("bench_*.py")):
        print(f"running {script.name} ...", flush=True)
        out = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, cwd=ROOT, check=True
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        result["date"] = datetime.now(UTC).strftime("%Y-%m-%d")
        result["machine"] = machine()
        (RESULTS / f"{result['name']}.json").write_text(json.dumps(result, indent=2) + "\n")
        rows.append(result)
        print(json.dumps(result), flush=True)
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (benchmarks/run.py); raw figures in benchmarks/results/*.json.",
        "Each row's figures come from one run of that command on the machine named.",
        "",
        "| benchmark | figures | how measured | machine | date |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        figures = ", ".join(
            f"{k}={v}" for k, v in r.items() if k not in ("name", "how", "machine", "date")
        )
        lines.append(f"| {r['name']} | {figures} | {r['how']} | {r['machine']} | {r['date']} |")
    (ROOT / "BENCHMARKS.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
