"""Where the app reads from and how strictly it protects small groups.

Settings come from the command line after ``--`` (``make app`` passes
``--warehouse``), then the environment, then defaults, so the same code serves
``make app``, a bare ``streamlit run`` and the tests (which set the
environment).
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_WAREHOUSE = PROJECT_DIR / "warehouse" / "survey.duckdb"
#: Fewest respondents a shown count, percentage or mean may describe (statistical confidentiality).
DEFAULT_MIN_CELL = 5

WAREHOUSE_ENV = "SURVEY_WAREHOUSE"
MIN_CELL_ENV = "SURVEY_MIN_CELL"


class SettingsError(ValueError):
    """A setting the app cannot use; the message says which and why, in French for the page."""


@dataclass(frozen=True)
class Settings:
    warehouse: Path
    min_cell: int


def _parser() -> argparse.ArgumentParser:
    # allow_abbrev=False: under pytest, sys.argv holds pytest's options, which must not match ours by prefix.
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    parser.add_argument("--warehouse", default=None)
    parser.add_argument("--min-cell", dest="min_cell", default=None)
    return parser


def load(argv: Sequence[str], env: Mapping[str, str]) -> Settings:
    """Command line first, then ``SURVEY_WAREHOUSE`` / ``SURVEY_MIN_CELL``, then the defaults."""
    args, _unknown = _parser().parse_known_args(list(argv))
    warehouse = args.warehouse or env.get(WAREHOUSE_ENV) or str(DEFAULT_WAREHOUSE)
    raw_k = args.min_cell if args.min_cell is not None else env.get(MIN_CELL_ENV, str(DEFAULT_MIN_CELL))
    try:
        min_cell = int(raw_k)
    except ValueError:
        raise SettingsError(
            f"Seuil de secret statistique invalide ({MIN_CELL_ENV} ou --min-cell) : « {raw_k} » n'est pas un entier."
        ) from None
    if min_cell < 1:
        raise SettingsError(f"Seuil de secret statistique invalide : {min_cell} (il faut un entier ≥ 1).")
    return Settings(warehouse=Path(warehouse).expanduser().resolve(), min_cell=min_cell)
