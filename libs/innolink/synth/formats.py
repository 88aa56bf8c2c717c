"""The real input formats, written byte-for-byte deterministically.

- FinanceDatabase equities CSV (one file per exchange), JPX's Japanese-name list (JSON), the
  A-share short-name list (CSV): what `innolink run firms` reads.
- USPTO grant full text, v4.7 (`us-patent-grant`), documents concatenated into weekly
  files like ipgYYMMDD.xml: what `innolink.patents.readers.uspto` reads.
- Google Patents `publications` rows as JSON Lines (BigQuery's export: INT64 as strings).
- WARC/1.0 response records, one gzip member per record (as Common Crawl writes them).

No wall clock, no random ids: dates and record ids come from the data, gzip headers carry
mtime 0 and no file name.
"""

from __future__ import annotations

import base64
import csv
import gzip
import hashlib
import io
import json
import uuid
from datetime import date, datetime, timedelta
from xml.sax.saxutils import escape

FINANCEDATABASE_COLUMNS = (
    "symbol,name,summary,currency,sector,industry_group,industry,exchange,mic,market,country,"
    "state,city,zipcode,website,market_cap,isin,cusip,figi,composite_figi,shareclass_figi,delisted"
).split(",")


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=6, mtime=0)


# ---------------------------------------------------------------------------------------
# USPTO v4.x grant
# ---------------------------------------------------------------------------------------


def _d(value: date) -> str:
    return value.strftime("%Y%m%d")


def _ipcr(code: str, main: bool, action: date) -> str:
    subclass, _, groups = code.partition(" ")
    group, subgroup = groups.split("/")
    return (
        "<classification-ipcr>"
        "<ipc-version-indicator><date>20060101</date></ipc-version-indicator>"
        "<classification-level>A</classification-level>"
        f"<section>{subclass[0]}</section><class>{subclass[1:3]}</class>"
        f"<subclass>{subclass[3]}</subclass><main-group>{group}</main-group>"
        f"<subgroup>{subgroup}</subgroup>"
        f"<symbol-position>{'F' if main else 'L'}</symbol-position>"
        "<classification-value>I</classification-value>"
        f"<action-date><date>{_d(action)}</date></action-date>"
        "<generating-office><country>US</country></generating-office>"
        "<classification-status>B</classification-status>"
        "<classification-data-source>H</classification-data-source>"
        "</classification-ipcr>\n"
    )


def _cpc(code: str, action: date) -> str:
    subclass, _, groups = code.partition(" ")
    group, subgroup = groups.split("/")
    return (
        "<classification-cpc>"
        "<cpc-version-indicator><date>20130101</date></cpc-version-indicator>"
        f"<section>{subclass[0]}</section><class>{subclass[1:3]}</class>"
        f"<subclass>{subclass[3]}</subclass><main-group>{group}</main-group>"
        f"<subgroup>{subgroup}</subgroup><symbol-position>F</symbol-position>"
        "<classification-value>I</classification-value>"
        f"<action-date><date>{_d(action)}</date></action-date>"
        "<generating-office><country>US</country></generating-office>"
        "<classification-status>B</classification-status>"
        "<classification-data-source>H</classification-data-source>"
        f"<scheme-origination-code>C</scheme-origination-code></classification-cpc>\n"
    )


def _address(city: str | None, state: str | None, country: str) -> str:
    parts = []
    if city:
        parts.append(f"<city>{escape(city)}</city>")
    if state:
        parts.append(f"<state>{escape(state)}</state>")
    parts.append(f"<country>{country}</country>")
    return f"<address>{''.join(parts)}</address>"


def uspto_grant(p: dict) -> bytes:
    """One us-patent-grant document: p has number, kind, grant_date, app_number, app_date,
    title, abstract, claims, ipc (main first), applicant (name, city, state, country),
    inventors [(first, last, city, state, country)], citations [(number, kind, name, date)],
    npl [reference texts]."""
    number = f"{p['number']:08d}"
    grant: date = p["grant_date"]
    file_name = f"US{number}-{_d(grant)}.XML"
    applicant = p["applicant"]
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<!DOCTYPE us-patent-grant SYSTEM "us-patent-grant-v47-2022-02-17.dtd" [ ]>\n',
        f'<us-patent-grant lang="EN" dtd-version="v4.7 2022-02-17" file="{file_name}" '
        f'status="PRODUCTION" id="us-patent-grant" country="US" '
        f'date-produced="{_d(grant - timedelta(days=14))}" date-publ="{_d(grant)}">\n',
        "<us-bibliographic-data-grant>\n",
        "<publication-reference>\n<document-id>\n<country>US</country>\n"
        f"<doc-number>{number}</doc-number>\n<kind>{p['kind']}</kind>\n"
        f"<date>{_d(grant)}</date>\n</document-id>\n</publication-reference>\n",
        '<application-reference appl-type="utility">\n<document-id>\n<country>US</country>\n'
        f"<doc-number>{p['app_number']}</doc-number>\n<date>{_d(p['app_date'])}</date>\n"
        "</document-id>\n</application-reference>\n",
        f"<us-application-series-code>{p['app_number'][:2]}</us-application-series-code>\n",
        "<classifications-ipcr>\n",
        *[_ipcr(code, i == 0, grant) for i, code in enumerate(p["ipc"])],
        "</classifications-ipcr>\n",
        "<classifications-cpc>\n<main-cpc>\n",
        _cpc(p["ipc"][0], grant),
        "</main-cpc>\n",
    ]
    if len(p["ipc"]) > 1:
        lines += ["<further-cpc>\n", *[_cpc(c, grant) for c in p["ipc"][1:]], "</further-cpc>\n"]
    lines += [
        "</classifications-cpc>\n",
        f'<invention-title id="d2e43">{escape(p["title"])}</invention-title>\n',
    ]
    references = p.get("npl", [])
    if p["citations"] or references:
        lines.append("<us-references-cited>\n")
        for i, (cnum, ckind, cname, cdate) in enumerate(p["citations"], start=1):
            lines.append(
                f'<us-citation>\n<patcit num="{i:05d}">\n<document-id>\n<country>US</country>\n'
                f"<doc-number>{cnum}</doc-number>\n<kind>{ckind}</kind>\n"
                f"<name>{escape(cname)}</name>\n<date>{cdate}</date>\n</document-id>\n</patcit>\n"
                f"<category>{'cited by examiner' if i % 3 == 0 else 'cited by applicant'}"
                "</category>\n</us-citation>\n"
            )
        # Non-patent literature follows the patents, numbered on (as USPTO numbers them).
        for i, reference in enumerate(references, start=len(p["citations"]) + 1):
            lines.append(
                f'<us-citation>\n<nplcit num="{i:05d}">\n<othercit>{escape(reference)}</othercit>\n'
                f"</nplcit>\n<category>{'cited by examiner' if i % 4 == 0 else 'cited by applicant'}"
                "</category>\n</us-citation>\n"
            )
        lines.append("</us-references-cited>\n")
    lines += [
        f"<number-of-claims>{len(p['claims'])}</number-of-claims>\n",
        "<us-exemplary-claim>1</us-exemplary-claim>\n",
        "<figures>\n<number-of-drawing-sheets>3</number-of-drawing-sheets>\n"
        "<number-of-figures>4</number-of-figures>\n</figures>\n",
        "<us-parties>\n<us-applicants>\n",
        '<us-applicant sequence="001" app-type="applicant" designation="us-only" '
        'applicant-authority-category="assignee">\n<addressbook>\n'
        f"<orgname>{escape(applicant['name'])}</orgname>\n"
        f"{_address(applicant['city'], applicant['state'], applicant['country'])}\n"
        "</addressbook>\n"
        f"<residence>\n<country>{applicant['country']}</country>\n</residence>\n"
        "</us-applicant>\n</us-applicants>\n<inventors>\n",
    ]
    for i, (first, last, city, state, country) in enumerate(p["inventors"], start=1):
        lines.append(
            f'<inventor sequence="{i:03d}" designation="us-only">\n<addressbook>\n'
            f"<last-name>{escape(last)}</last-name>\n<first-name>{escape(first)}</first-name>\n"
            f"{_address(city, state, country)}\n</addressbook>\n</inventor>\n"
        )
    lines += [
        "</inventors>\n</us-parties>\n<assignees>\n<assignee>\n<addressbook>\n"
        f"<orgname>{escape(applicant['name'])}</orgname>\n<role>03</role>\n"
        f"{_address(applicant['city'], applicant['state'], applicant['country'])}\n"
        "</addressbook>\n</assignee>\n</assignees>\n",
        "<examiners>\n<primary-examiner>\n<last-name>Examiner</last-name>\n"
        f"<first-name>{escape(p['examiner'])}</first-name>\n"
        f"<department>{p['art_unit']}</department>\n</primary-examiner>\n</examiners>\n",
        "</us-bibliographic-data-grant>\n",
        f'<abstract id="abstract">\n<p id="p-0001" num="0000">{escape(p["abstract"])}</p>\n'
        "</abstract>\n",
        '<description id="description">\n<?BRFSUM description="Brief Summary" end="lead"?>\n'
        '<heading id="h-0001" level="1">BACKGROUND</heading>\n'
        f'<p id="p-0002" num="0001">{escape(p["background"])}</p>\n'
        '<heading id="h-0002" level="1">SUMMARY</heading>\n'
        f'<p id="p-0003" num="0002">{escape(p["abstract"])}</p>\n'
        '<?BRFSUM description="Brief Summary" end="tail"?>\n</description>\n',
        '<us-claim-statement>What is claimed is:</us-claim-statement>\n<claims id="claims">\n',
    ]
    for i, claim in enumerate(p["claims"], start=1):
        lines.append(
            f'<claim id="CLM-{i:05d}" num="{i:05d}">\n<claim-text>{escape(claim)}</claim-text>\n'
            "</claim>\n"
        )
    lines += ["</claims>\n</us-patent-grant>\n"]
    return "".join(lines).encode("utf-8")


def sequence_listing(number: int) -> bytes:
    """A DNA sequence listing as weekly files carry them beside the grants (no publication)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE sequence-cwu SYSTEM "us-sequence-listing.dtd" [ ]>\n'
        f'<sequence-cwu id="SEQLST-{number}" file="US{number:08d}-SEQLST.XML" '
        'status="PRODUCTION" country="US" dtd-version="v1.3">\n'
        f"<publication-reference><document-id><country>US</country>"
        f"<doc-number>{number:08d}</doc-number><kind>B2</kind></document-id>"
        "</publication-reference>\n<s-l-text>SEQUENCE LISTING\n&lt;160&gt; NUMBER OF SEQ ID NOS: 2\n"
        "&lt;210&gt; SEQ ID NO 1\n&lt;211&gt; LENGTH: 24\n&lt;212&gt; TYPE: DNA\n"
        "&lt;400&gt; SEQUENCE: 1\natggcgtacg ttagcatcga tcga 24\n</s-l-text>\n</sequence-cwu>\n"
    ).encode()


# ---------------------------------------------------------------------------------------
# Google Patents publications (JSON Lines)
# ---------------------------------------------------------------------------------------


def google_row(p: dict) -> str:
    """One publications row: p has office, number, kind, pub_date, app_number, app_date,
    family_id, texts {lang: {title, abstract, claims}}, title_en, ipc, assignee (as written),
    assignee_harmonized, country, inventors [(written, harmonized, country)], citations [pub
    numbers], npl [reference texts]."""
    lang = p["lang"]
    texts = p["texts"]
    titles = [{"text": texts["title"], "language": lang, "truncated": False}]
    if p.get("title_en"):
        titles.append({"text": p["title_en"], "language": "en", "truncated": False})

    def cls(code: str, first: bool) -> dict:
        return {"code": code.replace(" ", ""), "inventive": True, "first": first, "tree": []}

    row = {
        "publication_number": f"{p['office']}-{p['number']}-{p['kind']}",
        "application_number": f"{p['office']}-{p['app_number']}-A",
        "country_code": p["office"],
        "kind_code": p["kind"],
        "application_kind": "A",
        "application_number_formatted": p["app_number"],
        "pct_number": "",
        "family_id": str(p["family_id"]),
        "title_localized": titles,
        "abstract_localized": [{"text": texts["abstract"], "language": lang, "truncated": False}],
        "claims_localized": [
            {"text": "\n".join(texts["claims"]), "language": lang, "truncated": False}
        ],
        "description_localized": [],
        "publication_date": _d(p["pub_date"]),
        "filing_date": _d(p["app_date"]),
        "grant_date": "0",
        "priority_date": _d(p["app_date"]),
        "priority_claim": [],
        "inventor": [w for w, _, _ in p["inventors"]],
        "inventor_harmonized": [
            {"name": h, "country_code": country} for _, h, country in p["inventors"]
        ],
        "assignee": [p["assignee"]],
        "assignee_harmonized": [{"name": p["assignee_harmonized"], "country_code": p["country"]}],
        "examiner": [],
        "uspc": [],
        "ipc": [cls(c, i == 0) for i, c in enumerate(p["ipc"])],
        "cpc": [cls(c, i == 0) for i, c in enumerate(p["ipc"])],
        "fi": [],
        "fterm": [],
        "locarno": [],
        "citation": [
            {
                "publication_number": c,
                "application_number": "",
                "npl_text": "",
                "type": "",
                "category": "SEA",
                "filing_date": "0",
            }
            for c in p["citations"]
        ]
        + [
            {
                "publication_number": "",
                "application_number": "",
                "npl_text": reference,
                "type": "",
                "category": "SEA",
                "filing_date": "0",
            }
            for reference in p.get("npl", [])
        ],
        "entity_status": "",
        "art_unit": "",
    }
    return json.dumps(row, ensure_ascii=False, separators=(",", ":"))


# ---------------------------------------------------------------------------------------
# WARC
# ---------------------------------------------------------------------------------------


def _sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def record_id(*parts: object) -> str:
    return f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, repr(parts))}>"


def warc_record(headers: list[tuple[str, str]], block: bytes) -> bytes:
    head = "WARC/1.0\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers)
    head += f"Content-Length: {len(block)}\r\n\r\n"
    return gzip_bytes(head.encode("utf-8") + block + b"\r\n\r\n")


def warcinfo(filename: str, when: datetime, rid: str) -> bytes:
    block = (
        b"software: innolink-synth\r\nformat: WARC File Format 1.0\r\n"
        b"conformsTo: http://iipc.github.io/warc-specifications/specifications/warc-format/"
        b"warc-1.0/\r\nrobots: obey\r\ndescription: synthetic world, see docs/synthetic_world.md"
        b"\r\n"
    )
    return warc_record(
        [
            ("WARC-Type", "warcinfo"),
            ("WARC-Date", when.strftime("%Y-%m-%dT%H:%M:%SZ")),
            ("WARC-Filename", filename),
            ("WARC-Record-ID", rid),
            ("Content-Type", "application/warc-fields"),
        ],
        block,
    )


def http_response(
    status: str, content_type: str | None, body: bytes, when: datetime, declared_length=None
) -> bytes:
    lines = [
        f"HTTP/1.1 {status}",
        f"Date: {when.strftime('%a, %d %b %Y %H:%M:%S GMT')}",
        "Server: nginx",
    ]
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    lines.append(f"Content-Length: {len(body) if declared_length is None else declared_length}")
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + body


def warc_response(
    url: str,
    when: datetime,
    rid: str,
    ip: str,
    http_block: bytes,
    extra: list[tuple[str, str]] = (),
) -> bytes:
    payload = http_block.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in http_block else b""
    return warc_record(
        [
            ("WARC-Type", "response"),
            ("WARC-Date", when.strftime("%Y-%m-%dT%H:%M:%SZ")),
            ("WARC-Record-ID", rid),
            ("WARC-Target-URI", url),
            ("WARC-IP-Address", ip),
            *extra,
            ("WARC-Payload-Digest", _sha1_b32(payload)),
            ("WARC-Block-Digest", _sha1_b32(http_block)),
            ("Content-Type", "application/http; msgtype=response"),
        ],
        http_block,
    )
