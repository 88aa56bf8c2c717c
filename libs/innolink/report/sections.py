"""The report's sections, one function each: the tables read -> a Section of blocks.

A section whose tables are missing or empty says so and why (which stage to run) instead of
failing; so does a figure whose plotting module (another stage's) is not installed.
"""

from __future__ import annotations

import importlib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from mlflow.entities import Run
from pyspark.sql import functions as F

from innolink.config import Config
from innolink.report import plots
from innolink.report.blocks import (
    MISSING,
    Figure,
    HtmlTable,
    Section,
    Text,
    fmt,
    fmt_ci,
    fmt_signed,
    frame_table,
)
from innolink.report.data import TableRead
from innolink.runs import RunView, fmt_number, format_time, group_name

log = logging.getLogger(__name__)

ALL = "*"
# The columns each section needs of a table another stage writes; a table lacking one is
# reported, not guessed at. Adapt here when the flows and science schemas settle.
SUMMARY_COLUMNS = (
    "model",
    "country",
    "firm_type",
    "industry",
    "n",
    "mean",
    "sd",
    "median",
    "ci_low",
    "ci_high",
    "shuffle_mean",
    "small",
)
FLOW_COLUMNS = ("from_region", "to_region")
# The column counting moves: the first of these the table has.
FLOW_COUNTS = ("moves", "count")
REGION_COLUMNS = ("region", "inflow", "outflow", "net")
# Shown beside the region code when the table has them.
REGION_LABELS = (("region_name", "Name"), ("country", "Country"))
SCIENCE_LEVEL = "level"
SCIENCE_TABLE_LEVELS = ("country", "field")
# Where other stages' figures come from: (module, function(pdf, path)).
FLOW_PLOT = ("innolink.flows.plots", "flow_heatmap")
SCIENCE_PLOT = ("innolink.science.plots", "science_bars")


@dataclass
class LinkageRun:
    """The newest finished linkage parent run (with its groups), as the report shows it."""

    experiment: str
    view: RunView | None = None
    # The newest linkage run of any status, when it is not the finished one shown.
    newer_unfinished: Run | None = None
    error: str | None = None


@dataclass
class Inputs:
    cfg: Config
    out_dir: Path
    reads: dict[str, TableRead]
    linkage: LinkageRun
    git: dict[str, str] = field(default_factory=dict)
    # The score summary as pandas (margins included), and the models in it, primary first.
    summary: pd.DataFrame | None = None
    models: list[str] = field(default_factory=list)
    _run_ids: dict[str, list[str]] = field(default_factory=dict, init=False, repr=False)

    def read(self, table_id: str) -> TableRead:
        return self.reads[table_id]

    def run_ids(self, table_id: str) -> list[str]:
        """The MLflow runs that wrote a table's rows ([] when it is missing or empty)."""
        if table_id not in self._run_ids:
            read = self.reads[table_id]
            ids: list[str] = []
            if read.present and read.rows and not read.missing_columns("run_id"):
                ids = sorted(r["run_id"] for r in read.df.select("run_id").distinct().collect())
            self._run_ids[table_id] = ids
        return self._run_ids[table_id]

    @property
    def small_group(self) -> int:
        return self.cfg.stages.summary.small_group


def _label(value: str) -> str:
    return "all" if value == ALL else value


def _file_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)


def _type_rank(firm_type: str) -> tuple[int, str]:
    order = plots.TYPE_ORDER
    if firm_type == ALL:
        return (len(order) + 1, "")
    return (order.index(firm_type), "") if firm_type in order else (len(order), firm_type)


def _group_rank(row) -> tuple:
    """Countries alphabetically, "all" last; firm types in the study's order, "all" last."""
    return (row["country"] == ALL, row["country"], _type_rank(row["firm_type"]))


def load_summary(inputs: Inputs) -> str | None:
    """Fills inputs.summary and inputs.models; returns why there is nothing to show, if so."""
    summary, scores = inputs.read("gold/score_summary"), inputs.read("gold/firm_scores")
    if not summary.present or not summary.rows:
        if scores.present and scores.rows:
            return (
                f"gold/firm_scores has {scores.rows:,} scores but gold/score_summary has none: "
                "run `innolink run summary`"
            )
        return "no scores yet: run `innolink run linkage summary`"
    missing = summary.missing_columns(*SUMMARY_COLUMNS)
    if missing:
        return f"gold/score_summary lacks the columns {missing}"
    pdf = summary.df.select(*SUMMARY_COLUMNS).toPandas()
    models = sorted(pdf["model"].unique())
    primary = inputs.cfg.stages.linkage.model
    inputs.models = sorted(models, key=lambda m: (m != primary, m))
    inputs.summary = pdf
    return None


def _model_title(inputs: Inputs, model: str) -> str:
    return f" (model {model})" if len(inputs.models) > 1 else ""


def headline(inputs: Inputs, why_empty: str | None) -> Section:
    section = Section("scores", "Scores by country and firm type")
    if why_empty:
        section.missing = why_empty
        return section
    section.blocks.append(
        Text(
            "A firm's score is the cosine similarity between the product mix a model predicts "
            "from the firm's patent text and the product mix on its web pages, computed out of "
            "fold (the firm was not used to fit the model that scores it): 1 means its "
            "products are exactly what its patents predict, 0 that they are unrelated. Rows "
            "marked 'all' pool the firm types or countries. Grey rows have fewer than "
            f"{inputs.small_group} firms: do not compare them."
        )
    )
    pdf = inputs.summary
    for model in inputs.models:
        rows = pdf[(pdf["model"] == model) & (pdf["industry"] == ALL)].copy()
        rows = rows.loc[sorted(rows.index, key=lambda i: _group_rank(rows.loc[i]))]
        table = HtmlTable(
            id=f"scores-{_file_name(model)}",
            columns=[
                "Country",
                "Firm type",
                "Firms (n)",
                "Mean",
                "SD",
                "Median",
                "95% CI",
                "Shuffle baseline",
                "Mean − baseline",
            ],
            rows=[],
            numeric=frozenset(range(2, 9)),
            caption=f"Technology → product score by country and firm type{_model_title(inputs, model)}",
        )
        for r in rows.itertuples(index=False):
            table.rows.append(
                [
                    _label(r.country),
                    _label(r.firm_type),
                    fmt(r.n),
                    fmt(r.mean),
                    fmt(r.sd),
                    fmt(r.median),
                    fmt_ci(r.ci_low, r.ci_high),
                    fmt(r.shuffle_mean),
                    fmt_signed(r.mean - r.shuffle_mean),
                ]
            )
            table.row_classes.append(
                "small" if r.small else ("margin" if ALL in (r.country, r.firm_type) else "")
            )
        section.blocks.append(table)
        groups = rows[(rows["country"] != ALL) & (rows["firm_type"] != ALL)]
        if groups.empty:
            section.blocks.append(
                Text("No country x firm type groups in gold/score_summary to plot.", "note")
            )
            continue
        path = inputs.out_dir / f"scores_{_file_name(model)}.png"
        plots.score_points(groups, path, inputs.small_group)
        section.blocks.append(
            Figure(
                id=f"plot-scores-{_file_name(model)}",
                file=path,
                alt=f"Mean score with 95% CI by country and firm type{_model_title(inputs, model)}",
                caption=f"Points: mean score{_model_title(inputs, model)}; bars: 95% bootstrap "
                "confidence interval; grey dash: the shuffle baseline; open points: fewer than "
                f"{inputs.small_group} firms.",
            )
        )
    return section


def _industry_cells(pdf: pd.DataFrame, model: str) -> tuple[pd.DataFrame, str]:
    """The heatmap's cells and their column: industry x country pools firm types (more firms
    per cell); without those margins, industry x (country, firm type)."""
    rows = pdf[(pdf["model"] == model) & (pdf["industry"] != ALL) & (pdf["country"] != ALL)]
    cells = rows[rows["firm_type"] == ALL].copy()
    if not cells.empty:
        return cells, "country"
    cells = rows[rows["firm_type"] != ALL].copy()
    cells["group"] = cells["country"] + " / " + cells["firm_type"]
    return cells, "group"


def industries(inputs: Inputs, why_empty: str | None) -> Section:
    section = Section("industries", "Scores by industry")
    if why_empty:
        section.missing = why_empty
        return section
    pdf = inputs.summary
    for model in inputs.models:
        rows = pdf[(pdf["model"] == model) & (pdf["industry"] != ALL)]
        cells, column = _industry_cells(pdf, model)
        if cells.empty:
            section.blocks.append(
                Text(
                    f"gold/score_summary has no rows by industry{_model_title(inputs, model)}.",
                    "warn",
                )
            )
            continue
        path = inputs.out_dir / f"industries_{_file_name(model)}.png"
        plots.industry_heatmap(cells, column, path)
        section.blocks.append(
            Figure(
                id=f"plot-industries-{_file_name(model)}",
                file=path,
                alt=f"Mean score by industry and {column}{_model_title(inputs, model)}",
                caption="Mean score per industry and "
                + ("country (all firm types)" if column == "country" else "country / firm type")
                + f"{_model_title(inputs, model)}; n is the number of firms; faded cells with "
                f"grey numbers are small groups (fewer than {inputs.small_group} firms).",
            )
        )
        margin = rows[(rows["country"] == ALL) & (rows["firm_type"] == ALL)].sort_values(
            "mean", ascending=False
        )
        if not margin.empty:
            section.blocks.append(
                HtmlTable(
                    id=f"industries-{_file_name(model)}",
                    columns=["Industry", "Firms (n)", "Mean", "95% CI", "Shuffle baseline"],
                    rows=[
                        [
                            r.industry,
                            fmt(r.n),
                            fmt(r.mean),
                            fmt_ci(r.ci_low, r.ci_high),
                            fmt(r.shuffle_mean),
                        ]
                        for r in margin.itertuples(index=False)
                    ],
                    row_classes=["small" if r.small else "" for r in margin.itertuples()],
                    numeric=frozenset(range(1, 5)),
                    caption="All countries and firm types, by industry, highest mean first"
                    + _model_title(inputs, model),
                )
            )
    return section


def _coverage(inputs: Inputs) -> pd.DataFrame | None:
    """Listed firms -> with linked patents -> with product keywords -> scored, by country x
    firm type; None without silver/firms."""
    firms = inputs.read("silver/firms")
    if not firms.present or firms.missing_columns("firm_id", "country", "firm_type"):
        return None
    base = firms.df.select("firm_id", "country", "firm_type")
    steps = {
        "with_patents": inputs.read("gold/firm_patents"),
        "with_keywords": inputs.read("gold/firm_keywords"),
        "scored": inputs.read("gold/firm_scores"),
    }
    usable = {n for n, r in steps.items() if r.present and not r.missing_columns("firm_id")}
    for name in usable:
        ids = steps[name].df
        if name == "scored" and inputs.models and "model" in ids.columns:
            ids = ids.where(F.col("model") == inputs.models[0])
        ids = ids.select("firm_id").distinct().withColumn(name, F.lit(1))
        base = base.join(ids, "firm_id", "left")
    counts = (
        base.groupBy("country", "firm_type")
        .agg(F.count(F.lit(1)).alias("listed"), *[F.count(n).alias(n) for n in sorted(usable)])
        .toPandas()
    )
    # A step whose table is missing is unknown (a dash), not zero firms.
    for name in steps:
        if name not in usable:
            counts[name] = None
    return counts


def _concept_coverage(inputs: Inputs) -> pd.DataFrame | None:
    """Per country: firms with product keywords, and the share of their keyword weight that the
    concept list names (stages.linkage.product_concepts); None when the product side is not
    compared in concepts or the tables are missing."""
    from innolink.linkage import features as FE

    cfg = inputs.cfg.stages.linkage
    kw, firms = inputs.read("gold/firm_keywords"), inputs.read("silver/firms")
    if (
        cfg.product_space != "concepts"
        or not kw.present
        or not firms.present
        or kw.missing_columns("firm_id", "keyword", "weight")
        or firms.missing_columns("firm_id", "country")
    ):
        return None
    concepts = kw.df.sparkSession.createDataFrame(
        FE.concept_terms(inputs.cfg.resolve(cfg.product_concepts)),
        "keyword string, concept string",
    )
    # The product terms the linkage stage compares: a keyword's weight is split over the
    # concepts it names, so the concept terms' share of the total is the share named.
    named = F.col("term").startswith("concept:")
    return (
        FE.product_terms(kw.df, concepts)
        .join(firms.df.select("firm_id", "country"), "firm_id")
        .groupBy("country")
        .agg(
            F.countDistinct("firm_id").alias("firms"),
            (F.sum(F.when(named, F.col("tf")).otherwise(0.0)) / F.sum("tf")).alias("share"),
        )
        .orderBy("country")
        .toPandas()
    )


# Countries whose product keywords the concept list names this much differently are compared
# partly in their own words (docs/linkage.md).
CONCEPT_SPREAD = 0.10


def _concept_blocks(inputs: Inputs) -> list:
    from innolink.errors import ConfigError

    try:
        cov = _concept_coverage(inputs)
    except ConfigError as exc:
        return [Text(f"Product concepts: {exc}.", "warn")]
    if cov is None or cov.empty:
        return []
    low, high = cov["share"].min(), cov["share"].max()
    text = (
        f"Product concepts: {100 * low:.0f}% to {100 * high:.0f}% of each country's product "
        "keyword weight is named by the concept list (stages.linkage.product_concepts). "
        "Named keywords are compared across languages; the rest keep a column per keyword, "
        "which a country's model learns from firms writing its language only."
    )
    warn = high - low > CONCEPT_SPREAD
    if warn:
        text += (
            f" The shares differ by more than {100 * CONCEPT_SPREAD:.0f} points: the countries "
            "named least are compared partly in their own words, which lowers their scores "
            "for a reason that is not their firms'. Add their products' terms to the list."
        )
    table = HtmlTable(
        id="concept-coverage",
        columns=["Country", "Firms with keywords", "Keyword weight named by a concept"],
        rows=[[r.country, fmt(int(r.firms)), f"{100 * r.share:.1f}%"] for r in cov.itertuples()],
        numeric=frozenset({1, 2}),
        caption="Product concepts: how much of each country's keywords the concept list names",
    )
    return [Text(text, "warn" if warn else "p"), table]


def caveats(inputs: Inputs, why_empty: str | None) -> Section:
    section = Section("caveats", "Caveats")
    pdf = inputs.summary
    if pdf is not None:
        groups = pdf[
            (pdf["model"] == inputs.models[0])
            & (pdf["industry"] == ALL)
            & (pdf["country"] != ALL)
            & (pdf["firm_type"] != ALL)
        ]
        small = groups[groups["small"]].sort_values(["country", "firm_type"])
        cells, _ = _industry_cells(pdf, inputs.models[0])
        if small.empty:
            text = (
                f"Small groups: every country x firm type group has at least "
                f"{inputs.small_group} firms."
            )
        else:
            text = (
                f"Small groups: {len(small)} of {len(groups)} country x firm type groups have "
                f"fewer than {inputs.small_group} firms (stages.summary.small_group); their "
                "means and intervals are unreliable and shown in grey:"
            )
        section.blocks.append(
            Text(
                text,
                items=[f"{r.country} / {r.firm_type}: n = {r.n}" for r in small.itertuples()],
            )
        )
        if not cells.empty:
            section.blocks.append(
                Text(
                    f"{int(cells['small'].sum())} of {len(cells)} industry cells are small "
                    "(faded in the heatmap).",
                    "note",
                )
            )
    else:
        section.blocks.append(Text(f"Scores: {why_empty}.", "warn"))
    section.blocks.append(
        Text(
            "The shuffle baseline scores each firm's predicted products against the actual "
            "products of a random other firm of the same industry. It is what a score reaches "
            "from the industry's typical product mix alone. A mean well above its baseline "
            "means a firm's patents say something about its own products; a mean at the "
            "baseline means they say no more than its industry does. Compare groups by their "
            "distance to the baseline as well as by their means."
        )
    )
    coverage = _coverage(inputs)
    if coverage is None:
        section.blocks.append(
            Text("Linking coverage unknown: silver/firms has not been written.", "warn")
        )
    else:
        coverage = coverage.loc[sorted(coverage.index, key=lambda i: _group_rank(coverage.loc[i]))]
        table = HtmlTable(
            id="coverage",
            columns=[
                "Country",
                "Firm type",
                "Listed firms",
                "With linked patents",
                "With product keywords",
                "Scored",
                "Scored share",
            ],
            rows=[],
            numeric=frozenset(range(2, 7)),
            caption="Linking coverage: listed firms that reach each step of the pipeline",
        )
        totals = {
            k: coverage[k].sum(min_count=1)
            for k in ("listed", "with_patents", "with_keywords", "scored")
        }
        rows = [*coverage.itertuples(index=False)]
        for r in rows:
            table.rows.append(
                [
                    r.country,
                    r.firm_type,
                    fmt(r.listed),
                    _count(r.with_patents),
                    _count(r.with_keywords),
                    _count(r.scored),
                    _share(r.scored, r.listed),
                ]
            )
        table.rows.append(
            [
                "all",
                "all",
                fmt(int(totals["listed"])),
                _count(totals["with_patents"]),
                _count(totals["with_keywords"]),
                _count(totals["scored"]),
                _share(totals["scored"], totals["listed"]),
            ]
        )
        table.row_classes = [""] * len(rows) + ["margin"]
        section.blocks.append(
            Text(
                "Linking coverage: a firm is scored only if its patents were linked to it and "
                f"its web pages gave product keywords. {_count(totals['scored'])} of "
                f"{fmt(int(totals['listed']))} listed firms "
                f"({_share(totals['scored'], totals['listed'])}) have a score. If the firms left "
                "out differ from those scored (say, startups without patents), a group's mean "
                "describes its linked firms only."
            )
        )
        section.blocks.append(table)
    section.blocks.extend(_concept_blocks(inputs))
    section.blocks.extend(_run_consistency(inputs))
    return section


def _count(value) -> str:
    return MISSING if value is None or pd.isna(value) else fmt(int(value))


def _share(part, whole) -> str:
    if part is None or pd.isna(part) or not whole:
        return MISSING
    return f"{100 * float(part) / float(whole):.1f}%"


def _run_consistency(inputs: Inputs) -> list[Text]:
    out: list[Text] = []
    linkage = inputs.linkage
    if linkage.newer_unfinished is not None:
        run = linkage.newer_unfinished
        out.append(
            Text(
                f"The newest linkage run {run.info.run_id} ended {run.info.status}; the "
                "model section shows the newest finished run instead.",
                "warn",
            )
        )
    if linkage.view is None:
        return out
    writers = inputs.run_ids("gold/firm_scores")
    if writers and linkage.view.run_id not in writers:
        out.append(
            Text(
                f"gold/firm_scores was written by run(s) {', '.join(writers)}, not by the "
                f"linkage run shown below ({linkage.view.run_id}): the scores and the model "
                "details may come from different runs.",
                "warn",
            )
        )
    return out


def external_plot(target: tuple[str, str], pdf: pd.DataFrame, path: Path) -> str | None:
    """Draw with another stage's plotting function; returns why not, or None when drawn."""
    module_name, function = target
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        return f"figure not produced: {module_name} is not installed ({exc})"
    draw = getattr(module, function, None)
    if draw is None:
        return f"figure not produced: {module_name} has no function {function}"
    try:
        draw(pdf, path)
    except Exception as exc:  # noqa: BLE001 - another stage's figure must not sink the report
        log.warning("%s.%s failed", module_name, function, exc_info=True)
        return f"figure not produced: {module_name}.{function} failed: {type(exc).__name__}: {exc}"
    if not path.is_file() or path.stat().st_size == 0:
        return f"figure not produced: {module_name}.{function} wrote nothing at {path}"
    return None


def _plain(read: TableRead) -> pd.DataFrame:
    df = read.df.drop("run_id") if "run_id" in read.df.columns else read.df
    return df.toPandas()


def flows(inputs: Inputs) -> Section:
    section = Section("flows", "Inventor flows")
    moves, regions = inputs.read("gold/inventor_flows"), inputs.read("gold/region_flows")
    if not moves.present and not regions.present:
        section.missing = moves.reason("flows")
        return section
    section.blocks.append(
        Text(
            "Inventors who appear on patents from one region and later on patents from "
            "another count as a move between them. Net inflow = moves in - moves out: regions "
            "that gain inventors from the rest of the world."
        )
    )
    counted = next((c for c in FLOW_COUNTS if moves.present and c in moves.df.columns), None)
    missing = moves.missing_columns(*FLOW_COLUMNS) + ([] if counted else [FLOW_COUNTS[0]])
    if not moves.present:
        section.blocks.append(Text(moves.reason("flows"), "warn"))
    elif missing:
        section.blocks.append(Text(f"gold/inventor_flows lacks the columns {missing}.", "warn"))
    elif not moves.rows:
        section.blocks.append(Text("gold/inventor_flows is empty: no moves found.", "note"))
    else:
        pdf = _plain(moves)
        years = (
            f", {int(pdf['year'].min())}-{int(pdf['year'].max())}" if "year" in pdf.columns else ""
        )
        section.blocks.append(
            Text(f"{fmt(int(pdf[counted].sum()))} inventor moves{years}.", "note")
        )
        path = inputs.out_dir / "inventor_flows.png"
        why = external_plot(FLOW_PLOT, pdf, path)
        if why:
            section.blocks.append(Text(why, "warn"))
        else:
            section.blocks.append(
                Figure("plot-flows", path, "Inventor moves from region (rows) to region")
            )
    missing = regions.missing_columns(*REGION_COLUMNS)
    if not regions.present:
        section.blocks.append(Text(regions.reason("flows"), "warn"))
    elif missing:
        section.blocks.append(Text(f"gold/region_flows lacks the columns {missing}.", "warn"))
    elif regions.rows:
        labels = [(c, title) for c, title in REGION_LABELS if c in regions.df.columns]
        top = (
            regions.df.groupBy("region")
            .agg(
                *[F.first(c, ignorenulls=True).alias(c) for c, _ in labels],
                *[F.sum(c).alias(c) for c in ("inflow", "outflow", "net")],
            )
            .orderBy(F.desc("net"), F.asc("region"))
            .limit(inputs.cfg.report.top_regions)
            .toPandas()
        )
        section.blocks.append(
            HtmlTable(
                id="top-inflows",
                columns=["Region", *(title for _, title in labels), "Inflow", "Outflow", "Net"],
                rows=[
                    [
                        r["region"],
                        *(fmt(r[c]) for c, _ in labels),
                        fmt(r["inflow"]),
                        fmt(r["outflow"]),
                        f"{int(r['net']):+,}",
                    ]
                    for _, r in top.iterrows()
                ],
                numeric=frozenset(range(1 + len(labels), 4 + len(labels))),
                caption=f"Top {inputs.cfg.report.top_regions} net inflows of inventors (all years)",
            )
        )
    return section


def science(inputs: Inputs) -> Section:
    section = Section("science", "Science linkage")
    per_patent, summary = inputs.read("gold/science_linkage"), inputs.read("gold/science_summary")
    if not per_patent.present and not summary.present:
        section.missing = summary.reason("science")
        return section
    section.blocks.append(
        Text(
            "How often patents cite scientific literature: non-patent references of each "
            "patent, classified as scientific (journal articles, conference papers) or not. "
            "More scientific references suggest technology closer to research."
        )
    )
    if per_patent.present:
        section.blocks.append(
            Text(f"{fmt(per_patent.rows)} patents analysed (gold/science_linkage).", "note")
        )
    if not summary.present:
        section.blocks.append(Text(summary.reason("science"), "warn"))
        return section
    if not summary.rows:
        section.blocks.append(Text("gold/science_summary is empty.", "note"))
        return section
    pdf = _plain(summary)
    path = inputs.out_dir / "science.png"
    why = external_plot(SCIENCE_PLOT, pdf, path)
    if why:
        section.blocks.append(Text(why, "warn"))
    else:
        section.blocks.append(Figure("plot-science", path, "Science linkage by country and field"))
    if SCIENCE_LEVEL not in pdf.columns:
        section.blocks.append(frame_table(pdf, "science-all", "gold/science_summary", 60))
        return section
    for level in SCIENCE_TABLE_LEVELS:
        rows = pdf[pdf[SCIENCE_LEVEL] == level].drop(columns=[SCIENCE_LEVEL])
        # Columns only other levels fill (a year, a firm id) would be dashes here.
        rows = rows.dropna(axis=1, how="all")
        if rows.empty:
            continue
        # Most patents first, ties by key; tables without a patents column by their first.
        first = rows.columns[0]
        if "patents" in rows.columns and first != "patents":
            rows = rows.sort_values(["patents", first], ascending=[False, True])
        else:
            rows = rows.sort_values(first)
        section.blocks.append(
            frame_table(
                rows, f"science-{level}", f"By {level}", max_rows=inputs.cfg.report.max_rows
            )
        )
    return section


def model(inputs: Inputs) -> Section:
    section = Section("model", "The linkage models")
    linkage = inputs.linkage
    if linkage.error:
        section.missing = linkage.error
        return section
    if linkage.view is None:
        section.missing = (
            f"no finished linkage run in MLflow experiment {linkage.experiment!r}: "
            "run `innolink run linkage`"
        )
        return section
    view = linkage.view
    run = view.run
    section.blocks.append(
        Text(
            "The MLflow run that fitted the models: one model per group, each scoring the "
            "group's firms out of fold. `innolink runs compare` puts two runs side by side."
        )
    )
    facts = [
        ["Run id", view.run_id],
        ["Experiment", linkage.experiment],
        ["Started", format_time(run.info.start_time)],
        ["Status", run.info.status],
        ["Git commit", view.tags.get("git.commit", MISSING)],
    ]
    section.blocks.append(HtmlTable("model-run", ["Run", "Value"], facts))
    params = sorted(run.data.params.items())
    if params:
        section.blocks.append(
            HtmlTable(
                "model-params",
                ["Parameter", "Value"],
                [list(p) for p in params],
                caption="Parameters",
            )
        )
    metrics = sorted(run.data.metrics.items())
    if metrics:
        section.blocks.append(
            HtmlTable(
                "model-metrics",
                ["Metric", "Value"],
                [[k, fmt_number(v)] for k, v in metrics],
                numeric=frozenset({1}),
                caption="Metrics",
            )
        )
    if view.children:
        names = sorted({m for child in view.children for m in child.data.metrics})
        section.blocks.append(
            HtmlTable(
                "model-groups",
                ["Group", *names, "Run id"],
                [
                    [
                        group_name(c),
                        *(fmt_number(c.data.metrics.get(m)) or MISSING for m in names),
                        c.info.run_id,
                    ]
                    for c in view.children
                ],
                numeric=frozenset(range(1, len(names) + 1)),
                caption=f"Groups ({len(view.children)} nested runs)",
            )
        )
    else:
        section.blocks.append(Text("The run has no nested group runs.", "note"))
    return section


def versions(inputs: Inputs) -> Section:
    section = Section("versions", "Data versions")
    section.blocks.append(
        Text(
            "Every table was read at one Delta version (time travel: `versionAsOf`), so the "
            "numbers above can be reproduced from these versions even after the tables change."
        )
    )
    tags = inputs.linkage.view.tags if inputs.linkage.view else {}
    rows = []
    for read in inputs.reads.values():
        by_run = []
        if f"delta.read.{read.id}" in tags:
            by_run.append(f"read v{tags[f'delta.read.{read.id}']}")
        if f"delta.written.{read.id}" in tags:
            by_run.append(f"wrote v{tags[f'delta.written.{read.id}']}")
        rows.append(
            [
                read.id,
                MISSING if read.version is None else str(read.version),
                MISSING if read.rows is None else fmt(read.rows),
                read.written_at or MISSING,
                ", ".join(by_run) or MISSING,
                read.path if read.present else f"{read.path} (not written)",
            ]
        )
    section.blocks.append(
        HtmlTable(
            "versions",
            ["Table", "Delta version", "Rows", "Written at (UTC)", "Linkage run", "Path"],
            rows,
            numeric=frozenset({1, 2}),
            caption="Tables read",
        )
    )
    items = [
        f"Report code: git commit {inputs.git.get('git.commit', 'unknown')}"
        + (" (uncommitted changes)" if inputs.git.get("git.dirty") == "true" else "")
    ]
    if inputs.linkage.view is not None:
        view = inputs.linkage.view
        items.append(
            f"Linkage run: {view.run_id} (experiment {inputs.linkage.experiment}, "
            f"{len(view.children)} group runs), code at git commit "
            f"{view.tags.get('git.commit', 'unknown')}"
        )
    for table_id in ("gold/firm_scores", "gold/score_summary"):
        read = inputs.read(table_id)
        ids = inputs.run_ids(table_id)
        if ids:
            items.append(f"{table_id} rows written by MLflow run(s): {', '.join(ids)}")
    section.blocks.append(Text("Code and runs:", items=items))
    return section
