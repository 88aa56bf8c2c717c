"""Who an inventor record is: PatentsView's inventor id when the source has one, else a light
disambiguation by name, firm, city and co-inventors.

Light disambiguation (docs/flows_science.md says what it cannot do):
1. name key: family name, first given name and the initial of a second one; case, accents
   and punctuation dropped ("Thomas R. Goecke" and "GOECKE, Thomas R." are "goecke|thomas r",
   "Thomas Goecke" is "goecke|thomas": a middle initial written once and left out once splits
   a person); names in Chinese or Japanese script are kept whole without spaces ("原田成規").
2. Records of one name key are one person when they share evidence: a firm (an applicant of
   both publications, by linked firm_id or normalised name), a city (only for names rarer
   than `city_evidence_expected`, by the measure of 3.), or a co-inventor's name key
   (connected components: A-B by firm and B-C by city make A, B, C one person).
3. Components of one name key and country that share nothing are still one person when the
   name is rare: the expected number of other people with that family and given name among
   the country's inventors (n_family * n_given / n_names, over distinct name keys) is below
   `rare_name_expected`, and when they follow each other in time (the last filing of one
   before the first of the next): namesakes at work in the same years stay two people. This
   is what lets a move to another firm in another city be seen.
"""

from __future__ import annotations

import pandas as pd
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

_ACCENTED = "àáâãäåāăąçćčďđèéêëēėęěìíîïīįłñńňòóôõöøōőŕřśšşťùúûüūůűųýÿžźż"
_PLAIN = "aaaaaaaaacccddeeeeeeeeiiiiiilnnnooooooooorrssstuuuuuuuuyyzzz"
# Han, kana, hangul (the CJK ranges Java's regex understands in a character class).
_CJK = r"[\x{3040}-\x{30ff}\x{3400}-\x{9fff}\x{ac00}-\x{d7af}\x{f900}-\x{faff}]"
_NAME_DOTS = r"[·・•．.]"
# Words of firm names that say nothing about which firm it is.
_LEGAL_WORDS = (
    r"\b(co|company|corp|corporation|inc|incorporated|ltd|limited|llc|plc|gmbh|ag|se|sa|"
    r"kk|kabushiki|kaisha|holdings?|group|the|and)\b"
)
_EAST_ASIAN_FORMS = r"(株式会社|有限会社|合同会社|股份有限公司|有限责任公司|有限公司|集团|주식회사)"

IDS_SCHEMA = StructType(
    [
        StructField("_rid", StringType(), False),
        StructField("inventor_id", StringType(), False),
        StructField("id_method", StringType(), False),
    ]
)


def _fold(col: Column) -> Column:
    return F.translate(F.regexp_replace(F.lower(col), "ß", "ss"), _ACCENTED, _PLAIN)


def _latin(col: Column) -> Column:
    """Lower case, accents folded, hyphens and apostrophes dropped, other punctuation a space."""
    out = F.regexp_replace(_fold(col), r"[-'’]", "")
    out = F.regexp_replace(out, r"[^\p{L}\p{N}]+", " ")
    return F.trim(out)


def _first_word(col: Column) -> Column:
    return F.element_at(F.split(col, " "), 1)


def _given_initial(col: Column) -> Column:
    """The first given name and the initial of the second ("thomas r" of "Thomas R."): a
    middle initial tells two John Bakers apart."""
    words = F.split(col, " ")
    return F.when(
        F.size(words) > 1,
        F.concat_ws(" ", F.element_at(words, 1), F.substring(F.element_at(words, 2), 1, 1)),
    ).otherwise(F.element_at(words, 1))


def _last_word(col: Column) -> Column:
    return F.element_at(F.split(col, " "), -1)


def with_name_key(df: DataFrame) -> DataFrame:
    """df (name, first_name, last_name) + _family, _given, name_key (null: no usable name)."""
    name = F.coalesce(F.col("name"), F.lit(""))
    cjk = name.rlike(_CJK)
    # "原田 成規" / "原田　成規": family first; "王亮": one character of family name.
    spaced = F.regexp_replace(F.trim(name), r"[\s\x{3000}]+", " ")
    cjk_whole = F.regexp_replace(spaced, r"\s|" + _NAME_DOTS, "")
    cjk_family = F.when(F.instr(spaced, " ") > 0, _first_word(spaced)).otherwise(
        F.substring(cjk_whole, 1, 1)
    )
    cjk_given = F.expr("substring(_whole, length(_cjk_family) + 1)")
    comma = F.instr(name, ",") > 0
    latin_family = (
        F.when(F.col("last_name").isNotNull(), _latin(F.col("last_name")))
        .when(comma, _latin(F.substring_index(name, ",", 1)))
        .otherwise(_last_word(_latin(name)))
    )
    # "Thomas R. Goecke": everything but the last word is given names.
    given_words = F.regexp_replace(_latin(name), r"\s*\S+$", "")
    latin_given = (
        F.when(
            F.col("last_name").isNotNull(),
            _given_initial(_latin(F.coalesce("first_name", F.lit("")))),
        )
        .when(comma, _given_initial(_latin(F.expr("substring(name, instr(name, ',') + 1)"))))
        .otherwise(F.when(given_words != "", _given_initial(given_words)))
    )
    out = (
        df.withColumn("_cjk", cjk)
        .withColumn("_whole", cjk_whole)
        .withColumn("_cjk_family", cjk_family)
        .withColumn("_family", F.when(F.col("_cjk"), F.col("_cjk_family")).otherwise(latin_family))
        .withColumn("_given", F.when(F.col("_cjk"), cjk_given).otherwise(latin_given))
        .withColumn("_family", F.when(F.col("_family") != "", F.col("_family")))
        .withColumn("_given", F.when(F.col("_given") != "", F.col("_given")))
        .withColumn(
            "name_key",
            F.when(F.col("_cjk") & (F.col("_whole") != ""), F.col("_whole")).when(
                F.col("_family").isNotNull(),
                F.concat(F.col("_family"), F.lit("|"), F.coalesce("_given", F.lit(""))),
            ),
        )
    )
    return out.drop("_cjk", "_whole", "_cjk_family")


def firm_key(name: Column) -> Column:
    """A firm name as evidence: lower case, no punctuation, no legal-form words."""
    out = F.regexp_replace(_fold(name), _EAST_ASIAN_FORMS, " ")
    out = F.regexp_replace(out, r"[^\p{L}\p{N}]+", " ")
    out = F.regexp_replace(out, _LEGAL_WORDS, " ")
    out = F.trim(F.regexp_replace(out, r"\s+", " "))
    return F.when(out != "", out)


def patent_firms(parties: DataFrame, firm_patents: DataFrame) -> DataFrame:
    """pub_key, _firms: the publication's applicants and assignees as evidence keys (their
    normalised names, and the listed firms the link stage found)."""
    names = parties.where(F.col("role").isin("applicant", "assignee")).select(
        "pub_key", F.concat(F.lit("n:"), firm_key(F.col("name"))).alias("_firm")
    )
    linked = firm_patents.select("pub_key", F.concat(F.lit("f:"), F.col("firm_id")).alias("_firm"))
    return (
        names.unionByName(linked)
        .where(F.col("_firm").isNotNull())
        .groupBy("pub_key")
        .agg(F.array_sort(F.collect_set("_firm")).alias("_firms"))
    )


def rarity(keyed: DataFrame) -> DataFrame:
    """name_key, country, _expected: other people expected to share the name in the country
    (n_family * n_given / n_names over the country's distinct name keys)."""
    names = (
        keyed.where(F.col("name_key").isNotNull())
        .select("name_key", F.coalesce("country", F.lit("")).alias("_country"), "_family", "_given")
        .distinct()
    )
    total = names.groupBy("_country").agg(F.count(F.lit(1)).alias("_n"))
    family = names.groupBy("_country", "_family").agg(F.count(F.lit(1)).alias("_nf"))
    given = names.groupBy("_country", "_given").agg(F.count(F.lit(1)).alias("_ng"))
    return (
        names.join(total, "_country")
        .join(family, ["_country", "_family"])
        .join(given, ["_country", "_given"], "left")
        .select(
            "name_key",
            "_country",
            # Without a given name nothing says two records are one person.
            F.when(F.col("_given").isNull(), F.lit(float("inf")))
            .otherwise(F.col("_nf") * F.col("_ng") / F.col("_n"))
            .alias("_expected"),
        )
    )


def resolve(
    records: DataFrame,
    evidence: list[str],
    rare_name_expected: float,
    min_name_chars: int,
    city_evidence_expected: float = float("inf"),
) -> DataFrame:
    """records (_rid, pub_key, sequence, party_id, name_key, country, _family, _given, _firms,
    _city, _coinventors) -> _rid, inventor_id, id_method."""
    with_id = records.where(F.col("party_id").isNotNull()).select(
        "_rid",
        F.concat(F.lit("pv:"), F.col("party_id")).alias("inventor_id"),
        F.lit("party_id").alias("id_method"),
    )
    named = records.where(F.col("party_id").isNull())
    scored = named.join(
        rarity(named).withColumnRenamed("name_key", "_nk"),
        (F.col("name_key") == F.col("_nk"))
        & (F.coalesce(F.col("country"), F.lit("")) == F.col("_country")),
        "left",
    )
    use = set(evidence)
    inputs = scored.select(
        "_rid",
        "name_key",
        F.coalesce("country", F.lit("")).alias("country"),
        F.col("date").cast("string").alias("_date"),
        F.concat(F.col("pub_key"), F.lit("/"), F.col("sequence").cast("string")).alias("_at"),
        (F.col("_firms") if "firm" in use else F.array().cast("array<string>")).alias("_firms"),
        F.when(
            F.lit("city" in use) & (F.coalesce("_expected", F.lit(0.0)) < city_evidence_expected),
            F.col("_city"),
        ).alias("_city"),
        (F.col("_coinventors") if "coinventor" in use else F.array().cast("array<string>")).alias(
            "_coinventors"
        ),
        F.coalesce("_expected", F.lit(float("inf"))).alias("_expected"),
    )

    def components(pdf: pd.DataFrame) -> pd.DataFrame:
        return cluster(pdf, rare_name_expected, min_name_chars)

    resolved = inputs.groupBy("name_key").applyInPandas(components, IDS_SCHEMA)
    return with_id.unionByName(resolved)


def cluster(pdf: pd.DataFrame, rare_name_expected: float, min_name_chars: int) -> pd.DataFrame:
    """One name key's records -> inventor_id, id_method per record (see the module's rules)."""
    n = len(pdf)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        a, b = find(i), find(j)
        if a != b:
            parent[max(a, b)] = min(a, b)

    first_with: dict[tuple[str, str], int] = {}
    rows = zip(pdf["_firms"], pdf["_coinventors"], pdf["_city"], strict=True)
    for i, (firms, coinventors, city) in enumerate(rows):
        tokens = [("f", f) for f in (firms if firms is not None else ())]
        tokens += [("i", c) for c in (coinventors if coinventors is not None else ())]
        if isinstance(city, str) and city:
            tokens.append(("c", city))
        for token in tokens:
            j = first_with.setdefault(token, i)
            if j != i:
                union(i, j)
    roots = [find(i) for i in range(n)]

    # A component's country: the most frequent among its records (ties: the first by name).
    countries: dict[int, dict[str, int]] = {}
    for r, country in zip(roots, pdf["country"], strict=True):
        countries.setdefault(r, {})
        countries[r][country] = countries[r].get(country, 0) + 1
    component_country = {
        r: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] for r, c in countries.items()
    }
    expected: dict[int, float] = {}
    for r, country, e in zip(roots, pdf["country"], pdf["_expected"], strict=True):
        if country == component_country[r]:
            expected[r] = min(expected.get(r, float("inf")), float(e))
    name_key = pdf["name_key"].iat[0]
    mergeable = rare_name_expected > 0 and len(name_key.replace("|", "")) >= min_name_chars
    dates = pdf["_date"] if "_date" in pdf else pd.Series([None] * n)
    spans: dict[int, tuple[str, str]] = {}
    for r, d in zip(roots, dates, strict=True):
        if isinstance(d, str) and d:
            low, high = spans.get(r, (d, d))
            spans[r] = (min(low, d), max(high, d))
    # Whole components join (never split) by the rare name within their country, and only
    # one after the other in time: two namesakes at work in the same years are two people.
    group_of: dict[int, tuple] = {r: ("component", r) for r in set(roots)}
    if mergeable:
        chains: dict[str, list[list]] = {}
        candidates = sorted(
            (spans[r][0], spans[r][1], r)
            for r in set(roots)
            if r in spans and expected[r] < rare_name_expected
        )
        for low, high, r in candidates:
            country_chains = chains.setdefault(component_country[r], [])
            chain = next((c for c in country_chains if c[0] < low), None)
            if chain is None:
                chain = [high, r]
                country_chains.append(chain)
            chain[0] = max(chain[0], high)
            group_of[r] = ("chain", component_country[r], chain[1])
    final = {i: group_of[r] for i, r in enumerate(roots)}
    members: dict[tuple, list[int]] = {}
    for i, group in final.items():
        members.setdefault(group, []).append(i)
    ats = pdf["_at"].tolist()
    out_ids, out_methods = [None] * n, [None] * n
    for idx in members.values():
        anchor = min(ats[i] for i in idx)
        components_in = {roots[i] for i in idx}
        if len(components_in) > 1:
            method = "rare_name"
        elif len(idx) > 1:
            method = "evidence"
        else:
            method = "single"
        for i in idx:
            out_ids[i] = f"nm:{name_key}@{anchor}"
            out_methods[i] = method
    return pd.DataFrame(
        {"_rid": pdf["_rid"].astype(str), "inventor_id": out_ids, "id_method": out_methods}
    )
