"""The build's whole-wave scans (app/precomputed.py): the same rows as the app's live scan, read only when they are
the scan the app would run, with the app's salt."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
import streamlit as st

from app import db, precomputed, wide
from app.filters import RespondentFilter
from app.perturbation import SALT_ENV
from app.scans import page_requests

PAGES = ("overview", "tables", "figures", "evolution")


@pytest.fixture(autouse=True)
def _fresh_run():
    """Each test computes its scans' SQL from the salt it sets: nothing cached from another test or salt."""
    st.cache_data.clear()
    yield
    db.close_run_connection()
    st.cache_data.clear()


COLUMNS = ["set_name", "code1", "value1", "code2", "value2", "n", "ckey"]


def _rows(path: Path, sql_params: tuple[str, dict]) -> pd.DataFrame:
    frame = db.query(path, *sql_params)[COLUMNS].astype({"n": "int64", "ckey": "int64"})
    return frame.sort_values(COLUMNS, na_position="first", ignore_index=True)


def test_every_pages_whole_wave_scan_is_precomputed_with_the_live_scans_rows(sample_warehouse: Path) -> None:
    checked = 0
    for wave in db.query(sample_warehouse, "select distinct wave from marts.respondents")["wave"]:
        requests = page_requests(sample_warehouse, wave)
        assert set(requests) == set(PAGES)
        for page, request in requests.items():
            whole = RespondentFilter(wave)
            live = wide.scan(sample_warehouse, whole, request, live=True)
            read = wide.scan(sample_warehouse, whole, request)
            assert read[0] == precomputed.READ_SQL, (wave, page)  # the page reads the build's rows...
            assert "respondents_wide" in live[0]
            rows = _rows(sample_warehouse, read)
            assert len(rows) > 100, (wave, page)
            pd.testing.assert_frame_equal(rows, _rows(sample_warehouse, live))  # ...the live scan's
            checked += 1
    assert checked == 2 * len(PAGES)


def test_a_filtered_selection_reads_the_respondents(sample_warehouse: Path) -> None:
    request = page_requests(sample_warehouse, "2023")["tables"]
    sql, params = wide.scan(sample_warehouse, RespondentFilter("2023", departments=("29",)), request)
    assert sql != precomputed.READ_SQL and "respondents_wide" in sql and params["sel_departments"] == ["29"]


def test_an_app_with_another_salt_reads_the_respondents_with_its_own_keys(
    sample_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = RespondentFilter("2023")
    request = page_requests(sample_warehouse, "2023")["tables"]
    built = _rows(sample_warehouse, wide.scan(sample_warehouse, whole, request))
    monkeypatch.setenv(SALT_ENV, "another deployment's secret")
    st.cache_data.clear()
    sql, params = wide.scan(sample_warehouse, whole, request)
    assert sql != precomputed.READ_SQL and params["ck_salt"] == "another deployment's secret"
    own = _rows(sample_warehouse, (sql, params))
    # the same respondents counted, under other cell keys: the build's keys are never shown with another salt
    pd.testing.assert_frame_equal(own.drop(columns="ckey"), built.drop(columns="ckey"))
    assert (own["ckey"] != built["ckey"]).mean() > 0.9


def test_a_warehouse_without_precomputed_scans_reads_the_respondents(published_copy: Path) -> None:
    with duckdb.connect(str(published_copy)) as con:
        con.execute(f"drop schema {precomputed.SCHEMA} cascade")
    assert precomputed.available(published_copy) == frozenset()
    request = page_requests(published_copy, "2023")["overview"]
    sql, _params = wide.scan(published_copy, RespondentFilter("2023"), request)
    assert "respondents_wide" in sql
