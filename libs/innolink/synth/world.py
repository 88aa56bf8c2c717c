"""The synthetic world: topics, the planted technology -> product linkage, and its firms.

Everything here is a pure function of (seed, scale) and of record keys: a firm is a function
of (seed, its global index), a patent of (seed, firm index, patent index), so the world does
not depend on how Spark partitions the work, and the same seed always gives the same world.

What is planted (docs/synthetic_world.md says how to check it):
- Technology topics: the 35 WIPO technology fields; product topics: lexicon/products.yaml.
- A (35 x P): technology -> product. Row t spreads over the products its field links to
  (lexicon/products.yaml `links`) with Dirichlet weights drawn once per seed.
- Groups: country x firm type (6 x 3). Each group g has a linkage strength lambda_g, a
  seeded permutation of the ladder 0.10, 0.15, ..., 0.95: distinct, 0.05 apart at least.
- A firm f of group g: technology mixture theta_t (sparse Dirichlet over 1-3 fields),
  random product mixture eps (1-2 products), product mixture
  theta_p = lambda_g * (theta_t A) + (1 - lambda_g) * eps.
  Its patents draw their field from theta_t, its web pages their products from theta_p.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property, lru_cache
from pathlib import Path

import yaml

LEXICON = Path(__file__).with_name("lexicon")

COUNTRIES = ("JP", "US", "CN", "DE", "KR", "IN")
FIRM_TYPES = ("startup", "incumbent", "multinational")
# A firm's country comes from its index through this cycle (25% JP, 25% US, 20% CN, 10%
# DE, KR, IN each), so every country's firms are numbered 0, 1, 2... without a global pass.
COUNTRY_CYCLE = (
    "JP", "US", "CN", "DE", "JP", "US", "CN", "KR", "JP", "US",
    "CN", "IN", "JP", "US", "CN", "DE", "JP", "US", "KR", "IN",
)  # fmt: skip
TYPE_PROBS = {"startup": 0.25, "incumbent": 0.5, "multinational": 0.25}
CAPS = ("Nano Cap", "Micro Cap", "Small Cap", "Mid Cap", "Large Cap", "Mega Cap")
CAP_PROBS = {
    "startup": (0.05, 0.35, 0.35, 0.2, 0.05, 0.0),
    "incumbent": (0.05, 0.2, 0.35, 0.25, 0.15, 0.0),
    "multinational": (0.0, 0.0, 0.0, 0.0, 0.7, 0.3),
}
# Relative patent output by size class.
CAP_PATENT_WEIGHT = dict(zip(CAPS, (0.3, 0.5, 1.0, 2.0, 5.0, 12.0), strict=True))
SHARE_WITHOUT_PATENTS = 0.15
SHARE_WITHOUT_WEBSITE = 0.03
LAMBDA_LADDER = tuple(round(0.10 + 0.05 * i, 2) for i in range(18))
REFERENCE_YEAR = 2024
# Patent offices a firm files with, by country: (office, share).
OFFICES = {
    "JP": (("JP", 0.7), ("US", 0.3)),
    "CN": (("CN", 0.75), ("US", 0.25)),
    "US": (("US", 1.0),),
    "DE": (("US", 1.0),),
    "KR": (("US", 1.0),),
    "IN": (("US", 1.0),),
}
FIRST_GRANT_TUESDAY = date(2021, 1, 5)
GRANT_WEEKS = 156  # 2021-2023


@dataclass(frozen=True)
class Scale:
    name: str
    firms: int
    patents: int  # expected; drawn per firm
    pages: int  # expected; drawn per firm
    blocks: int  # Spark partitions of the firm list


SCALES = {
    "demo": Scale("demo", 200, 2_000, 2_000, 4),
    "M": Scale("M", 10_000, 200_000, 200_000, 32),
    "L": Scale("L", 60_000, 1_000_000, 1_000_000, 96),
}


def scale_of(name: str, firms: int | None = None) -> Scale:
    """A named scale; --firms N keeps its patents and pages per firm."""
    base = SCALES[name]
    if firms is None or firms == base.firms:
        return base
    ratio = firms / base.firms
    blocks = max(1, min(base.blocks, math.ceil(firms / 200)))
    return Scale(
        f"{name}:{firms}",
        firms,
        round(base.patents * ratio),
        round(base.pages * ratio),
        blocks,
    )


def seed_of(*parts: object) -> int:
    """A 64-bit seed from the world seed and a record's key, stable across runs and hosts."""
    digest = hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def rng_of(*parts: object) -> random.Random:
    return random.Random(seed_of(*parts))


def dirichlet(rng: random.Random, alphas: list[float]) -> list[float]:
    draws = [rng.gammavariate(a, 1.0) for a in alphas]
    total = sum(draws) or 1.0
    return [d / total for d in draws]


def weighted(rng: random.Random, items, weights):
    return rng.choices(items, weights=weights, k=1)[0]


def _load(name: str) -> dict:
    return yaml.safe_load((LEXICON / name).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class TechField:
    number: int
    name: str
    sector: str
    ipc: tuple[str, ...]
    terms: tuple[tuple[str, str, str], ...]  # (en, ja, zh)
    derived: tuple[str, ...]


@dataclass(frozen=True)
class Product:
    id: str
    name: tuple[str, str, str]
    sector: str
    group: str
    keywords: tuple[tuple[str, str, str], ...]


@dataclass
class Lexicon:
    fields: dict[int, TechField]
    products: dict[str, Product]
    links: dict[int, tuple[str, ...]]
    countries: dict[str, dict]
    sector_words: dict[str, list]
    institutes: dict[str, list]


def load_lexicon() -> Lexicon:
    tech, derived, prod, names = (
        _load("tech.yaml"),
        _load("tech_derived.yaml"),
        _load("products.yaml"),
        _load("names.yaml"),
    )
    fields = {}
    for number, info in derived["fields"].items():
        number = int(number)
        fields[number] = TechField(
            number,
            info["name"],
            info["sector"],
            tuple(info["ipc"]),
            tuple(tuple(t) for t in tech["fields"][number]),
            tuple(info["derived_terms"]),
        )
    products = {
        pid: Product(
            pid,
            tuple(p["name"]),
            p["sector"],
            p["group"],
            tuple(tuple(k) for k in p["keywords"]),
        )
        for pid, p in prod["products"].items()
    }
    links = {int(k): tuple(v) for k, v in prod["links"].items()}
    return Lexicon(
        fields, products, links, names["countries"], names["sector_words"], names["institutes"]
    )


# ---------------------------------------------------------------------------------------
# IPC codes of a field
# ---------------------------------------------------------------------------------------


_IPC_INDEX: list[tuple[dict, dict[str, list[tuple[str, int]]]]] = []


def _ipc_index(fields: dict[int, TechField]) -> dict[str, list[tuple[str, int]]]:
    """subclass -> [(main group or "", field)] of the concordance's patterns, built once."""
    for known, index in _IPC_INDEX:
        if known is fields:
            return index
    index: dict[str, list[tuple[str, int]]] = {}
    for number, f in fields.items():
        for pattern in f.ipc:
            psub, _, pgroup = pattern.partition(" ")
            index.setdefault(psub, []).append((pgroup.rstrip("/"), number))
    _IPC_INDEX.append((fields, index))
    return index


def field_of_ipc(code: str, fields: dict[int, TechField]) -> int | None:
    """Field of "H04N 5/225" under WIPO's concordance: a group pattern beats a subclass one."""
    subclass, _, rest = code.partition(" ")
    group = rest.split("/")[0]
    best: tuple[int, int] | None = None
    for pgroup, number in _ipc_index(fields).get(subclass, ()):
        if pgroup and pgroup != group:
            continue
        rank = 1 if pgroup else 0
        if best is None or rank > best[0]:
            best = (rank, number)
    return best[1] if best else None


def ipc_for_field(rng: random.Random, number: int, fields: dict[int, TechField]) -> str:
    """A real-shaped IPC code ("H01M 10/0525") that maps back to `number`."""
    f = fields[number]
    for _ in range(50):
        pattern = rng.choice(f.ipc)
        subclass, _, group = pattern.partition(" ")
        group = group.rstrip("/") or str(rng.choice((1, 3, 5, 7, 9, 10, 11, 13, 15, 21, 27, 33)))
        subgroup = rng.choice(("00", "02", "04", "06", "08", "10", "12", "14", "16", "20", "22"))
        code = f"{subclass} {int(group)}/{subgroup}"
        if field_of_ipc(code, fields) == number:
            return code
    raise ValueError(f"no IPC code found for field {number}")


# ---------------------------------------------------------------------------------------
# The world
# ---------------------------------------------------------------------------------------


@dataclass
class World:
    seed: int
    scale: Scale
    lexicon: Lexicon = field(default_factory=load_lexicon, repr=False)

    @cached_property
    def product_ids(self) -> list[str]:
        return sorted(self.lexicon.products)

    @cached_property
    def field_numbers(self) -> list[int]:
        return sorted(self.lexicon.fields)

    @cached_property
    def topic_matrix(self) -> dict[int, dict[str, float]]:
        """A: technology field -> {product: weight}, rows summing to 1."""
        out = {}
        for number in self.field_numbers:
            links = self.lexicon.links[number]
            weights = dirichlet(rng_of(self.seed, "A", number), [2.0] * len(links))
            out[number] = {p: round(w, 6) for p, w in zip(links, weights, strict=True)}
            # rounding must not break the row sum
            first = links[0]
            out[number][first] = round(
                1.0 - sum(v for k, v in out[number].items() if k != first), 6
            )
        return out

    @cached_property
    def group_lambda(self) -> dict[tuple[str, str], float]:
        groups = [(c, t) for c in COUNTRIES for t in FIRM_TYPES]
        ladder = list(LAMBDA_LADDER)
        rng_of(self.seed, "groups").shuffle(ladder)
        return dict(zip(groups, ladder, strict=True))

    @cached_property
    def expected_patent_weight(self) -> float:
        total = 0.0
        for ftype, p_type in TYPE_PROBS.items():
            for cap, p_cap in zip(CAPS, CAP_PROBS[ftype], strict=True):
                total += p_type * p_cap * CAP_PATENT_WEIGHT[cap]
        return total * (1 - SHARE_WITHOUT_PATENTS)

    def block_range(self, block: int) -> range:
        n, b = self.scale.firms, self.scale.blocks
        return range(block * n // b, (block + 1) * n // b)

    def firms_of_block(self, block: int) -> list[dict]:
        return [self.firm(i) for i in self.block_range(block)]

    # -- one firm ---------------------------------------------------------------------

    def firm(self, index: int) -> dict:
        rng = rng_of(self.seed, "firm", index)
        lex = self.lexicon
        country = COUNTRY_CYCLE[index % len(COUNTRY_CYCLE)]
        cycle_pos = COUNTRY_CYCLE[: index % len(COUNTRY_CYCLE)].count(country)
        ci = (index // len(COUNTRY_CYCLE)) * COUNTRY_CYCLE.count(country) + cycle_pos
        cinfo = lex.countries[country]
        ftype = weighted(rng, FIRM_TYPES, [TYPE_PROBS[t] for t in FIRM_TYPES])
        cap = weighted(rng, CAPS, CAP_PROBS[ftype])
        lam = self.group_lambda[(country, ftype)]

        n_topics = weighted(rng, (1, 2, 3), (0.45, 0.4, 0.15))
        topics = rng.sample(self.field_numbers, n_topics)
        theta_t = dict(zip(topics, dirichlet(rng, [1.0] * n_topics), strict=True))
        n_noise = weighted(rng, (1, 2), (0.6, 0.4))
        noise = rng.sample(self.product_ids, n_noise)
        eps = dict(zip(noise, dirichlet(rng, [1.0] * n_noise), strict=True))
        theta_p: dict[str, float] = {}
        for t, wt in theta_t.items():
            for p, a in self.topic_matrix[t].items():
                theta_p[p] = theta_p.get(p, 0.0) + lam * wt * a
        for p, we in eps.items():
            theta_p[p] = theta_p.get(p, 0.0) + (1 - lam) * we
        theta_p = {p: round(w, 6) for p, w in sorted(theta_p.items()) if w >= 5e-7}
        theta_t = {t: round(w, 6) for t, w in sorted(theta_t.items())}
        main_product = max(sorted(theta_p), key=lambda p: theta_p[p])
        product = lex.products[main_product]

        names = firm_names(country, ci, product.sector, cinfo, lex.sector_words, rng)
        exchange = _exchange(cinfo, ci)
        ticker = _ticker(country, exchange, ci)
        isin = _isin(cinfo["isin_prefix"], self.seed, index) if rng.random() < 0.85 else None
        city, region = rng.choice(cinfo["cities"])
        if ftype == "startup":
            founded = rng.randint(REFERENCE_YEAR - 10, REFERENCE_YEAR - 1)
        elif ftype == "multinational":
            founded = rng.randint(1890, 2005)
        else:
            founded = rng.randint(1920, REFERENCE_YEAR - 12) if rng.random() < 0.95 else None
        has_patents = rng.random() >= SHARE_WITHOUT_PATENTS
        mean_patents = (
            (self.scale.patents / self.scale.firms)
            * CAP_PATENT_WEIGHT[cap]
            / self.expected_patent_weight
        )
        n_patents = _poisson(rng, mean_patents) if has_patents else 0
        has_site = rng.random() >= SHARE_WITHOUT_WEBSITE
        domain = f"{_slug(names['stem_en'] + ' ' + names['word_en'])}.{cinfo['tld']}"
        return {
            "index": index,
            "key": f"S{index:06d}",
            "country": country,
            "country_index": ci,
            "firm_type": ftype,
            "lambda": lam,
            "market_cap": cap,
            "exchange": exchange["code"],
            "mic": exchange["mic"],
            "market": exchange["market"],
            "ticker": ticker,
            "isin": isin,
            "founded": founded,
            "city": city,
            "region": region,
            "sector": product.sector,
            "industry_group": product.group,
            "main_product": main_product,
            "theta_t": theta_t,
            "theta_p": theta_p,
            "n_patents": n_patents,
            "website": f"https://www.{domain}" if has_site else None,
            "domain": domain if has_site else None,
            "mean_pages": self.scale.pages / self.scale.firms / (1 - SHARE_WITHOUT_WEBSITE),
            **names,
        }


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 50:  # normal approximation, keeps large firms cheap to draw
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _exchange(cinfo: dict, ci: int) -> dict:
    exchanges = cinfo["exchanges"]
    slots = [e for e in exchanges for _ in range(e["weight"])]
    return slots[ci % len(slots)]


def _letters(n: int, width: int) -> str:
    out = []
    for _ in range(width):
        n, r = divmod(n, 26)
        out.append(chr(65 + r))
    return "".join(reversed(out))


def _ticker(country: str, exchange: dict, ci: int) -> str:
    """Unique per country: derived from the firm's index within its country."""
    if country == "JP":
        code = (
            str(1300 + ci)
            if ci < 8600
            else f"{130 + (ci - 8600) // 26}{chr(65 + (ci - 8600) % 26)}"
        )
        return f"{code}.T"
    if country == "CN":
        si = ci // 2  # SHH and SHZ alternate
        if exchange["code"] == "SHH":
            code = f"60{si:04d}" if si < 10000 else f"68{si - 10000:04d}"
        else:
            code = f"00{si + 1:04d}" if si < 9999 else f"30{si - 9999:04d}"
        return f"{code}.{exchange['suffix']}"
    if country == "US":
        return _letters(ci + 26**3, 4)
    if country == "DE":
        return f"{_letters(ci + 26**2, 3 if ci < 26**3 - 26**2 else 4)}.DE"
    if country == "KR":
        return f"{(ci + 1) * 10:06d}.KS"
    return f"{_letters(ci + 26**4, 5)}.NS"


def _isin(prefix: str, seed: int, index: int) -> str:
    body = f"{prefix}{seed_of(seed, 'isin', index) % 10**9:09d}"
    digits = "".join(str(int(ch, 36)) for ch in body)
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return f"{body}{(10 - total % 10) % 10}"


def firm_names(
    country: str, ci: int, sector: str, cinfo: dict, sector_words: dict, rng: random.Random
) -> dict:
    """The firm's names: English (listing), local script, and the parts variants are built from.

    The stem comes from the firm's index within its country through a bijection, so two
    listed firms of one country never share stem and sector word."""
    a, q = cinfo["parts_a"], cinfo["qualifiers"]
    if country == "CN":
        stems = len(a) * (len(a) - 1) * len(q)
    else:
        stems = len(a) * len(cinfo["parts_b"]) * len(q)
    words = sector_words[sector]
    # firms sharing a stem (index ci + k * stems) get different words for k < len(words)
    word = words[(ci // stems + ci % stems) % len(words)]
    legal = rng.choice(cinfo["legal"])
    if country == "CN":
        n_pairs = len(a) * (len(a) - 1)
        pair = ci % n_pairs
        first, second = a[pair // (len(a) - 1)], None
        rest = [x for x in a if x != first]
        second = rest[pair % (len(a) - 1)]
        qual = q[(ci // n_pairs) % len(q)]
        stem_en = f"{qual[0]}{first[0]}{second[0].lower()}"
        stem_local = f"{qual[1]}{first[1]}{second[1]}"
        short = f"{first[1]}{second[1]}{word[2]}"
        local_legal = "股份有限公司" if "Group" not in legal else "集团股份有限公司"
        local = f"{stem_local}{word[2]}{local_legal}"
        word_en, word_local = word[0], word[2]
    elif country == "JP":
        b = cinfo["parts_b"]
        part_a, part_b = a[ci % len(a)], b[(ci // len(a)) % len(b)]
        qual = q[(ci // (len(a) * len(b))) % len(q)]
        stem_en = f"{qual[0]}{part_a[0]}{part_b[0]}"
        stem_local = f"{qual[1]}{part_a[1]}{part_b[1]}"
        word_en, word_local = word[0], word[1]
        short = f"{stem_local}{word_local}"
        local = f"株式会社{short}" if rng.random() < 0.6 else f"{short}株式会社"
    else:
        b = cinfo["parts_b"]
        part_a, part_b = a[ci % len(a)], b[(ci // len(a)) % len(b)]
        qual = q[(ci // (len(a) * len(b))) % len(q)]
        stem_en = f"{qual}{part_a}{part_b}"
        stem_local, word_en, word_local = stem_en, word[0], word[0]
        short, local = f"{stem_en} {word_en}", None
    name_en = f"{stem_en} {word_en} {legal}".replace(" ,", ",")
    if legal.startswith(","):
        name_en = f"{stem_en} {word_en}{legal}"
    return {
        "name": name_en,
        "name_local": local,
        "short_local": short if country in ("JP", "CN") else None,
        "stem_en": stem_en,
        "stem_local": stem_local,
        "word_en": word_en,
        "word_local": word_local,
        "legal": legal,
    }


def grant_tuesday(week: int) -> date:
    return FIRST_GRANT_TUESDAY + timedelta(weeks=week)


@lru_cache(maxsize=4)
def world_of(seed: int, scale: Scale) -> World:
    return World(seed, scale)


@lru_cache(maxsize=1 << 16)  # every firm of an L world (~2 KB each) fits
def firm_of(seed: int, scale: Scale, index: int) -> dict:
    return world_of(seed, scale).firm(index)
