"""The app's disclosure policy: what it rounds, perturbs, suppresses and withholds, in one place.

Everything a page prints about respondents goes through a :class:`Policy`:

- **Counts** (cells, totals, bases, the sidebar, figure bars, group sizes) are
  randomly rounded to a multiple of 5 by the cell key method
  (:mod:`app.perturbation`), then a count whose true value is between 1 and
  k − 1 is shown as ``s``. A true 0 is shown as 0 (it describes nobody).
  Rounding breaks the additivity a reader would need to get a hidden cell
  back from a total, so no complementary cell is hidden: ``Homme`` is shown
  even when ``Autre`` is not.
- **Percentages** are computed from the shown counts, never from the true
  ones (a true percentage times a known base would give the true count).
- **Magnitudes** (mean, median, standard deviation) are shown only for
  groups of at least k answers, with cell-key noise on the group's total
  between ½ and 1 standard deviation of the variable.
- **Statistics** (χ², V, odds ratios, p-values, residual shading, the report's
  claims with their figures) are withheld from any table or comparison where
  a cell or group is below k: an exact statistic and the margins can give the
  cells back (:mod:`app.withholding`).
- The sample's funnel (connections, exclusions) is the published description
  of the whole wave and is not filterable: it is exact, with small reasons
  suppressed together with a complement (:mod:`app.privacy`).

Why a reader cannot undo it: the noise of a cell is a function of the
secret record keys of the people in it, so asking again, through another
filter or another page, returns the same value; two selections that differ by
a few people get unrelated noise, and any sum or difference of shown counts
is a multiple of 5, never a count of 1 to 4.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from app import perturbation


@dataclass(frozen=True)
class Policy:
    """``k``: fewest respondents a value may describe; ``base``: rounding base (1: exact); ``noise``: on magnitudes."""

    k: int
    base: int = perturbation.ROUNDING_BASE
    noise: bool = True

    @classmethod
    def unprotected(cls, k: int = 1) -> Policy:
        """No rounding and no noise: only what the attack tests need to show the policy is what protects."""
        return cls(k=k, base=1, noise=False)

    def is_small(self, n: float) -> bool:
        """A group of 1 to k − 1 respondents."""
        return 0 < n < self.k

    def count(self, n: int, key: int) -> int | None:
        """The count a page shows for a cell of ``n`` respondents with cell key ``key`` (None: ``s``)."""
        if self.is_small(n):
            return None
        return perturbation.round_count(int(n), int(key), self.base) if self.base > 1 else int(n)

    def counts(self, ns: ArrayLike, keys: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Shown counts (NaN where hidden) and hidden flags of many cells."""
        shown = [self.count(int(n), int(key)) for n, key in zip(np.ravel(ns), np.ravel(keys), strict=True)]
        values = np.array([np.nan if v is None else v for v in shown], dtype=float).reshape(np.shape(ns))
        return values, np.isnan(values)

    def magnitude(self, value: float | None, n: int, key: int, scale: float | None, stream: int) -> float | None:
        """A mean, median or SD over ``n`` answers as shown (None: hidden, the group is small)."""
        if self.is_small(n) or value is None:
            return None
        if not self.noise:
            return value
        return perturbation.perturb_magnitude(value, int(n), int(key), scale, stream)

    def noise_bound(self, n: int, scale: float | None) -> float:
        """How far a shown magnitude can be from the true one (0 without noise)."""
        return perturbation.noise_bound(n, scale) if self.noise else 0.0

    def rounding_slack(self) -> int:
        """How far a shown count can be from the true one."""
        return self.base - 1


#: Streams of independent noise for the magnitudes of one group.
MEAN, MEDIAN, SD = 0, 1, 2
