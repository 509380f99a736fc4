"""Small-cell protection and the app's pure helpers: suppression rules, French formats, readings, settings."""

from __future__ import annotations

import io
from itertools import product
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from app import display, exports, fmt, readings
from app.disclosure import Policy
from app.distribution import binned, class_labels
from app.privacy import protect_counts, protect_table
from app.settings import DEFAULT_MIN_CELL, SettingsError, load

K = 5


def _augmented(cells: np.ndarray) -> np.ndarray:
    rows, cols = cells.shape
    aug = np.zeros((rows + 1, cols + 1))
    aug[:rows, :cols] = cells
    aug[:rows, cols] = cells.sum(axis=1)
    aug[rows, :cols] = cells.sum(axis=0)
    aug[rows, cols] = cells.sum()
    return aug


def _hidden_augmented(cells: np.ndarray, k: int) -> np.ndarray:
    p = protect_table(cells, k)
    rows, cols = cells.shape
    hidden = np.zeros((rows + 1, cols + 1), dtype=bool)
    hidden[:rows, :cols] = p.cells
    hidden[:rows, cols] = p.row_totals
    hidden[rows, :cols] = p.col_totals
    hidden[rows, cols] = p.total
    return hidden


def _feasible_range(
    cells: np.ndarray, hidden_cells: np.ndarray, margins_known: np.ndarray, target: tuple[int, int]
) -> tuple[float, float]:
    """Min and max a hidden cell can take given every shown cell and shown margin (continuous relaxation)."""
    rows, cols = cells.shape
    unknown = [(i, j) for i in range(rows) for j in range(cols) if hidden_cells[i, j]]
    index = {pos: n for n, pos in enumerate(unknown)}
    aug = _augmented(cells)
    a_eq, b_eq = [], []
    for i in range(rows):  # shown row totals
        if margins_known[i, cols]:
            row = np.zeros(len(unknown))
            for j in range(cols):
                if (i, j) in index:
                    row[index[(i, j)]] = 1
            a_eq.append(row)
            b_eq.append(aug[i, cols] - sum(cells[i, j] for j in range(cols) if (i, j) not in index))
    for j in range(cols):  # shown column totals
        if margins_known[rows, j]:
            col = np.zeros(len(unknown))
            for i in range(rows):
                if (i, j) in index:
                    col[index[(i, j)]] = 1
            a_eq.append(col)
            b_eq.append(aug[rows, j] - sum(cells[i, j] for i in range(rows) if (i, j) not in index))
    objective = np.zeros(len(unknown))
    objective[index[target]] = 1
    low = linprog(objective, A_eq=np.array(a_eq) if a_eq else None, b_eq=b_eq or None, bounds=(0, None))
    high = linprog(-objective, A_eq=np.array(a_eq) if a_eq else None, b_eq=b_eq or None, bounds=(0, None))
    return low.fun, -high.fun


def test_frequency_vector_hides_the_small_answer_and_its_smallest_non_zero_complement() -> None:
    hidden, total_hidden = protect_counts([3, 0, 100, 20, 40], K)
    assert hidden.tolist() == [True, False, False, True, False]
    assert not total_hidden


def test_nothing_is_hidden_when_every_group_reaches_k_and_zeros_are_shown() -> None:
    hidden, total_hidden = protect_counts([5, 0, 12], K)
    assert not hidden.any() and not total_hidden


def test_a_table_whose_total_is_small_is_hidden_whole() -> None:
    p = protect_table([[1, 2], [1, 0]], K)
    assert p.cells.all() and p.row_totals.all() and p.col_totals.all() and p.total


def test_report_table_3_with_one_small_cell_hides_the_four_cells_but_keeps_the_margins() -> None:
    # Table 3 of the report: job description (rows) × does e-admin support (columns), 1 in one cell.
    p = protect_table([[22, 45], [1, 110]], K)
    assert p.cells.all()
    assert not p.row_totals.any() and not p.col_totals.any() and not p.total


def test_k_of_one_disables_suppression() -> None:
    p = protect_table([[1, 2], [3, 0]], 1)
    assert not p.cells.any() and not p.total


@pytest.mark.parametrize("seed", range(40))
def test_no_line_of_a_protected_table_hides_exactly_one_entry_and_no_hidden_cell_is_pinned(seed: int) -> None:
    rng = np.random.default_rng(seed)
    shape = tuple(rng.integers(1, 5, size=2))
    cells = rng.choice([0, 1, 2, 3, 4, 6, 9, 15, 30], size=shape, p=[0.1, 0.1, 0.1, 0.1, 0.1, 0.15, 0.15, 0.1, 0.1])
    hidden = _hidden_augmented(cells, K)
    aug = _augmented(cells)
    if 0 < aug[-1, -1] < K:
        assert hidden.all()
        return
    # Primary: every entry of 1..k-1, margins included, is hidden; the grand total is shown.
    assert hidden[(aug > 0) & (aug < K)].all()
    assert not hidden[-1, -1]
    # Secondary: each row and column (totals included) hides none or at least two entries.
    for line in [*hidden, *hidden.T]:
        assert line.sum() != 1
    # And no hidden cell can be solved for from what is shown, when its margins are shown.
    rows, cols = cells.shape
    for i, j in product(range(rows), range(cols)):
        if hidden[i, j] and not hidden[i, cols] and not hidden[rows, j] and cells[i, j] > 0:
            low, high = _feasible_range(cells, hidden[:rows, :cols], ~hidden, (i, j))
            assert high - low > 0.5, f"cell {(i, j)} of {cells.tolist()} pinned to {low}"


def test_figure_2_classes_count_every_respondent_once() -> None:
    values = pd.DataFrame({"value": [0.0, 1.0, 2.0, 5.0, 6.0, 12.0, 60.0], "respondents": [2, 3, 4, 5, 6, 7, 1]})
    classes = binned(values)
    assert classes["Classe"].tolist() == class_labels()
    counts = dict(zip(classes["Classe"], classes["Répondant·e·s"], strict=True))
    assert counts["0"] == 2 and counts["1–2"] == 7 and counts["3–5"] == 5 and counts["6–10"] == 6
    assert counts["11–15"] == 7 and counts["51 et plus"] == 1
    assert sum(counts.values()) == values["respondents"].sum()


def test_french_formats() -> None:
    assert fmt.number(1818.29) == "1\u202f818,29"
    assert fmt.percent(57.865) == "57,9\u202f%"
    assert fmt.number(7.0, 1, strip=True) == "7"
    assert fmt.number(4.5, 1, strip=True) == "4,5"
    assert fmt.p_value(0.0004) == "<\u202f0,001"
    assert fmt.count(None) == fmt.MISSING
    assert fmt.shown("12", True) == fmt.HIDDEN


def test_readings_say_whether_the_difference_holds_and_how_large_it_is() -> None:
    significant = readings.reading(0.001, 0.004, "Holm", "cramers_v", 0.32)
    assert significant.startswith("Différence statistiquement significative au seuil de 5")
    assert "correction de Holm" in significant and "effet moyen" in significant and "0,32" in significant
    not_significant = readings.reading(0.03, 0.21, "Holm", "hedges_g", 0.1)
    assert not_significant.startswith("Pas de différence statistiquement significative")
    assert "effet négligeable" in not_significant
    assert readings.magnitude("vargha_delaney_a", 0.30) == "moyen"  # |0.30 − 0.5| = 0.20
    assert readings.magnitude("unknown_effect", 0.5) is None
    assert readings.reading(None) == "Test non calculable sur ces données."


def test_settings_take_the_command_line_then_the_environment_then_the_defaults(tmp_path: Path) -> None:
    env = {"SURVEY_WAREHOUSE": str(tmp_path / "env.duckdb"), "SURVEY_MIN_CELL": "10"}
    from_cli = load(["--warehouse", str(tmp_path / "cli.duckdb"), "--min-cell", "3"], env)
    assert from_cli.warehouse == tmp_path / "cli.duckdb" and from_cli.min_cell == 3
    from_env = load(["-k", "something", "--maxfail=1"], env)  # pytest's own options are ignored
    assert from_env.warehouse == tmp_path / "env.duckdb" and from_env.min_cell == 10
    assert load([], {}).min_cell == DEFAULT_MIN_CELL
    with pytest.raises(SettingsError, match="SURVEY_MIN_CELL"):
        load([], {"SURVEY_MIN_CELL": "cinq"})
    with pytest.raises(SettingsError, match="≥ 1"):
        load(["--min-cell", "0"], {})


def test_downloads_mark_hidden_cells_keep_integer_counts_and_read_back_in_french_spreadsheets() -> None:
    freq = pd.DataFrame(
        {
            "item_kind": ["choice"] * 3, "item_code": ["F", "H", "A"], "item_label": ["Femme", "Homme", "Autre"],
            "item_position": [1, 2, 3], "count": [93, 83, 2], "base_n": [178] * 3,
            "ckey": [11, 22, 33], "base_ckey": [66] * 3,
        }
    )
    shown = display.frequency_table(freq, Policy(K), with_total=True)
    frame = shown.export
    assert frame["Effectif"].tolist()[2] == fmt.HIDDEN and frame["Pourcentage"].tolist()[2] == fmt.HIDDEN
    counts = [v for v in frame["Effectif"] if v != fmt.HIDDEN]
    assert all(isinstance(v, int) and v % 5 == 0 for v in counts)
    # only the small answer is hidden: no complement, the rounding already breaks the total's arithmetic
    assert shown.display.loc["Homme", "Effectif"] != fmt.HIDDEN
    raw = exports.csv_bytes(frame)
    assert raw.startswith("\ufeff".encode()) and b";s;s" in raw
    back = pd.read_csv(io.BytesIO(raw), sep=";", decimal=",", encoding="utf-8-sig", dtype=str)
    assert back["Effectif"].tolist() == [str(v) for v in frame["Effectif"]]
    book = pd.read_excel(io.BytesIO(exports.xlsx_bytes(frame, "tableau_01", ["Tableau 1", "n = 180"])), sheet_name=None)
    assert book["tableau_01"]["Effectif"].tolist() == frame["Effectif"].tolist()
    assert book["Notes"]["Notes"].tolist() == ["Tableau 1", "n = 180"]


def test_magnitude_noise_is_consistent_never_zero_and_bounded_by_one_spread_over_n() -> None:
    policy = Policy(K)
    shifts = [policy.magnitude(2000.0, 11, key, 250.0, 0) - 2000.0 for key in range(0, 2**32, 2**32 // 2000)]
    assert all(250.0 / 11 / 2 <= abs(s) <= 250.0 / 11 + 1e-9 for s in shifts)
    assert min(shifts) < 0 < max(shifts)  # both directions
    assert policy.magnitude(2000.0, 11, 12345, 250.0, 0) == policy.magnitude(2000.0, 11, 12345, 250.0, 0)
    assert policy.magnitude(2000.0, 4, 12345, 250.0, 0) is None  # a small group: no magnitude
    assert Policy.unprotected(K).magnitude(2000.0, 11, 12345, 250.0, 0) == 2000.0


def test_claims_lose_their_figures_not_their_meaning() -> None:
    from app.withholding import without_figures

    assert without_figures(
        "L'accompagnement est plus fréquent quand il figure dans la fiche de poste (110 sur 111, contre 45 sur 67)."
    ) == "L'accompagnement est plus fréquent quand il figure dans la fiche de poste."
    assert without_figures(
        "Les espaces France services n'absorbent pas l'ensemble des besoins : 61 % des répondant·e·s assurent un "
        "accompagnement."
    ) == "Les espaces France services n'absorbent pas l'ensemble des besoins."
    assert without_figures(
        "Parmi les 93 premier·ère·s embauché·e·s, 65 sont des conseiller·ère·s : les conseiller·ère·s sont plus "
        "souvent les premier·ère·s embauché·e·s."
    ) == "Les conseiller·ère·s sont plus souvent les premier·ère·s embauché·e·s."


def test_an_empty_cell_is_never_shaded_as_more_than_expected() -> None:
    from app import contingency

    counts = pd.DataFrame([[0, 30], [25, 20]], index=["a", "b"], columns=["x", "y"])
    result = contingency.analyse(counts)
    assert result.residuals.loc["a", "x"] < -1.96  # fewer than independence predicts: red, never blue
    assert "178, 24, 43" in contingency.residual_style(result.residuals.loc["a", "x"])
