"""Real data is untidy: each awkward case gives a result row with a clear note, never a crash."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pytest

from stats.claims import load_claims
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


def test_missing_answers_are_dropped_per_test_and_counted():
    outcome = Var("score", "Score", "scale", "score")
    place = Var("place__x", "Lieu : X", "box", "place", choices=(("Y", "Oui"), ("N", "Non")), short_label="X")
    arrays = {
        "score": np.array([1.0, 2.0, np.nan, 4.0, 5.0, 6.0, np.nan]),
        "place__x": np.array([0.0, 0.0, 0.0, 1.0, 1.0, np.nan, 1.0]),
    }
    rows = compare_two("2023", TwoGroups("fam", outcome, place), arrays, {})
    welch = next(r for r in rows if r.method == "welch_t")
    assert (welch.n, welch.n_missing) == (4, 3)
    assert (welch.group1_n, welch.group2_n) == (2, 2)
    assert "3 réponse(s) manquante(s) écartée(s)" in welch.notes
    assert welch.test_id == "2023|two_groups:score:place__x|welch_t"


def test_regression_drops_constant_predictors_and_refuses_too_few_rows():
    import pandas as pd

    frame = pd.DataFrame({"y": [1.0, 2.0, 4.0, 3.0, 6.0], "x": [0.0, 1.0, 1.0, 0.0, 1.0], "k": [1.0] * 5})
    fitted = fit_ols(frame, "y", [Predictor("x", "X"), Predictor("k", "Constante K")])
    assert [t["term"] for t in fitted.terms] == ["Intercept", "x"]
    assert "Constante K écartée (constante sur les 5 lignes du modèle)" in fitted.notes
    tiny = fit_ols(frame.head(2), "y", [Predictor("x", "X")])
    assert tiny.terms == [] and "modèle non estimable" in tiny.notes[-1]


def test_adjustment_skips_tests_without_p_value_and_keeps_primary_and_other_methods_apart():
    rows = [
        TestRow(wave="w", family="f", method="welch_t", is_primary=True, p_value=0.01),
        TestRow(wave="w", family="f", method="welch_t", is_primary=True, p_value=0.04),
        TestRow(wave="w", family="f", method="welch_t", is_primary=True, p_value=None),
        TestRow(wave="w", family="f", method="student_t", p_value=0.04),
        TestRow(wave="w", family="f", method="tukey_hsd", p_value=0.2),
    ]
    adjust_families(rows)
    assert [r.p_holm for r in rows[:2]] == pytest.approx([0.02, 0.04])
    assert rows[2].p_holm is None
    assert rows[3].p_holm == pytest.approx(0.04)  # alone among the Student rows
    assert rows[4].p_holm is None  # Tukey's p is already adjusted over its pairs


def test_claims_file_with_an_unknown_direction_is_refused_with_its_line(tmp_path):
    path = tmp_path / "claims.csv"
    path.write_text(
        "claim_id,report_ref,claim_fr,comparison_id,expected_direction\n"
        "a,T3,Texte,crosstab:a:b,over:Y|Y\n"
        "b,F3,Texte,two_groups:x:y,bigger\n",
        encoding="utf-8",
    )
    with pytest.raises(StatsError, match=r"claims\.csv, line 3: expected_direction 'bigger'"):
        load_claims(path)


def test_warehouse_without_marts_is_refused_with_the_table_named(tmp_path):
    db = tmp_path / "empty.duckdb"
    duckdb.connect(str(db)).close()
    with pytest.raises(StatsError, match="table marts.respondents is missing"):
        run_stats(db, log=lambda _m: None)


def test_command_line_errors_are_messages_and_exit_codes_not_tracebacks(tmp_path):
    db = tmp_path / "empty.duckdb"
    duckdb.connect(str(db)).close()
    cases = {
        ("--warehouse", str(tmp_path / "absent.duckdb")): (2, "no DuckDB file at"),
        ("--db", str(db)): (1, "table marts.respondents is missing"),
    }
    for args, (code, message) in cases.items():
        proc = subprocess.run(
            [sys.executable, "-m", "stats", *args], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120
        )
        assert proc.returncode == code, proc.stderr
        assert message in proc.stderr
        assert "Traceback" not in proc.stderr
