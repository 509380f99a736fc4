"""``python -m pipeline build``: build the warehouse from a raw folder and publish it if every check passes."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ingest.errors import ExportError
from pipeline.build import StageFailed, build


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="ingest → dbt → checks → stats → publish")
    b.add_argument("--raw-dir", type=Path, default=Path(os.environ.get("RAW_DIR", "data/sample")))
    b.add_argument("--warehouse", type=Path, default=Path(os.environ.get("WAREHOUSE", "warehouse/survey.duckdb")))
    b.add_argument("--keep-failed", action="store_true", help="keep a failed build in failed/ beside the warehouse")
    args = parser.parse_args(argv)
    try:
        ctx = build(args.raw_dir, args.warehouse, keep_failed=args.keep_failed)
    except ExportError as exc:
        print(f"build: error: {exc}", file=sys.stderr)
        print(f"build: {args.warehouse} left unchanged.", file=sys.stderr)
        return 2
    except StageFailed as exc:
        print(f"build: {exc.stage} failed:\n{exc}", file=sys.stderr)
        print(f"build: {args.warehouse} left unchanged.", file=sys.stderr)
        return 1
    stages = ", ".join(f"{s} {t:.1f} s" for s, t in ctx.timings.items())
    print(f"build: published {ctx.warehouse} (run {ctx.run_id}; {stages})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
