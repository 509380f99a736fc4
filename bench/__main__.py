"""``make bench``: build exports of growing size and measure every stage.

For each size (``BENCH_SIZES``, default 178 (the bundled sample's 2023 wave),
1 000, 10 000, 100 000 and 1 000 000 kept respondents) it generates an export
with ``samplegen``, then, ``BENCH_REPEATS`` times (default 3): DuckDB's bare read of
the export (the floor), the full build with per-stage wall time and peak RSS of
the process tree, and the pandas baseline; then, on the last build of the size,
each app page's render time (``bench.app_pages``: medians of ``BENCH_PAGE_RUNS``
renders, uncached and cached, on the whole wave and on a filtered selection).
Medians go to ``bench/results.csv`` and a summary to ``bench/README.md``.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

from bench.report import write_results
from bench.runs import BenchRun, app_pages, run_size

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
DEFAULT_SIZES = (178, 1_000, 10_000, 100_000, 1_000_000)
SAMPLE_DIR = PROJECT_DIR / "data" / "sample"
#: The bundled sample's wave measured as size 178: one export, like every other size's.
SAMPLE_WAVE = "2023"


def _sizes() -> list[int]:
    raw = os.environ.get("BENCH_SIZES")
    return [int(s) for s in raw.replace(",", " ").split()] if raw else list(DEFAULT_SIZES)


def sample_wave(out: Path) -> Path:
    """A raw folder holding the bundled sample's 2023 export, its manifest row and the survey structure.

    The bundled sample holds more than one wave; every size is measured on one export (DuckDB's read, the build
    and the pandas baseline on the same file), and its sizes count one wave's kept respondents.
    """
    with (SAMPLE_DIR / "manifest.csv").open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
    kept = [r for r in rows if r["wave"] == SAMPLE_WAVE]
    if len(kept) != 1:
        raise SystemExit(f"bench: {SAMPLE_DIR / 'manifest.csv'} has {len(kept)} rows of wave {SAMPLE_WAVE}, not 1")
    other_exports = {r["file"] for r in rows} - {kept[0]["file"]}
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for path in SAMPLE_DIR.iterdir():
        if path.is_file() and path.name != "manifest.csv" and path.name not in other_exports:
            shutil.copy2(path, out / path.name)
    with (out / "manifest.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=reader.fieldnames or [], lineterminator="\n")
        writer.writeheader()
        writer.writerows(kept)
    return out


def export_for(size: int, workdir: Path) -> Path:
    """The bundled sample's 2023 wave for 178; a generated export otherwise (not timed)."""
    if size == 178:
        return sample_wave(workdir / "raw_178")
    out = workdir / f"raw_{size}"
    if not (out / "manifest.csv").exists():
        shutil.rmtree(out, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "samplegen", "--respondents", str(size), "--out", str(out)],
                       check=True, cwd=PROJECT_DIR)
    return out


def main() -> int:
    repeats = int(os.environ.get("BENCH_REPEATS", "3"))
    workdir = Path(os.environ.get("BENCH_WORKDIR", BENCH_DIR / "runs"))
    workdir.mkdir(parents=True, exist_ok=True)
    runs: list[BenchRun] = []
    for size in _sizes():
        raw = export_for(size, workdir)
        for i in range(repeats):
            run = run_size(size, raw, workdir / f"wh_{size}" / "survey.duckdb")
            runs.append(run)
            total = run.stages["total"]
            print(f"bench: size {size} run {i + 1}/{repeats}: total {total.wall_s:.1f} s, "
                  f"peak {max(s.peak_rss_mb for s in run.stages.values()):.0f} MB", flush=True)
        app_pages(runs[-1], workdir / f"wh_{size}" / "survey.duckdb")
        slowest = max(s.wall_s for name, s in runs[-1].stages.items() if name.startswith("page:"))
        print(f"bench: size {size} app pages: slowest uncached {slowest:.2f} s", flush=True)
        shutil.rmtree(workdir / f"wh_{size}", ignore_errors=True)
    write_results(runs, BENCH_DIR)
    print(f"bench: wrote {BENCH_DIR / 'results.csv'} and {BENCH_DIR / 'README.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
