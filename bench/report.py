"""Medians of the runs: ``bench/results.csv`` and the readable ``bench/README.md``."""

from __future__ import annotations

import csv
import os
import platform
import statistics
from pathlib import Path

from bench.memory import StageSample
from bench.runs import BenchRun

Table = dict[tuple[int, str], StageSample]

STAGE_ORDER = ("ingest", "dbt", "checks", "app_scans", "stats", "publish", "total", "report_tables", "duckdb_read",
               "duckdb_load", "pandas_baseline")


#: The app's page stages (``page:<page>:<filter>``, ``page_cached:…``; bench.measure.app_pages), after the build's.
PAGE, PAGE_CACHED = "page", "page_cached"
FILTERS = (("all", "toute la vague"), ("filtered", "un département + un lieu"))


def _page_stages(runs: list[BenchRun]) -> list[str]:
    found = {name for r in runs for name in r.stages if name.split(":", 1)[0] in (PAGE, PAGE_CACHED)}
    return sorted(found)


def medians(runs: list[BenchRun]) -> Table:
    out: Table = {}
    for size in sorted({r.size for r in runs}):
        of_size = [r for r in runs if r.size == size]
        for stage in [*STAGE_ORDER, *_page_stages(runs)]:
            samples = [r.stages[stage] for r in of_size if stage in r.stages]
            if samples:
                cpu = [s.cpu_s for s in samples if s.cpu_s is not None]
                out[(size, stage)] = StageSample(
                    wall_s=statistics.median(s.wall_s for s in samples),
                    peak_rss_mb=statistics.median(s.peak_rss_mb for s in samples),
                    cpu_s=statistics.median(cpu) if cpu else None,
                )
    return out


def write_results(runs: list[BenchRun], bench_dir: Path) -> None:
    table = medians(runs)
    with (bench_dir / "results.csv").open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["size", "stage", "wall_s", "peak_rss_mb", "cpu_s"])
        for (size, stage), sample in table.items():
            cpu = "" if sample.cpu_s is None else f"{sample.cpu_s:.1f}"
            writer.writerow([size, stage, f"{sample.wall_s:.3f}", f"{sample.peak_rss_mb:.1f}", cpu])
    (bench_dir / "README.md").write_text(summary(table, runs), encoding="utf-8")


def summary(table: Table, runs: list[BenchRun]) -> str:
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
        "the raw export in the warehouse costs (ingest does that, plus lineage). `checks` and `stats` run side by "
        "side, one process each, and `app_scans` (the app's whole-wave page scans) in whichever is free first: "
        "`total` counts the longer of the two. Raw numbers: `results.csv`, whose `cpu_s` is the CPU time "
        "(user + system) of a whole measured process with its children (dbt, the build's workers): the build's "
        "on its `total` row, and on the rows of the three references.",
        "",
        "| size | " + " | ".join(STAGE_ORDER) + " | peak RSS (MB) |",
        "|---:|" + "---:|" * (len(STAGE_ORDER) + 1),
    ]
    for size in sizes:
        cells = [f"{table[(size, st)].wall_s:.2f}" if (size, st) in table else "" for st in STAGE_ORDER]
        peak = table[(size, "total")].peak_rss_mb if (size, "total") in table else 0.0
        lines.append(f"| {size:,} | " + " | ".join(cells) + f" | {peak:.0f} |")
    lines += pages_table(table, sizes)
    lines += ["", "## Targets", ""]
    lines += targets(table, sizes)
    return "\n".join(lines) + "\n"


def pages_table(table: Table, sizes: list[int]) -> list[str]:
    """Each app page's render time per size, on the whole wave and filtered (empty without page stages)."""
    from app.navigation import PAGES

    if not any(stage.startswith(f"{PAGE}:") for _, stage in table):
        return []
    lines = [
        "",
        "## App pages",
        "",
        "Server-side render time of each page (`bench/app_pages.py`: Streamlit's AppTest, no browser) on the last "
        "build of each size, in seconds: median of `BENCH_PAGE_RUNS` renders (default 5) with an empty cache "
        "(`st.cache_data.clear()` before each: every query read from the file), then, in brackets, cached. "
        "Filtered: the codebook's first département and first place of work, set in the sidebar.",
        "",
        "| size | filter | " + " | ".join(p.title for p in PAGES) + " |",
        "|---:|---|" + "---:|" * len(PAGES),
    ]
    for size in sizes:
        for variant, words in FILTERS:
            cells = []
            for p in PAGES:
                uncached = table.get((size, f"{PAGE}:{p.url_path}:{variant}"))
                cached = table.get((size, f"{PAGE_CACHED}:{p.url_path}:{variant}"))
                cells.append("" if uncached is None else f"{uncached.wall_s:.2f}"
                             + ("" if cached is None else f" ({cached.wall_s:.2f})"))
            lines.append(f"| {size:,} | {words} | " + " | ".join(cells) + " |")
    return lines


def targets(table: Table, sizes: list[int]) -> list[str]:
    def wall(size: int, stage: str) -> float | None:
        return table[(size, stage)].wall_s if (size, stage) in table else None

    out = []
    if wall(178, "total") is not None:
        out.append(f"- sample build: {wall(178, 'total'):.1f} s (target ≤ 8 s)")
    big = max(sizes)
    if wall(big, "total") is not None:
        out.append(f"- {big:,} respondents: build {wall(big, 'total'):.1f} s, "
                   f"peak {table[(big, 'total')].peak_rss_mb:.0f} MB (limits at 1M: < 120 s, < 6 GB)")
        if wall(big, "pandas_baseline"):
            verdict = "met" if wall(big, "total") < wall(big, "pandas_baseline") else "not met"
            out.append(f"- whole validated build / pandas baseline (report tables only) at {big:,}: "
                       f"{wall(big, 'total'):.1f} s / {wall(big, 'pandas_baseline'):.1f} s = "
                       f"{wall(big, 'total') / wall(big, 'pandas_baseline'):.2f} (target < 1: {verdict})")
        if wall(big, "duckdb_read") and wall(big, "duckdb_load"):
            out.append(f"- for scale at {big:,}: DuckDB's bare read {wall(big, 'duckdb_read'):.1f} s, its own load of "
                       f"the export {wall(big, 'duckdb_load'):.1f} s, the report tables alone (ingest + dbt models) "
                       f"{wall(big, 'report_tables') or 0:.1f} s")
    if big != 178 and all(wall(s, st) for s, st in ((178, "total"), (big, "duckdb_load"))):
        # What any build pays whatever the size (dbt, GX and stats start-up: the sample build) plus the least
        # that keeping the raw export costs at this size (DuckDB's own load of it): a floor for this design.
        floor = wall(178, "total") + wall(big, "duckdb_load")
        out.append(f"- floor of this design at {big:,} (sample build + DuckDB's own load): {floor:.1f} s")
    out += cpu_lines(table, sizes)
    pages = {stage: wall(big, stage) for s, stage in table if s == big and stage.startswith(f"{PAGE}:")}
    if pages:
        slowest = max(pages, key=lambda stage: pages[stage] or 0.0)
        out.append(f"- slowest app page at {big:,}, empty cache: {slowest.split(':', 1)[1]} {pages[slowest]:.2f} s "
                   "(target ≤ 1 s, unfiltered and filtered)")
    if wall(100_000, "total") and wall(1_000_000, "total"):
        out.append(f"- growth 100k → 1M: {wall(1_000_000, 'total') / wall(100_000, 'total'):.1f}× (target ≤ 12×)")
    return out


def cpu_lines(table: Table, sizes: list[int]) -> list[str]:
    """The work each measurement does, whatever the cores (user + system CPU seconds of its processes), and what it
    implies: no schedule on this machine's cores can finish the build in less than its work over the cores."""
    cores = os.cpu_count() or 1
    out = []
    for size in sizes:
        build, baseline, load = (
            table[(size, stage)].cpu_s if (size, stage) in table else None
            for stage in ("total", "pandas_baseline", "duckdb_load")
        )
        if build is None:
            continue
        line = f"- CPU time at {size:,} (user + system, every process): build {build:.1f} s"
        if baseline is not None:
            line += f", pandas baseline {baseline:.1f} s"
        if load is not None:
            line += f", DuckDB's own load {load:.1f} s"
        out.append(line + f"; on {cores} cores the build cannot take less than {build / cores:.1f} s of wall time")
    return out
