"""``python -m bench.measure KIND ARGS…``: one measurement, printed as JSON on the last line.

Kinds: ``duckdb_read CSV`` (DuckDB's bare read of the export: the floor),
``duckdb_load CSV DB`` (DuckDB's own ``CREATE TABLE AS`` of the export, all
text, into a new file: what keeping the raw export in a warehouse costs at least),
``build RAW_DIR WAREHOUSE`` (the real build, per stage, plus ``report_tables``:
ingest and the dbt models without their tests, from dbt's run_results.json —
the export-to-tables work the pandas baseline also does), ``pandas_baseline CSV``,
``app_pages WAREHOUSE`` (each app page's render time, :mod:`bench.app_pages`).
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

from bench.memory import Sampler, StageSample

#: The export as DuckDB reads it, every column as text (the samplegen exports are ';'-separated).
READ_EXPORT = "read_csv(?, delim=';', header=true, all_varchar=true)"


def duckdb_read(csv: str) -> dict[str, StageSample]:
    sampler = Sampler()
    with sampler("duckdb_read"):
        import duckdb

        con = duckdb.connect()
        con.execute(f"select count(*) from {READ_EXPORT}", [csv]).fetchone()
        con.close()
    return sampler.stages


def duckdb_load(csv: str, db: str) -> dict[str, StageSample]:
    sampler = Sampler()
    Path(db).parent.mkdir(parents=True, exist_ok=True)
    Path(db).unlink(missing_ok=True)
    with sampler("duckdb_load"):
        import duckdb

        con = duckdb.connect(db)
        con.execute(f"create table responses as select * from {READ_EXPORT}", [csv])
        con.close()
    Path(db).unlink()
    return sampler.stages


def build(raw_dir: str, warehouse: str) -> dict[str, StageSample]:
    from pipeline.build import PARALLEL_STAGE, build, dbt_target

    sampler = Sampler()
    ctx = build(Path(raw_dir), Path(warehouse), log=lambda _m: None, measure=sampler)
    stages = dict(sampler.stages)
    # the checks and the stats run side by side (the app's whole-wave scans in whichever is free first): each its
    # own wall time, all the peak of the processes together
    side_by_side = stages.pop(PARALLEL_STAGE)
    for name in ("checks", "app_scans", "stats"):
        stages[name] = StageSample(wall_s=ctx.timings[name], peak_rss_mb=side_by_side.peak_rss_mb)
    stages["total"] = StageSample(
        wall_s=ctx.timings["total"], peak_rss_mb=max(s.peak_rss_mb for s in sampler.stages.values())
    )
    results = json.loads((dbt_target() / "run_results.json").read_text())
    models = sum(r["execution_time"] for r in results["results"] if r["unique_id"].startswith("model."))
    stages["report_tables"] = StageSample(
        wall_s=stages["ingest"].wall_s + models,
        peak_rss_mb=max(stages["ingest"].peak_rss_mb, stages["dbt"].peak_rss_mb),
    )
    return stages


def pandas_baseline(csv: str) -> dict[str, StageSample]:
    sampler = Sampler()
    with sampler("pandas_baseline"):
        from bench.pandas_baseline import run

        run(Path(csv))
    return sampler.stages


def app_pages(warehouse: str) -> dict[str, StageSample]:
    """Each page's median render time, uncached (``page:…``) and cached (``page_cached:…``), per filter; the
    peak RSS is the whole measurement's (Streamlit, the app and DuckDB in this process)."""
    sampler = Sampler()
    with sampler("app_pages"):
        from bench.app_pages import page_times

        rows = page_times(Path(warehouse))
    peak = sampler.stages["app_pages"].peak_rss_mb
    stages = {}
    for row in rows:
        for kind, column in (("page", "uncached_median_s"), ("page_cached", "cached_median_s")):
            stages[page_stage(kind, str(row["page"]), str(row["filter"]))] = StageSample(
                wall_s=float(row[column]), peak_rss_mb=peak
            )
    return stages


def page_stage(kind: str, page: str, variant: str) -> str:
    """``page:tableaux:filtered``: a page's row of ``bench/results.csv``."""
    return f"{kind}:{page}:{variant}"


def main(argv: list[str]) -> int:
    kind, *args = argv
    kinds = {"duckdb_read": duckdb_read, "duckdb_load": duckdb_load, "build": build, "pandas_baseline": pandas_baseline,
             "app_pages": app_pages}
    stages = kinds[kind](*args)
    print(json.dumps({name: asdict(sample) for name, sample in stages.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
