"""Stage `link` on synthetic applicant names (10k, 100k, 1M) against 60,000 listed firms: wall
time per size, the scaling exponent of wall time in the number of names, and a naive
all-pairs comparison (every name against every firm name, one process) on the smallest size.

The registry is written straight into silver/firms (the firms stage is measured by
bench_firms): 60,000 firms of six countries named the way the synthetic world names them
(libs/innolink/synth/lexicon/names.yaml: stem + sector word + legal form; Japanese firms also
in kanji/kana). The applicants are one organisation per publication in
silver/patent_parties: names of listed firms as patents write them (exact, another spelling
of the legal form, upper case, one typo, a subsidiary abroad, the Japanese name) and names
of no listed firm (another stem, a namesake with another word, a university).

Environment: BENCH_LINK_SIZES (default 10000,100000,1000000), BENCH_LINK_FIRMS (60000),
BENCH_LINK_DRIVER_MEMORY (12g: the Spark driver's heap for every size),
BENCH_LINK_NAIVE (names compared all-pairs on the smallest size, default all of them).
Run by benchmarks/run.py; prints one JSON object.
"""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml
from harness import ROOT

LEXICON = ROOT / "libs" / "innolink" / "synth" / "lexicon" / "names.yaml"
SEED = 7


def lexicon() -> dict:
    return yaml.safe_load(LEXICON.read_text(encoding="utf-8"))


def _part(value) -> tuple[str, str]:
    """(Latin, native) of a lexicon entry ("Apex" or [Sakura, 桜])."""
    if isinstance(value, list):
        return str(value[0]), str(value[1]) if len(value) > 1 else ""
    return str(value), ""


def firm_names(n: int) -> list[dict]:
    """n distinct firms: firm_id, country, English name, Japanese name for JP firms."""
    lex = lexicon()
    countries = lex["countries"]
    sectors = [w for words in lex["sector_words"].values() for w in words]
    rng = random.Random(SEED)
    seen: set[str] = set()
    firms = []
    codes = sorted(countries)
    while len(firms) < n:
        code = codes[len(firms) % len(codes)]
        c = countries[code]
        qual, qual_ja = _part(rng.choice(c.get("qualifiers") or [""]))
        a, a_ja = _part(rng.choice(c["parts_a"]))
        b, b_ja = _part(rng.choice(c.get("parts_b") or [""]))
        en, ja, _zh = rng.choice(sectors)
        legal = rng.choice(c["legal"])
        stem = f"{qual}{a}{b.lower() if b else ''}".strip()
        # Enough firms need more stems than the lexicon has: a numbered series, as registers
        # have ("Apex 2 Systems").
        name = f"{stem} {en} {legal}"
        if name in seen:
            name = f"{stem} {rng.randint(2, 999)} {en} {legal}"
            if name in seen:
                continue
        seen.add(name)
        native = f"{qual_ja}{a_ja}{b_ja}{ja}株式会社" if code == "JP" and a_ja else None
        firms.append(
            {"firm_id": f"F{len(firms):07d}", "country": code, "name": name, "native": native}
        )
    return firms


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 2)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def applicant_names(firms: list[dict], n: int) -> list[tuple[str, str]]:
    """n distinct (name, country): 70% written from a listed firm's name, 30% of none."""
    rng = random.Random(SEED + n)
    names: set[tuple[str, str]] = set()
    out = []
    lex = lexicon()
    words = ["Trading", "Services", "Works", "Holdings Group", "Investment", "Research"]
    while len(out) < n:
        firm = firms[rng.randrange(len(firms))]
        name, country = firm["name"], firm["country"]
        r = rng.random()
        if r < 0.25:
            pass
        elif r < 0.35:
            name = name.upper()
        elif r < 0.45:
            name = name.replace(",", "").replace(".", "")
        elif r < 0.55:
            head, tail = name.split(" ", 1)
            name = f"{_typo(head, rng)} {tail}"
        elif r < 0.62:
            stem = name.rsplit(" ", 2)[0]
            name = f"{stem} {rng.choice(['Europe GmbH', 'America, Inc.', 'Japan K.K.'])}"
        elif r < 0.70 and firm["native"]:
            name = firm["native"]
        elif r < 0.85:
            stem = name.split(" ")[0]
            name = f"{stem} {rng.choice(words)} {rng.randint(1, 99_999)} Co., Ltd."
        else:
            country = rng.choice(sorted(lex["countries"]))
            place = _part(rng.choice(lex["countries"][country]["parts_a"]))[0]
            name = f"University of {place} {rng.randint(1, 10**6)}"
        key = (name, country)
        if key not in names:
            names.add(key)
            out.append(key)
    return out


def write_warehouse(warehouse: Path, firms: list[dict], apps: list[tuple[str, str]]) -> None:
    """silver/firms and silver/patent_parties of the benchmark, through the one writer."""
    import pandas as pd
    from innolink.config import load_config
    from innolink.session import build_session
    from innolink.tables import FIRMS, PATENT_PARTIES
    from innolink.writer import TableWriter
    from pyspark.sql import functions as F

    cfg = load_config("local", conf_dir=ROOT / "conf", extra={"warehouse": str(warehouse)})
    spark = build_session(cfg)
    writer = TableWriter(spark, str(warehouse), "bench", "bench")
    listing = {"JP": "JP", "CN": "CN", "US": "US", "DE": "DE", "KR": "KR", "IN": "IN"}
    rows = []
    for f in firms:
        variants = [{"name": f["name"], "lang": "en", "kind": "primary", "source": "bench"}]
        if f["native"]:
            variants.append(
                {"name": f["native"], "lang": "ja", "kind": "registered", "source": "bench"}
            )
        rows.append(
            {
                "firm_id": f["firm_id"],
                "name": f["name"],
                "name_variants": variants,
                "country": f["country"],
                "listing_country": listing[f["country"]],
            }
        )
    path = warehouse.parent / "firms.parquet"
    pd.DataFrame(rows).to_parquet(path)
    raw = spark.read.parquet(str(path))
    filled = []
    for field in FIRMS.schema.fields:
        if field.name in raw.columns:
            filled.append(F.col(field.name).cast(field.dataType).alias(field.name))
        elif field.name in ("name_norm", "home_country"):
            source = "name" if field.name == "name_norm" else "country"
            filled.append(F.col(source).alias(field.name))
        elif field.nullable:
            filled.append(F.lit(None).cast(field.dataType).alias(field.name))
        elif field.dataType.typeName() == "array":
            filled.append(F.array().cast(field.dataType).alias(field.name))
        elif field.dataType.typeName() == "boolean":
            filled.append(F.lit(False).alias(field.name))
        else:
            filled.append(F.lit("bench").alias(field.name))
    writer.merge(FIRMS, raw.select(*filled))

    parties = pd.DataFrame(
        {
            "pub_key": [f"US-{i}-B1" for i in range(len(apps))],
            "name": [a for a, _ in apps],
            "country": [c for _, c in apps],
        }
    )
    path = warehouse.parent / "parties.parquet"
    parties.to_parquet(path)
    raw = spark.read.parquet(str(path))
    given = {
        "pub_key": F.col("pub_key"),
        "role": F.lit("assignee"),
        "sequence": F.lit(1),
        "name": F.col("name"),
        "is_organization": F.lit(True),
        "country": F.col("country"),
        "run_id": F.lit("bench"),
    }
    cols = [
        given.get(f.name, F.lit(None)).cast(f.dataType).alias(f.name)
        for f in PATENT_PARTIES.schema.fields
    ]
    writer.merge(PATENT_PARTIES, raw.select(*cols))
    spark.stop()


def naive_all_pairs(firms: list[dict], apps: list[tuple[str, str]]) -> dict:
    """Every name against every firm name (normalized keys, Jaro-Winkler, the best kept):
    what a job without blocking does, in one process with RapidFuzz's C loops."""
    from innolink.normalize import normalize_name
    from rapidfuzz import process
    from rapidfuzz.distance import JaroWinkler

    choices = [normalize_name(f["name"]) or "" for f in firms]
    choices += [f["native"] for f in firms if f["native"]]
    t0 = time.process_time()
    for name, _ in apps:
        process.extractOne(normalize_name(name) or "", choices, scorer=JaroWinkler.similarity)
    cpu = time.process_time() - t0
    return {"names": len(apps), "pairs": len(apps) * len(choices), "cpu_s": round(cpu, 1)}


def _tree_cpu(pid: int, seen: dict[int, float]) -> None:
    """CPU seconds (user + system) of each live process of the tree, the largest seen."""
    tick = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    cpu: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        cpu[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
    stack = [pid]
    while stack:
        current = stack.pop()
        if current in cpu:
            seen[current] = max(seen.get(current, 0.0), cpu[current])
        stack.extend(children.get(current, []))


DRIVER_MEMORY = os.environ.get("BENCH_LINK_DRIVER_MEMORY", "12g")


def run_link(tmp: str) -> tuple[float, int, float, dict[str, float]]:
    """(wall s, peak tree RSS bytes, tree CPU s, metrics) of `innolink run link` in a new
    process: harness.run_stage plus CPU time, the figure that stays fair when other jobs
    share the machine's cores."""
    import mlflow
    from harness import INNOLINK, _tree_rss_bytes

    args = [INNOLINK, "run", "link", "--warehouse", f"{tmp}/warehouse"]
    args += ["--set", f"mlflow.tracking_uri=sqlite:///{tmp}/mlflow.db"]
    args += ["--set", f"mlflow.artifact_root={tmp}/artifacts"]
    # 1M names overflow the local env's 6g driver (the JVM spent most of its time in full GC
    # and died); every size gets the same heap so that the sizes compare.
    args += ["--set", f"spark.conf.spark.driver.memory={DRIVER_MEMORY}"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    peak, seen = 0, {}
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_bytes(proc.pid))
            _tree_cpu(proc.pid, seen)
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - t0
    done.set()
    sampler.join()
    if proc.returncode != 0:
        # The whole log: a JVM that dies prints its cause far above the last lines.
        log = Path(tempfile.gettempdir()) / "bench_link_failure.log"
        log.write_text(err)
        raise SystemExit(f"{err[-3000:]}\n(whole log: {log})")
    mlflow.set_tracking_uri(f"sqlite:///{tmp}/mlflow.db")
    run = mlflow.search_runs(
        experiment_names=["innolink"], order_by=["start_time DESC"], output_format="list"
    )[0]
    return wall, peak, sum(seen.values()), dict(run.data.metrics)


def exponent(sizes: list[int], walls: list[float]) -> float | None:
    if len(sizes) < 2:
        return None
    return round(math.log(walls[-1] / walls[0]) / math.log(sizes[-1] / sizes[0]), 3)


def main() -> None:
    sizes = [int(s) for s in os.environ.get("BENCH_LINK_SIZES", "10000,100000,1000000").split(",")]
    n_firms = int(os.environ.get("BENCH_LINK_FIRMS", "60000"))
    firms = firm_names(n_firms)
    runs = []
    naive = None
    for size in sizes:
        apps = applicant_names(firms, size)
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            write_warehouse(Path(tmp) / "warehouse", firms, apps)
            prep = time.perf_counter() - t0
            wall, peak, cpu, m = run_link(tmp)
        runs.append(
            {
                "names": size,
                "wall_s": round(wall, 1),
                "cpu_s": round(cpu, 1),
                "names_per_s": round(size / wall, 1),
                "linked": int(m.get("linked", 0)),
                "firm_patents": int(m.get("firm_patents", 0)),
                "peak_rss_mb": round(peak / 2**20),
                "prep_s": round(prep, 1),
            }
        )
        print(json.dumps(runs[-1]), flush=True, file=sys.stderr)
        if naive is None:
            limit = int(os.environ.get("BENCH_LINK_NAIVE", str(size)))
            naive = naive_all_pairs(firms, apps[:limit])
            naive["est_cpu_s_all_names"] = round(naive["cpu_s"] * size / max(limit, 1), 1)
    walls = [r["wall_s"] for r in runs]
    cpus = [r["cpu_s"] for r in runs]
    print(
        json.dumps(
            {
                "name": "link_stage_synthetic_names",
                "firms": n_firms,
                "driver_memory": DRIVER_MEMORY,
                "runs": runs,
                "scaling_exponent": exponent(sizes, walls),
                "scaling_exponent_cpu": exponent(sizes, cpus),
                "naive_all_pairs_smallest": naive,
                "how": "innolink run link (new process, fresh warehouse holding silver/firms "
                "and one publication per applicant name; wall includes JVM start, analysis of "
                "every firm name, blocking, scoring, Delta MERGEs of both tables); scaling "
                "exponent = log(wall_last / wall_first) / log(names_last / names_first), and "
                "the same of the process tree's CPU seconds (fair when other jobs share the "
                "cores); naive = RapidFuzz Jaro-Winkler of every name against every firm name, "
                "one process, CPU seconds",
            }
        )
    )


if __name__ == "__main__":
    main()
