"""The app shows each wave as it was asked: that wave's questions, items, answer options and labels.

The sample's 2024 edition relabels Pôle emploi "France Travail" (sites, table 9; direct contacts, table 12),
drops "first mediator hired", adds a question on AI tools and a "contrat de projet" option (A5). The expected
editions come from the codebook's own Python reading of the seeds (``codebook.load().edition``), not from the
warehouse views the app reads: two independent readings of the same codebook must agree.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import codebook
from app import fmt, queries
from app.filters import PLACE_QUESTION
from app.navigation import PAGES
from tests.test_app_support import (
    WAVE_KEY,
    app_factory,
    assert_clean,
    latest_wave,
    page,
    page_text,
    record_keys,
    shown_count,
    shown_wave,
)

WAVES = ("2023", "2024")
OLD_LABEL, NEW_LABEL = "Pôle emploi", "France Travail"
DROPPED, ADDED = "first_mediator_hired", "ai_tools"  # last asked in 2023, first asked in 2024
NEW_CHOICE = ("contract", "A5")  # offered from 2024 on


@pytest.fixture()
def open_app(sample_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    return app_factory(monkeypatch, sample_warehouse)


def _edition(wave: str) -> codebook.Codebook:
    return codebook.load().edition(wave)


def _label(code: str, wave: str | None = None) -> str:
    book = codebook.load() if wave is None else _edition(wave)
    return book.question(code).label_fr


def _choice_label() -> str:
    question, code = NEW_CHOICE
    return next(c.label_fr for c in codebook.load().question(question).choices if c.choice_code == code)


def _tables_by_heading(at: AppTest) -> dict[str, pd.DataFrame]:
    """The Tableaux page's tables under their headings (« Tableau 9 — … »): one table per heading, in order."""
    headings = [h.value for h in at.subheader]
    tables = [t.value for t in at.table]
    assert len(headings) == len(tables), (headings, len(tables))
    return dict(zip(headings, tables, strict=True))


def _table(at: AppTest, number: int) -> pd.DataFrame:
    found = [t for h, t in _tables_by_heading(at).items() if h.startswith(f"Tableau {number} — ")]
    assert len(found) == 1, f"no single table {number}"
    return found[0]


# --- the query layer reads each wave's edition ------------------------------------------------------------


@pytest.mark.parametrize("wave", WAVES)
def test_the_query_layer_s_editions_are_the_codebook_s(sample_warehouse: Path, wave: str) -> None:
    edition = _edition(wave)
    questions = queries.questions(sample_warehouse, wave)
    assert questions["question_code"].tolist() == [q.question_code for q in edition.questions]
    assert questions["label_fr"].tolist() == [q.label_fr for q in edition.questions]
    choices = queries.choices(sample_warehouse, wave)
    expected = {(c.question_code, c.choice_code, c.label_fr, c.position) for q in edition.questions for c in q.choices}
    assert set(zip(choices["question_code"], choices["choice_code"], choices["label_fr"], choices["position"],
                   strict=True)) == expected
    items = queries.items(sample_warehouse, wave)
    expected = {(i.question_code, i.item_code, i.label_fr, i.position) for q in edition.questions for i in q.items}
    assert set(zip(items["question_code"], items["item_code"], items["label_fr"], items["position"],
                   strict=True)) == expected
    # the sample's edition differences, spelled out
    codes = set(questions["question_code"])
    assert (DROPPED in codes, ADDED in codes) == ((True, False) if wave == "2023" else (False, True))
    assert (NEW_CHOICE in set(zip(choices["question_code"], choices["choice_code"], strict=True))) == (wave == "2024")
    sites = items[items["item_code"] == "pole_emploi"].set_index("question_code")["label_fr"]
    assert sites.to_dict() == dict.fromkeys(["direct_contact", "site"], OLD_LABEL if wave == "2023" else NEW_LABEL)


def test_the_app_opens_on_the_latest_wave_and_lists_the_waves_in_fieldwork_order(open_app, sample_con) -> None:
    at = open_app()
    assert_clean(at)
    waves = [w for (w,) in sample_con.sql("select wave from raw.waves order by fieldwork_start").fetchall()]
    assert at.selectbox(key=WAVE_KEY).options == waves == list(WAVES)
    assert shown_wave(at) == latest_wave(sample_con) == waves[-1]


# --- Tableaux ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("wave", WAVES)
@pytest.mark.parametrize("number, question", [(9, "site"), (12, "direct_contact")])
def test_tables_9_and_12_label_the_relabelled_site_as_each_wave_asked_it(
    open_app, sample_con, wave: str, number: int, question: str
) -> None:
    at = open_app(page("tables"), wave=wave)
    assert_clean(at)
    table = _table(at, number)
    label, other = (OLD_LABEL, NEW_LABEL) if wave == "2023" else (NEW_LABEL, OLD_LABEL)
    assert label in table.index and other not in table.index
    assert other not in page_text(at)
    # the row is the same code's answers in every wave: its n is that wave's pole_emploi answers
    answers = {
        "site": "select respondent_id from marts.respondent_sites where wave = $wave and site_code = 'pole_emploi'"
        " and score is not null",
        "direct_contact": "select respondent_id from marts.respondent_scales where wave = $wave"
        " and question_code = 'direct_contact' and item_code = 'pole_emploi' and score is not null",
    }
    ids = [i for (i,) in sample_con.execute(answers[question], {"wave": wave}).fetchall()]
    assert ids, (wave, question)
    assert table.loc[label, "n"] == fmt.count(shown_count(ids, record_keys(sample_con)))


@pytest.mark.parametrize("wave", WAVES)
def test_no_page_of_one_wave_names_the_site_as_another_wave_asked_it(open_app, wave: str) -> None:
    label, other = (OLD_LABEL, NEW_LABEL) if wave == "2023" else (NEW_LABEL, OLD_LABEL)
    at = open_app(wave=wave)
    for spec in PAGES:
        if spec.url_path == "evolution":
            continue  # the page that sets two waves side by side, with both labels
        at.switch_page(spec.script).run()
        assert_clean(at)
        if spec.url_path == "tests":  # the tests of that site, searched by that wave's name of it
            at.text_input(key="tests_search").set_value(label.split()[-1]).run()
            assert_clean(at)
        text = page_text(at)
        assert other not in text, (wave, spec.url_path)
        if spec.url_path in ("tableaux", "figures", "tests"):
            assert label in text, (wave, spec.url_path)


@pytest.mark.parametrize("wave", WAVES)
def test_tables_and_overview_show_only_the_questions_the_wave_asked(open_app, wave: str) -> None:
    edition = _edition(wave)
    at = open_app(page("tables"), wave=wave)
    assert_clean(at)
    headings = list(_tables_by_heading(at))
    numbered = [q for q in edition.questions if q.report_table and re.fullmatch(r"T\d+", q.report_table)]
    assert len(headings) == len({q.report_table for q in numbered})
    assert not any(i.value.startswith("Question non posée") for i in at.info)
    at.switch_page(page("overview")).run()
    assert_clean(at)
    profile = {m.value.strip("*") for m in at.markdown if m.value.startswith("**")}
    asked, not_asked = (DROPPED, ADDED) if wave == "2023" else (ADDED, DROPPED)
    assert _label(asked, wave) in profile
    assert _label(not_asked) not in profile
    assert _label(not_asked) not in page_text(at)


def _copy_with_codebook_change(source: Path, folder: Path, sql: str) -> Path:
    """The warehouse with its codebook edited (under the built file's name: the views name their catalog so)."""
    folder.mkdir(parents=True)
    target = folder / source.name
    shutil.copy2(source, target)
    con = duckdb.connect(str(target))
    try:
        con.execute(sql)
    finally:
        con.close()
    return target


def test_a_report_table_or_figure_whose_questions_a_wave_did_not_ask_says_so(
    open_app, sample_warehouse: Path, tmp_path: Path
) -> None:
    # A codebook where tables 7 (a scale without items) and 11 (a cross-tab) and figure 1 were last asked in 2023:
    # their answers are still in the warehouse's long tables, the app must follow the codebook.
    edited = _copy_with_codebook_change(
        sample_warehouse, tmp_path / "edited",
        # the seed and what dbt derives from it (the codebook's staging tables)
        """update codebook.codebook_questions set last_wave = '2023'
        where question_code in ('repeat_requests', 'efs_on_territory', 'years_practice');
        update staging.stg_codebook__questions set last_wave = '2023', asked_waves = ['2023']
        where question_code in ('repeat_requests', 'efs_on_territory', 'years_practice');
        delete from staging.stg_codebook__labels_by_wave where wave = '2024'
        and question_code in ('repeat_requests', 'efs_on_territory', 'years_practice')""",
    )
    at = open_app(page("tables"), warehouse=edited, wave="2024")
    assert_clean(at)
    notes = [i.value for i in at.info]
    assert notes.count("Question non posée en 2024.") == 2
    headings = [h.value for h in at.subheader]
    assert f"Tableau 7 — {_label('repeat_requests')}" in headings
    assert f"Tableau 11 — {_label('efs_on_territory')} × {_label('does_eadmin')}" in headings
    assert len(at.table) == len(headings) - 2  # no table under either heading
    at.switch_page(page("figures")).run()
    assert_clean(at)
    assert [i.value for i in at.info].count("Question non posée en 2024.") == 1
    assert any(h.value.startswith("Figure 1 — ") for h in at.subheader)
    at.switch_page(page("crosstabs")).run()
    assert_clean(at)
    assert _label("efs_on_territory") not in at.selectbox(key="cross_row").options
    # 2023 still asked them: every table is there
    at = open_app(page("tables"), warehouse=edited, wave="2023")
    assert_clean(at)
    assert not any(i.value.startswith("Question non posée") for i in at.info)
    assert _table(at, 7).index.tolist() == [_label("repeat_requests")]


# --- Croisements ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("wave", WAVES)
def test_croisements_offers_only_the_variables_the_wave_asked(open_app, wave: str) -> None:
    edition = _edition(wave)
    at = open_app(page("crosstabs"), wave=wave)
    assert_clean(at)
    place = edition.question(PLACE_QUESTION)
    expected = [q.label_fr for q in edition.questions if q.type == "single"]
    expected += [f"{place.label_fr} : {item.label_fr}" for item in place.items]
    assert at.selectbox(key="cross_row").options == expected
    assert at.selectbox(key="cross_col").options == expected
    asked, not_asked = (DROPPED, ADDED) if wave == "2023" else (ADDED, DROPPED)
    assert _label(asked, wave) in expected and _label(not_asked) not in expected


def test_a_shared_crossing_names_its_wave_and_one_the_wave_did_not_ask_falls_back(open_app, sample_con) -> None:
    # shared from 2023: the address names the wave, so the crossing of a question only 2023 asked comes back
    shared = {"vague": "2023", "lignes": DROPPED, "colonnes": "post_title"}
    at = open_app(page("crosstabs"), address=shared)
    assert_clean(at)
    assert shown_wave(at) == "2023"
    assert (at.selectbox(key="cross_row").value, at.selectbox(key="cross_col").value) == (DROPPED, "post_title")
    assert at.subheader[0].value == f"{_label(DROPPED)} × {_label('post_title')}"
    # a crossing chosen in the app gets an address naming its wave
    at = open_app(page("crosstabs"), wave="2023")
    at.selectbox(key="cross_row").set_value(DROPPED).run()
    assert {k: at.query_params[k] for k in ("vague", "lignes")} == {"vague": "2023", "lignes": DROPPED}
    # the same pair in 2024, which did not ask it: the report's first crossing asked that year
    at = open_app(page("crosstabs"), address={"vague": "2024", "lignes": DROPPED, "colonnes": "post_title"})
    assert_clean(at)
    table_3 = sample_con.sql(
        "select row_question, col_question from report.report_crosstabs where report_figure = 'T3'"
    ).fetchone()
    assert (at.selectbox(key="cross_row").value, at.selectbox(key="cross_col").value) == table_3
    assert at.table  # a crossing is shown
    # an address without a wave opens on the latest
    at = open_app(page("crosstabs"), address={"lignes": DROPPED, "colonnes": "post_title"})
    assert shown_wave(at) == latest_wave(sample_con)
    assert at.selectbox(key="cross_row").value != DROPPED


@pytest.mark.parametrize("wave", WAVES)
def test_contract_a5_is_offered_in_2024_only(open_app, sample_con, wave: str) -> None:
    label = _choice_label()
    offered = wave == "2024"
    at = open_app(page("crosstabs"), wave=wave)
    at.selectbox(key="cross_row").set_value("contract")
    at.selectbox(key="cross_col").set_value("does_eadmin").run()
    assert_clean(at)
    assert (label in at.table[0].value.index) == offered
    at.switch_page(page("overview")).run()
    assert_clean(at)
    first_answer = _edition(wave).question("contract").choices[0].label_fr  # « CDI »: the contract table's
    contract = next(t.value for t in at.table if first_answer in t.value.index)
    assert (label in contract.index) == offered
    if offered:  # and it is counted: the 2024 respondents who answered A5
        ids = sample_con.execute(
            "select list(respondent_id) from marts.respondents where wave = ? and contract = ?", [wave, NEW_CHOICE[1]]
        ).fetchone()[0]
        assert contract.loc[label, "Effectif"] == fmt.count(shown_count(ids, record_keys(sample_con)))
