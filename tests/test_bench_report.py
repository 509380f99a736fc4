"""The bench's CPU accounting: a measured process's CPU time reaches its row, and the report's medians and floors."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from bench.memory import StageSample
from bench.report import write_results
from bench.runs import BenchRun, _measure, export_csv

SAMPLE_2023 = Path(__file__).resolve().parent.parent / "data" / "sample" / "responses_2023.csv"


def test_a_measured_process_s_cpu_time_lands_on_its_whole_stage() -> None:
    stages = _measure("duckdb_read", str(SAMPLE_2023), whole="duckdb_read")
    sample = stages["duckdb_read"]
    # a fresh Python that imports DuckDB and reads the export: some CPU time, and not more than its life allows on
    # this machine's cores (the process's own start-up is outside the stage's wall time, hence the margin)
    assert sample.cpu_s is not None and sample.cpu_s > 0.05
    assert sample.cpu_s < (sample.wall_s + 5.0) * (os.cpu_count() or 1)


def test_the_report_writes_cpu_medians_and_the_least_wall_time_they_imply(tmp_path: Path) -> None:
    runs = [
        BenchRun(size=178, stages={"total": StageSample(wall_s=w, peak_rss_mb=900.0, cpu_s=c),
                                   "ingest": StageSample(wall_s=0.3, peak_rss_mb=200.0),
                                   "pandas_baseline": StageSample(wall_s=0.5, peak_rss_mb=100.0, cpu_s=0.6)})
        for w, c in ((13.0, 20.0), (14.0, 22.0), (12.0, 30.0))
    ]
    write_results(runs, tmp_path)
    with (tmp_path / "results.csv").open(newline="") as f:
        rows = {r["stage"]: r for r in csv.DictReader(f)}
    assert rows["total"]["wall_s"] == "13.000" and rows["total"]["cpu_s"] == "22.0"  # medians, each on its own
    assert rows["ingest"]["cpu_s"] == ""  # inside a process: no CPU time of its own
    cores = os.cpu_count() or 1
    summary = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert (f"- CPU time at 178 (user + system, every process): build 22.0 s, pandas baseline 0.6 s; on {cores} "
            f"cores the build cannot take less than {22.0 / cores:.1f} s of wall time") in summary


def test_a_run_reads_one_export(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("x\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="holds 2 CSV exports"):
        export_csv(tmp_path)
