"""Progress of long Spark work a person can follow: phase, tasks done / total, rows, elapsed, ETA.

`SparkProgress` polls `SparkContext.statusTracker()` from a thread (the status store exists
with or without the Spark UI) and draws one rich progress bar per phase. Each phase runs its
Spark jobs under its own job group, so the tracker tells which tasks belong to it; rows come
from an optional callable (a Spark accumulator's value, say).

Drawing is for people at a terminal: off a terminal or in CI (env CI set) nothing is drawn
and each phase logs one line when it ends.

    with SparkProgress(spark) as progress:
        with progress.phase("patents", rows=lambda: acc.value):
            rdd.foreachPartition(...)
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from pyspark.sql import SparkSession
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

log = logging.getLogger(__name__)

# Job group names unique in the process: the status tracker remembers finished groups.
_GROUPS = itertools.count(1)


def drawing_enabled(console: Console) -> bool:
    return console.is_terminal and not os.environ.get("CI")


@dataclass
class TaskCounts:
    total: int = 0
    done: int = 0
    active: int = 0
    failed: int = 0


def group_tasks(spark: SparkSession, group: str) -> TaskCounts:
    """Tasks of every stage of every job of a job group, as the status tracker knows them."""
    tracker = spark.sparkContext.statusTracker()
    counts = TaskCounts()
    for job_id in tracker.getJobIdsForGroup(group):
        job = tracker.getJobInfo(job_id)
        if job is None:
            continue
        for stage_id in job.stageIds:
            stage = tracker.getStageInfo(stage_id)
            if stage is None:  # skipped stages are never submitted
                continue
            counts.total += stage.numTasks
            counts.done += stage.numCompletedTasks
            counts.active += stage.numActiveTasks
            counts.failed += stage.numFailedTasks
    return counts


class _Tasks(ProgressColumn):
    """Spark tasks done / total ("?" until the phase's first stage is submitted)."""

    def render(self, task: Task) -> Text:
        total = "?" if task.total is None else f"{task.total:.0f}"
        return Text(f"{task.completed:.0f}/{total} tasks", style="progress.download")


class _Eta(ProgressColumn):
    """Time left from the rate so far; blank until a task finished."""

    def render(self, task: Task) -> Text:
        if not task.completed or task.total is None or task.finished:
            return Text("ETA -:--:--", style="progress.remaining")
        elapsed = task.elapsed or 0.0
        left = elapsed * (task.total - task.completed) / task.completed
        return Text(f"ETA {time.strftime('%H:%M:%S', time.gmtime(left))}", "progress.remaining")


class SparkProgress:
    def __init__(
        self,
        spark: SparkSession,
        console: Console | None = None,
        enabled: bool | None = None,
        interval: float = 0.5,
    ):
        self.spark = spark
        self.console = console or Console(stderr=True)
        self.enabled = drawing_enabled(self.console) if enabled is None else enabled
        self.interval = interval
        self._progress: Progress | None = None
        self._phases: list[tuple[str, int, Callable[[], int] | None]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> SparkProgress:
        if self.enabled:
            self._progress = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                _Tasks(),
                TextColumn("{task.fields[rows]}"),
                TimeElapsedColumn(),
                _Eta(),
                console=self.console,
                transient=False,
            )
            self._progress.start()
            self._thread = threading.Thread(target=self._poll, name="spark-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._progress is not None:
            self._refresh()
            self._progress.stop()

    @contextmanager
    def phase(self, name: str, rows: Callable[[], int] | None = None) -> Iterator[None]:
        """Run the block's Spark jobs as one phase (a job group named after it)."""
        sc = self.spark.sparkContext
        group = f"innolink-{next(_GROUPS)}-{name}"
        sc.setJobGroup(group, name, interruptOnCancel=False)
        task_id = None
        if self._progress is not None:
            task_id = self._progress.add_task(name, total=None, rows="")
            with self._lock:
                self._phases.append((group, task_id, rows))
        started = time.monotonic()
        try:
            yield
        finally:
            counts = group_tasks(self.spark, group)
            done_rows = rows() if rows else None
            if self._progress is not None and task_id is not None:
                self._update(task_id, counts, done_rows)
                with self._lock:
                    self._phases = [p for p in self._phases if p[1] != task_id]
            else:
                log.info(
                    "%s: %d tasks%s in %.1f s",
                    name,
                    counts.done,
                    f", {done_rows:,} rows" if done_rows is not None else "",
                    time.monotonic() - started,
                )
            sc.setLocalProperty("spark.jobGroup.id", None)
            sc.setLocalProperty("spark.job.description", None)

    def _update(self, task_id: int, counts: TaskCounts, rows: int | None) -> None:
        total = max(counts.total, counts.done) or None
        label = f"{rows:,} rows" if rows is not None else ""
        self._progress.update(task_id, total=total, completed=counts.done, rows=label)

    def _refresh(self) -> None:
        with self._lock:
            phases = list(self._phases)
        for group, task_id, rows in phases:
            try:
                self._update(task_id, group_tasks(self.spark, group), rows() if rows else None)
            except Exception:  # noqa: BLE001 - a drawing hiccup must never stop the job
                log.debug("progress poll failed", exc_info=True)

    def _poll(self) -> None:
        while not self._stop.wait(self.interval):
            self._refresh()
