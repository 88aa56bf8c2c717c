"""`innolink report`: the analysts' HTML page, built from tiny gold tables and MLflow runs,
checked cell by cell and opened in a real headless Chromium."""

from __future__ import annotations

import sys
import types
from concurrent.futures import ThreadPoolExecutor

import pytest
from innolink.errors import SetupError
from innolink.report import sections
from innolink.report.browser import dump_dom, find_browser
from innolink.report.build import build_report
from innolink.report.data import TableRead
from innolink.tables import FIRM_KEYWORDS, FIRM_PATENTS, FIRM_SCORES, FIRMS, SCORE_SUMMARY, table
from innolink.writer import TableWriter
from lxml import html as lxml_html
from matplotlib.figure import Figure
from mlflow.tracking import MlflowClient
from PIL import Image

from .conftest import cli, test_config
from .test_runs_compare import T0, linkage_run


def firm(firm_id, country, firm_type):
    return {
        "firm_id": firm_id, "name": firm_id, "name_norm": firm_id, "name_variants": [],
        "name_keys": [], "country": country, "home_country": country, "listings": [],
        "multinational_signal": False, "multinational_evidence": [], "firm_type": firm_type,
        "firm_type_rule": "test", "delisted": False, "sources": [], "run_id": "r0",
    }  # fmt: skip


# Summary rows: (country, firm_type, industry, n, mean, sd, median, ci_low, ci_high,
# shuffle_mean, small). A JP startup group of 4 firms is the small one.
SUMMARY = [
    ("JP", "startup", "*", 4, 0.31, 0.12, 0.30, 0.20, 0.42, 0.22, True),
    ("JP", "incumbent", "*", 12, 0.55, 0.10, 0.56, 0.50, 0.60, 0.25, False),
    ("US", "startup", "*", 15, 0.62, 0.08, 0.61, 0.58, 0.66, 0.24, False),
    ("US", "incumbent", "*", 11, 0.47, 0.11, 0.48, 0.41, 0.53, None, False),
    ("JP", "*", "*", 16, 0.49, 0.15, 0.50, 0.42, 0.56, 0.24, False),
    ("US", "*", "*", 26, 0.56, 0.12, 0.57, 0.52, 0.60, 0.24, False),
    ("*", "startup", "*", 19, 0.555, 0.14, 0.58, 0.49, 0.62, 0.236, False),
    ("*", "incumbent", "*", 23, 0.51, 0.11, 0.52, 0.47, 0.55, 0.25, False),
    ("*", "*", "*", 42, 0.53, 0.13, 0.54, 0.50, 0.57, 0.243, False),
    ("JP", "*", "Information Technology", 9, 0.52, 0.1, 0.5, 0.45, 0.6, 0.2, True),
    ("US", "*", "Information Technology", 20, 0.60, 0.1, 0.6, 0.55, 0.65, 0.2, False),
    ("JP", "*", "Health Care", 7, 0.44, 0.1, 0.4, 0.35, 0.5, 0.3, True),
    ("*", "*", "Information Technology", 29, 0.575, 0.1, 0.58, 0.54, 0.61, 0.2, False),
    ("*", "*", "Health Care", 13, 0.46, 0.1, 0.45, 0.40, 0.52, 0.3, False),
]


def draw_png(pdf, path):
    """Stands in for another stage's plotting function: a real PNG of the rows it got."""
    fig = Figure(figsize=(3, 2))
    fig.subplots().bar(range(len(pdf)), [1] * len(pdf))
    fig.savefig(path)


def fake_plot_modules(monkeypatch):
    for module, function in (sections.FLOW_PLOT, sections.SCIENCE_PLOT):
        fake = types.ModuleType(module)
        setattr(fake, function, draw_png)
        monkeypatch.setitem(sys.modules, module, fake)


@pytest.fixture(scope="module")
def world(interpreted_spark, tmp_path_factory):
    spark = interpreted_spark
    tmp = tmp_path_factory.mktemp("report")
    cfg = test_config(tmp)
    client = MlflowClient(tracking_uri=f"sqlite:///{tmp}/mlflow.db")
    exp = client.create_experiment("innolink", artifact_location=(tmp / "art").as_uri())
    run_id = linkage_run(
        client,
        exp,
        T0,
        {"model": "ridge", "alpha": "1.0"},
        {"firms_scored": 3, "score_mean": 0.5},
        {
            "git.commit": "c0ffee",
            # TableWriter's first write is version 1 (0 creates the empty table).
            "delta.read.silver/firms": "1",
            "delta.read.gold/firm_keywords": "1",
            "delta.written.gold/firm_scores": "1",
        },
        {"JP/startup": {"n": 4, "mean": 0.31}, "US/startup": {"n": 15, "mean": 0.62}},
    )
    # A newer run that failed: the model section must keep showing the finished one.
    failed = linkage_run(client, exp, T0 + 60_000, {}, {}, {}, {}, status="FAILED")

    pending = []

    def write(spec, df):
        pending.append((spec, df))

    firms = [("f1", "JP", "startup"), ("f2", "JP", "startup"), ("f3", "JP", "incumbent"),
             ("f4", "US", "startup"), ("f5", "US", "incumbent")]  # fmt: skip
    write(FIRMS, spark.createDataFrame([firm(*f) for f in firms], FIRMS.schema))
    write(
        FIRM_PATENTS,
        spark.createDataFrame(
            [(f, f"P{i}", 1.0, 1.0, "exact", None, "r0") for i, f in enumerate(["f1", "f3", "f4", "f5"])],
            FIRM_PATENTS.schema,
        ),
    )  # fmt: skip
    write(
        FIRM_KEYWORDS,
        spark.createDataFrame(
            [(f, "robot", "en", 1.0, 1, [], "r0") for f in ("f1", "f3", "f4")]
            # A concept's term (P02), in Japanese: 3 of JP's 5 weight units are named.
            + [("f1", "サーボモータ", "ja", 3.0, 2, [], "r0")],
            FIRM_KEYWORDS.schema,
        ),
    )
    write(
        FIRM_SCORES,
        spark.createDataFrame(
            [
                ("f1", "ridge", "JP/startup", "JP", "startup", "Health Care", 0.3, 0.2, 0, 3, 5, run_id),
                ("f3", "ridge", "JP/incumbent", "JP", "incumbent", "Information Technology", 0.6, 0.25, 1, 4, 6, run_id),
                ("f4", "ridge", "US/startup", "US", "startup", "Information Technology", 0.7, 0.2, 2, 2, 3, run_id),
            ],
            FIRM_SCORES.schema,
        ),
    )  # fmt: skip
    write(
        SCORE_SUMMARY,
        spark.createDataFrame([("ridge", *row, "s1") for row in SUMMARY], SCORE_SUMMARY.schema),
    )
    flows = table("gold/inventor_flows")
    write(
        flows,
        spark.createDataFrame(
            [("JP-13", "US-CA", 2021, 6, "Computer technology", "JP", "US", 3, 3, "r0"),
             ("US-CA", "JP-13", 2022, 6, "Computer technology", "US", "JP", 1, 1, "r0"),
             ("DE-BY", "US-CA", 2022, 13, "Medical technology", "DE", "US", 2, 2, "r0")],
            flows.schema,
        ),
    )  # fmt: skip
    regions = table("gold/region_flows")
    write(
        regions,
        spark.createDataFrame(
            [("US-CA", 2021, "California", "US", 3, 0, 3, 50, "r0"),
             ("US-CA", 2022, "California", "US", 2, 1, 1, 55, "r0"),
             ("JP-13", 2021, "Tokyo", "JP", 0, 3, -3, 40, "r0"),
             ("JP-13", 2022, "Tokyo", "JP", 1, 0, 1, 41, "r0"),
             ("DE-BY", 2022, "Bayern", "DE", 0, 2, -2, 30, "r0")],
            regions.schema,
        ),
    )  # fmt: skip
    science_linkage = table("gold/science_linkage")
    write(
        science_linkage,
        spark.createDataFrame(
            [("P0", "JPO", "JP", 2021, 6, "Computer technology", 2, 3, 1, "r0"),
             ("P1", "USPTO", "US", 2022, 13, "Medical technology", 1, 4, 4, "r0")],
            science_linkage.schema,
        ),
    )  # fmt: skip
    science_summary = table("gold/science_summary")
    write(
        science_summary,
        spark.createDataFrame(
            [("country", "JP", "Japan", 1.0, 3.0, 1.0, 1.0, 1.0, 1.0, "r0"),
             ("country", "US", "United States", 1.0, 4.0, 4.0, 1.0, 4.0, 1.0, "r0"),
             ("field", "13", "Medical technology", 1.0, 4.0, 4.0, 1.0, 4.0, 1.0, "r0"),
             ("field", "6", "Computer technology", 1.0, 3.0, 1.0, 1.0, 1.0, 1.0, "r0"),
             ("year", "2021", "2021", 1.0, 3.0, 1.0, 1.0, 1.0, 1.0, "r0")],
            science_summary.schema,
        ),
    )  # fmt: skip
    writer = TableWriter(spark, cfg.warehouse_uri, "test", "r0")
    # The writes are independent; threads overlap their driver-side work (planning, Delta
    # log commits), which is most of the time on a few rows.
    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(lambda job: writer.merge(*job), pending))
    with pytest.MonkeyPatch.context() as mp:
        fake_plot_modules(mp)
        report = build_report(spark, cfg, tmp / "out")
    return {"tmp": tmp, "cfg": cfg, "report": report, "run_id": run_id, "failed": failed,
            "page": lxml_html.fromstring(report.path.read_bytes())}  # fmt: skip


def rows(page, table_id):
    found = page.get_element_by_id(table_id)
    return [[td.text_content() for td in tr.findall("td")] for tr in found.iter("tr") if tr.findall("td")]  # fmt: skip


def row_classes(page, table_id):
    found = page.get_element_by_id(table_id)
    return [tr.get("class", "") for tr in found.find("tbody").findall("tr")]


def test_headline_table_by_country_and_firm_type(world):
    page = world["page"]
    assert rows(page, "scores-ridge") == [
        ["JP", "startup", "4", "0.310", "0.120", "0.300", "[0.200, 0.420]", "0.220", "+0.090"],
        ["JP", "incumbent", "12", "0.550", "0.100", "0.560", "[0.500, 0.600]", "0.250", "+0.300"],
        ["JP", "all", "16", "0.490", "0.150", "0.500", "[0.420, 0.560]", "0.240", "+0.250"],
        ["US", "startup", "15", "0.620", "0.080", "0.610", "[0.580, 0.660]", "0.240", "+0.380"],
        # No shuffle partner in the industry: no baseline, no difference.
        ["US", "incumbent", "11", "0.470", "0.110", "0.480", "[0.410, 0.530]", "–", "–"],
        ["US", "all", "26", "0.560", "0.120", "0.570", "[0.520, 0.600]", "0.240", "+0.320"],
        ["all", "startup", "19", "0.555", "0.140", "0.580", "[0.490, 0.620]", "0.236", "+0.319"],
        ["all", "incumbent", "23", "0.510", "0.110", "0.520", "[0.470, 0.550]", "0.250", "+0.260"],
        ["all", "all", "42", "0.530", "0.130", "0.540", "[0.500, 0.570]", "0.243", "+0.287"],
    ]
    assert row_classes(page, "scores-ridge") == [
        "small", "", "margin", "", "", "margin", "margin", "margin", "margin",
    ]  # fmt: skip
    assert (
        page.get_element_by_id("plot-scores-ridge")
        .get("src")
        .startswith("data:image/png;base64,iVBORw0KGgo")
    )


def test_industry_heatmap_and_table(world):
    page = world["page"]
    assert rows(page, "industries-ridge") == [
        ["Information Technology", "29", "0.575", "[0.540, 0.610]", "0.200"],
        ["Health Care", "13", "0.460", "[0.400, 0.520]", "0.300"],
    ]
    assert page.get_element_by_id("plot-industries-ridge") is not None
    # Beside the page, for slides.
    out = world["report"].path.parent
    assert sorted(p.name for p in out.glob("*.png")) == [
        "industries_ridge.png", "inventor_flows.png", "science.png", "scores_ridge.png",
    ]  # fmt: skip


def test_caveats_flag_small_groups_and_coverage(world):
    page = world["page"]
    caveats = page.get_element_by_id("caveats").text_content()
    assert "1 of 4 country x firm type groups have fewer than 10 firms" in caveats
    assert "JP / startup: n = 4" in caveats
    assert "2 of 3 industry cells are small" in caveats
    assert "3 of 5 listed firms (60.0%) have a score" in caveats
    assert "shuffle baseline scores each firm's predicted products" in caveats
    assert rows(page, "coverage") == [
        ["JP", "startup", "2", "1", "1", "1", "50.0%"],
        ["JP", "incumbent", "1", "1", "1", "1", "100.0%"],
        ["US", "startup", "1", "1", "1", "1", "100.0%"],
        ["US", "incumbent", "1", "1", "0", "0", "0.0%"],
        ["all", "all", "5", "4", "3", "3", "60.0%"],
    ]
    # Product concepts name 60% of JP's keyword weight and none of the US's: a warning.
    assert "0% to 60% of each country's product keyword weight is named" in caveats
    assert "differ by more than 10 points" in caveats
    assert rows(page, "concept-coverage") == [["JP", "2", "60.0%"], ["US", "1", "0.0%"]]
    # The newest linkage run failed; the page says which run it shows instead.
    assert f"The newest linkage run {world['failed']} ended FAILED" in caveats


def test_flows_and_science_sections(world):
    page = world["page"]
    assert rows(page, "top-inflows") == [
        ["US-CA", "California", "US", "5", "1", "+4"],
        # Equal net inflows: by region code.
        ["DE-BY", "Bayern", "DE", "0", "2", "-2"],
        ["JP-13", "Tokyo", "JP", "1", "3", "-2"],
    ]
    assert "6 inventor moves, 2021-2022." in page.get_element_by_id("flows").text_content()
    assert "2 patents analysed" in page.get_element_by_id("science").text_content()
    assert rows(page, "science-country") == [
        ["JP", "Japan", "1", "3", "1", "1", "1", "1"],
        ["US", "United States", "1", "4", "4", "1", "4", "1"],
    ]
    assert rows(page, "science-field")[0][:2] == ["13", "Medical technology"]
    assert page.get_element_by_id("plot-flows") is not None
    assert page.get_element_by_id("plot-science") is not None


def test_model_and_data_versions(world):
    page = world["page"]
    run_id = world["run_id"]
    assert rows(page, "model-run")[0] == ["Run id", run_id]
    groups = rows(page, "model-groups")
    assert [g[:3] for g in groups] == [["JP/startup", "0.31", "4"], ["US/startup", "0.62", "15"]]
    versions = {r[0]: r[1:5] for r in rows(page, "versions")}
    assert versions["gold/firm_scores"][:2] == ["1", "3"]
    assert versions["gold/firm_scores"][3] == "wrote v1"
    assert versions["silver/firms"][3] == "read v1"
    assert versions["gold/science_summary"][:2] == ["1", "5"]
    text = page.get_element_by_id("versions").text_content()
    assert f"gold/firm_scores rows written by MLflow run(s): {run_id}" in text
    assert "gold/score_summary rows written by MLflow run(s): s1" in text
    assert world["report"].not_produced == {}


def test_page_renders_in_headless_chromium(world):
    """Tables and figures as a browser has them: rows in the DOM, every image decoded."""
    dom = lxml_html.fromstring(dump_dom(world["report"].path))
    body = dom.find("body")
    assert body.get("data-rendered") == "yes"
    # Scores, industries, flows, science: four figures, none broken (naturalWidth > 0).
    assert body.get("data-images") == "4"
    assert body.get("data-images-broken") == ""
    assert rows(dom, "scores-ridge") == rows(world["page"], "scores-ridge")
    assert len(rows(dom, "coverage")) == 5


def test_missing_plot_module_costs_the_figure_not_the_section(world, monkeypatch):
    monkeypatch.setitem(sys.modules, sections.FLOW_PLOT[0], None)
    report = world["report"]
    inputs = sections.Inputs(
        world["cfg"], world["tmp"] / "out2", report.reads, sections.LinkageRun("innolink")
    )
    inputs.out_dir.mkdir()
    flows = sections.flows(inputs)
    assert flows.produced
    warnings = [b.text for b in flows.blocks if getattr(b, "kind", "") == "warn"]
    assert warnings == [
        "figure not produced: innolink.flows.plots is not installed "
        "(import of innolink.flows.plots halted; None in sys.modules)"
    ]
    assert [b.id for b in flows.blocks if hasattr(b, "rows")] == ["top-inflows"]


def test_scores_without_summary_say_run_summary(world):
    reads = dict(world["report"].reads)
    reads["gold/score_summary"] = TableRead("gold/score_summary", "/nowhere", True)
    inputs = sections.Inputs(world["cfg"], world["tmp"], reads, sections.LinkageRun("innolink"))
    assert sections.load_summary(inputs) == (
        "gold/firm_scores has 3 scores but gold/score_summary has none: run `innolink run summary`"
    )


def test_empty_warehouse_gives_a_report_that_says_what_to_run(spark, tmp_path, capsys):
    shot = tmp_path / "shot.png"
    assert cli(tmp_path, "report", "--out", str(tmp_path / "out"), "--screenshot", str(shot)) == 0
    page = lxml_html.fromstring((tmp_path / "out" / "index.html").read_bytes())
    missing = {
        s.get("id"): " ".join(s.find("div").text_content().split())
        for s in page.iter("section")
        if s.get("data-produced") == "no"
    }
    # The commands to run are set as code: text_content() drops the backquotes.
    assert missing == {
        "scores": "Not produced: no scores yet: run innolink run linkage summary",
        "industries": "Not produced: no scores yet: run innolink run linkage summary",
        "flows": "Not produced: table gold/inventor_flows has not been written yet: "
        "run innolink run flows",
        "science": "Not produced: table gold/science_summary has not been written yet: "
        "run innolink run science",
        "model": "Not produced: no finished linkage run in MLflow experiment 'innolink': "
        "run innolink run linkage",
    }
    assert page.get_element_by_id("scores-missing").find("code").text == (
        "innolink run linkage summary"
    )
    assert "Linking coverage unknown: silver/firms has not been written." in page.text_content()
    image = Image.open(shot)
    assert image.size == (1280, 2000)
    # Not blank: the heading and the warnings draw more than one colour.
    assert len(set(image.convert("L").getdata())) > 10


def test_missing_browser_is_a_setup_error():
    with pytest.raises(SetupError, match="no browser 'no-such-chromium' found: install Chromium"):
        find_browser("no-such-chromium")
