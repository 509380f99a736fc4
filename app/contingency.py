"""Independence test of a cross-tab chosen on the page: chi-square, or an exact test when cells are sparse.

scipy and statsmodels are imported inside :func:`analyse`, so only a reader
who opens the Croisements page pays for them. The rule is the stats stage's:
Pearson's chi-square when every expected count is at least 5 (with Yates'
continuity correction for a 2×2 table); otherwise Fisher's exact test for a
2×2 table, and the Fisher-Freeman-Halton exact test by Monte-Carlo (fixed
seed) beyond. Cramér's V and adjusted standardised residuals come with either.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

RESIDUAL_THRESHOLD = 1.96
RESIDUAL_SATURATION = 4.0
MIN_EXPECTED = 5.0
MONTE_CARLO_RESAMPLES = 9999
SEED = 20230228


@dataclass(frozen=True)
class ContingencyResult:
    method: str | None
    statistic_name: str | None
    statistic: float | None
    df: float | None
    p_value: float | None
    cramers_v: float | None
    n: int
    residuals: pd.DataFrame
    note: str | None = None

    def as_row(self) -> dict[str, object]:
        """The shape of a ``stats.tests`` row, so the page reads it as it reads the stats stage's."""
        return {
            "method": self.method, "statistic_name": self.statistic_name, "statistic": self.statistic,
            "df": self.df, "p_value": self.p_value, "effect_size_name": "cramers_v", "effect_size": self.cramers_v,
            "n": self.n,
        }


@st.cache_data(max_entries=256, show_spinner=False)
def analyse(counts: pd.DataFrame) -> ContingencyResult:
    """Test of independence of rows and columns of ``counts`` (empty rows and columns left out)."""
    from scipy import stats
    from statsmodels.stats.contingency_tables import Table

    observed = counts.loc[counts.sum(axis=1) > 0, counts.sum(axis=0) > 0]
    n = int(observed.to_numpy().sum())
    residuals = pd.DataFrame(np.nan, index=counts.index, columns=counts.columns)
    if observed.shape[0] < 2 or observed.shape[1] < 2:
        note = "Test impossible : il faut au moins deux modalités non vides de chaque côté."
        return ContingencyResult(None, None, None, None, None, None, n, residuals, note)
    table = observed.to_numpy()
    chi2 = stats.chi2_contingency(table, correction=True)  # scipy applies Yates only to 2×2 tables
    cramers_v = float(stats.contingency.association(table, method="cramer"))
    # shift_zeros=False: statsmodels would add 0.5 to every cell of a table with an empty one, and shade an
    # empty cell as "more than expected".
    residuals.loc[observed.index, observed.columns] = Table(table, shift_zeros=False).standardized_resids
    if (chi2.expected_freq >= MIN_EXPECTED).all():
        method = "chi2_pearson_yates" if table.shape == (2, 2) else "chi2_pearson"
        return ContingencyResult(
            method, "χ²", float(chi2.statistic), float(chi2.dof), float(chi2.pvalue), cramers_v, n, residuals
        )
    note = f"Effectif théorique inférieur à {MIN_EXPECTED:g} dans au moins une case : test exact."
    if table.shape == (2, 2):
        exact = stats.fisher_exact(table)
        return ContingencyResult(
            "fisher_exact", "rapport des cotes", float(exact.statistic), None, float(exact.pvalue), cramers_v, n,
            residuals, note,
        )
    method = stats.MonteCarloMethod(n_resamples=MONTE_CARLO_RESAMPLES, rng=np.random.default_rng(SEED))
    exact = stats.fisher_exact(table, method=method)
    return ContingencyResult(
        "fisher_freeman_halton_monte_carlo", None, None, None, float(exact.pvalue), cramers_v, n, residuals, note
    )


def residual_style(residual: float) -> str:
    """CSS background for one cell: transparent within ±1.96, then deeper blue (above) or red (below)."""
    if pd.isna(residual) or abs(residual) < RESIDUAL_THRESHOLD:
        return ""
    alpha = 0.2 + 0.6 * min(1.0, (abs(residual) - RESIDUAL_THRESHOLD) / (RESIDUAL_SATURATION - RESIDUAL_THRESHOLD))
    rgb = "33, 102, 172" if residual > 0 else "178, 24, 43"
    text = "color: white; " if alpha > 0.55 else ""
    return f"{text}background-color: rgba({rgb}, {alpha:.2f})"
