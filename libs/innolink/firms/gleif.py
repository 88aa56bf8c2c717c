"""Readers of GLEIF data: legal entities (Level 1), parent links (Level 2), ISIN -> LEI.

Formats (`--format`):
- `gleif-lei-json`: Golden Copy LEI2 JSON (`{"records":[{"LEI":{"$":...},"Entity":...}]}`).
- `gleif-lei-xml`: LEI-CDF XML (the Golden Copy / concatenated file, query exports).
- `gleif-api`: responses of the GLEIF API (JSON:API): lei-records, relationship-records,
  reporting-exceptions, isins; pages of any of them, or one record (also inside a recorder's
  `{"url", "body"}` wrapper).
- `gleif-parents-csv`: the child -> direct parent CSV extract (LEI, Legal Name, Parent LEI,
  Parent Name, ... as crawled from the API by ShinYingChua/GLEIF-Data-Extraction).
- `gleif-isin-csv`: GLEIF's ISIN-LEI mapping file (`LEI,ISIN`).

Golden copy files are gigabytes: they are read split across tasks at record boundaries
(`split_points`: an XML record starts at `<lei:LEIRecord>`, a JSON record at a `{` opening a
line), so a task holds one record at a time; `chunk_records` turns one piece into records.

Every record becomes one dict: role `entity`, `relationship` or `isin`, or a reject with a
reason (reporting exceptions, "this entity reports no parent", are `out_of_scope` rejects:
information, not links). Pure Python, like the firm-list readers.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator, Mapping

from lxml import etree
from pyspark.sql.types import ArrayType, StringType, StructField, StructType

from innolink.firms.readers import Reject as ListReject
from innolink.firms.readers import map_csv
from innolink.firms.records import ReadContext
from innolink.normalize import (
    clean_text,
    country_iso2,
    isin_valid,
    lei_valid,
    normalize_name,
)
from innolink.tables import OTHER_NAME

PARENT = StructType(
    [
        StructField("parent_lei", StringType()),
        StructField("relationship", StringType()),
        StructField("status", StringType()),
        StructField("start_date", StringType()),
        StructField("end_date", StringType()),
    ]
)

ENTITY_RECORD_FIELDS: list[tuple[str, object]] = [
    ("source_format", StringType()),
    ("source_file", StringType()),
    ("locator", StringType()),
    ("role", StringType()),
    ("reason", StringType()),
    ("excerpt", StringType()),
    ("lei", StringType()),
    ("legal_name", StringType()),
    ("legal_name_lang", StringType()),
    ("name_norm", StringType()),
    ("other_names", ArrayType(OTHER_NAME)),
    ("name_keys", ArrayType(StringType())),
    ("legal_country", StringType()),
    ("legal_city", StringType()),
    ("hq_country", StringType()),
    ("hq_city", StringType()),
    ("jurisdiction", StringType()),
    ("elf_code", StringType()),
    ("legal_form", StringType()),
    ("entity_category", StringType()),
    ("entity_status", StringType()),
    ("registration_status", StringType()),
    ("registration_authority", StringType()),
    ("registration_id", StringType()),
    ("last_update", StringType()),
    ("parents", ArrayType(PARENT)),
    ("isin", StringType()),
]
ENTITY_RECORD_SCHEMA = StructType([StructField(n, t, True) for n, t in ENTITY_RECORD_FIELDS])
_ORDER = [n for n, _ in ENTITY_RECORD_FIELDS]

# Formats read split at record boundaries (TextInputFormat with this record delimiter).
DELIMITERS = {"gleif-lei-xml": "<lei:LEIRecord>", "gleif-lei-json": "\n{", "gleif-isin-csv": "\n"}

RELATIONSHIPS = {
    "IS_DIRECTLY_CONSOLIDATED_BY": "direct",
    "IS_ULTIMATELY_CONSOLIDATED_BY": "ultimate",
    # A branch is part of its head office, so it belongs to the same family.
    "IS_INTERNATIONAL_BRANCH_OF": "branch",
}
_NS = (
    'xmlns:lei="http://www.gleif.org/data/schema/leidata/2016" '
    'xmlns:gleif="http://www.gleif.org/data/schema/golden-copy/extensions/1.0" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
)
_XML_PARSER = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)
_RECORD_TAG = re.compile(r"<(?:\w+:)?LEIRecord[\s>]")
_CLOSE = "</lei:LEIRecord>"


class Reject(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def as_row(record: dict) -> tuple:
    unknown = set(record) - set(_ORDER)
    if unknown:
        raise KeyError(f"unknown entity record fields: {sorted(unknown)}")
    return tuple(record.get(name) for name in _ORDER)


def reject(fmt: str, path: str, locator: str, reason: str, excerpt: str | None) -> dict:
    return {
        "source_format": fmt,
        "source_file": path,
        "locator": locator,
        "reason": reason,
        "excerpt": excerpt,
    }


def _lei(value) -> str:
    lei = (value or "").strip().upper() if isinstance(value, str) else ""
    if not lei:
        raise Reject("missing.lei")
    if not lei_valid(lei):
        raise Reject(f"invalid.lei: {lei!r}")
    return lei


def _date(value: str | None) -> str | None:
    """The date of an ISO 8601 timestamp ("2019-09-01T00:00:00Z" -> "2019-09-01")."""
    text = (value or "").strip()
    return text[:10] if len(text) >= 10 else (text or None)


def _country(value: str | None) -> str | None:
    """ISO-2 from an address country or a jurisdiction ("US-DE" -> "US")."""
    text = (value or "").strip().upper()
    if len(text) >= 2 and text[:2].isalpha() and (len(text) == 2 or text[2] == "-"):
        return text[:2]
    return country_iso2(value) if text else None


def _entity(
    ctx: ReadContext,
    *,
    lei: str,
    legal_name: str | None,
    legal_name_lang: str | None,
    other_names: list[dict],
    legal_country: str | None,
    jurisdiction: str | None,
    elf_code: str | None,
    legal_form_other: str | None,
    **fields,
) -> dict:
    """An entity record with its name keys: every name normalized with the legal country's
    legal forms (ISO 20275), so トヨタ自動車株式会社 and Toyota Motor Corporation both count."""
    name = clean_text(legal_name)
    if not name:
        raise Reject("missing.name")
    country = legal_country or _country(jurisdiction)
    keys = [normalize_name(name, country, ctx.forms)]
    keys += [normalize_name(n["name"], country, ctx.forms) for n in other_names]
    form = ctx.forms.local_name(elf_code) if ctx.forms is not None else None
    return {
        "role": "entity",
        "lei": lei,
        "legal_name": name,
        "legal_name_lang": legal_name_lang,
        "name_norm": keys[0],
        "other_names": other_names,
        "name_keys": sorted({k for k in keys if k}),
        "legal_country": country,
        "jurisdiction": jurisdiction,
        # 8888 (form not yet coded) and 9999 (no separate form) say nothing by themselves.
        "elf_code": elf_code,
        "legal_form": form if elf_code not in (None, "8888", "9999") and form else legal_form_other,
        **fields,
    }


# --- LEI-CDF: Golden Copy JSON and XML (one shape: XML mapped the way GLEIF's JSON is) ---


def _list(node) -> list:
    if node is None:
        return []
    return node if isinstance(node, list) else [node]


def _text(node) -> str | None:
    if isinstance(node, dict):
        node = node.get("$")
    return clean_text(node) if isinstance(node, str) else None


def _names_cdf(entity: Mapping, group: str, item: str) -> list[dict]:
    container = entity.get(group) or {}
    return [
        {"name": _text(n), "lang": n.get("@xml:lang"), "type": n.get("@type")}
        for n in _list(container.get(item) if isinstance(container, dict) else None)
        if isinstance(n, dict) and _text(n)
    ]


def entity_from_cdf(record: Mapping, ctx: ReadContext) -> dict:
    """One LEIRecord of LEI-CDF (Golden Copy JSON keys: {"$": text, "@attr": value})."""
    lei = _lei(_text(record.get("LEI")))
    entity = record.get("Entity") or {}
    registration = record.get("Registration") or {}
    legal_name = entity.get("LegalName") or {}
    legal_address = entity.get("LegalAddress") or {}
    hq_address = entity.get("HeadquartersAddress") or {}
    authority = entity.get("RegistrationAuthority") or {}
    form = entity.get("LegalForm") or {}
    return _entity(
        ctx,
        lei=lei,
        legal_name=_text(legal_name),
        legal_name_lang=legal_name.get("@xml:lang") if isinstance(legal_name, dict) else None,
        other_names=_names_cdf(entity, "OtherEntityNames", "OtherEntityName")
        + _names_cdf(entity, "TransliteratedOtherEntityNames", "TransliteratedOtherEntityName"),
        legal_country=_country(_text(legal_address.get("Country"))),
        jurisdiction=_text(entity.get("LegalJurisdiction")),
        elf_code=_text(form.get("EntityLegalFormCode")),
        legal_form_other=_text(form.get("OtherLegalForm")),
        legal_city=_text(legal_address.get("City")),
        hq_country=_country(_text(hq_address.get("Country"))),
        hq_city=_text(hq_address.get("City")),
        entity_category=_text(entity.get("EntityCategory")),
        entity_status=_text(entity.get("EntityStatus")),
        registration_status=_text(registration.get("RegistrationStatus")),
        registration_authority=_text(authority.get("RegistrationAuthorityID")),
        registration_id=_text(authority.get("RegistrationAuthorityEntityID")),
        last_update=_text(registration.get("LastUpdateDate")),
    )


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def cdf_dict(element) -> dict:
    """An XML element in GLEIF's JSON rendering: {"$": text, "@attr": value, "Child": ...}."""
    out: dict = {}
    for key, value in element.attrib.items():
        name = _local(key)
        out["@xml:lang" if key.endswith("}lang") else f"@{name}"] = value
    text = (element.text or "").strip()
    if text:
        out["$"] = text
    for child in element:
        if not isinstance(child.tag, str):
            continue  # comments, processing instructions
        name, value = _local(child.tag), cdf_dict(child)
        if name in out:
            out[name] = [*_list(out[name]), value]
        else:
            out[name] = value
    return out


def _xml_record(path: str, locator: str, xml: str, ctx: ReadContext) -> dict:
    fmt = "gleif-lei-xml"
    try:
        end = xml.rfind(_CLOSE)
        if end < 0:
            raise Reject("bad_record: no </lei:LEIRecord>")
        root = etree.fromstring(f"<lei:LEIRecord {_NS}>{xml[:end]}{_CLOSE}".encode(), _XML_PARSER)
        record = entity_from_cdf(cdf_dict(root), ctx)
    except etree.XMLSyntaxError as exc:
        return reject(fmt, path, locator, f"bad_xml: {exc}", xml)
    except Reject as exc:
        return reject(fmt, path, locator, exc.reason, xml)
    return {"source_format": fmt, "source_file": path, "locator": locator, **record}


def _xml_document(path: str, data: bytes, ctx: ReadContext) -> Iterator[dict]:
    """A whole LEI-CDF document without the lei: prefix the splitter cuts at (or any other
    prefix): parsed in one piece, one record per LEIRecord element."""
    fmt = "gleif-lei-xml"
    try:
        root = etree.fromstring(data, _XML_PARSER)
    except etree.XMLSyntaxError as exc:
        yield reject(fmt, path, "file", f"bad_xml: {exc}", data[:4096].decode("utf-8", "replace"))
        return
    for i, element in enumerate(root.iter("{*}LEIRecord")):
        locator = f"record {i + 1}"
        try:
            record = entity_from_cdf(cdf_dict(element), ctx)
        except Reject as exc:
            excerpt = etree.tostring(element, encoding="unicode")
            yield reject(fmt, path, locator, exc.reason, excerpt)
            continue
        yield {"source_format": fmt, "source_file": path, "locator": locator, **record}


def _json_record(path: str, locator: str, text: str, ctx: ReadContext) -> dict:
    """One record of a pretty-printed Golden Copy JSON file: the piece after a line's `{`,
    up to the next one (so without its opening brace, with a trailing `,` or `]}`)."""
    fmt = "gleif-lei-json"
    body = text.rstrip()
    if body.endswith("]}"):
        body = body[:-2].rstrip()
    body = body.rstrip(",")
    try:
        record = json.loads("{" + body)
        if not isinstance(record, dict):
            raise Reject("bad_json: a record is not an object")
        out = entity_from_cdf(record, ctx)
    except ValueError as exc:
        return reject(fmt, path, locator, f"bad_json: {exc}", text)
    except Reject as exc:
        return reject(fmt, path, locator, exc.reason, text)
    return {"source_format": fmt, "source_file": path, "locator": locator, **out}


def _json_document(path: str, data: bytes, ctx: ReadContext) -> Iterator[dict]:
    fmt = "gleif-lei-json"
    try:
        doc = json.loads(data.decode("utf-8-sig"))
        records = doc.get("records") if isinstance(doc, dict) else None
        if not isinstance(records, list):
            raise ValueError('no "records" list')
    except (UnicodeDecodeError, ValueError) as exc:
        yield reject(fmt, path, "file", f"bad_json: {exc}", data[:4096].decode("utf-8", "replace"))
        return
    for i, record in enumerate(records):
        locator = f"record {i + 1}"
        try:
            if not isinstance(record, dict):
                raise Reject("bad_json: a record is not an object")
            out = entity_from_cdf(record, ctx)
        except Reject as exc:
            yield reject(fmt, path, locator, exc.reason, json.dumps(record, ensure_ascii=False))
            continue
        yield {"source_format": fmt, "source_file": path, "locator": locator, **out}


def _isin_line(path: str, locator: str, line: str) -> dict | None:
    fmt = "gleif-isin-csv"
    text = line.strip().lstrip("\ufeff")
    if not text or text.replace('"', "").upper() == "LEI,ISIN":
        return None  # the header line and blank lines are not records
    parts = [p.strip().strip('"') for p in text.split(",")]
    try:
        if len(parts) != 2:
            raise Reject(f"bad_csv.field_count: {len(parts)} fields, expected 2")
        lei, isin = _lei(parts[0]), parts[1].upper()
        if not isin_valid(isin):
            raise Reject(f"invalid.isin: {isin!r}")
    except Reject as exc:
        return reject(fmt, path, locator, exc.reason, line)
    return {
        "source_format": fmt,
        "source_file": path,
        "locator": locator,
        "role": "isin",
        "lei": lei,
        "isin": isin,
    }


def chunk_records(fmt: str, path: str, offset: int, text: str, ctx: ReadContext) -> Iterator[dict]:
    """Records of one piece of a file split at its format's delimiter (DELIMITERS).

    The piece at offset 0 precedes the first delimiter: a file's header, or the whole file
    when the delimiter never occurs (a compact JSON file, XML without the lei: prefix),
    which is then read as one document.
    """
    locator = f"offset={offset}"
    if fmt == "gleif-isin-csv":
        record = _isin_line(path, f"line at {locator}", text)
        if record is not None:
            yield record
        return
    if offset == 0:
        if fmt == "gleif-lei-xml" and _RECORD_TAG.search(text):
            yield from _xml_document(path, text.encode("utf-8"), ctx)
        elif fmt == "gleif-lei-json" and '"LEI"' in text:
            yield from _json_document(path, text.encode("utf-8"), ctx)
        return
    if fmt == "gleif-lei-xml":
        yield _xml_record(path, locator, text, ctx)
    else:
        yield _json_record(path, locator, text, ctx)


def split_points(data: bytes | io.BufferedIOBase, delimiter: str, chunk: int = 1 << 20):
    """(offset, text) pieces of a stream split at the delimiter, as Hadoop's TextInputFormat
    does (the delimiter itself left out): for zip members, which Hadoop cannot split."""
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    sep = delimiter.encode("utf-8")
    buffer, start = b"", 0
    while True:
        block = stream.read(chunk)
        buffer += block
        while True:
            cut = buffer.find(sep)
            if cut < 0:
                break
            yield start, buffer[:cut].decode("utf-8", "replace")
            buffer = buffer[cut + len(sep) :]
            start += cut + len(sep)
        if not block:
            break
    if buffer:
        yield start, buffer.decode("utf-8", "replace")


# --- GLEIF API (JSON:API) ---


def _api_names(entity: Mapping) -> list[dict]:
    out = []
    for group in ("otherNames", "transliteratedOtherNames"):
        for n in entity.get(group) or []:
            if isinstance(n, dict) and clean_text(n.get("name")):
                out.append(
                    {
                        "name": clean_text(n["name"]),
                        "lang": n.get("language"),
                        "type": n.get("type"),
                    }
                )
    return out


def entity_from_api(attributes: Mapping, ctx: ReadContext) -> dict:
    """The attributes of a GLEIF API lei-records resource."""
    entity = attributes.get("entity") or {}
    registration = attributes.get("registration") or {}
    legal_name = entity.get("legalName") or {}
    legal_address = entity.get("legalAddress") or {}
    hq_address = entity.get("headquartersAddress") or {}
    registered_at = entity.get("registeredAt") or {}
    form = entity.get("legalForm") or {}
    return _entity(
        ctx,
        lei=_lei(attributes.get("lei")),
        legal_name=legal_name.get("name"),
        legal_name_lang=legal_name.get("language"),
        other_names=_api_names(entity),
        legal_country=_country(legal_address.get("country")),
        jurisdiction=entity.get("jurisdiction"),
        elf_code=form.get("id"),
        legal_form_other=clean_text(form.get("other")),
        legal_city=clean_text(legal_address.get("city")),
        hq_country=_country(hq_address.get("country")),
        hq_city=clean_text(hq_address.get("city")),
        entity_category=entity.get("category"),
        entity_status=entity.get("status"),
        registration_status=registration.get("status"),
        registration_authority=registered_at.get("id"),
        registration_id=clean_text(entity.get("registeredAs")),
        last_update=registration.get("lastUpdateDate"),
    )


def relationship_from_api(attributes: Mapping) -> dict:
    """A relationship-records resource: startNode (child) -> endNode (parent)."""
    rel = attributes.get("relationship") or {}
    kind = RELATIONSHIPS.get(rel.get("type") or "")
    if kind is None:
        raise Reject(f"unsupported.relationship: {rel.get('type')!r}")
    start, end = rel.get("startNode") or {}, rel.get("endNode") or {}
    if (start.get("type"), end.get("type")) != ("LEI", "LEI"):
        raise Reject("out_of_scope.relationship: a node is not an LEI")
    period = next(
        (p for p in rel.get("periods") or [] if p.get("type") == "RELATIONSHIP_PERIOD"), {}
    )
    return {
        "role": "relationship",
        "lei": _lei(start.get("id")),
        "parents": [
            {
                "parent_lei": _lei(end.get("id")),
                "relationship": kind,
                "status": rel.get("status"),
                "start_date": _date(period.get("startDate")),
                "end_date": _date(period.get("endDate")),
            }
        ],
    }


def _api_resource(resource, ctx: ReadContext) -> dict:
    if not isinstance(resource, dict):
        raise Reject("bad_json: a resource is not an object")
    kind, attributes = resource.get("type"), resource.get("attributes") or {}
    if kind == "lei-records":
        return entity_from_api(attributes, ctx)
    if kind == "relationship-records":
        return relationship_from_api(attributes)
    if kind == "isins":
        isin = (attributes.get("isin") or "").strip().upper()
        if not isin_valid(isin):
            raise Reject(f"invalid.isin: {isin!r}")
        return {"role": "isin", "lei": _lei(attributes.get("lei")), "isin": isin}
    if kind == "reporting-exceptions":
        # The entity reports no parent of this kind, and why (NO_KNOWN_PERSON: it is its
        # own top; NON_CONSOLIDATING...): nothing to link, kept as a reason.
        raise Reject(
            f"out_of_scope.reporting_exception: {attributes.get('category')} "
            f"{attributes.get('reason')}"
        )
    raise Reject(f"unsupported.resource: {kind!r}")


def read_gleif_api(path: str, data: bytes, ctx: ReadContext) -> Iterator[dict]:
    fmt = "gleif-api"
    try:
        doc = json.loads(data.decode("utf-8-sig"))
        # A recorded response: {"url", "status", "contentType", "recorded", "body": {...}}.
        if isinstance(doc, dict) and isinstance(doc.get("body"), dict) and "data" not in doc:
            doc = doc["body"]
        if not isinstance(doc, dict) or "data" not in doc:
            raise ValueError('not a JSON:API document (no "data")')
    except (UnicodeDecodeError, ValueError) as exc:
        yield reject(fmt, path, "file", f"bad_json: {exc}", data[:4096].decode("utf-8", "replace"))
        return
    for section in ("data", "included"):
        value = doc.get(section)
        items = value if isinstance(value, list) else ([value] if value is not None else [])
        single = not isinstance(value, list)
        for i, resource in enumerate(items):
            locator = section if single else f"{section}[{i}]"
            try:
                record = _api_resource(resource, ctx)
            except Reject as exc:
                excerpt = json.dumps(resource, ensure_ascii=False)
                yield reject(fmt, path, locator, exc.reason, excerpt)
                continue
            yield {"source_format": fmt, "source_file": path, "locator": locator, **record}


# --- The child -> direct parent CSV extract ---

_PARENTS_CSV = [
    "LEI",
    "Legal Name",
    "Parent LEI",
    "Parent Name",
    "Legal City",
    "HQ City",
    "Registration ID",
    "Registered As",
    "Category",
    "Legal Jurisdiction",
    "Entity Status",
]


def read_parents_csv(path: str, data: bytes, ctx: ReadContext) -> Iterator[dict]:
    """One entity per row, with its direct parent when the row has one ("N/A" when not).

    The extract's "Legal City" and "HQ City" columns hold the country codes (the crawler's
    naming), and its cities are not there at all.
    """
    fmt = "gleif-parents-csv"

    def build(rec, row: dict) -> dict:
        try:
            lei = _lei(row["LEI"])
            parent = (row["Parent LEI"] or "").strip()
            parents = []
            if parent and parent.upper() != "N/A":
                parents.append(
                    {
                        "parent_lei": _lei(parent),
                        "relationship": "direct",
                        "status": None,
                        "start_date": None,
                        "end_date": None,
                    }
                )
            entity = _entity(
                ctx,
                lei=lei,
                legal_name=row["Legal Name"],
                legal_name_lang=None,
                other_names=[],
                legal_country=_country(row["Legal City"]),
                jurisdiction=clean_text(row["Legal Jurisdiction"]),
                elf_code=None,
                legal_form_other=None,
                hq_country=_country(row["HQ City"]),
                entity_category=clean_text(row["Category"]),
                entity_status=clean_text(row["Entity Status"]),
                registration_authority=clean_text(row["Registration ID"]),
                registration_id=clean_text(row["Registered As"]),
                parents=parents,
            )
        except Reject as exc:
            raise ListReject(exc.reason) from None
        return {"source_format": fmt, "source_file": path, "locator": rec.locator, **entity}

    yield from map_csv(fmt, path, data, _PARENTS_CSV, build)


def whole_file_records(fmt: str, path: str, data: bytes, ctx: ReadContext) -> Iterator[dict]:
    """Records of a file read in one piece (API pages, the CSV extract, zip members and
    small golden-copy files); an unexpected error rejects the rest of the file."""
    try:
        if fmt == "gleif-api":
            yield from read_gleif_api(path, data, ctx)
        elif fmt == "gleif-parents-csv":
            yield from read_parents_csv(path, data, ctx)
        elif fmt in DELIMITERS:
            for offset, text in split_points(data, DELIMITERS[fmt]):
                yield from chunk_records(fmt, path, offset, text, ctx)
        else:
            raise ValueError(f"not a GLEIF format: {fmt}")
    except Exception as exc:  # a reader bug must not lose the file silently or kill the job
        yield reject(fmt, path, "file", f"reader_error: {type(exc).__name__}: {exc}", "")


def zip_records(fmt: str, path: str, data: bytes, ctx: ReadContext) -> Iterator[dict]:
    """GLEIF ships golden copies as .zip: each member streamed through the splitter."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError) as exc:
        yield reject(fmt, path, "archive", f"archive.corrupt: {exc}", "")
        return
    for member in members:
        where = f"{path}!{member.filename}"
        try:
            with archive.open(member) as stream:
                if fmt in DELIMITERS:
                    for offset, text in split_points(stream, DELIMITERS[fmt]):
                        yield from chunk_records(fmt, where, offset, text, ctx)
                else:
                    yield from whole_file_records(fmt, where, stream.read(), ctx)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            yield reject(fmt, where, "member", f"archive.corrupt: {exc}", "")
