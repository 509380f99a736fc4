"""The Tests page: a French explanation without the stats tables, the tests and claims with them."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from app import fmt
from tests.test_app_support import app_factory, assert_clean, page


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


def _with_stats(sample_warehouse: Path, target: Path) -> Path:
    """The sample warehouse with stats tables: the build's own when it made them, else three typed rows."""
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


def test_tests_page_lists_primary_tests_with_adjusted_p_and_a_reading(open_app, sample_warehouse, tmp_path) -> None:
    warehouse = _with_stats(sample_warehouse, tmp_path / "with_stats.duckdb")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        primary = con.sql("select * from stats.tests where is_primary and wave = '2023'").df()
        claims = con.sql("select * from stats.report_claims where wave = '2023'").df()
    finally:
        con.close()
    at = open_app(page("tests"), warehouse=warehouse)
    assert_clean(at)
    claims_shown, tests_shown = at.table[0].value, at.dataframe[0].value
    assert len(claims_shown) == len(claims)
    shown_holds = dict(zip(claims_shown["Affirmation"], claims_shown["Se vérifie"], strict=True))
    assert shown_holds == {c: "oui" if h else "non" for c, h in zip(claims["claim_fr"], claims["holds"], strict=True)}
    assert len(tests_shown) == len(primary)
    readings = tests_shown["Lecture"]
    p_read = primary["p_holm"].fillna(primary["p_value"])  # the adjusted p when the family has one
    assert readings.str.startswith("Différence statistiquement significative").sum() == (p_read < 0.05).sum()
    assert readings.str.startswith("Pas de différence").sum() == (p_read >= 0.05).sum()
    assert readings.str.contains("après correction de Holm").sum() == primary["p_holm"].notna().sum()
    assert (readings == "Test non calculable sur ces données.").sum() == primary["p_value"].isna().sum()
    first = primary.sort_values("test_id").iloc[0]
    shown = tests_shown.set_index("p ajusté (Holm)", drop=False)
    assert fmt.p_value(first["p_holm"]) in shown.index
    at.checkbox(key="tests_significant").check().run()
    assert len(at.dataframe[0].value) == int((primary["p_holm"] < 0.05).sum())
