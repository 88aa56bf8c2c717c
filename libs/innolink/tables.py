"""Every Delta table innolink writes, declared once: layer, name, schema, keys, partitioning.

Paths are `<warehouse>/<layer>/<name>`; nothing else in the code builds a table path.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyspark.sql.types import (
    ArrayType,
    BooleanType,
    IntegerType,
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
            _s("country", False),
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

REGISTRY: dict[str, TableSpec] = {t.id: t for t in (REJECTS, FIRMS)}


def table(table_id: str) -> TableSpec:
    try:
        return REGISTRY[table_id]
    except KeyError:
        raise KeyError(f"no table {table_id!r}; known: {', '.join(sorted(REGISTRY))}") from None
