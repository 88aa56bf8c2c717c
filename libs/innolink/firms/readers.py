"""Readers of published firm lists: bytes of one file -> listing records or rejects.

Each reader yields plain dicts (see records.RECORD_FIELDS). A record that cannot be used is
yielded with `reason` set and the raw text in `excerpt`; nothing is dropped silently, so
records in == accepted + rejected holds per file. Readers are pure Python so they run
unchanged in Spark's Python workers and in unit tests.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

from innolink.firms.exchanges import Exchange, UnknownExchange
from innolink.firms.records import ReadContext
from innolink.io.csvrecords import CsvRecord, iter_csv_records
from innolink.normalize import (
    InvalidUrl,
    clean_cn_short_name,
    clean_text,
    country_iso2,
    country_of_location,
    isin_valid,
    normalize_name,
    normalize_website,
)

Reader = Callable[[str, bytes, ReadContext], Iterator[dict]]

# What the S&P 500 list says of its listings without saying the exchange: NYSE or Nasdaq.
_SP500_EXCHANGE = {"country": "US", "name": "US exchange (not stated by the source)"}

_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")


class Reject(Exception):
    """Raised inside a reader for one record; becomes a reject row with this reason."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def listing_key(ticker: str, exchange_country: str | None) -> str:
    """One key per listing across sources: Yahoo-style suffixed tickers are global already
    ("1301.T", "600000.SS"); bare US tickers get the country ("US:BRK-B")."""
    t = ticker.strip().upper()
    if "." in t and not t.startswith("."):
        head, suffix = t.rsplit(".", 1)
        if 1 <= len(suffix) <= 2 and exchange_country != "US":
            return t
        t = f"{head}-{suffix}"  # class shares: BRK.B and BRK-B are one listing
    return f"{exchange_country or 'XX'}:{t}"


def _reject(fmt: str, path: str, locator: str, reason: str, excerpt: str) -> dict:
    return {
        "source_format": fmt,
        "source_file": path,
        "locator": locator,
        "reason": reason,
        "excerpt": excerpt,
    }


def _variant(name: str, lang: str, kind: str, fmt: str) -> dict:
    return {"name": name, "lang": lang, "kind": kind, "source": fmt}


def _csv_rows(
    fmt: str,
    path: str,
    data: bytes,
    required: list[str],
    encoding: str = "utf-8",
    skip_lines: int = 0,
) -> Iterator[tuple[CsvRecord, dict[str, str] | None, dict | None]]:
    """(record, fields by header name, reject) per data record; header problems reject the file."""
    records = iter_csv_records(data, encoding=encoding, skip_lines=skip_lines)
    header_rec = next(records, None)
    if header_rec is None:
        yield CsvRecord(0, 0, "", None), None, _reject(fmt, path, "file", "empty_file", "")
        return
    if header_rec.fields is None:
        yield (
            header_rec,
            None,
            _reject(
                fmt, path, header_rec.locator, f"bad_header: {header_rec.error}", header_rec.raw
            ),
        )
        return
    header = [h.strip() for h in header_rec.fields]
    missing = [c for c in required if c not in header]
    if missing:
        yield (
            header_rec,
            None,
            _reject(
                fmt,
                path,
                header_rec.locator,
                f"bad_header: missing columns {missing}",
                header_rec.raw,
            ),
        )
        return
    for rec in records:
        if rec.fields is None:
            yield rec, None, _reject(fmt, path, rec.locator, rec.error or "bad_csv", rec.raw)
        else:
            yield rec, dict(zip(header, rec.fields, strict=True)), None


def map_csv(fmt, path, data, required, build, encoding="utf-8", skip_lines=0) -> Iterator[dict]:
    """build(rec, row) per well-formed row; a Reject it raises becomes that row's reject."""
    for rec, row, rejected in _csv_rows(fmt, path, data, required, encoding, skip_lines):
        if rejected:
            yield rejected
            continue
        try:
            yield build(rec, row)
        except Reject as exc:
            yield _reject(fmt, path, rec.locator, exc.reason, rec.raw)


def _exchange(ctx: ReadContext, code: str | None, mic: str | None, fallback=None) -> Exchange:
    try:
        return ctx.exchanges.resolve(code, mic, fallback)
    except UnknownExchange as exc:
        raise Reject(str(exc)) from None


def _listing(exch: Exchange) -> dict:
    return {
        "exchange": exch.code,
        "mic": exch.mic,
        "operating_mic": exch.operating_mic,
        "exchange_name": exch.name,
        "exchange_country": exch.country,
    }


def _names(ctx: ReadContext, country: str | None, names: list[dict]) -> dict:
    """name_norm of the first name and the key of every variant, with the home country's
    legal forms (ISO 20275)."""
    keys = [normalize_name(n["name"], country, ctx.forms) for n in names]
    return {
        "name_norm": keys[0] if keys else None,
        "names": names,
        "name_keys": sorted({k for k in keys if k}),
    }


def _website(url: str) -> tuple[str | None, str | None]:
    try:
        found = normalize_website(url)
    except InvalidUrl as exc:
        raise Reject(f"invalid.url: {exc}") from None
    return found if found else (None, None)


def _isin(value: str) -> str | None:
    isin = (value or "").strip().upper()
    if not isin:
        return None
    if not isin_valid(isin):
        raise Reject(f"invalid.isin: {isin!r}")
    return isin


def _bool(value: str) -> bool | None:
    v = (value or "").strip().lower()
    return {"true": True, "false": False}.get(v)


def read_financedatabase(path: str, data: bytes, ctx: ReadContext) -> Iterator[dict]:
    """FinanceDatabase equities CSV (one file per exchange)."""
    fmt = "financedatabase"
    required = [
        "symbol",
        "name",
        "summary",
        "sector",
        "industry_group",
        "industry",
        "exchange",
        "country",
        "city",
        "website",
        "market_cap",
        "isin",
        "delisted",
    ]
    yield from map_csv(
        fmt,
        path,
        data,
        required,
        lambda rec, row: _financedatabase_record(fmt, path, rec, row, ctx),
    )


def _financedatabase_record(fmt, path, rec, row, ctx: ReadContext) -> dict:
    ticker = row["symbol"].strip()
    if not ticker:
        raise Reject("missing.ticker")
    name = clean_text(row["name"])
    if not name:
        raise Reject("missing.name")
    # Every row carries the ISO 10383 MIC of its market: that is what places the exchange.
    exch = _exchange(ctx, row["exchange"], row.get("mic"))
    raw_country = row["country"].strip()
    if raw_country:
        # The firm's headquarters: its home, whatever market the row lists it on.
        country = country_iso2(raw_country)
        if country is None:
            raise Reject(f"invalid.country: {raw_country!r}")
        country_source = "column"
    else:
        # The list omits the country for some home-market firms; the exchange's country is
        # the best evidence left, and country_source says so.
        country, country_source = exch.country, "exchange"
    website, domain = _website(row["website"])
    return {
        "source_format": fmt,
        "source_file": path,
        "locator": rec.locator,
        "role": "primary",
        **_listing(exch),
        "ticker": ticker,
        "listing_key": listing_key(ticker, exch.country),
        "isin": _isin(row["isin"]),
        "name": name,
        **_names(ctx, country, [_variant(name, "en", "primary", fmt)]),
        "country": country,
        "country_source": country_source,
        "city": clean_text(row["city"]),
        "website": website,
        "domain": domain,
        "industry_scheme": "gics",
        "sector_raw": clean_text(row["sector"]),
        "industry_group_raw": clean_text(row["industry_group"]),
        "industry_raw": clean_text(row["industry"]),
        "summary": clean_text(row["summary"]),
        "market_cap": clean_text(row["market_cap"]),
        "delisted": _bool(row["delisted"]),
    }


def founded_from_column(value: str | None) -> int | None:
    """'1902' -> 1902; '2013 (1888)' (a spin-off and its origin) -> 1888: the organisation's
    capabilities date from the origin, which is what firm age stands for here."""
    years = [int(y) for y in _YEAR.findall(value or "")]
    return min(years) if years else None


def read_sp500(path: str, data: bytes, ctx: ReadContext) -> Iterator[dict]:
    """S&P 500 constituents (datasets/s-and-p-500-companies): GICS and founding year."""
    fmt = "sp500"
    required = [
        "Symbol",
        "Security",
        "GICS Sector",
        "GICS Sub-Industry",
        "Headquarters Location",
        "CIK",
        "Founded",
    ]
    yield from map_csv(
        fmt, path, data, required, lambda rec, row: _sp500_record(fmt, path, rec, row, ctx)
    )


def _sp500_record(fmt, path, rec, row, ctx: ReadContext) -> dict:
    ticker = row["Symbol"].strip()
    if not ticker:
        raise Reject("missing.ticker")
    name = clean_text(row["Security"])
    if not name:
        raise Reject("missing.name")
    exch = _exchange(ctx, "USX", None, _SP500_EXCHANGE)
    location = row["Headquarters Location"]
    country = country_of_location(location)
    if country is None:
        raise Reject(f"invalid.country: headquarters {location!r}")
    cik = row["CIK"].strip()
    return {
        "source_format": fmt,
        "source_file": path,
        "locator": rec.locator,
        "role": "primary",
        **_listing(exch),
        "ticker": ticker,
        "listing_key": listing_key(ticker, "US"),
        "name": name,
        **_names(ctx, country, [_variant(name, "en", "primary", fmt)]),
        "country": country,
        "country_source": "headquarters",
        "city": clean_text(location.rsplit(",", 1)[0]),
        "industry_scheme": "gics",
        "sector_raw": clean_text(row["GICS Sector"]),
        "industry_raw": clean_text(row["GICS Sub-Industry"]),
        "founded_col": founded_from_column(row["Founded"]),
        # Index membership requires a large market capitalisation.
        "market_cap": "Large Cap",
        "delisted": False,
        "cik": cik.zfill(10) if cik.isdigit() else None,
    }


_EDINET = {
    "code": "ＥＤＩＮＥＴコード",
    "filer_type": "提出者種別",
    "listed": "上場区分",
    "name_ja": "提出者名",
    "name_en": "提出者名（英字）",
    "reading": "提出者名（ヨミ）",
    "address": "所在地",
    "industry": "提出者業種",
    "securities_code": "証券コード",
    "corporate_number": "提出者法人番号",
}


def read_edinet(path: str, data: bytes, ctx: ReadContext) -> Iterator[dict]:
    """The FSA's EDINET code list as published: cp932, one metadata line before the header."""
    fmt = "edinet"
    yield from map_csv(
        fmt,
        path,
        data,
        list(_EDINET.values()),
        lambda rec, row: _edinet_record(
            fmt, path, rec, {k: row[v].strip() for k, v in _EDINET.items()}, ctx
        ),
        encoding="cp932",
        skip_lines=1,
    )


def _edinet_record(fmt, path, rec, row, ctx: ReadContext) -> dict:
    code = row["securities_code"]
    if row["listed"] != "上場" or not code:
        raise Reject("out_of_scope.not_listed: EDINET filer without a listing")
    if not row["filer_type"].startswith("内国法人"):
        raise Reject("invalid.country: foreign EDINET filer, the list gives no country")
    name_ja = clean_text(row["name_ja"])
    name_en = clean_text(row["name_en"])
    if not (name_ja or name_en):
        raise Reject("missing.name")
    # EDINET's securities code is the 4-character TSE code plus a check digit: a listing
    # of Japan Exchange Group's Tokyo market.
    exch = _exchange(ctx, "JPX", "XJPX")
    ticker = f"{code[:4]}.T"
    names = []
    if name_en:
        names.append(_variant(name_en, "en", "registered", fmt))
    if name_ja:
        names.append(_variant(name_ja, "ja", "registered", fmt))
    reading = clean_text(row["reading"])
    if reading:
        names.append(_variant(reading, "ja-Kana", "reading", fmt))
    name = name_en or name_ja
    return {
        "source_format": fmt,
        "source_file": path,
        "locator": rec.locator,
        "role": "primary",
        **_listing(exch),
        "ticker": ticker,
        "listing_key": listing_key(ticker, "JP"),
        "name": name,
        **_names(ctx, "JP", names),
        "country": "JP",
        "country_source": "filer_type",
        "industry_scheme": "tse33",
        "sector_raw": clean_text(row["industry"]),
        "industry_raw": clean_text(row["industry"]),
        "edinet_code": row["code"] or None,
        "corporate_number": row["corporate_number"] or None,
    }


def read_jpx_names(path: str, data: bytes, ctx: ReadContext) -> Iterator[dict]:
    """JPX's list of Tokyo-listed securities with Japanese names: [{"コード", "銘柄名"}]."""
    fmt = "jpx-names"
    try:
        items = json.loads(data.decode("utf-8-sig"))
        if not isinstance(items, list):
            raise ValueError("top level is not a list")
    except (UnicodeDecodeError, ValueError) as exc:
        yield _reject(fmt, path, "file", f"bad_json: {exc}", data[:4096].decode("utf-8", "replace"))
        return
    for i, item in enumerate(items):
        locator = f"item {i}"
        excerpt = json.dumps(item, ensure_ascii=False)
        if not isinstance(item, dict) or not str(item.get("コード", "")).strip():
            yield _reject(fmt, path, locator, "missing.ticker", excerpt)
            continue
        name = clean_text(str(item.get("銘柄名") or ""))
        if not name:
            yield _reject(fmt, path, locator, "missing.name", excerpt)
            continue
        ticker = f"{str(item['コード']).strip()}.T"
        yield {
            "source_format": fmt,
            "source_file": path,
            "locator": locator,
            "role": "variant",
            "exchange": "JPX",
            "ticker": ticker,
            "listing_key": listing_key(ticker, "JP"),
            "name": name,
            **_names(ctx, "JP", [_variant(name, "ja", "short", fmt)]),
            "excerpt": excerpt,
        }


def a_share_suffix(code: str) -> str | None:
    """Exchange suffix of a mainland China A/B-share code."""
    if code.startswith(("60", "68", "90")):
        return "SS"
    if code.startswith(("00", "30", "20")):
        return "SZ"
    if code.startswith(("43", "83", "87", "88", "92")):
        return "BJ"
    return None


def read_cn_names(path: str, data: bytes, ctx: ReadContext) -> Iterator[dict]:
    """Chinese short names: A-share code list (adata) or TWSE ISIN list (twstock)."""
    fmt = "cn-names"
    head = data[:512].decode("utf-8-sig", "replace").splitlines()[0] if data else ""
    if head.startswith("stock_code"):
        yield from _read_a_shares(fmt, path, data, ctx)
    else:
        yield from _read_twse(fmt, path, data, ctx)


def _read_a_shares(fmt: str, path: str, data: bytes, ctx: ReadContext) -> Iterator[dict]:
    for rec, row, rejected in _csv_rows(fmt, path, data, ["stock_code", "short_name"]):
        if rejected:
            yield rejected
            continue
        code = row["stock_code"].strip()
        suffix = a_share_suffix(code)
        name, _ = clean_cn_short_name(row["short_name"])
        if not (code.isdigit() and len(code) == 6 and suffix):
            yield _reject(fmt, path, rec.locator, f"invalid.ticker: {code!r}", rec.raw)
            continue
        if not name:
            yield _reject(fmt, path, rec.locator, "missing.name", rec.raw)
            continue
        ticker = f"{code}.{suffix}"
        yield {
            "source_format": fmt,
            "source_file": path,
            "locator": rec.locator,
            "role": "variant",
            "ticker": ticker,
            "listing_key": listing_key(ticker, "CN"),
            "name": name,
            **_names(ctx, "CN", [_variant(name, "zh-Hans", "short", fmt)]),
            "excerpt": rec.raw,
        }


def _read_twse(fmt: str, path: str, data: bytes, ctx: ReadContext) -> Iterator[dict]:
    for rec, row, rejected in _csv_rows(fmt, path, data, ["code", "name", "ISIN"]):
        if rejected:
            yield rejected
            continue
        code = row["code"].strip()
        name = clean_text(row["name"])
        try:
            if not code:
                raise Reject("missing.ticker")
            if not name:
                raise Reject("missing.name")
            isin = _isin(row["ISIN"])
        except Reject as exc:
            yield _reject(fmt, path, rec.locator, exc.reason, rec.raw)
            continue
        ticker = f"{code}.TW"
        yield {
            "source_format": fmt,
            "source_file": path,
            "locator": rec.locator,
            "role": "variant",
            "ticker": ticker,
            "listing_key": listing_key(ticker, "TW"),
            "isin": isin,
            "name": name,
            **_names(ctx, "TW", [_variant(name, "zh-Hant", "short", fmt)]),
            "excerpt": rec.raw,
        }


READERS: dict[str, Reader] = {
    "financedatabase": read_financedatabase,
    "sp500": read_sp500,
    "edinet": read_edinet,
    "jpx-names": read_jpx_names,
    "cn-names": read_cn_names,
}


def read_file(fmt: str, path: str, data: bytes, ctx: ReadContext) -> Iterator[dict]:
    """Records of one file; an unexpected error rejects the rest of the file, never the job."""
    reader = READERS[fmt]
    try:
        yield from reader(path, data, ctx)
    except Exception as exc:  # a reader bug must not lose the file silently or kill the job
        yield _reject(fmt, path, "file", f"reader_error: {type(exc).__name__}: {exc}", "")
