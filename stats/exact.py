"""Freeman–Halton's exact test of a table with two columns (or two rows), by enumeration.

scipy's ``fisher_exact`` is exact for a 2×2 table only; for a larger one it
offers a Monte-Carlo estimate. A table with two columns (the report's
cross-tabs against "supports online procedures or not", first hired or not)
is exact within reach: given the margins, a table is its first column, and
its probability is the multivariate hypergeometric one,
Π C(rᵢ, xᵢ) / C(N, c). The p-value sums the probabilities of the tables no
more probable than the observed one (R's ``fisher.test`` rule, with its
relative tolerance 1e-7). The tables are enumerated row by row, smallest rows
first, the largest row's count following from the column total, partial sums
that can no longer reach it pruned; beyond :data:`MAX_STATES` partial tables
the caller falls back to Monte-Carlo, so the time stays bounded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

#: Most partial tables kept at once (about 16 bytes each): past it, no exact p-value.
MAX_STATES = 1_000_000
#: R's ``fisher.test``: tables within this relative margin of the observed probability count as as extreme.
RELATIVE_TOLERANCE = 1e-7


def freeman_halton_two_columns(table: np.ndarray) -> float | None:
    """Exact two-sided p-value of an r×2 or 2×c table; None for a larger table or past :data:`MAX_STATES`."""
    from scipy.special import gammaln

    table = np.asarray(table, dtype=np.int64)
    if table.shape[1] != 2:
        if table.shape[0] != 2:
            return None
        table = table.T
    rows = table.sum(axis=1)
    first = int(table[:, 0].sum())

    def log_choose(n: np.ndarray | int, k: np.ndarray) -> np.ndarray:
        return gammaln(np.asarray(n) + 1) - gammaln(k + 1) - gammaln(np.asarray(n) - k + 1)

    observed = float(sum(log_choose(int(r), np.array(x)) for r, x in zip(rows, table[:, 0], strict=True)))
    # the largest row last: once the others are chosen, its count is what the column total leaves
    *others, last = sorted(int(r) for r in rows)
    sums = np.zeros(1, dtype=np.int64)
    logp = np.zeros(1)
    for r in others:
        xs = np.arange(0, min(r, first) + 1)
        if sums.size * xs.size > 4 * MAX_STATES:  # checked before the product is built, not after
            return None
        sums = (sums[:, None] + xs[None, :]).ravel()
        logp = (logp[:, None] + log_choose(r, xs)[None, :]).ravel()
        kept = (sums <= first) & (sums >= first - last - sum(others))  # the rows left can still reach the total
        sums, logp = sums[kept], logp[kept]
        if sums.size > MAX_STATES:
            return None
    rest = first - sums
    valid = (rest >= 0) & (rest <= last)
    logp = logp[valid] + log_choose(last, rest[valid])
    as_extreme = logp <= observed + np.log1p(RELATIVE_TOLERANCE)
    total = np.logaddexp.reduce(logp)
    return float(min(1.0, np.exp(np.logaddexp.reduce(logp[as_extreme]) - total)))


#: Standard deviations of the conditional distribution kept on each side of the observed count (plus this many
#: counts): a log-concave distribution's mass beyond that is below e⁻⁴⁰ of it.
WINDOW_SDS = 50


@dataclass(frozen=True)
class ConditionalOddsRatio:
    """R's ``fisher.test`` estimate and interval for a 2×2 table: the conditional maximum likelihood odds ratio
    and the exact interval that inverts the two one-sided tests (each at (1 − level)/2)."""

    estimate: float
    ci_low: float
    ci_high: float


def conditional_odds_ratio(table: np.ndarray, level: float = 0.95) -> ConditionalOddsRatio:
    """The conditional MLE odds ratio of a 2×2 table and its exact interval, computed as R's ``fisher.test`` does.

    Why not scipy's ``odds_ratio(kind="conditional")``: its interval sums the noncentral hypergeometric
    distribution point by point in Python, which costs seconds at ten thousand respondents and hours at a
    million. Given the margins, the top-left count X has P(X = s) ∝ C(m, s) C(n, k − s) ψˢ on the support
    [lo, hi]; the estimate solves E(X) = x and the bounds solve P(X ≥ x) = α and P(X ≤ x) = α, each in log ψ
    with the distribution in logs (no overflow). The distribution is log-concave, so at every solution its mass
    lies within a few standard deviations of x: a large table is computed on the window x ± (WINDOW_SDS sd +
    WINDOW_SDS), the sd being the count's asymptotic one, 1/√Σ(1/(cell + ½)).
    """
    from scipy.optimize import brentq
    from scipy.stats import hypergeom

    (a, b), (c, d) = np.asarray(table, dtype=np.int64)
    m, n, k, x = a + c, b + d, a + b, int(a)
    lo, hi = max(0, k - n), min(k, m)
    sd = 1 / np.sqrt(sum(1 / (cell + 0.5) for cell in (a, b, c, d)))
    width = int(np.ceil(WINDOW_SDS * sd)) + WINDOW_SDS
    support = np.arange(max(lo, x - width), min(hi, x + width) + 1)
    logdc = hypergeom.logpmf(support, m + n, m, k)
    at_or_above, at_or_below = support >= x, support <= x

    def pmf(t: float) -> np.ndarray:
        """The distribution at ψ = eᵗ, scaled by its largest term before exponentiating (no overflow)."""
        logd = logdc + t * support
        d = np.exp(logd - logd.max())
        return d / d.sum()

    def solve(f: Callable[[float], float]) -> float:
        """The root in log ψ of an increasing function of it, bracketed by doubling."""
        low, high = -1.0, 1.0
        while f(low) > 0:
            low *= 2
        while f(high) < 0:
            high *= 2
        return float(np.exp(brentq(f, low, high, xtol=1e-12, rtol=1e-12)))

    alpha = (1 - level) / 2
    estimate = 0.0 if x == lo else np.inf if x == hi else solve(lambda t: pmf(t) @ support - x)
    ci_low = 0.0 if x == lo else solve(lambda t: pmf(t)[at_or_above].sum() - alpha)
    ci_high = np.inf if x == hi else solve(lambda t: alpha - pmf(t)[at_or_below].sum())
    return ConditionalOddsRatio(float(estimate), float(ci_low), float(ci_high))
