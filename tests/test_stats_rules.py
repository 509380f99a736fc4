"""The method rules (stats/rules.py) as the sample's stats tables apply them, checked against independent
computations: scipy on the marts, statsmodels' multipletests on the families' p-values."""

from __future__ import annotations

import gc

import numpy as np
import pytest
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests

WAVE = "2023"


def method_rows(con, comparison_id: str, columns: str) -> dict[str, tuple]:
    """``columns`` of each method's row of one comparison of the wave in ``stats.tests``."""
    query = f"SELECT method, {columns} FROM stats.tests WHERE wave = ? AND comparison_id = ?"
    return {r[0]: r[1:] for r in con.execute(query, [WAVE, comparison_id]).fetchall()}


def test_every_row_says_why_its_method_is_or_is_not_primary(sample_con):
    missing = sample_con.execute(
        "SELECT count(*) FROM stats.tests WHERE method_rule IS NULL OR trim(method_rule) = ''"
    ).fetchone()[0]
    assert missing == 0
    readings = {r[0] for r in sample_con.execute("SELECT DISTINCT reading FROM stats.tests").fetchall()}
    assert None not in readings
    # one primary row per hypothesis (pairs: one per pair and method family)
    doubles = sample_con.execute(
        """SELECT comparison_id, wave, baseline_wave, count(*) FROM stats.tests WHERE is_primary AND kind <> 'pairwise'
           GROUP BY ALL HAVING count(*) <> 1"""
    ).fetchall()
    assert doubles == []


def test_table_11_primary_is_pearson_without_correction_on_the_sample(sample_con):
    rows = method_rows(sample_con, "crosstab:efs_on_territory:does_eadmin", "is_primary, statistic, p_value")
    assert rows["chi2_pearson"][:1] == (True,)
    assert rows["chi2_pearson"][1:] == pytest.approx((4.4769, 0.0344), abs=1e-4)
    assert rows["chi2_yates"][0] is False and rows["chi2_yates"][1] == pytest.approx(3.4749, abs=1e-4)
    assert rows["fisher_exact"][0] is False and rows["fisher_exact"][2] == pytest.approx(0.0424, abs=1e-4)


def test_no_primary_scale_comparison_is_significant_where_a_group_has_no_spread(sample_con):
    """On a 1–10 scale the rank test is primary; a group whose answers are all equal never gets a significant
    primary test of means (issue 18: direct_contact__justice, all "1", p ≈ 0.033 by Welch)."""
    scales = sample_con.execute(
        """SELECT t.test_id, t.method, t.p_holm, t.group_stats FROM stats.tests t
           WHERE t.kind IN ('two_groups', 'wave_difference') AND t.is_primary AND t.p_holm < 0.05
             AND t.method IN ('student_t', 'welch_t')
             AND t.outcome IN (SELECT DISTINCT outcome FROM stats.tests WHERE method = 'mann_whitney_u'
                               AND method_rule LIKE 'échelle bornée%')"""
    ).fetchall()
    assert scales == []
    zero_spread = sample_con.execute(
        """SELECT count(*) FROM stats.tests WHERE kind = 'two_groups' AND method = 'mann_whitney_u' AND is_primary
           AND method_rule LIKE 'échelle bornée%'
           AND list_contains(CAST(json_extract(group_stats, '$[*].sd') AS DOUBLE[]), 0.0)"""
    ).fetchone()[0]
    assert zero_spread > 0  # such groups exist on the sample: the rule is exercised, not vacuous
    justice = sample_con.execute(
        """SELECT method, p_value, p_holm FROM stats.tests WHERE wave = ? AND is_primary
           AND comparison_id LIKE 'two_groups:direct_contact__justice:place__%'""",
        [WAVE],
    ).fetchall()
    assert justice and {m for m, _, _ in justice} == {"mann_whitney_u"}


def test_each_family_is_adjusted_over_every_hypothesis_as_multipletests_does(sample_con):
    """Primary rows: Holm and BH over the family's primary p-values. Rows of another reading: Holm over every
    hypothesis of the family, with its row of that reading, or its primary row where it has none."""
    tests = sample_con.execute(
        """SELECT wave, coalesce(baseline_wave, '') AS baseline, family, comparison_id, reading, is_primary,
                  p_value, p_holm, p_bh FROM stats.tests WHERE method NOT IN ('tukey_hsd', 'games_howell')"""
    ).df()
    key = ["wave", "baseline", "family"]
    primary = tests[tests["is_primary"]]
    gc.freeze()  # statsmodels' Holm calls gc.collect() each time: a full heap scan per family without this
    try:
        checked = _check_families(tests, primary, key)
    finally:
        gc.unfreeze()
    assert checked > 100


def _check_families(tests, primary, key: list[str]) -> int:
    checked = 0
    for _, family in primary[primary["p_value"].notna()].groupby(key):
        np.testing.assert_allclose(family["p_holm"], multipletests(family["p_value"], method="holm")[1], rtol=1e-12)
        np.testing.assert_allclose(family["p_bh"], multipletests(family["p_value"], method="fdr_bh")[1], rtol=1e-12)
        checked += 1
    by_family = {k: f[["comparison_id", "p_value"]] for k, f in primary.groupby(key)}
    for (*k, _reading), rows in tests[~tests["is_primary"]].groupby([*key, "reading"]):
        merged = by_family[tuple(k)].merge(
            rows[["comparison_id", "p_value", "p_holm"]], on="comparison_id", how="left", suffixes=("", "_own")
        )
        entering = merged["p_value_own"].where(merged["p_value_own"].notna(), merged["p_value"])
        merged = merged[entering.notna()]
        if merged.empty:
            continue
        merged = merged.assign(expected=multipletests(entering.dropna(), method="holm")[1])
        own = merged[merged["p_value_own"].notna()]
        np.testing.assert_allclose(own["p_holm"], own["expected"], rtol=1e-12)
        checked += 1
    return checked


def test_table_6_is_a_paired_comparison_equal_to_scipy_on_the_marts(sample_con):
    answers = sample_con.execute(
        """SELECT respondent_id, item_code, value FROM marts.answers
           WHERE wave = ? AND question_code = 'support_mode' AND value IS NOT NULL""",
        [WAVE],
    ).df()
    wide = answers.pivot(index="respondent_id", columns="item_code", values="value").dropna()
    x, y = wide["individual"].to_numpy(float), wide["collective"].to_numpy(float)
    rows = method_rows(
        sample_con, "paired:support_mode__individual:support_mode__collective", "is_primary, statistic, p_value, n"
    )
    t, w = sps.ttest_rel(x, y), sps.wilcoxon(x, y, correction=True)
    assert rows["paired_t"][1:3] == pytest.approx((t.statistic, t.pvalue), rel=1e-9)
    assert rows["wilcoxon_signed_rank"][1:3] == pytest.approx((w.statistic, w.pvalue), rel=1e-9)
    assert rows["wilcoxon_signed_rank"][0] and not rows["paired_t"][0]  # a 1–10 scale: the rank test
    assert rows["paired_t"][3] == len(x) == 155


def test_departements_are_compared_on_every_number_and_on_reorientation(sample_con):
    found = {
        r[0]
        for r in sample_con.execute(
            "SELECT DISTINCT comparison_id FROM stats.tests WHERE wave = ? AND is_primary AND p_value IS NOT NULL",
            [WAVE],
        ).fetchall()
    }
    assert "k_groups:people_per_week:department" in found  # "the volume varies by territory"
    assert any(c.startswith("crosstab:reorientation__") and c.endswith(":department") for c in found)
    assert {"within:reason_not_eadmin", "within:support_type", "within:reorientation",
            "within:need_referent_contact", "within:intervention_scale"} <= found  # tables 4, 5; Q11, Q14, Q20


def test_every_report_claim_holds_on_its_primary_test_or_its_notes_give_the_bound(sample_con):
    from stats.claims import load_claims

    claims = {c.claim_id: c for c in load_claims()}
    rows = sample_con.execute(
        "SELECT claim_id, holds, notes FROM stats.report_claims WHERE wave = ?", [WAVE]
    ).fetchall()
    assert len(rows) == len(claims)
    for claim_id, holds, notes in rows:
        if not holds:
            assert claims[claim_id].primary_test_note, f"{claim_id} fails on its primary test with no bound: {notes}"
            assert f"borne : {claims[claim_id].primary_test_note}" in notes


def test_the_mediatheque_bound_follows_from_the_published_figures():
    """Figure 3's médiathèque claim: the smallest Welch p any sample with the published figures can give, found by
    minimising over the split of the within-group spread and the group's admissible size."""
    from scipy import optimize

    from tests.published import published_figures

    figures = {(f.question, f.item, f.statistic): float(f.value) for f in published_figures()}
    n, mean = 155, figures[("people_per_week", "Personnes accompagnées par semaine", "mean")]
    sd = figures[("people_per_week", "Personnes accompagnées par semaine", "sd")]
    group_mean = figures[("people_per_week_by_place", "Médiathèque / bibliothèque=Oui", "mean")]
    in_place = int(figures[("place", "Médiathèque / bibliothèque", "count")])
    total_ss = (n - 1) * sd**2

    def welch_p(share: float, n1: int) -> float:
        n2 = n - n1
        m2 = (n * mean - n1 * group_mean) / n2
        within = total_ss - n1 * (group_mean - mean) ** 2 - n2 * (m2 - mean) ** 2
        v1, v2 = share * within / (n1 - 1) / n1, (1 - share) * within / (n2 - 1) / n2
        df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
        return float(2 * sps.t.sf(abs(group_mean - m2) / np.sqrt(v1 + v2), df))

    best = min(
        optimize.minimize_scalar(welch_p, args=(n1,), bounds=(1e-9, 1 - 1e-9), method="bounded").fun
        for n1 in range(in_place - (178 - n), in_place + 1)  # the 23 who do not support may all be in one
    )
    assert best == pytest.approx(0.0118, abs=1e-4)
    assert best < 0.05 < best * 5  # Holm's factor must fall to 4: six of the nine other places significant first


def test_footnote_3_block_tests_equal_statsmodels_on_the_marts(sample_con):
    """The places' joint Wald F (HC3) in the model with controls, recomputed with statsmodels' formula API."""
    import statsmodels.formula.api as smf

    frame = sample_con.execute(
        "SELECT * FROM marts.respondents_wide WHERE wave = ? AND people_per_week IS NOT NULL", [WAVE]
    ).df()
    places = [c for c in frame.columns if c.startswith("place__") and not c.endswith("__other")]
    frame = frame[["people_per_week", "post_title", "department", "years_practice", *places]].dropna()
    places = [c for c in places if frame[c].nunique() > 1]  # a place nobody ticks has no coefficient
    frame[places] = frame[places].astype(float)
    formula = "people_per_week ~ " + " + ".join([*places, "C(post_title)", "C(department)", "years_practice"])
    fit = smf.ols(formula, frame).fit(cov_type="HC3", use_t=True)
    wald = fit.wald_test(", ".join(f"{p} = 0" for p in places), use_f=True, scalar=True)
    row = sample_con.execute(
        "SELECT statistic, df, p_value FROM stats.tests WHERE test_id = ?",
        [f"{WAVE}|regression:people_per_week:places_controls:block:place|ols_hc3_wald_f"],
    ).fetchone()
    assert row == pytest.approx((float(wald.statistic), len(places), float(wald.pvalue)), rel=1e-8)
    claim = sample_con.execute(
        "SELECT holds, found_direction FROM stats.report_claims WHERE wave = ? AND claim_id = ?",
        [WAVE, "FN3_places_most_significant"],
    ).fetchone()
    blocks = sample_con.execute(
        "SELECT grouping FROM stats.tests WHERE wave = ? AND kind = 'regression_block' "
        "AND family = 'regression_blocks:people_per_week:places_controls' ORDER BY p_value LIMIT 1",
        [WAVE],
    ).fetchone()
    assert claim == (True, "strongest:place") and blocks == ("place",)


def test_figure_6_diversity_is_the_number_of_sites_above_never_recounted_from_the_answers(sample_con):
    """The claim's measure: per respondent, the sites rated above 1 ("jamais"); CCAS staff against the others."""
    counts = sample_con.execute(
        """SELECT a.respondent_id, count(*) FILTER (WHERE a.value > 1) AS breadth, any_value(w.place__ccas) AS ccas
           FROM marts.answers a JOIN marts.respondents_wide w USING (wave, respondent_id)
           WHERE a.wave = ? AND a.question_code = 'site' AND a.is_asked
           GROUP BY a.respondent_id HAVING count(a.value) > 0""",
        [WAVE],
    ).df()
    x = counts[counts["ccas"]]["breadth"].to_numpy(float)
    y = counts[~counts["ccas"]]["breadth"].to_numpy(float)
    welch = sps.ttest_ind(x, y, equal_var=False)
    row = sample_con.execute(
        "SELECT statistic, p_value, group1_n, group2_n, is_primary FROM stats.tests WHERE test_id = ?",
        [f"{WAVE}|two_groups:site__breadth:place__ccas|welch_t"],
    ).fetchone()
    assert row[:2] == pytest.approx((welch.statistic, welch.pvalue), rel=1e-9)
    assert row[2:] == (len(x), len(y), True)
    holds = sample_con.execute(
        "SELECT holds FROM stats.report_claims WHERE wave = ? AND claim_id = 'F6_ccas_site_diversity'", [WAVE]
    ).fetchone()[0]
    assert holds
