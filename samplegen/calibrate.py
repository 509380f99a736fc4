"""Integer distributions that hit a printed mean, median and SD exactly.

Method. For a question answered by ``n`` people on a value domain ``D``
(1..10 for the scales, a heaped integer grid for people per week) we look for
counts ``x_v >= 0`` (the number of people answering ``v``) such that, once
rounded to the report's printed decimals,

* the mean ``S / n`` with ``S = sum v x_v`` prints as published,
* the median (the ``(n+1)/2``-th value, ``n`` odd) prints as published,
* the sample SD ``sqrt((Q - S^2/n) / (n-1))`` with ``Q = sum v^2 x_v`` prints as published.

For a fixed integer total ``S`` the SD condition is a pair of linear bounds on
``Q``, and the median condition is two linear bounds on cumulative counts, so
each candidate ``S`` (there are one or two) is a small integer linear program.
Among the feasible count vectors we want the most *realistic* one: the closest,
in L1 distance ``sum |x_v - r_v|``, to a smooth reference ``r`` with the
published mean and SD (a discretised beta on 1..10 matched by moments, or a
discretised, heaped log-normal for counts of people). The L1 objective is
linearised with one auxiliary variable per value and solved with
``scipy.optimize.milp`` (HiGHS). The distance to the reference is kept, and
reported, as a measure of how much the exact figures had to bend a smooth shape.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, stats

from samplegen.targets import Target


@dataclass(frozen=True)
class Calibrated:
    """Counts over a value domain, with the reference they were pulled towards."""

    label: str
    domain: NDArray[np.int64]
    counts: NDArray[np.int64]
    reference: NDArray[np.float64]

    @property
    def n(self) -> int:
        return int(self.counts.sum())

    @property
    def distance(self) -> float:
        """L1 distance between the counts and the smooth reference counts."""
        return float(np.abs(self.counts - self.reference).sum())

    def values(self) -> NDArray[np.int64]:
        return np.repeat(self.domain, self.counts)


def _moments(domain: NDArray, p: NDArray) -> tuple[float, float]:
    mean = float((domain * p).sum())
    return mean, math.sqrt(max(float((domain**2 * p).sum()) - mean**2, 0.0))


def beta_reference(mean: float, sd: float, n: int, k: int = 10) -> NDArray[np.float64]:
    """Expected counts of a beta on [0, 1] cut in ``k`` equal bins (answers 1..k), matched by moments."""
    domain = np.arange(1, k + 1)
    edges = np.linspace(0.0, 1.0, k + 1)

    def pmf(log_ab: NDArray) -> NDArray:
        a, b = np.exp(log_ab)
        return np.diff(stats.beta.cdf(edges, a, b))

    def residual(log_ab: NDArray) -> NDArray:
        m, s = _moments(domain, pmf(log_ab))
        return np.array([m - mean, s - sd])

    u = (mean - 0.5) / k
    v = min((sd / k) ** 2, u * (1 - u) * 0.95)
    nu = u * (1 - u) / v - 1
    fit = optimize.least_squares(residual, np.log([max(u * nu, 0.05), max((1 - u) * nu, 0.05)]))
    return n * pmf(fit.x)


def heaped_domain() -> NDArray[np.int64]:
    """Answers people give to "how many per week": every integer up to 10, then round numbers."""
    rounds = [12, 15, 20, 25, 30, 35, 40, 45, 50, 60, 70, 80, 100, 120, 150]
    return np.concatenate([np.arange(0, 11), np.array(rounds)])


def lognormal_reference(mean: float, sd: float, n: int, domain: NDArray[np.int64]) -> NDArray[np.float64]:
    """Expected counts of a log-normal rounded to the nearest answer of a heaped domain, matched by moments."""
    mids = np.concatenate([[-np.inf], (domain[:-1] + domain[1:]) / 2.0, [np.inf]])
    mids[1:-1] = np.maximum(mids[1:-1], 1e-9)

    def pmf(params: NDArray) -> NDArray:
        mu, log_sigma = params
        cdf = stats.lognorm.cdf(np.where(np.isfinite(mids), mids, 0.0), np.exp(log_sigma), scale=np.exp(mu))
        cdf[0], cdf[-1] = 0.0, 1.0
        return np.diff(cdf)

    def residual(params: NDArray) -> NDArray:
        m, s = _moments(domain, pmf(params))
        return np.array([m - mean, s - sd])

    sigma2 = math.log(1 + (sd / mean) ** 2)
    fit = optimize.least_squares(residual, np.array([math.log(mean) - sigma2 / 2, 0.5 * math.log(sigma2)]))
    return n * pmf(fit.x)


def _solve(
    domain: NDArray, ref: NDArray, n: int, total: int, q_bounds: tuple[int, int], med: list[int]
) -> tuple[NDArray[np.int64], float] | None:
    """One integer program: counts summing to ``total`` with SD and median bounds, closest (L1) to ``ref``."""
    k = len(domain)
    d = domain.astype(float)
    half = (n - 1) // 2
    below = (domain < min(med)).astype(float)
    upto = (domain <= max(med)).astype(float)
    z = np.zeros(k)
    eye = np.eye(k)
    a = np.vstack(
        [
            np.concatenate([np.ones(k), z]),  # sum x = n
            np.concatenate([d, z]),  # sum v x = S
            np.concatenate([d**2, z]),  # Q bounds (SD)
            np.concatenate([below, z]),  # median lower side
            np.concatenate([upto, z]),  # median upper side
        ]
    )
    lo = np.array([n, total, q_bounds[0], 0, half + 1])
    hi = np.array([n, total, q_bounds[1], half, n])
    dev = np.vstack([np.hstack([eye, -eye]), np.hstack([-eye, -eye])])  # x - d <= r, -x - d <= -r
    constraints = [
        optimize.LinearConstraint(a, lo, hi),
        optimize.LinearConstraint(dev, np.full(2 * k, -np.inf), np.concatenate([ref, -ref])),
    ]
    res = optimize.milp(
        c=np.concatenate([z, np.ones(k)]),
        constraints=constraints,
        integrality=np.concatenate([np.ones(k), z]),
        bounds=optimize.Bounds(np.zeros(2 * k), np.concatenate([np.full(k, n), np.full(k, np.inf)])),
    )
    if not res.success:
        return None
    return np.rint(res.x[:k]).astype(np.int64), float(res.fun)


def sum_of_squares_bounds(sd: Target, n: int, total: int) -> tuple[int, int]:
    """Integer range of ``Q = sum v^2`` for which the sample SD prints as ``sd``, given ``S``."""
    lo, hi = sd.bounds()
    base = total * total / n
    q_lo = math.ceil((n - 1) * lo * lo + base)
    q_hi = math.floor((n - 1) * hi * hi + base)
    return q_lo, q_hi


def calibrate(
    label: str,
    domain: NDArray[np.int64],
    reference: NDArray[np.float64],
    n: int,
    mean: Target,
    median: Target,
    sd: Target,
    totals: list[int] | None = None,
) -> Calibrated:
    """Counts over ``domain`` closest (L1) to ``reference`` whose mean, median and SD print as published.

    ``totals`` restricts the candidate sums ``S`` (e.g. to those compatible with group means).
    """
    if n % 2 == 0:
        raise ValueError(f"{label}: exact median calibration is implemented for an odd base only")
    med = [int(v) for v in domain if median.matches(float(v))]
    if not med:
        raise ValueError(f"{label}: no answer prints as the published median {median.printed}")
    best: tuple[NDArray, float] | None = None
    for total in totals if totals is not None else mean.integer_sums(n):
        q_bounds = sum_of_squares_bounds(sd, n, total)
        if q_bounds[0] > q_bounds[1]:
            continue
        sol = _solve(domain, reference, n, total, q_bounds, med)
        if sol is not None and (best is None or sol[1] < best[1] - 1e-9):
            best = sol
    if best is None:
        raise ValueError(f"{label}: no integer distribution of {n} answers prints as the published figures")
    counts = best[0]
    values = np.repeat(domain, counts)
    assert mean.matches(values.mean()) and median.matches(float(np.median(values)))
    assert sd.matches(float(values.std(ddof=1)))
    return Calibrated(label=label, domain=np.asarray(domain, dtype=np.int64), counts=counts, reference=reference)


def exact_sum(values: NDArray[np.float64], total: float, step: float, lo: float, hi: float) -> NDArray[np.float64]:
    """Nudge a sample by multiples of ``step`` so it sums exactly to ``total`` and stays in [lo, hi].

    Used for ages, years and salaries: the shape comes from a model, the mean
    from the report. Nudges go to the largest values when lowering the total and
    to the smallest when raising it (the middle of the distribution is kept),
    spread one step per value and repeated if needed.
    """
    values = np.asarray(values, dtype=float)
    values = values + (total - values.sum()) / max(len(values), 1)  # shift first, nudge the remainder
    units = np.rint(values / step).astype(np.int64)
    target = int(round(total / step))
    lo_u, hi_u = int(math.ceil(lo / step)), int(math.floor(hi / step))
    units = np.clip(units, lo_u, hi_u)
    for _ in range(10_000):
        diff = target - int(units.sum())
        if diff == 0:
            break
        order = np.argsort(units, kind="stable")
        room = order[units[order] < hi_u] if diff > 0 else order[::-1][units[order[::-1]] > lo_u]
        if len(room) == 0:
            raise ValueError("cannot reach the requested total within the range")
        take = room[: min(abs(diff), len(room))]
        units[take] += 1 if diff > 0 else -1
    else:
        raise ValueError("exact_sum did not converge")
    return units * step
