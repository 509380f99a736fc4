"""The stats schema of the bundled sample, built by the real pipeline.

The sample is calibrated to reproduce every published figure, so the tests
can check that the stats stage tests the report's own comparisons on the
report's own groups, and that what the report says in words holds.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

import codebook
from stats.claims import ALPHA, REPORT_METHODS, load_claims
from stats.data import WIDE
from stats.errors import StatsError
from stats.run import run_stats
from tests.published import published_figures
from tests.test_stats_published import PUBLISHED_CROSSTABS, published_crosstab

PROJECT_DIR = Path(__file__).resolve().parent.parent
WAVE = "2023"

#: Figures 4–6 print no number (they were images): the place each one crosses with every site.
FIGURE_PLACES = {"F4": "youth_info", "F5": "mairie", "F6": "ccas"}


def primary(con: duckdb.DuckDBPyConnection, comparison_id: str) -> dict:
    rel = con.execute(
        "SELECT * FROM stats.tests WHERE wave = ? AND comparison_id = ? AND is_primary", [WAVE, comparison_id]
    )
    rows = rel.fetchall()
    assert len(rows) == 1, f"{len(rows)} primary rows for {comparison_id}"
    return dict(zip([d[0] for d in rel.description], rows[0], strict=True))


def test_every_published_crosstab_is_tested(sample_con):
    crosstabs = {f.question for f in published_figures() if "_x_" in f.question and f.statistic == "count"}
    assert crosstabs  # T3, T11 and the text's "65 of the 93 first hired"
    for key in crosstabs:
        a, b = key.split("_x_")
        found = sample_con.execute(
            """SELECT comparison_id FROM stats.tests WHERE wave = ? AND kind = 'crosstab' AND is_primary
               AND ((grouping = ? AND outcome = ?) OR (grouping = ? AND outcome = ?))""",
            [WAVE, a, b, b, a],
        ).fetchall()
        assert len(found) == 1, f"published cross-tab {key} has {len(found)} tests"
        assert primary(sample_con, found[0][0])["p_value"] is not None


@pytest.mark.parametrize("figure_id", PUBLISHED_CROSSTABS)
def test_crosstab_cells_are_the_published_counts(sample_con, figure_id):
    row_q, col_q, cells = published_crosstab(figure_id)
    found = dict(
        ((r, c), n)
        for r, c, n in sample_con.execute(
            """SELECT row_code, col_code, observed FROM stats.contingency_cells
               WHERE wave = ? AND comparison_id = ?""",
            [WAVE, f"crosstab:{row_q}:{col_q}"],
        ).fetchall()
    )
    assert found == cells


def test_every_figure_comparison_is_tested_on_the_report_groups(sample_con):
    cb = codebook.load()
    places = [i.item_code for i in cb.question("place").items]
    sites = [i.item_code for i in cb.question("site").items]
    # Figure 1: years of practice by post title; the conseillers' mean is published.
    f1 = primary(sample_con, "k_groups:years_practice:post_title")
    means = {g["code"]: g["mean"] for g in json.loads(f1["group_stats"])}
    (a1,) = [f for f in published_figures() if f.figure_id == "F1"]
    assert a1.matches(means["A1"])
    # Figure 3: people per week by every place; the published group means are the test's groups.
    for place in places:
        assert primary(sample_con, f"two_groups:people_per_week:place__{place}")
    labels = {i.label_fr: i.item_code for i in cb.question("place").items}
    for fig in (f for f in published_figures() if f.figure_id == "F3"):
        label, answer = fig.item.rsplit("=", 1)
        row = primary(sample_con, f"two_groups:people_per_week:place__{labels[label]}")
        assert fig.matches(row["group1_mean"] if answer == "Oui" else row["group2_mean"]), fig.item
        assert row["n"] == 155
    # Figures 4–6: every site by youth information space, town hall, social action centre.
    for place in FIGURE_PLACES.values():
        for site in sites:
            row = primary(sample_con, f"two_groups:site__{site}:place__{place}")
            assert row["p_value"] is not None and row["family"] == f"site_by_place__{place}"


def test_adjusted_p_values_are_ordered_and_every_family_is_adjusted(sample_con):
    bad = sample_con.execute(
        """SELECT test_id FROM stats.tests WHERE p_holm IS NOT NULL
           AND NOT (p_value <= p_bh + 1e-12 AND p_bh <= p_holm + 1e-12 AND p_holm <= 1)"""
    ).fetchall()
    assert bad == []
    unadjusted = sample_con.execute(
        """SELECT test_id FROM stats.tests WHERE p_value IS NOT NULL AND p_holm IS NULL
           AND method NOT IN ('tukey_hsd', 'games_howell')"""
    ).fetchall()
    assert unadjusted == []
    orphans = sample_con.execute(
        """SELECT comparison_id FROM stats.tests GROUP BY wave, comparison_id
           HAVING count(*) FILTER (WHERE is_primary) != 1"""
    ).fetchall()
    assert orphans == []


def test_regression_of_people_per_week_has_every_place_and_the_controls(sample_con):
    cb = codebook.load()
    terms = {
        r[0]
        for r in sample_con.execute(
            "SELECT variable FROM stats.regression_coefficients WHERE wave = ? AND model_id = 'places_controls'", [WAVE]
        ).fetchall()
    }
    expected = {f"place__{i.item_code}" for i in cb.question("place").items} - {"place__pimms"}  # nobody ticked it
    assert expected | {"post_title", "department", "years_practice"} <= terms
    model = primary(sample_con, "regression:people_per_week:places_controls")
    assert 0 < model["effect_size"] < 1 and model["n"] + model["n_missing"] == 155
    assert "HC3" in model["notes"]


def claims_asked_in_2024() -> list:
    """The claims whose questions the 2024 edition asked (not the one about the first mediator hired)."""
    from stats.plan import build_plan

    cb = codebook.load()
    planned = build_plan(cb).for_edition(cb.edition("2024")).comparison_ids()
    return [c for c in load_claims() if c.comparison_id in planned]


def claim_rows(con: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    rel = con.execute("SELECT * FROM stats.report_claims WHERE wave = ?", [WAVE])
    names = [d[0] for d in rel.description]
    return {row[0]: dict(zip(names, row, strict=True)) for row in rel.fetchall()}


@pytest.mark.parametrize(
    "claim", [c for c in load_claims() if c.method in REPORT_METHODS], ids=lambda c: c.claim_id
)
def test_report_claim_holds_on_the_reports_own_test_on_the_calibrated_sample(sample_con, claim):
    """The sample is calibrated so that each claim holds with the test the report names (its verdict on the
    primary test is another matter: see the next test)."""
    row = claim_rows(sample_con)[claim.claim_id]
    assert row["holds_report_method"], row["notes"]
    if claim.method != "share":
        assert row["p_report_holm"] < ALPHA


def test_every_claim_links_its_primary_test_and_says_why_its_readings_differ(sample_con):
    rows = sample_con.execute(
        """SELECT c.claim_id, c.method, c.p_value, c.p_holm, c.test_family, c.holds, c.holds_robust,
                  c.holds_report_method, c.verdict_reason, t.method, t.p_value, t.p_holm, t.family, t.is_primary,
                  c.comparison_id = t.comparison_id
           FROM stats.report_claims c JOIN stats.tests t ON t.test_id = c.test_id WHERE c.wave = ?""",
        [WAVE],
    ).fetchall()
    assert len(rows) == len(load_claims())  # every claim, the share included, has its test_id
    judged_on = {  # the comparison a claim is judged on, when it is not the one it names
        "TXT_first_hired_conseillers": "row_vs_rest:post_title=A1:first_mediator_hired=Y",
    }
    for (claim_id, method, p, p_holm, family, holds, robust, report, reason, t_method, t_p, t_holm, t_family,
         is_primary, same_comparison) in rows:
        assert is_primary, claim_id
        comparison = sample_con.execute(
            "SELECT t.comparison_id, c.comparison_id FROM stats.report_claims c JOIN stats.tests t "
            "ON t.test_id = c.test_id WHERE c.wave = ? AND c.claim_id = ?", [WAVE, claim_id]
        ).fetchone()
        assert same_comparison or comparison[0] == judged_on.get(claim_id) or comparison[1] == f"family:{t_family}", (
            claim_id
        )
        if method != "share_wilson":
            assert (method, p, p_holm, family) == (t_method, t_p, t_holm, t_family), claim_id
        verdicts = {v for v in (holds, robust, report) if v is not None}
        assert (len(verdicts) > 1) == (reason is not None), claim_id


def test_the_build_log_gives_both_counts(sample_con, sample_warehouse):
    from stats.run import compute_stats

    lines = compute_stats(sample_warehouse).log_lines
    rows = claim_rows(sample_con)
    primary = sum(r["holds"] for r in rows.values())
    reported = [r for r in rows.values() if r["report_method"] is not None]
    report = sum(bool(r["holds_report_method"]) for r in reported)
    expected = (f"{WAVE} {primary}/{len(rows)} hold on the primary test, {report}/{len(reported)} on the report's "
                "own tests (Student's t, ANOVA, Pearson)")
    assert expected in lines[0]
    failing = [r["claim_id"] for r in rows.values() if not r["holds"]]
    for claim_id in failing:
        assert any(f"claim {claim_id} (wave {WAVE}) does not hold on its primary test" in line for line in lines)


def long_answers(con: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame:
    """A variable of the stats plan read back from the marts (independently of the stats frame)."""
    question, _, item = name.partition("__")
    if not item:
        return con.execute(f"SELECT respondent_id, {question} AS v FROM marts.respondents WHERE wave = ?", [WAVE]).df()
    table, key, value = {
        "place": ("respondent_places", "place_code", "is_selected"),
        "site": ("respondent_sites", "site_code", "score"),
    }[question]
    return con.execute(
        f"SELECT respondent_id, {value} AS v FROM marts.{table} WHERE {key} = ? AND wave = ?", [item, WAVE]
    ).df()


def reference_test(con: duckdb.DuckDBPyConnection, claim) -> float | None:
    """The p-value of the report's test on the claim's comparison, from the marts and scipy."""
    if claim.method not in REPORT_METHODS:
        return None
    kind, first, second = claim.comparison_id.split(":")
    if claim.method == "student_t":
        both = long_answers(con, first).merge(long_answers(con, second), on="respondent_id").dropna()
        return sps.ttest_ind(both.v_x[both.v_y], both.v_x[~both.v_y]).pvalue
    if claim.method == "anova_f":
        both = long_answers(con, first).merge(long_answers(con, second), on="respondent_id").dropna()
        return sps.f_oneway(*(g.v_x for _, g in both.groupby("v_y"))).pvalue
    if claim.method == "chi2_pearson":
        row, col = claim.target
        both = long_answers(con, first).merge(long_answers(con, second), on="respondent_id").dropna()
        return sps.chi2_contingency(pd.crosstab(both.v_x == row, both.v_y == col), correction=False).pvalue
    return None


def test_claims_are_tested_with_the_reports_test_on_the_stated_comparison_and_holm_within_the_family(sample_con):
    claims = load_claims()
    rows = claim_rows(sample_con)
    expected = {c.claim_id: reference_test(sample_con, c) for c in claims}
    for claim in claims:
        assert rows[claim.claim_id]["p_report"] == pytest.approx(expected[claim.claim_id], rel=1e-9), claim.claim_id
    for family in {c.family for c in claims}:
        members = [c.claim_id for c in claims if c.family == family and expected[c.claim_id] is not None]
        if not members:
            continue
        holm = multipletests([expected[m] for m in members], method="holm")[1]
        assert [rows[m]["p_report_holm"] for m in members] == pytest.approx(list(holm), rel=1e-9)
        assert {rows[m]["family_size"] for m in members} == {sum(c.family == family for c in claims)}
    # Figure 3's text compares three places: France services, CCAS, médiathèque.
    assert {rows[c.claim_id]["family_size"] for c in claims if c.family == "F3"} == {3}


def test_first_hired_claim_is_the_two_by_two_table_the_text_states(sample_con):
    """ "Parmi les 93 ... premiers ..., 65 sont des conseillers": conseillers vs other titles × first hired or not."""
    figures = {
        (f.question, f.item): int(f.value)
        for f in published_figures()
        if f.figure_id == "TXT" and f.n == "" and f.statistic == "count"
    }
    claim = next(c for c in load_claims() if c.claim_id == "TXT_first_hired_conseillers")
    titles, hired = long_answers(sample_con, "post_title"), long_answers(sample_con, "first_mediator_hired")
    both = titles.merge(hired, on="respondent_id").dropna()  # the question is optional: its base is who answered
    conseiller, first = both.v_x == "A1", both.v_y == "Y"
    table = np.array([[(a & b).sum() for b in (first, ~first)] for a in (conseiller, ~conseiller)])
    assert table[0, 0] == figures[("first_mediator_hired_x_post_title", "Conseiller-ère numérique")]
    assert table[:, 0].sum() == figures[("first_mediator_hired", "Oui")]
    row = claim_rows(sample_con)[claim.claim_id]
    assert row["report_method"] == "chi2_pearson"
    assert row["p_report"] == pytest.approx(sps.chi2_contingency(table, correction=False).pvalue, rel=1e-12)
    assert f"tableau 2×2 {table.tolist()}" in row["notes"]


def test_table_11_is_restated_as_the_share_the_report_gives_with_its_interval(sample_con):
    row_q, col_q, cells = published_crosstab("T11")
    row = claim_rows(sample_con)["T11_share_despite_efs"]
    count, n = cells[("Y", "Y")], sum(cells.values())
    assert row["method"] == "share_wilson" and row["p_value"] is None and row["holds_robust"] is None
    assert row["estimate"] == pytest.approx(count / n)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(proportion_confint(count, n, method="wilson"))
    assert row["ci_low"] < row["reported_value"] < row["ci_high"]


def test_robust_columns_are_the_other_reading_of_the_same_comparison(sample_con):
    rows = sample_con.execute(
        """SELECT c.claim_id, p.reading, r.reading, r.comparison_id = p.comparison_id, r.is_primary,
                  c.method_robust = r.method, c.p_robust = r.p_value, c.p_robust_holm IS NOT DISTINCT FROM r.p_holm
           FROM stats.report_claims c JOIN stats.tests r ON r.test_id = c.robust_test_id
           JOIN stats.tests p ON p.test_id = c.test_id WHERE c.wave = ?""",
        [WAVE],
    ).fetchall()
    other = {"asymptotic": "exact", "exact": "asymptotic", "rank": "unequal_variances", "unequal_variances": "rank",
             "paired_rank": "paired_mean", "paired_mean": "paired_rank"}
    with_other = sample_con.execute(
        f"""SELECT count(*) FROM stats.report_claims c JOIN stats.tests p ON p.test_id = c.test_id
            WHERE c.wave = ? AND c.method <> 'share_wilson' AND p.reading IN ({', '.join(f"'{r}'" for r in other)})""",
        [WAVE],
    ).fetchone()[0]
    assert len(rows) == with_other >= len([c for c in load_claims() if c.method in ("student_t", "anova_f")])
    for claim_id, primary, robust, same_comparison, is_primary, same_method, same_p, same_holm in rows:
        assert robust == other[primary] and same_comparison and not is_primary, claim_id
        assert same_method and same_p and same_holm, claim_id


def test_two_group_tests_from_counts_equal_scipy_on_the_marts(sample_con):
    """The counts the stats stage reads from the wide intermediate give what scipy gives on the long marts."""
    cb = codebook.load()
    outcomes = ["people_per_week"] + [f"site__{i.item_code}" for i in cb.question("site").items]
    for place in FIGURE_PLACES.values():
        for outcome in outcomes:
            answers, groups = long_answers(sample_con, outcome), long_answers(sample_con, f"place__{place}")
            both = answers.merge(groups, on="respondent_id").dropna()
            x, y = both.v_x[both.v_y].to_numpy(float), both.v_x[~both.v_y].to_numpy(float)
            rows = {
                r[0]: r[1:]
                for r in sample_con.execute(
                    "SELECT method, p_value, statistic FROM stats.tests WHERE wave = ? AND comparison_id = ?",
                    [WAVE, f"two_groups:{outcome}:place__{place}"],
                ).fetchall()
            }
            welch = sps.ttest_ind(x, y, equal_var=False)
            mwu = sps.mannwhitneyu(x, y, alternative="two-sided")
            assert rows["welch_t"] == pytest.approx((welch.pvalue, welch.statistic), rel=1e-9)
            assert rows["mann_whitney_u"] == pytest.approx((mwu.pvalue, mwu.statistic), rel=1e-9)


def test_rerun_is_deterministic_and_per_wave(sample_warehouse, tmp_path):
    work = tmp_path / "copy.duckdb"
    shutil.copyfile(sample_warehouse, work)
    con = duckdb.connect(str(work))
    try:
        # A second wave identical to the first: every statistic must come out the same for both.
        con.execute(f"DELETE FROM {WIDE} WHERE wave = '2024'")
        con.execute(f"INSERT INTO {WIDE} SELECT * REPLACE ('2024' AS wave) FROM {WIDE} WHERE wave = '2023'")
    finally:
        con.close()
    run_stats(work, log=lambda _m: None)
    con = duckdb.connect(str(work), read_only=True)
    try:
        differing = con.execute(
            """SELECT a.test_id FROM stats.tests a JOIN stats.tests b
               ON a.wave = '2023' AND b.wave = '2024' AND a.comparison_id = b.comparison_id AND a.method = b.method
               WHERE a.p_value IS DISTINCT FROM b.p_value OR a.statistic IS DISTINCT FROM b.statistic"""
        ).fetchall()
        waves = con.execute("SELECT wave, count(*) FROM stats.report_claims GROUP BY 1 ORDER BY 1").fetchall()
        twice = con.execute("SELECT count(DISTINCT wave) FROM stats.tests").fetchone()[0]
    finally:
        con.close()
    assert differing == []
    assert waves == [("2023", len(load_claims())), ("2024", len(claims_asked_in_2024()))]
    assert twice == 2
    original = duckdb.connect(str(sample_warehouse), read_only=True)
    try:
        before = original.execute("SELECT test_id, p_value FROM stats.tests WHERE wave = '2023' ORDER BY 1").fetchall()
    finally:
        original.close()
    con = duckdb.connect(str(work), read_only=True)
    try:
        after = con.execute("SELECT test_id, p_value FROM stats.tests WHERE wave = '2023' ORDER BY 1").fetchall()
    finally:
        con.close()
    assert after == before  # Monte-Carlo p-values included: the seed is fixed


def test_degenerate_wave_gets_notes_not_a_crash(sample_warehouse, tmp_path):
    work = tmp_path / "copy.duckdb"
    shutil.copyfile(sample_warehouse, work)
    con = duckdb.connect(str(work))
    try:
        # A wave of one respondent who supports online procedures: every table has a single row or column.
        con.execute(f"DELETE FROM {WIDE} WHERE wave = '2024'")
        con.execute(
            f"""INSERT INTO {WIDE} SELECT * REPLACE ('2024' AS wave) FROM {WIDE} WHERE respondent_id = (
                SELECT min(respondent_id) FROM {WIDE} WHERE exclusion_reason IS NULL AND does_eadmin = 'Y')"""
        )
    finally:
        con.close()
    run_stats(work, log=lambda _m: None)
    con = duckdb.connect(str(work), read_only=True)
    try:
        computed, total, without_note = con.execute(
            """SELECT count(p_value), count(*), count(*) FILTER (WHERE notes IS NULL)
               FROM stats.tests WHERE wave = '2024' AND kind <> 'wave_difference'"""
        ).fetchone()
        holds = con.execute("SELECT bool_or(holds) FROM stats.report_claims WHERE wave = '2024'").fetchone()[0]
    finally:
        con.close()
    assert total > 0 and computed == 0 and without_note == 0
    assert holds is False


def test_command_line_recomputes_the_published_warehouse_and_swaps_it_whole(sample_warehouse, tmp_path):
    published = tmp_path / "survey.duckdb"
    shutil.copyfile(sample_warehouse, published)
    con = duckdb.connect(str(published))
    try:
        con.execute("DROP SCHEMA stats CASCADE")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    inode = os.stat(published).st_ino
    reader = duckdb.connect(str(published), read_only=True)  # an analyst's open session keeps its file
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "stats", "--warehouse", str(published)],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert proc.returncode == 0, proc.stderr
        seen = reader.execute("SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'stats'")
        assert seen.fetchone()[0] == 0  # the reader still sees the file it opened
    finally:
        reader.close()
    assert os.stat(published).st_ino != inode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["survey.duckdb"]
    con = duckdb.connect(str(published), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM stats.tests").fetchone()[0] > 0
        claims = con.execute("SELECT count(*) FROM stats.report_claims").fetchone()[0]
        assert claims == len(load_claims()) + len(claims_asked_in_2024())
    finally:
        con.close()


def test_an_answer_the_codebook_does_not_list_is_refused_with_the_column_named(sample_warehouse, tmp_path):
    work = tmp_path / "copy.duckdb"
    shutil.copyfile(sample_warehouse, work)
    con = duckdb.connect(str(work))
    try:
        con.execute(
            f"""UPDATE {WIDE} SET department = 'Z9' WHERE respondent_id = (
                SELECT min(respondent_id) FROM {WIDE} WHERE exclusion_reason IS NULL)"""
        )
    finally:
        con.close()
    message = f"{WIDE}: column department holds code 'Z9', which the codebook does not list"
    with pytest.raises(StatsError, match=message):
        run_stats(work, log=lambda _m: None)
