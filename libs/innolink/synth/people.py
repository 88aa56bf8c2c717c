"""Persistent inventors: people with a name and a home city who work for one firm and may move
to another city, another firm or another country at one date (docs/synthetic_world.md).

Every person is a function of (seed, firm index, entity, k): their own random stream, apart
from the patents' streams, so adding them changed no other draw of the world. A firm's roster
at a date is its own people who have not left by then plus the people who joined it from the
few firms whose movers may go there (a mover of firm i goes to firm i + 20m in the same
country, or i + 1 + 20m in another: the country cycle has period 20), so a patent finds its
inventors without a pass over the whole world.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import yaml

from innolink.synth.world import (
    COUNTRY_CYCLE,
    LEXICON,
    Scale,
    _poisson,
    firm_of,
    rng_of,
    weighted,
    world_of,
)

# entity of a patent key: the listed firm itself, a confusable unlisted firm, an institute
LISTED, HARD_NEGATIVE, INSTITUTE = 0, 1, 2

MOVER_SHARE = 0.3  # people of listed firms who move once
MOVE_KINDS = (("site", 0.45), ("firm", 0.40), ("abroad", 0.15))
MOVE_FIRST = date(2017, 1, 1)
MOVE_DAYS = (date(2022, 6, 30) - MOVE_FIRST).days
HOME_SHARE = 0.75  # people living in their firm's city (the rest: another city of the country)
CYCLE = len(COUNTRY_CYCLE)
OFFSETS = (1, 2, 3)


@lru_cache(maxsize=1)
def lexicon() -> dict:
    return yaml.safe_load((LEXICON / "inventors.yaml").read_text(encoding="utf-8"))["countries"]


def entity_counts(seed: int, scale: Scale, index: int) -> dict[int, int]:
    """Patents of a firm's listed entity, of its confusable namesake and of its institute."""
    firm = firm_of(seed, scale, index)
    urng = rng_of(seed, "unlisted", index)
    return {
        LISTED: firm["n_patents"],
        HARD_NEGATIVE: _poisson(urng, 3.0) + 1 if urng.random() < 0.10 else 0,
        INSTITUTE: _poisson(urng, 2.0) + 1 if urng.random() < 0.05 else 0,
    }


@dataclass(frozen=True)
class Move:
    kind: str  # site (same firm, another city), firm (same country), abroad
    when: date
    to_firm: int
    to_city: str
    to_region: str
    to_country: str


@dataclass(frozen=True)
class Person:
    key: str  # "I<firm index>-<entity>-<k>"
    firm: int
    entity: int
    given: str
    family: str
    middle: str | None
    given_local: str | None
    family_local: str | None
    country: str
    city: str
    region: str
    weight: float  # how often the person is on the firm's patents
    move: Move | None

    @property
    def first_name(self) -> str:
        return f"{self.given} {self.middle}." if self.middle else self.given

    def written(self, lang: str) -> str:
        """The name as a JPO / CNIPA publication writes it (local script when there is one)."""
        if lang == "ja" and self.family_local:
            return f"{self.family_local}\u3000{self.given_local}"
        if lang == "zh" and self.family_local:
            return f"{self.family_local}{self.given_local}"
        return f"{self.first_name} {self.family}"

    def harmonized(self) -> str:
        return f"{self.family} {self.given}".upper()

    def place(self, when: date) -> tuple[str, str, str]:
        """(city, region, country) at a date."""
        if self.move and when >= self.move.when:
            return self.move.to_city, self.move.to_region, self.move.to_country
        return self.city, self.region, self.country


def _pick(rng: random.Random, items: list):
    return items[rng.randrange(len(items))]


def _cities(world, country: str) -> list[tuple[str, str]]:
    own = [tuple(c) for c in world.lexicon.countries[country]["cities"]]
    extra = [tuple(c) for c in lexicon()[country].get("cities", [])]
    return own + [c for c in extra if c not in own]


def _name(rng: random.Random, country: str) -> tuple:
    """(given, family, middle initial, given local, family local)."""
    lex = lexicon()[country]
    if country == "CN":
        family = _pick(rng, lex["family"])
        first, second = _pick(rng, lex["given_first"]), _pick(rng, lex["given_second"])
        return first[0] + second[0], family[0], None, first[1] + second[1], family[1]
    given, family = _pick(rng, lex["given"]), _pick(rng, lex["family"])
    if isinstance(given, list):
        return given[0], family[0], None, given[1], family[1]
    middle = (
        chr(65 + rng.randrange(26)) if lex.get("middle_initials") and rng.random() < 0.6 else None
    )
    return given, family, middle, None, None


def _site_move(rng: random.Random, world, country: str, city: str) -> tuple[str, str]:
    """Another city of the country: CN by the planted transition weights, else uniform."""
    others = [c for c in _cities(world, country) if c[0] != city]
    weights = lexicon()[country].get("moves", {}).get(city, {})
    return weighted(rng, others, [weights.get(c[0], 1) for c in others])


@lru_cache(maxsize=1 << 16)
def persons_of(seed: int, scale: Scale, index: int, entity: int) -> tuple[Person, ...]:
    """The people of one filing entity of a firm: 1 + patents // 2 of them."""
    n = entity_counts(seed, scale, index)[entity]
    if n == 0:
        return ()
    world = world_of(seed, scale)
    firm = firm_of(seed, scale, index)
    country = firm["country"]
    cities = _cities(world, country)
    out = []
    for k in range(1 + n // 2):
        rng = rng_of(seed, "inventor", index, entity, k)
        given, family, middle, given_local, family_local = _name(rng, country)
        if rng.random() < HOME_SHARE:
            city, region = firm["city"], firm["region"]
        else:
            city, region = _pick(rng, cities)
        weight = min(rng.paretovariate(1.2), 20.0)
        move = None
        # Person 0 never leaves: every firm keeps someone to name on its patents.
        if entity == LISTED and rng.random() < MOVER_SHARE:
            when = MOVE_FIRST + timedelta(days=rng.randrange(MOVE_DAYS))
            kind = weighted(rng, *zip(*MOVE_KINDS, strict=True))
            m = _pick(rng, list(OFFSETS))
            if k == 0:
                kind = "site"
            move = _resolve(rng, seed, scale, index, kind, m, when, country, city)
        out.append(
            Person(
                f"I{index:06d}-{entity}-{k}",
                index,
                entity,
                given,
                family,
                middle,
                given_local,
                family_local,
                country,
                city,
                region,
                weight,
                move,
            )
        )
    return tuple(out)


def _resolve(rng, seed, scale, index, kind, m, when, country, city) -> Move:
    """The move's destination; a firm move with no fitting firm (a tiny world) is a site move."""
    world = world_of(seed, scale)
    n = scale.firms
    if kind == "firm":
        dest = (index + CYCLE * m) % n
        if dest == index or firm_of(seed, scale, dest)["country"] != country:
            kind = "site"
    elif kind == "abroad":
        dest = (index + 1 + CYCLE * (m - 1)) % n
        if dest == index or firm_of(seed, scale, dest)["country"] == country:
            kind = "site"
    if kind == "site":
        to_city, to_region = _site_move(rng, world, country, city)
        return Move("site", when, index, to_city, to_region, country)
    target = firm_of(seed, scale, dest)
    return Move(kind, when, dest, target["city"], target["region"], target["country"])


@lru_cache(maxsize=1 << 16)
def incoming_of(seed: int, scale: Scale, index: int) -> tuple[Person, ...]:
    """People of other firms who move to this firm (at their move's date)."""
    n = scale.firms
    sources = {(index - CYCLE * m) % n for m in OFFSETS} | {
        (index - 1 - CYCLE * (m - 1)) % n for m in OFFSETS
    }
    out = []
    for source in sorted(sources - {index}):
        for person in persons_of(seed, scale, source, LISTED):
            move = person.move
            if move and move.kind != "site" and move.to_firm == index:
                out.append(person)
    return tuple(out)


def roster(seed: int, scale: Scale, index: int, entity: int, when: date) -> list[Person]:
    """The entity's people at a date: its own who have not left, and those who have joined."""
    own = [
        p
        for p in persons_of(seed, scale, index, entity)
        if not (p.move and p.move.kind != "site" and when >= p.move.when)
    ]
    if entity != LISTED:
        return own
    joined = [p for p in incoming_of(seed, scale, index) if when >= p.move.when]
    return own + joined


def inventors_for(
    seed: int, scale: Scale, index: int, entity: int, j: int, when: date, n: int
) -> list[Person]:
    """Up to n distinct people of the roster at `when`, drawn by weight, in their order on the
    patent."""
    people = roster(seed, scale, index, entity, when)
    rng = rng_of(seed, "inventor", index, entity, j, "pick")
    chosen: list[Person] = []
    while people and len(chosen) < n:
        person = weighted(rng, people, [p.weight for p in people])
        chosen.append(person)
        people = [p for p in people if p is not person]
    return chosen


def moves_of(seed: int, scale: Scale, index: int) -> list[dict]:
    """Truth rows of the planted moves of a firm's people."""
    firm = firm_of(seed, scale, index)
    rows = []
    for p in persons_of(seed, scale, index, LISTED):
        if p.move is None:
            continue
        target = firm_of(seed, scale, p.move.to_firm)
        rows.append(
            {
                "inventor_key": p.key,
                "name": f"{p.first_name} {p.family}",
                "kind": p.move.kind,
                "move_date": p.move.when,
                "from_firm_key": firm["key"],
                "to_firm_key": target["key"],
                "from_city": p.city,
                "to_city": p.move.to_city,
                "from_country": p.country,
                "to_country": p.move.to_country,
            }
        )
    return rows
