"""Swap-based repairs: change *who* has a value, never the values themselves.

Swapping two respondents' values of one variable keeps that variable's
multiset, hence every marginal figure, intact. Two repairs use this:

* ``match_group_sums`` makes the people-per-week totals of overlapping groups
  (France services, CCAS, médiathèque users) equal to the totals figure 3
  implies, starting from the latent-rank assignment so that the swaps are few;
* ``distinct_rows`` swaps a free variable between an accidental duplicate and
  another respondent of the same stratum until no two kept rows are identical
  (the cleaning rules would otherwise drop one of them as a duplicate).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def match_group_sums(
    values: NDArray,
    member: NDArray[np.bool_],
    targets: NDArray,
    rng: np.random.Generator,
    max_iter: int = 5000,
    frozen: NDArray[np.bool_] | None = None,
) -> NDArray:
    """Permute ``values`` so that ``values[member[:, g]].sum() == targets[g]`` for every group ``g``;
    the ``frozen`` positions keep their values.

    Best-improvement pair swaps, preferring small value changes among equally
    good swaps; a random neutral swap escapes the rare local minimum. Meant for
    the 2023 size (a few hundred rows: all pairs are scored at once).
    """
    v = np.asarray(values).astype(np.int64).copy()
    m = member.astype(np.int64)
    n = len(v)
    diff_member = m[:, None, :] - m[None, :, :]  # (i, j, g): membership lost by i's value moving to j
    for _ in range(max_iter):
        err = m.T @ v - targets
        cur = int(np.abs(err).sum())
        if cur == 0:
            return v.astype(values.dtype)
        dv = v[None, :] - v[:, None]  # v_j - v_i: what group sums gain when i takes j's value
        obj = np.abs(err[None, None, :] + dv[:, :, None] * diff_member).sum(axis=-1).astype(float)
        obj += 1e-3 * np.abs(dv) + 1e-6 * rng.random((n, n))
        if frozen is not None:
            obj[frozen, :] = np.inf
            obj[:, frozen] = np.inf
        i, j = np.unravel_index(np.argmin(obj), obj.shape)
        if obj[i, j] >= cur:  # no improving swap: take a random swap between different groups
            free = np.flatnonzero(~frozen) if frozen is not None else np.arange(n)
            i, j = rng.choice(free, 2, replace=False)
        v[i], v[j] = v[j], v[i]
    raise ValueError("could not reach the group totals by swapping values")


def row_hashes(columns: list[NDArray]) -> NDArray[np.uint64]:
    """A 64-bit hash of each row of equal-length integer columns (collisions are checked by the caller)."""
    h = np.zeros(len(columns[0]), dtype=np.uint64)
    mult = np.uint64(0x9E3779B97F4A7C15)
    for k, col in enumerate(columns):
        h ^= (col.astype(np.int64).astype(np.uint64) + np.uint64(k + 1)) * mult
        h = (h << np.uint64(13)) | (h >> np.uint64(51))
        h *= np.uint64(0xBF58476D1CE4E5B9)
    return h


def duplicated_rows(columns: list[NDArray]) -> NDArray[np.bool_]:
    """Rows identical to an earlier row on every column.

    Exact: rows sharing a hash are sorted on every column and compared in
    full, so a hash collision can neither hide nor invent a duplicate.
    """
    h = row_hashes(columns)
    _, inverse, counts = np.unique(h, return_inverse=True, return_counts=True)
    dup = np.zeros(len(h), dtype=bool)
    cand = np.flatnonzero(counts[inverse] > 1)
    if len(cand) == 0:
        return dup
    keys = [cand] + [col[cand] for col in reversed(columns)] + [h[cand]]
    cand = cand[np.lexsort(keys)]  # by hash, then every column, then row number
    equal = np.ones(len(cand) - 1, dtype=bool)
    for col in columns:
        equal &= col[cand[1:]] == col[cand[:-1]]
    dup[cand[1:][equal]] = True
    return dup


def distinct_rows(
    columns: dict[str, NDArray], free: str, strata: NDArray, rng: np.random.Generator, max_iter: int = 100
) -> int:
    """Swap ``free`` between each duplicated row and a random row of its stratum until all rows differ.

    Returns the number of swaps made. ``strata`` labels rows that may exchange
    values (same question path, so the swap keeps every conditional figure).
    """
    swaps = 0
    cols = list(columns.values())
    for _ in range(max_iter):
        dup = np.flatnonzero(duplicated_rows(cols))
        if len(dup) == 0:
            return swaps
        for label in np.unique(strata[dup]):
            rows = dup[strata[dup] == label]
            pool = np.setdiff1d(np.flatnonzero(strata == label), rows)  # disjoint pairs: a true permutation
            k = min(len(rows), len(pool))
            if k == 0:
                continue
            rows, partners = rows[:k], rng.choice(pool, k, replace=False)
            a = columns[free]
            a[rows], a[partners] = a[partners].copy(), a[rows].copy()
            swaps += k
    raise ValueError("could not make every kept row distinct")
