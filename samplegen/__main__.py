"""Command line: ``python -m samplegen [--respondents N] [--out DIR] [--wave WAVE] [--seed SEED] [--report]``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from samplegen import design
from samplegen.generate import GenerationError, generate


def _positive(text: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative number, got {value}")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m samplegen",
        description="Generate a raw LimeSurvey export of the digital mediators survey and its manifest.",
    )
    parser.add_argument(
        "--respondents",
        type=_positive,
        default=None,
        metavar="N",
        help="kept respondents after cleaning (default: the wave's size in waves.csv; 2023's 178 is calibrated)",
    )
    parser.add_argument(
        "--out", type=Path, default=Path("data/sample"), metavar="DIR", help="output directory (default: data/sample)"
    )
    parser.add_argument("--wave", default="2023", help="wave of waves.csv (default: 2023)")
    parser.add_argument(
        "--seed",
        type=_seed,
        default=None,
        help=f"random seed (default: the first day of the wave's fieldwork, {design.DEFAULT_SEED} for 2023)",
    )
    parser.add_argument(
        "--report",
        action="store_true",
        help="print the calibration report (2023: distances, relationships, parity; a later wave: its known truth)",
    )
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    try:
        result = generate(args.out, args.respondents, args.wave, args.seed)
    except GenerationError as exc:
        print(f"samplegen: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"samplegen: error: cannot write to {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - t0
    excluded = ", ".join(f"{k} {v}" for k, v in sorted(result.excluded.items()))
    print(
        f"wrote {result.responses} ({result.connections} connections: {result.kept} kept, "
        f"{result.eadmin} supporting online procedures; excluded: {excluded}) and {result.manifest} "
        f"in {elapsed:.1f} s",
        file=sys.stderr,
    )
    if args.report:
        import codebook
        from samplegen import targets

        cb = codebook.load()
        if args.wave == design.BASE_WAVE:
            from samplegen.report import print_report

            print_report(cb, result.plan, targets.load(), result.kept_columns, result.connections)
        else:
            from samplegen.generate import make_kept
            from samplegen.plan import build_plan
            from samplegen.waves import print_wave_report

            before = cb.edition(design.BASE_WAVE)
            plan = build_plan(before, targets.load())
            base = make_kept(before, plan, plan.n, design.DEFAULT_SEED)
            print_wave_report(cb, args.wave, result.kept_columns, base)
    return 0


if __name__ == "__main__":
    sys.exit(main())
