"""Write-audit-publish: build beside the warehouse, swap it in whole.

Readers may hold the published file open (the app, an analyst's shell). DuckDB
locks a file per process, so the build never opens the published file: it
writes a new file in the same folder, checkpoints and closes it, then
``os.replace`` swaps the directory entry atomically. Readers keep the inode
they opened; new connections see the new file. A failed or killed build leaves
the published file untouched.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

BUILD_PREFIX = ".build-"


def new_build_path(warehouse: Path) -> Path:
    """A fresh file beside the warehouse (same filesystem, so the swap is atomic)."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    return warehouse.parent / f"{BUILD_PREFIX}{warehouse.stem}-{os.getpid()}.duckdb"


def remove_stale_builds(warehouse: Path) -> None:
    """Files left by a killed build whose process is gone."""
    for path in warehouse.parent.glob(f"{BUILD_PREFIX}{warehouse.stem}-*.duckdb*"):
        pid = path.name.removeprefix(f"{BUILD_PREFIX}{warehouse.stem}-").split(".")[0]
        if pid.isdigit() and not _alive(int(pid)):
            path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def discard(build_path: Path) -> None:
    for path in (build_path, build_path.with_name(build_path.name + ".wal")):
        path.unlink(missing_ok=True)


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
    dir_fd = os.open(warehouse.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
