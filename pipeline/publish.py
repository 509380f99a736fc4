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

A publisher that started from the published file (``python -m stats`` works
on a copy of it) passes that file's identity to :func:`publish`, which refuses
to swap if the published file changed meanwhile: a build that published in
between must not be overwritten by a copy of the older file. The check and the
swap hold an exclusive lock on the warehouse's folder, so two publishers
cannot interleave them (and no lock file is left behind).
"""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

import duckdb

BUILD_PREFIX = ".build-"

#: What identifies one published file: its inode and its modification time (ns).
Identity = tuple[int, int]


class PublishConflict(RuntimeError):
    """The published file is no longer the one the caller started from; nothing was swapped."""


def identity(stat: os.stat_result) -> Identity:
    """The (st_ino, st_mtime_ns) of a stat result: a new build has a new inode, a write in place a new mtime."""
    return stat.st_ino, stat.st_mtime_ns


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


def publish(build_path: Path, warehouse: Path, expected: Identity | None = None) -> None:
    """Checkpoint the build so it is one self-contained file, then swap it in.

    ``expected``: the :func:`identity` of the published file the build was
    made from; if the published file is no longer that one, raise
    :class:`PublishConflict` and leave both files as they are.
    """
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
    dir_fd = os.open(warehouse.parent, os.O_RDONLY)
    try:
        fcntl.flock(dir_fd, fcntl.LOCK_EX)  # released when dir_fd is closed
        if expected is not None:
            try:
                current = identity(os.stat(warehouse))
            except FileNotFoundError:
                current = None
            if current != expected:
                raise PublishConflict(
                    f"{warehouse} changed since it was copied (another build or run published it meanwhile)"
                )
        os.replace(build_path, warehouse)
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    discard(build_path)
