"""Run benchmarks/bench_*.py, keep their JSON in benchmarks/results/, write BENCHMARKS.md.

`python benchmarks/run.py [NAME ...]` runs the named ones (bench_NAME.py; all when none is
named, `make bench BENCH="patents pages"`); BENCHMARKS.md is written from every result kept in
benchmarks/results/, so a row stays until its benchmark runs again. Each bench script prints
its progress on stderr and one JSON object last on stdout.
"""

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


def main(names: list[str]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    scripts = sorted((ROOT / "benchmarks").glob("bench_*.py"))
    if names == ["--render"]:
        # BENCHMARKS.md from the kept results alone (after editing how a table is drawn).
        scripts = []
    elif names:
        known = {s.stem.removeprefix("bench_"): s for s in scripts}
        unknown = sorted(set(names) - set(known))
        if unknown:
            raise SystemExit(f"no benchmark named {unknown}; known: {sorted(known)}")
        scripts = [known[n] for n in names]
    for script in scripts:
        print(f"running {script.name} ...", flush=True)
        # stderr passes through: a long benchmark shows where it is.
        out = subprocess.run(
            [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=ROOT
        )
        if out.returncode:
            raise SystemExit(f"{script.name} failed (exit {out.returncode})")
        result = json.loads(out.stdout.strip().splitlines()[-1])
        result.setdefault("command", _command(script.stem.removeprefix("bench_")))
        result["date"] = datetime.now(UTC).strftime("%Y-%m-%d")
        result["machine"] = machine()
        (RESULTS / f"{result['name']}.json").write_text(json.dumps(result, indent=2) + "\n")
        print(json.dumps(result), flush=True)
    rows = [json.loads(p.read_text()) for p in sorted(RESULTS.glob("*.json"))]
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (benchmarks/run.py); raw figures in benchmarks/results/*.json.",
        "Each row's figures come from one run of that command on the machine named.",
        "",
        "| benchmark | command | figures | how measured | machine | date |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        figures = ", ".join(
            f"{k}={_value(v)}"
            for k, v in r.items()
            if k not in ("name", "how", "machine", "date", "stages", "command")
        )
        lines.append(
            f"| {r['name']} | `{r.get('command', 'make bench')}` | {figures} | {r['how']} "
            f"| {r['machine']} | {r['date']} |"
        )
    for r in rows:
        if isinstance(r.get("stages"), dict):
            lines += _stage_table(r)
    (ROOT / "BENCHMARKS.md").write_text("\n".join(lines) + "\n")


def _command(name: str) -> str:
    """The command that reproduces a result: the benchmark's BENCH_* settings of this run."""
    prefix = f"BENCH_{name.upper()}_"
    settings = {k: v for k, v in sorted(os.environ.items()) if k.startswith(prefix)}
    if name == "pipeline":
        scale = settings.pop("BENCH_PIPELINE_SCALE", "M")
        target = f"make bench SCALE={scale}"
    else:
        target = f"make bench BENCH={name}"
    env = " ".join(f"{k}={v}" for k, v in settings.items())
    return f"{env} {target}" if env else target


def _value(v) -> str:
    # Nested figures (per size, per seed) stay readable JSON in a table cell.
    return json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else str(v)


def _stage_table(r: dict) -> list[str]:
    """A pipeline benchmark's stages, one row each (make bench BENCH=pipeline)."""
    stages: dict[str, dict] = r["stages"]
    columns = list(dict.fromkeys(k for s in stages.values() for k in s))
    ratios = r.get("stage_over_2x_raw", {})
    out = [
        "",
        f"## {r['name']}: every stage ({r['date']}, {r['machine']})",
        "",
        f"`{r['how'].split(':')[0]}`; stage/2xraw = the stage's records/s over two cores' "
        "worth of the raw single-process loop of the same work, measured in the same run.",
        "",
        "| stage | " + " | ".join(columns) + " | stage/2xraw |",
        "|---|" + "---|" * (len(columns) + 1),
    ]
    for name, s in stages.items():
        cells = [str(s.get(c, "")) for c in columns]
        out.append(f"| {name} | " + " | ".join(cells) + f" | {ratios.get(name, '')} |")
    return out


if __name__ == "__main__":
    main(sys.argv[1:])
