"""A numeric answer as value counts: all the two-group tests need, a few numbers long.

At a million respondents the stats stage spent most of its time handing
million-long arrays to scipy, 440 times: ranking them for Mann–Whitney and
rescanning them for the t-tests. The answers compared between two groups are
1–10 scales and weekly counts, with a handful of distinct values, so a table of
(value, count) per group — a ``GROUP BY`` in DuckDB — carries everything those
tests use: the moments (Student, Welch, Cohen's d, Hedges' g), the median and
the rank sums (Mann–Whitney, ties included). The result is the same as on the
raw answers, to floating-point rounding; ``tests/test_stats_methods.py`` checks
it against scipy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: scipy's rule for Mann–Whitney's ``method="auto"``: the exact distribution when a group has at most this many
#: answers and no value is tied, the normal approximation otherwise.
MWU_EXACT_MAX = 8


@dataclass(frozen=True)
class Counts:
    """Distinct answers (ascending) and how many respondents gave each."""

    values: np.ndarray
    counts: np.ndarray

    @classmethod
    def of(cls, data: np.ndarray) -> Counts:
        """The value counts of raw answers (missing answers already removed)."""
        values, counts = np.unique(np.asarray(data, dtype=float), return_counts=True)
        return cls(values, counts.astype(np.int64))

    @classmethod
    def tally(cls, values: np.ndarray, counts: np.ndarray) -> Counts:
        """Value counts from (value, count) rows in any order, repeated values summed, zero counts dropped."""
        distinct, index = np.unique(np.asarray(values, dtype=float), return_inverse=True)
        summed = np.bincount(index.ravel(), weights=np.asarray(counts, dtype=float), minlength=distinct.size)
        kept = summed > 0
        return cls(distinct[kept], np.rint(summed[kept]).astype(np.int64))

    @property
    def n(self) -> int:
        return int(self.counts.sum())

    @property
    def constant(self) -> bool:
        """Every answer is the same (variance exactly zero)."""
        return self.values.size <= 1

    def weighted(self):
        """statsmodels' descriptive statistics with the counts as frequency weights."""
        from statsmodels.stats.weightstats import DescrStatsW

        return DescrStatsW(self.values, weights=self.counts)

    def describe(self) -> dict:
        """n, mean, standard deviation (n − 1) and median, as :func:`stats.groups.describe` gives them."""
        n = self.n
        if not n:
            return dict(n=0, mean=None, sd=None, median=None)
        mean = float(np.dot(self.values, self.counts) / n)
        sd = float(np.sqrt(np.dot(self.counts, (self.values - mean) ** 2) / (n - 1))) if n > 1 else None
        return dict(n=n, mean=mean, sd=sd, median=self.median())

    def median(self) -> float:
        """``np.median`` of the answers: the middle one, or the mean of the two middle ones for an even count.

        The answer at sorted position k is the first value whose cumulative
        count exceeds k. (statsmodels' weighted quantile gives the same
        number but builds pandas objects, a millisecond a call.)
        """
        n = self.n
        cumulative = np.cumsum(self.counts)
        middle = np.searchsorted(cumulative, [(n - 1) // 2, n // 2], side="right")
        return float(self.values[middle].mean())


def aligned(x: Counts, y: Counts) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The union of both groups' values, with each group's count of every value (zero when absent)."""
    values = np.union1d(x.values, y.values)
    cx = np.zeros(values.size, dtype=np.int64)
    cy = np.zeros(values.size, dtype=np.int64)
    cx[np.searchsorted(values, x.values)] = x.counts
    cy[np.searchsorted(values, y.values)] = y.counts
    return values, cx, cy


def mann_whitney_u(x: Counts, y: Counts) -> tuple[float, float]:
    """Two-sided Mann–Whitney U of ``x`` (its U) and p-value, as ``scipy.stats.mannwhitneyu(method="auto")``.

    scipy needs the raw answers and ranks them; from value counts the rank of
    a tied value is the midrank of its block, so the first group's rank sum
    is a dot product. The p-value is scipy's normal approximation with its
    tie and continuity corrections (Mann & Whitney 1947; the tie term
    Σ(t³ − t) as in scipy's reference [2]); in the one case where scipy uses
    the exact distribution (a group of at most 8 answers and no tie at all,
    so the counts are the answers themselves) scipy is called on them.
    """
    from scipy import special, stats

    values, cx, cy = aligned(x, y)
    n1, n2 = x.n, y.n
    ties = cx + cy
    if (n1 <= MWU_EXACT_MAX or n2 <= MWU_EXACT_MAX) and not (ties > 1).any():
        res = stats.mannwhitneyu(np.repeat(values, cx), np.repeat(values, cy), alternative="two-sided")
        return float(res.statistic), float(res.pvalue)
    t = ties.astype(float)
    midranks = np.cumsum(t) - (t - 1) / 2
    u1 = float(np.dot(cx, midranks)) - n1 * (n1 + 1) / 2
    u = max(u1, n1 * n2 - u1)
    n = n1 + n2
    sigma = np.sqrt(n1 * n2 / 12 * ((n + 1) - np.sum(t**3 - t) / (n * (n - 1))))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (u - n1 * n2 / 2 - 0.5) / sigma
    return u1, float(np.clip(2 * special.ndtr(-z), 0.0, 1.0))
