"""What every stage benchmark does: run `innolink run STAGE` as a user would, in a new process
with a fresh warehouse, and measure wall time and the peak memory of the whole process tree
(the Python driver, the Spark JVM and its Python workers)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
INNOLINK = str(Path(sys.executable).parent / "innolink")


def _tree_rss_bytes(pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/statm") as f:
                rss[int(entry)] = int(f.read().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += rss.get(current, 0)
        stack.extend(children.get(current, []))
    return total


def measured(args: list[str], cwd: Path = ROOT) -> tuple[float, int, subprocess.CompletedProcess]:
    """(wall seconds, peak tree RSS bytes, result) of a command, sampled every 0.2 s."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_bytes(proc.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    done.set()
    sampler.join()
    return wall, peak, subprocess.CompletedProcess(args, proc.returncode, out, err)


def run_stage(
    stage: str, inputs: list[tuple[Path, str]], tmp: str, *sets: str
) -> tuple[float, int, dict[str, float]]:
    """innolink run STAGE on the inputs in a fresh warehouse under tmp: (wall, peak, metrics)."""
    args = [
        INNOLINK,
        "run",
        stage,
        "--warehouse",
        f"{tmp}/warehouse",
        "--set",
        f"mlflow.tracking_uri=sqlite:///{tmp}/mlflow.db",
        "--set",
        f"mlflow.artifact_root={tmp}/artifacts",
    ]
    for assignment in sets:
        args += ["--set", assignment]
    for path, fmt in inputs:
        args += ["--input", str(path), "--format", fmt]
    wall, peak, out = measured(args)
    if out.returncode != 0:
        raise SystemExit(out.stderr[-3000:])
    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{tmp}/mlflow.db")
    runs = mlflow.search_runs(
        experiment_names=["innolink"], order_by=["start_time DESC"], output_format="list"
    )
    # Nested runs (linkage: one per group) are not the stage's run.
    run = next(r for r in runs if "mlflow.parentRunId" not in r.data.tags)
    return wall, peak, dict(run.data.metrics)


def world_sets(world: Path) -> list[str]:
    """--set assignments that make the firms, patents and pages stages read a synthetic world
    (`innolink generate`) and nothing else."""
    from innolink.synth.generate import input_overrides

    return input_overrides(world)
