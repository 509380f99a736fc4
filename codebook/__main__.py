"""``python -m codebook check-lss FILE.lss`` / ``write-lss OUT.lss``: the codebook against LimeSurvey's .lss.

check-lss exits 0 when the .lss agrees with the codebook, 1 listing every difference, 2 when the file is
not a readable LimeSurvey survey structure.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import codebook
from codebook.lss import LssError, compare, read_lss, write_lss


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codebook", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check-lss", help="list every difference between an .lss and the codebook")
    check.add_argument("lss", type=Path)
    write = sub.add_parser("write-lss", help="write the codebook as an .lss")
    write.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    if args.command == "write-lss":
        write_lss(args.out)
        print(f"codebook: wrote {args.out}")
        return 0
    try:
        questions = read_lss(args.lss)
    except LssError as exc:
        print(f"codebook: error: {exc} (expected: LimeSurvey's 'Export survey structure (.lss)')", file=sys.stderr)
        return 2
    differences = compare(questions)
    if differences:
        for d in differences:
            print(f"{args.lss.name}: {d}")
        print(f"{args.lss}: {len(differences)} difference(s) with dbt_project/seeds/codebook/", file=sys.stderr)
        return 1
    cb = codebook.load()
    items = sum(len(q.items) for q in cb.questions)
    answers = sum(len(q.answers) for q in questions.values())
    print(
        f"{args.lss}: agrees with the codebook ({len(cb.questions)} questions, {items} subquestions, "
        f"{answers} answer codes)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
