"""Read-only access to the published warehouse: one build per page run, results cached per build.

``make build`` publishes a new warehouse with ``os.replace`` while the app may
be serving pages; a reader that has the old file open keeps reading it (its
inode lives on), a reader that opens the path afterwards gets the new one.

**One build per run.** A page run starts with :func:`pin_run` (``app/main.py``):
it opens the run's read-only connection and records the version (inode, mtime,
size) of the very file that connection reads. Every query of the run executes
on that connection and is cached under that version; the path is not looked at
again until the run ends (:func:`close_run_connection`). So a publish during a
render shows in the next run, never in the rest of this one, and a cached
result is always keyed by the build it was read from. (Stat'ing the path at
each query, as this module used to, let a run mix two builds, and let a run
still reading the old file store its results under the new file's version,
where every later session found them until the next build.)

**Which file did we open?** DuckDB opens the path itself, so :func:`pin_run`
stats the path, opens, and stats again: if a publish landed in between, the
two stats differ and it opens again; when they agree, the file opened is the
one they describe.

**Why ATTACH, not ``duckdb.connect(path)``.** The Python client shares one
database instance among all connections to the same path in a process: while
any other session's run still holds the old file, ``connect(path)`` would hand
a new run that old instance, whatever a stat of the path says. A fresh
in-memory database is never shared, and ``ATTACH`` in it opens the path at that
moment. ``ATTACH`` names the catalog after the file exactly as ``connect`` does
(dbt's views refer to their tables through that name) and ``USE`` makes it the
default, so queries read as they would on a direct connection.

No connection outlives its run, so old files are released as soon as the
sessions reading them finish their page. Outside a page run (tests, scripts
calling the query layer directly) the first query pins the run lazily, with
the same guarantee until :func:`close_run_connection`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from app.sql import column, literal

FileVersion = tuple[int, int, int]

#: Opens :func:`pin_run` tries when publishes keep landing between its two stats (a build takes far longer).
PIN_ATTEMPTS = 5


class WarehouseMissing(FileNotFoundError):
    """No published warehouse at the configured path."""


class WarehouseUnstable(RuntimeError):
    """The published file changed during every attempt to open it."""


def file_version(path: Path) -> FileVersion:
    """What changes when a build publishes a new file at ``path``."""
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        raise WarehouseMissing(str(path)) from None
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


#: Optimizers the app's connections go without (see :func:`_open`).
DISABLED_OPTIMIZERS = "cte_filter_pusher"


def _open(path: Path) -> duckdb.DuckDBPyConnection:
    """A connection reading the file at ``path`` now, in a database instance of its own (see the module doc).

    The build writes its file under the published name, so the catalog DuckDB derives from the file name is the
    one the warehouse's views were written with. Spilling goes beside the file, as on a direct connection.

    DuckDB's CTE filter pushdown is off (:data:`DISABLED_OPTIMIZERS`): every page scan (:mod:`app.wide`)
    reads its materialized counts once per pack, and pushing the packs' filters into them only costs
    planning: 40 % of a scan's time on the sample, 10 % at a million respondents, the same rows.
    """
    con = duckdb.connect(config={"temp_directory": f"{path}.tmp", "disabled_optimizers": DISABLED_OPTIMIZERS})
    try:
        con.execute(f"attach {literal(str(path))} (read_only)")
        (name,) = con.execute(
            "select database_name from duckdb_databases() where not internal and database_name <> current_database()"
        ).fetchone()
        con.execute(f"use {column(name)}")
    except BaseException:
        con.close()
        raise
    return con


class _Run:
    """The current page run's warehouse: its path, the version pinned at its start, and its one connection."""

    def __init__(self) -> None:
        self.path: Path | None = None
        self.version: FileVersion | None = None
        self.con: duckdb.DuckDBPyConnection | None = None

    def pin(self, path: Path) -> FileVersion:
        self.close()
        path = Path(path)
        for _ in range(PIN_ATTEMPTS):
            before = file_version(path)
            con = _open(path)
            try:
                after = file_version(path)
            except WarehouseMissing:
                con.close()
                raise
            if before == after:
                self.path, self.version, self.con = path, before, con
                return before
            con.close()  # a publish landed while opening: which file we got is unknown
        raise WarehouseUnstable(f"{path} changed during each of {PIN_ATTEMPTS} attempts to open it")

    def pinned(self, path: Path) -> FileVersion:
        """The run's version; pins first if no run is pinned, or one on another path (never the app's case)."""
        if self.con is None or self.version is None or self.path != Path(path):
            return self.pin(path)
        return self.version

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
        self.path = self.version = self.con = None


# Streamlit runs each session's script in its own thread: one run per thread.
_local = threading.local()


def _run() -> _Run:
    if not hasattr(_local, "run"):
        _local.run = _Run()
    return _local.run


def pin_run(path: Path) -> FileVersion:
    """Start a page run on the warehouse at ``path``: open its connection and fix the version all its queries use.

    Called before a page's first query; ends any run still pinned in this thread. Raises
    :class:`WarehouseMissing` if there is no file, and DuckDB's errors if it cannot be read.
    """
    return _run().pin(path)


def run_version(path: Path) -> FileVersion:
    """The version of ``path`` this run reads (pinning it if needed): a cache key for results derived from queries."""
    return _run().pinned(path)


def close_run_connection() -> None:
    """Called at the end of every page run so that no connection (nor pinned version) outlives it."""
    _run().close()


def _freeze(value: Any) -> Any:
    return tuple(value) if isinstance(value, list | tuple) else value


Frozen = tuple[tuple[str, Any], ...]


def _frozen(params: Mapping[str, Any] | None) -> Frozen:
    return tuple(sorted((name, _freeze(value)) for name, value in (params or {}).items()))


def _bound(params: Frozen) -> dict[str, Any]:
    return {name: list(value) if isinstance(value, tuple) else value for name, value in params}


def _pinned_connection(path: str, version: FileVersion) -> duckdb.DuckDBPyConnection:
    run = _run()
    if run.con is None or run.path != Path(path) or run.version != version:
        # Only query() calls this, right after pinning; anything else would cache one file's rows under another's key.
        raise RuntimeError(f"no run pinned on version {version} of {path}")
    return run.con


@st.cache_data(max_entries=2048, show_spinner=False)
def _cached_query(path: str, version: FileVersion, sql: str, params: Frozen) -> pd.DataFrame:
    return _pinned_connection(path, version).execute(sql, _bound(params)).df()


def query(path: Path, sql: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """The result of ``sql`` (named ``$parameters``) on the run's pinned warehouse at ``path``, cached per version."""
    version = _run().pinned(path)
    return _cached_query(str(path), version, sql, _frozen(params)).copy()


Inputs = Mapping[str, tuple[str, Mapping[str, Any]]]


@st.cache_data(max_entries=2048, show_spinner=False)
def _cached_query_over(path: str, version: FileVersion, sql: str, params: Frozen,
                       inputs: tuple[tuple[str, str, Frozen], ...]) -> pd.DataFrame:
    frames = {name: _cached_query(path, version, input_sql, input_params) for name, input_sql, input_params in inputs}
    con = _pinned_connection(path, version)
    for name, frame in frames.items():
        con.register(name, frame)
    try:
        return con.execute(sql, _bound(params)).df()
    finally:
        for name in frames:
            con.unregister(name)


def query_over(path: Path, sql: str, params: Mapping[str, Any] | None, inputs: Inputs) -> pd.DataFrame:
    """The result of ``sql`` over the results of other queries: ``inputs`` maps a view name to a query (SQL and
    parameters), each run through the same cache as :func:`query` and seen by ``sql`` as that view.

    Why: one scan of the respondents (a cached query, :mod:`app.wide`) serves every small statistic computed from
    its result, which the warehouse's tables (codebook, labels) complete; the respondents are read once.
    """
    version = _run().pinned(path)
    frozen_inputs = tuple(sorted((name, input_sql, _frozen(p)) for name, (input_sql, p) in inputs.items()))
    return _cached_query_over(str(path), version, sql, _frozen(params), frozen_inputs).copy()


def table_exists(path: Path, schema: str, table: str) -> bool:
    """Whether a table is in the warehouse (the stats and validation tables may not be yet)."""
    found = query(
        path,
        "select count(*) as n from information_schema.tables where table_schema = $schema and table_name = $table",
        {"schema": schema, "table": table},
    )
    return bool(found["n"].iloc[0])
