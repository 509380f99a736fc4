"""``python -m codebook check-lss FILE.lss`` and ``python -m codebook write-lss OUT.lss``.

check-lss lists, question by question, every difference between LimeSurvey's survey structure
export and the codebook; its exit code is what a script needs: 0 they agree, 1 they differ,
2 the file is not a readable .lss (one line naming the file and what was expected, no traceback).
write-lss writes one edition of the codebook (``--wave``, default the latest) as an .lss, the same bytes at every
run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import codebook
from codebook.lss import LssError, compare_editions, read_lss, summary, write_lss

EXPECTED = "LimeSurvey's survey structure export (.lss): Export → 'Survey structure (.lss)'"


def check_lss(path: Path, wave: str | None = None) -> int:
    """Print every difference (stdout) and a one-line verdict; return the exit code.

    An .lss is one edition of the questionnaire: it is compared with ``wave``'s, or with the closest one.
    """
    try:
        survey = read_lss(path)
    except LssError as exc:
        print(f"codebook: error: {exc} (expected: {EXPECTED})", file=sys.stderr)
        return 2
    differences = compare_editions(survey, wave)
    if differences:
        for d in differences:
            print(d)
        print(
            f"{path}: {len(differences)} difference(s) with the codebook (dbt_project/seeds/codebook/): "
            "fix the codebook or the survey in LimeSurvey, or export the right survey",
            file=sys.stderr,
        )
        return 1
    print(f"{path}: agrees with the codebook ({summary(survey)})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codebook", description="The codebook against LimeSurvey's .lss.")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check-lss", help="list every difference between an .lss and the codebook (exit 0/1/2)")
    check.add_argument("lss", type=Path, metavar="FILE.lss")
    check.add_argument("--wave", default=None, help="the edition to compare with (default: the closest)")
    write = sub.add_parser("write-lss", help="write one edition of the codebook as an .lss (LimeSurvey 6 layout)")
    write.add_argument("out", type=Path, metavar="OUT.lss")
    write.add_argument("--wave", default=None, help="the edition to write (default: the latest wave of waves.csv)")
    args = parser.parse_args(argv)
    if args.command == "check-lss":
        return check_lss(args.lss, args.wave)
    cb = codebook.load()
    try:
        write_lss(args.out, cb.edition(args.wave) if args.wave else cb.latest_edition())
    except OSError as exc:
        print(f"codebook: error: {args.out}: cannot be written ({exc.strerror or exc})", file=sys.stderr)
        return 2
    print(f"codebook: wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
