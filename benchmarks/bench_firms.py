"""Stage `firms` on every firm list and every GLEIF file in ../shared/data/companies, in a
fresh warehouse, next to a raw single-process parse of the same files.

Raw baselines (one process, the same bytes): the standard parsers alone (csv, json, lxml:
rows / resources / records counted, nothing derived) and innolink's own readers (the work a
Spark task does per file: validation, exchanges by MIC, names without legal forms).

The registry of the world: 60,000 firms (the synthetic world's names, six home countries)
listed on 39 exchanges of 31 countries (every fourth firm cross-listed abroad), written as
financedatabase files keyed by real ISO 10383 MICs, through the same stage; BENCH_FIRMS_WORLD
may name a folder of firm-list CSVs to use instead (e.g. the firms/ folder of an L world).

Run by benchmarks/run.py; prints one JSON object.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
import time
from pathlib import Path

from harness import ROOT, SHARED, run_stage
from lxml import etree

COMPANIES = SHARED / "companies"
GLEIF = COMPANIES / "gleif"


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
        (GLEIF / "api_json/gleif-rs", "gleif-api"),
        (GLEIF / "api_json/whichlei", "gleif-api"),
        (GLEIF / "derived/lei_direct_parent_selected.repackaged.csv", "gleif-parents-csv"),
        (GLEIF / "lei_cdf_xml", "gleif-lei-xml"),
        (GLEIF / "golden_copy_json", "gleif-lei-json"),
    ]
    return found


def files_of(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]


def stdlib_count(fmt: str, data: bytes) -> int:
    """Records found by the standard parsers alone."""
    if fmt in ("jpx-names",):
        return len(json.loads(data))
    if fmt == "gleif-api":
        doc = json.loads(data)
        doc = doc.get("body", doc)
        items = doc["data"] if isinstance(doc["data"], list) else [doc["data"]]
        return len(items) + len(doc.get("included") or [])
    if fmt == "gleif-lei-json":
        return len(json.loads(data)["records"])
    if fmt == "gleif-lei-xml":
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
        return sum(1 for _ in root.iter("{*}LEIRecord"))
    encoding = "cp932" if fmt == "edinet" else "utf-8-sig"
    return sum(1 for _ in csv.reader(io.StringIO(data.decode(encoding)))) - 1


def raw_rates(files: list[tuple[Path, str]], repeat_s: float = 10.0) -> tuple[float, float, int]:
    """(stdlib records/s, innolink readers records/s, records) over the files, one process."""
    from innolink.config import load_config
    from innolink.firms.gleif import whole_file_records
    from innolink.firms.readers import read_file
    from innolink.firms.stage import read_context

    ctx = read_context(load_config("local", conf_dir=ROOT / "conf"))
    blobs = [(fmt, str(p), p.read_bytes()) for path, fmt in files for p in files_of(path)]

    def rate(one) -> tuple[float, int]:
        n = rounds = 0
        t0 = time.perf_counter()
        while rounds == 0 or time.perf_counter() - t0 < repeat_s:
            for fmt, path, data in blobs:
                n += one(fmt, path, data)
            rounds += 1
        return n / (time.perf_counter() - t0), n // rounds

    def readers(fmt, path, data) -> int:
        if fmt.startswith("gleif-"):
            return sum(1 for _ in whole_file_records(fmt, path, data, ctx))
        return sum(1 for _ in read_file(fmt, path, data, ctx))

    stdlib, _ = rate(lambda fmt, path, data: stdlib_count(fmt, data))
    ours, records = rate(readers)
    return stdlib, ours, records


HOME = {
    "CN": "China",
    "DE": "Germany",
    "IN": "India",
    "JP": "Japan",
    "KR": "South Korea",
    "US": "United States",
}
HOME_MICS = {
    "US": ["XNYS", "XNAS", "XASE"],
    "JP": ["XTKS", "XNGO", "XSAP"],
    "CN": ["XSHG", "XSHE"],
    "DE": ["XETR", "XFRA"],
    "IN": ["XBOM", "XNSE"],
    "KR": ["XKRX", "XKOS"],
}
# Real operating markets of ISO 10383 where the firms are cross-listed: the registry spans
# 39 exchanges of 31 countries, each resolved by its MIC alone (no `exchanges:` override).
# XFRA gets no firm: German firms come every sixth, foreign listings every fourth, and the
# German firms that would be its are the ones listed abroad.
FOREIGN_MICS = [
    "XHKG",
    "XTAI",
    "ROCO",
    "XLON",
    "XPAR",
    "XAMS",
    "XBRU",
    "XLIS",
    "XMIL",
    "XMAD",
    "XSWX",
    "XSTO",
    "XCSE",
    "XHEL",
    "XOSL",
    "XWBO",
    "XWAR",
    "XSES",
    "XBKK",
    "XKLS",
    "XIDX",
    "XASX",
    "XTSE",
    "XJSE",
    "BVMF",
    "XMEX",
]
COLUMNS = [
    "symbol",
    "name",
    "summary",
    "currency",
    "sector",
    "industry_group",
    "industry",
    "exchange",
    "mic",
    "market",
    "country",
    "state",
    "city",
    "zipcode",
    "website",
    "market_cap",
    "isin",
    "cusip",
    "figi",
    "composite_figi",
    "shareclass_figi",
    "delisted",
]


def write_world_registry(folder: Path, n: int) -> int:
    """n firms (the synthetic world's names, six home countries) in financedatabase files, one
    per exchange: every fourth firm on a foreign exchange. Returns the number of exchanges."""
    from bench_link import firm_names

    rows: dict[str, list[list[str]]] = {}
    for i, firm in enumerate(firm_names(n)):
        home = firm["country"]
        if i % 4 == 3:
            mic = FOREIGN_MICS[(i // 4) % len(FOREIGN_MICS)]
        else:
            # Firms come in turns of the six countries: i // 6 walks each country's exchanges.
            mic = HOME_MICS[home][(i // 6) % len(HOME_MICS[home])]
        slug = "".join(ch for ch in firm["name"].lower() if ch.isalnum())[:40]
        row = dict.fromkeys(COLUMNS, "")
        row.update(
            symbol=f"S{i:06d}.{mic}",
            name=firm["name"],
            exchange=mic,
            mic=mic,
            country=HOME[home],
            website=f"https://www.{slug}.com",
            delisted="False",
        )
        rows.setdefault(mic, []).append([row[c] for c in COLUMNS])
    folder.mkdir(parents=True, exist_ok=True)
    for mic, lines in rows.items():
        with (folder / f"{mic}.csv").open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(COLUMNS)
            w.writerows(lines)
    return len(rows)


def world_registry() -> dict:
    """The firms stage on a registry of BENCH_FIRMS_WORLD_FIRMS (60,000) firms across 40
    exchanges; BENCH_FIRMS_WORLD names a folder of firm-list CSVs to use instead."""
    n = int(os.environ.get("BENCH_FIRMS_WORLD_FIRMS", "60000"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(os.environ.get("BENCH_FIRMS_WORLD") or Path(tmp) / "registry")
        exchanges = None
        if not os.environ.get("BENCH_FIRMS_WORLD"):
            exchanges = write_world_registry(folder, n)
        files = [(p, "financedatabase") for p in sorted(folder.glob("*.csv"))]
        wall, peak, m = run_stage("firms", files, tmp)
    return {
        "world_files": len(files),
        "world_exchanges": exchanges if exchanges is not None else len(files),
        "world_records_in": int(m["records_in"]),
        "world_firms": int(m["firms"]),
        "world_rejected": int(m.get("records_rejected", 0)),
        "world_wall_s": round(wall, 1),
        "world_records_per_s": round(m["records_in"] / wall, 1),
        "world_peak_rss_mb": round(peak / 2**20),
    }


def main() -> None:
    files = inputs()
    stdlib_rate, reader_rate, raw_records = raw_rates(files)
    with tempfile.TemporaryDirectory() as tmp:
        wall, peak, m = run_stage("firms", files, tmp)
    stage_rate = m["records_in"] / wall
    print(
        json.dumps(
            {
                "name": "firms_stage_all_company_files",
                "inputs": len(files),
                "records_in": int(m["records_in"]),
                "firms": int(m["firms"]),
                "legal_entities": int(m.get("legal_entities", 0)),
                "family_members": int(m.get("family_members", 0)),
                "wall_s": round(wall, 1),
                "records_per_s": round(stage_rate, 1),
                "raw_stdlib_records_per_s_1core": round(stdlib_rate, 1),
                "raw_readers_records_per_s_1core": round(reader_rate, 1),
                "raw_records": raw_records,
                "stage_over_2x_raw_readers": round(stage_rate / (2 * reader_rate), 3),
                "peak_rss_mb": round(peak / 2**20),
                **world_registry(),
                "how": "innolink run firms on every firm list and GLEIF file in "
                "../shared/data/companies (new process, fresh warehouse; wall includes JVM "
                "start, MLflow run, entity resolution, the family walk and the Delta MERGEs "
                "of 6 tables); raw = one process over the same bytes: csv/json/lxml alone, "
                "and innolink's readers; peak = RSS of the whole process tree",
            }
        )
    )


if __name__ == "__main__":
    main()
