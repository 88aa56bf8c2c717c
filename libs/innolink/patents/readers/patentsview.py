"""PatentsView bulk tables of granted patents -> the rows of the patent tables.

Input: a folder holding some of the `g_*` tables as published, `<table>.tsv` or
`<table>.tsv.gz` (`.tsv.bz2` too). `.tsv.zip` is what PatentsView serves, but Spark has no
zip codec: such a file is rejected whole, with the advice to unzip it. Files of tables this
reader does not use are left alone (logged).

The files are tab-separated with a header; a field holding a tab, a quote or a line break is
quoted with '"' (a quote inside doubled). Spark's CSV reader reads them with multiLine, an
all-string schema taken from each file's own header and a corrupt-record column, so a row
with too many or too few fields is rejected, never dropped. multiLine files are not
splittable: each file is read by one task, in order, which is what gives rows their number.
A quote that never closes makes the rest of its file one malformed row (the CSV parser cannot
find the next row again); its excerpt shows where it starts.

Record: one data row of a table file (the header is not one), as the CSV reader delimits it.
A file that yields no rows because it cannot be read as its table is one record, rejected
whole: a zip, a header without the columns used, or any table when the folder holds no
readable g_patent (without it no row has a publication key). An input path with no table
file at all is one record, rejected as "input.not_found" / "patentsview.no_tables".

Parties keep PatentsView's disambiguated inventor_id / assignee_id as party_id (null when
the file lacks the column).

Count rule per file: rows read == rows used + rows rejected, where a row is used when
- g_patent: it is a publication (one silver/patents row, pub_key "US-<patent_id>-<wipo_kind>");
- g_patent_abstract, g_application: it is merged into its publication's row;
- g_inventor_disambiguated, g_assignee_disambiguated: it is one party row;
- g_assignee_not_disambiguated: it is the party row of its (patent, sequence) when the
  disambiguated table has none, and otherwise merged into that row, whose disambiguated
  values win (so reading both tables gives the parties of the disambiguated one);
- g_location_disambiguated: it is a place parties can point to (used whether or not a party
  of this folder does);
- g_cpc_current: one class row (CPC, main = the first, cpc_sequence 0);
- g_us_patent_citation, g_other_reference: one citation row. Both share the publication's
  sequence space: patent citations keep citation_sequence + 1, references to other
  literature come after them (highest patent citation sequence of the publication +
  other_reference_sequence + 1), as the full-text XML numbers them.

Rejected rows (locator "row N", N counting data rows from 1; excerpt the row):
- patentsview.malformed_row: another number of fields than the header;
- patentsview.missing_id: no patent_id (location_id for locations);
- patentsview.no_kind: a g_patent row without wipo_kind (the key needs it);
- patentsview.bad_sequence: a sequence that is not a whole number;
- patentsview.no_name: a party with neither organisation nor person name;
- patentsview.bad_cpc_code: a cpc_group that is no CPC symbol;
- patentsview.empty_citation: a citation with no cited patent number / reference text;
- patentsview.unknown_patent: a child row whose patent has no (accepted) g_patent row;
- patentsview.duplicate_key: a row repeating the key of an earlier row of its table
  (patent; patent + sequence; patent + CPC code; location) - the first one is used.
Whole files (locator "file"): patentsview.zip_unsupported, patentsview.bad_header,
patentsview.no_patent_table.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Callable

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

from innolink.patents.readers.frames import (
    COUNT_SCHEMA,
    REJECT_SCHEMA,
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
    union_all,
)
from innolink.tables import PATENT_CITATIONS, PATENT_CLASSES, PATENT_PARTIES, PATENTS

log = logging.getLogger(__name__)

SOURCE_FORMAT = "patentsview"
DTD = "patentsview granted tables"
OFFICE = "US"

# The columns used from each table; a file whose header lacks one is rejected whole. Other
# columns (withdrawn, filename, gender_code, latitude, ...) may come and go between releases.
TABLES: dict[str, tuple[str, ...]] = {
    "g_patent": (
        "patent_id",
        "patent_type",
        "patent_date",
        "patent_title",
        "wipo_kind",
        "num_claims",
    ),
    "g_patent_abstract": ("patent_id", "patent_abstract"),
    "g_application": ("application_id", "patent_id", "filing_date"),
    "g_assignee_disambiguated": (
        "patent_id",
        "assignee_sequence",
        "disambig_assignee_individual_name_first",
        "disambig_assignee_individual_name_last",
        "disambig_assignee_organization",
        "location_id",
    ),
    "g_assignee_not_disambiguated": (
        "patent_id",
        "assignee_sequence",
        "raw_assignee_individual_name_first",
        "raw_assignee_individual_name_last",
        "raw_assignee_organization",
    ),
    "g_inventor_disambiguated": (
        "patent_id",
        "inventor_sequence",
        "disambig_inventor_name_first",
        "disambig_inventor_name_last",
        "location_id",
    ),
    "g_location_disambiguated": (
        "location_id",
        "disambig_city",
        "disambig_state",
        "disambig_country",
    ),
    "g_cpc_current": ("patent_id", "cpc_sequence", "cpc_group"),
    "g_us_patent_citation": (
        "patent_id",
        "citation_sequence",
        "citation_patent_id",
        "citation_date",
        "record_name",
        "wipo_kind",
        "citation_category",
    ),
    "g_other_reference": ("patent_id", "other_reference_sequence", "other_reference_text"),
}
# Columns used when the file has them: the disambiguated ids (silver party_id).
OPTIONAL = {
    "g_inventor_disambiguated": ("inventor_id",),
    "g_assignee_disambiguated": ("assignee_id",),
}
_FILE_NAME = re.compile(r"^(g_[a-z_]+)\.tsv(\.gz|\.bz2|\.zip)?$")

MALFORMED = "patentsview.malformed_row"
MISSING_ID = "patentsview.missing_id"
NO_KIND = "patentsview.no_kind"
BAD_SEQUENCE = "patentsview.bad_sequence"
NO_NAME = "patentsview.no_name"
BAD_CPC = "patentsview.bad_cpc_code"
EMPTY_CITATION = "patentsview.empty_citation"
UNKNOWN_PATENT = "patentsview.unknown_patent"
DUPLICATE = "patentsview.duplicate_key"
ZIP = "patentsview.zip_unsupported"
BAD_HEADER = "patentsview.bad_header"
NO_PATENT_TABLE = "patentsview.no_patent_table"
NO_TABLES = "patentsview.no_tables"
NOT_FOUND = "input.not_found"

_CSV = {"sep": "\t", "header": "true", "multiLine": "true", "quote": '"', "escape": '"'}
_CORRUPT = "_corrupt"
_ORDER = ["_source", "_row"]


def read(spark: SparkSession, path: str) -> PatentFrames:
    """The patent rows of the PatentsView tables in the folder `path`."""
    files = input_paths(spark, path)
    by_table: dict[str, list[str]] = {}
    for file in files:
        match = _FILE_NAME.match(file.rsplit("/", 1)[-1])
        if match and match.group(1) in TABLES:
            by_table.setdefault(match.group(1), []).append(file)
        else:
            log.info("patentsview: %s is not a table this reader uses; left alone", file)
    if not by_table:
        if files:
            names = ", ".join(f.rsplit("/", 1)[-1] for f in files[:20])
            reason, detail = NO_TABLES, f"no g_* table file among: {names}"
        else:
            reason, detail = NOT_FOUND, "no file at this path"
        return _nothing_read(spark, [(path, "input", reason, detail)])

    folder = _Folder(spark, by_table)
    patents = folder.patents()
    if patents is None:
        detail = "no readable g_patent table in the folder: no row would have a pub_key"
        for table, paths in sorted(by_table.items()):
            if table != "g_patent":
                folder.reject_files(paths, NO_PATENT_TABLE, detail)
        return folder.frames(
            *(
                empty(spark, out_schema(spec))
                for spec in (PATENTS, PATENT_PARTIES, PATENT_CLASSES, PATENT_CITATIONS)
            )
        )
    keys = patents.select("_number", "pub_key")
    return folder.frames(
        folder.publications(patents, keys),
        folder.parties(keys),
        folder.classes(keys),
        folder.citations(keys),
    )


def _nothing_read(spark: SparkSession, rejects: list[tuple]) -> PatentFrames:
    return PatentFrames(
        patents=empty(spark, out_schema(PATENTS)),
        parties=empty(spark, out_schema(PATENT_PARTIES)),
        classes=empty(spark, out_schema(PATENT_CLASSES)),
        citations=empty(spark, out_schema(PATENT_CITATIONS)),
        rejects=reject_rows(spark, rejects),
        records_in=count_rows(spark, [(r[0], 1) for r in rejects]),
        records_used=count_rows(spark, []),
    )


def _header(spark: SparkSession, path: str) -> list[str]:
    """The column names on a table file's first line ([] for an empty file).

    Read through Hadoop's FileSystem and codecs on the driver: asking Spark's CSV reader
    would run one job per file for a single line.
    """
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    hpath = jvm.org.apache.hadoop.fs.Path(path)
    stream = hpath.getFileSystem(conf).open(hpath)
    codec = jvm.org.apache.hadoop.io.compress.CompressionCodecFactory(conf).getCodec(hpath)
    if codec is not None:
        stream = codec.createInputStream(stream)
    reader = jvm.java.io.BufferedReader(jvm.java.io.InputStreamReader(stream, "UTF-8"))
    try:
        line = reader.readLine()
    finally:
        reader.close()
    if not line:
        return []
    return next(csv.reader([line.lstrip("\ufeff")], delimiter="\t", quotechar='"'))


def _sequence(col: Column) -> Column:
    """PatentsView's 0-based sequence as the tables' 1-based one; null when not a number."""
    text = F.trim(col)
    return F.when(text.rlike(r"^\d{1,9}$"), text.cast("int") + 1)


def _person(first: str, last: str) -> Column:
    return norm_ws(F.concat_ws(" ", F.col(first), F.col(last)))


def _application_number(col: Column) -> Column:
    """As written without separators ("14/536178" -> "14536178"), like the XML readers; the
    "<year>/<series+serial>" ids of older PatentsView releases lose their year."""
    text = F.upper(F.trim(col))
    text = F.regexp_replace(text, r"^\d{4}/(?=\d{8}$)", "")
    return blank_to_null(F.regexp_replace(text, r"[\s/,.\-]", ""))


def _doc_type(col: Column) -> Column:
    """patent_type as document.py names it: utility, design, plant, reissue as they are,
    statutory invention registrations "sir", others in snake case."""
    text = F.lower(norm_ws(col))
    return F.when(text == "statutory invention registration", F.lit("sir")).otherwise(
        F.regexp_replace(text, " ", "_")
    )


class _Folder:
    """The tables of one folder, and what reading them has counted and rejected so far."""

    def __init__(self, spark: SparkSession, by_table: dict[str, list[str]]):
        self.spark = spark
        self.by_table = by_table
        self.counts: list[DataFrame] = []  # rows read per file
        self.used: list[DataFrame] = []  # rows used per file
        self.rejects: list[DataFrame] = []
        self.file_rejects: list[tuple] = []

    # -- reading -------------------------------------------------------------------------

    def reject_files(self, paths: list[str], reason: str, detail: str) -> None:
        for path in paths:
            self.file_rejects.append((path, "file", reason, detail))

    def rows(self, table: str) -> DataFrame | None:
        """Every row of the table's files (_source, _row, its columns, _corrupt, _excerpt);
        None when no file of it can be read."""
        frames, read = [], []
        for path in self.by_table.get(table, []):
            if path.endswith(".zip"):
                self.reject_files(
                    [path], ZIP, "Spark reads no zip archive: unzip it to .tsv (or .tsv.gz)"
                )
                continue
            header = _header(self.spark, path)
            missing = [c for c in TABLES[table] if c not in header]
            if missing:
                self.reject_files([path], BAD_HEADER, f"missing {missing}; header {header}")
                continue
            frames.append(self._read_file(path, header, TABLES[table], OPTIONAL.get(table, ())))
            read.append(path)
        if not frames:
            return None
        rows = union(frames)
        # A file with a header and no rows still has its line in records_in.
        self.counts += [counts_by_source(rows), count_rows(self.spark, [(p, 0) for p in read])]
        return rows

    def _read_file(
        self, path: str, header: list[str], columns: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> DataFrame:
        schema = StructType(
            [StructField(c, StringType()) for c in header] + [StructField(_CORRUPT, StringType())]
        )
        raw = (
            self.spark.read.options(**_CSV, mode="PERMISSIVE", columnNameOfCorruptRecord=_CORRUPT)
            .schema(schema)
            .csv(path)
        )
        fields = F.concat_ws("\t", *[F.coalesce(F.col(f"`{c}`"), F.lit("")) for c in header])
        return raw.select(
            F.lit(path).alias("_source"),
            # One unsplittable file is one partition read in order: the id is the row index.
            (F.monotonically_increasing_id() + 1).alias("_row"),
            *[F.col(f"`{c}`").alias(c) for c in columns],
            *[
                (F.col(f"`{c}`") if c in header else F.lit(None).cast("string")).alias(c)
                for c in optional
            ],
            F.col(_CORRUPT),
            excerpt(F.coalesce(F.col(_CORRUPT), fields)).alias("_excerpt"),
        )

    # -- checking ------------------------------------------------------------------------

    @staticmethod
    def check(rows: DataFrame, *checks: tuple[str, Column]) -> DataFrame:
        """`_reason`: the first check a row fails (a malformed row fails them all first)."""
        reason = F.when(F.col(_CORRUPT).isNotNull(), F.lit(MALFORMED))
        for name, bad in checks:
            reason = reason.when(bad, F.lit(name))
        return rows.withColumn("_reason", reason)

    def settle(self, checked: DataFrame) -> DataFrame:
        """The rows without a reason; the others go to the rejects."""
        self.rejects.append(
            checked.where(F.col("_reason").isNotNull()).select(
                F.col("_source").alias("source"),
                F.concat(F.lit("row "), F.col("_row").cast("string")).alias("locator"),
                F.col("_reason").alias("reason"),
                F.col("_excerpt").alias("excerpt"),
            )
        )
        return checked.where(F.col("_reason").isNull())

    def child(
        self,
        table: str,
        keys: DataFrame,
        prepare: Callable[[DataFrame], DataFrame],
        checks: list[tuple[str, Column]],
        unique: list[str],
    ) -> DataFrame | None:
        """The accepted rows of a table keyed by patent_id, with their pub_key."""
        rows = self.rows(table)
        if rows is None:
            return None
        rows = prepare(rows.withColumn("_number", doc_number(F.col("patent_id"))))
        checked = self.check(rows, (MISSING_ID, F.col("_number").isNull()), *checks)
        linked = checked.join(keys, "_number", "left").withColumn(
            "_reason",
            F.coalesce(F.col("_reason"), F.when(F.col("pub_key").isNull(), F.lit(UNKNOWN_PATENT))),
        )
        return self.settle(mark_duplicates(linked, unique, _ORDER, DUPLICATE))

    def count_used(self, frame: DataFrame, source: str = "_source") -> None:
        self.used.append(counts_by_source(frame, source))

    # -- the tables ----------------------------------------------------------------------

    def patents(self) -> DataFrame | None:
        rows = self.rows("g_patent")
        if rows is None:
            return None
        rows = rows.withColumn("_number", doc_number(F.col("patent_id"))).withColumn(
            "_kind", blank_to_null(F.upper(F.col("wipo_kind")))
        )
        checked = self.check(
            rows,
            (MISSING_ID, F.col("_number").isNull()),
            (NO_KIND, F.col("_kind").isNull()),
        )
        accepted = self.settle(mark_duplicates(checked, ["_number"], _ORDER, DUPLICATE))
        return accepted.withColumn(
            "pub_key", F.concat_ws("-", F.lit(OFFICE), F.col("_number"), F.col("_kind"))
        )

    def publications(self, patents: DataFrame, keys: DataFrame) -> DataFrame:
        no_checks: list[tuple[str, Column]] = []
        abstracts = self.child("g_patent_abstract", keys, lambda r: r, no_checks, ["pub_key"])
        applications = self.child("g_application", keys, lambda r: r, no_checks, ["pub_key"])
        rows = patents
        if abstracts is not None:
            rows = rows.join(
                abstracts.select(
                    "pub_key",
                    norm_ws(F.col("patent_abstract")).alias("abstract"),
                    F.col("_source").alias("_abstract_source"),
                ),
                "pub_key",
                "left",
            )
            self.count_used(rows.where(F.col("_abstract_source").isNotNull()), "_abstract_source")
        else:
            rows = rows.withColumn("abstract", F.lit(None).cast("string"))
        if applications is not None:
            rows = rows.join(
                applications.select(
                    "pub_key",
                    _application_number(F.col("application_id")).alias("application_number"),
                    iso_date(F.col("filing_date")).alias("application_date"),
                    F.col("_source").alias("_application_source"),
                ),
                "pub_key",
                "left",
            )
            self.count_used(
                rows.where(F.col("_application_source").isNotNull()), "_application_source"
            )
        else:
            rows = rows.withColumn("application_number", F.lit(None).cast("string"))
            rows = rows.withColumn("application_date", F.lit(None).cast("date"))
        self.count_used(rows)
        title = norm_ws(F.col("patent_title"))
        granted = iso_date(F.col("patent_date"))
        claims = F.trim(F.col("num_claims"))
        english = F.lit("en")
        return conform(
            rows.select(
                "pub_key",
                F.lit(OFFICE).alias("office"),
                F.col("_number").alias("doc_number"),
                F.col("_kind").alias("kind"),
                _doc_type(F.col("patent_type")).alias("doc_type"),
                F.lit(None).alias("family_id"),
                "application_number",
                "application_date",
                granted.alias("publication_date"),
                granted.alias("grant_date"),
                F.lit(None).alias("priority_date"),
                title.alias("title"),
                F.when(title.isNotNull(), english).alias("title_lang"),
                title.alias("title_en"),
                "abstract",
                F.when(F.col("abstract").isNotNull(), english).alias("abstract_lang"),
                F.lit(None).alias("claims"),
                F.lit(None).alias("claims_lang"),
                F.lit(None).alias("first_claim"),
                F.when(claims.rlike(r"^\d{1,9}$"), claims.cast("int")).alias("claim_count"),
                F.lit(None).alias("description_length"),
                F.lit(SOURCE_FORMAT).alias("source_format"),
                F.col("_source").alias("source_file"),
                F.lit(DTD).alias("dtd"),
            ),
            PATENTS,
        )

    def locations(self) -> DataFrame | None:
        rows = self.rows("g_location_disambiguated")
        if rows is None:
            return None
        rows = rows.withColumn("location_id", blank_to_null(F.col("location_id")))
        checked = self.check(rows, (MISSING_ID, F.col("location_id").isNull()))
        accepted = self.settle(mark_duplicates(checked, ["location_id"], _ORDER, DUPLICATE))
        self.count_used(accepted)
        return accepted.select(
            "location_id",
            norm_ws(F.col("disambig_city")).alias("city"),
            norm_ws(F.col("disambig_state")).alias("state"),
            blank_to_null(F.upper(F.col("disambig_country"))).alias("country"),
        )

    def _people(self, table: str, keys: DataFrame, seq: str, name: Callable) -> DataFrame | None:
        def prepare(rows: DataFrame) -> DataFrame:
            return rows.withColumn("_seq", _sequence(F.col(seq))).transform(name)

        return self.child(
            table,
            keys,
            prepare,
            [
                (BAD_SEQUENCE, F.col("_seq").isNull()),
                (NO_NAME, F.col("_name").isNull()),
            ],
            ["pub_key", "_seq"],
        )

    def parties(self, keys: DataFrame) -> DataFrame:
        def inventor(rows: DataFrame) -> DataFrame:
            first = norm_ws(F.col("disambig_inventor_name_first"))
            last = norm_ws(F.col("disambig_inventor_name_last"))
            return rows.select(
                "*",
                _person("disambig_inventor_name_first", "disambig_inventor_name_last").alias(
                    "_name"
                ),
                F.lit(False).alias("_org"),
                first.alias("_first"),
                last.alias("_last"),
                blank_to_null(F.col("location_id")).alias("_location"),
                blank_to_null(F.col("inventor_id")).alias("_id"),
            )

        def assignee(prefix: str, located: bool) -> Callable[[DataFrame], DataFrame]:
            def named(rows: DataFrame) -> DataFrame:
                org = norm_ws(F.col(f"{prefix}_assignee_organization"))
                first = norm_ws(F.col(f"{prefix}_assignee_individual_name_first"))
                last = norm_ws(F.col(f"{prefix}_assignee_individual_name_last"))
                person = _person(
                    f"{prefix}_assignee_individual_name_first",
                    f"{prefix}_assignee_individual_name_last",
                )
                location = blank_to_null(F.col("location_id")) if located else F.lit(None)
                # The raw table's assignee_id is not read: its disambiguated row carries it.
                party = blank_to_null(F.col("assignee_id")) if located else F.lit(None)
                return rows.select(
                    "*",
                    F.coalesce(org, person).alias("_name"),
                    org.isNotNull().alias("_org"),
                    F.when(org.isNull(), first).alias("_first"),
                    F.when(org.isNull(), last).alias("_last"),
                    location.cast("string").alias("_location"),
                    party.cast("string").alias("_id"),
                )

            return named

        groups = [
            (
                "inventor",
                self._people("g_inventor_disambiguated", keys, "inventor_sequence", inventor),
            ),
            (
                "assignee",
                self._people(
                    "g_assignee_disambiguated",
                    keys,
                    "assignee_sequence",
                    assignee("disambig", located=True),
                ),
            ),
        ]
        raw = self._people(
            "g_assignee_not_disambiguated",
            keys,
            "assignee_sequence",
            # rawlocation_id points into g_location_not_disambiguated, not read here.
            assignee("raw", located=False),
        )
        if raw is not None:
            disambiguated = groups[1][1]
            if disambiguated is not None:
                slots = disambiguated.select("pub_key", "_seq")
                self.count_used(raw.join(slots, ["pub_key", "_seq"], "left_semi"))
                raw = raw.join(slots, ["pub_key", "_seq"], "left_anti")
            groups.append(("assignee", raw))

        frames = [
            rows.select(
                "pub_key",
                F.lit(role).alias("role"),
                F.col("_seq").alias("sequence"),
                F.col("_name").alias("name"),
                F.col("_org").alias("is_organization"),
                F.col("_first").alias("first_name"),
                F.col("_last").alias("last_name"),
                F.col("_location").alias("location_id"),
                F.col("_id").alias("party_id"),
                "_source",
            )
            for role, rows in groups
            if rows is not None
        ]
        # Read even when no party points at them: the rule for location rows holds anyway.
        locations = self.locations()
        if not frames:
            return empty(self.spark, out_schema(PATENT_PARTIES))
        parties = union(frames)
        if locations is not None:
            parties = parties.join(locations, "location_id", "left")
        else:
            parties = parties.select(
                "*", *[F.lit(None).cast("string").alias(c) for c in ("city", "state", "country")]
            )
        self.count_used(parties)
        return conform(
            parties.select("*", F.lit(None).alias("address"), F.lit(None).alias("lang")),
            PATENT_PARTIES,
        )

    def classes(self, keys: DataFrame) -> DataFrame:
        def prepare(rows: DataFrame) -> DataFrame:
            return rows.withColumn("_seq", _sequence(F.col("cpc_sequence"))).withColumn(
                "_code", class_code(F.col("cpc_group"))
            )

        cpc = self.child(
            "g_cpc_current",
            keys,
            prepare,
            [(BAD_SEQUENCE, F.col("_seq").isNull()), (BAD_CPC, F.col("_code").isNull())],
            ["pub_key", "_code"],
        )
        if cpc is None:
            return empty(self.spark, out_schema(PATENT_CLASSES))
        self.count_used(cpc)
        return conform(
            cpc.select(
                "pub_key",
                F.lit("CPC").alias("scheme"),
                F.col("_code").alias("code"),
                (F.col("_seq") == 1).alias("main"),
                F.col("_seq").alias("sequence"),
            ),
            PATENT_CLASSES,
        )

    def citations(self, keys: DataFrame) -> DataFrame:
        def patent_prepare(rows: DataFrame) -> DataFrame:
            return rows.withColumn("_seq", _sequence(F.col("citation_sequence"))).withColumn(
                "_cited", blank_to_null(F.col("citation_patent_id"))
            )

        def npl_prepare(rows: DataFrame) -> DataFrame:
            return rows.withColumn("_seq", _sequence(F.col("other_reference_sequence"))).withColumn(
                "_text", norm_ws(F.col("other_reference_text"))
            )

        patents = self.child(
            "g_us_patent_citation",
            keys,
            patent_prepare,
            [(BAD_SEQUENCE, F.col("_seq").isNull()), (EMPTY_CITATION, F.col("_cited").isNull())],
            ["pub_key", "_seq"],
        )
        npl = self.child(
            "g_other_reference",
            keys,
            npl_prepare,
            [(BAD_SEQUENCE, F.col("_seq").isNull()), (EMPTY_CITATION, F.col("_text").isNull())],
            ["pub_key", "_seq"],
        )
        frames = []
        if patents is not None:
            kind = blank_to_null(F.upper(F.col("wipo_kind")))
            frames.append(
                patents.select(
                    "pub_key",
                    F.col("_seq").alias("sequence"),
                    F.lit("patent").alias("kind"),
                    F.lit(OFFICE).alias("country"),
                    F.col("_cited").alias("number"),
                    kind.alias("cited_kind"),
                    F.when(
                        kind.isNotNull(),
                        F.concat_ws("-", F.lit(OFFICE), doc_number(F.col("_cited")), kind),
                    ).alias("cited_key"),
                    iso_date(F.col("citation_date")).alias("date"),
                    norm_ws(F.col("record_name")).alias("name"),
                    F.lit(None).cast("string").alias("text"),
                    blank_to_null(F.col("citation_category")).alias("category"),
                    "_source",
                )
            )
        if npl is not None:
            if patents is not None:
                # Numbered after the publication's patent citations: one sequence space.
                offsets = patents.groupBy("pub_key").agg(F.max("_seq").alias("_offset"))
                npl = npl.join(offsets, "pub_key", "left")
            else:
                npl = npl.withColumn("_offset", F.lit(None).cast("int"))
            frames.append(
                npl.select(
                    "pub_key",
                    (F.coalesce(F.col("_offset"), F.lit(0)) + F.col("_seq")).alias("sequence"),
                    F.lit("npl").alias("kind"),
                    *[
                        F.lit(None).cast(t).alias(c)
                        for c, t in (
                            ("country", "string"),
                            ("number", "string"),
                            ("cited_kind", "string"),
                            ("cited_key", "string"),
                            ("date", "date"),
                            ("name", "string"),
                        )
                    ],
                    F.col("_text").alias("text"),
                    F.lit(None).cast("string").alias("category"),
                    "_source",
                )
            )
        if not frames:
            return empty(self.spark, out_schema(PATENT_CITATIONS))
        citations = union(frames)
        self.count_used(citations)
        return conform(citations, PATENT_CITATIONS)

    # -- the result ----------------------------------------------------------------------

    def frames(
        self, patents: DataFrame, parties: DataFrame, classes: DataFrame, citations: DataFrame
    ) -> PatentFrames:
        file_rejects = reject_rows(self.spark, self.file_rejects)
        file_counts = count_rows(self.spark, [(r[0], 1) for r in self.file_rejects])
        return PatentFrames(
            patents=patents,
            parties=parties,
            classes=classes,
            citations=citations,
            rejects=union_all([*self.rejects, file_rejects], self.spark, REJECT_SCHEMA),
            records_in=sum_counts([*self.counts, file_counts], self.spark),
            records_used=sum_counts(self.used, self.spark)
            if self.used
            else empty(self.spark, COUNT_SCHEMA),
        )
