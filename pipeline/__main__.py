"""``python -m pipeline build``: build the warehouse from a raw folder and publish it if every check passes.

Exit codes (see :mod:`pipeline.errors`): 0 published, 1 data refused by a stage, 2 bad input,
3 environment (disk, permissions, another build running), 4 internal error (traceback in a log file).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import traceback
from pathlib import Path

import duckdb

from ingest.errors import ExportError
from pipeline.build import build
from pipeline.errors import (
    EXIT_BAD_INPUT,
    EXIT_ENVIRONMENT,
    EXIT_INTERNAL,
    EXIT_REFUSED,
    EnvironmentProblem,
    StageFailed,
    environment_words,
)
from pipeline.publish import environment_problem


def _internal_error(warehouse: Path) -> int:
    """A bug: the person gets one line; the traceback goes to a log file beside the warehouse (or in /tmp)."""
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    text = traceback.format_exc()
    for folder in (warehouse.parent / "logs", Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            log = folder / f"build-error-{stamp}-{os.getpid()}.log"
            log.write_text(text, encoding="utf-8")
            break
        except OSError:
            log = None
    last = text.strip().splitlines()[-1]
    where = f"the traceback is in {log}" if log else "the traceback could not be written"
    print(f"build: internal error ({last}); {where}. Please report it.", file=sys.stderr)
    print(f"build: {warehouse} left unchanged.", file=sys.stderr)
    return EXIT_INTERNAL


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="ingest → dbt → checks → stats → publish")
    b.add_argument("--raw-dir", type=Path, default=Path(os.environ.get("RAW_DIR", "data/sample")))
    b.add_argument("--warehouse", type=Path, default=Path(os.environ.get("WAREHOUSE", "warehouse/survey.duckdb")))
    b.add_argument("--keep-failed", action="store_true", help="keep a failed build in failed/ beside the warehouse")
    args = parser.parse_args(argv)
    unchanged = f"build: {args.warehouse} left unchanged."
    try:
        ctx = build(args.raw_dir, args.warehouse, keep_failed=args.keep_failed)
    except ExportError as exc:
        print(f"build: error: {exc}", file=sys.stderr)
        print(unchanged, file=sys.stderr)
        return EXIT_BAD_INPUT
    except StageFailed as exc:
        print(f"build: {exc.stage} failed:\n{exc}", file=sys.stderr)
        print(unchanged, file=sys.stderr)
        return EXIT_REFUSED
    except (EnvironmentProblem, OSError) as exc:
        problem = exc if isinstance(exc, EnvironmentProblem) else environment_problem(exc, args.warehouse)
        print(f"build: error: {problem}", file=sys.stderr)
        print(unchanged, file=sys.stderr)
        return EXIT_ENVIRONMENT
    except duckdb.Error as exc:
        machine = environment_words(str(exc))
        if machine is None:
            return _internal_error(args.warehouse)
        print(f"build: error: {machine} ({str(exc).splitlines()[0]})", file=sys.stderr)
        print(unchanged, file=sys.stderr)
        return EXIT_ENVIRONMENT
    except Exception:
        return _internal_error(args.warehouse)
    stages = ", ".join(f"{s} {t:.1f} s" for s, t in ctx.timings.items())
    print(f"build: published {ctx.warehouse} (run {ctx.run_id}; {stages})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
