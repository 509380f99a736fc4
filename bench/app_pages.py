"""Render time of each app page on a warehouse, with Streamlit's AppTest (no browser).

Timing belongs in the benchmark, not in tests: ``python -m bench.app_pages
[WAREHOUSE] [--json]`` renders every page ``BENCH_PAGE_RUNS`` times (default
5) with an empty cache (``st.cache_data.clear()``: every query read from the
file) and as many times cached, on the whole wave and on a filtered selection
(the first département and the first place of work of the codebook, set in
the sidebar as a reader would), and prints the medians. ``make bench`` records
the uncached and cached medians of every size (``bench/results.csv``, stages
``page:<page>:<filter>`` and ``page_cached:<page>:<filter>``).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

import duckdb

PROJECT_DIR = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_PAGE_RUNS", "5"))
UNFILTERED, FILTERED = "all", "filtered"
#: The sidebar's widgets (app/sidebar.py) the filtered variant sets.
DEPARTMENTS_KEY, PLACES_KEY = "filter_departments", "filter_places"


def filtered_choice(warehouse: Path) -> dict[str, list[str]]:
    """One département and one place, the codebook's first of each: a typical two-filter selection."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (department,) = con.execute(
            "select choice_code from codebook.codebook_choices where question_code = 'department' order by position"
        ).fetchone()
        (place,) = con.execute(
            "select item_code from codebook.codebook_items where question_code = 'place' order by position"
        ).fetchone()
    return {DEPARTMENTS_KEY: [department], PLACES_KEY: [place]}


def page_times(warehouse: Path, runs: int = RUNS) -> list[dict[str, object]]:
    """Per page and filter: the median render time uncached and cached, in seconds."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from app.navigation import PAGES

    os.environ["SURVEY_WAREHOUSE"] = str(warehouse)
    filters = {UNFILTERED: {}, FILTERED: filtered_choice(warehouse)}
    rows = []
    for spec in PAGES:
        for variant, widgets in filters.items():
            at = AppTest.from_file(str(PROJECT_DIR / "app" / "main.py"), default_timeout=300).run()
            at.switch_page(spec.script).run()
            for key, value in widgets.items():
                at.multiselect(key=key).set_value(value)
            at.run()
            timings: dict[str, list[float]] = {"uncached": [], "cached": []}
            for kind in ("uncached", "cached"):
                for _ in range(runs):
                    if kind == "uncached":
                        st.cache_data.clear()
                    start = time.perf_counter()
                    at.run()
                    timings[kind].append(time.perf_counter() - start)
                    if at.exception:
                        raise RuntimeError(f"{spec.title} ({variant}): {[e.value for e in at.exception]}")
            medians = {f"{kind}_median_s": round(statistics.median(t), 3) for kind, t in timings.items()}
            rows.append({"page": spec.url_path, "title": spec.title, "filter": variant, "runs": runs, **medians})
    return rows


def main(argv: list[str]) -> int:
    as_json = "--json" in argv
    paths = [a for a in argv if a != "--json"]
    warehouse = Path(paths[0]) if paths else PROJECT_DIR / "warehouse" / "survey.duckdb"
    if not warehouse.exists():
        print(f"bench: no warehouse at {warehouse}: run 'make build' first", file=sys.stderr)
        return 2
    rows = page_times(warehouse)
    if as_json:
        print(json.dumps(rows))
        return 0
    for row in rows:
        print(f"{row['title']:<16} {row['filter']:<9} uncached {row['uncached_median_s']:.3f} s   "
              f"cached {row['cached_median_s']:.3f} s   (medians of {row['runs']})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
