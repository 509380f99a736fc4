"""Calibration targets: the figures the 2023 report publishes.

``targets.csv`` is a verbatim copy of ``shared/report_2023/published_figures.csv``
kept inside the package, so that the generator is self-contained (CI and users
may not have the shared folder where the repository expects it). The parity test
compares the generated sample with the published file itself, so a drift between
the two copies is caught.

A printed figure is an interval, not a number: ``7.44`` means any value in
[7.435, 7.445). ``Target.matches`` tests membership with a small safety margin
so that the tie case (exactly ``x.xx5``) is never relied upon; everything that
calibrates a statistic goes through :meth:`Target.bounds`.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TARGETS_PATH = Path(__file__).resolve().with_name("targets.csv")

#: Safety margin kept from the rounding boundaries, relative to the half-unit.
_MARGIN = 1e-6


@dataclass(frozen=True)
class Target:
    """One published figure: its key, its printed value and its base."""

    figure_id: str
    question: str
    item: str
    statistic: str
    printed: str
    n: int | None
    scope: str

    @property
    def value(self) -> float:
        return float(self.printed)

    @property
    def decimals(self) -> int:
        """Printed precision: the number of digits after the dot."""
        return len(self.printed.split(".")[1]) if "." in self.printed else 0

    @property
    def half_unit(self) -> float:
        return 0.5 * 10.0 ** (-self.decimals)

    def bounds(self) -> tuple[float, float]:
        """Open interval of true values that print as this figure (margin included)."""
        h = self.half_unit * (1.0 - _MARGIN)
        return self.value - h, self.value + h

    def matches(self, x: float) -> bool:
        lo, hi = self.bounds()
        return lo < x < hi

    def integer_sums(self, n: int) -> list[int]:
        """Integer totals ``s`` such that the mean ``s / n`` prints as this figure."""
        lo, hi = self.bounds()
        return [s for s in range(math.floor(lo * n), math.ceil(hi * n) + 1) if self.matches(s / n)]

    def count_for(self, base: int) -> int:
        """The count whose percentage of ``base`` prints as this (percent) figure.

        Raises ``ValueError`` when no count of that base fits, i.e. the base is
        inconsistent with the printed figure.
        """
        fits = [c for c in range(base + 1) if self.matches(100.0 * c / base)]
        if not fits:
            raise ValueError(f"no count out of {base} prints as {self.printed} % ({self.question} / {self.item})")
        best = self.value * base / 100.0
        return min(fits, key=lambda c: (abs(c - best), c))


class Targets:
    """The published figures, looked up by (question, item, statistic)."""

    def __init__(self, rows: list[Target]) -> None:
        self.rows = rows
        self._by_key = {(t.question, t.item, t.statistic): t for t in rows}
        if len(self._by_key) != len(rows):
            raise ValueError("targets.csv: (question, item, statistic) must be unique")

    def get(self, question: str, item: str, statistic: str) -> Target:
        try:
            return self._by_key[(question, item, statistic)]
        except KeyError:
            raise KeyError(f"no published figure for {question!r} / {item!r} / {statistic!r}") from None

    def has(self, question: str, item: str, statistic: str) -> bool:
        return (question, item, statistic) in self._by_key

    def of_question(self, question: str, statistic: str | None = None) -> list[Target]:
        return [t for t in self.rows if t.question == question and (statistic is None or t.statistic == statistic)]

    def count(self, question: str, item: str, base: int | None = None) -> int:
        """A published count, or the count implied by a published percent of ``base``."""
        if self.has(question, item, "count"):
            return int(self.get(question, item, "count").value)
        pct = self.get(question, item, "percent")
        base = base if base is not None else pct.n
        if base is None:
            raise ValueError(f"{question!r} / {item!r}: the report states no base, one must be chosen")
        return pct.count_for(base)


@cache
def load(path: Path = TARGETS_PATH) -> Targets:
    """Read ``targets.csv`` (cached: the file never changes during a run)."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = [
            Target(
                figure_id=r["figure_id"],
                question=r["question"],
                item=r["item"],
                statistic=r["statistic"],
                printed=r["value"],
                n=int(r["n"]) if r["n"] else None,
                scope=r["scope"],
            )
            for r in csv.DictReader(f)
        ]
    return Targets(rows)
