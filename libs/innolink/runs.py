"""MLflow runs side by side: `innolink runs compare`, and the run lookups the report shares.

A stage run is a parent run (tag `innolink.stage`); the linkage stage adds one nested run per
group (country x firm type). A comparison lists, one row per key, what the runs recorded:
run facts (status, git commit), parameters, metrics, the groups' metrics, and the Delta
versions read and written (tags `delta.read.*`, `delta.written.*`). With two runs a last
column says what changed from the first to the second.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from mlflow.entities import Run
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

from innolink.config import Config
from innolink.errors import ConfigError

STAGE_TAG = "innolink.stage"
PARENT_TAG = "mlflow.parentRunId"
DATA_TAG_PREFIXES = ("delta.read.", "delta.written.")
# Where a nested run names its group, in order of preference; the run name is the fallback.
GROUP_TAGS = ("innolink.group",)
GROUP_PARAMS = ("group_key", "group")
FORMATS = ("table", "csv", "markdown")
HEX_ID = re.compile(r"[0-9a-f]{32,40}")


@dataclass
class RunView:
    """A parent run and its nested runs (one per group)."""

    run: Run
    children: list[Run] = field(default_factory=list)

    @property
    def run_id(self) -> str:
        return self.run.info.run_id

    @property
    def tags(self) -> dict[str, str]:
        return self.run.data.tags

    def groups(self) -> dict[str, Run]:
        return {group_name(child): child for child in self.children}


@dataclass(frozen=True)
class Row:
    section: str
    key: str
    values: tuple[str, ...]
    # With two runs: what changed from the first to the second ("" = nothing).
    change: str = ""


@dataclass
class Comparison:
    runs: list[RunView]
    rows: list[Row]

    @property
    def headers(self) -> list[str]:
        return [run_label(v) for v in self.runs]

    def differences(self) -> dict[str, list[Row]]:
        """Rows that changed, by kind: metrics, params, data versions, the rest."""
        out: dict[str, list[Row]] = {"metrics": [], "param": [], "data": [], "run": []}
        for row in self.rows:
            if not row.change:
                continue
            kind = "metrics" if row.section in ("metric", "group") else row.section
            out.setdefault(kind, []).append(row)
        return out


def group_name(run: Run) -> str:
    for tag in GROUP_TAGS:
        if run.data.tags.get(tag):
            return run.data.tags[tag]
    for param in GROUP_PARAMS:
        if run.data.params.get(param):
            return run.data.params[param]
    return run.info.run_name or run.info.run_id


def run_label(view: RunView) -> str:
    return f"{view.run.info.run_name or 'run'} {view.run_id[:8]}"


def client_for(cfg: Config) -> MlflowClient:
    from innolink.tracking import tracking_uri

    return MlflowClient(tracking_uri=tracking_uri(cfg))


def default_experiment(cfg: Config, stage: str) -> str:
    if stage == "linkage" and cfg.stages.linkage.experiment:
        return cfg.stages.linkage.experiment
    return cfg.mlflow.experiment


def newest_stage_runs(
    client: MlflowClient, experiment: str, stage: str, count: int, status: str | None = None
) -> list[Run]:
    """The newest parent runs of a stage (of that status, if given), newest first; [] when
    the experiment does not exist."""
    found = client.get_experiment_by_name(experiment)
    if found is None:
        return []
    query = f"tags.`{STAGE_TAG}` = '{stage}' AND tags.`{PARENT_TAG}` IS NULL"
    if status:
        query += f" AND attributes.status = '{status}'"
    return list(
        client.search_runs(
            [found.experiment_id],
            filter_string=query,
            order_by=["attributes.start_time DESC"],
            max_results=count,
        )
    )


def nested_runs(client: MlflowClient, parent: Run) -> list[Run]:
    runs: list[Run] = []
    token = None
    while True:
        page = client.search_runs(
            [parent.info.experiment_id],
            filter_string=f"tags.`{PARENT_TAG}` = '{parent.info.run_id}'",
            order_by=["attributes.start_time ASC"],
            max_results=1000,
            page_token=token,
        )
        runs.extend(page)
        token = page.token
        if not token:
            break
    return sorted(runs, key=group_name)


def get_run(client: MlflowClient, run_id: str) -> Run:
    try:
        return client.get_run(run_id)
    except MlflowException:
        raise ConfigError(
            f"no MLflow run {run_id!r} in the tracking store {client.tracking_uri}"
        ) from None


def load_runs(
    client: MlflowClient,
    experiment: str,
    stage: str = "linkage",
    run_ids: Iterable[str] = (),
    count: int = 2,
) -> list[RunView]:
    """The runs named (in that order), or the `count` newest runs of `stage`, oldest first,
    so a change column reads "from older to newer"."""
    ids = [i for i in run_ids if i]
    if ids:
        runs = [get_run(client, i) for i in ids]
    else:
        runs = newest_stage_runs(client, experiment, stage, count)[::-1]
        if not runs:
            raise ConfigError(
                f"no runs of stage {stage!r} in MLflow experiment {experiment!r} at "
                f"{client.tracking_uri}: run `innolink run {stage}` first, or name runs with --runs"
            )
    return [RunView(run, nested_runs(client, run)) for run in runs]


def format_time(ms: int | None) -> str:
    if not ms:
        return ""
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _duration(run: Run) -> str:
    if not run.info.end_time or not run.info.start_time:
        return ""
    return f"{(run.info.end_time - run.info.start_time) / 1000:.1f} s"


def fmt_number(value: float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return str(value)
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}"


def _metric_change(a: float | None, b: float | None) -> str:
    if a is None and b is None:
        return ""
    if a is None:
        return "added"
    if b is None:
        return "removed"
    if a == b:
        return ""
    diff = b - a
    return f"{int(diff):+d}" if float(diff).is_integer() and abs(diff) < 1e15 else f"{diff:+.6g}"


def _text_change(values: tuple[str, ...]) -> str:
    a, b = values
    if a == b:
        return ""
    if not a:
        return "added"
    if not b:
        return "removed"
    return "changed"


def compare(views: list[RunView]) -> Comparison:
    """One row per key any run recorded; values in the runs' order."""
    pair = len(views) == 2
    rows: list[Row] = []

    def text_rows(section: str, keys: Iterable[str], get) -> None:
        for key in keys:
            values = tuple(get(v, key) for v in views)
            rows.append(Row(section, key, values, _text_change(values) if pair else ""))

    def metric_rows(section: str, keys: Iterable[str], get) -> None:
        for key in keys:
            raw = [get(v, key) for v in views]
            values = tuple(fmt_number(x) for x in raw)
            rows.append(Row(section, key, values, _metric_change(*raw) if pair else ""))

    facts = {
        "run id": lambda v: v.run_id,
        "name": lambda v: v.run.info.run_name or "",
        "stage": lambda v: v.tags.get(STAGE_TAG, ""),
        "status": lambda v: v.run.info.status,
        "started": lambda v: format_time(v.run.info.start_time),
        "duration": lambda v: _duration(v.run),
        "git commit": lambda v: v.tags.get(
            "git.commit", v.tags.get("mlflow.source.git.commit", "")
        ),
        "git dirty": lambda v: v.tags.get("git.dirty", ""),
        "env": lambda v: v.tags.get("innolink.env", ""),
    }
    for key, get in facts.items():
        values = tuple(get(v) for v in views)
        # Ids, names and times always differ between two runs: not a difference worth listing.
        noisy = key in ("run id", "started", "duration")
        rows.append(Row("run", key, values, "" if noisy or not pair else _text_change(values)))

    params = sorted({k for v in views for k in v.run.data.params})
    text_rows("param", params, lambda v, k: v.run.data.params.get(k, ""))

    metrics = sorted({k for v in views for k in v.run.data.metrics})
    metric_rows("metric", metrics, lambda v, k: v.run.data.metrics.get(k))

    metric_rows("group", ["groups"], lambda v, k: float(len(v.children)))
    groups = [v.groups() for v in views]
    group_metrics = sorted(
        {(g, m) for by_group in groups for g, run in by_group.items() for m in run.data.metrics}
    )
    for g, m in group_metrics:
        raw = [by_group[g].data.metrics.get(m) if g in by_group else None for by_group in groups]
        values = tuple(fmt_number(x) for x in raw)
        rows.append(Row("group", f"{g}: {m}", values, _metric_change(*raw) if pair else ""))

    data_keys = sorted(
        {k for v in views for k in v.tags if k.startswith(DATA_TAG_PREFIXES)},
        key=lambda k: (not k.startswith("delta.read."), k),
    )
    text_rows("data", data_keys, lambda v, k: v.tags.get(k, ""))
    return Comparison(views, rows)


def _columns(comparison: Comparison) -> list[str]:
    cols = ["section", "key", *comparison.headers]
    return [*cols, "change"] if len(comparison.runs) == 2 else cols


def _cells(comparison: Comparison, row: Row) -> list[str]:
    cells = [row.section, row.key, *row.values]
    return [*cells, row.change] if len(comparison.runs) == 2 else cells


def to_csv(comparison: Comparison) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    # Full run ids as column names: a spreadsheet joins on them.
    header = ["section", "key", *(v.run_id for v in comparison.runs)]
    writer.writerow([*header, "change"] if len(comparison.runs) == 2 else header)
    for row in comparison.rows:
        writer.writerow(_cells(comparison, row))
    return buf.getvalue()


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _short(text: str) -> str:
    """Run ids and git commits cut to 12 characters, for a terminal's width."""
    return text[:12] if HEX_ID.fullmatch(text) else text


def difference_lines(comparison: Comparison, short: bool = False) -> list[str]:
    """With two runs: one line per kind of difference (metrics, params, data versions)."""
    if len(comparison.runs) != 2:
        return []
    diffs = comparison.differences()
    lines = []
    for kind, label in (
        ("metrics", "metrics changed"),
        ("param", "params that differ"),
        ("data", "data versions that differ"),
        ("run", "run facts that differ"),
    ):
        found = diffs[kind]
        if not found:
            lines.append(f"{label}: none")
            continue
        parts = []
        for row in found:
            a, b = (_short(v) for v in row.values) if short else row.values
            detail = row.change if kind == "metrics" else f"{a or '-'} -> {b or '-'}"
            parts.append(f"{row.key} ({detail})")
        lines.append(f"{label} ({len(found)}): " + "; ".join(parts))
    return lines


def to_markdown(comparison: Comparison) -> str:
    cols = _columns(comparison)
    out = ["| " + " | ".join(_md_cell(c) for c in cols) + " |"]
    out.append("|" + "|".join("---" for _ in cols) + "|")
    for row in comparison.rows:
        out.append("| " + " | ".join(_md_cell(c) for c in _cells(comparison, row)) + " |")
    lines = difference_lines(comparison)
    if lines:
        out += ["", "**Differences** (second run against the first):", ""]
        out += [f"- {_md_cell(line)}" for line in lines]
    return "\n".join(out) + "\n"


def to_rich(comparison: Comparison):
    from rich.table import Table

    table = Table(title="MLflow runs", show_lines=False)
    for i, col in enumerate(_columns(comparison)):
        table.add_column(col, overflow="fold", no_wrap=i < 2)
    previous = None
    for row in comparison.rows:
        if previous is not None and row.section != previous:
            table.add_section()
        previous = row.section
        cells = [_short(c) for c in _cells(comparison, row)]
        style = "bold yellow" if row.change else None
        table.add_row(*cells, style=style)
    return table


def render(comparison: Comparison, fmt: str) -> str:
    """The comparison as text: csv, markdown, or the rich table drawn without colours."""
    if fmt == "csv":
        return to_csv(comparison)
    if fmt == "markdown":
        return to_markdown(comparison)
    if fmt == "table":
        from rich.console import Console

        console = Console(file=io.StringIO(), width=200, color_system=None)
        console.print(to_rich(comparison))
        for line in difference_lines(comparison, short=True):
            console.print(line, highlight=False, soft_wrap=True)
        return console.file.getvalue()
    raise ConfigError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
