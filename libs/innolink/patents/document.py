"""The one shape every patent reader produces: a parsed publication, or a reject.

Readers are pure Python (bytes of one document or one file -> PatentDoc or Reject), so they
run unchanged in Spark's Python workers and in unit tests. The stage turns PatentDocs into
the rows of silver/patents, silver/patent_parties, silver/patent_classes and
silver/patent_citations (libs/innolink/patents/transforms.py).

Conventions every reader follows:
- Dates are ISO strings "YYYY-MM-DD" (or None); a date that is not a real calendar date
  (USPTO files carry "20050000" for unknown days) keeps its year and month with day 01, or
  is None when even the month is unknown.
- `doc_number` is the publication number as the office publishes it, without the country,
  kind, separators or leading zeros of the number part ("08088102" -> "8088102",
  "D0651432" -> "D651432", "US 2005/0004437" -> "20050004437"). `pub_key` is
  "<office>-<doc_number>-<kind>", a DOCDB-like key: "US-8088102-B2".
- Texts are whitespace-normalised (runs of white space -> one space, stripped); claims are
  joined with "\n" between claims, in their order; `first_claim` is the text of claim 1.
- Languages are ISO 639-1 lower case ("en", "ja", "zh", "de", "fr").
- Class codes: IPC and CPC as "H01M 10/0525" (section+class+subclass, one space, main
  group "/" subgroup, no padding); Locarno as "06-01"; USPC as published ("623/1.11"),
  JP FI as published.
- Nothing is dropped silently: a document that cannot be used raises Reject(reason) with a
  dotted reason ("xml.malformed", "xml.unknown_dtd", "document.no_number", ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field

PARTY_ROLES = ("applicant", "assignee", "inventor")
CLASS_SCHEMES = ("CPC", "IPC", "LOCARNO", "USPC", "FI", "FTERM")
CITATION_KINDS = ("patent", "npl")


class Reject(Exception):
    """One document (or file) a reader cannot use; `reason` is a short dotted code."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass
class Party:
    role: str  # applicant | assignee | inventor
    sequence: int  # 1-based order within the role, as in the document
    name: str  # as written: organisation name, or "First Last" for a person
    is_organization: bool
    first_name: str | None = None
    last_name: str | None = None
    city: str | None = None
    state: str | None = None  # state / province / region as written
    country: str | None = None  # ISO 3166-1 alpha-2 when the document gives it
    address: str | None = None  # the full address text when the document has one
    lang: str | None = None  # language of name/address when the document says
    party_id: str | None = None  # the source's id of the party (PatentsView's); XML has none


@dataclass
class PatentClass:
    scheme: str  # CPC | IPC | LOCARNO | USPC | FI | FTERM
    code: str
    main: bool
    sequence: int  # 1-based order within the scheme


@dataclass
class Citation:
    sequence: int  # 1-based order in the document
    kind: str  # patent | npl
    country: str | None = None  # cited patent's office
    number: str | None = None  # cited patent's number as written
    cited_kind: str | None = None
    date: str | None = None
    name: str | None = None  # first-named patentee of a cited patent, if given
    text: str | None = None  # the NPL reference text
    category: str | None = None  # "cited by examiner" | "cited by applicant" | X/Y/A...


@dataclass
class PatentDoc:
    office: str
    doc_number: str
    kind: str
    source_format: str
    dtd: str  # the DTD/schema generation detected, e.g. "us-patent-grant v4.2"
    doc_type: str | None = None  # utility | design | plant | reissue | sir | application
    family_id: str | None = None
    application_number: str | None = None
    application_date: str | None = None
    publication_date: str | None = None
    grant_date: str | None = None
    priority_date: str | None = None  # the earliest priority claim
    title: str | None = None  # in the language of the publication when it has one
    title_lang: str | None = None
    title_en: str | None = None  # an English title when the document has one
    abstract: str | None = None
    abstract_lang: str | None = None
    claims: str | None = None
    claims_lang: str | None = None
    first_claim: str | None = None
    claim_count: int | None = None
    description_length: int | None = None  # characters of the description text
    parties: list[Party] = field(default_factory=list)
    classes: list[PatentClass] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)

    @property
    def pub_key(self) -> str:
        return f"{self.office}-{self.doc_number}-{self.kind}"
