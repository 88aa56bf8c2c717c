"""Non-patent literature the synthetic world's patents cite: journal articles, conference
papers and preprints (scientific), search reports, product literature, standards and books
(not), written the way real front pages write them (docs/synthetic_world.md).

A patent's references are a function of (seed, its key, "npl"): their own random stream,
apart from the patent's, so adding them changed no other draw. How many a patent cites and
how many of those are scientific depends on its technology sector (lexicon/npl.yaml) and on
its firm's science orientation (by firm type, with a firm-level factor).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

import yaml

from innolink.synth.world import LEXICON, _poisson, rng_of

# Firm types' science orientation (multiplies the sector's mean number of references).
TYPE_FACTOR = {"startup": 1.6, "incumbent": 0.8, "multinational": 1.2, None: 0.6}
# journal_bare (an article cited by journal name and year only) and magazine (a trade
# magazine's article with volume and pages) are written as real front pages write them and
# are hard to tell apart by their form: the classifier misses the first, takes the second
# for science.
SCIENTIFIC = (
    "journal",
    "journal_abbrev",
    "vancouver",
    "doi",
    "conference",
    "preprint",
    "journal_bare",
)
NOT_SCIENTIFIC = (
    "search_report",
    "office_action",
    "catalog",
    "web",
    "standard",
    "book",
    "magazine",
)
MAGAZINES = (
    "Electronics Weekly",
    "Machine Design",
    "Plastics Technology",
    "EE Times",
    "Control Engineering",
)


@dataclass(frozen=True)
class Reference:
    kind: str
    text: str

    @property
    def scientific(self) -> bool:
        return self.kind in SCIENTIFIC


@lru_cache(maxsize=1)
def lexicon() -> dict:
    return yaml.safe_load((LEXICON / "npl.yaml").read_text(encoding="utf-8"))


def firm_factor(seed: int, index: int, firm_type: str | None) -> float:
    """A firm's science orientation: its type's factor times a firm-level lognormal draw."""
    return TYPE_FACTOR[firm_type] * rng_of(seed, "npl", index).lognormvariate(0.0, 0.5)


def _authors(rng: random.Random, family: list) -> str:
    name = rng.choice(family)
    name = name[0] if isinstance(name, list) else name
    initial = chr(65 + rng.randrange(26))
    return rng.choice(
        (f"{initial}. {name} et al.", f"{name}, {initial}., et al.", f"{name} {initial}")
    )


def _title(rng: random.Random, terms: list) -> str:
    a, b = rng.sample(terms, 2) if len(terms) >= 2 else (terms[0], terms[0])
    return rng.choice(
        (
            f"{a[0][:1].upper()}{a[0][1:]} based on {b[0]}",
            f"A novel {a[0]} for improved {b[0]} performance",
            f"Characterization of {a[0]} and {b[0]}",
            f"Design and analysis of {a[0]}",
            f"High-efficiency {a[0]} using {b[0]}",
        )
    )


def _scientific(rng, kind, sector, terms, family, lang) -> str:
    journal, abbrev = rng.choice(sector["journals"])
    year = rng.randint(1998, 2020)
    vol, issue = rng.randint(5, 140), rng.randint(1, 12)
    first = rng.randint(10, 3000)
    last = first + rng.randint(3, 15)
    authors, title = _authors(rng, family), _title(rng, terms)
    if lang == "ja" and rng.random() < 0.5:
        name = rng.choice(family)
        local = name[1] if isinstance(name, list) else name
        return (
            f"{local}ほか、「{terms[0][1]}の{rng.choice(('高性能化', '特性評価', '設計'))}」、"
            f"{rng.choice(lexicon()['journals_ja'])}、{year}年、第{vol}巻、第{issue}号、"
            f"{first}－{last}頁"
        )
    if lang == "zh" and rng.random() < 0.5:
        name = rng.choice(family)
        local = name[1] if isinstance(name, list) else name
        return (
            f"{local}等. {terms[0][2]}{rng.choice(('研究进展', '性能研究', '设计与实现'))}[J]. "
            f"{rng.choice(lexicon()['journals_zh'])}, {year}, {vol}({issue}): {first}-{last}."
        )
    if kind == "journal":
        return (
            f'{authors}, "{title}", {journal}, vol. {vol}, No. {issue}, pp. {first}-{last}, {year}.'
        )
    if kind == "journal_abbrev":
        return f"{authors}, {title}, {abbrev}, {vol}, {first}-{last} ({year})."
    if kind == "vancouver":
        return (
            f"{authors}. {title}. {abbrev.replace('.', '')} {year};{vol}({issue}):{first}-{last}."
        )
    if kind == "doi":
        return (
            f'{authors}, "{title}", {journal} {vol} ({year}) {first}-{last}, '
            f"doi:10.{rng.randint(1000, 9999)}/{abbrev.split('.')[0].lower()}.{year}.{rng.randrange(10**5):05d}."
        )
    if kind == "journal_bare":
        return f"{authors}, {title}, {journal.split(' of ')[-1].title()} ({year})."
    if kind == "conference":
        n = rng.randint(5, 45)
        suffix = (
            "th"
            if n % 10 > 3 or n % 10 == 0 or 10 < n % 100 < 14
            else ("st", "nd", "rd")[n % 10 - 1]
        )
        return (
            f'{authors}, "{title}", Proceedings of the {n}{suffix} '
            f"{rng.choice(sector['conferences'])}, {year}, pp. {first}-{last}."
        )
    return f'{authors}, "{title}", arXiv:{year % 100:02d}{rng.randint(1, 12):02d}.{rng.randrange(10**5):05d}, {year}.'


def _other(rng, kind, firm_name, office, terms, family, lang) -> str:
    year = rng.randint(2005, 2021)
    month = rng.choice(("Jan.", "Mar.", "May", "Jul.", "Sep.", "Nov."))
    if kind == "search_report":
        return rng.choice(
            (
                f"International Search Report and Written Opinion for PCT/{office}{year}/{rng.randrange(10**6):06d} "
                f"dated {month} {rng.randint(1, 28)}, {year + 1}.",
                f"Extended European Search Report dated {month} {rng.randint(1, 28)}, {year}, "
                f"for EP Application No. {rng.randint(10, 21)}{rng.randrange(10**6):06d}.{rng.randrange(10)}.",
            )
        )
    if kind == "office_action":
        return (
            f"Office Action dated {month} {rng.randint(1, 28)}, {year}, in Chinese Application No. "
            f"{year}{rng.randrange(10**8):08d}.{rng.randrange(10)}."
        )
    if kind == "catalog":
        if lang == "ja":
            return f"{firm_name} 製品カタログ、{year}年、{rng.randint(4, 60)}頁"
        if lang == "zh":
            return f"{firm_name}产品手册, {year}年"
        return f"{firm_name}, Product Catalog {year}, {rng.randint(4, 60)} pages."
    if kind == "web":
        slug = terms[0][0].replace(" ", "-")
        return (
            f'"{terms[0][0].title()} overview", retrieved from https://www.example-{slug}.com/products/{slug} '
            f"on {month} {rng.randint(1, 28)}, {year}."
        )
    if kind == "magazine":
        first = rng.randint(10, 90)
        return (
            f'"{terms[0][0].title()} goes mainstream", {rng.choice(MAGAZINES)}, vol. {rng.randint(5, 60)}, '
            f"pp. {first}-{first + rng.randint(1, 4)}, {month} {year}."
        )
    if kind == "standard":
        return rng.choice(
            (
                f"3GPP TS 38.{rng.randint(101, 331)} V{rng.randint(15, 17)}.{rng.randint(0, 9)}.0, {year}.",
                f"IEEE Std 802.{rng.choice((3, 11, 15))}-{year}.",
                f"ISO/IEC {rng.randint(10000, 29999)}:{year}.",
            )
        )
    name = rng.choice(family)
    name = name[0] if isinstance(name, list) else name
    edition = rng.randint(2, 6)
    suffix = {2: "nd", 3: "rd"}.get(edition, "th")
    return (
        f"{name}, Handbook of {terms[0][0].title()}, {edition}{suffix} Edition, "
        f"{rng.choice(lexicon()['publishers'])}, {year}, pp. {rng.randint(10, 400)}-{rng.randint(401, 800)}."
    )


def references(
    seed: int,
    key: tuple,
    sector_name: str,
    terms: list,
    family: list,
    firm_name: str,
    office: str,
    lang: str,
    factor: float,
) -> list[Reference]:
    """The NPL references of one patent (key: its patent key)."""
    sector = lexicon()["sectors"][sector_name]
    rng = rng_of(seed, "npl", *key)
    n = _poisson(rng, sector["mean"] * factor)
    out = []
    for _ in range(n):
        if rng.random() < sector["science"]:
            kind = rng.choice(SCIENTIFIC)
            text = _scientific(rng, kind, sector, terms, family, lang)
        else:
            kind = rng.choice(NOT_SCIENTIFIC)
            text = _other(rng, kind, firm_name, office, terms, family, lang)
        out.append(Reference(kind, text))
    return out
