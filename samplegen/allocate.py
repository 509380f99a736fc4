"""Exact-count allocation primitives, vectorised over respondents.

The generator never draws answers independently: it first decides *how many*
respondents give each answer (so that published counts hold exactly), then
decides *who* gives it. The "who" step is where relationships live: a row's
preference for an answer is a log-weight, and Gumbel top-k selection draws,
without replacement, exactly ``k`` rows with probabilities proportional to
their weights. Multisets of values (scale answers, numbers) are handed out by
rank of a latent score, which keeps the multiset (hence mean, median and SD)
intact whatever the relationship. Every function is O(n log n) numpy code, so
the same code serves 178 and 1 000 000 respondents.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def largest_remainder(weights: ArrayLike, total: int) -> NDArray[np.int64]:
    """Integer counts proportional to ``weights`` that sum exactly to ``total``.

    Hamilton's method; ties on the remainder go to the earlier position, so the
    result is deterministic. Used to scale the calibrated 2023 counts to any size.
    """
    w = np.asarray(weights, dtype=float)
    if total < 0 or (w < 0).any():
        raise ValueError("largest_remainder needs a non-negative total and weights")
    if total == 0 or w.sum() == 0:
        return np.zeros(len(w), dtype=np.int64)
    quota = w * (total / w.sum())
    counts = np.floor(quota).astype(np.int64)
    missing = int(total - counts.sum())
    if missing > 0:
        order = np.lexsort((np.arange(len(w)), -(quota - counts)))
        counts[order[:missing]] += 1
    return counts


def gumbel(rng: np.random.Generator, shape: int | tuple[int, ...]) -> NDArray[np.float64]:
    """Standard Gumbel noise: ``argmax(logw + G)`` samples proportionally to ``w``."""
    return -np.log(-np.log(rng.random(shape)))


def top_k(keys: NDArray[np.float64], k: int) -> NDArray[np.int64]:
    """Indices of the ``k`` largest keys (-inf keys are never chosen if avoidable)."""
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    if k >= len(keys):
        return np.arange(len(keys))
    return np.argpartition(-keys, k - 1)[:k]


def assign_categories(
    counts: ArrayLike, rng: np.random.Generator, logw: NDArray[np.float64] | None = None
) -> NDArray[np.int64]:
    """Give each row one category, exactly ``counts[k]`` rows to category ``k``.

    ``logw[i, k]`` is row i's log-preference for category k (0 = neutral).
    Categories are filled in turn by Gumbel top-k among the rows still free.
    """
    counts = np.asarray(counts, dtype=np.int64)
    n = int(counts.sum())
    out = np.full(n, len(counts) - 1, dtype=np.int64)
    free = np.ones(n, dtype=bool)
    for k in range(len(counts) - 1):
        keys = gumbel(rng, n)
        if logw is not None:
            keys += logw[:, k]
        keys[~free] = -np.inf
        chosen = top_k(keys, int(counts[k]))
        out[chosen] = k
        free[chosen] = False
    return out


def assign_multi(
    counts: ArrayLike,
    n: int,
    rng: np.random.Generator,
    logw: NDArray[np.float64] | None = None,
    at_least_one: bool = True,
) -> NDArray[np.bool_]:
    """Tick boxes of a multiple-choice question: box k ticked by exactly ``counts[k]`` of ``n`` rows.

    With ``at_least_one`` (a mandatory question) every row first gets one
    "primary" box, the primaries being split in proportion to the box counts,
    then the remaining ticks of each box go to rows that do not have it yet.
    """
    counts = np.asarray(counts, dtype=np.int64)
    if (counts > n).any():
        raise ValueError("a box cannot be ticked by more rows than there are")
    ticks = np.zeros((n, len(counts)), dtype=bool)
    if n == 0:
        return ticks
    if at_least_one:
        if counts.sum() < n:
            raise ValueError("too few ticks for every row to tick at least one box")
        primary = np.minimum(largest_remainder(counts, n), counts)
        short = n - int(primary.sum())
        while short > 0:  # only when the cap bit: give the slack to boxes with room
            room = np.flatnonzero(primary < counts)
            primary[room[: min(short, len(room))]] += 1
            short = n - int(primary.sum())
        ticks[np.arange(n), assign_categories(primary, rng, logw)] = True
    for k in range(len(counts)):
        rest = int(counts[k] - ticks[:, k].sum())
        keys = gumbel(rng, n)
        if logw is not None:
            keys += logw[:, k]
        keys[ticks[:, k]] = -np.inf
        ticks[top_k(keys, rest), k] = True
    return ticks


def assign_by_rank(values: ArrayLike, score: ArrayLike) -> NDArray:
    """Hand a multiset of values to rows: the row with the i-th lowest score gets the i-th lowest value.

    The multiset is untouched (so are its mean, median and SD); the score only
    decides who gets which value, which is how relationships are built in.
    """
    values = np.sort(np.asarray(values))
    score = np.asarray(score, dtype=float)
    if len(values) != len(score):
        raise ValueError("as many values as rows are needed")
    out = np.empty_like(values)
    out[np.argsort(score, kind="stable")] = values
    return out


def expand_counts(values: ArrayLike, counts: ArrayLike) -> NDArray:
    """The multiset with ``counts[j]`` copies of ``values[j]``."""
    return np.repeat(np.asarray(values), np.asarray(counts, dtype=np.int64))
