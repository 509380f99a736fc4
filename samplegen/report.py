"""The calibration report: how far exactness bent each distribution, and what the data show.

Printed to stderr by ``python -m samplegen --report``:

* for each 1-10 scale row and for people per week, the L1 distance between the
  calibrated counts and the smooth reference (discretised beta / heaped
  log-normal with the published mean and SD), i.e. how many answers had to move
  so that mean, median and SD print exactly as published;
* the significance of every relationship the generator builds in: a
  two-sample Student t (pooled variance) for place groups and for years of
  practice, a chi-square (Yates-corrected, 2x2) for first-hired x conseiller;
* how many published figures the kept respondents reproduce at printed precision.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TextIO

import numpy as np
from scipy import stats

import codebook
from samplegen import design
from samplegen.figures import compute_all
from samplegen.plan import CONSEILLER, Plan
from samplegen.respondents import NUMBER_UNITS, Columns
from samplegen.targets import Targets


@dataclass(frozen=True)
class Relationship:
    description: str
    statistic: str
    value: float
    p: float
    detail: str

    @property
    def significant(self) -> bool:
        return self.p < 0.05


def distances(plan: Plan) -> list[tuple[str, str, float]]:
    """(variable, label, L1 distance to the smooth reference) for every calibrated distribution."""
    rows = [(name, cal.label, cal.distance) for name, cal in plan.scales.items()]
    rows.append(("people_per_week", plan.people_per_week.label, plan.people_per_week.distance))
    return rows


def relationships(cb: codebook.Codebook, kept: Columns) -> list[Relationship]:
    """Tests of the relationships of ``design.PLACE_RELATIONSHIPS`` and of the conseillers numériques."""
    out = []
    eadmin = kept["does_eadmin"] == 0
    for question, item, place, direction in design.PLACE_RELATIONSHIPS:
        name = question if item is None else f"{question}__{item}"
        y = kept[name][eadmin].astype(float)
        group = kept[f"place__{place}"][eadmin] == 1
        t, p = stats.ttest_ind(y[group], y[~group])
        label = next(i.label_fr for i in cb.question("place").items if i.item_code == place)
        out.append(
            Relationship(
                f"{name} {direction} in {label}",
                "t",
                float(t),
                float(p),
                f"{y[group].mean():.2f} (n={group.sum()}) vs {y[~group].mean():.2f} (n={(~group).sum()})",
            )
        )
    title = cb.question("post_title")
    conseiller = kept["post_title"] == [c.choice_code for c in title.choices].index(CONSEILLER)
    years = kept["years_practice"].astype(float) / NUMBER_UNITS["years_practice"]
    t, p = stats.ttest_ind(years[conseiller], years[~conseiller])
    out.append(
        Relationship(
            "years_practice lower for conseillers numériques",
            "t",
            float(t),
            float(p),
            f"{years[conseiller].mean():.2f} (n={conseiller.sum()}) vs {years[~conseiller].mean():.2f}",
        )
    )
    hired = kept["first_mediator_hired"]
    answered = hired >= 0
    table = np.array(
        [[((hired == k) & (conseiller == c) & answered).sum() for k in (0, 1)] for c in (True, False)], dtype=float
    )
    chi2, p, _, _ = stats.chi2_contingency(table)
    out.append(
        Relationship(
            "first mediator hired x conseiller numérique",
            "chi2",
            float(chi2),
            float(p),
            f"first hired: {int(table[0, 0])} of {int(table[0].sum())} conseillers, "
            f"{int(table[1, 0])} of {int(table[1].sum())} others",
        )
    )
    return out


def print_report(
    cb: codebook.Codebook, plan: Plan, targets: Targets, kept: Columns, connections: int, out: TextIO = sys.stderr
) -> None:
    print("\nDistance of each calibrated distribution to its smooth reference (L1, in answers):", file=out)
    for name, label, dist in distances(plan):
        print(f"  {dist:6.2f}  {name:45s} {label}", file=out)
    print("\nBuilt-in relationships (among those who support online procedures where relevant):", file=out)
    for r in relationships(cb, kept):
        flag = "ok" if r.significant else "NOT SIGNIFICANT"
        print(f"  {r.statistic}={r.value:7.2f}  p={r.p:.2g}  {flag:3s}  {r.description}: {r.detail}", file=out)
    figures = compute_all(cb, targets, kept, connections)
    n = len(kept["does_eadmin"])
    if n == plan.n:
        matched = sum(f.ok for f in figures)
        print(f"\nPublished figures reproduced at printed precision: {matched} of {len(figures)}", file=out)
        for f in (f for f in figures if not f.ok):
            t = f.target
            print(
                f"  differs: {t.figure_id} {t.question} / {t.item} / {t.statistic}: published {t.printed}"
                f" (n={t.n}), generated {f.value:.4g} (n={f.base})",
                file=out,
            )
        return
    # away from the 2023 size counts are compared per published base, the rest as they are
    deviations = []
    for f in figures:
        t, value = f.target, f.value
        if t.statistic == "count":
            value = value * (t.n / f.base if t.n and f.base else plan.n / n)
        deviations.append((abs(value - t.value) / max(abs(t.value), 1.0), t, value))
    close = sum(d <= 0.02 for d, _, _ in deviations)
    print(
        f"\nPublished figures within 2 % (counts rescaled to the published base): {close} of {len(figures)};"
        " largest deviations:",
        file=out,
    )
    for d, t, value in sorted(deviations, key=lambda x: -x[0])[:8]:
        print(
            f"  {100 * d:5.1f} %  {t.figure_id} {t.question} / {t.item} / {t.statistic}: published {t.printed},"
            f" generated {value:.4g}",
            file=out,
        )
