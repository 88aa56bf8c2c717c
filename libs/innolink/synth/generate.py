"""`innolink generate`: write the synthetic world in the real input formats, with its truth.

A Spark job in three phases, each record seeded by (seed, its key) so the output does not
depend on partitioning and the same seed gives byte-identical files:

1. firms: the firm list is generated in `scale.blocks` tasks and collected (at most tens of
   thousands of rows); the driver writes the per-exchange FinanceDatabase CSVs, JPX's
   Japanese names, the A-share short names and the firm / group / topic truth tables.
2. patents: each firm's patent keys are generated per block, grouped by output file (a USPTO
   grant week, or a JPO / CNIPA publication quarter), numbered in order within the office,
   rendered and written by one task per file: `patents/uspto/ipgYYMMDD.xml`,
   `patents/google/{JP,CN}-YYYYqQ.jsonl.gz`.
3. web: each block writes one `web/crawl-NNNNN.warc.gz` of its firms' sites.

The output folder must be reachable from every executor (local mode, or a shared mount).
Layout and truth tables: docs/synthetic_world.md.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from collections import Counter
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from innolink.errors import ConfigError
from innolink.synth import formats, npl, people, text
from innolink.synth.people import HARD_NEGATIVE, LISTED, entity_counts
from innolink.synth.world import (
    COUNTRIES,
    FIRM_TYPES,
    GRANT_WEEKS,
    OFFICES,
    REFERENCE_YEAR,
    Scale,
    World,
    _poisson,
    firm_of,
    grant_tuesday,
    ipc_for_field,
    rng_of,
    seed_of,
    weighted,
    world_of,
)

log = logging.getLogger(__name__)

US_FIRST_NUMBER = 11_000_000
US_DEFECT_NUMBER = 19_900_000  # numbers of planted broken documents: never a real grant here
CN_FIRST_NUMBER = 112_000_000
DEFECT_WEEKS_TRUNCATED = 7  # week % 50 == 7: a truncated grant at the end of the file
DEFECT_WEEKS_SEQUENCE = 21  # week % 50 == 21: a sequence listing after the first grant
# Broken WARC records planted at the end of every file (two per file, cycling): kind ->
# the reason innolink's pages stage gives (libs/innolink/pages/records.py).
WARC_DEFECTS = {
    "http_truncated": "record.truncated",  # HTTP body shorter than its Content-Length
    "warc_truncated": "record.truncated",  # the crawler marked it: WARC-Truncated: length
    "http_malformed": "record.malformed",  # no HTTP status line
    "http_not_found": "http.error",  # 404
    "not_html": "page.not_html",  # a PDF
    "empty": "page.empty",  # 200 without a body
}
CRAWL_START = datetime(2024, 6, 3, 0, 0, 0)
EXCHANGE_ORDER = ("JPX", "SHH", "SHZ", "NMS", "NYQ", "NGM", "NCM", "GER", "KSC", "NSI")


def input_overrides(world: str | Path) -> list[str]:
    """`--set` assignments that make the firms, patents and pages stages read a world this
    module wrote (its folders firms/, patents/uspto, patents/google, web/) and nothing else."""
    firms = [
        f"{{path: '{world}/firms/[A-Z]*.csv', format: financedatabase}}",
        f"{{path: '{world}/firms/jpx_names.json', format: jpx-names}}",
        f"{{path: '{world}/firms/cn_names.csv', format: cn-names}}",
    ]
    patents = [
        f"{{path: '{world}/patents/uspto', format: uspto-xml}}",
        f"{{path: '{world}/patents/google', format: google-patents}}",
    ]
    return [
        f"stages.firms.inputs=[{', '.join(firms)}]",
        f"stages.patents.inputs=[{', '.join(patents)}]",
        f"stages.pages.inputs=[{{path: '{world}/web', format: warc}}]",
    ]


def firm_id_of(firm: dict) -> str:
    """The firm_id the firms stage gives this listing: from the ISIN, else the listing key."""
    return _firm_id(firm["isin"], firm["ticker"], firm["country"])


@lru_cache(maxsize=1 << 16)
def _firm_id(isin: str | None, ticker: str, country: str) -> str:
    from innolink.firms.readers import listing_key

    anchor = isin or listing_key(ticker, country)
    return "F" + hashlib.sha256(anchor.encode("utf-8")).hexdigest()[:16]


# ---------------------------------------------------------------------------------------
# Phase 1: firms
# ---------------------------------------------------------------------------------------

_ABROAD = (
    " and internationally",
    ", Europe, Asia, and North America",
    " and worldwide",
    " and in over 30 countries",
)


def summary(world: World, firm: dict) -> str:
    rng = rng_of(world.seed, "summary", firm["index"])
    lex = world.lexicon
    ranked = sorted(firm["theta_p"], key=lambda p: (-firm["theta_p"][p], p))
    kws = [rng.choice(lex.products[p].keywords)[0] for p in ranked[:3]]
    home = lex.countries[firm["country"]]["name"]
    abroad = ""
    large = firm["market_cap"] in ("Large Cap", "Mega Cap")
    if firm["firm_type"] == "multinational":
        abroad = rng.choice(_ABROAD)
    elif not (firm["firm_type"] == "incumbent" and large) and rng.random() < 0.3:
        abroad = " and internationally"  # a small exporter stays an incumbent
    listed = ", ".join(kws[:-1]) + (f", and {kws[-1]}" if len(kws) > 1 else kws[0])
    segments = [lex.products[p].name[0] for p in ranked[:2]]
    out = [
        f"{firm['name']} {rng.choice(('develops, manufactures, and sells', 'provides', 'engages in the research, development, and sale of'))} "
        f"{listed} in {'the United States' if firm['country'] == 'US' else home}{abroad}.",
        f"The company operates through {' and '.join(segments)} segment{'s' if len(segments) > 1 else ''}.",
    ]
    if firm["founded"] is not None:
        out.append(
            f"{firm['name']} was {rng.choice(('founded', 'incorporated', 'established'))} in "
            f"{firm['founded']} and is headquartered in {firm['city']}, {home}."
        )
    else:
        out.append(f"The company is headquartered in {firm['city']}, {home}.")
    return " ".join(out)


def firm_files(world: World, firms: list[dict], out: Path) -> list[dict]:
    """Per-exchange CSVs, JPX names, A-share names; returns the planted defects."""
    by_exchange: dict[str, list[list[str]]] = {}
    for f in firms:
        cinfo = world.lexicon.countries[f["country"]]
        by_exchange.setdefault(f["exchange"], []).append(
            [
                f["ticker"],
                f["name"],
                summary(world, f),
                cinfo["currency"],
                f["sector"],
                f["industry_group"],
                f["industry_group"],
                f["exchange"],
                f["mic"],
                f["market"],
                cinfo["name"],
                f["region"] if f["country"] == "US" else "",
                f["city"],
                "",
                f["website"] or "",
                f["market_cap"],
                f["isin"] or "",
                "",
                "",
                "",
                "",
                "False",
            ]
        )
    folder = out / "firms"
    folder.mkdir(parents=True, exist_ok=True)
    defects = []
    for code in sorted(by_exchange, key=lambda c: (EXCHANGE_ORDER.index(c), c)):
        rows = by_exchange[code]
        data = formats.csv_bytes(formats.FINANCEDATABASE_COLUMNS, rows)
        if code == "JPX":
            data, defects = _firm_defects(rows)
        (folder / f"{code}.csv").write_bytes(data)
    jp = [f for f in firms if f["country"] == "JP"]
    names = [{"コード": f["ticker"].split(".")[0], "銘柄名": f["short_local"]} for f in jp]
    (folder / "jpx_names.json").write_bytes(
        json.dumps(names, ensure_ascii=False, indent=1).encode("utf-8")
    )
    cn = [[f["ticker"].split(".")[0], f["short_local"]] for f in firms if f["country"] == "CN"]
    (folder / "cn_names.csv").write_bytes(formats.csv_bytes(["stock_code", "short_name"], cn))
    return defects


def _firm_defects(rows: list[list[str]]) -> tuple[bytes, list[dict]]:
    """Two broken listings before the last row of JPX.csv: a wrong ISIN check digit, and a
    quote that never closes (the good row after it lets the reader isolate it)."""
    bad_isin = [
        "9990.T", "Kanade Trading Co., Ltd.", "Kanade Trading Co., Ltd. sells office supplies in Japan.",
        "JPY", "Industrials", "Capital Goods", "Capital Goods", "JPX", "XJPX", "Tokyo Stock Exchange",
        "Japan", "", "Tokyo", "", "https://www.kanade-trading.co.jp", "Micro Cap", "JP3000000001",
        "", "", "", "", "False",
    ]  # fmt: skip
    head = formats.csv_bytes(formats.FINANCEDATABASE_COLUMNS, [*rows[:-1], bad_isin])
    open_quote = (
        b'9991.T,Minato Shoji Co. Ltd.,"Minato Shoji Co. Ltd. trades building materials in '
        b"Japan.,JPY,Industrials,Capital Goods,Capital Goods,JPX,XJPX,Tokyo Stock Exchange,Japan,"
        b",Tokyo,,https://www.minato-shoji.co.jp,Micro Cap,,,,,,False\n"
    )
    tail = formats.csv_bytes(formats.FINANCEDATABASE_COLUMNS, rows[-1:]).split(b"\n", 1)[1]
    line = len(rows) + 1  # header on line 1, then every row on one line
    return head + open_quote + tail, [
        {
            "file": "firms/JPX.csv",
            "locator": f"line {line}",
            "reason": "invalid.isin: 'JP3000000001'",
            "kind": "firm.bad_isin",
        },
        {
            "file": "firms/JPX.csv",
            "locator": f"line {line + 1}",
            "reason": "bad_csv.unbalanced_quote",
            "kind": "firm.open_quote",
        },
    ]


def write_firm_truth(world: World, firms: list[dict], out: Path) -> None:
    from innolink.firms.readers import listing_key

    truth = out / "truth"
    truth.mkdir(parents=True, exist_ok=True)
    A = world.topic_matrix
    rows = []
    for f in firms:
        implied: dict[str, float] = {}
        for t, w in f["theta_t"].items():
            for p, a in A[t].items():
                implied[p] = implied.get(p, 0.0) + w * a
        rows.append(
            {
                "firm_key": f["key"],
                "firm_id": firm_id_of(f),
                "name": f["name"],
                "name_local": f["name_local"],
                "short_local": f["short_local"],
                "country": f["country"],
                "exchange": f["exchange"],
                "mic": f["mic"],
                "ticker": f["ticker"],
                "listing_key": listing_key(f["ticker"], f["country"]),
                "isin": f["isin"],
                "firm_type": f["firm_type"],
                "linkage_lambda": f["lambda"],
                "market_cap": f["market_cap"],
                "founded": f["founded"],
                "sector": f["sector"],
                "industry_group": f["industry_group"],
                "main_product": f["main_product"],
                "theta_t": sorted(f["theta_t"].items()),
                "theta_p": sorted(f["theta_p"].items()),
                "oracle_cosine": round(_cosine(implied, f["theta_p"]), 6),
                "website": f["website"],
                "domain": f["domain"],
                "n_patents_listed": f["n_patents"],
            }
        )
    schema = pa.schema(
        [
            *[
                (c, pa.string())
                for c in (
                    "firm_key",
                    "firm_id",
                    "name",
                    "name_local",
                    "short_local",
                    "country",
                    "exchange",
                    "mic",
                    "ticker",
                    "listing_key",
                    "isin",
                    "firm_type",
                )
            ],
            ("linkage_lambda", pa.float64()),
            ("market_cap", pa.string()),
            ("founded", pa.int32()),
            *[(c, pa.string()) for c in ("sector", "industry_group", "main_product")],
            ("theta_t", pa.map_(pa.int32(), pa.float64())),
            ("theta_p", pa.map_(pa.string(), pa.float64())),
            ("oracle_cosine", pa.float64()),
            ("website", pa.string()),
            ("domain", pa.string()),
            ("n_patents_listed", pa.int32()),
        ]
    )
    _write_parquet(pa.Table.from_pylist(rows, schema), truth / "firm_truth.parquet")

    groups = []
    for country in COUNTRIES:
        for ftype in FIRM_TYPES:
            members = [r for r in rows if r["country"] == country and r["firm_type"] == ftype]
            cos = [r["oracle_cosine"] for r in members]
            groups.append(
                [
                    country,
                    ftype,
                    f"{world.group_lambda[(country, ftype)]:.2f}",
                    str(len(members)),
                    f"{sum(cos) / len(cos):.4f}" if cos else "",
                ]
            )
    (truth / "group_truth.csv").write_bytes(
        formats.csv_bytes(
            ["country", "firm_type", "linkage_lambda", "firms", "oracle_mean_cosine"], groups
        )
    )
    lex = world.lexicon
    matrix = [
        [str(t), lex.fields[t].name, p, lex.products[p].name[0], f"{w:.6f}"]
        for t in world.field_numbers
        for p, w in sorted(A[t].items())
    ]
    (truth / "topic_matrix.csv").write_bytes(
        formats.csv_bytes(["field", "field_name", "product", "product_name", "weight"], matrix)
    )
    products = [
        [pid, *p.name, p.sector, p.group, "; ".join(k[0] for k in p.keywords)]
        for pid, p in sorted(lex.products.items())
    ]
    (truth / "product_topics.csv").write_bytes(
        formats.csv_bytes(
            ["product", "name_en", "name_ja", "name_zh", "sector", "industry_group", "keywords_en"],
            products,
        )
    )


def _cosine(a: dict, b: dict) -> float:
    keys = set(a) | set(b)
    dot = sum(a.get(k, 0.0) * b.get(k, 0.0) for k in keys)
    na = sum(v * v for v in a.values()) ** 0.5
    nb = sum(v * v for v in b.values()) ** 0.5
    return dot / (na * nb) if na and nb else 0.0


def _write_parquet(table: pa.Table, path: Path) -> None:
    pq.write_table(table, path, compression="zstd", write_statistics=False, store_schema=True)


# ---------------------------------------------------------------------------------------
# Phase 2: patents
# ---------------------------------------------------------------------------------------


def patent_keys(seed: int, scale: Scale, block: int) -> list[tuple]:
    """((office, period), (firm index, entity, j)) of every patent of a block's firms."""
    world = world_of(seed, scale)
    keys = []
    for index in world.block_range(block):
        firm = firm_of(seed, scale, index)
        for entity, n in entity_counts(seed, scale, index).items():
            for j in range(n):
                rng = rng_of(seed, "pkey", index, entity, j)
                office = weighted(rng, *zip(*OFFICES[firm["country"]], strict=True))
                if office == "US":
                    period = rng.randrange(GRANT_WEEKS)
                else:
                    period = (2021 + rng.randrange(3)) * 10 + 1 + rng.randrange(4)
                keys.append(((office, period), (index, entity, j)))
    return keys


def file_of(office: str, period: int) -> str:
    if office == "US":
        return f"patents/uspto/ipg{grant_tuesday(period).strftime('%y%m%d')}.xml"
    return f"patents/google/{office}-{period // 10}q{period % 10}.jsonl.gz"


def number_offsets(counts: dict[tuple[str, int], int]) -> dict[tuple[str, int], int]:
    """First sequence number of each file's documents, numbering each office in file order
    (JPO and CNIPA restart every year)."""
    offsets = {}
    running: dict[tuple, int] = {}
    for office, period in sorted(counts):
        scope = (office,) if office == "US" else (office, period // 10)
        offsets[(office, period)] = running.get(scope, 0)
        running[scope] = running.get(scope, 0) + counts[(office, period)]
    return offsets


def _entity(world: World, firm: dict, entity: int, rng) -> dict:
    """Who files: name parts for the listed firm, a confusable firm or an institute."""
    cinfo = world.lexicon.countries[firm["country"]]
    if entity == LISTED:
        return {"kind": "listed", "firm": firm}
    if entity == HARD_NEGATIVE:
        hn = cinfo["hard_negative_words"][firm["index"] % len(cinfo["hard_negative_words"])]
        hn_en, hn_local = (hn[0], hn[1]) if isinstance(hn, list) else (hn, hn)
        legal = cinfo["legal"][0]
        en = f"{firm['stem_en']} {hn_en} {legal}"
        if firm["country"] == "JP":
            local = f"株式会社{firm['stem_local']}{hn_local}"
        elif firm["country"] == "CN":
            local = f"{firm['stem_local']}{hn_local}有限公司"
        else:
            local = en
        return {"kind": "hard_negative", "en": en, "local": local}
    inst = world.lexicon.institutes[firm["country"]]
    pick = inst[firm["index"] % len(inst)]
    en, local = (pick[0], pick[1]) if isinstance(pick, list) else (pick, pick)
    return {"kind": "institute", "en": en, "local": local}


def _inventors(world: World, country: str, lang: str, rng, n: int, city: str, region: str):
    cinfo = world.lexicon.countries[country]
    out = []
    for _ in range(n):
        given, family = rng.choice(cinfo["given"]), rng.choice(cinfo["family"])
        if isinstance(given, list):
            written = f"{family[1]}　{given[1]}" if lang == "ja" else f"{family[1]}{given[1]}"
            out.append((given[0], family[0], written, f"{family[0]} {given[0]}".upper()))
        else:
            out.append((given, family, f"{given} {family}", f"{family} {given}".upper()))
    return out


def _romaji(name) -> str:
    return name[0] if isinstance(name, list) else name


def render_patent(seed: int, scale: Scale, office: str, period: int, key: tuple, seq: int):
    """(document bytes or JSON line, truth row) of one patent."""
    doc, truth, _ = render_patent_full(seed, scale, office, period, key, seq)
    return doc, truth


def render_patent_full(seed: int, scale: Scale, office: str, period: int, key: tuple, seq: int):
    """(document bytes or JSON line, truth row, {"inventors": rows, "npl": rows}) of one patent.

    The patent's own random stream draws exactly what it drew before inventors were people
    and references were planted (the old inventor names are drawn and dropped), so every
    other part of the world stays as it was; inventors and references have their own streams.
    """
    world = world_of(seed, scale)
    index, entity, j = key
    firm = firm_of(seed, scale, index)
    rng = rng_of(seed, "patent", index, entity, j)
    who = _entity(world, firm, entity, rng)
    if entity == LISTED:
        topics = sorted(firm["theta_t"])
        field = weighted(rng, topics, [firm["theta_t"][t] for t in topics])
    else:
        field = rng.choice(world.field_numbers)
    second = rng.choice(world.field_numbers)
    ipc = [ipc_for_field(rng, field, world.lexicon.fields)]
    if rng.random() < 0.5:
        extra = ipc_for_field(rng, field if rng.random() < 0.7 else second, world.lexicon.fields)
        if extra not in ipc:
            ipc.append(extra)
    body = text.PatentText(world.lexicon, field, rng)
    cinfo = world.lexicon.countries[firm["country"]]
    lang = {"US": "en", "JP": "ja", "CN": "zh"}[office]
    if who["kind"] == "listed":
        if office == "US":
            written, variant = text.english_variant(firm, cinfo, rng)
        else:
            written, variant = text.local_variant(firm, rng)
        firm_key, firm_id = firm["key"], firm_id_of(firm)
        english = f"{firm['stem_en']} {firm['word_en']} {firm['legal']}"
        filer = firm["name"] if office == "US" else (firm["name_local"] or firm["name"])
    else:
        written = who["en"] if office == "US" else who["local"]
        variant, firm_key, firm_id, english = who["kind"], None, None, who["en"]
        filer = written
    n_inventors = rng.randint(1, 4)
    texts = body.texts(lang)
    references = npl.references(
        seed,
        key,
        world.lexicon.fields[field].sector,
        list(world.lexicon.fields[field].terms),
        people.lexicon()[firm["country"]]["family"],
        filer,
        office,
        lang,
        npl.firm_factor(seed, index, firm["firm_type"] if entity == LISTED else None),
    )
    if office == "US":
        grant = grant_tuesday(period)
        app_date = grant - timedelta(days=rng.randint(500, 1500))
        number = US_FIRST_NUMBER + seq
        kind = "B2" if rng.random() < 0.7 else "B1"
        app_number = f"{17 if app_date.year >= 2020 else 16}{rng.randrange(10**6):06d}"
        _inventors(world, firm["country"], "en", rng, n_inventors, firm["city"], firm["region"])
        inventors = people.inventors_for(seed, scale, index, entity, j, app_date, n_inventors)
        citations = [
            (
                str(rng.randrange(7_000_000, US_FIRST_NUMBER)),
                rng.choice(("B1", "B2")),
                f"{_romaji(rng.choice(cinfo['family']))} et al.",
                f"{rng.randint(2005, 2019)}{rng.randint(1, 12):02d}00",
            )
            for _ in range(rng.randint(0, 6))
        ]
        examiner = rng.choice(("Anna", "Brian", "Carlos", "Diane", "Erik"))
        art_unit = str(rng.choice((1700, 2100, 2400, 2800, 3600, 3700)))
        places = [p.place(app_date) for p in inventors]
        doc = formats.uspto_grant(
            {
                "number": number,
                "kind": kind,
                "grant_date": grant,
                "app_number": app_number,
                "app_date": app_date,
                "title": texts["title"],
                "abstract": texts["abstract"],
                "background": f"{texts['title']} is used in many fields. {texts['claims'][0][3:]}",
                "claims": texts["claims"],
                "ipc": ipc,
                "applicant": {
                    "name": written,
                    "city": firm["city"],
                    "state": firm["region"] if firm["country"] == "US" else None,
                    "country": firm["country"],
                },
                "inventors": [
                    (p.first_name, p.family, city, region if country == "US" else None, country)
                    for p, (city, region, country) in zip(inventors, places, strict=True)
                ],
                "citations": citations,
                "npl": [r.text for r in references],
                "examiner": examiner,
                "art_unit": art_unit,
            }
        )
        pub_key = f"US-{number}-{kind}"
        names = [f"{p.first_name} {p.family}" for p in inventors]
        cited = len(citations)
    else:
        year, quarter = period // 10, period % 10
        first_day = date(year, 3 * quarter - 2, 1)
        pub_date = first_day + timedelta(days=rng.randrange(89))
        app_date = pub_date - timedelta(days=rng.randint(540, 560))
        if office == "JP":
            number = f"{year}{seq + 1:06d}"
            app_number = f"{app_date.year}{rng.randrange(10**6):06d}"
        else:
            number = str(CN_FIRST_NUMBER + (year - 2021) * 5_000_000 + seq)
            app_number = f"{app_date.year}{rng.randrange(10**8):08d}.{rng.randrange(10)}"
        _inventors(world, firm["country"], lang, rng, n_inventors, firm["city"], firm["region"])
        inventors = people.inventors_for(seed, scale, index, entity, j, app_date, n_inventors)
        places = [p.place(app_date) for p in inventors]
        title_en = body.texts("en")["title"] if rng.random() < 0.5 else None
        citations = [
            f"{office}-{rng.randint(2010, 2019)}{rng.randrange(10**6):06d}-A"
            if office == "JP"
            else f"CN-{rng.randrange(100_000_000, CN_FIRST_NUMBER)}-A"
            for _ in range(rng.randint(0, 3))
        ]
        names = [p.written(lang) for p in inventors]
        doc = formats.google_row(
            {
                "office": office,
                "number": number,
                "kind": "A",
                "lang": lang,
                "texts": texts,
                "title_en": title_en,
                "pub_date": pub_date,
                "app_date": app_date,
                "app_number": app_number,
                "family_id": seed_of(seed, "family", index, entity, j) % 10**9,
                "ipc": ipc,
                "assignee": written,
                "assignee_harmonized": text.harmonized(english),
                "country": firm["country"],
                "inventors": [
                    (name, p.harmonized(), country)
                    for name, p, (_, _, country) in zip(names, inventors, places, strict=True)
                ],
                "citations": citations,
                "npl": [r.text for r in references],
            }
        ).encode("utf-8")
        pub_key = f"{office}-{number}-A"
        cited = len(citations)
    truth = {
        "pub_key": pub_key,
        "office": office,
        "file": file_of(office, period),
        "firm_key": firm_key,
        "firm_id": firm_id,
        "entity": who["kind"],
        "applicant": written,
        "variant": variant,
        "field": field,
        "ipc_main": ipc[0],
        "lang": lang,
    }
    extras = {
        "inventors": [
            {
                "pub_key": pub_key,
                "sequence": i,
                "inventor_key": p.key,
                "name": name,
                "firm_key": firm["key"],
                "city": city,
                "country": country,
                "app_date": app_date,
                # USPTO grants give the inventor's city; Google's export only the country.
                "address_given": office == "US",
            }
            for i, (p, name, (city, _, country)) in enumerate(
                zip(inventors, names, places, strict=True), start=1
            )
        ],
        "npl": [
            {
                "pub_key": pub_key,
                "sequence": cited + i,
                "kind": r.kind,
                "scientific": r.scientific,
                "text": r.text,
            }
            for i, r in enumerate(references, start=1)
        ],
    }
    return doc, truth, extras


def write_patent_file(seed: int, scale: Scale, out: str, group: tuple, keys: list, offset: int):
    """Render and write one output file; returns (truth rows, applicant rows, defects, extras:
    the inventor and reference truth rows)."""
    office, period = group
    keys = sorted(keys)
    path = Path(out) / file_of(office, period)
    path.parent.mkdir(parents=True, exist_ok=True)
    truths, defects = [], []
    extras: dict[str, list] = {"inventors": [], "npl": []}

    def render(key, i):
        doc, truth, more = render_patent_full(seed, scale, office, period, key, offset + i)
        for name, rows in more.items():
            extras[name] += rows
        return doc, truth

    rel = file_of(office, period)
    if office == "US":
        with path.open("wb") as f:
            position = 0
            for i, key in enumerate(keys):
                doc, truth = render(key, i)
                f.write(doc)
                position += len(doc)
                truths.append(truth)
                if i == 0 and period % 50 == DEFECT_WEEKS_SEQUENCE:
                    seq = formats.sequence_listing(offset + i + US_FIRST_NUMBER)
                    defects.append(
                        {
                            "file": rel,
                            "locator": f"offset={position}",
                            "reason": "document.sequence_listing",
                            "kind": "patent.sequence_listing",
                        }
                    )
                    f.write(seq)
                    position += len(seq)
            if period % 50 == DEFECT_WEEKS_TRUNCATED and keys:
                doc, _ = render_patent(
                    seed,
                    scale,
                    office,
                    period,
                    keys[-1],
                    US_DEFECT_NUMBER - US_FIRST_NUMBER + period,
                )
                cut = doc[: len(doc) * 3 // 5]
                defects.append(
                    {
                        "file": rel,
                        "locator": f"offset={position}",
                        "reason": "xml.malformed",
                        "kind": "patent.truncated",
                    }
                )
                f.write(cut)
    else:
        lines = []
        for i, key in enumerate(keys):
            doc, truth = render(key, i)
            lines.append(doc)
            truths.append(truth)
        quarter = period % 10
        if quarter == 1 and len(lines) >= 2:
            lines.insert(2, lines[1][: len(lines[1]) // 2])
            defects.append(
                {
                    "file": rel,
                    "locator": "line 3",
                    "reason": "google.malformed_json",
                    "kind": "patent.broken_json",
                }
            )
        if quarter == 2 and len(lines) >= 2:
            broken = json.loads(lines[1])
            broken["publication_number"] = (
                f"{office}{broken['publication_number'][3:].replace('-', '')}"
            )
            lines.insert(
                2, json.dumps(broken, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            )
            defects.append(
                {
                    "file": rel,
                    "locator": "line 3",
                    "reason": "google.bad_publication_number",
                    "kind": "patent.bad_number",
                }
            )
        data = b"\n".join(lines) + b"\n"
        with path.open("wb") as f:
            f.write(formats.gzip_bytes(data))
    applicants = Counter(
        (t["applicant"], t["office"], t["firm_key"], t["firm_id"], t["entity"], t["variant"])
        for t in truths
    )
    return truths, list(applicants.items()), defects, extras


# ---------------------------------------------------------------------------------------
# Phase 3: web
# ---------------------------------------------------------------------------------------

_LEGACY = {"JP": "shift_jis", "CN": "gbk"}


def _site_encoding(firm: dict, rng) -> tuple[str, str]:
    """(charset, where it is declared: http | meta | none)."""
    legacy = _LEGACY.get(firm["country"])
    if legacy is None:
        return "utf-8", "http"
    r = rng.random()
    if r < 0.7:
        return "utf-8", "http"
    return (legacy, "meta") if r < 0.9 else (legacy, "none")


def site_pages(world: World, firm: dict) -> list[dict]:
    """The pages of a firm's site: url, type, language, html text, products mentioned."""
    rng = rng_of(world.seed, "site", firm["index"])
    lex = world.lexicon
    lang = {"JP": "ja", "CN": "zh"}.get(firm["country"], "en")
    if firm["country"] in ("JP", "CN") and rng.random() < 0.1:
        lang = "en"  # an English-only corporate site
    name = firm["name_local"] if lang != "en" and firm["name_local"] else firm["name"]
    base = firm["website"]
    extra = max(0.0, firm["mean_pages"] - 5.0)
    n_products = 1 + _poisson(rng, extra * 0.5)
    n_news = _poisson(rng, extra * 0.45)
    pages = [("home", "/"), ("products", "/products/"), ("about", "/about/"), ("ir", "/ir/")]
    chosen = []
    for pid in text.product_mentions(firm["theta_p"], n_products * 3, rng):
        if pid not in chosen:
            chosen.append(pid)
    for pid in chosen[:n_products]:
        pages.append(
            ("product", f"/products/{pid.lower()}-{_slug_en(lex.products[pid].name[0])}.html")
        )
    # a firm with fewer product lines than drawn has more news instead
    n_news += n_products - len(chosen[:n_products])
    for k in range(n_news):
        pages.append(("news", f"/news/2024/{k + 1:03d}.html"))
    out = []
    for ptype, path in pages:
        mentions = {"home": 8, "products": 12, "about": 3, "ir": 1, "news": 4}.get(ptype, 0)
        if ptype == "product":
            pids = [path.split("/")[2].split("-")[0].upper()] * 10
        else:
            pids = text.product_mentions(firm["theta_p"], mentions, rng)
        html = _page_html(world, firm, name, lang, ptype, pids, rng)
        out.append(
            {"url": base + path, "type": ptype, "lang": lang, "html": html, "products": pids}
        )
    return out


def _slug_en(text_: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in text_.lower()).split())


def _page_html(world, firm, name, lang, ptype, pids, rng) -> str:
    lex = world.lexicon
    nav = text.NAV[lang]
    hrefs = ("/", "/products/", "/about/", "/ir/", "/news/", "/contact/", "/careers/")
    if ptype == "home":
        title = name
        main = [
            f"<h1>{name}</h1>",
            f'<p class="lead">{text.sentence_products(lex, name, pids[:4], lang, rng)}</p>',
        ]
        main += text.product_paragraphs(lex, firm, pids[4:7], lang, rng)
    elif ptype == "products":
        title = nav[1]
        main = [f"<h1>{nav[1]}</h1>", *text.product_paragraphs(lex, firm, pids, lang, rng)]
    elif ptype == "product":
        pid = pids[0]
        product = lex.products[pid]
        li = {"en": 0, "ja": 1, "zh": 2}[lang]
        title = product.name[li]
        tech = rng.choice(lex.fields[max(firm["theta_t"], key=lambda t: firm["theta_t"][t])].terms)[
            li
        ]
        kws = [k[li] for k in product.keywords]
        main = [f"<h1>{title}</h1>"]
        templates = {
            "ja": (
                "<h2>{k}</h2><p>当社の{k}は、独自の{tech}技術により高い性能を実現しています。</p>",
                "<h2>{k}</h2><p>{k}の豊富なラインアップで、お客様の多様なニーズにお応えします。</p>",
                "<h2>{k}</h2><p>長年培った{tech}のノウハウを活かし、高品質な{k}をお届けします。</p>",
            ),
            "zh": (
                "<h2>{k}</h2><p>公司{k}采用自主研发的{tech}技术，性能可靠。</p>",
                "<h2>{k}</h2><p>我们的{k}产品线齐全，满足客户多样化需求。</p>",
                "<h2>{k}</h2><p>依托多年{tech}经验，为客户提供高品质{k}。</p>",
            ),
            "en": (
                "<h2>{K}</h2><p>Our {k} range is built on our proprietary {tech} technology.</p>",
                "<h2>{K}</h2><p>A broad line-up of {k} for customers in every industry we serve.</p>",
                "<h2>{K}</h2><p>Decades of {tech} know-how go into every {k} we deliver.</p>",
            ),
        }[lang]
        for k in kws:
            main.append(rng.choice(templates).format(k=k, K=k[:1].upper() + k[1:], tech=tech))
    elif ptype == "about":
        title = nav[2]
        founded = firm["founded"] or ""
        if lang == "ja":
            rows = [
                ("設立", f"{founded}年" if founded else "-"),
                ("本社所在地", firm["city"]),
                ("従業員数", f"{rng.randint(50, 50000):,}名"),
            ]
        elif lang == "zh":
            rows = [
                ("成立时间", f"{founded}年" if founded else "-"),
                ("总部", firm["city"]),
                ("员工人数", f"{rng.randint(50, 50000):,}人"),
            ]
        else:
            rows = [
                ("Founded", str(founded) or "-"),
                ("Headquarters", firm["city"]),
                ("Employees", f"{rng.randint(50, 50000):,}"),
            ]
        table = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
        main = [
            f"<h1>{title}</h1>",
            f'<table class="profile">{table}</table>',
            f"<p>{text.sentence_products(lex, name, pids, lang, rng)}</p>",
        ]
    elif ptype == "ir":
        title = nav[3]
        revenue = rng.randint(10, 90000)
        if lang == "ja":
            main = [
                f"<h1>{title}</h1>",
                f"<p>2024年3月期の売上高は{revenue:,}百万円となりました。</p>",
                "<ul><li>有価証券報告書</li><li>決算短信</li><li>株主総会招集通知</li></ul>",
            ]
        elif lang == "zh":
            main = [
                f"<h1>{title}</h1>",
                f"<p>2023年度公司实现营业收入{revenue:,}万元。</p>",
                "<ul><li>年度报告</li><li>季度报告</li><li>股东大会公告</li></ul>",
            ]
        else:
            main = [
                f"<h1>{title}</h1>",
                f"<p>Revenue for fiscal year 2023 was {revenue:,} million.</p>",
                "<ul><li>Annual report</li><li>Quarterly results</li><li>Shareholder meeting</li></ul>",
            ]
        main.append(f"<p>{text.sentence_products(lex, name, pids, lang, rng)}</p>")
    else:
        kw = text.keyword(lex, pids[0], lang, rng)
        title = {
            "ja": f"新型{kw}の販売開始のお知らせ",
            "zh": f"公司发布新一代{kw}",
            "en": f"{name} launches new {kw}",
        }[lang]
        main = [
            f"<h1>{title}</h1>",
            f'<p class="date">2024-{rng.randint(1, 5):02d}-{rng.randint(1, 28):02d}</p>',
            f"<p>{text.sentence_products(lex, name, pids, lang, rng)}</p>",
        ]
    nav_html = "".join(f'<li><a href="{h}">{n}</a></li>' for h, n in zip(hrefs, nav, strict=True))
    copyright_ = f"Copyright (C) 2024 {name} All Rights Reserved."
    place = firm["city"] if lang == "en" else firm["region"]
    icp = (
        f"<p>沪ICP备{seed_of(world.seed, 'icp', firm['index']) % 10**8:08d}号</p>"
        if lang == "zh"
        else ""
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n@@CHARSET@@'
        '<meta name="generator" content="SiteBuilder 7.2">\n'
        f"<title>{title} | {name}</title>\n"
        f'<link rel="canonical" href="@@URL@@">\n</head>\n<body>\n'
        f'<div id="cookie-banner">{text.COOKIE[lang]}</div>\n'
        f'<header><a class="logo" href="/">{name}</a><nav><ul>{nav_html}</ul></nav></header>\n'
        f"<main>\n{chr(10).join(main)}\n</main>\n"
        f'<aside class="newsletter"><h3>{text.NEWSLETTER[lang]}</h3><form><input type="email"></form></aside>\n'
        f"<footer><p>{place}</p>{icp}<p>{copyright_}</p></footer>\n</body>\n</html>\n"
    )


def write_warc_block(seed: int, scale: Scale, out: str, block: int):
    """One WARC file of a block's sites; returns (page truth rows, defects)."""
    world = world_of(seed, scale)
    rel = f"web/crawl-{block:05d}.warc.gz"
    path = Path(out) / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    truths, defects = [], []
    when = CRAWL_START + timedelta(hours=block)
    position = 0
    with path.open("wb") as f:
        rec = formats.warcinfo(path.name, when, formats.record_id(seed, "warcinfo", block))
        f.write(rec)
        position += len(rec)
        firms = [firm_of(seed, scale, i) for i in world.block_range(block)]
        with_site = [fm for fm in firms if fm["website"]]
        for firm in with_site:
            rng = rng_of(seed, "crawl", firm["index"])
            charset, declared = _site_encoding(firm, rng)
            for page in site_pages(world, firm):
                copies = [(page["url"], None)]
                if rng.random() < 0.04:
                    dup = page["url"] + (
                        "?utm_source=newsletter&utm_medium=email"
                        if not page["url"].endswith("/")
                        else "index.html"
                    )
                    copies.append((dup, page["url"]))
                for url, duplicate_of in copies:
                    when_page = when + timedelta(seconds=seed_of(seed, "t", url) % 3600)
                    body = _encode(
                        page["html"], url, charset, declared, rng if duplicate_of else None
                    )
                    ctype = (
                        f"text/html; charset={'UTF-8' if charset == 'utf-8' else charset}"
                        if declared == "http"
                        else "text/html"
                    )
                    block_bytes = formats.http_response("200 OK", ctype, body, when_page)
                    rec = formats.warc_response(
                        url, when_page, formats.record_id(seed, url), _ip(seed, firm), block_bytes
                    )
                    f.write(rec)
                    truths.append(
                        _page_truth(
                            firm, page, url, rel, position, charset, declared, duplicate_of, None
                        )
                    )
                    position += len(rec)
        cycle = list(WARC_DEFECTS)
        kinds = (cycle[(2 * block) % len(cycle)], cycle[(2 * block + 1) % len(cycle)])
        target = with_site[0] if with_site else None
        for n, kind in enumerate(kinds):
            if target is None:
                break
            url = f"{target['website']}/broken/{n + 1}.html"
            rec = _broken_record(seed, kind, url, when, _ip(seed, target))
            f.write(rec)
            defects.append(
                {
                    "file": rel,
                    "locator": f"offset={position}",
                    "reason": WARC_DEFECTS[kind],
                    "kind": f"page.{kind}",
                    "url": url,
                }
            )
            truths.append(
                _page_truth(
                    target,
                    {"type": "broken", "lang": None, "products": []},
                    url,
                    rel,
                    position,
                    None,
                    None,
                    None,
                    kind,
                )
            )
            position += len(rec)
    return truths, defects


def _encode(html: str, url: str, charset: str, declared: str, dup_rng) -> bytes:
    meta = (
        f'<meta charset="{"Shift_JIS" if charset == "shift_jis" else charset.upper() if charset != "utf-8" else "utf-8"}">\n'
        if declared in ("meta", "http")
        else ""
    )
    page = html.replace("@@CHARSET@@", meta).replace("@@URL@@", url.split("?")[0])
    if dup_rng is not None:  # a near-duplicate: same page, another session token
        page = page.replace(
            "</body>", f"<!-- session {dup_rng.randrange(16**12):012x} -->\n</body>"
        )
    return page.encode(charset, errors="xmlcharrefreplace")


def _ip(seed: int, firm: dict) -> str:
    return f"203.0.113.{seed_of(seed, 'ip', firm['index']) % 254 + 1}"


def _broken_record(seed: int, kind: str, url: str, when: datetime, ip: str) -> bytes:
    body = (
        b"<!DOCTYPE html><html><body><h1>Products</h1><p>Our latest catalogue</p></body></html>\n"
    )
    extra = []
    if kind == "http_truncated":
        block = formats.http_response(
            "200 OK", "text/html; charset=UTF-8", body[:30], when, declared_length=len(body)
        )
    elif kind == "warc_truncated":
        block = formats.http_response("200 OK", "text/html; charset=UTF-8", body[:40], when)
        extra = [("WARC-Truncated", "length")]
    elif kind == "http_malformed":
        block = b"\x00\x17garbled response head\r\n\r\n" + body
    elif kind == "http_not_found":
        block = formats.http_response(
            "404 Not Found",
            "text/html; charset=UTF-8",
            b"<html><body><h1>404 Not Found</h1></body></html>",
            when,
        )
    elif kind == "not_html":
        pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
        block = formats.http_response("200 OK", "application/pdf", pdf, when)
    else:
        block = formats.http_response("200 OK", "text/html; charset=UTF-8", b"", when)
    return formats.warc_response(
        url, when, formats.record_id(seed, "broken", url), ip, block, extra
    )


def _page_truth(firm, page, url, rel, offset, charset, declared, duplicate_of, defect) -> dict:
    return {
        "url": url,
        "firm_key": firm["key"],
        "firm_id": firm_id_of(firm),
        "domain": firm["domain"],
        "page_type": page["type"],
        "lang": page["lang"],
        "charset": charset,
        "charset_declared": declared,
        "duplicate_of": duplicate_of,
        "defect": defect,
        "products": ",".join(sorted(set(page["products"]))),
        "product_mentions": len(page["products"]),
        "file": rel,
        "offset": offset,
    }


# ---------------------------------------------------------------------------------------
# The job
# ---------------------------------------------------------------------------------------


def generate(spark, seed: int, scale: Scale, out: str | Path, progress=None) -> dict:
    """Write the world at `out` (emptied first); returns the manifest."""
    from contextlib import nullcontext

    out = Path(out).resolve()
    if out.exists():
        if any(out.iterdir()) and not (out / "MANIFEST.json").is_file():
            raise ConfigError(
                f"--out {out} is not empty and holds no generated world (no MANIFEST.json): "
                "give a new or empty folder"
            )
        shutil.rmtree(out)
    out.mkdir(parents=True)
    sc = spark.sparkContext
    phase = progress.phase if progress is not None else (lambda name, rows=None: nullcontext())
    world = world_of(seed, scale)
    blocks = sc.parallelize(range(scale.blocks), scale.blocks)

    rows = sc.accumulator(0)

    def firms_of(block, seed=seed, scale=scale, rows=rows):
        firms = world_of(seed, scale).firms_of_block(block)
        rows.add(len(firms))
        return firms

    with phase("generate firms", rows=lambda: rows.value):
        firms = sorted(blocks.flatMap(firms_of).collect(), key=lambda f: f["index"])
        defects = firm_files(world, firms, out)
        write_firm_truth(world, firms, out)

    patents = sc.accumulator(0)
    with phase("generate patents", rows=lambda: patents.value):
        keys = blocks.flatMap(lambda b, seed=seed, scale=scale: patent_keys(seed, scale, b)).cache()
        counts = dict(keys.countByKey())
        offsets = number_offsets(counts)
        groups = sorted(counts)
        gid = {g: i for i, g in enumerate(groups)}
        n_parts = max(1, min(len(groups), scale.blocks * 2))
        out_s = str(out)

        def write(items, seed=seed, scale=scale, out_s=out_s, offsets=offsets, acc=patents):
            results = []
            for group, group_keys in items:
                result = write_patent_file(
                    seed, scale, out_s, group, list(group_keys), offsets[group]
                )
                acc.add(len(result[0]))
                results.append(result)
            return results

        written = (
            keys.map(lambda kv, gid=gid: (gid[kv[0]], (kv[0], kv[1])))
            .partitionBy(n_parts, lambda k: k)
            .mapPartitions(lambda it: _by_group(it))
            .mapPartitions(write)
            .collect()
        )
        keys.unpersist()
    patent_truth = [t for truths, _, _, _ in written for t in truths]
    applicants: Counter = Counter()
    inventor_truth, npl_truth = [], []
    for _, apps, file_defects, extras in written:
        for k, n in apps:
            applicants[k] += n
        defects += file_defects
        inventor_truth += extras["inventors"]
        npl_truth += extras["npl"]
    moves = blocks.flatMap(
        lambda b, seed=seed, scale=scale: [
            row
            for i in world_of(seed, scale).block_range(b)
            for row in people.moves_of(seed, scale, i)
        ]
    ).collect()

    pages = sc.accumulator(0)
    with phase("generate web", rows=lambda: pages.value):

        def warc(block, seed=seed, scale=scale, out_s=out_s, acc=pages):
            truths, warc_defects = write_warc_block(seed, scale, out_s, block)
            acc.add(len(truths))
            return [(truths, warc_defects)]

        web = blocks.flatMap(warc).collect()
    page_truth = [t for truths, _ in web for t in truths]
    for _, warc_defects in web:
        defects += warc_defects

    _write_truth_tables(out, patent_truth, applicants, page_truth, defects)
    _write_people_truth(out, inventor_truth, moves, npl_truth)
    manifest = _manifest(
        out, seed, scale, firms, patent_truth, page_truth, defects, inventor_truth, moves, npl_truth
    )
    return manifest


def _by_group(items):
    groups: dict = {}
    for _, (group, key) in items:
        groups.setdefault(group, []).append(key)
    return sorted(groups.items())


def _write_truth_tables(out: Path, patent_truth, applicants, page_truth, defects) -> None:
    truth = out / "truth"
    patent_truth = sorted(patent_truth, key=lambda t: t["pub_key"])
    _write_parquet(
        pa.Table.from_pylist(
            patent_truth,
            pa.schema(
                [
                    *[
                        (c, pa.string())
                        for c in (
                            "pub_key",
                            "office",
                            "file",
                            "firm_key",
                            "firm_id",
                            "entity",
                            "applicant",
                            "variant",
                        )
                    ],
                    ("field", pa.int32()),
                    ("ipc_main", pa.string()),
                    ("lang", pa.string()),
                ]
            ),
        ),
        truth / "patent_truth.parquet",
    )
    app_rows = [
        {
            "applicant": a,
            "office": o,
            "firm_key": fk,
            "firm_id": fid,
            "entity": e,
            "variant": v,
            "patents": n,
        }
        for (a, o, fk, fid, e, v), n in sorted(
            applicants.items(), key=lambda kv: tuple(str(x) for x in kv[0])
        )
    ]
    _write_parquet(
        pa.Table.from_pylist(
            app_rows,
            pa.schema(
                [
                    *[
                        (c, pa.string())
                        for c in ("applicant", "office", "firm_key", "firm_id", "entity", "variant")
                    ],
                    ("patents", pa.int32()),
                ]
            ),
        ),
        truth / "applicant_truth.parquet",
    )
    page_truth = sorted(page_truth, key=lambda t: (t["file"], t["offset"]))
    _write_parquet(
        pa.Table.from_pylist(
            page_truth,
            pa.schema(
                [
                    *[
                        (c, pa.string())
                        for c in (
                            "url",
                            "firm_key",
                            "firm_id",
                            "domain",
                            "page_type",
                            "lang",
                            "charset",
                            "charset_declared",
                            "duplicate_of",
                            "defect",
                            "products",
                        )
                    ],
                    ("product_mentions", pa.int32()),
                    ("file", pa.string()),
                    ("offset", pa.int64()),
                ]
            ),
        ),
        truth / "page_truth.parquet",
    )
    rows = sorted(defects, key=lambda d: (d["file"], d["locator"]))
    (truth / "defects.csv").write_bytes(
        formats.csv_bytes(
            ["file", "locator", "kind", "expected_reason", "url"],
            [[d["file"], d["locator"], d["kind"], d["reason"], d.get("url", "")] for d in rows],
        )
    )


def _write_people_truth(out: Path, inventor_truth, moves, npl_truth) -> None:
    """truth/patent_inventors.parquet, truth/inventor_moves.parquet, truth/npl_truth.parquet."""
    truth = out / "truth"
    _write_parquet(
        pa.Table.from_pylist(
            sorted(inventor_truth, key=lambda r: (r["pub_key"], r["sequence"])),
            pa.schema(
                [
                    ("pub_key", pa.string()),
                    ("sequence", pa.int32()),
                    ("inventor_key", pa.string()),
                    ("name", pa.string()),
                    ("firm_key", pa.string()),
                    ("city", pa.string()),
                    ("country", pa.string()),
                    ("app_date", pa.date32()),
                    ("address_given", pa.bool_()),
                ]
            ),
        ),
        truth / "patent_inventors.parquet",
    )
    _write_parquet(
        pa.Table.from_pylist(
            sorted(moves, key=lambda r: r["inventor_key"]),
            pa.schema(
                [
                    ("inventor_key", pa.string()),
                    ("name", pa.string()),
                    ("kind", pa.string()),
                    ("move_date", pa.date32()),
                    *[
                        (c, pa.string())
                        for c in (
                            "from_firm_key",
                            "to_firm_key",
                            "from_city",
                            "to_city",
                            "from_country",
                            "to_country",
                        )
                    ],
                ]
            ),
        ),
        truth / "inventor_moves.parquet",
    )
    _write_parquet(
        pa.Table.from_pylist(
            sorted(npl_truth, key=lambda r: (r["pub_key"], r["sequence"])),
            pa.schema(
                [
                    ("pub_key", pa.string()),
                    ("sequence", pa.int32()),
                    ("kind", pa.string()),
                    ("scientific", pa.bool_()),
                    ("text", pa.string()),
                ]
            ),
        ),
        truth / "npl_truth.parquet",
    )


def _manifest(
    out: Path,
    seed,
    scale,
    firms,
    patent_truth,
    page_truth,
    defects,
    inventor_truth=(),
    moves=(),
    npl_truth=(),
) -> dict:
    files = []
    digest = hashlib.sha256()
    for path in sorted(p for p in out.rglob("*") if p.is_file() and p.name != "MANIFEST.json"):
        h = hashlib.sha256()
        with path.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        rel = path.relative_to(out).as_posix()
        files.append({"path": rel, "bytes": path.stat().st_size, "sha256": h.hexdigest()})
        digest.update(f"{rel}\0{h.hexdigest()}\n".encode())
    by_office = Counter(t["office"] for t in patent_truth)
    by_entity = Counter(t["entity"] for t in patent_truth)
    manifest = {
        "generator": "innolink generate",
        "seed": seed,
        "scale": scale.name,
        "parameters": {
            "firms": scale.firms,
            "patents_expected": scale.patents,
            "pages_expected": scale.pages,
            "blocks": scale.blocks,
            "reference_year": REFERENCE_YEAR,
        },
        "counts": {
            "firms": len(firms),
            "firms_by_country": dict(sorted(Counter(f["country"] for f in firms).items())),
            "firms_by_type": dict(sorted(Counter(f["firm_type"] for f in firms).items())),
            "patents": len(patent_truth),
            "patents_by_office": dict(sorted(by_office.items())),
            "patents_by_applicant": dict(sorted(by_entity.items())),
            "pages": sum(1 for p in page_truth if p["defect"] is None),
            "pages_near_duplicate": sum(1 for p in page_truth if p["duplicate_of"]),
            "planted_defects": dict(sorted(Counter(d["kind"] for d in defects).items())),
            "inventors": len({r["inventor_key"] for r in inventor_truth}),
            "inventor_moves": dict(sorted(Counter(m["kind"] for m in moves).items())),
            "npl": len(npl_truth),
            "npl_scientific": sum(1 for r in npl_truth if r["scientific"]),
        },
        "bytes": {
            folder: sum(f["bytes"] for f in files if f["path"].startswith(folder + "/"))
            for folder in ("firms", "patents", "web", "truth")
        },
        "content_sha256": digest.hexdigest(),
        "files": files,
    }
    (out / "MANIFEST.json").write_text(
        json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return manifest
