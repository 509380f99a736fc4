"""The checks and the stats side by side, in two processes warmed up while ingest and dbt run.

Once dbt is done, both stages only read the build file (DuckDB lets several
processes read one file), so they run at the same time on the machine's two
cores. Each runs in a process of its own, started when the build starts: its
imports (Great Expectations about 3 s, scipy and statsmodels about 1.5 s) are
paid while ingest and dbt run, off the build's critical path, at a lower
priority than dbt's (:data:`WORKER_NICENESS`). The build process alone writes
what they found into the file, and only once the checks passed: the
write-audit-publish order is the same as with one process.

A worker that dies (killed, out of memory, or unable to start) fails the build
with :class:`WorkerDied`; it never leaves the build waiting: this is why the
workers are :class:`concurrent.futures.ProcessPoolExecutor` (which notices a
dead process) and not :class:`multiprocessing.pool.Pool` (which replaces it
and waits for ever on the job it lost). A worker dies with the build
(``PR_SET_PDEATHSIG``): a killed build leaves no process behind, and a worker
never writes to the file anyway.

Workers are spawned, so each imports the caller's ``__main__`` module first
(Python's "safe importing of main module" rule): ``python -m pipeline`` is
safe; a caller whose main module runs something on import gets
:class:`WorkerDied` naming it.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from pipeline.errors import EnvironmentProblem

T = TypeVar("T")

#: What each worker imports while it waits for the build file.
WARM_IMPORTS = {
    "checks": ("great_expectations", "checks.gate"),
    "stats": ("scipy.stats", "statsmodels.api", "stats.run"),
}


#: How much lower the workers' scheduling priority is than the build's (and dbt's), see :func:`_warm`.
WORKER_NICENESS = 10


class WorkerDied(EnvironmentProblem):
    """A worker process stopped without an answer: killed, out of memory, or it could not start."""


def die_with_parent() -> None:
    """In a child process: be killed when the build process dies, however it dies (SIGKILL included)."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def _warm(modules: tuple[str, ...]) -> None:
    die_with_parent()
    # Below dbt's priority: their imports then take the core dbt's start-up leaves free, not half of its own
    # (dbt 0.8 s sooner on the sample); once dbt is done, they only compete with each other.
    os.nice(WORKER_NICENESS)
    for name in modules:
        importlib.import_module(name)


def _nothing() -> None:
    """A first job, so that the process starts (and imports) now rather than at the stage's job."""


def _caller_main() -> str:
    main = sys.modules.get("__main__")
    return getattr(getattr(main, "__spec__", None), "name", None) or getattr(main, "__file__", None) or "-"


class Worker:
    """One process, importing its stage's libraries from the moment it is created, that runs one job."""

    def __init__(self, stage: str) -> None:
        # spawn, not fork: the build process holds DuckDB connections and threads that a fork would copy
        context = multiprocessing.get_context("spawn")
        self.stage = stage
        self._pool = ProcessPoolExecutor(
            max_workers=1, mp_context=context, initializer=_warm, initargs=(WARM_IMPORTS[stage],)
        )
        self._pool.submit(_nothing)

    def submit(self, job: Callable[..., T], *args: Any) -> Future[T]:
        try:
            return self._pool.submit(job, *args)
        except BrokenProcessPool as exc:
            raise self._died() from exc

    def result(self, future: Future[T]) -> T:
        """The job's answer, or its exception; :class:`WorkerDied` if the process stopped without one."""
        try:
            return future.result()
        except BrokenProcessPool as exc:
            raise self._died() from exc

    def _died(self) -> WorkerDied:
        return WorkerDied(
            f"the {self.stage} worker process stopped without an answer (killed, out of memory, or it could not "
            f"start: it first imports the main module of the program that runs the build, {_caller_main()})"
        )

    def close(self, finished: bool = False) -> None:
        """Stop the process: let it exit once its job is done (``finished``), or kill it now."""
        if not finished:
            if hasattr(self._pool, "kill_workers"):  # Python 3.14
                self._pool.kill_workers()
            else:
                for process in list((self._pool._processes or {}).values()):  # no public way before 3.14
                    process.kill()
        self._pool.shutdown(wait=True, cancel_futures=not finished)


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
