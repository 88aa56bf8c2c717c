"""Stage `firms` on every firm list in ../shared/data/companies, in a fresh warehouse.

Run by benchmarks/run.py; prints one JSON object.
"""

import json
import tempfile
from pathlib import Path

from harness import SHARED, run_stage

COMPANIES = SHARED / "companies"


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
        wall, peak, m = run_stage("firms", files, tmp)
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
                "peak_rss_mb": round(peak / 2**20),
                "how": "innolink run firms on every file in ../shared/data/companies (new process, fresh warehouse; "
                "wall time includes JVM start, MLflow run and both Delta MERGEs; peak = RSS of the process tree)",
            }
        )
    )


if __name__ == "__main__":
    main()
