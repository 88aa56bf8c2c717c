"""`innolink`: run stages, list tables, open the MLflow UI.

Exit codes: 0 the stages finished (rejected records are not a failure); 1 a stage failed;
2 bad command line or configuration; 3 the machine is not set up (`make setup`).
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.table import Table

from innolink.errors import ConfigError, InnolinkError

app = typer.Typer(
    help="innolink: patents -> products, firm by firm, across countries.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)
log = logging.getLogger("innolink")

EnvOpt = Annotated[str, typer.Option("--env", help="Environment: conf/env/<env>.yaml.")]
SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override a configuration key: --set a.b=c (repeatable)."),
]
WarehouseOpt = Annotated[
    str | None,
    typer.Option(
        "--warehouse", help="Warehouse root (default ./warehouse; s3a://... on clusters)."
    ),
]
ConfDirOpt = Annotated[str, typer.Option("--conf-dir", help="Configuration folder.")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Log at DEBUG level.")]


def _setup_logging(verbose: bool) -> None:
    # Rich wraps at 80 columns when it is not drawing on a terminal (CI, `make demo | tee`),
    # which breaks log lines apart; plain lines there.
    if console.is_terminal:
        handler: logging.Handler = RichHandler(
            console=console, show_path=False, rich_tracebacks=True
        )
        fmt = "%(name)s: %(message)s"
    else:
        handler = logging.StreamHandler(sys.stderr)
        fmt = "%(asctime)s %(levelname)s %(name)s: %(message)s"
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format=fmt,
        handlers=[handler],
        force=True,
    )
    # MLflow sets its own loggers' level when it is imported, from this variable.
    os.environ.setdefault("MLFLOW_LOGGING_LEVEL", "DEBUG" if verbose else "WARNING")
    for noisy in ("py4j", "alembic", "urllib3", "botocore", "mlflow"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # pyspark logs every failed query plan as a multi-kilobyte JSON record; the CLI reports
    # the error itself, and --verbose shows the trace.
    logging.getLogger("DataFrameQueryContextLogger").setLevel(
        logging.DEBUG if verbose else logging.CRITICAL
    )


def _load(
    env: str,
    sets: list[str] | None,
    warehouse: str | None,
    conf_dir: str,
    extra: dict | None = None,
):
    from innolink.config import deep_merge, load_config

    layer = dict(extra or {})
    if warehouse:
        layer = deep_merge(layer, {"warehouse": warehouse})
    return load_config(env=env, overrides=sets, conf_dir=conf_dir, extra=layer)


def _fail(exc: InnolinkError) -> None:
    console.print(f"[bold red]error:[/] {exc}")
    raise typer.Exit(exc.exit_code)


@app.command()
def run(
    stages: Annotated[list[str], typer.Argument(help="Stage names, or `all`.")],
    env: EnvOpt = "local",
    sets: SetOpt = None,
    warehouse: WarehouseOpt = None,
    inputs: Annotated[
        list[str] | None,
        typer.Option(
            "--input", help="Input path replacing the stage's configured inputs (repeatable)."
        ),
    ] = None,
    formats: Annotated[
        list[str] | None,
        typer.Option("--format", help="Format of the --input at the same position (repeatable)."),
    ] = None,
    conf_dir: ConfDirOpt = "conf",
    verbose: VerboseOpt = False,
) -> None:
    """Run stages on the configured (or given) inputs and write their Delta tables."""
    _setup_logging(verbose)
    try:
        from innolink.stages import resolve_stages, run_stage

        names = resolve_stages(stages)
        extra: dict = {}
        inputs, formats = inputs or [], formats or []
        if inputs or formats:
            if len(inputs) != len(formats):
                raise ConfigError("give one --format per --input, in the same order")
            if len(names) != 1:
                raise ConfigError("--input/--format need exactly one stage")
            extra = {
                "stages": {
                    names[0]: {
                        "inputs": [
                            {"path": p if "://" in p else os.path.abspath(p), "format": f}
                            for p, f in zip(inputs, formats, strict=True)
                        ]
                    }
                }
            }
        cfg = _load(env, sets, warehouse, conf_dir, extra)
        from innolink.progress import SparkProgress
        from innolink.session import build_session

        spark = build_session(cfg)
        with SparkProgress(spark, console=console) as progress:
            for name in names:
                with progress.phase(name):
                    result = run_stage(name, cfg, spark)
                console.print(
                    f"[green]{name}[/]: in {result.records_in}, out {result.records_out}, "
                    f"rejected {result.records_rejected}"
                )
    except InnolinkError as exc:
        _fail(exc)
    except Exception as exc:  # noqa: BLE001 - one clear line for the user, the trace in the log
        log.debug("stage failed", exc_info=True)
        console.print(
            f"[bold red]error:[/] {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        )
        console.print("run again with --verbose for the full trace")
        raise typer.Exit(1) from None


@app.command()
def submit(
    stage: Annotated[str, typer.Argument(help="A stage name, or `all`.")],
    target: Annotated[
        str,
        typer.Option("--target", help="local | standalone | yarn | k8s | emr | emr-serverless."),
    ],
    env: EnvOpt = "cluster",
    sets: SetOpt = None,
    warehouse: WarehouseOpt = None,
    inputs: Annotated[
        list[str] | None,
        typer.Option("--input", help="Input path (URI on clusters) for the stage (repeatable)."),
    ] = None,
    formats: Annotated[
        list[str] | None,
        typer.Option("--format", help="Format of the --input at the same position (repeatable)."),
    ] = None,
    wait: Annotated[
        bool, typer.Option("--wait/--no-wait", help="Follow the job until it ends.")
    ] = True,
    conf_dir: ConfDirOpt = "conf",
    verbose: VerboseOpt = False,
) -> None:
    """Build the bundle (wheel, configuration, jars, Python), submit a stage to a cluster,
    follow it, say where its logs are, and exit with the job's result."""
    _setup_logging(verbose)
    try:
        from innolink.stages import resolve_stages
        from innolink.submit import submit as do_submit

        resolve_stages([stage])
        cfg = _load(env, sets, warehouse, conf_dir)
        inputs, formats = inputs or [], formats or []
        if len(inputs) != len(formats):
            raise ConfigError("give one --format per --input, in the same order")
        app_args = ["--env", env]
        for assignment in sets or []:
            app_args += ["--set", assignment]
        if warehouse:
            app_args += ["--warehouse", warehouse]
        for path, fmt in zip(inputs, formats, strict=True):
            app_args += ["--input", path, "--format", fmt]
        code = do_submit(cfg, target, stage, app_args, wait=wait)
    except InnolinkError as exc:
        _fail(exc)
    if code != 0:
        console.print(f"[bold red]{stage} on {target}: failed (exit {code})[/]")
    raise typer.Exit(code)


@app.command()
def generate(
    out: Annotated[str, typer.Option("--out", help="Output folder (emptied first).")],
    scale: Annotated[
        str, typer.Option("--scale", help="demo (~200 firms), M (10k firms) or L (60k firms).")
    ] = "demo",
    seed: Annotated[int, typer.Option("--seed", help="Same seed, byte-identical world.")] = 1,
    firms: Annotated[
        int | None,
        typer.Option("--firms", help="Number of firms (the scale's patents and pages per firm)."),
    ] = None,
    env: EnvOpt = "local",
    sets: SetOpt = None,
    conf_dir: ConfDirOpt = "conf",
    verbose: VerboseOpt = False,
) -> None:
    """Write a synthetic world with planted truth in the real input formats (docs/synthetic_world.md)."""
    _setup_logging(verbose)
    try:
        import time

        from innolink.synth.world import SCALES, scale_of

        if scale not in SCALES:
            raise ConfigError(f"--scale must be one of {', '.join(SCALES)}, got {scale!r}")
        if firms is not None and firms < 1:
            raise ConfigError("--firms must be at least 1")
        cfg = _load(env, sets, None, conf_dir)
        from innolink.progress import SparkProgress
        from innolink.session import build_session
        from innolink.synth.generate import generate as generate_world

        spark = build_session(cfg)
        started = time.monotonic()
        with SparkProgress(spark, console=console) as progress:
            manifest = generate_world(
                spark, seed, scale_of(scale, firms), os.path.abspath(out), progress
            )
        counts = manifest["counts"]
        console.print(
            f"[green]generate[/]: {counts['firms']} firms, {counts['patents']} patents, "
            f"{counts['pages']} pages, {sum(manifest['bytes'].values()) / 1e6:.1f} MB in "
            f"{time.monotonic() - started:.1f} s -> {os.path.abspath(out)}/MANIFEST.json"
        )
    except InnolinkError as exc:
        _fail(exc)
    except Exception as exc:  # noqa: BLE001 - one clear line for the user, the trace in the log
        log.debug("generate failed", exc_info=True)
        console.print(f"[bold red]error:[/] {type(exc).__name__}: {str(exc)[:300]}")
        console.print("run again with --verbose for the full trace")
        raise typer.Exit(1) from None


@app.command()
def tables(
    env: EnvOpt = "local",
    sets: SetOpt = None,
    warehouse: WarehouseOpt = None,
    conf_dir: ConfDirOpt = "conf",
    verbose: VerboseOpt = False,
) -> None:
    """List every registered table with its row count and Delta version."""
    _setup_logging(verbose)
    try:
        cfg = _load(env, sets, warehouse, conf_dir)
        from innolink.session import build_session

        _print_tables(build_session(cfg), cfg)
    except InnolinkError as exc:
        _fail(exc)


def _print_tables(spark, cfg) -> None:
    """Every registered table with its row count and Delta version, as a terminal table."""
    from delta.tables import DeltaTable

    from innolink.tables import REGISTRY

    out = Table(title=f"tables in {cfg.warehouse_uri}")
    for col in ("table", "rows", "version", "path"):
        out.add_column(col, justify="right" if col in ("rows", "version") else "left")
    for spec in REGISTRY.values():
        path = spec.path(cfg.warehouse_uri)
        if DeltaTable.isDeltaTable(spark, path):
            version = DeltaTable.forPath(spark, path).history(1).first()["version"]
            rows = spark.read.format("delta").load(path).count()
            out.add_row(spec.id, str(rows), str(version), path)
        else:
            out.add_row(spec.id, "-", "-", f"{path} (not written yet)")
    Console().print(out)


@app.command()
def report(
    env: EnvOpt = "local",
    sets: SetOpt = None,
    warehouse: WarehouseOpt = None,
    out: Annotated[
        str | None,
        typer.Option(
            "--out", help="Folder of index.html and its figures (default report.out_dir)."
        ),
    ] = None,
    screenshot: Annotated[
        str | None,
        typer.Option("--screenshot", help="Also save a PNG of the page (headless Chromium)."),
    ] = None,
    with_tables: Annotated[
        bool,
        typer.Option(
            "--tables", help="First list every table as `innolink tables` does (one Spark start)."
        ),
    ] = False,
    conf_dir: ConfDirOpt = "conf",
    verbose: VerboseOpt = False,
) -> None:
    """Write the analysts' HTML report: scores by country x firm type x industry, inventor
    flows, science linkage, caveats and the data versions behind every number."""
    _setup_logging(verbose)
    try:
        from pathlib import Path

        cfg = _load(env, sets, warehouse, conf_dir)
        from innolink.report.build import build_report
        from innolink.session import build_session

        spark = build_session(cfg)
        if with_tables:
            _print_tables(spark, cfg)
        result = build_report(spark, cfg, os.path.abspath(out) if out else None)
        for section, why in result.not_produced.items():
            console.print(f"[yellow]{section}[/]: not produced: {why}")
        console.print(f"[green]report[/]: {result.path}")
        if screenshot:
            from innolink.report.browser import screenshot as take

            png = take(
                result.path,
                Path(os.path.abspath(screenshot)),
                browser=cfg.report.browser,
                width=cfg.report.screenshot_width,
                height=cfg.report.screenshot_height,
                timeout=cfg.report.browser_timeout_s,
            )
            console.print(f"[green]screenshot[/]: {png}")
    except InnolinkError as exc:
        _fail(exc)
    except Exception as exc:  # noqa: BLE001 - one clear line for the user, the trace in the log
        log.debug("report failed", exc_info=True)
        console.print(f"[bold red]error:[/] {type(exc).__name__}: {str(exc)[:300]}")
        console.print("run again with --verbose for the full trace")
        raise typer.Exit(1) from None


runs_app = typer.Typer(
    help="MLflow runs of the stages: compare them side by side.", no_args_is_help=True
)
app.add_typer(runs_app, name="runs")


@runs_app.command("compare")
def runs_compare(
    run_ids: Annotated[
        list[str] | None, typer.Argument(help="Run ids (default: the two newest of --stage).")
    ] = None,
    runs: Annotated[
        list[str] | None,
        typer.Option("--runs", help="Run ids, repeatable or comma-separated."),
    ] = None,
    experiment: Annotated[
        str | None,
        typer.Option("--experiment", help="Experiment searched for the newest runs."),
    ] = None,
    stage: Annotated[str, typer.Option("--stage", help="Stage whose runs are compared.")] = (
        "linkage"
    ),
    fmt: Annotated[str, typer.Option("--format", help="table | csv | markdown.")] = "table",
    out: Annotated[
        str | None, typer.Option("--out", help="Write to this file instead of the terminal.")
    ] = None,
    env: EnvOpt = "local",
    sets: SetOpt = None,
    conf_dir: ConfDirOpt = "conf",
    verbose: VerboseOpt = False,
) -> None:
    """MLflow runs side by side: groups, metrics, params, Delta versions read and written, git
    commit; with two runs, what changed from the first to the second."""
    _setup_logging(verbose)
    try:
        from pathlib import Path

        from innolink.runs import (
            FORMATS,
            client_for,
            compare,
            default_experiment,
            difference_lines,
            load_runs,
            render,
            to_rich,
        )

        if fmt not in FORMATS:
            raise ConfigError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
        cfg = _load(env, sets, None, conf_dir)
        ids = [
            part.strip() for given in [*(run_ids or []), *(runs or [])] for part in given.split(",")
        ]
        comparison = compare(
            load_runs(
                client_for(cfg),
                experiment or default_experiment(cfg, stage),
                stage,
                [i for i in ids if i],
            )
        )
        if out:
            Path(out).write_text(render(comparison, fmt), encoding="utf-8")
            console.print(f"[green]runs compare[/]: {os.path.abspath(out)}")
        elif fmt == "table":
            terminal = Console()
            terminal.print(to_rich(comparison))
            for line in difference_lines(comparison, short=True):
                terminal.print(line, highlight=False)
        else:
            sys.stdout.write(render(comparison, fmt))
    except InnolinkError as exc:
        _fail(exc)


@app.command()
def stages() -> None:
    """List the stages `innolink run all` runs, in order."""
    from innolink.stages import _registry

    for stage in _registry().values():
        typer.echo(f"{stage.name}\t{stage.description}")


@app.command()
def ui(
    env: EnvOpt = "local",
    sets: SetOpt = None,
    conf_dir: ConfDirOpt = "conf",
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 5000,
) -> None:
    """Serve the MLflow UI for the configured tracking store on 127.0.0.1."""
    try:
        cfg = _load(env, sets, None, conf_dir)
    except InnolinkError as exc:
        _fail(exc)
    from innolink.tracking import artifact_location, tracking_uri

    args = ["mlflow", "ui", "--backend-store-uri", tracking_uri(cfg)]
    artifacts = artifact_location(cfg)
    if artifacts:
        args += ["--default-artifact-root", artifacts]
    args += ["--host", "127.0.0.1", "--port", str(port)]
    os.execvp(args[0], args)


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point; also what jobs/*.py call under spark-submit."""
    try:
        # Non-standalone click returns the exit code of typer.Exit instead of raising it.
        code = app(args=argv, prog_name="innolink", standalone_mode=False)
        return code if isinstance(code, int) else 0
    except typer.Exit as exc:
        return exc.exit_code
    except SystemExit as exc:  # click's usage errors
        return int(exc.code or 0)
    except Exception as exc:  # click.UsageError and friends in non-standalone mode
        from click import ClickException

        if isinstance(exc, ClickException):
            exc.show()
            return exc.exit_code
        raise


if __name__ == "__main__":
    sys.exit(main())
