"""The synthetic world's model and text, without Spark: determinism, planted values, names."""

from __future__ import annotations

import random
import re

import pytest
from innolink.normalize import isin_valid, normalize_name
from innolink.synth import text
from innolink.synth.world import (
    COUNTRIES,
    FIRM_TYPES,
    LAMBDA_LADDER,
    SCALES,
    World,
    field_of_ipc,
    ipc_for_field,
    load_lexicon,
    scale_of,
)


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


def test_lexicon_covers_every_wipo_field_and_product(lexicon):
    # 35 WIPO technology fields, each with a curated en/ja/zh lexicon and its IPC patterns
    assert sorted(lexicon.fields) == list(range(1, 36))
    for f in lexicon.fields.values():
        assert len(f.terms) >= 6 and all(len(t) == 3 and all(t) for t in f.terms), f.number
        assert f.ipc, f.number
    # every field links to products that exist, and every product is reachable
    assert set(lexicon.links) == set(lexicon.fields)
    linked = {p for ps in lexicon.links.values() for p in ps}
    assert linked == set(lexicon.products)


def test_generated_ipc_codes_map_back_to_their_field(lexicon):
    rng = random.Random(3)
    for number in lexicon.fields:
        for _ in range(20):
            code = ipc_for_field(rng, number, lexicon.fields)
            assert re.fullmatch(r"[A-H]\d\d[A-Z] \d+/\d{2}", code)
            assert field_of_ipc(code, lexicon.fields) == number
    # a group pattern beats its subclass: A61K 8/ is organic fine chemistry (14), the rest of
    # A61K pharmaceuticals (16)
    assert field_of_ipc("A61K 8/02", lexicon.fields) == 14
    assert field_of_ipc("A61K 31/00", lexicon.fields) == 16


def test_same_seed_same_firm_other_seed_other_firm():
    a, b, c = World(5, SCALES["demo"]), World(5, SCALES["demo"]), World(6, SCALES["demo"])
    assert [a.firm(i) for i in range(30)] == [b.firm(i) for i in range(30)]
    assert [a.firm(i)["theta_t"] for i in range(30)] != [c.firm(i)["theta_t"] for i in range(30)]


def test_planted_linkage_strengths_are_the_ladder():
    world = World(5, SCALES["demo"])
    lam = world.group_lambda
    assert set(lam) == {(c, t) for c in COUNTRIES for t in FIRM_TYPES}
    # 18 groups, 18 distinct strengths 0.10 ... 0.95, at least 0.05 apart
    assert sorted(lam.values()) == list(LAMBDA_LADDER)
    assert len(LAMBDA_LADDER) == 18 and LAMBDA_LADDER[0] == 0.1 and LAMBDA_LADDER[-1] == 0.95
    assert World(6, SCALES["demo"]).group_lambda != lam


def test_firm_mixtures_follow_the_model():
    world = World(5, SCALES["demo"])
    for i in range(60):
        f = world.firm(i)
        assert sum(f["theta_t"].values()) == pytest.approx(1, abs=1e-5)
        assert sum(f["theta_p"].values()) == pytest.approx(1, abs=1e-4)
        assert f["lambda"] == world.group_lambda[(f["country"], f["firm_type"])]
        # the products implied by the technologies carry at least lambda of the mass
        implied = {p for t in f["theta_t"] for p in world.topic_matrix[t]}
        assert sum(w for p, w in f["theta_p"].items() if p in implied) >= f["lambda"] - 1e-4


def test_firm_type_is_recoverable_from_the_listing():
    """startup: founded within 10 years of 2024; multinational: large and abroad; the
    firms stage's rules (conf/base.yaml) give the planted type back from the CSV row."""
    from innolink.synth.generate import summary

    world = World(5, SCALES["demo"])
    abroad = re.compile(
        r"(?i)\binternationally\b|\bworld-?wide\b|\bglobally\b|\boverseas\b|"
        r"\b(?:[2-9]|[1-9][0-9]+) countries\b|"
        r"\b(?:Europe|Asia|the Americas|North America)\b.*\b(?:Europe|Asia|the Americas|North America)\b"
    )
    founded = re.compile(r"\b(?:founded|incorporated|established) in (\d{4})\b")
    for i in range(200):
        f = world.firm(i)
        s = summary(world, f)
        year = founded.search(s)
        if year and 2024 - int(year.group(1)) <= 10:
            recovered = "startup"
        elif abroad.search(s) and f["market_cap"] in ("Large Cap", "Mega Cap"):
            recovered = "multinational"
        else:
            recovered = "incumbent"
        assert recovered == f["firm_type"], (f["name"], s)


def test_names_tickers_and_isins_are_unique_at_scale_l():
    world = World(5, SCALES["L"])
    firms = [world.firm(i) for i in range(0, 60_000, 5)]
    keys = [(f["country"], normalize_name(f["name"])) for f in firms]
    assert len(set(keys)) == len(keys)
    assert len({f["ticker"] for f in firms}) == len(firms)
    assert all(isin_valid(f["isin"]) for f in firms if f["isin"])


def test_scale_override_keeps_rates():
    s = scale_of("M", firms=500)
    assert (s.firms, s.patents, s.pages) == (500, 10_000, 10_000)
    assert scale_of("demo") is SCALES["demo"]


def test_typo_is_one_slip():
    rng = random.Random(1)
    out = text.typo("Microsoft Corporation", rng)
    assert out != "Microsoft Corporation" and out.endswith("Corporation")
    assert abs(len(out) - len("Microsoft Corporation")) <= 1


def test_harmonized_spelling():
    assert text.harmonized("Sakura Electric Co., Ltd.") == "SAKURA ELECTRIC CO LTD"


def test_patent_text_in_three_languages(lexicon):
    body = text.PatentText(lexicon, 8, random.Random(2))
    en, ja, zh = body.texts("en"), body.texts("ja"), body.texts("zh")
    assert en["claims"][0].startswith("1. A") and "comprising:" in en["claims"][0]
    assert ja["abstract"].startswith("【課題】") and ja["claims"][0].startswith("【請求項１】")
    assert zh["abstract"].startswith("本发明涉及") and "其特征在于" in zh["claims"][0]
    # the subject is a semiconductor term in every language
    subjects = {t[0] for t in lexicon.fields[8].terms}
    assert any(s in en["abstract"] for s in subjects)
