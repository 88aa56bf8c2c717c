"""CSV records out of raw bytes, one bad record at a time.

Python's csv module (and Spark's CSV reader) let an unbalanced quote swallow every row after
it: one broken row loses the rest of the file. Real firm lists do have quoted fields spanning
lines, so splitting on newlines is not an answer either. This reader follows RFC 4180 but
checks, while a quoted field is open, whether the next physical line is itself a complete
record with the header's field count; if so the open record is the broken one and is
rejected alone, and reading goes on at that line.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class CsvRecord:
    first_line: int  # 1-based physical line numbers in the file
    last_line: int
    raw: str
    fields: list[str] | None  # None when the record is rejected
    error: str | None = None

    @property
    def locator(self) -> str:
        if self.first_line == self.last_line:
            return f"line {self.first_line}"
        return f"lines {self.first_line}-{self.last_line}"


# A record spanning more lines than this is taken as a runaway quote, not a long field.
MAX_RECORD_LINES = 200


def decode_lines(data: bytes, encoding: str) -> Iterator[tuple[int, str | None, bytes]]:
    """(line number, text or None if undecodable, raw bytes) per physical line.

    Splitting on b"\\n" before decoding is safe for UTF-8 and Shift_JIS/cp932 (0x0A is never a
    trail byte), and keeps one mis-encoded line from failing the file.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for number, raw in enumerate(lines, start=1):
        raw = raw.removesuffix(b"\r")
        try:
            yield number, raw.decode(encoding), raw
        except UnicodeDecodeError:
            yield number, None, raw


def _quotes_balanced(text: str) -> bool:
    return text.count('"') % 2 == 0


def _parse_one(text: str) -> list[str] | None:
    rows = (
        list(csv.reader([text], strict=True))
        if "\n" not in text
        else list(csv.reader(text.splitlines(keepends=True), strict=True))
    )
    return rows[0] if len(rows) == 1 else None


def _parse(text: str) -> list[str] | None:
    try:
        return _parse_one(text)
    except csv.Error:
        return None


def iter_csv_records(
    data: bytes, encoding: str = "utf-8", skip_lines: int = 0, n_fields: int | None = None
) -> Iterator[CsvRecord]:
    """Records of a CSV file; the first yielded record is the header (unless it fails).

    n_fields: expected field count; None takes it from the header. Records with another
    count, undecodable bytes or unbalanced quotes come back with `fields=None` and `error`.
    """
    buffer: list[str] = []
    start = 0
    expected = n_fields

    def finish(first: int, last: int, text: str) -> CsvRecord:
        nonlocal expected
        fields = _parse(text)
        if fields is None:
            return CsvRecord(first, last, text, None, "bad_csv.unparseable")
        if expected is None:
            expected = len(fields)
        if len(fields) != expected:
            return CsvRecord(
                first,
                last,
                text,
                None,
                f"bad_csv.field_count: {len(fields)} fields, expected {expected}",
            )
        return CsvRecord(first, last, text, fields)

    last_number = 0
    for number, text, raw in decode_lines(data, encoding):
        last_number = number
        if number <= skip_lines:
            continue
        if text is None:
            if buffer:
                yield CsvRecord(
                    start, number - 1, "\n".join(buffer), None, "bad_csv.unbalanced_quote"
                )
                buffer = []
            yield CsvRecord(
                number,
                number,
                raw.decode(encoding, "replace"),
                None,
                f"bad_encoding: not {encoding}",
            )
            continue
        if not buffer:
            if text.strip() == "":
                continue
            if _quotes_balanced(text):
                yield finish(number, number, text)
            else:
                buffer, start = [text], number
            continue
        # A quoted field is open. If this line stands on its own as a full record, the open
        # record never closed: reject it and restart here.
        if _quotes_balanced(text) and expected is not None:
            alone = _parse(text)
            if alone is not None and len(alone) == expected:
                yield CsvRecord(
                    start, number - 1, "\n".join(buffer), None, "bad_csv.unbalanced_quote"
                )
                buffer = []
                yield finish(number, number, text)
                continue
        buffer.append(text)
        joined = "\n".join(buffer)
        if _quotes_balanced(joined):
            yield finish(start, number, joined)
            buffer = []
        elif len(buffer) >= MAX_RECORD_LINES:
            yield CsvRecord(start, number, joined, None, "bad_csv.unbalanced_quote")
            buffer = []
    if buffer:
        yield CsvRecord(start, last_number, "\n".join(buffer), None, "bad_csv.unbalanced_quote")
