"""One measured run of one size, each measurement in a fresh Python process.

A fresh process per measurement keeps one stage's memory (Python rarely gives
it back to the system) out of the next one's peak, and makes the pandas
baseline pay its own imports as an analyst's script would.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bench.memory import StageSample

PROJECT_DIR = Path(__file__).resolve().parent.parent


@dataclass
class BenchRun:
    size: int
    stages: dict[str, StageSample] = field(default_factory=dict)


def _cpu_of_children() -> float:
    """User + system seconds of every child process this one has waited for (and of their own waited children)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _measure(kind: str, *args: str, whole: str | None = None) -> dict[str, StageSample]:
    """Run one measurement in a fresh process; ``whole`` names the stage that spans it, which gets the process's
    CPU time (its children's included: dbt, the build's workers)."""
    cpu_before = _cpu_of_children()
    proc = subprocess.run(
        [sys.executable, "-m", "bench.measure", kind, *args],
        capture_output=True, text=True, cwd=PROJECT_DIR, check=False,
    )
    cpu = _cpu_of_children() - cpu_before
    if proc.returncode != 0:
        raise RuntimeError(f"bench: {kind} failed:\n{proc.stderr[-3000:]}")
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    stages = {name: StageSample(**values) for name, values in data.items()}
    if whole is not None:
        stages[whole].cpu_s = cpu
    return stages


def export_csv(raw_dir: Path) -> Path:
    """The one CSV export of ``raw_dir``: every measurement of a run reads the same file."""
    exports = [p for p in sorted(raw_dir.glob("*.csv")) if p.name != "manifest.csv"]
    if len(exports) != 1:
        raise ValueError(f"bench: {raw_dir} holds {len(exports)} CSV exports; a bench run measures one")
    return exports[0]


def app_pages(run: BenchRun, warehouse: Path) -> None:
    """The app's page times on the warehouse ``run`` built (once per size: each is already a median of runs)."""
    run.stages.update(_measure("app_pages", str(warehouse)))


def run_size(size: int, raw_dir: Path, warehouse: Path) -> BenchRun:
    run = BenchRun(size=size)
    csv = export_csv(raw_dir)
    run.stages.update(_measure("duckdb_read", str(csv), whole="duckdb_read"))
    run.stages.update(_measure("duckdb_load", str(csv), str(warehouse.parent / "duckdb_load.duckdb"),
                               whole="duckdb_load"))
    run.stages.update(_measure("build", str(raw_dir), str(warehouse), whole="total"))
    run.stages.update(_measure("pandas_baseline", str(csv), whole="pandas_baseline"))
    return run
