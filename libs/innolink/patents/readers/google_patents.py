"""Google Patents exports (BigQuery `patents-public-data.patents.publications`) -> the rows of
the patent tables.

Input: a file or a folder of export shards, JSON Lines (`.json`, `.jsonl`, `.ndjson`, plain
or `.gz`/`.bz2`: one publication object per line, as BigQuery exports NEWLINE_DELIMITED_JSON)
or Parquet (`.parquet`). Other files are left alone (logged). Both are read with the
declared schema below, never inferred; BigQuery writes INT64 as JSON strings, so the JSON
schema reads those columns as strings (a number is read too) and the Parquet one as longs.

JSON Lines are read as text and parsed with from_json in PERMISSIVE mode: the line number
stays known (Spark's JSON reader would lose it) and a line that is not a publication object
is a reject, never a silent drop. Line numbers come from where each split starts in its file
(`_metadata.file_block_start`), so they hold when a large file is split across tasks.

Record: a non-blank line of a JSON file (blank lines are no record), a row of a Parquet file.
Count rule per file: records == publications (silver/patents rows from the file) + rejects.
Rejects (locator "line N" / "row N", counting from 1; excerpt the line / key fields):
- google.malformed_json: not a JSON object fitting the schema (broken JSON, an array, a
  field of another shape);
- google.bad_publication_number: no publication_number of the shape "US-7861515-B2";
- google.duplicate_publication: a publication already read from an earlier file or line.
An input with no such file is one record: "input.not_found" / "google.no_files".

Mapping (document.py conventions):
- pub_key = publication_number with the leading zeros of its number dropped.
- Dates are INT64 YYYYMMDD; 0 (unknown) and impossible dates are null.
- The publication's language is the office's (ja for JP, zh for CN, ...); for offices
  publishing in several (EP, WO, ...) it is the language of the description, which only
  comes in the language of the proceedings, else of the claims, abstract, title. Title,
  abstract and claims are the texts in that language (else the first given); title_en the
  English title when there is one. Claims are the claims text as given (Google joins the
  claims in one text), so first_claim and claim_count stay null.
- Parties: assignee / inventor names as given, paired with the harmonized entry at the same
  place (which gives the country) when both lists are as long; role "assignee" as Google
  names it (for unexamined applications these are the applicants), sequence = place in list.
- Classes: CPC and IPC as "H01M 10/0525", Locarno as "06-01", USPC, FI and F-terms as given;
  main = Google's `first`; a code listed twice is one class (first place, main if either).
- Citations: `citation` entries with a publication number are patent citations (country,
  number and kind from it, cited_key in pub_key shape), those with npl_text references to
  other literature; category = Google's type and category ("SEA X"). Google's citation
  filing_date is the cited application's filing date, not the cited document's date the
  XML readers give, so `date` stays null.
"""

from __future__ import annotations

import logging
import re

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ArrayType,
    BooleanType,
    DataType,
    LongType,
    StringType,
    StructField,
    StructType,
)

from innolink.patents.readers.frames import (
    PatentFrames,
    blank_to_null,
    class_code,
    conform,
    count_rows,
    counts_by_source,
    doc_number,
    empty,
    excerpt,
    input_paths,
    iso_date,
    mark_duplicates,
    norm_ws,
    out_schema,
    reject_rows,
    sum_counts,
    union,
)
from innolink.tables import PATENT_CITATIONS, PATENT_CLASSES, PATENT_PARTIES, PATENTS

log = logging.getLogger(__name__)

SOURCE_FORMAT = "google-patents"
DTD = "patents-public-data.patents.publications"

MALFORMED = "google.malformed_json"
BAD_NUMBER = "google.bad_publication_number"
DUPLICATE = "google.duplicate_publication"
NO_FILES = "google.no_files"
NOT_FOUND = "input.not_found"

_JSON_FILE = re.compile(r"\.(json|jsonl|ndjson)(\.gz|\.bz2)?$", re.IGNORECASE)
_PARQUET_FILE = re.compile(r"\.parquet$", re.IGNORECASE)
_CORRUPT = "_corrupt"
# "US-7861515-B2", "JP-2021044249-A", "US-D651432-S1", "TW-I123456-B".
_PUBLICATION = r"^([A-Z]{2})-([A-Z0-9]+)-([A-Z][A-Z0-9]{0,2})$"

# The language an office publishes in. Offices that publish in several (EP, WO, CH, BE,
# CA, ...) are absent: their language is read off the texts.
OFFICE_LANGUAGES = {
    "US": "en",
    "GB": "en",
    "AU": "en",
    "IN": "en",
    "JP": "ja",
    "CN": "zh",
    "TW": "zh",
    "KR": "ko",
    "DE": "de",
    "AT": "de",
    "FR": "fr",
    "ES": "es",
    "IT": "it",
    "RU": "ru",
    "BR": "pt",
}


def _schema(int64: DataType) -> StructType:
    """The publications table as BigQuery exports it; `int64` is how its INT64 columns come."""

    def s(name: str, kind: DataType | None = None) -> StructField:
        return StructField(name, kind or StringType())

    localized = ArrayType(StructType([s("text"), s("language"), s("truncated", BooleanType())]))
    harmonized = ArrayType(StructType([s("name"), s("country_code")]))
    classification = ArrayType(
        StructType(
            [
                s("code"),
                s("inventive", BooleanType()),
                s("first", BooleanType()),
                s("tree", ArrayType(StringType())),
            ]
        )
    )
    cited = ArrayType(
        StructType(
            [
                s("publication_number"),
                s("application_number"),
                s("npl_text"),
                s("type"),
                s("category"),
                s("filing_date", int64),
            ]
        )
    )
    return StructType(
        [
            s("publication_number"),
            s("application_number"),
            s("country_code"),
            s("kind_code"),
            s("application_kind"),
            s("application_number_formatted"),
            s("pct_number"),
            s("family_id"),
            s("spif_publication_number"),
            s("spif_application_number"),
            s("title_localized", localized),
            s("abstract_localized", localized),
            s("claims_localized", localized),
            s("description_localized", localized),
            s("publication_date", int64),
            s("filing_date", int64),
            s("grant_date", int64),
            s("priority_date", int64),
            s("priority_claim", cited),
            s("inventor", ArrayType(StringType())),
            s("inventor_harmonized", harmonized),
            s("assignee", ArrayType(StringType())),
            s("assignee_harmonized", harmonized),
            s("examiner", ArrayType(StructType([s("name"), s("department"), s("level")]))),
            s("uspc", classification),
            s("ipc", classification),
            s("cpc", classification),
            s("fi", classification),
            s("fterm", classification),
            s("locarno", classification),
            s("citation", cited),
            s("entity_status"),
            s("art_unit"),
        ]
    )


JSON_SCHEMA = _schema(StringType())
PARQUET_SCHEMA = _schema(LongType())

_CLASS_SCHEMES = ("cpc", "ipc", "locarno", "uspc", "fi", "fterm")
_DATES = ("publication_date", "filing_date", "grant_date", "priority_date")
_COPIED = (
    "publication_number",
    "application_number",
    "application_number_formatted",
    "family_id",
    "title_localized",
    "abstract_localized",
    "claims_localized",
    "description_localized",
    "inventor",
    "inventor_harmonized",
    "assignee",
    "assignee_harmonized",
)


def read(spark: SparkSession, path: str) -> PatentFrames:
    """The patent rows of the Google Patents export at `path` (a file or a folder)."""
    files = input_paths(spark, path)
    json_files = [f for f in files if _JSON_FILE.search(f)]
    parquet_files = [f for f in files if _PARQUET_FILE.search(f)]
    for other in sorted(set(files) - set(json_files) - set(parquet_files)):
        log.info("google-patents: %s is neither JSON Lines nor Parquet; left alone", other)
    if not json_files and not parquet_files:
        if files:
            names = ", ".join(f.rsplit("/", 1)[-1] for f in files[:20])
            reason, detail = NO_FILES, f"no .jsonl/.json/.parquet among: {names}"
        else:
            reason, detail = NOT_FOUND, "no file at this path"
        return PatentFrames(
            patents=empty(spark, out_schema(PATENTS)),
            parties=empty(spark, out_schema(PATENT_PARTIES)),
            classes=empty(spark, out_schema(PATENT_CLASSES)),
            citations=empty(spark, out_schema(PATENT_CITATIONS)),
            rejects=reject_rows(spark, [(path, "input", reason, detail)]),
            records_in=count_rows(spark, [(path, 1)]),
            records_used=count_rows(spark, []),
        )

    sources = _sources(spark, json_files + parquet_files)
    parts = []
    if json_files:
        parts.append(_json_records(spark, json_files, sources))
    if parquet_files:
        parts.append(_parquet_records(spark, parquet_files, sources))
    records = union(parts)

    pn = F.upper(F.trim(F.col("publication_number")))
    records = records.withColumn(
        "pub_key",
        F.when(
            pn.rlike(_PUBLICATION),
            F.concat_ws(
                "-",
                F.regexp_extract(pn, _PUBLICATION, 1),
                doc_number(F.regexp_extract(pn, _PUBLICATION, 2)),
                F.regexp_extract(pn, _PUBLICATION, 3),
            ),
        ),
    ).withColumn(
        "_reason",
        F.when(F.col(_CORRUPT).isNotNull(), F.lit(MALFORMED)).when(
            F.col("pub_key").isNull(), F.lit(BAD_NUMBER)
        ),
    )
    # The first copy is kept, like PatentsView's; copies across inputs are the stage's job.
    records = mark_duplicates(records, ["pub_key"], ["_source", "_number"], DUPLICATE)
    rejects = records.where(F.col("_reason").isNotNull()).select(
        F.col("_source").alias("source"),
        F.concat(F.col("_unit"), F.lit(" "), F.col("_number").cast("string")).alias("locator"),
        F.col("_reason").alias("reason"),
        F.col("_excerpt").alias("excerpt"),
    )
    good = records.where(F.col("_reason").isNull())
    patents = _patents(good)
    counts = [
        counts_by_source(records),
        count_rows(spark, [(f, 0) for f in json_files + parquet_files]),
    ]
    return PatentFrames(
        patents=conform(patents, PATENTS),
        parties=_parties(good),
        classes=_classes(good),
        citations=_citations(good),
        rejects=rejects,
        records_in=sum_counts(counts, spark),
        records_used=sum_counts([counts_by_source(patents, "source_file")], spark),
    )


# ---------------------------------------------------------------------------------------
# Records: one per non-blank line / Parquet row, numbered within its file
# ---------------------------------------------------------------------------------------


def _sources(spark: SparkSession, files: list[str]) -> DataFrame:
    """(_path, _source): Spark's `_metadata.file_path` is the URL-encoded form of the path
    (a space is %20); records name their file as it was listed, like every other frame."""
    jvm = spark.sparkContext._jvm
    pairs = [(jvm.org.apache.hadoop.fs.Path(f).toUri().toString(), f) for f in files]
    return spark.createDataFrame(pairs, "_path string, _source string")


def _numbered(rows: DataFrame, sources: DataFrame) -> DataFrame:
    """`_number`: the 1-based place of each row in its file.

    Rows of one split are read in order and get consecutive ids; a split's first row
    follows every row of the splits that start before it in the same file.
    """
    rows = rows.withColumn("_id", F.monotonically_increasing_id())
    splits = rows.groupBy("_path", "_block").agg(
        F.min("_id").alias("_first"), F.count(F.lit(1)).alias("_rows")
    )
    earlier = (
        Window.partitionBy("_path").orderBy("_block").rowsBetween(Window.unboundedPreceding, -1)
    )
    splits = splits.withColumn("_before", F.coalesce(F.sum("_rows").over(earlier), F.lit(0)))
    numbered = rows.join(F.broadcast(splits), ["_path", "_block"]).withColumn(
        "_number", F.col("_id") - F.col("_first") + F.col("_before") + 1
    )
    return numbered.join(F.broadcast(sources), "_path", "left").withColumn(
        "_source", F.coalesce(F.col("_source"), F.col("_path"))
    )


def _file_columns() -> list[Column]:
    return [
        F.col("_metadata.file_path").alias("_path"),
        F.col("_metadata.file_block_start").alias("_block"),
    ]


def _common(parsed: DataFrame) -> DataFrame:
    """The columns used, in one shape for JSON and Parquet (dates as text, the INT64 inside
    citations left out)."""
    return parsed.select(
        "_source",
        "_number",
        "_unit",
        "_excerpt",
        _CORRUPT,
        *_COPIED,
        *[F.col(d).cast("string").alias(d) for d in _DATES],
        *[
            F.transform(
                F.col(s), lambda c: F.struct(c["code"].alias("code"), c["first"].alias("first"))
            ).alias(s)
            for s in _CLASS_SCHEMES
        ],
        F.transform(
            F.col("citation"),
            lambda c: F.struct(
                c["publication_number"].alias("publication_number"),
                c["npl_text"].alias("npl_text"),
                c["type"].alias("type"),
                c["category"].alias("category"),
            ),
        ).alias("citation"),
    )


def _json_records(spark: SparkSession, files: list[str], sources: DataFrame) -> DataFrame:
    lines = spark.read.text(files).select(*_file_columns(), "value")
    # Numbered before blank lines go, so the number is the line's in the file.
    lines = _numbered(lines, sources).where(F.trim(F.col("value")) != "")
    schema = StructType([*JSON_SCHEMA.fields, StructField(_CORRUPT, StringType())])
    parsed = lines.select(
        "_source",
        "_number",
        F.lit("line").alias("_unit"),
        excerpt(F.col("value")).alias("_excerpt"),
        F.from_json(
            "value", schema, {"mode": "PERMISSIVE", "columnNameOfCorruptRecord": _CORRUPT}
        ).alias("j"),
    ).select("_source", "_number", "_unit", "_excerpt", "j.*")
    return _common(parsed)


def _parquet_records(spark: SparkSession, files: list[str], sources: DataFrame) -> DataFrame:
    rows = spark.read.schema(PARQUET_SCHEMA).parquet(*files)
    rows = _numbered(rows.select(*_file_columns(), "*"), sources)
    key = F.to_json(
        F.struct("publication_number", "application_number", "publication_date", "family_id")
    )
    return _common(
        rows.withColumn("_unit", F.lit("row"))
        .withColumn("_excerpt", excerpt(key))
        .withColumn(_CORRUPT, F.lit(None).cast("string"))
    )


# ---------------------------------------------------------------------------------------
# Table rows
# ---------------------------------------------------------------------------------------


def _lang(col: Column) -> Column:
    """ISO 639-1 lower case ("zh-TW" -> "zh")."""
    return blank_to_null(F.regexp_extract(F.lower(col), r"^\s*([a-z]{2,3})", 1))


def _texts(col: str) -> Column:
    """The entries of a localized list that have text."""
    return F.filter(F.col(col), lambda t: blank_to_null(t["text"]).isNotNull())


def _pick(col: str, lang: Column) -> Column:
    """The entry of a localized list in `lang`, else its first entry with text."""
    texts = _texts(col)
    in_lang = F.get(F.filter(texts, lambda t: _lang(t["language"]) == lang), 0)
    return F.coalesce(in_lang, F.get(texts, 0))


def _first_lang(col: str) -> Column:
    return _lang(F.get(_texts(col), 0)["language"])


def _doc_type(office: Column, number: Column, kind: Column) -> Column:
    """US: the uspto reader's rule for grants (number prefix, then kind), A1/A2/A9 and
    P1/P4/P9 applications. Elsewhere (support.doc_type_of): A* application, B*/C* granted,
    S* design; utility models and others null."""
    head = F.substring(kind, 1, 1)
    us_type = (
        F.when(kind.isin("A1", "A2", "A9", "P1", "P4", "P9"), F.lit("application"))
        .when(number.startswith("D"), F.lit("design"))
        .when(number.startswith("PP"), F.lit("plant"))
        .when(number.startswith("RE"), F.lit("reissue"))
        .when(number.startswith("H"), F.lit("sir"))
        .when(head == "S", F.lit("design"))
        .when(head == "P", F.lit("plant"))
        .when(head == "E", F.lit("reissue"))
        .when(head == "H", F.lit("sir"))
        .otherwise(F.lit("utility"))
    )
    other_type = (
        F.when(head == "A", F.lit("application"))
        .when(head.isin("B", "C"), F.lit("utility"))
        .when(head == "S", F.lit("design"))
    )
    return F.when(office == "US", us_type).otherwise(other_type)


def _application_number(office: Column) -> Column:
    """The office's own form without its country and separators ("US10674108" ->
    "10674108"), else the number part of application_number ("JP-2020185474-A")."""
    formatted = F.col("_formatted")
    formatted = F.when(
        F.substring(formatted, 1, 2) == office, F.expr("substring(_formatted, 3)")
    ).otherwise(formatted)
    docdb = F.regexp_extract(F.col("application_number"), r"^[A-Z]{2}-(.+)-[A-Z0-9]+$", 1)
    compact = F.regexp_replace(F.coalesce(blank_to_null(formatted), docdb), r"[\s/,.\-]", "")
    return blank_to_null(F.upper(compact))


def _patents(good: DataFrame) -> DataFrame:
    """silver/patents rows, with source_file; columns in any order."""
    parts = F.split(F.col("pub_key"), "-")
    office, number, kind = parts.getItem(0), parts.getItem(1), parts.getItem(2)
    by_office = F.create_map(*[F.lit(x) for pair in OFFICE_LANGUAGES.items() for x in pair])
    rows = good.withColumn(
        "_formatted", F.upper(F.trim(F.col("application_number_formatted")))
    ).withColumn(
        "_lang",
        F.coalesce(
            F.try_element_at(by_office, office),
            _first_lang("description_localized"),
            _first_lang("claims_localized"),
            _first_lang("abstract_localized"),
            _first_lang("title_localized"),
        ),
    )
    lang = F.col("_lang")
    title = _pick("title_localized", lang)
    abstract = _pick("abstract_localized", lang)
    claims = _pick("claims_localized", lang)
    description = _pick("description_localized", lang)
    english_title = F.get(
        F.filter(_texts("title_localized"), lambda t: _lang(t["language"]) == "en"), 0
    )
    claims_text = F.when(blank_to_null(claims["text"]).isNotNull(), claims["text"])
    return rows.select(
        "pub_key",
        office.alias("office"),
        number.alias("doc_number"),
        kind.alias("kind"),
        _doc_type(office, number, kind).alias("doc_type"),
        blank_to_null(F.col("family_id")).alias("family_id"),
        _application_number(office).alias("application_number"),
        iso_date(F.col("filing_date")).alias("application_date"),
        iso_date(F.col("publication_date")).alias("publication_date"),
        iso_date(F.col("grant_date")).alias("grant_date"),
        iso_date(F.col("priority_date")).alias("priority_date"),
        norm_ws(title["text"]).alias("title"),
        _lang(title["language"]).alias("title_lang"),
        norm_ws(english_title["text"]).alias("title_en"),
        norm_ws(abstract["text"]).alias("abstract"),
        _lang(abstract["language"]).alias("abstract_lang"),
        claims_text.alias("claims"),
        F.when(claims_text.isNotNull(), _lang(claims["language"])).alias("claims_lang"),
        F.lit(None).cast("string").alias("first_claim"),
        F.lit(None).cast("int").alias("claim_count"),
        F.length(norm_ws(description["text"])).alias("description_length"),
        F.lit(SOURCE_FORMAT).alias("source_format"),
        F.col("_source").alias("source_file"),
        F.concat(
            F.lit(f"{DTD} ("),
            F.when(F.col("_unit") == "line", F.lit("jsonl")).otherwise(F.lit("parquet")),
            F.lit(")"),
        ).alias("dtd"),
    )


def _named(original: str, harmonized: str) -> Column:
    """(name, country) of each party, in list order, named ones only."""
    names, harmonized_col = F.col(original), F.col(harmonized)

    def entry(name: Column, country: Column) -> Column:
        return F.struct(name.alias("name"), blank_to_null(F.upper(country)).alias("country"))

    paired = F.zip_with(
        names,
        harmonized_col,
        lambda n, h: entry(F.coalesce(norm_ws(n), norm_ws(h["name"])), h["country_code"]),
    )
    entries = (
        F.when(F.size(names) == F.size(harmonized_col), paired)
        .when(
            F.size(harmonized_col) > 0,
            F.transform(harmonized_col, lambda h: entry(norm_ws(h["name"]), h["country_code"])),
        )
        .otherwise(F.transform(names, lambda n: entry(norm_ws(n), F.lit(None).cast("string"))))
    )
    return F.filter(entries, lambda e: e["name"].isNotNull())


def _parties(good: DataFrame) -> DataFrame:
    frames = []
    for role, original, harmonized in (
        ("assignee", "assignee", "assignee_harmonized"),
        ("inventor", "inventor", "inventor_harmonized"),
    ):
        rows = good.select("pub_key", F.posexplode(_named(original, harmonized)).alias("i", "p"))
        frames.append(
            rows.select(
                "pub_key",
                F.lit(role).alias("role"),
                (F.col("i") + 1).alias("sequence"),
                F.col("p.name").alias("name"),
                # Google does not say whether an assignee is a firm or a person.
                (F.lit(False) if role == "inventor" else F.lit(None)).alias("is_organization"),
                *[F.lit(None).alias(c) for c in ("first_name", "last_name", "city", "state")],
                F.col("p.country").alias("country"),
                F.lit(None).alias("address"),
                F.lit(None).alias("lang"),
                F.lit(None).alias("party_id"),
            )
        )
    return conform(union(frames), PATENT_PARTIES)


def _locarno(code: Column) -> Column:
    digits = F.regexp_replace(code, r"\D", "")
    return F.when(
        code.rlike(r"^\s*\d{2}\s*-?\s*\d{2}\s*$"),
        F.concat(F.substring(digits, 1, 2), F.lit("-"), F.substring(digits, 3, 2)),
    )


def _distinct_codes(scheme: str) -> Column:
    """(code, main) of one scheme, in list order, each code once: the first place is kept
    and it is main if any of its listings is."""
    if scheme in ("cpc", "ipc"):
        normalise = class_code
    elif scheme == "locarno":
        normalise = _locarno
    else:
        normalise = norm_ws
    entries = F.filter(
        F.transform(
            F.col(scheme),
            lambda c: F.struct(
                F.coalesce(normalise(c["code"]), norm_ws(c["code"])).alias("code"),
                F.coalesce(c["first"], F.lit(False)).alias("main"),
            ),
        ),
        lambda e: e["code"].isNotNull(),
    )
    placed = F.transform(entries, lambda e, i: e.withField("place", i))
    firsts = F.filter(
        placed,
        lambda e: ~F.exists(F.slice(entries, 1, e["place"]), lambda p: p["code"] == e["code"]),
    )
    return F.transform(
        firsts,
        lambda e: F.struct(
            e["code"].alias("code"),
            F.exists(entries, lambda p: (p["code"] == e["code"]) & p["main"]).alias("main"),
        ),
    )


def _classes(good: DataFrame) -> DataFrame:
    frames = [
        good.select("pub_key", F.posexplode(_distinct_codes(scheme)).alias("i", "c")).select(
            "pub_key",
            F.lit(scheme.upper()).alias("scheme"),
            F.col("c.code").alias("code"),
            F.col("c.main").alias("main"),
            (F.col("i") + 1).alias("sequence"),
        )
        for scheme in _CLASS_SCHEMES
    ]
    return conform(union(frames), PATENT_CLASSES)


def _citations(good: DataFrame) -> DataFrame:
    entries = F.filter(
        F.col("citation"),
        lambda c: (
            blank_to_null(c["publication_number"]).isNotNull() | norm_ws(c["npl_text"]).isNotNull()
        ),
    )
    rows = good.select("pub_key", F.posexplode(entries).alias("i", "c"))
    pn = blank_to_null(F.upper(F.col("c.publication_number")))
    parsed = pn.rlike(_PUBLICATION)

    def part(i: int) -> Column:
        return F.when(parsed, F.regexp_extract(pn, _PUBLICATION, i))

    country, number, kind = part(1), F.coalesce(part(2), pn), part(3)
    is_patent = pn.isNotNull()
    return conform(
        rows.select(
            "pub_key",
            (F.col("i") + 1).alias("sequence"),
            F.when(is_patent, F.lit("patent")).otherwise(F.lit("npl")).alias("kind"),
            country.alias("country"),
            F.when(is_patent, number).alias("number"),
            kind.alias("cited_kind"),
            F.when(parsed, F.concat_ws("-", country, doc_number(number), kind)).alias("cited_key"),
            F.lit(None).cast("date").alias("date"),
            F.lit(None).alias("name"),
            F.when(~is_patent, norm_ws(F.col("c.npl_text"))).alias("text"),
            blank_to_null(
                F.concat_ws(" ", blank_to_null(F.col("c.type")), blank_to_null(F.col("c.category")))
            ).alias("category"),
        ),
        PATENT_CITATIONS,
    )
