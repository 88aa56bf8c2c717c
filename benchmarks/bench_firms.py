"""Stage `firms` on every firm list in ../shared/data/companies, in a fresh warehouse.

Run by benchmarks/run.py; prints one JSON object.
"""

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMPANIES = ROOT.parent / "shared" / "data" / "companies"


def inputs() -> list[tuple[Path, str]]:
    found = [
        (p, "financedatabase")
        for p in sorted((COMPANIES / "financedatabase_equities").glob("*.csv"))
    ]
    found += [
        (COMPANIES / "sp500_constituents.csv", "sp500"),
        (COMPANIES / "tse_all_stocks_ja.json", "jpx-names"),
        (COMPANIES / "cjk/edinet_code_list_20261005.cp932.csv", "edinet"),
        (COMPANIES / "cjk/adata_a_share_codes_zh.csv", "cn-names"),
        (COMPANIES / "cjk/twse_listed_stocks_zh.repackaged.csv", "cn-names"),
    ]
    return found


def main() -> None:
    files = inputs()
    with tempfile.TemporaryDirectory() as tmp:
        args = [
            str(Path(sys.executable).parent / "innolink"),
            "run",
            "firms",
            "--warehouse",
            f"{tmp}/warehouse",
            "--set",
            f"mlflow.tracking_uri=sqlite:///{tmp}/mlflow.db",
            "--set",
            f"mlflow.artifact_root={tmp}/artifacts",
        ]
        for path, fmt in files:
            args += ["--input", str(path), "--format", fmt]
        t0 = time.perf_counter()
        out = subprocess.run(args, capture_output=True, text=True, cwd=ROOT)
        wall = time.perf_counter() - t0
        if out.returncode != 0:
            raise SystemExit(out.stderr[-2000:])
        import mlflow

        mlflow.set_tracking_uri(f"sqlite:///{tmp}/mlflow.db")
        run = mlflow.search_runs(experiment_names=["innolink"], output_format="list")[-1]
        m = run.data.metrics
    print(
        json.dumps(
            {
                "name": "firms_stage_all_company_files",
                "files": len(files),
                "records_in": int(m["records_in"]),
                "firms": int(m["firms"]),
                "wall_s": round(wall, 1),
                "records_per_s": round(m["records_in"] / wall, 1),
                "firms_per_s": round(m["firms"] / wall, 1),
                "how": "innolink run firms on every file in ../shared/data/companies (new process, fresh warehouse; "
                "wall time includes JVM start, MLflow run and both Delta MERGEs)",
            }
        )
    )


if __name__ == "__main__":
    main()
