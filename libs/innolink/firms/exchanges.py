"""Exchanges by their ISO 10383 Market Identifier Code, from the `iso10383` package (offline).

Every listing carries the MIC of its market in the input (financedatabase's `mic` column) or
by the nature of its source (EDINET securities codes are Tokyo listings). The ISO table gives
the market's name, its operating MIC and its country, so any exchange of the world works
without configuration; `stages.firms.exchanges` only overrides (a source code without a MIC,
a MIC the source gets wrong).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache


class UnknownExchange(ValueError):
    pass


@dataclass(frozen=True)
class Exchange:
    code: str  # the source's exchange code ("GER"), or the MIC when the source has none
    mic: str | None  # the market (segment) MIC
    operating_mic: str | None  # the exchange operating that market (XTKS -> XJPX)
    name: str | None
    country: str  # ISO 3166-1 alpha-2 of the market: the listing country
    city: str | None = None


@lru_cache(maxsize=1)
def iso10383_table() -> dict[str, dict[str, str | None]]:
    """MIC -> {name, operating_mic, country, city, status} for every MIC of ISO 10383."""
    from iso10383 import MIC

    table: dict[str, dict[str, str | None]] = {}
    for member in MIC:
        entry = member.value
        country = (
            entry.iso_country_code.name.rstrip("_").upper() if entry.iso_country_code else None
        )
        table[entry.mic] = {
            "name": entry.market_name,
            "operating_mic": entry.operating_mic.mic if entry.operating_mic else entry.mic,
            # ZZ: ISO 10383's code for markets of no single country (e.g. pan-European MTFs).
            "country": None if country in (None, "ZZ") else country,
            "city": entry.city.value.name if entry.city else None,
            "status": entry.status.name,
        }
    return table


class ExchangeResolver:
    """(source exchange code, MIC) -> Exchange: overrides first, then ISO 10383.

    overrides: {code or MIC: {country, mic, name}}, every field optional (conf's
    `stages.firms.exchanges`). fallback: what a reader knows of its own source when neither
    the overrides nor the MIC say it (the S&P 500 list: US, exchange not stated).
    """

    def __init__(self, overrides: Mapping[str, Mapping[str, str | None]] | None = None):
        self.overrides = {k: dict(v) for k, v in (overrides or {}).items()}

    def resolve(
        self,
        code: str | None,
        mic: str | None,
        fallback: Mapping[str, str | None] | None = None,
    ) -> Exchange:
        code = (code or "").strip() or None
        mic = (mic or "").strip().upper() or None
        override = self.overrides.get(code or "") or self.overrides.get(mic or "") or {}
        mic = override.get("mic") or mic
        iso = iso10383_table().get(mic or "")
        fallback = fallback or {}
        country = override.get("country") or (iso or {}).get("country") or fallback.get("country")
        if not country:
            raise UnknownExchange(
                f"unknown.exchange: {code!r} with MIC {mic!r} (not in ISO 10383; "
                "declare it in stages.firms.exchanges)"
            )
        return Exchange(
            code=code or mic or "",
            mic=mic,
            operating_mic=(iso or {}).get("operating_mic"),
            name=override.get("name") or (iso or {}).get("name") or fallback.get("name"),
            country=country,
            city=(iso or {}).get("city"),
        )
