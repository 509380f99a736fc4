"""The Évolution page (two waves side by side) in AppTest on the sample warehouse: the same shown values as the
Tableaux page for each wave, rows matched by codes with both labels, the tests of the stats stage on whole
waves and withheld by the disclosure policy, and a warehouse with one wave."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from app import evolution, fmt, readings
from app import evolution_display as show
from app.disclosure import Policy
from app.filters import RespondentFilter
from pipeline.build import build
from tests.exports import REPORT_WAVE, sample_copy
from tests.test_app_support import K, app_factory, assert_clean, page, page_text

FIRST, SECOND = "evolution_wave_1", "evolution_wave_2"
EARLIER, LATER = REPORT_WAVE, "2024"
#: Table 9's row of the site relabelled in 2024 (code pole_emploi): both labels, the later first.
RELABELLED = f"France Travail ({LATER} ; Pôle emploi en {EARLIER})"


@pytest.fixture()
def open_app(sample_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    return app_factory(monkeypatch, sample_warehouse)


@pytest.fixture(scope="module")
def evolution_page(sample_warehouse: Path) -> AppTest:
    """The page on the whole waves, at the default k (one render shared by the read-only tests)."""
    with pytest.MonkeyPatch.context() as mp:
        at = app_factory(mp, sample_warehouse)(page("evolution"))
    return at


def table_with(at: AppTest, label: str, column: str) -> pd.DataFrame:
    """The first table of the page with a row ``label`` and a column ``column``."""
    for element in at.table:
        frame = element.value
        if label in frame.index and column in frame.columns:
            return frame
    raise AssertionError(f"no table with row {label!r} and column {column!r}")


def primary_test(con, figure: str, question: str, key: str) -> dict:
    cid = evolution.comparison_id(EARLIER, figure, question, key)
    found = con.execute(
        """select method, p_holm from stats.tests where kind = 'wave_difference' and is_primary and wave = ?
        and baseline_wave = ? and comparison_id = ?""",
        [LATER, EARLIER, cid],
    ).fetchall()
    assert len(found) == 1, cid
    return {"method": found[0][0], "p_holm": found[0][1]}


def test_the_page_renders_and_compares_the_two_latest_waves(evolution_page: AppTest) -> None:
    at = evolution_page
    assert_clean(at)
    assert at.title[0].value == "Évolution entre vagues"
    assert (at.selectbox(key=FIRST).value, at.selectbox(key=SECOND).value) == (EARLIER, LATER)
    text = page_text(at)
    assert "échantillons indépendants" in text and "Holm" in text and "Welch" in text
    assert "barre latérale ne s'applique pas" in text
    for table in range(1, 14):
        assert f"Tableau {table} — " in text
    for figure in range(1, 7):
        assert f"Figure {figure} — " in text
    assert len(at.get("vega_lite_chart")) >= 19
    assert any(b.label == "Télécharger (CSV)" for b in at.get("download_button"))


def test_values_are_those_the_tableaux_page_shows_for_each_wave(open_app, evolution_page: AppTest) -> None:
    ours = table_with(evolution_page, "Espace France services", f"{EARLIER} : effectif")  # table 2
    for wave in (EARLIER, LATER):
        tables = open_app(page("tables"), wave=wave)
        theirs = table_with(tables, "Espace France services", "Effectif")
        for label in theirs.index:
            assert ours.loc[label, f"{wave} : effectif"] == theirs.loc[label, "Effectif"], (wave, label)
            assert ours.loc[label, f"{wave} : %"] == theirs.loc[label, "Pourcentage"], (wave, label)
        sites = table_with(tables, "La Poste", "Moyenne")  # table 9, means
        mine = table_with(evolution_page, "La Poste", f"{wave} : moyenne")
        relabelled = {"Pôle emploi": RELABELLED, "France Travail": RELABELLED}
        for label in sites.index:
            row = relabelled.get(label, label)
            assert mine.loc[row, f"{wave} : moyenne"] == sites.loc[label, "Moyenne"], (wave, label)
            assert mine.loc[row, f"{wave} : n"] == sites.loc[label, "n"], (wave, label)
    # the difference is that of the shown values (to the rounding of the shown percentages)
    row = ours.loc["Espace France services"]
    shown = [float(row[f"{w} : %"].replace("\u202f%", "").replace(",", ".")) for w in (EARLIER, LATER)]
    difference = float(row[f"Écart {LATER} − {EARLIER} (points)"].replace("−", "-").replace(",", "."))
    assert abs(difference - (shown[1] - shown[0])) <= 0.1 + 1e-9


def test_a_relabelled_site_is_one_row_with_both_labels_and_its_test(evolution_page: AppTest, sample_con) -> None:
    sites = table_with(evolution_page, RELABELLED, f"{EARLIER} : moyenne")
    assert "Pôle emploi" not in sites.index and "France Travail" not in sites.index
    expected = primary_test(sample_con, "T9", "site", "pole_emploi")
    assert expected["method"] == "mann_whitney_u"  # a 1–10 scale: the rank test is primary (stats.rules)
    row = sites.loc[RELABELLED]
    assert row[show.TEST] == readings.method_fr("mann_whitney_u") == "U de Mann-Whitney"
    assert row[show.P_HOLM] == fmt.p_value(expected["p_holm"])
    assert row[show.CONCLUSION].startswith("significatif")  # the difference the generator planted
    assert row[f"{EARLIER} : moyenne"] not in (fmt.HIDDEN, show.NOT_ASKED)
    assert row[f"{LATER} : moyenne"] not in (fmt.HIDDEN, show.NOT_ASKED)


def test_a_test_resting_on_a_small_cell_is_withheld(evolution_page: AppTest, open_app, sample_con) -> None:
    # Table 4's boxes are tested one by one; "Je ne sais pas le faire" has a cell of 1 to k − 1 in 2023.
    small = sample_con.execute(
        """select label_fr from codebook.codebook_items where question_code = 'reason_not_eadmin'
        and item_code = 'not_able'"""
    ).fetchone()[0]
    sizes = sample_con.execute(
        """select group_stats from stats.tests where kind = 'wave_difference' and is_primary and wave = ?
        and comparison_id = ?""",
        [LATER, evolution.comparison_id(EARLIER, "T4", "reason_not_eadmin", "not_able")],
    ).fetchone()[0]
    assert any(0 < g["n"] < K for g in json.loads(sizes))
    table = table_with(evolution_page, small, show.P_HOLM)
    assert (table.loc[small, show.P_HOLM], table.loc[small, show.CONCLUSION]) == (readings.WITHHELD,) * 2
    allowed = table[table[show.P_HOLM] != readings.WITHHELD]
    assert len(allowed) and all(p != fmt.MISSING for p in allowed[show.P_HOLM])
    assert readings.withheld_note(K) in page_text(evolution_page)
    # table 3 (a cross-tab) has a small cell in 2024: none of its tests shows, even those of large cells
    cross = table_with(evolution_page, "Oui × Oui", show.P_HOLM)
    assert cross.loc["Oui × Oui", show.P_HOLM] == readings.WITHHELD
    assert cross.loc["Oui × Non", f"{LATER} : effectif"] == fmt.HIDDEN
    # with k = 1 nothing is small: the same test shows the warehouse's p-value
    at = open_app(page("evolution"), k=1)
    assert_clean(at)
    table = table_with(at, small, show.P_HOLM)
    expected = primary_test(sample_con, "T4", "reason_not_eadmin", "not_able")
    assert table.loc[small, show.P_HOLM] == fmt.p_value(expected["p_holm"])


def test_filters_apply_to_the_values_and_the_tests_stay_on_whole_waves(open_app, evolution_page, sample_con) -> None:
    department = sample_con.execute(
        "select department from marts.respondents where department is not null group by all order by count(*) desc"
    ).fetchone()[0]
    at = open_app()
    at.multiselect(key="filter_departments").set_value([department]).run()
    at.switch_page(page("evolution")).run()
    assert_clean(at)
    assert any("tests calculés sur les vagues entières : les filtres ne s'y appliquent pas" in i.value.lower()
               for i in at.info)
    assert f"Vagues {EARLIER} et {LATER} — sélection filtrée : environ" in page_text(at)
    whole = table_with(evolution_page, RELABELLED, show.P_HOLM)
    filtered = table_with(at, RELABELLED, show.P_HOLM)
    assert filtered.loc[RELABELLED, show.P_HOLM] == whole.loc[RELABELLED, show.P_HOLM] != fmt.MISSING
    assert filtered.loc[RELABELLED, f"{LATER} : n"] != whole.loc[RELABELLED, f"{LATER} : n"]


def test_waves_chosen_in_either_order_read_earlier_first(open_app) -> None:
    at = open_app(page("evolution"))
    at.selectbox(key=FIRST).set_value(LATER)
    at.selectbox(key=SECOND).set_value(EARLIER).run()
    assert_clean(at)
    assert f"{EARLIER} : effectif" in table_with(at, "Espace France services", f"{EARLIER} : effectif").columns
    at.selectbox(key=SECOND).set_value(LATER).run()
    assert any("deux vagues différentes" in i.value for i in at.info)
    assert not at.table


def test_a_warehouse_with_one_wave_has_nothing_to_compare(open_app, tmp_path: Path) -> None:
    warehouse = tmp_path / "one_wave" / "survey.duckdb"
    build(sample_copy(tmp_path / "raw", waves=(REPORT_WAVE,)), warehouse, log=lambda _msg: None)
    at = open_app(page("evolution"), warehouse=warehouse)
    assert_clean(at)
    assert any("une seule vague" in i.value.lower() and "rien à comparer" in i.value for i in at.info)
    assert not at.table and not at.get("vega_lite_chart")


# --- the comparison itself, without the page ---------------------------------------------------------------


def _edition(wave: str, codes: set[tuple[str, str]]) -> evolution.Edition:
    return evolution.Edition(wave, RespondentFilter(wave), pd.DataFrame(), frozenset(codes))


def _side(rows: list[tuple[str, str, float, bool, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [dict(test_question="site", key=key, label=label, detail=None, position=i, refs=(("site", key),), value=value,
              hidden=hidden, n=n) for i, (key, label, value, hidden, n) in enumerate(rows)],
        columns=list(evolution.SIDE_COLUMNS),
    )


def test_rows_meet_on_codes_and_an_item_one_wave_did_not_ask_says_so() -> None:
    one = _side([("pole_emploi", "Pôle emploi", 4.2, False, 155), ("caf", "CAF", 4.8, False, 155)])
    two = _side([("pole_emploi", "France Travail", 6.2, False, 245), ("new_site", "Nouveau site", 3.0, False, 245),
                 ("caf", "CAF", np.nan, True, np.nan)])
    first = _edition("2023", {("site", "site"), ("site", "pole_emploi"), ("site", "caf")})
    second = _edition("2024", {("site", "site"), ("site", "pole_emploi"), ("site", "caf"), ("site", "new_site")})
    rows = evolution.merge(one, two, first, second)
    assert rows["label"].tolist() == ["France Travail (2024 ; Pôle emploi en 2023)", "Nouveau site", "CAF"]
    assert rows["difference"].iloc[0] == pytest.approx(2.0)
    assert rows[["asked_1", "asked_2"]].values.tolist() == [[True, True], [False, True], [True, True]]
    c = evolution.Comparison("T9", "Sites", evolution.MEAN, ("2023", "2024"), rows, (155, 245), (True, True))
    tests = pd.DataFrame([{"comparison_id": evolution.comparison_id("2023", "T9", "site", "caf"),
                           "method": "welch_t", "p_holm": 0.5}])
    columns = show.test_columns(c, tests, frozenset())
    shown = show.shown_table(c, columns)
    assert shown.loc["Nouveau site", "2023 : moyenne"] == show.NOT_ASKED
    assert shown.loc["Nouveau site", show.TEST] == "non posée en 2023"
    assert shown.loc["CAF", "2024 : moyenne"] == fmt.HIDDEN
    assert shown.loc["CAF", "Écart 2024 − 2023"] == fmt.HIDDEN  # nothing computed from a hidden value
    assert shown.loc["France Travail (2024 ; Pôle emploi en 2023)", show.TEST] == show.NO_TEST
    export = show.export_table(c, columns)
    assert export["Code"].tolist() == ["pole_emploi", "new_site", "caf"]
    assert export.loc[2, "2024 : moyenne"] == fmt.HIDDEN and export.loc[1, "2023 : moyenne"] == show.NOT_ASKED


def test_downloads_hold_the_shown_values_only(sample_warehouse: Path) -> None:
    policy = Policy(K)
    for c in evolution.compare(sample_warehouse, RespondentFilter(LATER), (EARLIER, LATER), policy):
        columns = show.test_columns(c, None, frozenset())
        shown, export = show.shown_table(c, columns), show.export_table(c, columns)
        for name in shown.columns:
            hidden = (shown[name] == fmt.HIDDEN).to_numpy()
            assert ((export[name] == fmt.HIDDEN).to_numpy() == hidden).all(), (c.section_id, name)
        counts = [n for n in shown.columns if n.endswith(": effectif") or n.endswith(": n")]
        for name in counts:  # every shown count is rounded to 5
            values = [v for v in export[name] if isinstance(v, int | np.integer)]
            assert all(v % 5 == 0 for v in values), (c.section_id, name)
