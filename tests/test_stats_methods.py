"""Each statistical method of the stats stage against published reference results.

The references are textbook examples whose results are printed in the cited
source; none is computed with the code under test. Where a source prints no
value (HC3 standard errors, Games–Howell), the reference is computed in the
test from the textbook formula, independently of the stats package.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from stats import studentized
from stats.counts import Counts, mann_whitney_u, wilcoxon_signed_rank
from stats.crosstab import independence
from stats.exact import conditional_odds_ratio, freeman_halton_two_columns
from stats.groups import k_groups, two_groups
from stats.multitest import adjust
from stats.paired import friedman
from stats.regression import Predictor, fit_ols

# Student (1908) / Cushny & Peebles (1905) sleep data, R's `sleep` dataset: extra hours of sleep per drug.
SLEEP_1 = np.array([0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0])
SLEEP_2 = np.array([1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4])

# Dobson (1983), R's `PlantGrowth`: dried plant weight by treatment.
PLANT = {
    "ctrl": np.array([4.17, 5.58, 5.18, 6.11, 4.50, 4.61, 5.17, 4.53, 5.33, 5.14]),
    "trt1": np.array([4.81, 4.17, 4.41, 3.59, 5.87, 3.83, 6.03, 4.89, 4.32, 4.69]),
    "trt2": np.array([6.31, 5.12, 5.54, 5.50, 5.37, 5.29, 4.92, 6.15, 5.80, 5.26]),
}


def by_method(rows: list[dict]) -> dict[str, dict]:
    return {r["method"]: r for r in rows}


def test_chi_square_and_adjusted_residuals_match_agresti_party_identification_by_gender():
    # Agresti (2007), An Introduction to Categorical Data Analysis, 2nd ed., tables 2.5–2.6 (GSS 2002):
    # X² = 30.1, df = 2; adjusted residuals 4.50, 0.70, −5.32 for females (Democrat, Independent, Republican).
    observed = np.array([[762, 327, 468], [484, 239, 477]])
    res = independence(observed, ["F", "M"], ["D", "I", "R"])
    chi2 = by_method(res.tests)["chi2_pearson"]
    assert chi2["statistic"] == pytest.approx(30.07, abs=0.01)
    assert chi2["df"] == 2
    assert chi2["p_value"] < 1e-6
    assert chi2["is_primary"]
    np.testing.assert_allclose(res.adjusted_residuals[0], [4.50, 0.70, -5.32], atol=0.005)
    np.testing.assert_allclose(res.adjusted_residuals[1], [-4.50, -0.70, 5.32], atol=0.005)
    # Cramér's V is sqrt(X² / (n (min(r, c) − 1))): from Agresti's X² and n = 2757.
    assert chi2["effect_size"] == pytest.approx(np.sqrt(30.07 / 2757), abs=1e-4)
    # every expected count ≥ 5: Pearson is primary; the exact reading is there too, secondary (whole families)
    assert [(t["method"], t["is_primary"]) for t in res.tests] == [
        ("chi2_pearson", True), ("fisher_freeman_halton_exact", False)
    ]


def test_fisher_exact_is_primary_for_the_lady_tasting_tea():
    # Fisher (1935), The Design of Experiments, §2: 3 of 4 cups right; two-sided p = 34/70 = 0.4857.
    res = independence(np.array([[3, 1], [1, 3]]), ["milk", "tea"], ["milk", "tea"])
    methods = by_method(res.tests)
    assert methods["fisher_exact"]["p_value"] == pytest.approx(34 / 70, abs=1e-4)
    assert methods["fisher_exact"]["is_primary"]
    assert not methods["chi2_pearson"]["is_primary"] and not methods["chi2_yates"]["is_primary"]
    assert "attendu < 5" in methods["chi2_pearson"]["method_rule"]
    # R: fisher.test(matrix(c(3, 1, 1, 3), 2)): odds ratio 6.408309, 95 % CI 0.2117329 621.9337505 (the
    # conditional MLE). The estimate and lower bound agree to 2e-5; the upper bound solved to 1e-12 is 626.24:
    # R's uniroot stops at its default tolerance, 1.2e-4 on 1/ψ ≈ 0.0016 (up to 8 % on ψ), and scipy's
    # odds_ratio finds 626.24 too (test below).
    assert methods["fisher_exact"]["estimate"] == pytest.approx(6.408309, rel=1e-5)
    assert methods["fisher_exact"]["ci_low"] == pytest.approx(0.2117329, rel=1e-4)
    assert methods["fisher_exact"]["ci_high"] == pytest.approx(621.9337505, rel=0.01)


@pytest.mark.parametrize("table", [
    [[3, 1], [1, 3]], [[7, 0], [148, 23]], [[0, 5], [3, 4]], [[12, 30], [40, 20]], [[1, 40], [9, 128]],
    [[3000, 2000], [1000, 4000]],  # large enough to be computed on a window of its support
])
def test_conditional_odds_ratio_equals_scipy(table):
    from scipy.stats.contingency import odds_ratio

    ours = conditional_odds_ratio(np.array(table))
    scipy_ = odds_ratio(np.array(table), kind="conditional")
    ci = scipy_.confidence_interval(confidence_level=0.95)
    assert (ours.estimate, ours.ci_low, ours.ci_high) == pytest.approx(
        (scipy_.statistic, ci.low, ci.high), rel=1e-8
    )


def test_conditional_odds_ratio_of_a_million_respondents_is_woolfs_interval():
    # At a million respondents the exact interval (scipy's takes hours there) meets the asymptotic one:
    # exp(log OR ± 1.96 √Σ 1/cell).
    table = np.array([[300_000, 200_000], [100_000, 400_000]])
    ours = conditional_odds_ratio(table)
    log_or, se = np.log(6.0), np.sqrt((1 / table).sum())
    assert ours.estimate == pytest.approx(6.0, rel=1e-4)
    assert (ours.ci_low, ours.ci_high) == pytest.approx(
        (np.exp(log_or - 1.959964 * se), np.exp(log_or + 1.959964 * se)), rel=1e-4
    )


def test_an_empty_cell_gives_an_infinite_conditional_odds_ratio_stored_and_noted():
    # [[7, 0], [148, 23]] (issue 18): R's fisher.test gives odds ratio Inf, 95 % CI 0.2089565 Inf.
    res = independence(np.array([[7, 0], [148, 23]]), ["a", "b"], ["y", "n"])
    fisher = by_method(res.tests)["fisher_exact"]
    assert fisher["estimate"] == np.inf and fisher["ci_high"] == np.inf
    assert fisher["ci_low"] == pytest.approx(0.2089565, rel=1e-4)
    assert "rapport des cotes infini" in fisher["notes"][-1]
    assert fisher["is_primary"]  # an expected count below 5 (0.90)


def freeman_halton_exact(observed: np.ndarray) -> float:
    """Exact Freeman–Halton p-value of an r×2 table by full enumeration of the tables with its margins.

    scipy's ``fisher_exact`` of a table larger than 2×2 is itself an unseeded Monte-Carlo estimate, which
    made this reference (and the test) vary from run to run."""
    rows, first_column = observed.sum(axis=1), int(observed[:, 0].sum())
    law = sps.multivariate_hypergeom(m=rows, n=first_column)
    p_observed = law.pmf(observed[:, 0])
    tables = [x for x in itertools.product(*(range(r + 1) for r in rows)) if sum(x) == first_column]
    return float(sum(p for p in (law.pmf(x) for x in tables) if p <= p_observed * (1 + 1e-7)))


def test_a_two_column_table_with_small_expected_counts_gets_freeman_halton_computed_exactly():
    # A sparse 3×2 table: the primary test is Freeman–Halton's, enumerated, equal to the reference enumeration.
    observed = np.array([[8, 1], [2, 6], [1, 5]])
    res = independence(observed, ["a", "b", "c"], ["y", "n"])
    exact = by_method(res.tests)["fisher_freeman_halton_exact"]
    assert exact["is_primary"] and exact["reading"] == "exact"
    assert exact["p_value"] == pytest.approx(freeman_halton_exact(observed), rel=1e-12)
    # the report's 5×2 table of post titles × first hired, 163 who answered: enumerated too
    titles = np.array([[65, 31], [10, 12], [8, 10], [5, 9], [5, 8]])
    assert freeman_halton_two_columns(titles) == pytest.approx(freeman_halton_exact(titles), rel=1e-12)


def test_a_larger_sparse_table_gets_a_seeded_monte_carlo_estimate_with_its_standard_error():
    # 3×3: no exact enumeration here; scipy's seeded Monte-Carlo estimate, its standard error stored.
    observed = np.array([[6, 1, 0], [1, 5, 1], [0, 2, 6]])
    res = independence(observed, ["a", "b", "c"], ["x", "y", "z"])
    mc = by_method(res.tests)["fisher_freeman_halton_monte_carlo"]
    assert mc["is_primary"]
    assert mc["p_value_mc_se"] == pytest.approx(np.sqrt(mc["p_value"] * (1 - mc["p_value"]) / 9999))
    again = by_method(independence(observed, ["a", "b", "c"], ["x", "y", "z"]).tests)
    assert again["fisher_freeman_halton_monte_carlo"]["p_value"] == mc["p_value"]  # fixed seed
    # at the floor 1/(B + 1) the estimate is an upper bound, flagged
    strong = np.array([[30, 0, 0], [0, 30, 0], [0, 0, 3]])
    floor = by_method(independence(strong, ["a", "b", "c"], ["x", "y", "z"]).tests)[
        "fisher_freeman_halton_monte_carlo"
    ]
    assert floor["p_value"] == pytest.approx(1 / 10_000) and floor["p_value_is_upper_bound"]


def test_student_welch_and_mann_whitney_match_r_on_the_sleep_data():
    # R: t.test(extra ~ group, sleep, var.equal=TRUE): t = −1.8608, df = 18, p = 0.07919.
    #    t.test(extra ~ group, sleep): t = −1.8608, df = 17.776, p = 0.07939, 95 % CI −3.3654832 to 0.2054832.
    #    wilcox.test(extra ~ group, sleep): W = 25.5, p = 0.06933 (normal approximation, continuity correction).
    rows = by_method(two_groups(SLEEP_1, SLEEP_2, ("1", "2")))
    assert rows["student_t"]["statistic"] == pytest.approx(-1.8608, abs=1e-4)
    assert rows["student_t"]["df"] == 18
    assert rows["student_t"]["p_value"] == pytest.approx(0.07919, abs=1e-5)
    assert rows["welch_t"]["df"] == pytest.approx(17.776, abs=1e-3)
    assert rows["welch_t"]["p_value"] == pytest.approx(0.07939, abs=1e-5)
    assert (rows["welch_t"]["ci_low"], rows["welch_t"]["ci_high"]) == pytest.approx((-3.3654832, 0.2054832), abs=1e-6)
    assert rows["welch_t"]["is_primary"] and not rows["student_t"]["is_primary"]
    assert rows["mann_whitney_u"]["statistic"] == 25.5
    assert rows["mann_whitney_u"]["p_value"] == pytest.approx(0.06933, abs=1e-5)
    assert rows["welch_t"]["direction"] == "lower"
    assert (rows["welch_t"]["group1_mean"], rows["welch_t"]["group2_mean"]) == pytest.approx((0.75, 2.33))
    assert (rows["welch_t"]["group1_median"], rows["welch_t"]["group2_median"]) == pytest.approx((0.35, 1.75))


def test_cohens_d_and_hedges_g_match_the_effectsize_package_on_the_sleep_data():
    # R package effectsize (Ben-Shachar et al. 2020), docs of cohens_d / hedges_g on `sleep`: d = −0.83, g = −0.80.
    rows = by_method(two_groups(SLEEP_1, SLEEP_2, ("1", "2")))
    assert rows["student_t"]["cohens_d"] == pytest.approx(-0.83, abs=0.005)
    assert rows["student_t"]["hedges_g"] == pytest.approx(-0.80, abs=0.005)
    # Vargha–Delaney A = U / (n1 n2) = 25.5 / 100.
    assert rows["mann_whitney_u"]["effect_size"] == pytest.approx(0.255)


def test_anova_welch_anova_and_kruskal_wallis_match_r_on_plant_growth():
    # R: summary(aov(weight ~ group, PlantGrowth)): F = 4.846 on 2 and 27 df, p = 0.0159; R² = 0.2641.
    #    oneway.test(weight ~ group, PlantGrowth): F = 5.181, num df = 2, denom df = 17.128, p = 0.01739.
    #    kruskal.test(weight ~ group, PlantGrowth): chi-squared = 7.9882, df = 2, p = 0.01842.
    omnibus, _ = k_groups(list(PLANT.values()), list(PLANT), {})
    rows = by_method(omnibus)
    assert rows["anova_f"]["statistic"] == pytest.approx(4.846, abs=1e-3)
    assert (rows["anova_f"]["df"], rows["anova_f"]["df_denom"]) == (2, 27)
    assert rows["anova_f"]["p_value"] == pytest.approx(0.0159, abs=1e-4)
    assert rows["anova_f"]["effect_size"] == pytest.approx(0.2641, abs=1e-4)
    assert rows["welch_anova"]["statistic"] == pytest.approx(5.181, abs=1e-3)
    assert rows["welch_anova"]["df_denom"] == pytest.approx(17.128, abs=1e-3)
    assert rows["welch_anova"]["p_value"] == pytest.approx(0.01739, abs=1e-5)
    assert rows["welch_anova"]["is_primary"]
    assert rows["kruskal_wallis"]["statistic"] == pytest.approx(7.9882, abs=1e-4)
    assert rows["kruskal_wallis"]["p_value"] == pytest.approx(0.01842, abs=1e-5)
    assert rows["anova_f"]["direction"] == "lowest:trt1"


def test_tukey_pairs_match_r_tukeyhsd_on_plant_growth():
    # R: TukeyHSD(aov(weight ~ group, PlantGrowth)):
    #   trt1-ctrl −0.371 [−1.0622161, 0.3202161] p 0.3908711; trt2-ctrl 0.494 [−0.1972161, 1.1852161] p 0.1979960;
    #   trt2-trt1 0.865 [0.1737839, 1.5562161] p 0.0120064.  (Here differences are first − second group.)
    _, pairs = k_groups(list(PLANT.values()), list(PLANT), {})
    tukey = {r["pair"]: r for r in pairs if r["method"] == "tukey_hsd"}
    expected = {
        ("ctrl", "trt1"): (0.371, -0.3202161, 1.0622161, 0.3908711),
        ("ctrl", "trt2"): (-0.494, -1.1852161, 0.1972161, 0.1979960),
        ("trt1", "trt2"): (-0.865, -1.5562161, -0.1737839, 0.0120064),
    }
    for pair, (diff, low, high, p) in expected.items():
        row = tukey[pair]
        assert row["estimate"] == pytest.approx(diff, abs=1e-9)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), abs=1e-6)
        assert row["p_value"] == pytest.approx(p, abs=1e-6)


def test_games_howell_pairs_match_the_welch_studentized_range_formula():
    # Games & Howell (1976): q = |Δmean| / sqrt((s1²/n1 + s2²/n2) / 2), Welch–Satterthwaite df, studentized range.
    _, pairs = k_groups(list(PLANT.values()), list(PLANT), {})
    games = {r["pair"]: r for r in pairs if r["method"] == "games_howell"}
    for (a, b), row in games.items():
        x, y = PLANT[a], PLANT[b]
        vx, vy = x.var(ddof=1) / x.size, y.var(ddof=1) / y.size
        df = (vx + vy) ** 2 / (vx**2 / (x.size - 1) + vy**2 / (y.size - 1))
        q = abs(x.mean() - y.mean()) / np.sqrt((vx + vy) / 2)
        assert row["p_value"] == pytest.approx(sps.studentized_range.sf(q, 3, df), abs=1e-6)


@pytest.mark.parametrize("k", [2, 3, 5, 12])
def test_studentized_range_equals_scipy_on_both_sides_of_its_asymptotic_switch(k: int) -> None:
    qs = np.array([0.1, 1.0, 2.5, 3.5, 5.0, 8.0])
    for df in (1, 3, 12, 170, 5000, 99_999, 100_000, 2e6):
        expected = np.array([sps.studentized_range.sf(q, k, df) for q in qs])
        assert studentized.sf(qs, k, np.full(qs.size, df)) == pytest.approx(expected, abs=1e-9), (k, df)
    for df in (2, 40, 1000):
        assert studentized.ppf(0.95, k, df) == pytest.approx(sps.studentized_range.ppf(0.95, k, df), rel=1e-9)


@pytest.mark.parametrize("equal_var", [True, False])
def test_every_pair_s_range_test_equals_scipy_tukey_hsd(equal_var: bool) -> None:
    rng = np.random.default_rng(17)
    for sizes in ([12, 12, 12], [5, 40, 9, 23], [3, 300, 7, 2, 60]):
        data = [rng.normal(loc=i / 3, scale=1 + i, size=n) for i, n in enumerate(sizes)]
        ours = studentized.tukey_hsd(data, equal_var=equal_var, level=0.95)
        theirs = sps.tukey_hsd(*data, equal_var=equal_var)
        ci = theirs.confidence_interval(0.95)
        i, j = np.array(ours.pairs).T
        assert ours.mean_difference == pytest.approx(theirs.statistic[i, j], rel=1e-12)
        assert ours.p_value == pytest.approx(theirs.pvalue[i, j], abs=1e-9)
        assert ours.ci_low == pytest.approx(ci.low[i, j], rel=1e-9)
        assert ours.ci_high == pytest.approx(ci.high[i, j], rel=1e-9)


def test_holm_and_benjamini_hochberg_reject_what_benjamini_hochberg_1995_report():
    # Benjamini & Hochberg (1995), JRSS B 57:289–300, section 4: of these 15 p-values, the Bonferroni-type
    # (Holm) procedure rejects 3 hypotheses at 0.05 and the FDR procedure rejects 4.
    p = [
        0.0001,
        0.0004,
        0.0019,
        0.0095,
        0.0201,
        0.0278,
        0.0298,
        0.0344,
        0.0459,
        0.3240,
        0.4262,
        0.5719,
        0.6528,
        0.7590,
        1.000,
    ]
    holm, bh = adjust(p)
    assert (holm < 0.05).sum() == 3
    assert (bh < 0.05).sum() == 4
    assert np.all(holm >= np.asarray(p)) and np.all(bh >= np.asarray(p))


def test_ols_coefficients_match_r_lm_and_hc3_errors_match_the_sandwich_formula():
    # R: summary(lm(weight ~ group, PlantGrowth)): (Intercept) 5.0320, grouptrt1 −0.3710, grouptrt2 0.4940;
    # Multiple R-squared 0.2641, adjusted 0.2096. HC3 (MacKinnon & White 1985): (X'X)⁻¹ X' diag(e²/(1−h)²) X (X'X)⁻¹.
    frame = pd.DataFrame(
        {"weight": np.concatenate(list(PLANT.values())), "group": np.repeat(list(PLANT), 10).astype(object)}
    )
    fitted = fit_ols(frame, "weight", [Predictor("group", "Traitement", categorical=True)])
    coef = {t["level"] or t["term"]: t for t in fitted.terms}
    assert coef["Intercept"]["coefficient"] == pytest.approx(5.032)
    assert coef["trt1"]["coefficient"] == pytest.approx(-0.371)
    assert coef["trt2"]["coefficient"] == pytest.approx(0.494)
    assert fitted.model["r_squared"] == pytest.approx(0.2641, abs=1e-4)
    assert fitted.model["adj_r_squared"] == pytest.approx(0.2096, abs=1e-4)
    assert coef["trt1"]["term_label"] == "Traitement : trt1 (réf. ctrl)"

    x = np.column_stack([np.ones(30), frame["group"] == "trt1", frame["group"] == "trt2"]).astype(float)
    y = frame["weight"].to_numpy()
    xtx_inv = np.linalg.inv(x.T @ x)
    resid = y - x @ (xtx_inv @ x.T @ y)
    h = np.einsum("ij,jk,ik->i", x, xtx_inv, x)
    cov = xtx_inv @ (x.T * (resid / (1 - h)) ** 2) @ x @ xtx_inv
    se = np.sqrt(np.diag(cov))
    assert [coef[k]["std_error"] for k in ("Intercept", "trt1", "trt2")] == pytest.approx(list(se))
    # t-based inference with the residual degrees of freedom (27), not the normal distribution.
    t = coef["trt2"]["coefficient"] / se[2]
    assert coef["trt2"]["p_value"] == pytest.approx(2 * sps.t.sf(abs(t), 27))


def random_groups(rng: np.random.Generator, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Two groups like the survey's answers: 1–10 scales, skewed counts, or continuous values (no ties)."""
    n1, n2 = rng.integers(1, 40, size=2)
    if kind == "scale":
        return rng.integers(1, 11, n1).astype(float), rng.integers(1, 11, n2).astype(float)
    if kind == "count":
        return np.floor(rng.exponential(8, n1)), np.floor(rng.exponential(12, n2))
    return rng.normal(0, 1, n1), rng.normal(0.5, 2, n2)


@pytest.mark.parametrize("kind", ["scale", "count", "continuous"])
def test_mann_whitney_from_value_counts_equals_scipy_on_the_raw_answers(kind):
    # Ties (scales, counts) use the midrank and tie-corrected normal approximation; small groups without ties
    # scipy's exact distribution: both must give scipy's U and p on the answers themselves.
    rng = np.random.default_rng(20230228)
    for _ in range(300):
        x, y = random_groups(rng, kind)
        if np.concatenate([x, y]).var() == 0:
            continue
        reference = sps.mannwhitneyu(x, y, alternative="two-sided")
        u, p = mann_whitney_u(Counts.of(x), Counts.of(y))
        assert u == reference.statistic
        assert p == pytest.approx(reference.pvalue, rel=1e-9, abs=1e-15)


@pytest.mark.filterwarnings("ignore:Precision loss occurred:RuntimeWarning")  # scipy, on a constant group
@pytest.mark.parametrize("kind", ["scale", "count", "continuous"])
def test_two_groups_from_value_counts_equal_scipy_and_numpy_on_the_raw_answers(kind):
    rng = np.random.default_rng(7)
    for _ in range(100):
        x, y = random_groups(rng, kind)
        if min(x.size, y.size) < 2 or (x.var() == 0 and y.var() == 0):
            continue
        rows = by_method(two_groups(Counts.of(x), Counts.of(y), ("x", "y")))
        for method, equal_var in (("student_t", True), ("welch_t", False)):
            reference = sps.ttest_ind(x, y, equal_var=equal_var)
            ci = reference.confidence_interval(0.95)
            row = rows[method]
            assert row["statistic"] == pytest.approx(reference.statistic, rel=1e-9)
            assert row["p_value"] == pytest.approx(reference.pvalue, rel=1e-9)
            assert row["df"] == pytest.approx(reference.df, rel=1e-12)
            assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high), rel=1e-9)
        assert (rows["welch_t"]["group1_mean"], rows["welch_t"]["group2_mean"]) == pytest.approx((x.mean(), y.mean()))
        assert (rows["welch_t"]["group1_median"], rows["welch_t"]["group2_median"]) == (np.median(x), np.median(y))
        pooled = np.sqrt(((x.size - 1) * x.var(ddof=1) + (y.size - 1) * y.var(ddof=1)) / (x.size + y.size - 2))
        assert rows["student_t"]["cohens_d"] == pytest.approx((x.mean() - y.mean()) / pooled, rel=1e-9)


@pytest.mark.parametrize("kind", ["scale", "count", "continuous"])
def test_wilcoxon_from_value_counts_of_the_differences_equals_scipy_on_the_pairs(kind):
    # Paired answers of two items: zeros dropped, equal |differences| tied, up to 50 pairs scipy's exact or
    # permutation distribution (called on the pairs), beyond it the tie-corrected normal approximation.
    rng = np.random.default_rng(20230301)
    for size in [*rng.integers(3, 120, 150), 2_000, 20_000]:
        if kind == "scale":
            x, y = rng.integers(1, 11, size).astype(float), rng.integers(1, 11, size).astype(float)
        elif kind == "count":
            x, y = np.floor(rng.exponential(8, size)), np.floor(rng.exponential(12, size))
        else:
            x, y = rng.normal(0, 1, size), rng.normal(0.3, 2, size)
        diff = x - y
        if diff.size < 2 or np.all(diff == diff[0]):
            continue
        reference = sps.wilcoxon(x, y, zero_method="wilcox", correction=True, method="auto")
        statistic, p = wilcoxon_signed_rank(Counts.of(diff))
        assert statistic == pytest.approx(reference.statistic, rel=1e-12)
        assert p == pytest.approx(reference.pvalue, rel=1e-9, abs=1e-15)


def test_friedman_from_column_comparisons_equals_scipy():
    # Ties within a respondent's row (1–10 scales), none (continuous), and one constant row.
    rng = np.random.default_rng(20230302)
    for n, k, continuous in [(5, 3, False), (12, 4, False), (40, 5, True), (178, 8, False), (2_000, 3, False)]:
        matrix = rng.normal(size=(n, k)) if continuous else rng.integers(1, 11, (n, k)).astype(float)
        matrix[0] = matrix[0, 0]
        reference = sps.friedmanchisquare(*matrix.T)
        assert friedman(matrix) == pytest.approx((reference.statistic, reference.pvalue), rel=1e-10)


def test_value_counts_sum_repeated_values_and_drop_empty_ones():
    counts = Counts.tally(np.array([3.0, 1.0, 3.0, 2.0]), np.array([2, 1, 5, 0]))
    assert counts.values.tolist() == [1.0, 3.0] and counts.counts.tolist() == [1, 7]
    assert counts.describe() == pytest.approx(
        {"n": 8, "mean": np.mean([1] + [3] * 7), "sd": np.std([1] + [3] * 7, ddof=1), "median": 3.0}
    )
