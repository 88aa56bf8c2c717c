"""`innolink runs compare`: MLflow runs side by side, and what changed between two."""

from __future__ import annotations

import pytest
from innolink.cli import main
from innolink.errors import ConfigError
from innolink.runs import compare, load_runs, render
from mlflow.entities import Metric, Param, RunTag
from mlflow.tracking import MlflowClient

from .conftest import ROOT

T0 = 1_700_000_000_000  # ms; runs get explicit start times so "newest" is unambiguous


def make_run(
    client: MlflowClient,
    experiment_id: str,
    name: str,
    start: int,
    params: dict | None = None,
    metrics: dict | None = None,
    tags: dict | None = None,
    parent: str | None = None,
    status: str = "FINISHED",
) -> str:
    """A run as the stage runner leaves it (tags, params, metrics), with a fixed start time."""
    all_tags = dict(tags or {})
    if parent:
        all_tags["mlflow.parentRunId"] = parent
    run = client.create_run(experiment_id, start_time=start, tags=all_tags, run_name=name)
    run_id = run.info.run_id
    client.log_batch(
        run_id,
        metrics=[Metric(k, float(v), start, 0) for k, v in (metrics or {}).items()],
        params=[Param(k, str(v)) for k, v in (params or {}).items()],
        tags=[RunTag(k, str(v)) for k, v in all_tags.items()],
    )
    client.set_terminated(run_id, status=status, end_time=start + 12_500)
    return run_id


def linkage_run(client, exp, start, params, metrics, tags, groups, status="FINISHED") -> str:
    """A linkage parent run with one nested run per group (group -> metrics)."""
    parent = make_run(
        client, exp, "linkage", start, params, metrics, {"innolink.stage": "linkage", **tags},
        status=status,
    )  # fmt: skip
    for i, (group, group_metrics) in enumerate(groups.items()):
        make_run(
            client,
            exp,
            f"linkage {group}",
            start + 100 + i,
            {"group": group},
            group_metrics,
            {"innolink.stage": "linkage.group", "innolink.group": group},
            parent=parent,
        )
    return parent


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("runs")
    client = MlflowClient(tracking_uri=f"sqlite:///{tmp}/mlflow.db")
    exp = client.create_experiment("innolink", artifact_location=(tmp / "art").as_uri())
    old = linkage_run(
        client,
        exp,
        T0,
        {"model": "ridge", "alpha": "1.0", "folds": "5"},
        {"firms_scored": 40, "score_mean": 0.5},
        {
            "git.commit": "aaa111",
            "git.dirty": "false",
            "delta.read.gold/firm_keywords": "3",
            "delta.read.silver/firms": "7",
            "delta.written.gold/firm_scores": "1",
        },
        {"JP/startup": {"n": 10, "mean": 0.4}, "US/startup": {"n": 12, "mean": 0.6}},
    )
    new = linkage_run(
        client,
        exp,
        T0 + 60_000,
        {"model": "ridge", "alpha": "2.0", "folds": "5"},
        {"firms_scored": 40, "score_mean": 0.55},
        {
            "git.commit": "bbb222",
            "git.dirty": "false",
            "delta.read.gold/firm_keywords": "4",
            "delta.read.silver/firms": "7",
            "delta.written.gold/firm_scores": "2",
        },
        {
            "JP/startup": {"n": 10, "mean": 0.45},
            "KR/startup": {"n": 11, "mean": 0.3},
            "US/startup": {"n": 12, "mean": 0.6},
        },
    )
    # Newer runs that the default must pass over: another stage's, and a nested run.
    summary = make_run(
        client, exp, "summary", T0 + 120_000, {}, {"rows": 9}, {"innolink.stage": "summary"}
    )
    return {"tmp": tmp, "client": client, "old": old, "new": new, "summary": summary}


def args(store, *extra):
    return [
        "runs",
        "compare",
        *extra,
        "--conf-dir",
        str(ROOT / "conf"),
        "--set",
        f"mlflow.tracking_uri=sqlite:///{store['tmp']}/mlflow.db",
    ]


def test_default_is_the_two_newest_linkage_runs_oldest_first(store):
    views = load_runs(store["client"], "innolink")
    # The summary run and the nested group runs are newer but not linkage parent runs.
    assert [v.run_id for v in views] == [store["old"], store["new"]]
    assert [sorted(v.groups()) for v in views] == [
        ["JP/startup", "US/startup"],
        ["JP/startup", "KR/startup", "US/startup"],
    ]


def test_csv_lists_every_key_side_by_side_with_the_change(store):
    old, new = store["old"], store["new"]
    out = render(compare(load_runs(store["client"], "innolink")), "csv")
    assert out.splitlines() == [
        f"section,key,{old},{new},change",
        f"run,run id,{old},{new},",
        "run,name,linkage,linkage,",
        "run,stage,linkage,linkage,",
        "run,status,FINISHED,FINISHED,",
        "run,started,2023-11-14 22:13:20 UTC,2023-11-14 22:14:20 UTC,",
        "run,duration,12.5 s,12.5 s,",
        "run,git commit,aaa111,bbb222,changed",
        "run,git dirty,false,false,",
        "run,env,,,",
        "param,alpha,1.0,2.0,changed",
        "param,folds,5,5,",
        "param,model,ridge,ridge,",
        "metric,firms_scored,40,40,",
        "metric,score_mean,0.5,0.55,+0.05",
        "group,groups,2,3,+1",
        "group,JP/startup: mean,0.4,0.45,+0.05",
        "group,JP/startup: n,10,10,",
        "group,KR/startup: mean,,0.3,added",
        "group,KR/startup: n,,11,added",
        "group,US/startup: mean,0.6,0.6,",
        "group,US/startup: n,12,12,",
        "data,delta.read.gold/firm_keywords,3,4,changed",
        "data,delta.read.silver/firms,7,7,",
        "data,delta.written.gold/firm_scores,1,2,changed",
    ]


def test_markdown_ends_with_the_differences(store):
    out = render(compare(load_runs(store["client"], "innolink")), "markdown")
    lines = out.splitlines()
    assert lines[0].startswith("| section | key | linkage ")
    assert "| param | alpha | 1.0 | 2.0 | changed |" in lines
    assert lines[lines.index("**Differences** (second run against the first):") + 2 :] == [
        "- metrics changed (5): score_mean (+0.05); groups (+1); JP/startup: mean (+0.05); "
        "KR/startup: mean (added); KR/startup: n (added)",
        "- params that differ (1): alpha (1.0 -> 2.0)",
        "- data versions that differ (2): delta.read.gold/firm_keywords (3 -> 4); "
        "delta.written.gold/firm_scores (1 -> 2)",
        "- run facts that differ (1): git commit (aaa111 -> bbb222)",
    ]


def test_cli_table_in_the_terminal(store, capsys):
    assert main(args(store)) == 0
    out = capsys.readouterr().out
    assert "params that differ (1): alpha (1.0 -> 2.0)" in out
    assert "delta.written.gold/firm_scores" in out


def test_three_named_runs_have_no_change_column(store, tmp_path):
    target = tmp_path / "runs.csv"
    ids = f"{store['old']},{store['new']}"
    assert main(args(store, "--runs", ids, "--runs", store["summary"], "--format", "csv",
                     "--out", str(target))) == 0  # fmt: skip
    lines = target.read_text().splitlines()
    assert lines[0] == f"section,key,{store['old']},{store['new']},{store['summary']}"
    assert "metric,rows,,,9" in lines
    assert "run,stage,linkage,linkage,summary" in lines


def test_unknown_run_id_is_a_clear_error_not_a_trace(store, capsys):
    assert main(args(store, store["old"], "nosuchrun")) == 2
    err = " ".join(capsys.readouterr().err.split())  # rich wraps long lines
    assert "no MLflow run 'nosuchrun' in the tracking store sqlite:///" in err
    assert "Traceback" not in err


def test_no_runs_of_the_stage_says_what_to_run(store, capsys):
    with pytest.raises(ConfigError, match="no runs of stage 'flows' in MLflow experiment"):
        load_runs(store["client"], "innolink", stage="flows")
    assert main(args(store, "--experiment", "nosuch")) == 2
    assert "run `innolink run linkage` first" in " ".join(capsys.readouterr().err.split())


def test_bad_format_exits_2(store, capsys):
    assert main(args(store, "--format", "xml")) == 2
    assert "--format must be one of table, csv, markdown" in capsys.readouterr().err
