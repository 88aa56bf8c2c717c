"""Linkage models and stages: exact maths on tiny matrices, then the stages on a tiny world.

The tiny world has two groups of 12 firms. In group JP/startup a firm's products follow from
its technology (tech term tK -> product term pK); in group US/incumbent products are drawn
independently of technology. A model that learns anything must score the first group higher,
and above its shuffle baseline.
"""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest
from innolink.linkage import model as M
from innolink.linkage.summary import bootstrap_ci, summarize
from scipy import sparse

from tests.conftest import cli, last_run, table

# --- model maths ------------------------------------------------------------------------


def test_dual_ridge_equals_primal_ridge():
    rng = np.random.default_rng(0)
    X = sparse.csr_matrix(rng.random((8, 5)))
    Y = sparse.csr_matrix(rng.random((8, 3)))
    Xt = sparse.csr_matrix(rng.random((2, 5)))
    prior = rng.random((5, 3))
    alpha = 0.7
    # Primal: argmin ||Y - XW||^2 + alpha ||W - prior||^2.
    A = X.toarray()
    W = np.linalg.solve(A.T @ A + alpha * np.eye(5), A.T @ Y.toarray() + alpha * prior)
    np.testing.assert_allclose(M.ridge_dual_predict(X, Y, Xt, prior, alpha), Xt.toarray() @ W)
    np.testing.assert_allclose(M.ridge_primal(X, Y, prior, alpha), W)


def test_pooled_models_leave_their_fold_out():
    # Two folds; y = 2 x exactly. Model 0 sees only fold 1, model 1 only fold 0.
    rows = [
        {"fold": 0, "x_idx": [0], "x_val": [1.0], "y_idx": [0], "y_val": [2.0]},
        {"fold": 1, "x_idx": [1], "x_val": [1.0], "y_idx": [0], "y_val": [4.0]},
    ]
    xtx, xty = next(M.partition_gramians(iter(rows), d=2, p=1, folds=2))
    coef = M.pooled_models(xtx, xty, alpha=1e-9)
    # Fold 0 held out: only firm 2 (x1=1, bias=1, y=4) is seen; the minimum-norm split of 4
    # between x1 and the bias is not what matters here: the model never saw x0.
    assert coef.shape == (3, 3, 1)
    assert coef[0][0, 0] == pytest.approx(0.0, abs=1e-6)
    assert coef[1][1, 0] == pytest.approx(0.0, abs=1e-6)
    # The model of all firms predicts both exactly.
    X = M.csr([[0], [1]], [[1.0], [1.0]], 2, bias=True)
    np.testing.assert_allclose(np.asarray(X @ coef[2]).ravel(), [2.0, 4.0], atol=1e-5)


def test_knn_predicts_the_weighted_mean_of_similar_firms():
    X = M.csr([[0], [1], [0, 1]], [[1.0], [1.0], [0.6, 0.8]], 2, bias=True)
    Y = M.csr([[0], [1], [2]], [[1.0], [1.0], [1.0]], 3, bias=False)
    test = M.csr([[0]], [[1.0]], 2, bias=True)
    # Similarities to the test firm: 1.0, 0.0, 0.6; k=2 keeps rows 0 and 2.
    np.testing.assert_allclose(M.knn_predict(X, Y, test, 2), [[1 / 1.6, 0, 0.6 / 1.6]])
    # No similar firm at all: the training mean.
    far = M.csr([[]], [[]], 2, bias=True)
    np.testing.assert_allclose(M.knn_predict(X, Y, far, 2), [[1 / 3, 1 / 3, 1 / 3]])


def test_cosine_rows_and_shuffle_partners():
    np.testing.assert_allclose(
        M.cosine_rows(np.array([[1.0, 0], [0, 0]]), np.array([[1.0, 1], [1, 0]])),
        [1 / np.sqrt(2), 0.0],
    )
    ids = ["a", "b", "c", "d"]
    partners = M.shuffle_partners(ids, ["x", "x", "x", "y"], seed=3)
    assert partners == M.shuffle_partners(ids, ["x", "x", "x", "y"], seed=3)
    assert partners[3] is None  # alone in its industry
    assert all(p in {0, 1, 2} - {i} for i, p in enumerate(partners[:3]))


def test_summary_cells_margins_and_bootstrap():
    scores = pd.DataFrame(
        {
            "model": "ridge",
            "country": ["JP", "JP", "US", "US"],
            "firm_type": ["startup", "startup", "startup", "incumbent"],
            "industry": ["Energy", "Energy", "Energy", "Energy"],
            "firm_id": ["a", "b", "c", "d"],
            "score": [0.2, 0.4, 0.6, 0.8],
            "shuffle_score": [0.1, None, 0.1, 0.3],
        }
    )
    out = summarize(scores, draws=200, seed=1, small_group=2).set_index(
        ["country", "firm_type", "industry"]
    )
    # 3 cells + margins: (country,*,*) 2, (*,type,*) 2, (*,*,ind) 1, (c,t,*) 3, (c,*,i) 2,
    # (*,t,i) 2, (*,*,*) 1 -> 16 rows.
    assert len(out) == 16
    jp = out.loc[("JP", "startup", "Energy")]
    assert (jp["n"], jp["mean"], jp["median"], jp["shuffle_mean"]) == (
        2,
        0.30000000000000004,
        0.30000000000000004,
        0.1,
    )
    assert jp["sd"] == pytest.approx(np.std([0.2, 0.4], ddof=1))
    assert not jp["small"]
    assert out.loc[("US", "incumbent", "Energy")]["small"]  # one firm < small_group 2
    everything = out.loc[("*", "*", "*")]
    assert (everything["n"], everything["mean"]) == (4, 0.5)
    assert 0.2 <= everything["ci_low"] < 0.5 < everything["ci_high"] <= 0.8
    # Same data and seed: the same interval.
    assert bootstrap_ci(np.array([0.2, 0.4, 0.6, 0.8]), 200, 5) == bootstrap_ci(
        np.array([0.2, 0.4, 0.6, 0.8]), 200, 5
    )
    assert np.isnan(bootstrap_ci(np.array([0.5]), 200, 5)[0])


# --- the stages on a tiny world ---------------------------------------------------------


def _firm(firm_id, country, firm_type, sector):
    return dict(
        firm_id=firm_id, name=firm_id, name_norm=firm_id, name_variants=[], name_keys=[],
        country=country, home_country=country, listing_country=country, exchange=None,
        ticker=None, isin=None, listings=[], website=None, domain=None, sector=sector,
        industry_group=None, industry=None, industry_scheme=None, founded_year=None,
        founded_year_source=None, market_cap=None, multinational_signal=False,
        multinational_evidence=[], firm_type=firm_type, firm_type_rule="test", delisted=False,
        city=None, cik=None, edinet_code=None, corporate_number=None, sources=[], run_id="t",
    )  # fmt: skip


# An IPC code of a different WIPO technology field for each topic of the tiny world (fields
# 1, 2, 4, 16, 11, 32; "H04N 21/" is a main-group pattern that beats its subclass's field 2).
TOPIC_CODES = ["H01M 10/0525", "H04N 5/225", "H04N 21/20", "A61K 31/00", "G01N 33/10", "B60L 53/10"]


def tiny_world(spark, warehouse):
    """Two groups of 12 firms, one unscorable firm without patents, one group too small.

    Each patent has its topic's text tokens and its topic's IPC code (plus the same code as
    CPC and a Locarno class, which name no further field)."""
    from innolink.tables import FIRM_KEYWORDS, FIRM_PATENTS, FIRMS, PATENT_CLASSES, PATENT_TEXT
    from innolink.writer import TableWriter

    rnd = random.Random(5)
    firms, fp, text, kw, classes = [], [], [], [], []
    for g, (country, ftype) in enumerate([("JP", "startup"), ("US", "incumbent")]):
        for i in range(12):
            fid = f"F{g}{i:02d}"
            firms.append(_firm(fid, country, ftype, ["Energy", "Materials"][i % 2]))
            topics = rnd.sample(range(6), 2)
            for j in range(3):
                pub = f"{fid}-P{j}"
                fp.append((fid, pub, 1.0, 1.0, "test", None, "t"))
                text.append(
                    (pub, "en", [f"t{topics[j % 2]}", f"t{topics[j % 2]}", "common"], [], "t")
                )
                code = TOPIC_CODES[topics[j % 2]]
                classes += [
                    (pub, "IPC", code, True, 1, "t"),
                    (pub, "CPC", code, True, 1, "t"),
                    (pub, "LOCARNO", "14-03", False, 2, "t"),
                ]
            products = topics if g == 0 else rnd.sample(range(6), 2)
            for k, p in enumerate(products):
                kw.append((fid, f"p{p}", "en", 1.0 + k, k + 1, [], "t"))
    firms.append(_firm("Fnopat", "JP", "startup", "Energy"))
    kw.append(("Fnopat", "p1", "en", 1.0, 1, [], "t"))
    for i in range(2):  # a group of 2 firms: below min_firms
        fid = f"Fsmall{i}"
        firms.append(_firm(fid, "DE", "startup", "Energy"))
        fp.append((fid, f"{fid}-P", 1.0, 1.0, "test", None, "t"))
        text.append((f"{fid}-P", "en", ["t1"], [], "t"))
        kw.append((fid, "p1", "en", 1.0, 1, [], "t"))
    w = TableWriter(spark, str(warehouse), "test", "t")
    w.merge(FIRMS, spark.createDataFrame(firms, FIRMS.schema))
    w.merge(FIRM_PATENTS, spark.createDataFrame(fp, FIRM_PATENTS.schema))
    w.merge(PATENT_TEXT, spark.createDataFrame(text, PATENT_TEXT.schema))
    w.merge(PATENT_CLASSES, spark.createDataFrame(classes, PATENT_CLASSES.schema))
    w.merge(FIRM_KEYWORDS, spark.createDataFrame(kw, FIRM_KEYWORDS.schema))


@pytest.fixture(scope="module")
def linked(spark, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("linkage")
    tiny_world(spark, tmp / "warehouse")
    sets = ["--set", "stages.linkage.min_firms=10", "--set", "stages.linkage.folds=3"]
    assert cli(tmp, "run", "linkage", *sets) == 0
    first = last_run(tmp)
    assert cli(tmp, "run", "summary") == 0
    return tmp, first, sets


def test_linkage_scores_groups_out_of_fold(spark, linked):
    from innolink.tables import FIRM_SCORES, REJECTS

    tmp, run, _ = linked
    scores = table(spark, tmp, FIRM_SCORES).toPandas()
    assert sorted(scores["group_key"].unique()) == ["JP/startup", "US/incumbent"]
    assert len(scores) == 24 and set(scores["model"]) == {"ridge"}
    means = scores.groupby("group_key")["score"].mean()
    # Products follow technology in JP/startup only (0.62 vs 0.42 when written).
    assert means["JP/startup"] > means["US/incumbent"] + 0.15
    jp = scores[scores["group_key"] == "JP/startup"]
    assert jp["score"].mean() > jp["shuffle_score"].mean()
    rejects = table(spark, tmp, REJECTS).where("stage = 'linkage'").toPandas()
    assert dict(zip(rejects["locator"], rejects["reason"], strict=True)) == {
        "Fnopat": "linkage.no_patents",
        "Fsmall0": "linkage.small_group: fewer than 10 firms",
        "Fsmall1": "linkage.small_group: fewer than 10 firms",
    }
    assert run.data.metrics["records_in"] == 27
    assert run.data.metrics["records_out"] == 24
    # Created (version 0), then written once (version 1) by tiny_world.
    assert run.data.tags["delta.read.gold/firm_keywords"] == "1"


def test_linkage_logs_a_nested_run_per_group_with_a_reloadable_model(linked):
    import mlflow

    tmp, parent, _ = linked
    children = mlflow.search_runs(
        [parent.info.experiment_id],
        filter_string=f"tags.mlflow.parentRunId = '{parent.info.run_id}'",
        output_format="list",
    )
    assert sorted(c.data.params["group"] for c in children) == ["JP/startup", "US/incumbent"]
    jp = next(c for c in children if c.data.params["group"] == "JP/startup")
    assert jp.data.metrics["n"] == 12.0
    model = mlflow.pyfunc.load_model(f"runs:/{jp.info.run_id}/model")
    pred = model.predict(pd.DataFrame({"tokens": [["t3", "t3", "common"], ["unknown"]]}))
    # Technology t3 predicts product p3 above every other product.
    assert pred.iloc[0].idxmax() == "p3"
    assert list(pred.columns) == sorted(pred.columns, key=list(pred.columns).index)
    # The default technology space is text and WIPO fields: a patent's IPC codes alone say
    # it too, in any notation, and the two together agree.
    assert jp.data.params["features"] == "patent text+fields tf-idf -> product concepts tf-idf"
    both = model.predict(
        pd.DataFrame(
            {
                "tokens": [None, ["t3", "t3", "common"]],
                "ipc": [["A61K31/00"], [TOPIC_CODES[3], "Z99Z 1/00"]],
            }
        )
    )
    assert list(both.idxmax(axis=1)) == ["p3", "p3"]


def test_the_model_artifact_rebuilds_the_rows_it_was_trained_on(spark, tmp_path):
    """A firm's technology row from the Spark features equals the pyfunc's row of the same
    patents' tokens and codes: the logged model sees what the scores were computed from."""
    from innolink.linkage import features as FE
    from innolink.linkage.pyfunc import tech_matrix
    from innolink.tables import FIRM_PATENTS, PATENT_CLASSES, PATENT_TEXT

    fp = spark.createDataFrame(
        [("A", "A-1", 1.0, 1.0, "test", None, "t"), ("B", "B-1", 1.0, 1.0, "test", None, "t")],
        FIRM_PATENTS.schema,
    )
    text = spark.createDataFrame(
        [("A-1", "en", ["cell", "cell", "anode"], [], "t"), ("B-1", "en", ["lens"], [], "t")],
        PATENT_TEXT.schema,
    )
    classes = spark.createDataFrame(
        [
            ("A-1", "IPC", "H01M 10/0525", True, 1, "t"),
            ("A-1", "IPC", "H04N 5/225", False, 2, "t"),
            ("B-1", "CPC", "H04N 5/225", True, 1, "t"),
        ],
        PATENT_CLASSES.schema,
    )
    text_terms, field_terms = FE.tech_terms(fp, text), FE.field_terms(fp, classes)
    text_vocab = FE.vocabulary(text_terms, 2, 1, 100)
    field_vocab = FE.vocabulary(field_terms, 2, 1, 100)
    assert field_vocab.terms == ["field:2", "field:1"]  # by document frequency, then term
    rows = (
        FE.joined_rows(
            FE.sparse_rows(field_terms, field_vocab, "x", use_idf=True),
            FE.sparse_rows(text_terms, text_vocab, "x", use_idf=True),
            len(field_vocab),
            0.75,
        )
        .toPandas()
        .set_index("firm_id")
    )
    terms = field_vocab.terms + text_vocab.terms
    X = tech_matrix(
        pd.DataFrame(
            {"tokens": [["cell", "cell", "anode"]], "ipc": [["H01M10/0525", "H04N 5/225"]]}
        ),
        terms,
        np.asarray(field_vocab.idf + text_vocab.idf),
        len(field_vocab),
        0.75,
    ).toarray()[0]
    spark_row = np.zeros(len(terms) + 1)
    spark_row[list(rows.loc["A", "x_idx"])] = rows.loc["A", "x_val"]
    spark_row[-1] = 1.0
    np.testing.assert_allclose(X, spark_row)
    # Unit norm, three quarters of it on the fields: two fields of equal weight, then text.
    assert np.isclose(np.sum(X[:2] ** 2), 0.75) and np.isclose(np.sum(X[:-1] ** 2), 1.0)
    # B has one field and one token, each block a single column.
    assert np.allclose(sorted(rows.loc["B", "x_val"]), [0.5, 0.75**0.5])


def test_patents_name_each_wipo_field_once_and_unknown_codes_none(spark):
    from innolink.linkage import features as FE
    from innolink.tables import FIRM_PATENTS, PATENT_CLASSES

    fp = spark.createDataFrame(
        [("A", "P1", 0.5, 1.0, "test", None, "t"), ("A", "P2", 1.0, 1.0, "test", None, "t")],
        FIRM_PATENTS.schema,
    )
    classes = spark.createDataFrame(
        [
            # Field 1 twice (IPC and CPC of one code, and a second code of the field): once.
            ("P1", "IPC", "H01M 10/0525", True, 1, "t"),
            ("P1", "CPC", "H01M 10/0525", True, 1, "t"),
            ("P1", "IPC", "H01M 4/13", False, 2, "t"),
            # H04N 21/ is field 4 (a main-group pattern beats its subclass's field 2).
            ("P2", "IPC", "H04N 21/20", True, 1, "t"),
            ("P2", "IPC", "H01M 4/13", False, 2, "t"),
            # Not in the concordance, or not IPC/CPC: no field.
            ("P2", "IPC", "Z99Z 1/00", False, 3, "t"),
            ("P2", "LOCARNO", "14-03", False, 4, "t"),
        ],
        PATENT_CLASSES.schema,
    )
    got = {(r.term, r.tf) for r in FE.field_terms(fp, classes).collect()}
    assert got == {("field:1", 1.5), ("field:4", 1.0)}


def test_linkage_rerun_gives_identical_metrics(spark, linked):
    from innolink.tables import FIRM_SCORES

    tmp, first, sets = linked
    before = table(spark, tmp, FIRM_SCORES).select("firm_id", "score").toPandas()
    assert cli(tmp, "run", "linkage", *sets) == 0
    second = last_run(tmp)
    keys = ["score_mean", "score_sd", "shuffle_mean", "firms_scored", "records_out"]
    assert {k: second.data.metrics[k] for k in keys} == {k: first.data.metrics[k] for k in keys}
    after = table(spark, tmp, FIRM_SCORES).select("firm_id", "score").toPandas()
    pd.testing.assert_frame_equal(
        before.sort_values("firm_id").reset_index(drop=True),
        after.sort_values("firm_id").reset_index(drop=True),
    )


def test_summary_table(spark, linked):
    from innolink.tables import SCORE_SUMMARY

    tmp, _, _ = linked
    summary = (
        table(spark, tmp, SCORE_SUMMARY).toPandas().set_index(["country", "firm_type", "industry"])
    )
    jp = summary.loc[("JP", "startup", "*")]
    assert jp["n"] == 12 and not jp["small"]
    assert summary.loc[("JP", "startup", "Energy")]["n"] == 6
    assert summary.loc[("*", "*", "*")]["n"] == 24
    assert jp["ci_low"] <= jp["mean"] <= jp["ci_high"]


def test_technology_spaces(spark, linked):
    from innolink.tables import FIRM_SCORES

    tmp, _, sets = linked
    means = {}
    for space in ("fields", "text"):
        assert cli(tmp, "run", "linkage", *sets, "--set", f"stages.linkage.tech_space={space}") == 0
        params = last_run(tmp).data.params
        assert params["tech_space"] == space
        # Six topics, one field each; or the six topic tokens and "common".
        assert params["patent_features"] == {"fields": "6", "text": "7"}[space]
        scores = table(spark, tmp, FIRM_SCORES).toPandas()
        means[space] = scores.groupby("group_key")["score"].mean()
    # Each space alone tells the groups apart (0.62 vs 0.42 when written).
    for space, m in means.items():
        assert m["JP/startup"] > m["US/incumbent"] + 0.15, space
    # A share outside (0, 1) is a configuration error.
    assert cli(tmp, "run", "linkage", "--set", "stages.linkage.field_weight=1.5") == 2


def test_knn_model_and_bad_config(spark, linked):
    tmp, _, sets = linked
    assert cli(tmp, "run", "linkage", *sets, "--set", "stages.linkage.model=knn") == 0
    assert last_run(tmp).data.params["model"] == "knn"
    # An unknown model is a configuration error (exit 2), not a crash.
    assert cli(tmp, "run", "linkage", "--set", "stages.linkage.model=forest") == 2


def test_recovery_judges_only_pairs_far_enough_apart():
    from innolink.linkage.recovery import recovery

    groups = pd.DataFrame(
        {
            "country": ["JP", "US", "CN"],
            "firm_type": ["startup"] * 3,
            "linkage_lambda": [0.30, 0.35, 0.50],
        }
    )
    scores = pd.DataFrame(
        {
            "country": ["JP", "JP", "US", "CN"],
            "firm_type": ["startup"] * 4,
            "score": [0.5, 0.7, 0.4, 0.55],
            "shuffle_score": [0.1, 0.1, 0.2, 0.2],
        }
    )
    r = recovery(scores, groups)
    # JP (0.30) vs US (0.35) is too close to judge; CN (0.50) is judged against both and is
    # below JP's mean 0.6 -> one misordered pair of two.
    assert (r.groups, r.pairs, r.misordered) == (3, 2, 1)
    assert r.misordered_pairs == ["CN/startup (0.50: 0.550) <= JP/startup (0.30: 0.600)"]
    assert not r.recovered
    assert r.shuffle_gap == pytest.approx(0.5375 - 0.15)
    ordered = scores.assign(score=[0.2, 0.2, 0.3, 0.9])
    assert recovery(ordered, groups).recovered


# --- product concepts ---------------------------------------------------------------------


def test_keywords_of_one_product_in_several_languages_are_one_concept(spark, tmp_path):
    from innolink.linkage import features as FE

    path = tmp_path / "concepts.yaml"
    path.write_text(
        "concepts:\n"
        "  P02: {name: Motors, terms: [Servo Motor, サーボモータ, 伺服电机]}\n"
        "  P06: {name: Cameras, terms: [digital camera, 数码相机]}\n"
        "  X: {name: Both, terms: [数码相机]}\n",
        encoding="utf-8",
    )
    pairs = FE.concept_terms(str(path))
    # Normalized as the keywords stage writes keywords; English terms also match with -s.
    assert ("servo motor", "P02") in pairs and ("servo motors", "P02") in pairs
    assert ("サーボモータ", "P02") in pairs and ("数码相机", "X") in pairs
    concepts = spark.createDataFrame(pairs, "keyword string, concept string")
    kw = spark.createDataFrame(
        [
            ("A", "servo motors", "en", 2.0, 1, [], "t"),
            ("B", "伺服电机", "zh", 1.0, 1, [], "t"),
            ("B", "数码相机", "zh", 3.0, 2, [], "t"),
            ("B", "工业机器人", "zh", 0.5, 3, [], "t"),
            ("B", "无用", "zh", 0.0, 4, [], "t"),
        ],
        "firm_id string, keyword string, language string, weight double, rank int, "
        "source_urls array<string>, run_id string",
    )
    got = {(r.firm_id, r.term): r.tf for r in FE.product_terms(kw, concepts).collect()}
    assert got == {
        ("A", "concept:P02"): 2.0,
        ("B", "concept:P02"): 1.0,
        # A keyword of two concepts splits its weight; one no concept names stays itself;
        # a keyword of weight 0 is no product.
        ("B", "concept:P06"): 1.5,
        ("B", "concept:X"): 1.5,
        ("B", "工业机器人"): 0.5,
    }
    assert {(r.firm_id, r.term) for r in FE.product_terms(kw).collect()} == {
        ("A", "servo motors"),
        ("B", "伺服电机"),
        ("B", "数码相机"),
        ("B", "工业机器人"),
    }


def test_a_broken_concepts_file_is_a_config_error(tmp_path):
    from innolink.errors import ConfigError
    from innolink.linkage import features as FE

    path = tmp_path / "concepts.yaml"
    path.write_text("concepts:\n  P1: {name: no terms}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="P1 has no terms"):
        FE.concept_terms(str(path))
    with pytest.raises(ConfigError, match="cannot read"):
        FE.concept_terms(str(tmp_path / "missing.yaml"))


def test_a_compound_concept_name_names_its_concept_by_each_part(tmp_path):
    from innolink.linkage import features as FE

    path = tmp_path / "concepts.yaml"
    path.write_text(
        "concepts:\n"
        "  P26: {terms: ['Steel and metals', 鉄鋼・非鉄金属, 钢铁与有色金属]}\n"
        "  P35: {terms: ['Aerospace, rail and ships']}\n"
        "  P04: {terms: [家電・AV機器, Android brand]}\n"
        "  P33: {terms: [空調・家電]}\n",
        encoding="utf-8",
    )
    pairs = FE.concept_terms(str(path))
    concepts = {}
    for keyword, concept in pairs:
        concepts.setdefault(keyword, set()).add(concept)
    for part in ["steel", "metals", "metal", "鉄鋼", "非鉄金属", "钢铁", "有色金属"]:
        assert concepts[part] == {"P26"}, part
    assert concepts["steel and metals"] == {"P26"}
    assert {k for k, c in concepts.items() if c == {"P35"}} >= {"aerospace", "rail", "ships"}
    # A part two compound names share names both concepts; its weight is split between them.
    assert concepts["家電"] == {"P04", "P33"}
    # "and" joins words only: "Android" and "brand" are not split.
    assert "android brand" in concepts and "droid" not in concepts and "br" not in concepts


def test_known_matrix_scores_use_the_worlds_matrix_on_what_the_documents_show(tmp_path):
    from innolink.linkage.recovery import known_matrix_scores

    pd.DataFrame(
        {"field": [1, 2, 2], "product": ["P1", "P1", "P2"], "weight": [1.0, 0.5, 0.5]}
    ).to_csv(tmp_path / "topic_matrix.csv", index=False)
    pd.DataFrame(
        {"firm_id": ["A", "A", "B", "C"], "entity": "listed", "field": [1, 1, 2, 1]}
    ).to_parquet(tmp_path / "patent_truth.parquet")
    pd.DataFrame(
        {
            "firm_id": ["A", "B", "B", "B"],
            "products": ["P1", "P2,P3", "P1", "P1"],
            "product_mentions": [8, 4, 10, 10],
            # B's P1 pages are a duplicate and a broken record: not read.
            "duplicate_of": [None, None, "https://b/", None],
            "defect": [None, None, None, "truncated"],
        }
    ).to_parquet(tmp_path / "page_truth.parquet")
    pd.DataFrame({"firm_id": ["A", "B", "C"], "country": "JP", "firm_type": "startup"}).to_parquet(
        tmp_path / "firm_truth.parquet"
    )
    scores = known_matrix_scores(tmp_path, min_firms=1).set_index("firm_id")
    # C has no page: not scored. B: technology {P1: .5, P2: .5}, pages {P2: 2, P3: 2}.
    assert list(scores.index) == ["A", "B"]
    assert scores.loc["A", "score"] == pytest.approx(1.0)
    assert scores.loc["B", "score"] == pytest.approx(0.5)
    # A group below min_firms is dropped, as the linkage stage drops it.
    assert known_matrix_scores(tmp_path, min_firms=3).empty
