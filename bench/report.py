"""Medians of the runs: ``bench/results.csv`` and the readable ``bench/README.md``."""

from __future__ import annotations

import csv
import os
import platform
import statistics
from pathlib import Path

from bench.runs import BenchRun

STAGE_ORDER = ("ingest", "dbt", "checks", "stats", "publish", "total", "report_tables", "duckdb_read",
               "duckdb_load", "pandas_baseline")


def medians(runs: list[BenchRun]) -> dict[tuple[int, str], tuple[float, float]]:
    out: dict[tuple[int, str], tuple[float, float]] = {}
    for size in sorted({r.size for r in runs}):
        of_size = [r for r in runs if r.size == size]
        for stage in STAGE_ORDER:
            samples = [r.stages[stage] for r in of_size if stage in r.stages]
            if samples:
                out[(size, stage)] = (
                    statistics.median(s.wall_s for s in samples),
                    statistics.median(s.peak_rss_mb for s in samples),
                )
    return out


def write_results(runs: list[BenchRun], bench_dir: Path) -> None:
    table = medians(runs)
    with (bench_dir / "results.csv").open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["size", "stage", "wall_s", "peak_rss_mb"])
        for (size, stage), (wall, rss) in table.items():
            writer.writerow([size, stage, f"{wall:.3f}", f"{rss:.1f}"])
    (bench_dir / "README.md").write_text(summary(table, runs), encoding="utf-8")


def summary(table: dict[tuple[int, str], tuple[float, float]], runs: list[BenchRun]) -> str:
    sizes = sorted({s for s, _ in table})
    repeats = max(sum(1 for r in runs if r.size == s) for s in sizes)
    lines = [
        "# Benchmark",
        "",
        f"`make bench` on this machine: {os.cpu_count()} cores, {platform.machine()}, Python "
        f"{platform.python_version()}; medians of {repeats} runs per size. Sizes are kept respondents of one "
        "export (178: the bundled sample's 2023 wave; the export also holds the excluded connections, 72/250 of "
        "it). `report_tables` is ingest plus the "
        "dbt models without their tests (export → report tables, what `pandas_baseline` does: the same tables, "
        "which `tests/test_bench_baseline.py` checks against the warehouse on the sample); "
        "`duckdb_read` is DuckDB's bare `read_csv` → `count(*)` of the same export; `duckdb_load` is DuckDB's own "
        "`CREATE TABLE AS SELECT * FROM read_csv(…, all_varchar=true)` of it into a new file, the least that keeping "
        "the raw export in the warehouse costs (ingest does that, plus lineage). Raw numbers: `results.csv`.",
        "",
        "| size | " + " | ".join(STAGE_ORDER) + " | peak RSS (MB) |",
        "|---:|" + "---:|" * (len(STAGE_ORDER) + 1),
    ]
    for size in sizes:
        cells = [f"{table[(size, st)][0]:.2f}" if (size, st) in table else "" for st in STAGE_ORDER]
        peak = table.get((size, "total"), (0, 0))[1]
        lines.append(f"| {size:,} | " + " | ".join(cells) + f" | {peak:.0f} |")
    lines += ["", "## Targets", ""]
    lines += targets(table, sizes)
    return "\n".join(lines) + "\n"


def targets(table: dict[tuple[int, str], tuple[float, float]], sizes: list[int]) -> list[str]:
    def wall(size: int, stage: str) -> float | None:
        return table.get((size, stage), (None, None))[0]

    out = []
    if wall(178, "total") is not None:
        out.append(f"- sample build: {wall(178, 'total'):.1f} s (target < 20 s)")
    big = max(sizes)
    if wall(big, "total") is not None:
        out.append(f"- {big:,} respondents: build {wall(big, 'total'):.1f} s, peak {table[(big, 'total')][1]:.0f} MB "
                   "(targets at 1M: < 120 s, < 6 GB)")
        if wall(big, "duckdb_read"):
            out.append(f"- build / DuckDB bare read at {big:,}: "
                       f"{wall(big, 'total') / wall(big, 'duckdb_read'):.1f}× (target ≤ 10×)")
        if wall(big, "duckdb_read") and wall(big, "duckdb_load"):
            out.append(f"- DuckDB's own load of the export / its bare read at {big:,}: "
                       f"{wall(big, 'duckdb_load') / wall(big, 'duckdb_read'):.1f}× (for scale: the raw copy alone)")
        if wall(big, "report_tables") and wall(big, "pandas_baseline"):
            out.append(f"- pandas baseline / report tables at {big:,}: "
                       f"{wall(big, 'pandas_baseline') / wall(big, 'report_tables'):.1f}× faster (target ≥ 3×)")
    if big != 178 and all(wall(s, st) for s, st in ((178, "total"), (178, "report_tables"), (big, "duckdb_load"))):
        # What any build pays whatever the size (dbt, GX and stats start-up: the sample build) plus the least
        # that keeping the raw export costs at this size (DuckDB's own load of it): a floor for this design.
        floor = wall(178, "total") + wall(big, "duckdb_load")
        tables_floor = wall(178, "report_tables") + wall(big, "duckdb_load")
        out.append(f"- floor of this design at {big:,} (sample build + DuckDB's own load): {floor:.1f} s"
                   + (f" = {floor / wall(big, 'duckdb_read'):.1f}× the bare read" if wall(big, "duckdb_read") else ""))
        if wall(big, "pandas_baseline"):
            out.append(f"- floor of the report tables at {big:,} (sample report tables + DuckDB's own load): "
                       f"{tables_floor:.1f} s, against {wall(big, 'pandas_baseline') / 3:.1f} s for 3× the pandas "
                       "baseline")
    if wall(100_000, "total") and wall(1_000_000, "total"):
        out.append(f"- growth 100k → 1M: {wall(1_000_000, 'total') / wall(100_000, 'total'):.1f}× (target ≤ 12×)")
    return out
