"""Duplicates within a firm's site: exact (same text hash) and near (MinHash LSH).

Signatures are computed where the text is extracted (Python workers, numpy, no per-shingle
Python loop): shingles are the 10-character windows of the lower-cased text (characters, not
words, so Japanese and Chinese text without spaces is shingled like any other); one hash per
shingle, and the 64 values of one-permutation MinHash (the smallest hash in each of 64 bins,
empty bins filled from the next bin: Shrivastava's densification), which estimates Jaccard
similarity like 64 separate permutations at 1/64 of the cost.

The Spark side (innolink.pages.transforms.judge) compares only pages of one firm and crawl
that share a band (16 bands of 4
values: pages with Jaccard 0.8 meet in some band with probability 0.9998, pages at 0.5 in
64% of cases), then keeps pairs whose signatures agree in at least the configured share of
positions. Of each near-duplicate pair the page ranked later (longer URL, then URL order)
is dropped; a chain a~b~c with a !~ c drops b and c, both near copies of a kept page.
"""

from __future__ import annotations

import hashlib

import numpy as np
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

SHINGLE_CHARS = 10
PERMUTATIONS = 64
BANDS = 16
ROWS = PERMUTATIONS // BANDS
_BIN_BITS = 6  # 64 bins
_EMPTY = np.uint64(0xFFFFFFFFFFFFFFFF)


def text_hash(text: str) -> str:
    """Hex BLAKE2b-128 of the UTF-8 text: the exact-duplicate key."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads window sums over all 64 bits."""
    with np.errstate(over="ignore"):
        z = values ^ (values >> np.uint64(30))
        z = z * np.uint64(0xBF58476D1CE4E5B9)
        z = z ^ (z >> np.uint64(27))
        z = z * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


# Independent odd 64-bit multipliers, one per position in the window (multiples of one
# constant would make the window hash a small weighted sum of the characters: collisions).
_MULTIPLIERS = _mix(
    np.arange(1, SHINGLE_CHARS + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
) | np.uint64(1)


def signature(text: str) -> list[int]:
    """64 MinHash values (signed 64-bit, as Spark stores longs) of the text's shingles."""
    normalized = " ".join(text.lower().split())
    codes = np.frombuffer(normalized.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) < SHINGLE_CHARS:
        codes = np.concatenate([codes, np.zeros(SHINGLE_CHARS - len(codes), dtype=np.uint64)])
    windows = len(codes) - SHINGLE_CHARS + 1
    with np.errstate(over="ignore"):
        sums = np.zeros(windows, dtype=np.uint64)
        for i in range(SHINGLE_CHARS):
            sums += codes[i : i + windows] * _MULTIPLIERS[i]
    hashes = _mix(sums)
    bins = (hashes >> np.uint64(64 - _BIN_BITS)).astype(np.int64)
    values = hashes & np.uint64((1 << (64 - _BIN_BITS)) - 1)
    minima = np.full(PERMUTATIONS, _EMPTY, dtype=np.uint64)
    np.minimum.at(minima, bins, values)
    filled = minima != _EMPTY
    if not filled.all():
        # Densification: an empty bin takes the next filled bin's value (rotating), salted
        # by the distance so two pages do not agree on every empty bin by construction.
        idx = np.flatnonzero(filled)
        for b in np.flatnonzero(~filled):
            nxt = idx[np.searchsorted(idx, b) % len(idx)]
            distance = (nxt - b) % PERMUTATIONS
            minima[b] = _mix(np.array([minima[nxt] + np.uint64(distance)], dtype=np.uint64))[0]
    return minima.view(np.int64).tolist()


def _before(other: str, url: str) -> Column:
    """Whether page `other` ranks before page `url`: the shorter URL, then the smaller."""
    return (F.length(other) < F.length(url)) | (
        (F.length(other) == F.length(url)) & (F.col(other) < F.col(url))
    )


def similarity(a: Column, b: Column) -> Column:
    """Share of signature positions where two signatures agree (estimated Jaccard)."""
    equal = F.zip_with(a, b, lambda x, y: F.when(x == y, 1).otherwise(0))
    return F.aggregate(equal, F.lit(0), lambda acc, x: acc + x) / F.lit(PERMUTATIONS)


def near_duplicate_losers(pages: DataFrame, threshold: float) -> DataFrame:
    """(crawl_id, url, kept_url, similarity) of each page with a near-duplicate ranked before
    it in its firm's site and crawl (the best-ranked such page)."""
    bands = pages.select(
        "firm_id",
        "crawl_id",
        "url",
        "minhash",
        F.posexplode(
            F.array(*[F.xxhash64(F.slice("minhash", b * ROWS + 1, ROWS)) for b in range(BANDS)])
        ).alias("band", "band_hash"),
    )
    left = bands.select("firm_id", "crawl_id", "band", "band_hash", "url", "minhash")
    right = bands.select(
        "firm_id",
        "crawl_id",
        "band",
        "band_hash",
        F.col("url").alias("other"),
        F.col("minhash").alias("other_minhash"),
    )
    pairs = (
        left.join(right, ["firm_id", "crawl_id", "band", "band_hash"])
        .where(_before("other", "url"))
        .select("crawl_id", "url", "other", "minhash", "other_minhash")
        .dropDuplicates(["crawl_id", "url", "other"])
        .withColumn("similarity", similarity(F.col("minhash"), F.col("other_minhash")))
        .where(F.col("similarity") >= threshold)
    )
    return (
        pairs.groupBy("crawl_id", "url")
        .agg(F.min(F.struct(F.length("other"), "other", "similarity")).alias("best"))
        .select(
            "crawl_id",
            "url",
            F.col("best.other").alias("kept_url"),
            F.col("best.similarity").alias("similarity"),
        )
    )
