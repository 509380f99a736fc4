"""Write-audit-publish: build beside the warehouse, swap it in whole.

Readers may hold the published file open (the app, an analyst's shell). DuckDB
locks a file per process, so the build never opens the published file: it
writes a new file in a private folder beside it, checkpoints and closes it,
then ``os.replace`` swaps the directory entry atomically. The build file has
the published file's name (``.build-<pid>/survey.duckdb``) because DuckDB names
a database after its file, and dbt's views refer to their tables through that
name: a view built in ``.build-123.duckdb`` would look for a database
``.build-123`` once published. Readers keep the inode
they opened; new connections see the new file. A failed or killed build leaves
the published file untouched.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

BUILD_PREFIX = ".build-"


def new_build_path(warehouse: Path) -> Path:
    """A fresh file of the same name in a private folder beside the warehouse (same filesystem: atomic swap)."""
    folder = warehouse.parent / f"{BUILD_PREFIX}{os.getpid()}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder / warehouse.name


def remove_stale_builds(warehouse: Path) -> None:
    """Folders left by a killed build whose process is gone."""
    for folder in warehouse.parent.glob(f"{BUILD_PREFIX}*"):
        pid = folder.name.removeprefix(BUILD_PREFIX)
        if folder.is_dir() and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def discard(build_path: Path) -> None:
    """Remove a build's private folder (the build file, its WAL, dbt's temporary files)."""
    if build_path.parent.name.startswith(BUILD_PREFIX):
        shutil.rmtree(build_path.parent, ignore_errors=True)


def publish(build_path: Path, warehouse: Path) -> None:
    """Checkpoint the build so it is one self-contained file, then swap it in."""
    con = duckdb.connect(str(build_path))
    try:
        con.execute("CHECKPOINT")
    finally:
        con.close()
    wal = build_path.with_name(build_path.name + ".wal")
    if wal.exists():
        raise RuntimeError(f"{wal} still exists after CHECKPOINT; refusing to publish a partial file")
    with build_path.open("rb") as f:
        os.fsync(f.fileno())
    os.replace(build_path, warehouse)
    discard(build_path)
    dir_fd = os.open(warehouse.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
