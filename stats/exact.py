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
