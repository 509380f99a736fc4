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
#: Widest range of whole numbers :meth:`Counts.of` counts in an array of that many bins.
BINCOUNT_SPAN = 100_000


@dataclass(frozen=True)
class Counts:
    """Distinct answers (ascending) and how many respondents gave each."""

    values: np.ndarray
    counts: np.ndarray

    @classmethod
    def of(cls, data: np.ndarray) -> Counts:
        """The value counts of raw answers (missing answers already removed).

        Whole numbers within :data:`BINCOUNT_SPAN` of each other (scales, weekly counts, their differences) are
        counted by ``np.bincount``, in one pass, rather than sorted by ``np.unique`` (twenty times slower on a
        million answers); the counts are the same."""
        data = np.asarray(data, dtype=float)
        if data.size:
            low, high = data.min(), data.max()
            if high - low <= BINCOUNT_SPAN and np.array_equal(data, np.floor(data)):
                counts = np.bincount((data - low).astype(np.int64))
                present = np.flatnonzero(counts)
                return cls(present + low, counts[present].astype(np.int64))
        values, counts = np.unique(data, return_counts=True)
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


#: scipy's rule for Wilcoxon's ``method="auto"``: past this many pairs (zeros included), the normal approximation.
WILCOXON_EXACT_MAX = 50


def wilcoxon_signed_rank(differences: Counts) -> tuple[float, float]:
    """Two-sided Wilcoxon signed-rank test of paired differences given as value counts: scipy's statistic
    (the smaller of the two rank sums) and p-value, as ``scipy.stats.wilcoxon(zero_method="wilcox",
    correction=True, method="auto")`` gives them.

    Why: scipy ranks the million differences of two 1–10 scales (a quarter of a second a pair, and a battery
    has dozens of pairs), which take at most 19 distinct values. Zero differences are dropped (Wilcoxon's
    method); equal absolute differences share their midrank, so the positive rank sum is a dot product; the
    p-value is scipy's normal approximation with its tie term Σ(t³ − t)/2 and continuity correction. Where
    scipy would use the exact or permutation distribution (at most 50 pairs), scipy is called on the pairs,
    which the counts then are.
    """
    from scipy import special, stats

    if differences.n <= WILCOXON_EXACT_MAX:
        res = stats.wilcoxon(np.repeat(differences.values, differences.counts), zero_method="wilcox",
                             correction=True, method="auto")
        return float(res.statistic), float(res.pvalue)
    nonzero = differences.values != 0
    magnitudes = Counts.tally(np.abs(differences.values[nonzero]), differences.counts[nonzero])
    t = magnitudes.counts.astype(float)
    midranks = np.cumsum(t) - (t - 1) / 2
    positive = differences.values > 0
    r_plus = float(np.dot(differences.counts[positive], midranks[np.searchsorted(
        magnitudes.values, differences.values[positive])]))
    count = float(t.sum())
    r_minus = count * (count + 1) / 2 - r_plus
    se = np.sqrt((count * (count + 1) * (2 * count + 1) - np.sum(t**3 - t) / 2) / 24)
    z = (r_plus - count * (count + 1) / 4) / se
    z -= np.sign(z) * 0.5 / se
    return min(r_plus, r_minus), float(np.clip(2 * special.ndtr(-abs(z)), 0.0, 1.0))
