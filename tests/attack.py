"""An automated attacker on the app's disclosure policy, for the attack tests.

It knows the policy (the threshold k, how far a shown count or magnitude can be
from the true one) and sees what the pages show, through the same query layer
and table builders the pages call, for the whole wave, every single filter
value and every pair of filter values. The test gives it one more thing no
reader has: the exact respondent set behind every shown number (computed here
from the microdata), so that it knows which shown numbers describe nested
groups. It then tries the issue's four attacks:

1. **statistics inversion**: every test the Tests page prints with a statistic
   must rest on a table without a small cell, and a 2×2 table is rebuilt from
   its shown margins and χ² when it can be;
2. **differencing of counts** between nested selections, the sidebar's count
   included: a small group's size is *recovered* when the only value of
   1…k − 1 consistent with the two shown counts is the true one;
3. **differencing of means** between nested groups: a small group's mean is
   recovered when every value consistent with what is shown lies within half
   a unit of the answers (a euro, a year, a point of a 1–10 scale);
4. **linked tables on one page**: any two shown counts of one selection
   (a table's base against the selection's size, tables 5–8's n…), and a
   hidden answer rebuilt as its table's total minus the shown answers.

A recovery is a value the attacker can *determine* from what it sees and the
policy, not a lucky guess: under rounding, a difference of two shown counts may
happen to equal the truth, but the attacker cannot know it does.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import duckdb

from app import display
from app.disclosure import Policy
from tests.attack_view import Count, Magnitude, Microdata, observe, selections, union

__all__ = ["observe", "selections"]

#: Half the unit of the answers: a recovered mean is within this of the truth whatever the noise was.
TOLERANCE = 0.5


@dataclass(frozen=True)
class Recovery:
    attack: str
    what: str
    truth: float
    candidates: tuple[float, float]


# --- the attacks ---------------------------------------------------------------------------------------------


def _size(mask: int) -> int:
    return mask.bit_count()


def _small_difference(outer: int, inner: int, k: int) -> int | None:
    """|outer − inner| when inner ⊂ outer and the difference is a small group, else None."""
    if inner & ~outer or inner == outer:
        return None
    size = _size(outer & ~inner)
    return size if 0 < size < k else None


def count_differencing(counts: list[Count], k: int, *, within_selection: bool) -> list[Recovery]:
    """Nested shown counts whose difference, a small group, is pinned to one value of 1…k − 1.

    ``within_selection``: any two counts of one selection (linked tables on a page); otherwise the same count
    across selections (differencing two filters, the sidebar's count among them).
    """
    found: list[Recovery] = []
    groups: dict[object, list[Count]] = defaultdict(list)
    for c in counts:
        if c.shown is not None:
            groups[c.selection if within_selection else c.what].append(c)
    for members in groups.values():
        unique = {c.members: c for c in sorted(members, key=lambda c: c.slack, reverse=True)}
        for outer, inner in itertools.permutations(unique.values(), 2):
            truth = _small_difference(outer.members, inner.members, k)
            if truth is None:
                continue
            low = outer.shown - outer.slack - (inner.shown + inner.slack)
            high = outer.shown + outer.slack - (inner.shown - inner.slack)
            feasible = (max(low, 1), min(high, k - 1))
            if feasible[0] == feasible[1]:
                found.append(Recovery("count differencing", f"{outer.what} − {inner.what}", truth, feasible))
    return found


def hidden_from_totals(counts: list[Count], k: int) -> list[Recovery]:
    """A table's only hidden answer rebuilt as a total shown anywhere on the page minus the table's shown answers."""
    found: list[Recovery] = []
    by_selection: dict[int, list[Count]] = defaultdict(list)
    for c in counts:
        by_selection[c.selection].append(c)
    for members in by_selection.values():
        totals: dict[int, list[Count]] = defaultdict(list)
        for c in members:
            if c.shown is not None:
                totals[c.members].append(c)
        tables: dict[str, list[Count]] = defaultdict(list)
        for c in members:
            for partition in c.partitions:
                tables[partition].append(c)
        for cells in tables.values():
            hidden = [c for c in cells if c.shown is None and c.members]
            if len(hidden) != 1:
                continue
            whole = union(c.members for c in cells)
            for total in totals.get(whole, []):
                visible = [c for c in cells if c.shown is not None]
                low = total.shown - total.slack - sum(c.shown + c.slack for c in visible)
                high = total.shown + total.slack - sum(c.shown - c.slack for c in visible)
                feasible = (max(low, 1), min(high, k - 1))
                if feasible[0] == feasible[1]:
                    truth = _size(hidden[0].members)
                    found.append(Recovery("linked tables", f"{total.what} − shown answers", truth, feasible))
    return found


def mean_differencing(mags: list[Magnitude], data: Microdata, k: int, *, within_selection: bool = False
                      ) -> list[Recovery]:
    """Nested shown means whose small difference group's mean is determined within ``TOLERANCE``."""
    found: list[Recovery] = []
    groups: dict[object, list[Magnitude]] = defaultdict(list)
    for m in mags:
        if m.mean is not None:
            groups[(m.variable, m.selection) if within_selection else m.variable].append(m)
    for (_key, members) in groups.items():
        unique = {m.members: m for m in members}
        for outer, inner in itertools.permutations(unique.values(), 2):
            size = _small_difference(outer.members, inner.members, k)
            if size is None:
                continue
            values = data.values[outer.variable]
            diff = outer.members & ~inner.members
            truth = sum(v for i, v in values.items() if diff >> i & 1) / size
            low, high = _mean_bounds(outer, inner, k)
            if high - low < 2 * TOLERANCE and low - TOLERANCE <= truth <= high + TOLERANCE:
                found.append(Recovery("mean differencing", outer.variable, truth, (low, high)))
    return found


def _mean_bounds(outer: Magnitude, inner: Magnitude, k: int) -> tuple[float, float]:
    """Range of (n₂·m₂ − n₁·m₁) / (n₂ − n₁) over every n and mean consistent with the shown ones (n₂ − n₁ < k)."""
    estimates = []
    n_outer = range(outer.n - outer.n_slack, outer.n + outer.n_slack + 1)
    n_inner = range(inner.n - inner.n_slack, inner.n + inner.n_slack + 1)
    for n2, n1 in itertools.product(n_outer, n_inner):
        if not 0 < n2 - n1 < k or n1 <= 0:
            continue
        for m2 in (outer.mean - outer.mean_bound, outer.mean + outer.mean_bound):
            for m1 in (inner.mean - inner.mean_bound, inner.mean + inner.mean_bound):
                estimates.append((n2 * m2 - n1 * m1) / (n2 - n1))
    return (min(estimates), max(estimates)) if estimates else (float("-inf"), float("inf"))


# --- statistics inversion ------------------------------------------------------------------------------------


def table_chi2(a: int, b: int, c: int, d: int, corrected: bool) -> float | None:
    """Pearson's χ² of [[a, b], [c, d]], with Yates' correction or without, as scipy computes it."""
    from scipy.stats import chi2_contingency

    if min(a + b, c + d, a + c, b + d) == 0:
        return None
    return float(chi2_contingency([[a, b], [c, d]], correction=corrected).statistic)


#: The χ² rows of a 2×2 table the Tests page may print, and whether each is Yates-corrected.
CHI2_METHODS = {"chi2_pearson": False, "chi2_yates": True}


def invert_2x2(row1: tuple[int, int], col1: tuple[int, int], total: tuple[int, int], chi2_shown: str,
               corrected: bool = False) -> set[tuple[int, int, int, int]]:
    """Every 2×2 table whose margins lie in the shown ranges and whose χ² prints as ``chi2_shown`` (``35,08``)."""
    found = set()
    for n in range(total[0], total[1] + 1):
        for r1 in range(row1[0], row1[1] + 1):
            for c1 in range(col1[0], col1[1] + 1):
                for a in range(max(0, r1 + c1 - n), min(r1, c1) + 1):
                    b, c = r1 - a, c1 - a
                    d = n - a - b - c
                    if d < 0:
                        continue
                    chi2 = table_chi2(a, b, c, d, corrected)
                    if chi2 is not None and f"{chi2:.2f}".replace(".", ",") == chi2_shown:
                        found.add((a, b, c, d))
    return found


def _span(count: Count) -> tuple[int, int] | None:
    """The true values a shown count may stand for (None: hidden)."""
    return None if count.shown is None else (max(count.shown - count.slack, 0), count.shown + count.slack)


def statistics_inversion(path: Path, con: duckdb.DuckDBPyConnection, policy: Policy, wave: str,
                         counts: list[Count], withheld: set[str]) -> list[Recovery]:
    """Rebuild every 2×2 report cross-tab whose χ² the Tests page prints, from its shown whole-wave margins."""
    from app import readings, stats_tables

    tests = stats_tables.tests(path, wave)
    tests = tests[tests["kind"] == "crosstab"]
    shown = readings.results_table(tests, withheld)
    whole = {c.what: c for c in counts if c.selection == 0}
    found = []
    for test, row in zip(tests.itertuples(), shown.itertuples(), strict=True):
        statistic = str(row.Statistique)
        if not statistic.startswith("χ² = ") or test.method not in CHI2_METHODS:
            continue
        _kind, row_key, col_key = str(test.comparison_id).split(":")[:3]
        prefix = f"{row_key}×{col_key}:"
        cells = {what[len(prefix):]: c for what, c in whole.items() if what.startswith(prefix)}
        if len(cells) != 9:
            continue  # not a cross-tab the pages show
        r_labels = sorted({k.split("|")[0] for k in cells} - {display.TOTAL})
        c_labels = sorted({k.split("|")[1] for k in cells} - {display.TOTAL})

        margins = [_span(cells[f"{r_labels[0]}|{display.TOTAL}"]), _span(cells[f"{display.TOTAL}|{c_labels[0]}"]),
                   _span(cells[f"{display.TOTAL}|{display.TOTAL}"])]
        if None in margins:
            continue
        chi2_text = statistic.removeprefix("χ² = ").split(" ")[0]
        candidates = invert_2x2(margins[0], margins[1], margins[2], chi2_text, CHI2_METHODS[test.method])
        truth = {f"{r}|{c}": _size(cells[f"{r}|{c}"].members) for r in r_labels for c in c_labels}
        for position, key in enumerate(f"{r}|{c}" for r in r_labels for c in c_labels):
            values = {cand[position] for cand in candidates}
            if len(values) == 1 and policy.is_small(truth[key]) and values == {truth[key]}:
                found.append(Recovery("statistics inversion", f"{test.comparison_id} {key}", truth[key],
                                      (truth[key], truth[key])))
    return found
