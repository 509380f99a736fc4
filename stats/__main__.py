"""``python -m stats``: recompute the significance tests of a warehouse.

By default the published warehouse is copied beside itself, the copy gets the
new ``stats`` schema, and it is swapped in whole (the same publish step as the
build), so readers never see a half-written file. If a build publishes while
the stats run, the copy is out of date: it is discarded rather than swapped
over the newer build (which computed its own stats), and the command fails
saying so (exit status 3). ``--db FILE`` writes into a given file directly instead (a scratch
copy, a build file).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

import duckdb

from pipeline.publish import PublishConflict, discard, identity, new_build_path, publish, remove_stale_builds
from stats.errors import StatsError
from stats.run import run_stats

COPY_CHUNK = 16 * 1024 * 1024


def recompute_published(warehouse: Path) -> None:
    """Run the stats on a copy of ``warehouse`` and publish the copy, unless the warehouse changed meanwhile."""
    warehouse = warehouse.resolve()
    remove_stale_builds(warehouse)
    work = new_build_path(warehouse)
    try:
        with warehouse.open("rb") as source, work.open("wb") as target:
            started = identity(os.fstat(source.fileno()))  # of the very file copied, even if replaced meanwhile
            shutil.copyfileobj(source, target, COPY_CHUNK)
        run_stats(work, log=print)
        publish(work, warehouse, expected=started)
    finally:
        discard(work)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stats", description=__doc__)
    target = parser.add_mutually_exclusive_group()
    target.add_argument(
        "--warehouse",
        type=Path,
        default=Path(os.environ.get("WAREHOUSE", "warehouse/survey.duckdb")),
        help="published warehouse to recompute on a copy and replace whole (default: %(default)s)",
    )
    target.add_argument("--db", type=Path, help="write the stats schema directly into this DuckDB file")
    args = parser.parse_args(argv)
    path = args.db or args.warehouse
    if not path.is_file():
        print(f"stats: error: no DuckDB file at {path}: run 'make build' first", file=sys.stderr)
        return 2
    try:
        if args.db:
            run_stats(args.db, log=print)
        else:
            recompute_published(args.warehouse)
    except StatsError as exc:
        print(f"stats: error: {exc}", file=sys.stderr)
        unchanged = "the stats schema was not written" if args.db else f"{path} left unchanged"
        print(f"stats: {unchanged}.", file=sys.stderr)
        return 1
    except PublishConflict as exc:
        print(f"stats: error: {exc}.", file=sys.stderr)
        print(
            f"stats: the recomputed copy was discarded and {path} left as it is (a build computes its own stats); "
            "run python -m stats again to recompute the new file.",
            file=sys.stderr,
        )
        return 3
    except duckdb.Error as exc:
        print(f"stats: error: cannot use {path} as a DuckDB warehouse: {exc}", file=sys.stderr)
        return 1
    print(f"stats: wrote schema stats of {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
