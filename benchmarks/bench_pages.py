"""Stage `pages` on a generated WARC file, against a raw single-process FastWARC + Resiliparse
loop over the same records.

The WARC file holds the real pages of ../shared/data/web/html (38 corporate and news pages,
6-586 KB) as response records, each page once per firm site: BENCH_PAGES (default 40000)
records spread over sites of at most 38 pages, so no page is a duplicate within its firm's
site and every record is a page; plus one 50 MB page, which the stage must reject unread.
The raw loop is what a hand-written job would do per record: FastWARC iteration, charset
detection and decoding, Resiliparse parse and main-content extraction. Run by
benchmarks/run.py; prints one JSON object.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from harness import INNOLINK, ROOT, SHARED

HTML = SHARED / "web" / "html"
MB = 1 << 20


def real_pages() -> list[tuple[str, bytes]]:
    rows = csv.DictReader((HTML / "url_index.csv").open(encoding="utf-8"))
    return [(row["url"], (HTML / row["file"]).read_bytes()) for row in rows]


def write_warc(path: Path, count: int, pages: list[tuple[str, bytes]]) -> dict[str, str]:
    """`count` response records (each page once per site) and a 50 MB page; firm domains."""
    from innolink.pages.readers.warc import response_record

    domains: dict[str, str] = {}
    with path.open("wb") as out:
        for n in range(count):
            site, which = divmod(n, len(pages))
            url, body = pages[which]
            domain = f"firm{site:06d}.com"
            domains[domain] = f"F{site:06d}"
            slug = url.split("://", 1)[1].split("/", 1)[-1][:80]
            out.write(response_record(f"https://www.{domain}/{slug}", body, record_id=f"{n:032x}"))
        big = (
            b"<html><body>" + b"<p>a fifty megabyte page</p>" * (50 * MB // 28) + b"</body></html>"
        )
        out.write(response_record("https://www.firm000000.com/big", big))
    return domains


def raw_rates(path: Path, seconds: float, domains: dict[str, str]) -> dict[str, float]:
    """Pages per CPU-second of two single-process loops over the file's first records:
    `bare`, FastWARC + Resiliparse main-content extraction (what a hand-written loop does);
    `same_work`, innolink's own reader and per-record work (charsets, boilerplate, language,
    kind, links, MinHash), without Spark."""
    from fastwarc.warc import ArchiveIterator, WarcRecordType
    from innolink.config import load_config
    from innolink.pages.readers import warc
    from innolink.pages.readers.streams import S3Settings
    from innolink.pages.records import process
    from innolink.pages.stage import settings_of
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.encoding import bytes_to_str, detect_encoding
    from resiliparse.parse.html import HTMLTree

    n, t0 = 0, time.process_time()
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream, record_types=WarcRecordType.response):
            if record.content_length > 10 * MB:
                continue
            body = record.reader.read()
            html = bytes_to_str(body, detect_encoding(body))
            extract_plain_text(HTMLTree.parse(html), main_content=True)
            n += 1
            if time.process_time() - t0 > seconds / 2:
                break
    bare = n / (time.process_time() - t0)

    settings = settings_of(load_config("local", conf_dir=ROOT / "conf").stages.pages)
    keys = {domain: (firm,) for domain, firm in domains.items()}
    split = warc.Split(0, "warc", str(path), 0, path.stat().st_size, None)
    n, t0 = 0, time.process_time()
    for raw in warc.read_split(split, 10 * MB, S3Settings()):
        process(0, "warc", raw, keys, settings)
        n += 1
        if time.process_time() - t0 > seconds / 2:
            break
    return {"bare": bare, "same_work": n / (time.process_time() - t0)}


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


def run_measured(args: list[str]) -> tuple[float, int, float, subprocess.CompletedProcess]:
    """(wall s, peak tree RSS bytes, tree CPU s, result): harness.measured plus CPU time, the
    figure that stays fair when other jobs share the machine's cores."""
    from harness import _tree_rss_bytes

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
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    done.set()
    sampler.join()
    return (
        wall,
        peak,
        sum(seen.values()),
        subprocess.CompletedProcess(args, proc.returncode, out, err),
    )


def stage_run(tmp: str) -> tuple[dict[str, float], float]:
    """(metrics, duration of the stage's MLflow run: no JVM start, no session build)."""
    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{tmp}/mlflow.db")
    run = mlflow.search_runs(
        experiment_names=["innolink"], order_by=["start_time DESC"], output_format="list"
    )[0]
    return dict(run.data.metrics), (run.info.end_time - run.info.start_time) / 1000


def main() -> None:
    count = int(os.environ.get("BENCH_PAGES", "40000"))
    pages = real_pages()
    with tempfile.TemporaryDirectory() as tmp:
        warc_file = Path(tmp) / "CC-MAIN-bench-00000.warc.gz"
        domains = write_warc(warc_file, count, pages)
        size_mb = warc_file.stat().st_size / MB
        raws = raw_rates(warc_file, float(os.environ.get("BENCH_PAGES_RAW_S", "60")), domains)
        firm_domains = "{" + ", ".join(f"{d}: {f}" for d, f in domains.items()) + "}"
        args = [
            INNOLINK,
            "run",
            "pages",
            "--warehouse",
            f"{tmp}/warehouse",
            "--set",
            f"mlflow.tracking_uri=sqlite:///{tmp}/mlflow.db",
            "--set",
            f"mlflow.artifact_root={tmp}/artifacts",
            "--set",
            f"stages.pages.firm_domains={firm_domains}",
            # Splits of 64 MB: the one file is read by every core.
            "--set",
            "stages.pages.split_mb=64",
            "--input",
            str(warc_file),
            "--format",
            "warc",
        ]
        wall, peak, cpu, out = run_measured(args)
        if out.returncode != 0:
            raise SystemExit(out.stderr[-3000:])
        m, stage_s = stage_run(tmp)
    records = int(m["records_in"])
    print(
        json.dumps(
            {
                "name": "pages_stage_warc",
                "warc_file_mb": round(size_mb),
                "records": records,
                "pages": int(m["pages"]),
                "rejected_too_large": int(m.get("rejected.page.too_large", 0)),
                "wall_s": round(wall, 1),
                "stage_s": round(stage_s, 1),
                "stage_pages_per_s": round(records / stage_s, 1),
                "cpu_s": round(cpu, 1),
                "stage_pages_per_cpu_s": round(records / cpu, 1),
                "raw_bare_pages_per_cpu_s": round(raws["bare"], 1),
                "raw_same_work_pages_per_cpu_s": round(raws["same_work"], 1),
                "stage_over_2x_raw_bare": round(records / stage_s / (2 * raws["bare"]), 2),
                "stage_over_2x_raw_same_work": round(
                    records / stage_s / (2 * raws["same_work"]), 2
                ),
                "cpu_efficiency_vs_same_work": round(records / cpu / raws["same_work"], 2),
                "peak_rss_mb": round(peak / MB),
                "how": "innolink run pages --format warc on one generated .warc.gz (the 38 real "
                "pages of ../shared/data/web/html as response records, each once per firm site, "
                "plus one 50 MB page; 64 MB splits; new process, fresh warehouse). stage_s = "
                "the stage's MLflow run (reading, extraction, language, MinHash, dedup, MERGE "
                "of silver/pages and rejects), wall adds JVM start; cpu_s = user+system CPU of "
                "the whole process tree (fair when other jobs share the cores). raw = one "
                "process, CPU time, same file: bare = FastWARC + Resiliparse detect_encoding, "
                "HTMLTree.parse, extract_plain_text(main_content=True); same_work = innolink's "
                "reader and per-record work without Spark. peak = RSS of the process tree",
            }
        )
    )


if __name__ == "__main__":
    main()
