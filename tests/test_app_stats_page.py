"""The Tests page: a French explanation without the stats tables, the tests and claims with them.

The page shows the tests of the sidebar's wave (never the differences between waves, which are the Évolution
page's); the report's own facts (tables 3 and 11) are those of 2023."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.test_app_support import K, app_factory, assert_clean, page, page_text, shown_wave

WAVES = ("2023", "2024")
#: The wave whose facts the report published.
REPORT_WAVE = "2023"


@pytest.fixture()
def open_app(sample_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    return app_factory(monkeypatch, sample_warehouse)


def _copy_without_stats(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
    con = duckdb.connect(str(target))
    try:
        con.execute("drop schema if exists stats cascade")
    finally:
        con.close()
    return target


def test_tests_page_explains_in_french_when_the_stats_tables_are_absent(open_app, sample_warehouse, tmp_path) -> None:
    # Same file name as the built one: DuckDB names the database after the file, and the views use that name.
    bare = _copy_without_stats(sample_warehouse, tmp_path / "bare" / sample_warehouse.name)
    at = open_app(page("tests"), warehouse=bare)
    assert_clean(at)
    assert any("stats.tests" in w.value and "make build" in w.value for w in at.warning)
    at.switch_page(page("figures")).run()
    assert_clean(at)
    assert any("non disponibles" in i.value for i in at.info)


def _with_stats(sample_warehouse: Path, folder: Path) -> Path:
    """The sample warehouse with stats tables: the build's own when it made them, else three typed rows.

    Copied under the built file's name (in ``folder``): the warehouse's views name their catalog after it.
    """
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / sample_warehouse.name
    shutil.copy2(sample_warehouse, target)
    con = duckdb.connect(str(target))
    try:
        has = con.sql("select count(*) from information_schema.tables where table_schema = 'stats'").fetchone()[0]
        if not has:
            con.execute("create schema stats")
            con.execute(
                """create table stats.tests as select * from (values
                ('t1', '2023', 'crosstab:job_description:does_eadmin', 'profile_x_does_eadmin', 'crosstab',
                 'job_description × does_eadmin', null, null, 'fisher_exact', true, 'odds_ratio', 53.8, null, null,
                 6.1e-10, 1.2e-8, 1.2e-8, 'cramers_v', 0.46, 178, null),
                ('t2', '2023', 'crosstab:efs_on_territory:does_eadmin', 'profile_x_does_eadmin', 'crosstab',
                 'efs_on_territory × does_eadmin', null, null, 'fisher_exact', true, 'odds_ratio', 0.2, null, null,
                 0.03, 0.06, 0.06, 'cramers_v', 0.16, 178, null),
                ('t3', '2023', 'crosstab:efs_on_territory:does_eadmin', 'profile_x_does_eadmin', 'crosstab',
                 'efs_on_territory × does_eadmin', null, null, 'chi2_pearson', false, 'chi2', 4.5, 1, null,
                 0.034, 0.07, 0.07, 'cramers_v', 0.16, 178, null))
                as t(test_id, wave, comparison_id, family, kind, variables, outcome_label, grouping_label, method,
                     is_primary, statistic_name, statistic, df, df_denom, p_value, p_holm, p_bh, effect_size_name,
                     effect_size, n, notes)"""
            )
            con.execute(
                """create table stats.report_claims as select * from (values
                ('T3_job_description', '2023', 'Tableau 3', 'Plus fréquent quand dans la fiche de poste.',
                 'crosstab:job_description:does_eadmin', 't1', 'fisher_exact', 'over:Y|Y', 'over:Y|Y',
                 6.1e-10, 1.2e-8, 1.2e-8, true, true, null))
                as t(claim_id, wave, report_ref, claim_fr, comparison_id, test_id, method, expected_direction,
                     found_direction, p_value, p_holm, p_bh, significant, holds, notes)"""
            )
    finally:
        con.close()
    return target


def all_test_rows(at: AppTest) -> pd.DataFrame:
    """Every row of the paged tests table, page after page, as the reader turns them."""
    frames = [at.table[1].value.reset_index()]
    pages = at.number_input(key="tests_page") if any(n.key == "tests_page" for n in at.number_input) else None
    if pages is not None:
        for number in range(2, int(pages.max) + 1):
            at.number_input(key="tests_page").set_value(number).run()
            frames.append(at.table[1].value.reset_index())
        at.number_input(key="tests_page").set_value(1).run()
    return pd.concat(frames, ignore_index=True)


def _small_comparisons(con: duckdb.DuckDBPyConnection, tests, wave: str, k: int = K) -> set[str]:
    """Comparisons with a group of 1 to k − 1 respondents of ``wave``, from the microdata (cross-tabs) and the stats
    stage's own group sizes (group comparisons)."""
    values = """select wave, respondent_id,
            if(question_type = 'multi', question_code || '__' || item_code, question_code) as var, answer_code as code
        from marts.answers where question_type in ('single', 'multi') and answer_code is not null"""
    from app.codebook import cross_variables

    current = "select path from duckdb_databases() where database_name = current_database()"
    path = Path(con.execute(current).fetchone()[0])
    crossed = {v.key for v in cross_variables(path, wave)}
    small = set()
    for test in tests.drop_duplicates("comparison_id").itertuples():
        if test.kind == "crosstab":
            _kind, row, col = test.comparison_id.split(":")[:3]
            if row not in crossed or col not in crossed:  # cells the app cannot count: withheld (fail closed)
                small.add(test.comparison_id)
                continue
            sizes = con.execute(
                f"""with v as ({values}) select count(*) from v as r join v as c using (wave, respondent_id)
                where r.var = $row and c.var = $col and r.wave = $wave
                group by grouping sets ((r.code, c.code), (r.code), (c.code))""",
                {"row": row, "col": col, "wave": wave},
            ).fetchall()
            sizes = [n for (n,) in sizes]
        else:
            sizes = [int(n) for n in (test.group1_n, test.group2_n) if not pd.isna(n)]
            if isinstance(test.group_stats, str):
                sizes += [g["n"] for g in json.loads(test.group_stats)]
        if any(0 < n < k for n in sizes):
            small.add(test.comparison_id)
    return small


@pytest.mark.parametrize("wave", WAVES)
def test_tests_page_lists_primary_tests_with_adjusted_p_and_a_reading(
    open_app, sample_warehouse, tmp_path, wave
) -> None:
    warehouse = _with_stats(sample_warehouse, tmp_path / "with_stats")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        # the wave's own tests: a difference between two waves is the Évolution page's
        primary = con.execute(
            "select * from stats.tests where is_primary and wave = ? and kind is distinct from 'wave_difference'",
            [wave],
        ).df()
        claims = con.execute("select * from stats.report_claims where wave = ?", [wave]).df()
        small = _small_comparisons(con, primary[~primary["kind"].str.startswith("regression")], wave)
    finally:
        con.close()
    at = open_app(page("tests"), warehouse=warehouse, wave=wave)
    assert_clean(at)
    assert shown_wave(at) == wave
    claims_shown, tests_shown = at.table[0].value, all_test_rows(at)
    assert len(claims_shown) == len(claims)
    assert list(claims_shown["Se vérifie"]) == [
        "non affiché" if c in small else ("oui" if h else "non")
        for c, h in zip(claims["comparison_id"], claims["holds"], strict=True)
    ]
    assert len(tests_shown) == len(primary)
    withheld = primary["comparison_id"].isin(small).to_numpy()
    assert withheld.any() and not withheld.all()
    readings = tests_shown["Lecture"][~withheld]
    assert (tests_shown["Statistique"][withheld] == "non affiché").all()
    assert (tests_shown["p"][withheld] == "non affiché").all()
    shown = primary[~withheld]
    p_read = shown["p_holm"].fillna(shown["p_value"])  # the adjusted p when the family has one
    assert readings.str.startswith("Différence statistiquement significative").sum() == (p_read < 0.05).sum()
    assert readings.str.startswith("Pas de différence").sum() == (p_read >= 0.05).sum()
    assert readings.str.contains("après correction de Holm").sum() == shown["p_holm"].notna().sum()
    assert (readings == "Test non calculable sur ces données.").sum() == shown["p_value"].isna().sum()
    at.checkbox(key="tests_significant").check().run()
    assert len(all_test_rows(at)) == int((shown["p_holm"] < 0.05).sum())
    at.text_input(key="tests_search").set_value("aucune variable ne s'appelle ainsi").run()
    assert_clean(at)
    assert "Aucun test ne correspond à ces critères." in [i.value for i in at.info]


@pytest.mark.parametrize("k", [K, 1])
def test_tables_3_and_11_get_no_statistic_while_their_cells_are_hidden(open_app, sample_warehouse, tmp_path, k) -> None:
    warehouse = _with_stats(sample_warehouse, tmp_path / "with_stats")
    at = open_app(page("tests"), warehouse=warehouse, k=k, wave=REPORT_WAVE)  # the report's tables 3 and 11
    assert_clean(at)
    claims = at.table[0].value
    text = page_text(at)
    for ref in ("Tableau 3", "Tableau 11"):
        row = claims.loc[ref]
        if k == 1:  # nothing is hidden: the test and the report's figures are shown
            assert row["Se vérifie"] in ("oui", "non") and row["p"] != "non affiché"
            assert re.search(r"\d", row["Affirmation"])
        else:
            assert (row[["p", "p ajusté (Holm)", "Significatif", "Se vérifie"]] == "non affiché").all()
            assert not re.search(r"\d", row["Affirmation"]), row["Affirmation"]
    assert ("110 sur 111" in text) == (k == 1)
    grid = all_test_rows(at).set_index("Comparaison")
    t3 = grid.loc[[c for c in grid.index if c.startswith("Accompagnement e-administratif dans la fiche de poste")]]
    assert len(t3) == 1
    assert (t3["Statistique"].iloc[0] == "non affiché") == (k != 1)


def test_every_method_statistic_and_effect_the_stats_stage_writes_has_a_french_name(sample_con) -> None:
    from app import readings

    names = {
        "method": (
            readings.METHODS_FR, "select distinct method from stats.tests union select method from stats.report_claims"
        ),
        "statistic": (readings.STATISTICS_FR, "select distinct statistic_name from stats.tests"),
        "effect": (readings.EFFECTS_FR, "select distinct effect_size_name from stats.tests"),
    }
    for kind, (labels, sql) in names.items():
        written = {v for (v,) in sample_con.sql(sql).fetchall() if v is not None}
        assert written and written <= set(labels), f"{kind}: no French name for {sorted(written - set(labels))}"
