"""report.wave_comparison and the wave_difference family of stats.tests, on the bundled two-wave sample.

The 2024 wave is synthetic and its generator's known truth (samplegen/wave_shifts.csv) says which
differences were planted and which are null: the comparison must find the first and not the second.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats
from statsmodels.stats.multitest import multipletests

from samplegen import wave_shifts

PAIR = ("2023", "2024")


def comparison(con) -> pd.DataFrame:
    return con.sql(
        "select * from report.wave_comparison where wave_1 = ? and wave_2 = ?", params=list(PAIR)
    ).df()


def test_one_row_per_report_figure_and_wave_pair(sample_con) -> None:
    rows = comparison(sample_con)
    keys = sample_con.sql(
        "select distinct figure_id, question, item_key, statistic from report.figures where wave in ('2023', '2024')"
    ).fetchall()
    assert len(rows) == len(keys) == len(rows.drop_duplicates(["figure_id", "question", "item_key", "statistic"]))
    published_2023 = sample_con.sql("select count(*) from report.figures where wave = '2023'").fetchone()[0]
    assert (rows["value_1"].notna()).sum() == published_2023
    # the dropped question keeps its 2023 rows, with no 2024 value, no test, and a note saying why
    dropped = rows[rows["question"] == "first_mediator_hired"]
    assert len(dropped) == 2 and dropped["value_2"].isna().all() and dropped["test_id"].isna().all()
    assert dropped["notes"].str.contains("non posée en 2024").all()
    # the relabelled site is one row, labelled each wave as asked
    site = rows[(rows["question"] == "site") & (rows["item_key"] == "pole_emploi") & (rows["statistic"] == "mean")]
    assert site[["item_1", "item_2"]].values.tolist() == [["Pôle emploi", "France Travail"]]
    # differences are later minus earlier; standard deviations and the waves' sizes are not tested
    both = rows.dropna(subset=["value_1", "value_2"])
    assert np.allclose(both["difference"], both["value_2"] - both["value_1"])
    untested = both[both["test_id"].isna()]
    assert set(untested["statistic"]) == {"sd", "count"}
    assert set(untested[untested["statistic"] == "count"]["question"]) == {"connections", "sample"}
    assert both[both["statistic"] != "sd"]["test_id"].notna().sum() == len(both) - len(untested)


def _row(rows: pd.DataFrame, shift: wave_shifts.Shift) -> pd.Series | None:
    """The report figure a generator shift is about, if the report has one."""
    statistic = "percent" if shift.kind == "share" else "mean"
    item = shift.code or shift.question
    found = rows[(rows["question"] == shift.question) & (rows["item_key"] == item) & (rows["statistic"] == statistic)]
    return found.iloc[0] if len(found) else None


def test_planted_differences_are_detected_and_nulls_are_not(sample_con) -> None:
    rows = comparison(sample_con)
    for shift in wave_shifts.planted("2024"):
        row = _row(rows, shift)
        assert row is not None, f"{shift.variable}: planted, but no report figure"
        assert row["significant"] and row["p_holm"] < 0.05, (shift.variable, row["p_holm"])
        assert np.sign(row["difference"]) == np.sign(shift.shift), (shift.variable, row["difference"])
    checked = 0
    for shift in wave_shifts.nulls("2024"):
        row = _row(rows, shift)
        if row is None:
            continue  # a null control outside the report's figures (contract=A1)
        checked += 1
        assert not row["significant"] and row["p_holm"] >= 0.05, (shift.variable, row["p_holm"])
    assert checked >= 6


def test_a_share_difference_is_the_crosstab_rule_on_counts_from_the_marts(sample_con) -> None:
    """Table 2, France services: the 2 × 2 wave × ticked table, recounted from marts.respondent_places."""
    counts = dict(
        sample_con.sql(
            """select wave, [count(*) filter (where is_selected), count(*) filter (where not is_selected)]
            from marts.respondent_places where place_code = 'france_services' group by 1"""
        ).fetchall()
    )
    table = np.array([counts["2024"], counts["2023"]])
    expected = scipy_stats.chi2_contingency(table, correction=False)
    assert (expected.expected_freq >= 5).all()  # so Pearson without correction is primary (stats.rules)
    test = sample_con.sql(
        """select t.* from report.wave_comparison as c inner join stats.tests as t using (test_id)
        where c.figure_id = 'T2' and c.item_key = 'france_services' and c.statistic = 'percent'"""
    ).df().iloc[0]
    assert test["method"] == "chi2_pearson" and test["is_primary"]
    assert np.isclose(test["statistic"], expected.statistic) and np.isclose(test["p_value"], expected.pvalue)
    assert (test["wave"], test["baseline_wave"], test["family"]) == ("2024", "2023", "wave_difference:T2")
    assert "échantillons indépendants" in test["notes"]


def test_a_mean_difference_on_a_scale_is_mann_whitney_on_the_answers_of_both_waves(sample_con) -> None:
    """A site's 1–10 scale: the rank test is primary (stats.rules), Welch's t a secondary row."""
    answers = sample_con.sql(
        "select wave, list(score) from marts.respondent_sites where site_code = 'pole_emploi' "
        "and score is not null group by 1"
    ).fetchall()
    by_wave = {w: np.array(v, dtype=float) for w, v in answers}
    expected = scipy_stats.mannwhitneyu(by_wave["2024"], by_wave["2023"])
    row = comparison(sample_con)
    row = row[(row["figure_id"] == "T9") & (row["item_key"] == "pole_emploi") & (row["statistic"] == "mean")].iloc[0]
    assert row["test_method"] == "mann_whitney_u"
    assert np.isclose(row["test_statistic"], expected.statistic) and np.isclose(row["p_value"], expected.pvalue)
    welch = scipy_stats.ttest_ind(by_wave["2024"], by_wave["2023"], equal_var=False)
    secondary = sample_con.sql(
        f"select statistic, p_value from stats.tests where test_id = '{row['test_id'].rsplit('|', 1)[0]}|welch_t'"
    ).fetchone()
    assert np.allclose(secondary, (welch.statistic, welch.pvalue))


def test_holm_runs_within_each_report_table(sample_con) -> None:
    tests = sample_con.sql(
        "select family, p_value, p_holm, p_bh from stats.tests where kind = 'wave_difference' and is_primary "
        "and p_value is not null"
    ).df()
    assert tests["family"].nunique() >= 10
    for _family, members in tests.groupby("family"):
        holm = multipletests(members["p_value"], method="holm")[1]
        bh = multipletests(members["p_value"], method="fdr_bh")[1]
        assert np.allclose(members["p_holm"], holm) and np.allclose(members["p_bh"], bh)


def test_a_claim_about_a_dropped_question_is_not_applicable(sample_con) -> None:
    waves = dict(
        sample_con.sql(
            "select claim_id, list(wave order by wave) from stats.report_claims group by 1"
        ).fetchall()
    )
    assert waves["TXT_first_hired_conseillers"] == ["2023"]
    assert waves["T3_job_description"] == ["2023", "2024"]
    claims = sample_con.sql(
        "select count(*) from stats.report_claims where wave = '2023' and holds_report_method"
    ).fetchone()[0]
    assert claims == sample_con.sql(
        "select count(*) from stats.report_claims where wave = '2023' and report_method is not null"
    ).fetchone()[0]
