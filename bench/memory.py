"""Peak resident memory of this process and its children, sampled while a stage runs.

dbt runs in a child process and DuckDB allocates outside Python's heap, so
neither ``tracemalloc`` nor ``ru_maxrss`` of one process tells the whole
story: a thread sums the RSS of the process tree from /proc every few
milliseconds.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            out += [int(p) for p in task.read_text().split()]
        except OSError:
            continue
    return out


def tree_rss_bytes(root: int | None = None) -> int:
    """RSS of ``root`` (default: this process) and all its descendants."""
    total, stack = 0, [root or os.getpid()]
    while stack:
        pid = stack.pop()
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
        stack += _children(pid)
    return total


@dataclass
class StageSample:
    wall_s: float = 0.0
    peak_rss_mb: float = 0.0
    #: CPU time (user + system) of a whole measured process and its children, for the stage that spans it
    #: (bench.runs): what the work costs whatever the number of cores; None for the stages inside a process.
    cpu_s: float | None = None


@dataclass
class Sampler:
    """Measures named stages: wall time and peak RSS of the process tree."""

    interval_s: float = 0.02
    stages: dict[str, StageSample] = field(default_factory=dict)

    @contextmanager
    def __call__(self, name: str) -> Iterator[StageSample]:
        sample = StageSample()
        stop = threading.Event()

        def poll() -> None:
            while not stop.is_set():
                sample.peak_rss_mb = max(sample.peak_rss_mb, tree_rss_bytes() / 2**20)
                stop.wait(self.interval_s)

        thread = threading.Thread(target=poll, daemon=True)
        t0 = time.perf_counter()
        thread.start()
        try:
            yield sample
        finally:
            stop.set()
            thread.join()
            sample.wall_s = time.perf_counter() - t0
            sample.peak_rss_mb = max(sample.peak_rss_mb, tree_rss_bytes() / 2**20)
            self.stages[name] = sample
