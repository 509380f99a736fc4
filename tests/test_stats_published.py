"""The report's cross-tabulations (tables 3 and 11), rebuilt from its published counts and tested.

The counts come from ``published_figures.csv``; the stats code must give
exactly what an independent scipy call gives on the same table.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

import codebook
from stats.crosstab import MIN_EXPECTED, independence
from tests.published import published_figures

PUBLISHED_CROSSTABS = ("T3", "T11")


def published_crosstab(figure_id: str) -> tuple[str, str, dict[tuple[str, str], int]]:
    """(row question, column question, {(row code, column code): count}) of a published cross-tab.

    The key ``a_x_b`` names the row and column questions; each cell's item is
    ``a=<label> & b=<label>`` with the codebook's choice labels.
    """
    rows = [f for f in published_figures() if f.figure_id == figure_id and "_x_" in f.question]
    assert rows, f"no cross-tab cells for {figure_id} in published_figures.csv"
    row_q, col_q = rows[0].question.split("_x_")
    cb = codebook.load()
    codes = [{c.label_fr: c.choice_code for c in cb.question(q).choices} for q in (row_q, col_q)]
    cells = {}
    for f in rows:
        left, right = (part.split("=", 1)[1].strip() for part in f.item.split("&"))
        cells[(codes[0][left], codes[1][right])] = int(f.value)
    return row_q, col_q, cells


def as_table(row_q: str, col_q: str, cells: dict) -> tuple[np.ndarray, list[str], list[str]]:
    cb = codebook.load()
    row_codes = [c.choice_code for c in cb.question(row_q).choices]
    col_codes = [c.choice_code for c in cb.question(col_q).choices]
    table = np.array([[cells.get((r, c), 0) for c in col_codes] for r in row_codes])
    return table, row_codes, col_codes


@pytest.mark.parametrize("figure_id", PUBLISHED_CROSSTABS)
def test_published_crosstab_tests_equal_scipy_on_the_published_counts(figure_id):
    row_q, col_q, cells = published_crosstab(figure_id)
    table, row_codes, col_codes = as_table(row_q, col_q, cells)
    assert table.sum() == 178  # the report's respondents

    res = independence(table, row_codes, col_codes)
    methods = {r["method"]: r for r in res.tests}
    reference = sps.chi2_contingency(table, correction=False)
    chi2 = methods["chi2_pearson"]
    assert chi2["statistic"] == pytest.approx(reference.statistic, rel=1e-12)
    assert chi2["p_value"] == pytest.approx(reference.pvalue, rel=1e-12)
    assert chi2["df"] == reference.dof
    np.testing.assert_allclose(res.expected, reference.expected_freq)
    yates = sps.chi2_contingency(table)  # scipy's default: Yates' correction for a 2×2 table
    assert methods["chi2_yates"]["statistic"] == pytest.approx(yates.statistic, rel=1e-12)
    assert not methods["chi2_yates"]["is_primary"]
    fisher = sps.fisher_exact(table)
    assert methods["fisher_exact"]["p_value"] == pytest.approx(fisher.pvalue, rel=1e-12)
    conditional = sps.contingency.odds_ratio(table, kind="conditional")  # two root finders: equal to 1e-9
    ci = conditional.confidence_interval(confidence_level=0.95)
    assert (methods["fisher_exact"]["estimate"], methods["fisher_exact"]["ci_low"], methods["fisher_exact"]["ci_high"]
            ) == pytest.approx((conditional.statistic, ci.low, ci.high), rel=1e-9)
    small = bool((reference.expected_freq < MIN_EXPECTED).any())
    assert methods["fisher_exact"]["is_primary"] is small
    assert chi2["is_primary"] is not small
    assert chi2["effect_size"] == pytest.approx(
        np.sqrt(sps.chi2_contingency(table, correction=False).statistic / table.sum())
    )


def test_table_3_association_is_strong_and_table_11_is_judged_on_pearson_without_correction():
    """What the published counts themselves say, whatever sample reproduces them."""
    t3 = {r["method"]: r for r in independence(*as_table(*published_crosstab("T3"))).tests}
    t11 = {r["method"]: r for r in independence(*as_table(*published_crosstab("T11"))).tests}
    assert t3["chi2_pearson"]["p_value"] < 1e-6
    # Table 11 (issue 18): every expected count ≥ 5, so Pearson without correction is primary, χ² 4.4769,
    # p ≈ 0.0344; Yates' row (χ² 3.4749, p ≈ 0.062) and Fisher's (p ≈ 0.0424) stay as secondary rows.
    assert t11["chi2_pearson"]["is_primary"]
    assert t11["chi2_pearson"]["statistic"] == pytest.approx(4.4769, abs=1e-4)
    assert t11["chi2_pearson"]["p_value"] == pytest.approx(0.0344, abs=1e-4)
    assert t11["chi2_yates"]["statistic"] == pytest.approx(3.4749, abs=1e-4) and not t11["chi2_yates"]["is_primary"]
    assert t11["chi2_yates"]["p_value"] > 0.05
    assert t11["fisher_exact"]["p_value"] == pytest.approx(0.0424, abs=1e-4) and not t11["fisher_exact"]["is_primary"]
