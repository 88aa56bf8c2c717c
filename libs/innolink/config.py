"""Layered configuration: conf/base.yaml, then conf/env/<env>.yaml, then --set overrides.

Every layer is validated against one pydantic model, so a typo in any layer fails fast with
the key's dotted path and the keys or values allowed there. Relative paths are resolved
against the project root (the folder holding conf/), never against where a job happens to
run, so `innolink run` behaves the same from any working directory.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from innolink.errors import ConfigError

FirmType = Literal["startup", "incumbent", "multinational"]
FirmsFormat = Literal[
    "financedatabase",
    "sp500",
    "jpx-names",
    "edinet",
    "cn-names",
    "gleif-lei-json",
    "gleif-lei-xml",
    "gleif-api",
    "gleif-parents-csv",
    "gleif-isin-csv",
]
PatentsFormat = Literal[
    "uspto-xml", "uspto-aps", "epo-xml", "jpo-xml", "cnipa-xml", "patentsview", "google-patents"
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SparkConfig(_Strict):
    app_name: str = "innolink"
    log_level: Literal["ERROR", "WARN", "INFO", "DEBUG"] = "WARN"
    # Passed verbatim to the session builder. The master lives here (env layer) for local
    # runs and is absent for clusters, where spark-submit sets it.
    conf: dict[str, str] = Field(default_factory=dict)

    @field_validator("conf", mode="before")
    @classmethod
    def _stringify(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k): _spark_str(v) for k, v in value.items()}
        return value


def _spark_str(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class RuntimeConfig(_Strict):
    # Folder of the jars `make setup` fetched; None on clusters where spark-submit ships them.
    jars_dir: str | None = "jars"
    # Jar name prefixes that must be present in jars_dir; a missing one means setup did not run.
    required_jars: list[str] = Field(default_factory=list)
    # "driver": Python workers run the driver's interpreter (local mode, where the package
    # is installed in that virtualenv). None: spark-submit / the cluster decides.
    worker_python: Literal["driver"] | None = None
    # log4j2 file for the driver JVM this process starts (local runs). None on clusters,
    # where the cluster's logging configuration applies.
    log4j_config: str | None = None


class S3aConfig(_Strict):
    """Where s3a:// goes. Credentials are deliberately absent: the AWS default chain supplies them."""

    endpoint: str | None = None
    region: str | None = None
    path_style_access: bool = False
    ssl_enabled: bool = True


class MlflowConfig(_Strict):
    tracking_uri: str = "sqlite:///.mlflow/mlflow.db"
    # None: the tracking server's default artifact store (remote servers).
    artifact_root: str | None = ".mlflow/artifacts"
    experiment: str = "innolink"


class InputSpec(_Strict):
    path: str
    format: str


class FirmsInput(InputSpec):
    format: FirmsFormat


class ExchangeInfo(_Strict):
    """An override of what ISO 10383 says of a market (by source exchange code or MIC)."""

    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    mic: str | None = Field(default=None, pattern=r"^[A-Z0-9]{4}$")
    name: str | None = None


class LegalFormsConfig(_Strict):
    # The ISO 20275 Entity Legal Forms code list as GLEIF publishes it (CSV).
    elf_list: str
    # conf's additions: forms the list lacks, prefix countries, words that are not forms.
    additions: str


class FirmTypeRule(_Strict):
    """All conditions that are set must hold; rules are tried in order, the first match wins."""

    type: FirmType
    founded_within_years: int | None = Field(default=None, ge=0)
    multinational_signal: bool | None = None
    market_cap_in: list[str] | None = None
    min_listing_countries: int | None = Field(default=None, ge=1)


class FirmsConfig(_Strict):
    inputs: list[FirmsInput]
    reference_year: int = Field(ge=1900, le=2100)
    firm_type_rules: list[FirmTypeRule]
    default_firm_type: FirmType = "incumbent"
    # Overrides only: every market is found by its MIC in ISO 10383 (package iso10383).
    exchanges: dict[str, ExchangeInfo] = Field(default_factory=dict)
    # A firm's country in the study: where it has its headquarters ("home": a US firm listed
    # on Xetra is a US firm) or where its primary listing is ("listing").
    study_country: Literal["home", "listing"] = "home"
    legal_forms: LegalFormsConfig
    industry_map: str
    multinational_patterns: dict[str, str]
    resolution_max_iterations: int = Field(default=20, ge=1)
    # Longest chain of direct parents walked from a legal entity to its listed ancestor.
    family_max_depth: int = Field(default=12, ge=1)
    # Largest split of a GLEIF golden copy file per task (None: the filesystem's block size).
    gleif_split_mb: int | None = Field(default=None, ge=1)


class PatentsInput(InputSpec):
    format: PatentsFormat


class PatentsConfig(_Strict):
    # A path is a file, a folder (read recursively) or a glob; plain, .gz or .zip.
    inputs: list[PatentsInput]
    # A document larger than this is rejected before parsing (document.too_large).
    max_document_mb: int = Field(default=64, ge=1)
    # Lower bound of tasks for inputs read file by file (EPO/JPO/CNIPA folders, zips).
    min_partitions: int = Field(default=2, ge=1)
    # Largest split of a plain weekly file per task (None: the filesystem's block size,
    # 32 MB locally, 128 MB on HDFS/S3A). Documents are never cut: a split ends at one.
    split_mb: int | None = Field(default=None, ge=1)


PagesFormat = Literal["warc", "wet", "html-dir", "cc-index"]
PageKind = Literal["product_service", "about", "investor_relations", "news"]


class PagesInput(InputSpec):
    format: PagesFormat
    # The crawl these pages belong to (part of the page's key). None: a WARC file's warcinfo
    # `isPartOf` (Common Crawl names its crawl there), the index's crawl for cc-index, else
    # pages.default_crawl.
    crawl: str | None = None
    # html-dir: the manifest at the folder's root (columns file, url[, fetch_time]).
    manifest: str = "url_index.csv"


class PageKindRule(_Strict):
    """A page is of this kind when a URL pattern matches its path, or a text pattern its title
    or a heading (case-insensitive regular expressions). Rules are tried in order."""

    kind: PageKind
    url: list[str] = Field(default_factory=list)
    text: list[str] = Field(default_factory=list)

    @field_validator("url", "text")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        import re

        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"bad regular expression {pattern!r}: {exc}") from None
        return patterns


class CommonCrawlConfig(_Strict):
    """The Common Crawl source: the index to query and the bucket to fetch records from."""

    # Columnar URL index root (Parquet partitioned by crawl and subset).
    index: str = "s3a://commoncrawl/cc-index/table/cc-main/warc/"
    crawls: list[str] = Field(default_factory=list)
    bucket: str = "commoncrawl"
    # Endpoint and region for both s3a (the index) and boto3 (the records); credentials come
    # from the AWS default chain. The defaults reach AWS in us-east-1, where the bucket is.
    s3: S3aConfig = Field(default_factory=lambda: S3aConfig(region="us-east-1"))
    mime_types: list[str] = Field(default_factory=lambda: ["text/html", "application/xhtml+xml"])
    max_pages_per_domain: int = Field(default=500, ge=1)
    # S3 attempts per request (botocore's adaptive retry mode: backoff on throttling).
    max_attempts: int = Field(default=10, ge=1)
    # Records fetched per task (sorted by file and offset).
    records_per_task: int = Field(default=2000, ge=1)


class PagesConfig(_Strict):
    # A path is a file, a folder (read recursively) or a glob; cc-index: the index root.
    inputs: list[PagesInput]
    # Also query Common Crawl for the firms' pages (in addition to `inputs`) when set.
    common_crawl: CommonCrawlConfig | None = None
    # Extra hosts or registered domains -> firm_id, beside silver/firms' domains; a host
    # here wins over its registered domain there (shared domains, brand sites).
    firm_domains: dict[str, str] = Field(default_factory=dict)
    default_crawl: str = "own"
    # A page (payload) larger than this is rejected unread (page.too_large).
    max_page_mb: int = Field(default=10, ge=1)
    # .warc.gz files larger than this are split across tasks at record boundaries.
    split_mb: int = Field(default=128, ge=1)
    min_text_chars: int = Field(default=1, ge=1)
    # Main text: Resiliparse with innolink's boilerplate steps (default: several times
    # faster), or trafilatura's default extraction (fewer boilerplate lines, more pages
    # missing part of their text; see README, stage pages).
    extractor: Literal["resiliparse", "trafilatura"] = "resiliparse"
    # ISO 639-1 codes lingua chooses among, or [all].
    languages: list[str] = Field(default_factory=lambda: ["all"])
    language_sample_chars: int = Field(default=300, ge=50)
    max_links: int = Field(default=200, ge=0)
    # Jaccard similarity (estimated by MinHash) from which two pages of one firm's site are
    # near-duplicates; the later-ranked one is rejected (page.near_duplicate).
    near_duplicate_threshold: float = Field(default=0.8, gt=0, le=1)
    page_kinds: list[PageKindRule] = Field(default_factory=list)


# --- Stages after the silver tables. Each helper-owned class below is its stage's only
# configuration; a stage reads no other stage's settings.


class LinkConfig(_Strict):
    """Stage `link`: patent applicants -> listed firms (issue "Link applicants")."""

    # Log pairwise precision / recall / F1 on the labelled sets to MLflow.
    evaluate: bool = False
    # Accept a candidate at or above this calibrated score.
    threshold: float = Field(default=0.5, ge=0, le=1)
    # Alias table for what GLEIF lacks (Amazon Technologies -> Amazon), former names.
    aliases: str = "conf/mappings/applicant_aliases.yaml"
    # Synonyms, qualifiers, institution words, Japanese and Chinese glossaries of names.
    vocabulary: str = "conf/mappings/link_names.yaml"
    # The scoring model's weights (written by `python -m innolink.link.train`).
    model: str = "conf/mappings/link_model.yaml"
    # Hand-labelled applicant -> firm pairs of real patents (evaluation and training).
    labels: str = "conf/mappings/link_labels.csv"
    # Planted answers of synthetic worlds (applicant_truth.parquet); a missing file is skipped.
    truth: list[str] = Field(
        default_factory=lambda: ["data/generated/demo/truth/applicant_truth.parquet"]
    )
    # Party roles whose organisations are applicants.
    roles: list[str] = Field(default_factory=lambda: ["applicant", "assignee"])
    # A blocking key shared by more firm names than this pairs nothing (a common word).
    max_block: int = Field(default=200, ge=1)
    # Candidate firm names scored per applicant (the best by shared blocking keys).
    top_k: int = Field(default=8, ge=1)
    # Credit unlisted entities of a listed firm's GLEIF family (silver/firm_family) to it.
    family: bool = True
    # A one-word name with an English legal form of another class is another company
    # ("Family Co., Ltd." is not "Family Inc.").
    legal_form_conflicts: bool = True
    # None: the firms stage's legal forms, the vocabulary silver/firms' name keys were made
    # with (keys must be made alike to compare).
    legal_forms: LegalFormsConfig | None = None
    # --- link: more settings here ---


class KeywordsConfig(_Strict):
    """Stage `keywords`: Spark NLP keyword and text pipelines (issue "Spark NLP text")."""

    # Keywords kept per firm (by firm-level weight).
    top_k: int = Field(default=30, ge=1)
    # Japanese / Chinese stop words and boilerplate vocabulary.
    stopwords: str = "conf/mappings/stopwords.yaml"
    # A page's term counts are weighted by its kind (silver/pages.page_kind); kinds not
    # listed weigh as `other` (home pages and the rest).
    page_kind_weights: dict[str, float] = Field(
        default_factory=lambda: {
            "product_service": 1.0,
            "other": 0.7,
            "about": 0.5,
            "news": 0.4,
            "investor_relations": 0.2,
        }
    )
    # Candidates per page (YAKE's best), of 1..max_ngram words.
    yake_keywords: int = Field(default=50, ge=1)
    max_ngram: int = Field(default=3, ge=1, le=5)
    # Longest page text read (characters, title included).
    max_page_chars: int = Field(default=20000, ge=100)
    # A line on at least this share of a firm's pages (of one language) is site template,
    # when the firm has template_min_pages pages or more.
    template_share: float = Field(default=0.6, gt=0, le=1)
    template_min_pages: int = Field(default=4, ge=2)
    # A term on more than this share of a language's firms is boilerplate (applied when the
    # language has min_firms_for_share firms or more).
    max_firm_share: float = Field(default=0.5, gt=0, le=1)
    min_firms_for_share: int = Field(default=10, ge=2)
    # A term with at least this share of its occurrences right before "technology" / 技術 /
    # 技术 (conf technology_heads) is a technology, not a product.
    technology_share: float = Field(default=0.5, gt=0, le=1)
    # A term seen with the same neighbouring word in at least this share of its occurrences
    # is a fragment of a longer phrase ("storage" of "energy storage").
    fragment_share: float = Field(default=0.7, gt=0, le=1)
    # A term with at least this share of its occurrences inside a longer kept keyword goes
    # ("robots" inside "industrial robots").
    subsumption_share: float = Field(default=0.6, gt=0, le=1)
    # weight = firm-level tf-idf x (YAKE relevance ** yake_exponent): 1 for a page's best
    # candidate, falling linearly to 1/n for its n-th; 0 leaves tf-idf alone.
    yake_exponent: float = Field(default=0.0, ge=0)
    # Patent text: title, abstract and the first claim ("first"; all claims when there is no
    # first claim), or every claim ("all"), cut at max_claim_chars.
    patent_claims: Literal["first", "all"] = "first"
    max_claim_chars: int = Field(default=4000, ge=100)
    # Pages and patents of a language with fewer documents than this are rejected
    # (language.too_few_documents): too little text for Word2Vec or for the language's
    # cross-firm statistics (a page lingua misread as French on an English site).
    min_language_documents: int = Field(default=10, ge=1)
    # Languages whose pipelines are fitted at the same time (Spark jobs from several threads).
    parallel_languages: int = Field(default=4, ge=1)
    # Sudachi split mode for Japanese: C keeps compounds whole (バッテリーパック).
    japanese_split_mode: Literal["A", "B", "C"] = "C"
    # Word2Vec per language on its patents and pages: small and quick by default.
    vector_size: int = Field(default=32, ge=2)
    word2vec_window: int = Field(default=5, ge=1)
    word2vec_iterations: int = Field(default=1, ge=1)
    word2vec_min_count: int = Field(default=2, ge=1)
    seed: int = 7
    # Log each language's fitted PipelineModel to MLflow (keywords_<language>).
    log_models: bool = True
    # Precision@k of the keywords of the labelled pages (labels: YAML, pages: read from
    # label_pages), logged to MLflow as keywords.precision_at_<k>.
    evaluate: bool = False
    labels: str = "tests/data/keywords_labels.yaml"
    label_pages: str = "../shared/data/web"
    evaluate_k: int = Field(default=10, ge=1)
    # --- keywords: more settings here ---


ModelKind = Literal["ridge", "knn"]


class LinkageConfig(_Strict):
    """Stage `linkage`: per-group technology -> product models, out-of-fold firm scores."""

    group_by: list[Literal["country", "firm_type", "industry"]] = Field(
        default_factory=lambda: ["country", "firm_type"]
    )
    min_firms: int = Field(default=10, ge=3)
    model: ModelKind = "ridge"
    folds: int = Field(default=5, ge=2)
    seed: int = 7
    # Ridge penalty, and how strongly a group's model is shrunk toward the model of all
    # groups (0: independent per-group models).
    alpha: float = Field(default=1.0, gt=0)
    pooling: float = Field(default=1.0, ge=0)
    # knn: neighbours averaged.
    neighbours: int = Field(default=10, ge=1)
    # The technology side: the patents' text tokens, the WIPO technology fields of their
    # IPC/CPC codes, or both side by side with field_weight of the row's squared norm on the
    # fields (docs/linkage.md: text alone is per language, so it cannot compare countries).
    tech_space: Literal["text+fields", "text", "fields"] = "text+fields"
    field_weight: float = Field(default=0.75, gt=0, lt=1)
    # Vocabulary sizes of the patent-text features and of the product-keyword vector.
    patent_features: int = Field(default=1024, ge=8)
    product_features: int = Field(default=512, ge=4)
    min_df: int = Field(default=2, ge=1)
    # The product side: keywords mapped to the language-free concepts of product_concepts
    # (keywords no concept names stay columns of their own), or the raw keywords, whose
    # columns are per language (docs/linkage.md: why countries need the concepts).
    product_space: Literal["concepts", "keywords"] = "concepts"
    product_concepts: str = "conf/mappings/product_concepts.yaml"
    # The firms' column that defines an industry (the shuffle baseline's and the summary's).
    industry: Literal["sector", "industry_group", "industry"] = "sector"
    # The MLflow experiment of this analysis (default: mlflow.experiment).
    experiment: str | None = None


class SummaryConfig(_Strict):
    """Stage `summary`: score tables by country x firm type x industry, and plots."""

    bootstrap: int = Field(default=1000, ge=0)
    seed: int = 11
    small_group: int = Field(default=10, ge=1)


class FlowsConfig(_Strict):
    """Stage `flows`: inventor moves between regions (issue "Inventor mobility")."""

    regions: str = "conf/mappings/regions.yaml"
    # The date that orders an inventor's patents and gives a move its year.
    date: Literal["application", "priority", "publication"] = "application"
    # Inventor records of one name key are one person when they share a firm (applicant),
    # a city or a co-inventor; the kinds of evidence used:
    evidence: list[Literal["firm", "city", "coinventor"]] = Field(
        default_factory=lambda: ["firm", "city", "coinventor"]
    )
    # Records of one name key with no shared evidence are still one person (a move to
    # another firm and city) when the name is rare: fewer other people with that name are
    # expected among all inventors than this (from the frequencies of its family and
    # given names). 0 turns the rule off.
    rare_name_expected: float = Field(default=0.1, ge=0)
    # A shared city is evidence only for names rarer than this (same measure): two John
    # Smiths of one city are not one person for living there.
    city_evidence_expected: float = Field(default=0.5, ge=0)
    # A name key shorter than this (after normalisation) is never merged by rarity.
    min_name_chars: int = Field(default=4, ge=1)
    # --- flows: more settings here ---


class ScienceConfig(_Strict):
    """Stage `science`: non-patent literature classified as science (issue "science")."""

    # Patterns that make a reference scientific or not, tried in order (first match wins).
    patterns: str = "conf/mappings/science.yaml"
    # The date that gives a publication its year.
    date: Literal["application", "priority", "publication"] = "application"
    # --- science: more settings here ---
    min_text_chars: int = Field(default=8, ge=1)


class ReportConfig(_Strict):
    """`innolink report`: the analysts' HTML report."""

    out_dir: str = "reports"
    # Regions listed in the inventor flows' top net inflows; rows of long generic tables.
    top_regions: int = Field(default=10, ge=1)
    max_rows: int = Field(default=60, ge=1)
    # Headless browser for --screenshot (and the report's browser test): a name on PATH or
    # a path. Debian's package is `chromium`.
    browser: str = "chromium"
    screenshot_width: int = Field(default=1280, ge=320)
    screenshot_height: int = Field(default=2000, ge=240)
    browser_timeout_s: float = Field(default=90.0, gt=0)
    # --- report: more settings here ---


class StagesConfig(_Strict):
    firms: FirmsConfig
    patents: PatentsConfig
    pages: PagesConfig
    link: LinkConfig = Field(default_factory=LinkConfig)
    keywords: KeywordsConfig = Field(default_factory=KeywordsConfig)
    linkage: LinkageConfig = Field(default_factory=LinkageConfig)
    summary: SummaryConfig = Field(default_factory=SummaryConfig)
    flows: FlowsConfig = Field(default_factory=FlowsConfig)
    science: ScienceConfig = Field(default_factory=ScienceConfig)


class StandaloneTarget(_Strict):
    master: str = "spark://127.0.0.1:7077"


class YarnTarget(_Strict):
    queue: str = "default"
    deploy_mode: Literal["cluster", "client"] = "cluster"


class K8sTarget(_Strict):
    # The Spark operator's SparkApplication, filled in from the bundle and these values.
    manifest: str = "deploy/k8s/sparkapplication.yaml"
    namespace: str = "default"
    image: str = "innolink-spark:0.1.0"
    service_account: str = "spark"
    kubectl: str = "kubectl"


class EmrServerlessTarget(_Strict):
    application_id: str | None = None
    execution_role_arn: str | None = None


class EmrTarget(_Strict):
    cluster_id: str | None = None


class SubmitConfig(_Strict):
    """`innolink submit`: where jobs go. Credentials come from the AWS default chain."""

    # s3://bucket/prefix where code, jars and configuration are uploaded for targets that
    # run away from this machine (emr, emr-serverless, k8s with S3 access).
    staging: str | None = None
    # Python of the executors: "local" (this machine's interpreter: local and single-host
    # standalone), "pack" (venv-pack this virtualenv), or the path/URI of a packed env
    # built for the cluster's platform (deploy/Dockerfile shows how).
    python_env: str = "local"
    # The jars shipped with every job (what `make setup` fetched).
    jars_dir: str = "jars"
    # AWS region of the staging bucket and the EMR services; an endpoint other than AWS's
    # only for S3-compatible stores and test servers.
    aws_region: str = "us-east-1"
    aws_endpoint_url: str | None = None
    poll_seconds: float = Field(default=10.0, gt=0)
    timeout_minutes: float = Field(default=720.0, gt=0)
    standalone: StandaloneTarget = Field(default_factory=StandaloneTarget)
    yarn: YarnTarget = Field(default_factory=YarnTarget)
    k8s: K8sTarget = Field(default_factory=K8sTarget)
    emr_serverless: EmrServerlessTarget = Field(default_factory=EmrServerlessTarget)
    emr: EmrTarget = Field(default_factory=EmrTarget)


class Config(_Strict):
    env: str
    warehouse: str = "./warehouse"
    project_root: str = "."
    spark: SparkConfig = Field(default_factory=SparkConfig)
    runtime: RuntimeConfig = Field(default_factory=RuntimeConfig)
    s3a: S3aConfig = Field(default_factory=S3aConfig)
    mlflow: MlflowConfig = Field(default_factory=MlflowConfig)
    submit: SubmitConfig = Field(default_factory=SubmitConfig)
    report: ReportConfig = Field(default_factory=ReportConfig)
    stages: StagesConfig

    def resolve(self, path: str) -> str:
        """A configured path made absolute against the project root; URIs pass through."""
        if "://" in path or path.startswith("file:"):
            return path
        p = Path(path).expanduser()
        return str(p if p.is_absolute() else (Path(self.project_root) / p).resolve())

    @property
    def warehouse_uri(self) -> str:
        return self.resolve(self.warehouse).rstrip("/")


def deep_merge(base: dict, override: dict) -> dict:
    """Dicts merge key by key; anything else (lists included) is replaced whole."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def parse_set(assignment: str) -> dict:
    """`a.b.c=value` -> {"a": {"b": {"c": value}}}, the value parsed as YAML (3 -> int)."""
    if "=" not in assignment:
        raise ConfigError(f"--set expects KEY=VALUE, got {assignment!r}")
    key, raw = assignment.split("=", 1)
    parts = key.strip().split(".")
    if not all(parts):
        raise ConfigError(f"--set has an empty key segment in {key!r}")
    try:
        value = yaml.safe_load(raw) if raw != "" else ""
    except yaml.YAMLError:
        value = raw
    # spark.conf keys contain dots themselves ("spark.sql.shuffle.partitions"): everything
    # after "spark.conf." is one key.
    if parts[:2] == ["spark", "conf"] and len(parts) > 2:
        parts = ["spark", "conf", ".".join(parts[2:])]
    node: dict = {}
    cursor = node
    for part in parts[:-1]:
        cursor[part] = {}
        cursor = cursor[part]
    cursor[parts[-1]] = value
    return node


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    return data


def available_envs(conf_dir: Path) -> list[str]:
    return sorted(p.stem for p in (conf_dir / "env").glob("*.yaml"))


def load_config(
    env: str = "local",
    overrides: list[str] | None = None,
    conf_dir: str | Path = "conf",
    extra: dict | None = None,
) -> Config:
    """Base, then env, then `extra` (programmatic, e.g. --warehouse), then --set overrides."""
    conf_dir = Path(conf_dir).resolve()
    base_file = conf_dir / "base.yaml"
    if not base_file.is_file():
        raise ConfigError(
            f"no configuration at {base_file} (run from the project root or pass --conf-dir)"
        )
    env_file = conf_dir / "env" / f"{env}.yaml"
    if not env_file.is_file():
        raise ConfigError(f"unknown env {env!r}; allowed: {', '.join(available_envs(conf_dir))}")
    data = deep_merge(_read_yaml(base_file), _read_yaml(env_file))
    data["env"] = env
    data.setdefault("project_root", str(conf_dir.parent))
    if extra:
        data = deep_merge(data, extra)
    for assignment in overrides or []:
        data = deep_merge(data, parse_set(assignment))
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_explain(exc)) from None


def _explain(exc: ValidationError) -> str:
    lines = ["invalid configuration:"]
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            allowed = _allowed_keys(err["loc"][:-1])
            msg = f"unknown key; allowed here: {', '.join(allowed)}" if allowed else "unknown key"
        lines.append(f"  {loc}: {msg}")
    return "\n".join(lines)


def _allowed_keys(loc: tuple) -> list[str]:
    model: Any = Config
    for part in loc:
        if isinstance(part, int):
            continue
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return []
        annotation = field.annotation
        candidates = [annotation, *getattr(annotation, "__args__", ())]
        model = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None
        )
        if model is None:
            return []
    return sorted(model.model_fields)


def snapshot(cfg: Config) -> dict:
    """The effective configuration as plain data, for the MLflow run's config artifact."""
    return cfg.model_dump(mode="json")
