"""The whole pipeline recovers the planted order of linkage strengths on the demo world.

The synthetic world (seed 1, the world `make demo` runs on) plants a technology -> product
linkage strength per country x firm type (truth/group_truth.csv). Its files go through every
stage from the readers to the linkage models, in this process; the groups' mean scores must
come out in the planted order (innolink.linkage.recovery: every pair of judged groups whose
strengths differ by >= 0.1). On the same tables, the raw keywords as the product side
(product_space=keywords, one column per keyword and language) misorder the Chinese firms'
group: the reason the product side is compared in language-free concepts.

Recovery over 20 seeds, and what the WIPO technology fields add to the patent text, is a
benchmark (`make bench BENCH=recovery`, BENCHMARKS.md, docs/linkage.md). It runs one seed,
not five: a seed costs about 3 minutes of suite time, and at demo scale not every seed can
come out in order (docs/linkage.md: even scoring with the world's own topic matrix misorders
some).
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.conftest import cli, table

SEED = 1
STAGES = ["firms", "patents", "pages", "link", "keywords", "linkage"]


def world_sets(world) -> list[str]:
    from innolink.synth.generate import input_overrides

    sets = [*input_overrides(world), "stages.keywords.log_models=false"]
    return [a for s in sets for a in ("--set", s)]


@pytest.fixture(scope="module")
def recovered(spark, tmp_path_factory):
    from innolink.linkage.recovery import known_matrix_scores, recovery
    from innolink.synth.generate import generate
    from innolink.synth.world import SCALES
    from innolink.tables import FIRM_SCORES

    tmp = tmp_path_factory.mktemp("recovery")
    world = tmp / "world"
    generate(spark, SEED, SCALES["demo"], world)
    groups = pd.read_csv(world / "truth" / "group_truth.csv")
    sets = world_sets(world)
    assert cli(tmp, "run", *STAGES, *sets) == 0
    concepts = recovery(table(spark, tmp, FIRM_SCORES).toPandas(), groups)
    known = recovery(known_matrix_scores(world / "truth"), groups)
    assert cli(tmp, "run", "linkage", *sets, "--set", "stages.linkage.product_space=keywords") == 0
    keywords = recovery(table(spark, tmp, FIRM_SCORES).toPandas(), groups)
    return concepts, keywords, known


def test_the_pipeline_recovers_the_planted_order_of_groups(recovered):
    concepts, _, _ = recovered
    # JP, US and CN groups of >= 10 scorable firms are judged (DE, KR, IN are smaller).
    assert concepts.groups >= 5 and concepts.pairs >= 10
    assert concepts.misordered_pairs == []
    assert concepts.spearman >= 0.9
    # Scores mean something: a firm's own products beat a random firm's of its industry.
    assert concepts.shuffle_gap > 0.1


def test_raw_keywords_cannot_compare_countries(recovered):
    concepts, keywords, _ = recovered
    assert keywords.groups == concepts.groups
    # Per-language keyword columns: the Chinese firms' model learns from Chinese firms only.
    assert keywords.misordered > 0
    assert any(p.startswith("CN/") for p in keywords.misordered_pairs)
    assert keywords.spearman < concepts.spearman


def test_the_worlds_own_documents_misorder_a_pair_of_this_seed(recovered):
    """The limit of demo scale: scored with the world's own topic matrix from each firm's
    patents and pages (no model), seed 1 puts CN/incumbent below a group 0.1 weaker. The
    pipeline's order is not guaranteed by the documents; over 20 seeds this scorer recovers
    12 (docs/linkage.md)."""
    _, _, known = recovered
    assert known.groups == 6 and known.pairs == 14
    assert known.misordered_pairs == [
        "CN/incumbent (0.50: 0.648) <= JP/multinational (0.40: 0.668)"
    ]
