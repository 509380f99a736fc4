"""Render time of each app page on a warehouse, with Streamlit's AppTest (no browser).

Timing belongs in the benchmark, not in tests: ``python -m bench.app_pages
[WAREHOUSE]`` renders every page five times with an empty cache (every query
read from the file) and five times cached, and prints the medians.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def page_times(warehouse: Path, runs: int = 5) -> list[dict[str, object]]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from app.navigation import PAGES

    os.environ["SURVEY_WAREHOUSE"] = str(warehouse)
    rows = []
    for spec in PAGES:
        at = AppTest.from_file(str(PROJECT_DIR / "app" / "main.py"), default_timeout=60).run()
        at.switch_page(spec.script).run()
        timings: dict[str, list[float]] = {"uncached": [], "cached": []}
        for kind in ("uncached", "cached"):
            for _ in range(runs):
                if kind == "uncached":
                    st.cache_data.clear()
                start = time.perf_counter()
                at.run()
                timings[kind].append(time.perf_counter() - start)
                if at.exception:
                    raise RuntimeError(f"{spec.title}: {[e.value for e in at.exception]}")
        medians = {f"{kind}_median_s": round(statistics.median(t), 3) for kind, t in timings.items()}
        rows.append({"page": spec.title, **medians})
    return rows


def main(argv: list[str]) -> int:
    warehouse = Path(argv[0]) if argv else PROJECT_DIR / "warehouse" / "survey.duckdb"
    if not warehouse.exists():
        print(f"bench: no warehouse at {warehouse}: run 'make build' first", file=sys.stderr)
        return 2
    for row in page_times(warehouse):
        print(f"{row['page']:<16} uncached {row['uncached_median_s']:.3f} s   cached {row['cached_median_s']:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
