"""Every Delta table innolink writes, declared once: layer, name, schema, keys, partitioning.

Paths are `<warehouse>/<layer>/<name>`; nothing else in the code builds a table path.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyspark.sql.types import (
    ArrayType,
    BooleanType,
    DateType,
    DoubleType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)


@dataclass(frozen=True)
class TableSpec:
    layer: str
    name: str
    schema: StructType
    keys: tuple[str, ...]
    partition_by: tuple[str, ...] = ()
    # Bookkeeping columns (run id, timestamps) that do not make a row "changed" on rerun.
    volatile: tuple[str, ...] = ()
    description: str = ""
    columns: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", tuple(f.name for f in self.schema.fields))
        unknown = [
            c for c in (*self.keys, *self.partition_by, *self.volatile) if c not in self.columns
        ]
        if unknown:
            raise ValueError(f"{self.id}: keys/partitions/volatile not in schema: {unknown}")

    @property
    def id(self) -> str:
        return f"{self.layer}/{self.name}"

    def path(self, warehouse: str) -> str:
        return f"{warehouse.rstrip('/')}/{self.layer}/{self.name}"


def _s(name: str, nullable: bool = True) -> StructField:
    return StructField(name, StringType(), nullable)


REJECTS = TableSpec(
    layer="bronze",
    name="rejects",
    schema=StructType(
        [
            _s("stage", False),
            _s("source", False),
            _s("locator", False),
            _s("reason", False),
            _s("excerpt"),
            _s("run_id", False),
            StructField("ts", TimestampType(), False),
        ]
    ),
    keys=("stage", "source", "locator", "reason"),
    partition_by=("stage",),
    volatile=("run_id", "ts"),
    description="Input records a stage could not use, with the reason and where they came from.",
)

# Nested fields stay nullable: Delta enforces NOT NULL on top-level columns, and Spark cannot
# cast a computed nested value to a NOT NULL nested type.
NAME_VARIANT = StructType([_s("name"), _s("lang"), _s("kind"), _s("source")])
LISTING = StructType(
    [
        _s("exchange"),
        _s("mic"),
        _s("ticker"),
        _s("isin"),
        _s("country"),
        StructField("delisted", BooleanType()),
        _s("source"),
        _s("operating_mic"),
        _s("exchange_name"),
    ]
)

FIRMS = TableSpec(
    layer="silver",
    name="firms",
    schema=StructType(
        [
            _s("firm_id", False),
            _s("name", False),
            _s("name_norm", False),
            StructField("name_variants", ArrayType(NAME_VARIANT), False),
            # The normalized key of every name variant (legal forms of ISO 20275 removed).
            StructField("name_keys", ArrayType(StringType()), False),
            # The study's country: home_country unless stages.firms.study_country = listing.
            _s("country", False),
            # Headquarters (a US firm listed on Xetra is at home in the US) and primary listing.
            _s("home_country", False),
            _s("listing_country"),
            _s("exchange"),
            _s("ticker"),
            _s("isin"),
            StructField("listings", ArrayType(LISTING), False),
            _s("website"),
            _s("domain"),
            _s("sector"),
            _s("industry_group"),
            _s("industry"),
            _s("industry_scheme"),
            StructField("founded_year", IntegerType()),
            _s("founded_year_source"),
            _s("market_cap"),
            StructField("multinational_signal", BooleanType(), False),
            StructField("multinational_evidence", ArrayType(StringType()), False),
            _s("firm_type", False),
            _s("firm_type_rule", False),
            StructField("delisted", BooleanType(), False),
            _s("city"),
            _s("cik"),
            _s("edinet_code"),
            _s("corporate_number"),
            StructField("sources", ArrayType(StringType()), False),
            _s("run_id", False),
        ]
    ),
    keys=("firm_id",),
    partition_by=("country",),
    volatile=("run_id",),
    description="Listed firms, one row per firm across exchanges, with names in every script.",
)


def _d(name: str) -> StructField:
    return StructField(name, DateType())


PATENTS = TableSpec(
    layer="silver",
    name="patents",
    schema=StructType(
        [
            _s("pub_key", False),
            _s("office", False),
            _s("doc_number", False),
            _s("kind", False),
            _s("doc_type"),
            _s("family_id"),
            _s("application_number"),
            _d("application_date"),
            _d("publication_date"),
            _d("grant_date"),
            _d("priority_date"),
            _s("title"),
            _s("title_lang"),
            _s("title_en"),
            _s("abstract"),
            _s("abstract_lang"),
            _s("claims"),
            _s("claims_lang"),
            _s("first_claim"),
            StructField("claim_count", IntegerType()),
            StructField("description_length", IntegerType()),
            _s("source_format", False),
            _s("source_file", False),
            _s("dtd"),
            _s("run_id", False),
        ]
    ),
    keys=("pub_key",),
    partition_by=("office",),
    volatile=("run_id", "source_file"),
    description="Patent publications of every office, one row per publication (DOCDB-like key).",
)

PATENT_PARTIES = TableSpec(
    layer="silver",
    name="patent_parties",
    schema=StructType(
        [
            _s("pub_key", False),
            _s("role", False),
            StructField("sequence", IntegerType(), False),
            _s("name", False),
            StructField("is_organization", BooleanType()),
            _s("first_name"),
            _s("last_name"),
            _s("city"),
            _s("state"),
            _s("country"),
            _s("address"),
            _s("lang"),
            # The source's own id of the person or organisation (PatentsView's disambiguated
            # inventor_id / assignee_id); null for sources without one.
            _s("party_id"),
            _s("run_id", False),
        ]
    ),
    keys=("pub_key", "role", "sequence"),
    volatile=("run_id",),
    description="Applicants, assignees and inventors of each publication, with addresses.",
)

PATENT_CLASSES = TableSpec(
    layer="silver",
    name="patent_classes",
    schema=StructType(
        [
            _s("pub_key", False),
            _s("scheme", False),
            _s("code", False),
            StructField("main", BooleanType(), False),
            StructField("sequence", IntegerType(), False),
            _s("run_id", False),
        ]
    ),
    keys=("pub_key", "scheme", "code"),
    volatile=("run_id",),
    description="CPC, IPC, Locarno, USPC and FI classes of each publication.",
)

PATENT_CITATIONS = TableSpec(
    layer="silver",
    name="patent_citations",
    schema=StructType(
        [
            _s("pub_key", False),
            StructField("sequence", IntegerType(), False),
            _s("kind", False),
            _s("country"),
            _s("number"),
            _s("cited_kind"),
            _s("cited_key"),
            _d("date"),
            _s("name"),
            _s("text"),
            _s("category"),
            _s("run_id", False),
        ]
    ),
    keys=("pub_key", "sequence"),
    volatile=("run_id",),
    description="Cited patents and non-patent literature of each publication.",
)

# Child tables of silver/patents: a publication's rows are replaced as a whole when it is
# loaded again, so a corrected record with fewer parties leaves no stale party behind.
PATENT_CHILDREN = (PATENT_PARTIES, PATENT_CLASSES, PATENT_CITATIONS)

OTHER_NAME = StructType([_s("name"), _s("lang"), _s("type")])

LEGAL_ENTITIES = TableSpec(
    layer="silver",
    name="legal_entities",
    schema=StructType(
        [
            _s("lei", False),
            _s("legal_name", False),
            _s("legal_name_lang"),
            _s("name_norm"),
            # Other names (alternative-language, previous, trading) and transliterations.
            StructField("other_names", ArrayType(OTHER_NAME), False),
            StructField("name_keys", ArrayType(StringType()), False),
            _s("legal_country"),
            _s("legal_city"),
            _s("hq_country"),
            _s("hq_city"),
            _s("jurisdiction"),
            _s("elf_code"),
            # The ELF code's local name (T417 -> 株式会社), or the record's own words.
            _s("legal_form"),
            _s("entity_category"),
            _s("entity_status"),
            _s("registration_status"),
            _s("registration_authority"),
            _s("registration_id"),
            _s("last_update"),
            _s("source_format", False),
            _s("source_file", False),
            _s("run_id", False),
        ]
    ),
    keys=("lei",),
    partition_by=("legal_country",),
    volatile=("run_id", "source_file"),
    description="GLEIF legal entities (Level 1): names in every language, countries, ELF form.",
)

ENTITY_PARENTS = TableSpec(
    layer="silver",
    name="entity_parents",
    schema=StructType(
        [
            _s("child_lei", False),
            # direct or ultimate (accounting consolidation parent, GLEIF Level 2).
            _s("relationship", False),
            _s("parent_lei", False),
            _s("status"),
            _s("start_date"),
            _s("end_date"),
            _s("source_format", False),
            _s("run_id", False),
        ]
    ),
    keys=("child_lei", "relationship", "parent_lei"),
    volatile=("run_id",),
    description="Child -> parent links between legal entities (direct and ultimate), with period.",
)

LEI_ISINS = TableSpec(
    layer="silver",
    name="lei_isins",
    schema=StructType([_s("isin", False), _s("lei", False), _s("run_id", False)]),
    keys=("isin",),
    volatile=("run_id",),
    description="ISIN -> LEI of its issuer (GLEIF ISIN-LEI mapping).",
)

FIRM_FAMILY = TableSpec(
    layer="silver",
    name="firm_family",
    schema=StructType(
        [
            _s("firm_id", False),
            _s("lei", False),
            _s("legal_name"),
            _s("legal_country"),
            # 0: the listed firm's own entity; n: n parent links up to it.
            StructField("depth", IntegerType(), False),
            # LEIs from this entity up to the firm's own, both included.
            StructField("path", ArrayType(StringType()), False),
            # depth 0: how the firm was linked to its LEI (isin, name); else the link walked
            # (direct: chain of direct parents; ultimate: the ultimate parent, direct missing).
            _s("link", False),
            # The entity is itself a listed firm (a listed subsidiary).
            StructField("listed", BooleanType(), False),
            _s("run_id", False),
        ]
    ),
    keys=("firm_id", "lei"),
    volatile=("run_id",),
    description="Every legal entity that rolls up to a listed firm, with depth and path.",
)

PAGES = TableSpec(
    layer="silver",
    name="pages",
    schema=StructType(
        [
            _s("url", False),
            _s("crawl_id", False),
            _s("firm_id", False),
            _s("domain", False),
            StructField("fetch_time", TimestampType()),
            _s("language"),
            _s("charset", False),
            _s("title"),
            StructField("headings", ArrayType(StringType()), False),
            StructField("links", ArrayType(StringType()), False),
            _s("text", False),
            _s("text_hash", False),
            _s("page_kind", False),
            StructField("bytes", LongType(), False),
            _s("source_format", False),
            _s("source_file", False),
            _s("locator", False),
            _s("run_id", False),
        ]
    ),
    keys=("url", "crawl_id"),
    partition_by=("crawl_id",),
    volatile=("run_id", "source_file", "locator"),
    description="Firms' web pages, one row per URL and crawl: main text, language, kind.",
)


def _f(name: str, nullable: bool = True) -> StructField:
    return StructField(name, DoubleType(), nullable)


# --- link tables (stage `link`) ---

APPLICANT_FIRM_LINKS = TableSpec(
    layer="silver",
    name="applicant_firm_links",
    schema=StructType(
        [
            # The applicant's name as written, and the office of the publications naming it.
            _s("applicant", False),
            _s("office", False),
            # The country most publications give with the name.
            _s("country"),
            # normalize_name of the name (the key silver/firms' name_keys hold).
            _s("name_key"),
            # null: no listed firm (method none); an audited outcome, not a reject.
            _s("firm_id"),
            # The model's score of the best candidate (linked or not), 0 without candidate.
            _f("score", False),
            # exact, reading (through a Japanese / Chinese reading), fuzzy, family (a GLEIF
            # subsidiary credited to its listed parent), alias (conf), none.
            _s("method", False),
            # The firm's name the applicant matched (also for method none: the best rejected).
            _s("matched_name"),
            # Forms compared, features, veto, the runner-up firm and its score.
            _s("evidence"),
            StructField("publications", IntegerType(), False),
            _s("run_id", False),
        ]
    ),
    keys=("applicant", "office"),
    volatile=("run_id",),
    description="Every applicant name -> its listed firm or none, with score and evidence.",
)

FIRM_PATENTS = TableSpec(
    layer="gold",
    name="firm_patents",
    schema=StructType(
        [
            _s("firm_id", False),
            _s("pub_key", False),
            # 1 / number of distinct listed firms among the publication's applicants.
            _f("share", False),
            _f("score", False),
            _s("method", False),
            _s("applicant"),
            _s("run_id", False),
        ]
    ),
    keys=("firm_id", "pub_key"),
    volatile=("run_id",),
    description="Publications of each listed firm (applicants linked, subsidiaries rolled up).",
)

# --- keywords tables (stage `keywords`) ---

FIRM_KEYWORDS = TableSpec(
    layer="gold",
    name="firm_keywords",
    schema=StructType(
        [
            _s("firm_id", False),
            _s("keyword", False),
            _s("language", False),
            _f("weight", False),
            StructField("rank", IntegerType(), False),
            StructField("source_urls", ArrayType(StringType()), False),
            _s("run_id", False),
        ]
    ),
    keys=("firm_id", "keyword"),
    volatile=("run_id",),
    description="Product and service keywords of each firm's web pages, weighted, ranked.",
)

PATENT_TEXT = TableSpec(
    layer="gold",
    name="patent_text",
    schema=StructType(
        [
            _s("pub_key", False),
            _s("language", False),
            StructField("tokens", ArrayType(StringType()), False),
            StructField("vector", ArrayType(DoubleType()), False),
            _s("run_id", False),
        ]
    ),
    keys=("pub_key",),
    volatile=("run_id",),
    description="Patent text as normalized tokens (title, abstract, first claim) and a vector.",
)

KEYWORD_VECTORS = TableSpec(
    layer="gold",
    name="keyword_vectors",
    schema=StructType(
        [
            _s("language", False),
            _s("keyword", False),
            # Mean Word2Vec vector of the keyword's words (the language's model; the same
            # dimension as gold/patent_text.vector; zeros when no word has a vector).
            StructField("vector", ArrayType(DoubleType()), False),
            _s("run_id", False),
        ]
    ),
    keys=("language", "keyword"),
    volatile=("run_id",),
    description="A vector for every keyword of gold/firm_keywords, per language.",
)

# --- linkage tables (stages `linkage`, `summary`) ---

FIRM_SCORES = TableSpec(
    layer="gold",
    name="firm_scores",
    schema=StructType(
        [
            _s("firm_id", False),
            _s("model", False),
            _s("group_key", False),
            _s("country", False),
            _s("firm_type", False),
            _s("industry", False),
            # Out-of-fold cosine of predicted and actual product vectors.
            _f("score", False),
            # The same prediction against a random firm of the same industry.
            _f("shuffle_score"),
            StructField("fold", IntegerType(), False),
            StructField("patents", IntegerType(), False),
            StructField("keywords", IntegerType(), False),
            _s("run_id", False),
        ]
    ),
    keys=("firm_id", "model"),
    volatile=("run_id",),
    description="Technology -> product score of each firm, out of fold, per model.",
)

SCORE_SUMMARY = TableSpec(
    layer="gold",
    name="score_summary",
    schema=StructType(
        [
            _s("model", False),
            # "*" where the row is a margin over that dimension.
            _s("country", False),
            _s("firm_type", False),
            _s("industry", False),
            StructField("n", IntegerType(), False),
            _f("mean"),
            _f("sd"),
            _f("median"),
            _f("ci_low"),
            _f("ci_high"),
            _f("shuffle_mean"),
            StructField("small", BooleanType(), False),
            _s("run_id", False),
        ]
    ),
    keys=("model", "country", "firm_type", "industry"),
    volatile=("run_id",),
    description="Scores by country x firm type x industry: n, mean, SD, median, bootstrap CI.",
)

# --- flows tables (stage `flows`) ---

INVENTOR_PATENTS = TableSpec(
    layer="gold",
    name="inventor_patents",
    schema=StructType(
        [
            _s("pub_key", False),
            StructField("sequence", IntegerType(), False),
            # The person: "pv:<PatentsView inventor id>" when the source has one, else
            # "nm:<name key>#<n>" from the light disambiguation (docs/flows_science.md).
            _s("inventor_id", False),
            # party_id, evidence (firm, city or co-inventor shared), rare_name, single.
            _s("id_method", False),
            _s("name_key", False),
            _s("country"),
            # First-level region (conf/mappings/regions.yaml); null: not located below the
            # country in a country that has a region table.
            _s("region"),
            # How the region was found: state, city, city_token, address or country.
            _s("region_source"),
            _d("date"),
            StructField("field", IntegerType(), False),
            _s("run_id", False),
        ]
    ),
    keys=("pub_key", "sequence"),
    volatile=("run_id",),
    description="Every inventor of every publication: the person it is and the region.",
)

INVENTOR_FLOWS = TableSpec(
    layer="gold",
    name="inventor_flows",
    schema=StructType(
        [
            _s("from_region", False),
            _s("to_region", False),
            # Filing year of the first patent in the new region.
            StructField("year", IntegerType(), False),
            # WIPO technology field (1-35) of that patent; 0: no IPC/CPC code.
            StructField("field", IntegerType(), False),
            _s("field_name", False),
            _s("from_country", False),
            _s("to_country", False),
            StructField("moves", LongType(), False),
            StructField("inventors", LongType(), False),
            _s("run_id", False),
        ]
    ),
    keys=("from_region", "to_region", "year", "field"),
    volatile=("run_id",),
    description="Inventor moves: consecutive patents of one inventor in two regions.",
)

REGION_FLOWS = TableSpec(
    layer="gold",
    name="region_flows",
    schema=StructType(
        [
            _s("region", False),
            StructField("year", IntegerType(), False),
            _s("region_name", False),
            _s("country", False),
            StructField("inflow", LongType(), False),
            StructField("outflow", LongType(), False),
            # inflow - outflow
            StructField("net", LongType(), False),
            # Inventors with a patent filed in the region that year.
            StructField("inventors", LongType(), False),
            _s("run_id", False),
        ]
    ),
    keys=("region", "year"),
    volatile=("run_id",),
    description="Inventor inflow, outflow and net inflow of each region and year.",
)


# --- science tables (stage `science`) ---

NPL_CITATIONS = TableSpec(
    layer="gold",
    name="npl_citations",
    schema=StructType(
        [
            _s("pub_key", False),
            StructField("sequence", IntegerType(), False),
            StructField("scientific", BooleanType(), False),
            # The rule of conf/mappings/science.yaml that decided (journal, doi, search_report...).
            _s("npl_class", False),
            _s("doi"),
            _s("pmid"),
            _s("arxiv"),
            _s("run_id", False),
        ]
    ),
    keys=("pub_key", "sequence"),
    volatile=("run_id",),
    description="Non-patent literature cited by each publication, scientific or not, and why.",
)

SCIENCE_LINKAGE = TableSpec(
    layer="gold",
    name="science_linkage",
    schema=StructType(
        [
            _s("pub_key", False),
            _s("office", False),
            # Country of the first applicant (else assignee, else inventor) with one.
            _s("country"),
            # Filing year (application date, else priority, else publication date).
            StructField("year", IntegerType()),
            StructField("field", IntegerType(), False),
            _s("field_name", False),
            StructField("patent_citations", IntegerType(), False),
            StructField("npl", IntegerType(), False),
            StructField("scientific", IntegerType(), False),
            _s("run_id", False),
        ]
    ),
    keys=("pub_key",),
    volatile=("run_id",),
    description="Science linkage of each publication: NPL and scientific references cited.",
)

SCIENCE_SUMMARY = TableSpec(
    layer="gold",
    name="science_summary",
    schema=StructType(
        [
            # firm, country, field or year
            _s("level", False),
            # firm_id, country code, field number or year, as text
            _s("key", False),
            _s("label", False),
            # Publications; for firms the sum of gold/firm_patents shares (fractional).
            _f("patents", False),
            _f("npl", False),
            _f("scientific", False),
            # Publications citing at least one scientific reference.
            _f("patents_with_science", False),
            # scientific / patents, and patents_with_science / patents
            _f("scientific_per_patent", False),
            _f("share_with_science", False),
            _s("run_id", False),
        ]
    ),
    keys=("level", "key"),
    volatile=("run_id",),
    description="Science linkage by firm, country, technology field and filing year.",
)


# --- more tables here ---

REGISTRY: dict[str, TableSpec] = {
    t.id: t
    for t in (
        REJECTS,
        FIRMS,
        PATENTS,
        PATENT_PARTIES,
        PATENT_CLASSES,
        PATENT_CITATIONS,
        LEGAL_ENTITIES,
        ENTITY_PARENTS,
        LEI_ISINS,
        FIRM_FAMILY,
        PAGES,
        FIRM_PATENTS,
        FIRM_KEYWORDS,
        PATENT_TEXT,
        KEYWORD_VECTORS,
        FIRM_SCORES,
        SCORE_SUMMARY,
        INVENTOR_PATENTS,
        INVENTOR_FLOWS,
        REGION_FLOWS,
        NPL_CITATIONS,
        SCIENCE_LINKAGE,
        SCIENCE_SUMMARY,
        APPLICANT_FIRM_LINKS,
        # --- registry: more tables here ---
    )
}


def table(table_id: str) -> TableSpec:
    try:
        return REGISTRY[table_id]
    except KeyError:
        raise KeyError(f"no table {table_id!r}; known: {', '.join(sorted(REGISTRY))}") from None
