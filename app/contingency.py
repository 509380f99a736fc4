"""Independence test of a cross-tab chosen on the page, by the stats stage's own rule.

:func:`stats.crosstab.independence` computes it and picks the primary method
(:mod:`stats.rules`: Pearson's chi-square without correction when every
expected count is at least 5, otherwise the exact test); the page shows that
primary row, with Cramér's V and the adjusted standardised residuals. scipy
and statsmodels are imported inside it, so only a reader who opens the
Croisements page pays for them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

RESIDUAL_THRESHOLD = 1.96
RESIDUAL_SATURATION = 4.0
#: How the page names a primary row's statistic.
STATISTIC_NAMES = {"chi2": "χ²", "odds_ratio_conditional_mle": "rapport des cotes"}


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
    from stats.crosstab import independence

    res = independence(counts.to_numpy(), [str(c) for c in counts.index], [str(c) for c in counts.columns])
    residuals = pd.DataFrame(np.nan, index=counts.index, columns=counts.columns)
    if not res.tests:
        note = "Test impossible : il faut au moins deux modalités non vides de chaque côté."
        return ContingencyResult(None, None, None, None, None, None, res.n, residuals, note)
    rows = [c for c in counts.index if str(c) in res.row_codes]
    cols = [c for c in counts.columns if str(c) in res.col_codes]
    residuals.loc[rows, cols] = res.adjusted_residuals
    primary = next(t for t in res.tests if t["is_primary"])
    exact = primary["reading"] == "exact"
    named = STATISTIC_NAMES.get(primary.get("statistic_name"))  # a table's probability is not shown
    return ContingencyResult(
        primary["method"],
        named,
        primary.get("statistic") if named else None,
        primary.get("df"),
        primary["p_value"],
        primary["effect_size"],
        res.n,
        residuals,
        "Effectif théorique inférieur à 5 dans au moins une case : test exact." if exact else None,
    )


def residual_style(residual: float) -> str:
    """CSS background for one cell: transparent within ±1.96, then deeper blue (above) or red (below)."""
    if pd.isna(residual) or abs(residual) < RESIDUAL_THRESHOLD:
        return ""
    alpha = 0.2 + 0.6 * min(1.0, (abs(residual) - RESIDUAL_THRESHOLD) / (RESIDUAL_SATURATION - RESIDUAL_THRESHOLD))
    rgb = "33, 102, 172" if residual > 0 else "178, 24, 43"
    text = "color: white; " if alpha > 0.55 else ""
    return f"{text}background-color: rgba({rgb}, {alpha:.2f})"
