"""Tests of independence on a cross-tabulation of counts.

Pearson's chi-square is the report's test (its tables 3 and 11). It is only
trusted when every expected count is at least 5; below that the exact
conditional test takes over as the primary method: Fisher's exact test for a
2×2 table, the Freeman–Halton generalisation estimated by Monte-Carlo (fixed
seed, so a rebuild gives the same p-value) for a larger one. The chi-square row
is kept either way, so readers can see both; a 2×2 table always gets Fisher's
test too (it costs nothing), primary only when an expected count is small.
Yates' continuity correction is applied to 2×2 tables only (as scipy does for
one degree of freedom), and the method name says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

MIN_EXPECTED = 5.0
SEED = 20230228
N_RESAMPLES = 9_999


@dataclass
class CrosstabResult:
    """The methods' results and the per-cell detail of one table."""

    tests: list[dict] = field(default_factory=list)
    observed: np.ndarray | None = None
    expected: np.ndarray | None = None
    adjusted_residuals: np.ndarray | None = None
    row_codes: list[str] = field(default_factory=list)
    col_codes: list[str] = field(default_factory=list)
    n: int = 0
    notes: list[str] = field(default_factory=list)


def drop_empty(observed: np.ndarray, row_codes: list[str], col_codes: list[str]) -> tuple[np.ndarray, list, list]:
    """Rows and columns with no observation carry no information and make expected counts zero."""
    rows = observed.sum(axis=1) > 0
    cols = observed.sum(axis=0) > 0
    kept_rows = [c for c, k in zip(row_codes, rows, strict=True) if k]
    kept_cols = [c for c, k in zip(col_codes, cols, strict=True) if k]
    return observed[rows][:, cols], kept_rows, kept_cols


def independence(
    observed: np.ndarray,
    row_codes: list[str],
    col_codes: list[str],
    row_labels: dict[str, str] | None = None,
    col_labels: dict[str, str] | None = None,
) -> CrosstabResult:
    """Chi-square (and the exact test when needed) with Cramér's V and adjusted residuals.

    ``observed`` is rows × columns of counts in the order of the codes. Empty
    rows and columns are dropped (and named in the notes); a table left with a
    single row or column has no test, only a note.
    """
    from scipy import stats
    from scipy.stats.contingency import association
    from statsmodels.stats.contingency_tables import Table

    row_labels = row_labels or {}
    col_labels = col_labels or {}
    observed = np.asarray(observed, dtype=np.int64)
    result = CrosstabResult(n=int(observed.sum()))
    if result.n == 0:
        result.notes.append("aucune réponse : pas de test")
        return result
    table, rows, cols = drop_empty(observed, list(row_codes), list(col_codes))
    dropped = [row_labels.get(c, c) for c in row_codes if c not in rows]
    dropped += [col_labels.get(c, c) for c in col_codes if c not in cols]
    if dropped:
        result.notes.append("catégories sans effectif écartées : " + ", ".join(dropped))
    result.row_codes, result.col_codes, result.observed = rows, cols, table
    if table.shape[0] < 2 or table.shape[1] < 2:
        which = "ligne" if table.shape[0] < 2 else "colonne"
        only = rows if table.shape[0] < 2 else cols
        labels = row_labels if table.shape[0] < 2 else col_labels
        result.notes.append(
            f"tableau à une seule {which} (toutes les réponses : {', '.join(labels.get(c, c) for c in only)}) : "
            "pas de test d'indépendance"
        )
        return result

    is_2x2 = table.shape == (2, 2)
    chi2 = stats.chi2_contingency(table, correction=is_2x2)
    result.expected = chi2.expected_freq
    result.adjusted_residuals = Table(table, shift_zeros=False).standardized_resids
    cramer = float(association(table, method="cramer"))
    small = int((chi2.expected_freq < MIN_EXPECTED).sum())
    chi2_notes = []
    if small:
        chi2_notes.append(
            f"{small} case(s) sur {table.size} d'effectif attendu < {MIN_EXPECTED:g} "
            f"(minimum {chi2.expected_freq.min():.2f}) : le test exact fait foi"
        )
    result.tests.append(
        dict(
            method="chi2_pearson_yates" if is_2x2 else "chi2_pearson",
            is_primary=not small,
            statistic_name="chi2",
            statistic=float(chi2.statistic),
            df=float(chi2.dof),
            p_value=float(chi2.pvalue),
            effect_size_name="cramers_v",
            effect_size=cramer,
            notes=chi2_notes,
        )
    )
    if small or is_2x2:
        result.tests.append(_exact(table, cramer, is_2x2, primary=bool(small)))
    return result


def _exact(table: np.ndarray, cramer: float, is_2x2: bool, primary: bool) -> dict:
    from scipy import stats

    if is_2x2:
        res = stats.fisher_exact(table)
        return dict(
            method="fisher_exact",
            is_primary=primary,
            statistic_name="odds_ratio",
            statistic=float(res.statistic),
            p_value=float(res.pvalue),
            effect_size_name="cramers_v",
            effect_size=cramer,
            estimate_name="odds_ratio",
            estimate=float(res.statistic),
            notes=["test exact de Fisher (bilatéral, conditionnel aux marges)"],
        )
    method = stats.MonteCarloMethod(n_resamples=N_RESAMPLES, rng=np.random.default_rng(SEED))
    res = stats.fisher_exact(table, method=method)
    return dict(
        method="fisher_freeman_halton_monte_carlo",
        is_primary=primary,
        statistic_name="table_probability",
        statistic=float(res.statistic),
        p_value=float(res.pvalue),
        effect_size_name="cramers_v",
        effect_size=cramer,
        notes=[f"test exact de Freeman–Halton estimé par Monte-Carlo ({N_RESAMPLES} tables, graine {SEED})"],
    )
