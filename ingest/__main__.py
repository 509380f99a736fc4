"""``python -m ingest --raw-dir DIR --db FILE``: load exports into a DuckDB file's ``raw`` schema."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ingest.errors import ExportError
from ingest.run import describe, ingest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest", description=__doc__)
    parser.add_argument("--raw-dir", type=Path, default=Path("data/sample"), help="folder of survey exports")
    parser.add_argument("--db", type=Path, required=True, help="DuckDB file to load (its raw schema is replaced)")
    args = parser.parse_args(argv)
    try:
        for report in ingest(args.raw_dir, args.db):
            print(f"ingest: {describe(report)}")
    except ExportError as exc:
        print(f"ingest: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
