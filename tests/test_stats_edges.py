"""Real data is untidy: each awkward case gives a result row with a clear note, never a crash."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pytest
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests

from stats import data
from stats.claim_tests import chi2_claim
from stats.claims import Claim, load_claims
from stats.compute import compare_two
from stats.crosstab import independence
from stats.errors import StatsError
from stats.groups import k_groups, two_groups
from stats.multitest import adjust_families
from stats.plan import TwoGroups, Var
from stats.regression import Predictor, fit_ols
from stats.results import TestRow
from stats.run import run_stats

PROJECT_DIR = Path(__file__).resolve().parent.parent


def by_method(rows: list[dict]) -> dict[str, dict]:
    return {r["method"]: r for r in rows}


def test_empty_group_gives_rows_without_p_value_and_says_why():
    rows = two_groups(np.array([]), np.array([3.0, 4.0, 5.0]), ("PIMMS=Oui", "PIMMS=Non"))
    assert {r["method"] for r in rows} == {"student_t", "welch_t", "mann_whitney_u"}
    for r in rows:
        assert r.get("p_value") is None
        assert "groupe vide (PIMMS=Oui)" in r["notes"][0]
    assert rows[0]["group1_n"] == 0 and rows[0]["group2_n"] == 3


def test_one_person_group_has_no_t_test_but_a_mann_whitney_test():
    rows = by_method(two_groups(np.array([9.0]), np.array([1.0, 2.0, 3.0, 2.0]), ("a", "b")))
    assert rows["welch_t"].get("p_value") is None
    assert "moins de 2 réponses" in rows["welch_t"]["notes"][0]
    assert rows["mann_whitney_u"]["p_value"] is not None
    assert rows["welch_t"]["direction"] == "higher"  # the means are still there to read


def test_group_with_identical_answers_is_still_compared_and_noted():
    rows = by_method(two_groups(np.full(6, 1.0), np.array([1.0, 3.0, 5.0, 2.0]), ("a", "b")))
    assert rows["welch_t"]["p_value"] is not None
    assert "variance nulle dans le groupe a" in rows["welch_t"]["notes"]


def test_constant_answers_give_notes_not_nan():
    rows = by_method(two_groups(np.full(5, 3.0), np.full(7, 3.0), ("a", "b")))
    assert all(r.get("p_value") is None for r in rows.values())
    assert "variance nulle" in rows["welch_t"]["notes"][0]
    assert "toutes identiques" in rows["mann_whitney_u"]["notes"][0]
    omnibus, pairs = k_groups([np.full(4, 2.0), np.full(3, 2.0)], ["a", "b"], {})
    assert all(r.get("p_value") is None for r in omnibus) and pairs == []
    assert "toutes identiques" in omnibus[0]["notes"][-1]


def test_groups_too_small_for_a_variance_are_left_out_of_the_anova_and_named():
    groups = [np.array([1.0, 2.0, 3.0]), np.array([5.0]), np.array([4.0, 6.0, 5.0])]
    omnibus, pairs = k_groups(groups, ["a", "b", "c"], {"b": "Groupe B"})
    rows = by_method(omnibus)
    assert rows["anova_f"]["p_value"] is not None
    assert "écartés : Groupe B" in rows["anova_f"]["notes"][0]
    assert {r["pair"] for r in pairs} == {("a", "c")}
    single, _ = k_groups([np.array([1.0, 2.0])], ["a"], {})
    assert all(r.get("p_value") is None and "moins de deux groupes" in r["notes"][-1] for r in single)


def test_table_with_a_single_row_has_no_test_and_names_the_only_answer():
    res = independence(np.array([[0, 0], [20, 5]]), ["Y", "N"], ["Y", "N"], {"Y": "Oui", "N": "Non"})
    assert res.tests == []
    assert res.expected is None
    assert "catégories sans effectif écartées : Oui" in res.notes[0]
    assert "une seule ligne (toutes les réponses : Non)" in res.notes[1]
    empty = independence(np.zeros((2, 2), dtype=int), ["Y", "N"], ["Y", "N"])
    assert empty.tests == [] and "aucune réponse" in empty.notes[0]


def frame_connection(rows: list[tuple], gate: bool = False) -> duckdb.DuckDBPyConnection:
    """An in-memory stats frame of (wave, score, place__x[, gate]) rows, as data.build_frame types it."""
    con = duckdb.connect()
    gate_column = ", gate ENUM('Y', 'N')" if gate else ""
    con.execute(f"CREATE TEMP TABLE {data.FRAME} (wave VARCHAR, score DOUBLE, place__x ENUM('Y', 'N'){gate_column})")
    con.executemany(f"INSERT INTO {data.FRAME} VALUES ({', '.join('?' * len(rows[0]))})", rows)
    return con


def test_missing_answers_are_dropped_per_test_and_counted():
    outcome = Var("score", "Score", "scale", "score")
    place = Var("place__x", "Lieu : X", "box", "place", choices=(("Y", "Oui"), ("N", "Non")), short_label="X")
    rows = [
        ("2023", 1.0, "N"),
        ("2023", 2.0, "N"),
        ("2023", None, "N"),
        ("2023", 4.0, "Y"),
        ("2023", 5.0, "Y"),
        ("2023", 6.0, None),
        ("2023", None, "Y"),
        ("2024", 9.0, "Y"),
    ]
    con = frame_connection(rows)
    counts = data.grouped_counts(con, "2023", outcome, [place])["place__x"]
    rows = compare_two("2023", TwoGroups("fam", outcome, place), counts)
    welch = next(r for r in rows if r.method == "welch_t")
    assert (welch.n, welch.n_missing) == (4, 3)
    assert (welch.group1_n, welch.group2_n) == (2, 2)
    assert (welch.group1_mean, welch.group2_mean) == (4.5, 1.5)
    assert "3 réponse(s) manquante(s) écartée(s)" in welch.notes
    assert welch.test_id == "2023|two_groups:score:place__x|welch_t"


def test_a_grouping_asked_to_some_only_counts_those_asked():
    outcome = Var("score", "Score", "scale", "score")
    place = Var("place__x", "Lieu : X", "box", "place", asked_if=("gate", "Y"), choices=(("Y", "Oui"), ("N", "Non")))
    rows = [
        ("2023", 1.0, "N", "Y"),
        ("2023", 3.0, "Y", "Y"),
        ("2023", 5.0, "Y", "Y"),
        ("2023", None, "N", "Y"),
        ("2023", 8.0, "Y", "N"),
        ("2023", 9.0, None, None),
    ]
    counts = data.grouped_counts(frame_connection(rows, gate=True), "2023", outcome, [place])["place__x"]
    ticked, unticked = counts.by_choice
    assert (ticked.values.tolist(), ticked.counts.tolist()) == ([3.0, 5.0], [1, 1])
    assert (unticked.values.tolist(), unticked.counts.tolist()) == ([1.0], [1])
    assert counts.n_missing == 1  # asked, no score; the respondents not asked (gate N or missing) are not counted


def test_regression_drops_constant_predictors_and_refuses_too_few_rows():
    import pandas as pd

    frame = pd.DataFrame({"y": [1.0, 2.0, 4.0, 3.0, 6.0], "x": [0.0, 1.0, 1.0, 0.0, 1.0], "k": [1.0] * 5})
    fitted = fit_ols(frame, "y", [Predictor("x", "X"), Predictor("k", "Constante K")])
    assert [t["term"] for t in fitted.terms] == ["Intercept", "x"]
    assert "Constante K écartée (constante sur les 5 lignes du modèle)" in fitted.notes
    tiny = fit_ols(frame.head(2), "y", [Predictor("x", "X")])
    assert tiny.terms == [] and "modèle non estimable" in tiny.notes[-1]


def test_adjustment_skips_tests_without_p_value_and_runs_each_reading_over_the_whole_family():
    """Three hypotheses a, b, c. Primary: Holm over a, b (c has no p). The exact reading exists for a and c only
    (named differently, as Fisher's and Freeman–Halton's tests are): it is adjusted over a's exact row, b's primary
    row (it has none of that reading) and c's exact row; Tukey's pairs are already adjusted."""
    rows = [
        TestRow(wave="w", family="f", comparison_id="a", method="chi2_pearson", reading="asymptotic", is_primary=True,
                p_value=0.01),
        TestRow(wave="w", family="f", comparison_id="b", method="chi2_pearson", reading="asymptotic", is_primary=True,
                p_value=0.04),
        TestRow(wave="w", family="f", comparison_id="c", method="chi2_pearson", reading="asymptotic", is_primary=True,
                p_value=None),
        TestRow(wave="w", family="f", comparison_id="a", method="fisher_exact", reading="exact", p_value=0.02),
        TestRow(wave="w", family="f", comparison_id="c", method="fisher_freeman_halton_monte_carlo", reading="exact",
                p_value=0.03),
        TestRow(wave="w", family="f", comparison_id="a", method="tukey_hsd", p_value=0.2),
    ]
    adjust_families(rows)
    assert [r.p_holm for r in rows[:2]] == pytest.approx([0.02, 0.04])
    assert rows[2].p_holm is None
    # c's primary has no p-value, so c enters the exact family with its exact row: {a 0.02, b 0.04, c 0.03}
    holm = multipletests([0.02, 0.04, 0.03], method="holm")[1]
    assert [rows[3].p_holm, rows[4].p_holm] == pytest.approx([holm[0], holm[2]])
    assert rows[5].p_holm is None  # Tukey's p is already adjusted over its pairs


CLAIMS_HEADER = "claim_id,report_ref,family,claim_fr,comparison_id,method,expected_direction,reported_value\n"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("b,F3,F3,Texte,two_groups:x:y,student_t,bigger,", r"line 3: expected_direction 'bigger' is not one of"),
        ("b,F3,F3,Texte,two_groups:x:y,welch_t,higher,", r"line 3: method 'welch_t' is not one of"),
        ("b,F3,F3,Texte,crosstab:x:y,student_t,higher,", r"line 3: method student_t tests a two_groups comparison"),
        ("b,T3,T3,Texte,crosstab:x:y,chi2_pearson,over:Y,", r"line 3: expected_direction 'over:Y' is not one of"),
        ("b,T11,T11,Texte,crosstab:x:y,share,share:Y|Y,61", r"line 3: reported_value '61' is not a share"),
        ("b,F3,,Texte,two_groups:x:y,student_t,higher,", r"line 3: family is empty"),
    ],
)
def test_claims_file_with_a_bad_row_is_refused_with_its_line(tmp_path, row, message):
    path = tmp_path / "claims.csv"
    valid = "a,T3,T3,Texte,crosstab:a:b,chi2_pearson,over:Y|Y,\n"
    path.write_text(CLAIMS_HEADER + valid + row + "\n", encoding="utf-8")
    with pytest.raises(StatsError, match=r"claims\.csv, " + message):
        load_claims(path)


def test_share_claim_allows_for_the_reports_rounding(tmp_path):
    path = tmp_path / "claims.csv"
    path.write_text(CLAIMS_HEADER + "s,T11,T11,Texte,crosstab:a:b,share,share:Y|Y,0.61\n", encoding="utf-8")
    (claim,) = load_claims(path)
    assert claim.reported_value == 0.61 and claim.reported_rounding == pytest.approx(0.005)


def test_claim_on_a_sparse_table_falls_back_to_fisher_exact():
    claim = Claim("c", "T", "T", "Texte", "crosstab:a:b", "chi2_pearson", "over:Y|Y")
    table = np.array([[6, 1], [1, 5]])
    found = chi2_claim(claim, table)
    assert found["method"] == "fisher_exact"
    assert found["p_value"] == pytest.approx(sps.fisher_exact(table).pvalue, rel=1e-12)
    assert found["found_direction"] == "over:Y|Y"
    assert "test exact" in found["notes"][-1]
    empty_margin = chi2_claim(claim, np.array([[4, 0], [3, 0]]))
    assert "p_value" not in empty_margin and "pas de test" in empty_margin["notes"][-1]


def test_warehouse_without_marts_is_refused_with_the_table_named(tmp_path):
    db = tmp_path / "empty.duckdb"
    duckdb.connect(str(db)).close()
    with pytest.raises(StatsError, match="table intermediate.int_responses_classified is missing"):
        run_stats(db, log=lambda _m: None)


def test_command_line_errors_are_messages_and_exit_codes_not_tracebacks(tmp_path):
    db = tmp_path / "empty.duckdb"
    duckdb.connect(str(db)).close()
    cases = {
        ("--warehouse", str(tmp_path / "absent.duckdb")): (2, "no DuckDB file at"),
        ("--db", str(db)): (1, "table intermediate.int_responses_classified is missing"),
    }
    for args, (code, message) in cases.items():
        proc = subprocess.run(
            [sys.executable, "-m", "stats", *args], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120
        )
        assert proc.returncode == code, proc.stderr
        assert message in proc.stderr
        assert "Traceback" not in proc.stderr
