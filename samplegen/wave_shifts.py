"""What a synthetic later wave changes relative to 2023: the generator's known truth.

Why a data file: the differences planted in a synthetic wave are what the stats layer's wave
comparison must find, and the null ones are what it must not flag. The generator (``waves.py``)
and the tests read them from one place, ``wave_shifts.csv``, so the truth a test checks against is
the truth the generator applied. Columns:

``wave``      the wave the row describes (compared with the 2023 wave);
``variable``  ``question=code`` for an answer of a single choice (``contract=A2``),
              ``question__item`` for a box of a multiple choice or a scale row (``place__france_services``,
              ``site__pole_emploi``), ``question`` for a number (``salary``);
``kind``      ``share``: the share of an answer among those who answered the question (a box: its tick
              rate among those asked) moves by ``shift`` percentage points;
              ``mean``: the mean moves by ``shift`` in the variable's unit (scale points, people, euros,
              years);
              ``level``: an answer with no 2023 counterpart (a question, or an answer option, first asked
              in the wave) has an expected share of ``shift`` percent: there is nothing to compare;
``shift``     the size of the change (of the level, for ``level``);
``planted``   ``true`` for a real difference (``shift`` non-zero); ``false`` for an explicit null control
              (``shift`` 0) or a ``level``;
``note``      why the change is plausible.

Every variable asked in both waves and not listed with ``planted`` true has the same expected value
in both waves (same shares, same means), and the shares of a single-choice question always add up:
the ``share`` and ``level`` rows of one question sum to zero (a ``level`` counting as a gain), so its
unlisted answers are null too.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

SHIFTS_PATH = Path(__file__).resolve().with_name("wave_shifts.csv")
COLUMNS = ("wave", "variable", "kind", "shift", "planted", "note")
KINDS = ("share", "mean", "level")


@dataclass(frozen=True)
class Shift:
    """One row of ``wave_shifts.csv`` (see the module docstring)."""

    wave: str
    variable: str
    kind: str
    shift: float
    planted: bool
    note: str = ""

    @property
    def question(self) -> str:
        """The codebook question the row is about."""
        return self.variable.split("=", 1)[0].split("__", 1)[0]

    @property
    def code(self) -> str | None:
        """The choice code (``question=code``) or item code (``question__item``); None for a whole question."""
        if "=" in self.variable:
            return self.variable.split("=", 1)[1]
        if "__" in self.variable:
            return self.variable.split("__", 1)[1]
        return None

    @property
    def is_choice(self) -> bool:
        """Whether the row is about an answer of a single-choice question (``question=code``)."""
        return "=" in self.variable


def _parse(row: dict[str, str], line: int, path: Path) -> Shift:
    where = f"{path.name} line {line}"
    if tuple(row) != COLUMNS:
        raise ValueError(f"{path.name}: expected the columns {', '.join(COLUMNS)}")
    if row["kind"] not in KINDS:
        raise ValueError(f"{where}: kind {row['kind']!r} is not one of {', '.join(KINDS)}")
    if row["planted"] not in ("true", "false"):
        raise ValueError(f"{where}: planted must be true or false, not {row['planted']!r}")
    shift = Shift(
        wave=row["wave"],
        variable=row["variable"],
        kind=row["kind"],
        shift=float(row["shift"]),
        planted=row["planted"] == "true",
        note=row["note"],
    )
    if shift.planted and (shift.kind == "level" or shift.shift == 0):
        raise ValueError(f"{where}: a planted difference needs a share or mean kind and a non-zero shift")
    if not shift.planted and shift.kind != "level" and shift.shift != 0:
        raise ValueError(f"{where}: a null control (planted false) has shift 0")
    if shift.kind == "level" and not (shift.is_choice and 0 < shift.shift < 100):
        raise ValueError(f"{where}: a level is the share (0-100) of one answer, question=code")
    return shift


def load(wave: str | None = None, path: Path = SHIFTS_PATH) -> list[Shift]:
    """The rows of ``wave_shifts.csv`` for ``wave`` (None: every wave), in file order."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = [_parse(r, k, path) for k, r in enumerate(csv.DictReader(f), start=2)]
    seen: set[tuple[str, str]] = set()
    for s in rows:
        if (s.wave, s.variable) in seen:
            raise ValueError(f"{path.name}: {s.variable} is listed twice for wave {s.wave}")
        seen.add((s.wave, s.variable))
    return [s for s in rows if wave is None or s.wave == wave]


def planted(wave: str) -> list[Shift]:
    """The real differences of ``wave``: what a comparison with 2023 must detect."""
    return [s for s in load(wave) if s.planted]


def nulls(wave: str) -> list[Shift]:
    """The explicit null controls of ``wave`` (shift 0): what a comparison with 2023 should not flag."""
    return [s for s in load(wave) if not s.planted and s.kind != "level"]
