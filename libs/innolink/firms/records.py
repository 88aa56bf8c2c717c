"""The common shape every firm-list reader produces: one listing record, or one reject."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pyspark.sql.types import (
    ArrayType,
    BooleanType,
    IntegerType,
    StringType,
    StructField,
    StructType,
)

from innolink.tables import NAME_VARIANT

if TYPE_CHECKING:
    from innolink.firms.exchanges import ExchangeResolver
    from innolink.legal_forms import LegalForms


@dataclass(frozen=True)
class ReadContext:
    """What readers need beyond the bytes of a file, built once on the driver and shipped
    to the Python workers with the reader (plain picklable objects, no file access there)."""

    exchanges: ExchangeResolver
    forms: LegalForms | None = None


# role: "primary" records make firms; "variant" records (name lists) only add names to a
# firm found through the same listing. reason is set (and excerpt kept) for rejects only.
RECORD_FIELDS: list[tuple[str, object]] = [
    ("source_format", StringType()),
    ("source_file", StringType()),
    ("locator", StringType()),
    ("role", StringType()),
    ("reason", StringType()),
    ("excerpt", StringType()),
    ("exchange", StringType()),
    ("mic", StringType()),
    ("operating_mic", StringType()),
    ("exchange_name", StringType()),
    ("exchange_country", StringType()),
    ("ticker", StringType()),
    ("listing_key", StringType()),
    ("isin", StringType()),
    ("name", StringType()),
    ("name_norm", StringType()),
    ("names", ArrayType(NAME_VARIANT)),
    # The comparison key of every name variant (normalize_name with the home country).
    ("name_keys", ArrayType(StringType())),
    # The firm's home country (headquarters); exchange_country is the listing's.
    ("country", StringType()),
    ("country_source", StringType()),
    ("city", StringType()),
    ("website", StringType()),
    ("domain", StringType()),
    ("industry_scheme", StringType()),
    ("sector_raw", StringType()),
    ("industry_group_raw", StringType()),
    ("industry_raw", StringType()),
    ("summary", StringType()),
    ("founded_col", IntegerType()),
    ("market_cap", StringType()),
    ("delisted", BooleanType()),
    ("cik", StringType()),
    ("edinet_code", StringType()),
    ("corporate_number", StringType()),
]

RECORD_SCHEMA = StructType([StructField(n, t, True) for n, t in RECORD_FIELDS])
_ORDER = [n for n, _ in RECORD_FIELDS]


def as_row(record: dict) -> tuple:
    """The record as a tuple in RECORD_SCHEMA order (missing fields are null)."""
    unknown = set(record) - set(_ORDER)
    if unknown:
        raise KeyError(f"unknown record fields: {sorted(unknown)}")
    return tuple(record.get(name) for name in _ORDER)
