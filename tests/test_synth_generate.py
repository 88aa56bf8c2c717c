"""`innolink generate` at demo scale: byte-identical per seed, and every file read by the real
readers with exactly the planted broken records rejected, for the planted reason."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from innolink.synth.generate import WARC_DEFECTS, generate
from innolink.synth.world import SCALES, scale_of

from tests.conftest import ROOT, test_config


def _digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def world(spark, tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "demo"
    manifest = generate(spark, 7, SCALES["demo"], out)
    return out, manifest


@pytest.fixture(scope="module")
def defects(world):
    out, _ = world
    with (out / "truth" / "defects.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _planted(defects, prefix: str) -> set[tuple[str, str, str]]:
    return {
        (d["file"], d["locator"], d["expected_reason"])
        for d in defects
        if d["file"].startswith(prefix)
    }


def test_same_seed_is_byte_identical_and_another_seed_is_not(spark, world, tmp_path):
    out, manifest = world
    again = generate(spark, 7, SCALES["demo"], tmp_path / "again")
    assert _digests(tmp_path / "again") == _digests(out)
    assert again["content_sha256"] == manifest["content_sha256"]
    other = generate(spark, 8, scale_of("demo", firms=40), tmp_path / "other")
    assert other["content_sha256"] != manifest["content_sha256"]
    assert (tmp_path / "other" / "firms" / "JPX.csv").read_bytes() != (
        out / "firms" / "JPX.csv"
    ).read_bytes()


def test_layout_and_counts(world):
    out, manifest = world
    counts = manifest["counts"]
    # 200 firms in a fixed country cycle: 25% JP and US, 20% CN, 10% DE, KR, IN
    assert counts["firms"] == 200
    assert counts["firms_by_country"] == {
        "CN": 40,
        "DE": 20,
        "IN": 20,
        "JP": 50,
        "KR": 20,
        "US": 50,
    }
    assert sorted(p.name for p in (out / "firms").iterdir()) == [
        "GER.csv", "JPX.csv", "KSC.csv", "NCM.csv", "NGM.csv", "NMS.csv", "NSI.csv",
        "NYQ.csv", "SHH.csv", "SHZ.csv", "cn_names.csv", "jpx_names.json",
    ]  # fmt: skip
    # 4 blocks -> 4 WARC files; 2 broken records planted in each
    assert sorted(p.name for p in (out / "web").iterdir()) == [
        f"crawl-0000{i}.warc.gz" for i in range(4)
    ]
    assert sum(n for k, n in counts["planted_defects"].items() if k.startswith("page.")) == 8
    listed = pq.read_table(out / "truth" / "patent_truth.parquet").to_pylist()
    assert len(listed) == counts["patents"]
    firm_truth = pq.read_table(out / "truth" / "firm_truth.parquet").to_pylist()
    by_key = {f["firm_key"]: f for f in firm_truth}
    per_firm = Counter(t["firm_key"] for t in listed if t["entity"] == "listed")
    assert all(per_firm[k] == f["n_patents_listed"] for k, f in by_key.items())
    files = {f["path"] for f in manifest["files"]}
    assert {t["file"] for t in listed} <= files
    assert "truth/applicant_truth.parquet" in files and "truth/group_truth.csv" in files
    for name in ("patent_inventors", "inventor_moves", "npl_truth"):
        assert f"truth/{name}.parquet" in files
    inventors = pq.read_table(out / "truth" / "patent_inventors.parquet").to_pylist()
    assert counts["inventors"] == len({r["inventor_key"] for r in inventors})
    npl = pq.read_table(out / "truth" / "npl_truth.parquet").to_pylist()
    assert (counts["npl"], counts["npl_scientific"]) == (
        len(npl),
        sum(r["scientific"] for r in npl),
    )
    assert set(counts["inventor_moves"]) == {"site", "firm", "abroad"}


def test_truth_tables_are_consistent(world):
    out, _ = world
    firms = pq.read_table(out / "truth" / "firm_truth.parquet").to_pylist()
    assert len({f["firm_id"] for f in firms}) == 200
    with (out / "truth" / "group_truth.csv").open(encoding="utf-8") as f:
        groups = list(csv.DictReader(f))
    assert len(groups) == 18
    lam = {(g["country"], g["firm_type"]): float(g["linkage_lambda"]) for g in groups}
    assert sorted(lam.values()) == pytest.approx([0.10 + 0.05 * i for i in range(18)])
    assert all(f["linkage_lambda"] == lam[(f["country"], f["firm_type"])] for f in firms)
    # the planted strength is what a perfect pipeline recovers: the groups' mean cosine
    # between the technology-implied and the actual product mixture rises with lambda
    oracle = [(lam[(g["country"], g["firm_type"])], float(g["oracle_mean_cosine"])) for g in groups]
    ranks = [sorted(o for _, o in oracle).index(o) for _, o in sorted(oracle)]
    spearman = 1 - 6 * sum((i - r) ** 2 for i, r in enumerate(ranks)) / (18 * (18**2 - 1))
    assert spearman > 0.85
    applicants = pq.read_table(out / "truth" / "applicant_truth.parquet").to_pylist()
    assert {a["entity"] for a in applicants} == {"listed", "hard_negative", "institute"}
    assert all((a["firm_id"] is None) == (a["entity"] != "listed") for a in applicants)
    pages = pq.read_table(out / "truth" / "page_truth.parquet").to_pylist()
    assert {p["firm_id"] for p in pages} <= {f["firm_id"] for f in firms}


def test_firm_readers_reject_only_the_planted_rows(world, defects, tmp_path):
    from innolink.firms import readers

    out, _ = world
    cfg = test_config(tmp_path)
    try:
        from innolink.firms.stage import read_context

        ctx = read_context(cfg)
    except ImportError:  # the reader API before exchanges were resolved by MIC
        ctx = {k: v.model_dump() for k, v in cfg.stages.firms.exchanges.items()}
    records = []
    for path in sorted((out / "firms").iterdir()):
        fmt = {"jpx_names.json": "jpx-names", "cn_names.csv": "cn-names"}.get(
            path.name, "financedatabase"
        )
        for r in readers.read_file(fmt, str(path), path.read_bytes(), ctx):
            records.append((path.name, r))
    rejects = {
        (f"firms/{name}", r["locator"], r["reason"]) for name, r in records if r.get("reason")
    }
    assert rejects == _planted(defects, "firms/")
    truth = pq.read_table(out / "truth" / "firm_truth.parquet").to_pylist()
    primary = [r for _, r in records if not r.get("reason") and r["role"] == "primary"]
    assert sorted(r["ticker"] for r in primary) == sorted(f["ticker"] for f in truth)
    assert {r["isin"] for r in primary} == {f["isin"] for f in truth}
    variants = [r for _, r in records if not r.get("reason") and r["role"] == "variant"]
    assert len(variants) == 90  # 50 Japanese + 40 Chinese short names


def test_uspto_reader_rejects_only_the_planted_documents(world, defects):
    from innolink.patents.document import Reject
    from innolink.patents.readers.uspto import parse_document, split_documents

    out, _ = world
    truth = {
        t["pub_key"]: t for t in pq.read_table(out / "truth" / "patent_truth.parquet").to_pylist()
    }
    parsed, rejects = {}, set()
    for path in sorted((out / "patents" / "uspto").iterdir()):
        rel = f"patents/uspto/{path.name}"
        for offset, data in split_documents(path.read_bytes()):
            try:
                doc = parse_document(data)
            except Reject as exc:
                rejects.add((rel, f"offset={offset}", exc.reason))
                continue
            parsed[doc.pub_key] = (rel, doc)
    assert rejects == _planted(defects, "patents/uspto/")
    us = {k for k, t in truth.items() if t["office"] == "US"}
    assert set(parsed) == us
    for key, (rel, doc) in parsed.items():
        t = truth[key]
        applicant = next(p for p in doc.parties if p.role == "applicant")
        assert (rel, applicant.name, doc.title_lang) == (t["file"], t["applicant"], "en")
        assert next(c.code for c in doc.classes if c.scheme == "IPC" and c.main) == t["ipc_main"]
        assert doc.abstract and doc.claim_count and doc.first_claim.startswith("1. A")
    # Inventors are the planted people, where they were at filing; references the planted ones.
    people = _by_pub(out / "truth" / "patent_inventors.parquet")
    npl = _by_pub(out / "truth" / "npl_truth.parquet")
    for key, (_, doc) in parsed.items():
        inventors = [
            (p.sequence, p.name, p.city, p.country) for p in doc.parties if p.role == "inventor"
        ]
        assert inventors == [
            (r["sequence"], r["name"], r["city"], r["country"]) for r in people[key]
        ]
        assert all(r["address_given"] for r in people[key])
        references = [(c.sequence, c.text) for c in doc.citations if c.kind == "npl"]
        assert references == [(r["sequence"], r["text"]) for r in npl.get(key, [])]


def _by_pub(path) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for row in pq.read_table(path).to_pylist():
        out.setdefault(row["pub_key"], []).append(row)
    return {k: sorted(v, key=lambda r: r["sequence"]) for k, v in out.items()}


def test_google_reader_rejects_only_the_planted_lines(spark, world, defects):
    from innolink.patents.readers import google_patents

    out, _ = world
    frames = google_patents.read(spark, str(out / "patents" / "google"))
    root = str(out) + "/"
    rejects = {
        (r["source"].replace("file:", "").replace(root, ""), r["locator"], r["reason"])
        for r in frames.rejects.collect()
    }
    assert rejects == _planted(defects, "patents/google/")
    truth = [
        t
        for t in pq.read_table(out / "truth" / "patent_truth.parquet").to_pylist()
        if t["office"] != "US"
    ]
    rows = {
        r["pub_key"]: r
        for r in frames.patents.select("pub_key", "title_lang", "abstract").collect()
    }
    assert set(rows) == {t["pub_key"] for t in truth}
    assert {rows[t["pub_key"]]["title_lang"] for t in truth if t["office"] == "JP"} == {"ja"}
    assert {rows[t["pub_key"]]["title_lang"] for t in truth if t["office"] == "CN"} == {"zh"}
    assignees = {
        (r["pub_key"], r["name"])
        for r in frames.parties.where("role = 'assignee'").select("pub_key", "name").collect()
    }
    # names as written, white space normalised by the reader (a full-width space is one)
    assert assignees == {(t["pub_key"], " ".join(t["applicant"].split())) for t in truth}
    local = {t["pub_key"] for t in truth}
    people = _by_pub(out / "truth" / "patent_inventors.parquet")
    inventors = {
        (r["pub_key"], r["sequence"], r["name"], r["country"])
        for r in frames.parties.where("role = 'inventor'").collect()
    }
    assert inventors == {
        (k, r["sequence"], " ".join(r["name"].split()), r["country"])
        for k in local
        for r in people[k]
    }
    assert not any(r["address_given"] for k in local for r in people[k])
    npl = _by_pub(out / "truth" / "npl_truth.parquet")
    references = {
        (r["pub_key"], r["sequence"], r["text"])
        for r in frames.citations.where("kind = 'npl'").collect()
    }
    assert references == {
        (k, r["sequence"], " ".join(r["text"].split())) for k in local for r in npl.get(k, [])
    }


def test_planted_moves_are_what_the_patents_show(world):
    out, _ = world
    moves = pq.read_table(out / "truth" / "inventor_moves.parquet").to_pylist()
    people = pq.read_table(out / "truth" / "patent_inventors.parquet").to_pylist()
    firms = {
        f["firm_key"]: f for f in pq.read_table(out / "truth" / "firm_truth.parquet").to_pylist()
    }
    by_person: dict[str, list[dict]] = {}
    for row in people:
        by_person.setdefault(row["inventor_key"], []).append(row)
    seen = Counter()
    for move in moves:
        before_firm = firms[move["from_firm_key"]]
        after_firm = firms[move["to_firm_key"]]
        if move["kind"] == "site":
            assert move["to_firm_key"] == move["from_firm_key"]
            assert move["to_city"] != move["from_city"]
        elif move["kind"] == "firm":
            assert (
                before_firm["country"] == after_firm["country"] != ""
                and move["to_firm_key"] != move["from_firm_key"]
            )
        else:
            assert before_firm["country"] != after_firm["country"] == move["to_country"]
        for row in by_person.get(move["inventor_key"], []):
            after = row["app_date"] >= move["move_date"]
            assert row["firm_key"] == (move["to_firm_key"] if after else move["from_firm_key"])
            if row["address_given"]:
                assert row["city"] == (move["to_city"] if after else move["from_city"])
                seen[(move["kind"], after)] += 1
    # every kind of move is seen on grants before and after it
    assert all(
        seen[(kind, after)] for kind in ("site", "firm", "abroad") for after in (False, True)
    )
    # a firm's people who never move stay in one city on all its patents
    movers = {m["inventor_key"] for m in moves}
    for key, rows in by_person.items():
        if key not in movers:
            assert len({r["city"] for r in rows if r["address_given"]}) <= 1
            assert len({r["firm_key"] for r in rows}) == 1


def test_planted_references_follow_the_sectors(world):
    out, _ = world
    npl = pq.read_table(out / "truth" / "npl_truth.parquet").to_pylist()
    patents = {
        t["pub_key"]: t for t in pq.read_table(out / "truth" / "patent_truth.parquet").to_pylist()
    }
    from innolink.patents.wipo import wipo_fields

    sector = {n: f.sector for n, f in wipo_fields().items()}
    refs, sci = Counter(), Counter()
    for r in npl:
        s = sector[patents[r["pub_key"]]["field"]]
        refs[s] += 1
        sci[s] += r["scientific"]
    per_patent = Counter(sector[t["field"]] for t in patents.values())
    # chemistry patents cite more, and more science, than mechanical engineering ones
    chem, mech = "Chemistry", "Mechanical engineering"
    assert refs[chem] / per_patent[chem] > 2 * refs[mech] / per_patent[mech]
    assert sci[chem] / refs[chem] > sci[mech] / refs[mech] + 0.2
    assert {r["kind"] for r in npl} >= {
        "journal",
        "doi",
        "preprint",
        "search_report",
        "catalog",
        "standard",
    }


def test_warc_records_parse_and_the_broken_ones_are_where_planted(world, defects):
    fastwarc = pytest.importorskip("fastwarc.warc")

    out, _ = world
    pages = pq.read_table(out / "truth" / "page_truth.parquet").to_pylist()
    expected = {(p["file"], p["offset"]): p for p in pages}
    seen = {}
    for path in sorted((out / "web").iterdir()):
        rel = f"web/{path.name}"
        with path.open("rb") as f:
            for rec in fastwarc.ArchiveIterator(
                f, record_types=fastwarc.WarcRecordType.response, parse_http=False
            ):
                assert rec.verify_block_digest()
                seen[(rel, rec.stream_pos)] = (rec.headers["WARC-Target-URI"], rec.reader.read())
    assert set(seen) == set(expected)
    assert all(seen[k][0] == p["url"] for k, p in expected.items())
    broken = {(d["file"], d["locator"], d["kind"]) for d in defects if d["file"].startswith("web/")}
    assert broken == {
        (p["file"], f"offset={p['offset']}", f"page.{p['defect']}") for p in pages if p["defect"]
    }
    # 4 files x 2 records cycle through all six kinds
    assert {p["defect"] for p in pages if p["defect"]} == set(WARC_DEFECTS)
    for key, p in expected.items():
        block = seen[key][1]
        head, _, body = block.partition(b"\r\n\r\n")
        if p["defect"] == "http_malformed":
            assert not head.startswith(b"HTTP/1.1 ")
        elif p["defect"] == "http_truncated":
            declared = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
            assert declared > len(body)
        elif p["defect"] is None:
            assert head.startswith(b"HTTP/1.1 200 OK")
            # the declared charset (HTTP header, meta or none) decodes the page
            html = body.decode(p["charset"])
            assert p["url"].split("?")[0].replace("index.html", "") in html or "canonical" in html
            if p["charset_declared"] == "none":
                assert b"charset" not in head and b"charset" not in body.lower()
    charsets = Counter((p["charset"], p["charset_declared"]) for p in pages if not p["defect"])
    assert (
        charsets[("shift_jis", "meta")]
        and charsets[("gbk", "none")]
        and charsets[("utf-8", "http")]
    )


def test_progress_counts_the_tasks_of_its_phase(spark):
    from innolink.progress import SparkProgress, group_tasks

    with SparkProgress(spark, enabled=False) as progress:
        with progress.phase("count"):
            spark.sparkContext.parallelize(range(10), 3).count()
            group = spark.sparkContext.getLocalProperty("spark.jobGroup.id")
    counts = group_tasks(spark, group)
    # one job of one stage with 3 partitions
    assert (counts.total, counts.done, counts.failed) == (3, 3, 0)


def test_cli_generate_writes_the_world(tmp_path):
    from innolink.cli import main

    code = main(
        ["generate", "--scale", "demo", "--firms", "30", "--seed", "3", "--out", str(tmp_path / "w"),
         "--conf-dir", str(ROOT / "conf")]
    )  # fmt: skip
    assert code == 0
    manifest = json.loads((tmp_path / "w" / "MANIFEST.json").read_text(encoding="utf-8"))
    assert (manifest["seed"], manifest["scale"], manifest["counts"]["firms"]) == (3, "demo:30", 30)
    with gzip.open(next((tmp_path / "w" / "web").iterdir())) as f:
        assert f.read(8) == b"WARC/1.0"
    assert (ROOT / "docs" / "synthetic_world.md").is_file()


def test_generate_refuses_a_folder_it_did_not_write(spark, tmp_path):
    from innolink.errors import ConfigError

    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ConfigError, match="not empty"):
        generate(spark, 1, scale_of("demo", firms=5), tmp_path)
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_people_and_references_left_every_other_draw_as_it_was(world):
    """The patents' own draws are those of the generator before inventors were people and
    references were planted: the digest of seed 7's patent truth is the one that generator
    gave (computed with it, commit a21443e)."""
    out, _ = world
    cols = ["pub_key", "office", "file", "firm_key", "firm_id", "entity", "applicant", "variant",
            "field", "ipc_main", "lang"]  # fmt: skip
    rows = pq.read_table(out / "truth" / "patent_truth.parquet").to_pylist()
    data = sorted(tuple(str(r[c]) for c in cols) for r in rows)
    digest = hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()[:16]
    assert (len(rows), digest) == (2228, "726297262126372f")
