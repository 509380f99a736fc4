"""The report's figures recomputed from generated answer codes.

Used by the calibration report (``--report``) to say how many published
figures a run reproduces. It works on the generator's integer codes, not on the
CSV; the tests recompute the same figures from the CSV with pandas, independently.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

import codebook
from samplegen.respondents import NUMBER_UNITS, Columns
from samplegen.targets import Target, Targets


@dataclass(frozen=True)
class Figure:
    target: Target
    value: float
    base: int

    @property
    def ok(self) -> bool:
        return self.target.matches(self.value) and (self.target.n is None or self.target.n == self.base)


class Codes:
    """Access to kept respondents' answers by question code and French label."""

    def __init__(self, cb: codebook.Codebook, kept: Columns, raw_connections: int) -> None:
        self.cb, self.kept, self.raw = cb, kept, raw_connections
        self.n = len(kept["does_eadmin"])

    def choice(self, qcode: str, label: str) -> NDArray[np.bool_]:
        q = self.cb.question(qcode)
        idx = [k for k, c in enumerate(q.choices) if label in (c.label_fr, c.group_label_fr)]
        return np.isin(self.kept[qcode], idx)

    def item(self, qcode: str, label: str | None) -> str:
        q = self.cb.question(qcode)
        if label is None or not q.items:
            return qcode
        return f"{qcode}__{next(i.item_code for i in q.items if i.label_fr == label)}"

    def number(self, name: str, qcode: str) -> NDArray[np.float64]:
        return self.kept[name].astype(float) / NUMBER_UNITS.get(qcode, 1)

    def scope(self, scope: str) -> NDArray[np.bool_]:
        eadmin = self.choice("does_eadmin", "Oui")
        if scope == "respondents":
            return np.ones(self.n, dtype=bool)
        if scope == "eadmin":
            return eadmin
        if scope == "non_eadmin":
            return ~eadmin
        if scope == "eadmin_answered":
            q = self.cb.question("reorientation")
            return eadmin & np.any([self.kept[f"reorientation__{i.item_code}"] == 1 for i in q.items], axis=0)
        raise ValueError(f"unknown scope {scope!r}")


def _stat(values: NDArray[np.float64], statistic: str) -> float:
    if len(values) == 0:
        return float("nan")
    if statistic == "mean":
        return float(values.mean())
    if statistic == "median":
        return float(np.median(values))
    return float(values.std(ddof=1)) if len(values) > 1 else float("nan")


def compute(t: Target, c: Codes) -> Figure:
    """The value of a published figure in generated data, with the base it is computed on."""
    if t.scope == "raw":
        return Figure(t, float(c.raw), c.raw)
    rows = c.scope(t.scope)
    if t.question == "sample":
        return Figure(t, float(rows.sum()), int(rows.sum()))
    if t.question == "people_per_week_by_place":
        place, answer = t.item.rsplit("=", 1)
        ticked = c.kept[c.item("place", place)] == 1
        sel = rows & (ticked if answer == "Oui" else ~ticked)
        return Figure(t, _stat(c.number("people_per_week", "people_per_week")[sel], t.statistic), int(sel.sum()))
    if t.question == "years_practice_by_post_title":
        sel = rows & c.choice("post_title", t.item)
        return Figure(t, _stat(c.number("years_practice", "years_practice")[sel], t.statistic), int(sel.sum()))
    if t.question == "first_mediator_hired_x_post_title":
        hit = rows & c.choice("first_mediator_hired", "Oui") & c.choice("post_title", t.item)
        return Figure(t, float(hit.sum()), int(rows.sum()))
    if "_x_" in t.question:
        qa, qb = t.question.split("_x_")
        (_, la), (_, lb) = (part.split("=") for part in t.item.split(" & "))
        hit = rows & c.choice(qa, la) & c.choice(qb, lb)
        return Figure(t, float(hit.sum()), int(rows.sum()))
    q = c.cb.question(t.question)
    if t.statistic in ("mean", "median", "sd"):
        name = c.item(t.question, t.item if q.items else None)
        sel = rows & (c.kept[name] >= 0)
        return Figure(t, _stat(c.number(name, t.question)[sel], t.statistic), int(sel.sum()))
    if q.type == "multi":
        hit, base = rows & (c.kept[c.item(t.question, t.item)] == 1), int(rows.sum())
    else:
        hit = rows & c.choice(t.question, t.item)
        base = int((rows & (c.kept[t.question] >= 0)).sum()) if t.n is None else int(rows.sum())
    count = int(hit.sum())
    value = float(count) if t.statistic == "count" else (100.0 * count / base if base else float("nan"))
    return Figure(t, value, base)


def compute_all(cb: codebook.Codebook, targets: Targets, kept: Columns, raw_connections: int) -> list[Figure]:
    codes = Codes(cb, kept, raw_connections)
    return [compute(t, codes) for t in targets.rows]
