"""The studentized range distribution (Tukey's HSD and Games–Howell's pairs), computed for every pair at once.

Why not scipy's ``studentized_range``: it integrates each point on its own
with adaptive ``nquad``, 5 to 30 ms per p-value and a tenth of a second per
quantile, and the build asks for thousands of them per wave (a Tukey and a
Games–Howell p-value for every pair of every group comparison, a quantile per
Tukey interval): 40 % of the stats stage on the sample, more as waves are
added. The integral is the same one scipy computes (Lund & Lund 1983, its
double integral and, from 100 000 degrees of freedom, its single asymptotic
one), on fixed Gauss–Legendre grids wide enough that the tails left out are
below 1e-18, for every pair in one numpy expression:

    P(Q ≤ q; k, ν) = ∫₀^∞ f_ν(s) W(q s) ds,
    W(w) = k ∫ φ(z) [Φ(z) − Φ(z − w)]^(k−1) dz,

f_ν being the density of √(χ²_ν / ν). tests/test_stats_methods.py holds it to
scipy's values within 1e-9.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

#: scipy's switch to the asymptotic integral (the range of k standard normals): ν this large or larger.
ASYMPTOTIC_DF = 100_000
#: Gauss–Legendre nodes on each axis; the integrands are smooth on the finite ranges below.
NODES = 128
#: The inner integral's range: φ is below 1e-19 outside it.
Z_LIMIT = 9.5
#: The outer integral covers √(χ²_ν / ν) between its quantiles at this tail probability.
S_TAIL = 1e-18


@cache
def _legendre(a: float, b: float) -> tuple[np.ndarray, np.ndarray]:
    nodes, weights = np.polynomial.legendre.leggauss(NODES)
    return (b - a) / 2 * nodes + (b + a) / 2, (b - a) / 2 * weights


@cache
def _normal_grid() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The inner integral's nodes z, their weights times φ(z), and Φ(z)."""
    from scipy.special import ndtr

    z, v = _legendre(-Z_LIMIT, Z_LIMIT)
    return z, v * np.exp(-z * z / 2) / np.sqrt(2 * np.pi), ndtr(z)


def _range_cdf(w: np.ndarray, k: int) -> np.ndarray:
    """W(w): the probability that the range of k standard normal values is at most w, elementwise."""
    from scipy.special import ndtr

    z, density, below = _normal_grid()
    inside = np.clip(below - ndtr(z - w[..., None]), 0.0, 1.0)
    return k * (inside ** (k - 1)) @ density


def cdf(q: np.ndarray | float, k: int, df: np.ndarray | float) -> np.ndarray:
    """P(Q ≤ q) for the studentized range of ``k`` means with ``df`` degrees of freedom (each pair its own q and
    df), as scipy's ``studentized_range.cdf``, clipped to [0, 1] like it."""
    from scipy.special import gammaln
    from scipy.stats import chi2

    q, df = np.broadcast_arrays(np.asarray(q, dtype=float), np.asarray(df, dtype=float))
    out = np.empty(q.shape)
    flat_q, flat_df, flat_out = q.ravel(), df.ravel(), out.reshape(-1)
    asymptotic = flat_df >= ASYMPTOTIC_DF
    flat_out[asymptotic] = _range_cdf(flat_q[asymptotic], k)
    for nu in np.unique(flat_df[~asymptotic]):
        at = ~asymptotic & (flat_df == nu)
        low, high = np.sqrt(chi2.ppf(S_TAIL, nu) / nu), np.sqrt(chi2.isf(S_TAIL, nu) / nu)
        s, v = _legendre(float(low), float(high))
        log_const = nu / 2 * np.log(nu) - gammaln(nu / 2) - (nu / 2 - 1) * np.log(2)
        density = v * np.exp(log_const + (nu - 1) * np.log(s) - nu * s * s / 2)
        flat_out[at] = _range_cdf(flat_q[at][:, None] * s[None, :], k) @ density
    return np.clip(out, 0.0, 1.0)


def sf(q: np.ndarray | float, k: int, df: np.ndarray | float) -> np.ndarray:
    """P(Q > q), as scipy's ``studentized_range.sf`` (one minus the distribution function)."""
    return 1.0 - cdf(q, k, df)


def ppf(p: float, k: int, df: float) -> float:
    """The ``p`` quantile: the q with P(Q ≤ q) = p (Tukey's critical value at confidence level p)."""
    from scipy.optimize import brentq

    def excess(q: float) -> float:
        return float(cdf(q, k, df)) - p

    high = 1.0
    while excess(high) < 0:
        high *= 2
    return float(brentq(excess, 0.0, high, xtol=1e-13, rtol=1e-13))


@dataclass(frozen=True)
class PairwiseRanges:
    """Every pair (i, j) of groups, i < j, as scipy's ``tukey_hsd`` gives it: the mean difference (group i minus
    group j), its p-value adjusted for all the pairs, and the simultaneous interval (NaN where not asked)."""

    pairs: list[tuple[int, int]]
    mean_difference: np.ndarray
    p_value: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray


def tukey_hsd(data: list[np.ndarray], equal_var: bool, level: float | None = None) -> PairwiseRanges:
    """Tukey's HSD (``equal_var``) or Games–Howell's test on every pair of groups, with scipy's ``tukey_hsd``
    formulas (Tukey–Kramer standard errors for unequal sizes; Welch's degrees of freedom per pair for
    Games–Howell), and Tukey's simultaneous interval at ``level`` when given."""
    k = len(data)
    sizes = np.array([x.size for x in data], dtype=float)
    means = np.array([np.mean(x) for x in data])
    variances = np.array([np.var(x, ddof=1) for x in data])
    i, j = np.triu_indices(k, 1)
    if equal_var:
        mse = np.sum(variances * (sizes - 1)) / (sizes.sum() - k)
        normalize = 2 / sizes[0] if np.unique(sizes).size == 1 else 1 / sizes[i] + 1 / sizes[j]
        stand_err = np.broadcast_to(np.sqrt(normalize * mse / 2), i.shape)
        df = np.full(i.size, sizes.sum() - k)
    else:
        spread = variances / sizes
        stand_err = np.sqrt(spread[i] + spread[j]) / 2**0.5
        df = (spread[i] + spread[j]) ** 2 / (spread[i] ** 2 / (sizes[i] - 1) + spread[j] ** 2 / (sizes[j] - 1))
    difference = means[i] - means[j]
    p_value = sf(np.abs(difference) / stand_err, k, df)
    radius = np.full(i.size, np.nan)
    if level is not None:
        critical = {nu: ppf(level, k, nu) for nu in np.unique(df)}
        radius = np.array([critical[nu] for nu in df]) * stand_err
    return PairwiseRanges(list(zip(i.tolist(), j.tolist(), strict=True)), difference, p_value,
                          difference - radius, difference + radius)
