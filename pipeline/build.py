"""Build the warehouse: ingest → dbt → checks and stats (side by side, :mod:`pipeline.workers`), then publish whole.

Every stage works on a fresh build file; the published warehouse is replaced
only once all of them passed (see :mod:`pipeline.publish`). Stage timings and
the run's identity are kept in ``audit.builds`` / ``audit.build_stages`` so that
readers can see when and from what the data were built.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import fcntl
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from ingest.run import describe, ingest
from pipeline.catalogue import DescribedTable, apply_comments, model_tables
from pipeline.errors import EnvironmentProblem, StageFailed, environment_words
from pipeline.publish import discard, new_build_path, publish, remove_stale_builds, warehouse_lock
from pipeline.workers import Workers, die_with_parent

if TYPE_CHECKING:
    import pandas as pd

PROJECT_DIR = Path(__file__).resolve().parent.parent
DBT_DIR = PROJECT_DIR / "dbt_project"
#: What ``measure`` calls the checks and the stats, which run side by side (each has its own timing too).
PARALLEL_STAGE = "checks_stats"


@dataclass
class BuildContext:
    raw_dir: Path
    warehouse: Path
    build_path: Path
    run_id: str
    started_at: dt.datetime
    timings: dict[str, float] = field(default_factory=dict)
    log: Callable[[str], None] = print
    #: The models and seeds dbt built, with their YAML descriptions (DuckDB comments at publish).
    described: list[DescribedTable] = field(default_factory=list)


def run_ingest(ctx: BuildContext) -> None:
    for report in ingest(ctx.raw_dir, ctx.build_path, loaded_at=ctx.started_at):
        ctx.log(f"  {describe(report)}")


def dbt_target() -> Path:
    """dbt's target folder (parse cache, artefacts, logs): ``DBT_TARGET_PATH`` when set, as dbt itself reads it,
    so that builds running at the same time (test workers) each have their own and do not wait on one lock."""
    return Path(os.environ.get("DBT_TARGET_PATH") or DBT_DIR / "target")


def dbt_env(db_path: Path) -> dict[str, str]:
    """Environment for a dbt run on ``db_path``: no telemetry (no network here), logs in target/."""
    env = dict(os.environ)
    env.update(
        SURVEY_DB_PATH=str(db_path),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DO_NOT_TRACK="1",
        DBT_LOG_PATH=str(dbt_target() / "logs"),
        DBT_PROFILES_DIR=str(DBT_DIR),
    )
    return env


def empty_stats_tables(db_path: Path) -> None:
    """The ``stats`` tables, typed and empty, before dbt: report views that join the tests
    (``report.wave_comparison``) bind to them; the stats stage fills them once the marts exist."""
    from stats.results import write_tables

    con = duckdb.connect(str(db_path))
    try:
        write_tables(con, {})
    finally:
        con.close()


def run_dbt(ctx: BuildContext) -> None:
    empty_stats_tables(ctx.build_path)
    dbt = Path(sys.executable).with_name("dbt")
    cmd = [str(dbt), "--no-use-colors", "build", "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR),
           "--target-path", str(dbt_target())]
    lock_path = dbt_target() / ".build.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as lock:
        # dbt keeps its parse cache and artefacts in target/: one dbt run at a time.
        fcntl.flock(lock, fcntl.LOCK_EX)
        with _stable_path(ctx.build_path) as db_path:
            proc = subprocess.run(
                cmd, env=dbt_env(db_path), capture_output=True, text=True, cwd=DBT_DIR, preexec_fn=die_with_parent
            )
        if proc.returncode == 0:  # this run's manifest, read while no other dbt run can replace it
            ctx.described = model_tables(dbt_target() / "manifest.json")
    lines = proc.stdout.splitlines()
    summary = next((line for line in reversed(lines) if "Done. PASS=" in line), None)
    if proc.returncode != 0:
        machine = environment_words(proc.stdout + proc.stderr)
        if machine:  # the disk, not the data: exit 3 like any other stage's disk full
            raise EnvironmentProblem(f"{ctx.build_path}: {machine} (dbt could not write the build file)")
        detail = _dbt_failures(lines) or (proc.stdout + proc.stderr)[-3000:]
        raise StageFailed("dbt", f"dbt build failed ({summary or 'no summary'}):\n{detail}")
    ctx.log(f"  dbt: {summary.split('Done. ')[-1] if summary else 'ok'}")


@contextmanager
def _stable_path(build_path: Path) -> Iterator[Path]:
    """The build file under a path that is the same from one build to the next.

    dbt re-parses the whole project when its profile changes, and the
    profile holds the database path: a build file in a new folder each time
    cost a full parse per build (1.5 s). dbt opens a symbolic link in
    target/ instead, named like the build file (DuckDB names the database
    after it). DuckDB keeps its write-ahead log beside the path it opened,
    so once dbt is done the link is opened once more, which replays and
    checkpoints anything dbt's DuckDB left in that log, and then removed.
    """
    link = dbt_target() / "build" / build_path.name
    link.parent.mkdir(parents=True, exist_ok=True)
    link.unlink(missing_ok=True)
    link.with_name(link.name + ".wal").unlink(missing_ok=True)
    link.symlink_to(build_path)
    try:
        yield link
        duckdb.connect(str(link)).close()
    finally:
        link.unlink(missing_ok=True)


def _dbt_failures(lines: list[str]) -> str:
    """The part of dbt's output after its summary header: each failure with its reason."""
    start = next((i for i, line in enumerate(lines) if "Completed with" in line), None)
    kept = lines[start:] if start is not None else [line for line in lines if "ERROR" in line or "FAIL" in line]
    return "\n".join(line for line in kept[-40:] if line.strip())


def _checks_job(build_path: Path, docs_folder: Path, run_name: str) -> tuple[object, float]:
    """In the checks worker: validate the build file read-only (see :mod:`pipeline.workers`)."""
    from checks.gate import evaluate

    t0 = time.perf_counter()
    result = evaluate(build_path, docs_folder, run_name=run_name)
    return result, time.perf_counter() - t0


def _stats_job(build_path: Path) -> tuple[object, float]:
    """In the stats worker: compute every test on the build file, read-only."""
    from stats.run import compute_stats

    t0 = time.perf_counter()
    result = compute_stats(build_path)
    return result, time.perf_counter() - t0


def _app_scans_job(build_path: Path) -> tuple[pd.DataFrame, float]:
    """In the checks or the stats worker, whichever is free first: every app page's whole-wave scan of the build
    file, read-only, through the app's own query layer (:func:`app.scans.whole_wave_scans`)."""
    import logging

    # outside a served app, st.cache_data warns at each cached function that it has no runtime (streamlit resets
    # its loggers' levels when it reads its configuration: a filter, set before streamlit is imported, stays)
    logging.getLogger("streamlit.runtime.caching.cache_data_api").addFilter(
        lambda record: "No runtime found" not in record.getMessage()
    )
    from app import db
    from app.scans import whole_wave_scans

    t0 = time.perf_counter()
    try:
        return whole_wave_scans(build_path), time.perf_counter() - t0
    finally:
        db.close_run_connection()


def write_app_scans(con: duckdb.DuckDBPyConnection, scans: pd.DataFrame) -> None:
    """``app_cache.whole_wave_scans`` (:mod:`app.precomputed`), replaced whole."""
    from app.precomputed import SCHEMA, TABLE

    con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    con.register("app_scans_frame", scans)
    try:
        con.execute(f"CREATE OR REPLACE TABLE {SCHEMA}.{TABLE} AS SELECT * FROM app_scans_frame ORDER BY ALL")
    finally:
        con.unregister("app_scans_frame")


def run_checks_and_stats(ctx: BuildContext, workers: Workers) -> None:
    """The checks and the stats at the same time, each in its warm worker, the app's whole-wave scans in whichever
    of the two is free first; then, in this process, the checks' results into the build file, and the stats' rows
    and the scans only if every check passed."""
    from checks.gate import ChecksFailed, record
    from stats.results import write_tables

    checks = workers["checks"].submit(
        _checks_job, ctx.build_path, ctx.warehouse.parent / "data_docs", f"build-{ctx.run_id}"
    )
    stats = workers["stats"].submit(_stats_job, ctx.build_path)
    concurrent.futures.wait([checks, stats], return_when=concurrent.futures.FIRST_COMPLETED)
    # the scans only read the build file, like both stages: the first free core computes them, and they are
    # written only if the checks pass
    scanner = "stats" if stats.done() and not checks.done() else "checks"
    app_scans = workers[scanner].submit(_app_scans_job, ctx.build_path)
    gate, ctx.timings["checks"] = workers["checks"].result(checks)
    ctx.log(gate.log_line)
    if gate.failed:
        workers["stats"].close()  # its numbers will not be published; it reads the file this process must write
        workers["checks"].close()
    else:
        scans, ctx.timings["app_scans"] = workers[scanner].result(app_scans)
        result, ctx.timings["stats"] = workers["stats"].result(stats)
    con = duckdb.connect(str(ctx.build_path))
    try:
        try:
            record(con, ctx.run_id, gate)
        except ChecksFailed as exc:
            raise StageFailed("checks", str(exc)) from exc
        write_tables(con, result.tables)
        write_app_scans(con, scans)
    finally:
        con.close()
    ctx.log(f"  app: {scans['scan_key'].nunique()} whole-wave page scans precomputed "
            f"({len(scans)} rows; {ctx.timings['app_scans']:.1f} s)")
    for line in result.log_lines:
        ctx.log(line)


def stages() -> list[tuple[str, Callable[[BuildContext], None]]]:
    """The stages that run one after the other; the checks and the stats follow, side by side."""
    return [("ingest", run_ingest), ("dbt", run_dbt)]


def record_audit(ctx: BuildContext) -> None:
    con = duckdb.connect(str(ctx.build_path))
    try:
        con.execute("CREATE SCHEMA IF NOT EXISTS audit")
        con.execute(
            """CREATE TABLE IF NOT EXISTS audit.builds (run_id VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP,
               raw_dir VARCHAR, warehouse VARCHAR)"""
        )
        con.execute("CREATE TABLE IF NOT EXISTS audit.build_stages (run_id VARCHAR, stage VARCHAR, seconds DOUBLE)")
        con.execute(
            "INSERT INTO audit.builds VALUES (?, ?, ?, ?, ?)",
            [
                ctx.run_id,
                ctx.started_at,
                dt.datetime.now(dt.UTC).replace(tzinfo=None),
                str(ctx.raw_dir),
                str(ctx.warehouse),
            ],
        )
        con.executemany(
            "INSERT INTO audit.build_stages VALUES (?, ?, ?)",
            [[ctx.run_id, s, round(t, 3)] for s, t in ctx.timings.items()],
        )
    finally:
        con.close()


def comment_tables(ctx: BuildContext) -> None:
    """Every table's and column's description as DuckDB comments (see :mod:`pipeline.catalogue`): those of the
    tables dbt does not build (raw, stats, audit) from their source YAML, those of dbt's models and seeds from
    its manifest; once every stage has written its tables."""

    con = duckdb.connect(str(ctx.build_path))
    try:
        apply_comments(con, tables=ctx.described)
    finally:
        con.close()


@contextmanager
def _timed(ctx: BuildContext, name: str) -> Iterator[None]:
    t0 = time.perf_counter()
    yield
    ctx.timings[name] = time.perf_counter() - t0


def build(
    raw_dir: Path,
    warehouse: Path,
    log: Callable[[str], None] = print,
    keep_failed: bool = False,
    measure: Callable[[str], AbstractContextManager[object]] | None = None,
) -> BuildContext:
    """Run every stage into a new file and publish it; raise on the first failure.

    ``measure(stage)`` wraps each stage (the benchmark samples memory with it).
    """
    measure = measure or (lambda _stage: nullcontext())
    warehouse = warehouse.resolve()
    with warehouse_lock(warehouse) as lock_fd:
        return _build_locked(raw_dir, warehouse, log, keep_failed, measure, lock_fd)


def _build_locked(
    raw_dir: Path,
    warehouse: Path,
    log: Callable[[str], None],
    keep_failed: bool,
    measure: Callable[[str], AbstractContextManager[object]],
    lock_fd: int,
) -> BuildContext:
    remove_stale_builds(warehouse)
    started_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    build_path = new_build_path(warehouse)
    ctx = BuildContext(
        raw_dir=raw_dir.resolve(),
        warehouse=warehouse,
        build_path=build_path,
        run_id=started_at.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}",
        started_at=started_at,
        log=log,
    )
    t_total = time.perf_counter()
    try:
        with Workers() as workers:  # they start importing now, while ingest and dbt run
            for name, stage in stages():
                log(f"build: {name}…")
                with measure(name), _timed(ctx, name):
                    stage(ctx)
            log("build: checks and stats…")
            with measure(PARALLEL_STAGE):
                run_checks_and_stats(ctx, workers)
        with measure("publish"), _timed(ctx, "publish"):
            record_audit(ctx)
            comment_tables(ctx)
            publish(build_path, warehouse, locked_fd=lock_fd)
    except BaseException:
        if keep_failed and build_path.exists():
            kept = warehouse.parent / "failed" / warehouse.name  # same name: its views keep working
            kept.parent.mkdir(exist_ok=True)
            os.replace(build_path, kept)
            log(f"build: the failed build is kept for inspection in {kept}")
        discard(build_path)
        raise
    ctx.timings["total"] = time.perf_counter() - t_total
    return ctx
