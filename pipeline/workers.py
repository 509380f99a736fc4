"""The checks and the stats side by side, in two processes warmed up while ingest and dbt run.

Once dbt is done, both stages only read the build file (DuckDB lets several
processes read one file), so they run at the same time on the machine's two
cores. Each runs in a process of its own, started when the build starts: its
imports (Great Expectations about 3 s, scipy and statsmodels about 1.5 s) are
paid while ingest and dbt run, off the build's critical path. The build
process alone writes what they found into the file, and only once the checks
passed: the write-audit-publish order is the same as with one process.

A worker dies with the build (``PR_SET_PDEATHSIG``): a killed build leaves no
process behind, and a worker never writes to the file anyway.
"""

from __future__ import annotations

import importlib
import multiprocessing
import signal
from collections.abc import Callable
from multiprocessing.pool import AsyncResult, Pool
from typing import Any, TypeVar

T = TypeVar("T")

#: What each worker imports while it waits for the build file.
WARM_IMPORTS = {
    "checks": ("great_expectations", "checks.gate"),
    "stats": ("scipy.stats", "statsmodels.api", "stats.run"),
}


def die_with_parent() -> None:
    """In a child process: be killed when the build process dies, however it dies (SIGKILL included)."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def _warm(modules: tuple[str, ...]) -> None:
    die_with_parent()
    for name in modules:
        importlib.import_module(name)


class Worker:
    """One process, importing its stage's libraries from the moment it is created, that runs one job."""

    def __init__(self, stage: str) -> None:
        # spawn, not fork: the build process holds DuckDB connections and threads that a fork would copy
        context = multiprocessing.get_context("spawn")
        self.stage = stage
        self._pool: Pool = context.Pool(processes=1, initializer=_warm, initargs=(WARM_IMPORTS[stage],))

    def submit(self, job: Callable[..., T], *args: Any) -> AsyncResult:
        return self._pool.apply_async(job, args)

    def close(self, finished: bool = False) -> None:
        """Stop the process: let it exit once its job is done (``finished``), or kill it now."""
        if finished:
            self._pool.close()
        else:
            self._pool.terminate()
        self._pool.join()


class Workers:
    """The build's workers, one per stage, all stopped when the build ends (however it ends)."""

    def __init__(self, stages: tuple[str, ...] = tuple(WARM_IMPORTS)) -> None:
        self._workers = {stage: Worker(stage) for stage in stages}

    def __getitem__(self, stage: str) -> Worker:
        return self._workers[stage]

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_exc: object) -> None:
        for worker in self._workers.values():
            worker.close(finished=exc_type is None)
