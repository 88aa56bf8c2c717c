"""Stage `patents` on a generated USPTO weekly file of ~1 GB, against a raw single-process loop.

The weekly file is made of the real grants in ../shared/data/patents/uspto_fulltext_xml,
repeated with new publication numbers until it reaches the size (BENCH_PATENTS_MB, default
1024). The raw baselines parse the same documents in one process: lxml alone
(etree.fromstring), and innolink's own reader (split + parse_document, the work a Spark task
does per document). Run by benchmarks/run.py; prints one JSON object.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from pathlib import Path

from harness import SHARED, run_stage
from lxml import etree

FRAGMENTS = SHARED / "patents" / "uspto_fulltext_xml"
_NUMBER = re.compile(
    rb"(<publication-reference>\s*<document-id>\s*<country>US</country>\s*<doc-number>)[^<]+"
)


def real_grants() -> list[bytes]:
    from innolink.patents.readers.uspto import split_documents

    docs = []
    for path in sorted(FRAGMENTS.glob("ipg*.xml")):
        for _, doc in split_documents(path.read_bytes()):
            if b"<us-patent-grant" in doc[:1000] and _NUMBER.search(doc):
                docs.append(doc)
    return docs


def write_weekly_file(path: Path, target_bytes: int, docs: list[bytes]) -> int:
    written = count = 0
    with path.open("wb") as out:
        while written < target_bytes:
            doc = docs[count % len(docs)]
            number = b"%08d" % (20_000_000 + count)
            renumbered = _NUMBER.sub(lambda m, n=number: m.group(1) + n, doc, 1)
            out.write(renumbered)
            written += len(renumbered)
            count += 1
    return count


def raw_rates(docs: list[bytes], seconds: float = 20.0) -> tuple[float, float]:
    """Documents/s of lxml alone and of innolink's reader, single process, same documents."""
    from innolink.patents.readers.uspto import parse_document

    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)

    def rate(work) -> float:
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds / 2:
            work(docs[n % len(docs)])
            n += 1
        return n / (time.perf_counter() - t0)

    return rate(lambda d: etree.fromstring(d, parser)), rate(parse_document)


def main() -> None:
    target_mb = int(os.environ.get("BENCH_PATENTS_MB", "1024"))
    docs = real_grants()
    lxml_rate, reader_rate = raw_rates(docs)
    with tempfile.TemporaryDirectory() as tmp:
        weekly = Path(tmp) / "ipg990101.xml"
        count = write_weekly_file(weekly, target_mb << 20, docs)
        size_mb = weekly.stat().st_size / 2**20
        wall, peak, m = run_stage("patents", [(weekly, "uspto-xml")], tmp)
    stage_rate = m["records_in"] / wall
    print(
        json.dumps(
            {
                "name": "patents_stage_weekly_file",
                "weekly_file_mb": round(size_mb),
                "documents": count,
                "publications": int(m["publications"]),
                "wall_s": round(wall, 1),
                "stage_docs_per_s": round(stage_rate, 1),
                "raw_lxml_docs_per_s_1core": round(lxml_rate, 1),
                "raw_reader_docs_per_s_1core": round(reader_rate, 1),
                "stage_over_2x_raw_reader": round(stage_rate / (2 * reader_rate), 2),
                "peak_rss_mb": round(peak / 2**20),
                "how": "innolink run patents --format uspto-xml on one generated weekly file "
                "(real grants of ../shared/data renumbered; new process, fresh warehouse; wall "
                "includes JVM start, parsing on 2 cores and the MERGEs of the 4 tables and "
                "rejects); raw = one process, same documents, lxml.etree.fromstring alone and "
                "innolink's split+parse_document; peak = RSS of the whole process tree",
            }
        )
    )


if __name__ == "__main__":
    main()
