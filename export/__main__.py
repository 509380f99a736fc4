"""``python -m export --format sav|dta|parquet|xlsx --out <folder> [--wave W]`` (what ``make export`` runs).

A mistake in the command or its input ends in one line on stderr and a non-zero exit code, never a traceback:
2 for bad input (format, folder, wave, warehouse), 3 when the folder cannot be written. On success, the files
written are listed, one per line.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from export.errors import EXIT_BAD_INPUT, CannotExport
from export.run import FORMATS, export


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line, like every other error of the command."""

    def error(self, message: str):
        print(f"export: error: {message} (usage: python -m export --format {'|'.join(FORMATS)} --out <folder>"
              " [--wave W] [--warehouse FILE])", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="python -m export", description=__doc__.splitlines()[0])
    parser.add_argument("--format", help=f"one of {', '.join(FORMATS)}")
    parser.add_argument("--out", type=Path, help="folder to write into (created if missing)")
    parser.add_argument("--wave", help="export this wave only (default: every wave)")
    parser.add_argument("--warehouse", type=Path,
                        default=Path(os.environ.get("WAREHOUSE", "warehouse/survey.duckdb")))
    args = parser.parse_args(argv)
    try:
        paths = export(args.warehouse, args.format, args.out, args.wave)
    except CannotExport as exc:
        print(f"export: error: {exc}", file=sys.stderr)
        return exc.exit_code
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
