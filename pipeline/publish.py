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

import errno
import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from pipeline.errors import EnvironmentProblem

BUILD_PREFIX = ".build-"
#: Working folders a build or a Data Docs run leaves beside the warehouse if it is killed.
WORK_PREFIXES = (BUILD_PREFIX, ".data_docs-")
#: Open descriptors of the working folders this process holds a lock on (see :func:`hold_folder`).
_HELD: dict[Path, int] = {}

#: What identifies one published file: its inode and its modification time (ns).
Identity = tuple[int, int]


class PublishConflict(RuntimeError):
    """The published file is no longer the one the caller started from; nothing was swapped."""


def identity(stat: os.stat_result) -> Identity:
    """The (st_ino, st_mtime_ns) of a stat result: a new build has a new inode, a write in place a new mtime."""
    return stat.st_ino, stat.st_mtime_ns


@contextmanager
def warehouse_lock(warehouse: Path) -> Iterator[int]:
    """One build per warehouse at a time: an exclusive lock on the warehouse's folder, held for the
    whole build, refused at once (exit code 3) when another build holds it. The kernel drops the lock
    when its process ends, however it ends, so a killed build never leaves it behind."""
    try:
        warehouse.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(warehouse.parent, os.O_RDONLY)
    except OSError as exc:
        raise environment_problem(exc, warehouse.parent) from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise EnvironmentProblem(
                f"another build is running on {warehouse} (it holds the lock on {warehouse.parent}); "
                "nothing was done: wait for it to finish, then build again"
            ) from None
        yield fd
    finally:
        os.close(fd)


def environment_problem(exc: OSError, path: Path | str) -> EnvironmentProblem:
    """An OSError said for a person: which file or folder, and what the machine refused."""
    what = {
        errno.ENOSPC: "no space left on the device",
        errno.EDQUOT: "disk quota exceeded",
        errno.EACCES: "permission denied",
        errno.EPERM: "operation not permitted",
        errno.EROFS: "read-only file system",
        errno.ENOTDIR: "a file stands where a folder is needed",
        errno.EEXIST: "a file stands where a folder is needed",
    }.get(exc.errno, exc.strerror or str(exc))
    return EnvironmentProblem(f"{exc.filename or path}: {what}")


def hold_folder(folder: Path) -> Path:
    """Create a private working folder and hold a lock on it for as long as this process lives
    (or until :func:`release_folder`): a folder nobody holds is a killed run's leftover."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    fd = os.open(folder, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    _HELD[folder] = fd
    return folder


def release_folder(folder: Path) -> None:
    """Remove a working folder this process made, and drop its lock."""
    shutil.rmtree(folder, ignore_errors=True)
    fd = _HELD.pop(folder, None)
    if fd is not None:
        os.close(fd)


def new_build_path(warehouse: Path) -> Path:
    """A fresh file of the same name in a private folder beside the warehouse (same filesystem: atomic swap)."""
    return hold_folder(warehouse.parent / f"{BUILD_PREFIX}{os.getpid()}") / warehouse.name


def remove_stale_builds(warehouse: Path) -> None:
    """Working folders left by killed runs, found by the lock they no longer hold (a process id may be
    reused, and a zombie still answers to one); folders another live run holds are left alone."""
    for folder in warehouse.parent.iterdir():
        if not folder.name.startswith(WORK_PREFIXES) or not folder.is_dir() or folder in _HELD:
            continue
        fd = os.open(folder, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue
        else:
            shutil.rmtree(folder, ignore_errors=True)
        finally:
            os.close(fd)


def discard(build_path: Path) -> None:
    """Remove a build's private folder (the build file, its WAL, dbt's temporary files)."""
    if build_path.parent.name.startswith(BUILD_PREFIX):
        release_folder(build_path.parent)


def publish(build_path: Path, warehouse: Path, expected: Identity | None = None, locked_fd: int | None = None) -> None:
    """Checkpoint the build so it is one self-contained file, then swap it in.

    ``expected``: the :func:`identity` of the published file the build was
    made from; if the published file is no longer that one, raise
    :class:`PublishConflict` and leave both files as they are. ``locked_fd``:
    the warehouse folder, already locked by the caller (:func:`warehouse_lock`).
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
    dir_fd = locked_fd if locked_fd is not None else os.open(warehouse.parent, os.O_RDONLY)
    try:
        if locked_fd is None:
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
        if locked_fd is None:
            os.close(dir_fd)
    discard(build_path)
