"""Holm and Benjamini–Hochberg adjustments within each family of tests.

A family is the set of hypotheses one figure or table of the report answers
(e.g. "people per week by each place", "each site by youth information space").
Each hypothesis counts once in every adjustment, so each runs over the whole
family:

* the primary adjustment, over every hypothesis's primary row;
* one sensitivity adjustment per other reading of the family (``reading``:
  asymptotic, exact, rank, equal variances…, not the method's name, so that
  Fisher's test of a 2×2 table and Freeman–Halton's of a larger one are one
  "exact" family): every hypothesis enters with its row of that reading, or,
  where it has none (Yates' correction exists for 2×2 tables only) or that row
  has no p-value, with its primary row. Only the rows of that reading receive
  the result.

Tests that could not be computed (no p-value) are not part of the family.
Pairwise rows of Tukey and Games–Howell already carry a p-value adjusted over
their pairs and are left as they are.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable

import numpy as np

from stats.results import TestRow

ALREADY_ADJUSTED = ("tukey_hsd", "games_howell")


def adjust(p_values: Iterable[float]) -> tuple[np.ndarray, np.ndarray]:
    """Holm and Benjamini–Hochberg adjusted p-values, in the input order.

    statsmodels' Holm branch calls ``gc.collect()`` on every call, which costs
    a full scan of the heap each time (tens of milliseconds once the test rows
    exist); freezing the objects that exist already makes those collections
    cheap without changing the library's result.
    """
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(list(p_values), dtype=float)
    if p.size == 0:
        return p, p
    gc.freeze()
    try:
        holm = multipletests(p, method="holm")[1]
        bh = multipletests(p, method="fdr_bh")[1]
    finally:
        gc.unfreeze()
    return holm, bh


def _usable(row: TestRow | None) -> bool:
    return row is not None and row.p_value is not None and bool(np.isfinite(row.p_value))


def _apply(entering: list[TestRow], receiving: list[TestRow | None]) -> None:
    """Holm and BH over ``entering``'s p-values; each row of ``receiving`` (same positions) gets its own."""
    if not entering:
        return
    holm, bh = adjust(r.p_value for r in entering)
    for row, h, b in zip(receiving, holm, bh, strict=True):
        if row is not None:
            row.p_holm, row.p_bh = float(h), float(b)


def families(rows: list[TestRow]) -> dict[tuple, list[TestRow]]:
    """The rows of each family (a wave difference's family is per pair of waves), pairs already adjusted left out."""
    found: dict[tuple, list[TestRow]] = defaultdict(list)
    for row in rows:
        if row.method not in ALREADY_ADJUSTED:
            found[(row.wave, row.baseline_wave, row.family)].append(row)
    return found


def adjust_families(rows: list[TestRow]) -> None:
    """Fill ``p_holm`` and ``p_bh`` of every row with a p-value, family by family (in place)."""
    for members in families(rows).values():
        primary: dict[str, TestRow] = {}
        by_reading: dict[str, dict[str, TestRow]] = defaultdict(dict)
        for row in members:
            if row.is_primary:
                primary[row.comparison_id] = row
            else:
                by_reading[row.reading or row.method][row.comparison_id] = row
        usable = [r for r in primary.values() if _usable(r)]
        _apply(usable, usable)
        for rows_of_reading in by_reading.values():
            entering: list[TestRow] = []
            receiving: list[TestRow | None] = []
            for comparison_id, main in primary.items():
                own = rows_of_reading.get(comparison_id)
                if _usable(own):
                    entering.append(own)
                    receiving.append(own)
                elif _usable(main):
                    entering.append(main)
                    receiving.append(None)
            _apply(entering, receiving)
