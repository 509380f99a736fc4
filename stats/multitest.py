"""Holm and Benjamini–Hochberg adjustments within each family of tests.

A family is the set of hypotheses one figure or table of the report answers
(e.g. "people per week by each place", "each site by youth information space").
Each hypothesis counts once: the adjustment runs over the family's primary
rows. Rows of the other methods are adjusted among themselves, method by
method, as a sensitivity check. Tests that could not be computed (no p-value)
are not part of the family. Pairwise rows (Tukey, Games–Howell) already carry
a p-value adjusted over their pairs and are left as they are.
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


def adjust_families(rows: list[TestRow]) -> None:
    """Fill ``p_holm`` and ``p_bh`` of every row with a p-value, family by family (in place)."""
    families: dict[tuple, list[TestRow]] = defaultdict(list)
    for row in rows:
        if row.p_value is None or not np.isfinite(row.p_value) or row.method in ALREADY_ADJUSTED:
            continue
        scope = (row.wave, row.baseline_wave, row.family)  # a wave difference: per pair of waves too
        key = (*scope, "primary") if row.is_primary else (*scope, row.method)
        families[key].append(row)
    for members in families.values():
        holm, bh = adjust(r.p_value for r in members)
        for row, h, b in zip(members, holm, bh, strict=True):
            row.p_holm, row.p_bh = float(h), float(b)
