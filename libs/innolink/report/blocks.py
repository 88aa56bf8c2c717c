"""What a report section is made of: paragraphs, tables and figures, in reading order.

The template draws these generically, so a section (or a stage's table whose columns change)
is adapted in Python, not in HTML.
"""

from __future__ import annotations

import base64
import math
import numbers
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

MISSING = "–"


@dataclass
class Text:
    text: str
    kind: str = "p"  # p | note | warn
    items: list[str] = field(default_factory=list)  # a bulleted list under the text


@dataclass
class HtmlTable:
    id: str
    columns: list[str]
    rows: list[list[str]]
    # Per row: "" | "small" (below the small-group threshold) | "margin" (an "all" row).
    row_classes: list[str] = field(default_factory=list)
    numeric: frozenset[int] = frozenset()
    caption: str = ""

    def __post_init__(self) -> None:
        if not self.row_classes:
            self.row_classes = [""] * len(self.rows)


@dataclass
class Figure:
    id: str
    file: Path
    alt: str
    caption: str = ""

    @property
    def data_uri(self) -> str:
        # Inline: index.html is one file an analyst can mail; the PNG stays beside it for slides.
        return "data:image/png;base64," + base64.b64encode(self.file.read_bytes()).decode()


Block = Text | HtmlTable | Figure


@dataclass
class Section:
    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    # Why the section could not be produced (shown instead of its content), or None.
    missing: str | None = None

    @property
    def produced(self) -> bool:
        return self.missing is None


def fmt(value, digits: int = 3) -> str:
    """A cell: missing values as a dash, floats rounded, integers with thousands separators."""
    if value is None:
        return MISSING
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        value = float(value)
        return MISSING if math.isnan(value) else f"{value:.{digits}f}"
    return str(value)


def fmt_signed(value, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    return f"{float(value):+.{digits}f}"


def fmt_ci(low, high, digits: int = 3) -> str:
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in (low, high)):
        return MISSING
    return f"[{float(low):.{digits}f}, {float(high):.{digits}f}]"


def frame_table(pdf, id: str, caption: str = "", max_rows: int | None = None) -> HtmlTable:
    """Any pandas frame as a table (for tables whose columns the report does not know)."""
    shown = pdf if max_rows is None else pdf.head(max_rows)
    numeric = frozenset(i for i, c in enumerate(pdf.columns) if pdf[c].dtype.kind in "iuf")
    # Counts stored as doubles (sums of fractional shares that happen to be whole) read as
    # counts: 12, not 12.000.
    whole = {
        c
        for c in pdf.columns
        if pdf[c].dtype.kind == "f" and (pdf[c].dropna() % 1 == 0).all() and pdf[c].notna().any()
    }
    rows = [
        [
            fmt(None if _isnan(v) else (int(v) if c in whole else v))
            for c, v in zip(pdf.columns, rec, strict=True)
        ]
        for rec in shown.itertuples(index=False)
    ]
    if max_rows is not None and len(pdf) > max_rows:
        caption = f"{caption} (first {max_rows} of {len(pdf):,} rows)".strip()
    headers = [str(c).replace("_", " ") for c in pdf.columns]
    return HtmlTable(id, headers, rows, numeric=numeric, caption=caption)


def _isnan(value) -> bool:
    try:
        return value is not None and math.isnan(value)
    except TypeError:
        return False
