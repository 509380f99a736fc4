"""Read-only, short-lived access to the published warehouse, cached per file version.

``make build`` replaces the warehouse with ``os.replace`` while the app may be
serving pages. So the app never keeps a connection across page runs: a run
opens one read-only connection on its first uncached query and closes it when
the page is done (:func:`close_run_connection`). Results are cached with
``st.cache_data`` keyed on the file's (inode, mtime, size): a rebuild gives a
new inode, so the next run reads the new data and old entries are never
asked for again.
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

FileVersion = tuple[int, int, int]


class WarehouseMissing(FileNotFoundError):
    """No published warehouse at the configured path."""


def file_version(path: Path) -> FileVersion:
    """What changes when a build publishes a new file at ``path``."""
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        raise WarehouseMissing(str(path)) from None
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


def _open(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published file.

    The build writes its file under the published name, so the catalog DuckDB derives from the file
    name is the one the warehouse's views were written with.
    """
    return duckdb.connect(str(path), read_only=True)


class _RunConnection:
    """One read-only connection for the current page run, opened on demand."""

    def __init__(self) -> None:
        self.con: duckdb.DuckDBPyConnection | None = None
        self.path: Path | None = None

    def get(self, path: Path) -> duckdb.DuckDBPyConnection:
        if self.con is None or self.path != path:
            self.close()
            self.con = _open(path)
            self.path = path
        return self.con

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
        self.con = None
        self.path = None


# Streamlit runs each session's script in its own thread: one run connection per thread.
_local = threading.local()


def _run_connection() -> _RunConnection:
    if not hasattr(_local, "run"):
        _local.run = _RunConnection()
    return _local.run


def close_run_connection() -> None:
    """Called at the end of every page run so that no connection outlives it."""
    _run_connection().close()


def _freeze(value: Any) -> Any:
    return tuple(value) if isinstance(value, list | tuple) else value


@st.cache_data(max_entries=2048, show_spinner=False)
def _cached_query(path: str, version: FileVersion, sql: str, params: tuple[tuple[str, Any], ...]) -> pd.DataFrame:
    con = _run_connection().get(Path(path))
    bound = {name: list(value) if isinstance(value, tuple) else value for name, value in params}
    return con.execute(sql, bound).df()


def query(path: Path, sql: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """The result of ``sql`` (named ``$parameters``) on the warehouse at ``path``, cached per file version."""
    frozen = tuple(sorted((name, _freeze(value)) for name, value in (params or {}).items()))
    return _cached_query(str(path), file_version(path), sql, frozen).copy()


def table_exists(path: Path, schema: str, table: str) -> bool:
    """Whether a table is in the warehouse (the stats and validation tables may not be yet)."""
    found = query(
        path,
        "select count(*) as n from information_schema.tables where table_schema = $schema and table_name = $table",
        {"schema": schema, "table": table},
    )
    return bool(found["n"].iloc[0])
