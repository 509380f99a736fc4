"""Tests of independence on a cross-tabulation of counts, and the rule that picks the primary one.

The rule (``method_rule`` of every row; the README states it too), as
gtsummary's ``add_p`` and jamovi's ``contTables`` apply it by default:

* every expected count ≥ 5 (Cochran's rule): Pearson's chi-square *without*
  continuity correction is primary;
* an expected count below 5: the exact conditional test is primary, Fisher's
  for a 2×2 table, Freeman–Halton's for a larger one (estimated by Monte-Carlo,
  fixed seed, with its standard error; a p-value at the estimate's floor
  1/(B + 1) is an upper bound and flagged so).

Every table gets both readings, so that the sensitivity adjustments run over
the whole family (:mod:`stats.multitest`); a 2×2 table also gets Yates'
corrected chi-square (known to be conservative; never primary) and the
conditional maximum-likelihood odds ratio with its exact interval (R's
``fisher.test``), infinite when a cell is empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from stats.exact import conditional_odds_ratio, freeman_halton_two_columns
from stats.rules import ASYMPTOTIC, CONTINUITY_CORRECTED, EXACT, MIN_EXPECTED, crosstab_rule

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

    def rows(self) -> list[dict]:
        """The tests, or one primary row without p-value saying why there is none (the table is still compared)."""
        return self.tests or [
            dict(
                method="chi2_pearson",
                reading=ASYMPTOTIC,
                is_primary=True,
                method_rule="pas de test : " + ("; ".join(self.notes) or "tableau vide"),
            )
        ]


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
    chi2 = stats.chi2_contingency(table, correction=False)
    result.expected = chi2.expected_freq
    result.adjusted_residuals = Table(table, shift_zeros=False).standardized_resids
    cramer = float(association(table, method="cramer"))
    small = int((chi2.expected_freq < MIN_EXPECTED).sum())
    primary, rule = crosstab_rule(small, table.size, float(chi2.expected_freq.min()))
    common = dict(effect_size_name="cramers_v", effect_size=cramer)
    result.tests.append(
        dict(
            common,
            method="chi2_pearson",
            reading=ASYMPTOTIC,
            is_primary=primary == ASYMPTOTIC,
            method_rule=rule,
            statistic_name="chi2",
            statistic=float(chi2.statistic),
            df=float(chi2.dof),
            p_value=float(chi2.pvalue),
            notes=[],
        )
    )
    if is_2x2:
        yates = stats.chi2_contingency(table, correction=True)
        result.tests.append(
            dict(
                common,
                method="chi2_yates",
                reading=CONTINUITY_CORRECTED,
                is_primary=False,
                method_rule=rule + " ; correction de Yates (2×2, conservatrice) : jamais primaire",
                statistic_name="chi2",
                statistic=float(yates.statistic),
                df=float(yates.dof),
                p_value=float(yates.pvalue),
                notes=[],
            )
        )
    exact = _exact(table, is_2x2, needed=primary == EXACT)
    if exact is not None:
        result.tests.append(dict(common, **exact, is_primary=primary == EXACT, method_rule=rule))
    return result


def _exact(table: np.ndarray, is_2x2: bool, needed: bool) -> dict | None:
    """The exact test's row: Fisher's, Freeman–Halton's enumerated, or (only where it is ``needed`` as the
    primary test) its Monte-Carlo estimate; None for a secondary reading out of exact reach (the sensitivity
    adjustment then takes the table's primary p-value, :mod:`stats.multitest`)."""
    from scipy import stats

    if is_2x2:
        res = stats.fisher_exact(table)
        conditional = conditional_odds_ratio(table, level=0.95)
        estimate = conditional.estimate
        notes = ["test exact de Fisher (bilatéral, conditionnel aux marges, comme fisher.test de R)"]
        if not np.isfinite(estimate) or estimate == 0:
            notes.append(
                "une case vide : rapport des cotes "
                + ("infini" if np.isinf(estimate) else "nul")
                + " (estimateur du maximum de vraisemblance conditionnel), intervalle exact ouvert de ce côté"
            )
        return dict(
            method="fisher_exact",
            reading=EXACT,
            statistic_name="odds_ratio_conditional_mle",
            statistic=estimate,
            p_value=float(res.pvalue),
            estimate_name="odds_ratio_conditional_mle",
            estimate=estimate,
            ci_low=conditional.ci_low,
            ci_high=conditional.ci_high,
            notes=notes,
        )
    exact = freeman_halton_two_columns(table)
    if exact is not None:
        return dict(
            method="fisher_freeman_halton_exact",
            reading=EXACT,
            p_value=exact,
            notes=["test exact de Freeman–Halton, calculé exactement (énumération des tables de mêmes marges)"],
        )
    if not needed:
        return None
    method = stats.MonteCarloMethod(n_resamples=N_RESAMPLES, rng=np.random.default_rng(SEED))
    res = stats.fisher_exact(table, method=method)
    p = float(res.pvalue)
    floor = 1 / (N_RESAMPLES + 1)
    at_floor = p <= floor
    se = float(np.sqrt(p * (1 - p) / N_RESAMPLES))
    notes = [f"test exact de Freeman–Halton estimé par Monte-Carlo ({N_RESAMPLES} tables, graine {SEED}), "
             f"erreur-type Monte-Carlo {se:.2g} (tableau trop grand pour l'énumération exacte)"]
    if at_floor:
        notes.append(f"aucune table simulée aussi extrême : p < {floor:.1g} (borne supérieure, pas une valeur)")
    return dict(
        method="fisher_freeman_halton_monte_carlo",
        reading=EXACT,
        statistic_name="table_probability",
        statistic=float(res.statistic),
        p_value=p,
        p_value_mc_se=se,
        p_value_is_upper_bound=at_floor,
        notes=notes,
    )
