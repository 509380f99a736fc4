"""The 2023 report's published figures, and how to compare a computed value with one."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

#: The report's figures: the project's own copy, a dbt seed (its provenance in the seed's description).
PUBLISHED_FIGURES = (
    Path(__file__).resolve().parent.parent / "dbt_project" / "seeds" / "report" / "report_published_figures.csv"
)


@dataclass(frozen=True)
class PublishedFigure:
    figure_id: str
    question: str
    item: str
    statistic: str
    value: str
    n: str
    scope: str

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.figure_id, self.question, self.item, self.statistic)

    @property
    def decimals(self) -> int:
        return -Decimal(self.value).as_tuple().exponent if "." in self.value else 0

    def matches(self, computed: float) -> bool:
        """Equal at the printed precision: within half a unit of the last printed decimal."""
        return abs(computed - float(self.value)) <= 0.5 * 10**-self.decimals + 1e-9


def published_figures() -> list[PublishedFigure]:
    with PUBLISHED_FIGURES.open(encoding="utf-8") as f:
        return [PublishedFigure(**row) for row in csv.DictReader(f)]
