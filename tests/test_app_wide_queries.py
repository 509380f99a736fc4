"""The app's query layer (one scan of the wide table, app.wide) against an independent computation.

For every wave and several filters (the whole wave, a département, a post title, a place, two criteria, two
places), each statistic the pages read is recomputed here with a plain GROUP BY over the long view
``marts.answers`` (one row per respondent × question × item asked), on a respondent set selected from
``marts.respondents`` and the place answers, with record keys computed in Python from the documented formula.
Counts and cell keys must be equal, means, medians and SDs equal to float precision (DuckDB's own aggregates on
one side, the app's from value counts on the other).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from app import queries
from app.filters import RespondentFilter
from app.navigation import PAGES
from app.perturbation import KEY_SPACE
from app.scans import figures_request, tables_request
from tests.test_app_support import app_factory, assert_clean, record_keys

WAVES = ("2023", "2024")


def _filters(con: duckdb.DuckDBPyConnection, wave: str) -> Iterator[RespondentFilter]:
    """The whole wave, then the busiest value of each criterion, two criteria together, and two places."""
    department, post = con.execute(
        """select (select mode(department) from marts.respondents where wave = $w),
            (select mode(post_title) from marts.respondents where wave = $w)""",
        {"w": wave},
    ).fetchone()
    places = con.execute(
        """select item_code from marts.answers where wave = $w and question_code = 'place' and answer_code = 'Y'
        group by item_code order by count(*) desc, item_code limit 2""",
        {"w": wave},
    ).df()["item_code"].tolist()
    yield RespondentFilter(wave)
    yield RespondentFilter(wave, departments=(department,))
    yield RespondentFilter(wave, post_titles=(post,))
    yield RespondentFilter(wave, places=(places[0],))
    yield RespondentFilter(wave, departments=(department,), places=(places[1],))
    yield RespondentFilter(wave, places=tuple(places))


def _selection(con: duckdb.DuckDBPyConnection, f: RespondentFilter, keys: dict[str, int]) -> pd.DataFrame:
    """The filter's respondents, selected without the app, with their record keys."""
    ids = con.execute(
        """select respondent_id from marts.respondents as r
        where wave = $w and (len($d) = 0 or list_contains($d, department))
            and (len($p) = 0 or list_contains($p, post_title))
            and (len($l) = 0 or respondent_id in (
                select respondent_id from marts.answers
                where wave = $w and question_code = 'place' and answer_code = 'Y' and list_contains($l, item_code)))""",
        {"w": f.wave, "d": list(f.departments), "p": list(f.post_titles), "l": list(f.places)},
    ).df()["respondent_id"]
    return pd.DataFrame({"respondent_id": ids, "record_key": [keys[i] for i in ids]})


@pytest.fixture(scope="module")
def cases(sample_warehouse: Path) -> list[tuple[RespondentFilter, pd.DataFrame]]:
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        keys = record_keys(con)
        return [(f, _selection(con, f, keys)) for wave in WAVES for f in _filters(con, wave)]


def _expected(sample_warehouse: Path, sel: pd.DataFrame, sql: str, params: dict) -> pd.DataFrame:
    """``sql`` over ``answers`` (marts.answers of the selection, with record keys) and ``whole`` (of the wave)."""
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        con.register("sel", sel)
        return con.execute(
            f"""with whole as (select * from marts.answers where wave = $wave),
            answers as (select a.*, s.record_key from whole as a inner join sel as s using (respondent_id))
            {sql}""",
            params,
        ).df()


def _key(column: str, where: str = "true") -> str:
    return f"cast(coalesce(sum({column}) filter (where {where}), 0) % {KEY_SPACE} as bigint)"


def _merged(mine: pd.DataFrame, expected: pd.DataFrame, on: list[str]) -> pd.DataFrame:
    merged = mine.merge(expected, on=on, how="outer", suffixes=("", "_expected"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged.loc[merged["_merge"] != "both", on]
    return merged


def _equal(merged: pd.DataFrame, columns: list[str], label: str) -> None:
    for c in columns:
        assert (merged[c].astype("int64") == merged[f"{c}_expected"].astype("int64")).all(), (label, c)


def _close(merged: pd.DataFrame, columns: list[str], label: str) -> None:
    for c in columns:
        got, want = merged[c].astype(float), merged[f"{c}_expected"].astype(float)
        assert np.allclose(got, want, rtol=1e-12, atol=1e-12, equal_nan=True), (label, c)


def test_population_and_frequencies_equal_a_group_by_on_the_answers(sample_warehouse: Path, cases) -> None:
    every = queries.questions(sample_warehouse)
    choice_questions = every[every["type"].isin(["single", "multi"])]["question_code"].tolist()
    for f, sel in cases:
        # a whole wave's size is shown exact: it carries no cell key
        key = int(sel["record_key"].sum() % KEY_SPACE) if f.is_subset else 0
        assert queries.population(sample_warehouse, f) == (len(sel), key)
        mine = queries.frequencies(sample_warehouse, f, choice_questions)
        mine = mine[mine["item_kind"] != "group"]
        answered = "answer_code is not null"
        cells = _expected(
            sample_warehouse, sel,
            f"""select question_code, if(question_type = 'multi', item_code, answer_code) as item_code,
                count(*) as count, {_key("record_key")} as ckey
            from answers where {answered} and (question_type = 'single' or answer_code = 'Y') group by all""",
            {"wave": f.wave},
        )
        bases = _expected(
            sample_warehouse, sel,
            f"""select question_code, count(*) filter (where in_base) as base_n,
                {_key("record_key", "in_base")} as base_ckey
            from (  -- one row per respondent and question
                select question_code, respondent_id, any_value(record_key) as record_key,
                    bool_or(in_base) as in_base
                from answers where question_type in ('single', 'multi') group by all
            ) group by all""",
            {"wave": f.wave},
        )
        merged = mine.merge(cells, on=["question_code", "item_code"], how="left", suffixes=("", "_expected"))
        merged = merged.fillna({"count_expected": 0, "ckey_expected": 0})
        _equal(merged, ["count", "ckey"], f)
        merged = _merged(mine.drop_duplicates("question_code")[["question_code", "base_n", "base_ckey"]], bases,
                         ["question_code"])
        _equal(merged, ["base_n", "base_ckey"], f)


def _summaries(sample_warehouse: Path, sel: pd.DataFrame, wave: str, by: str = "", join: str = "",
               where: str = "true") -> pd.DataFrame:
    """n, mean, median, SD and cell key of each value item (within groups: ``by``, ``join``), listed as the
    report lists them: a scale item where someone was asked it, a number where someone answered it."""
    return _expected(
        sample_warehouse, sel,
        f"""select v.question_code, v.item_code{by}, count(v.value) as n, avg(v.value) as mean,
            median(v.value) as median, stddev_samp(v.value) as sd, {_key("v.record_key", "v.value is not null")} as ckey
        from answers as v {join}
        where v.question_type in ('scale', 'number') and {where} group by all
        having count(v.value) > 0 or any_value(v.question_type) = 'scale'""",
        {"wave": wave},
    )


def test_summaries_and_value_counts_equal_duckdb_aggregates_on_the_answers(sample_warehouse: Path, cases) -> None:
    every = queries.questions(sample_warehouse)["question_code"].tolist()
    for f, sel in cases:
        mine = queries.scale_summaries(sample_warehouse, f, every)
        merged = _merged(mine, _summaries(sample_warehouse, sel, f.wave), ["question_code", "item_code"])
        _equal(merged, ["n", "ckey"], f)
        _close(merged, ["mean", "median", "sd"], f)
        # the noise's scale: the whole wave's SD of the item, whatever the filter
        spread = _expected(
            sample_warehouse, sel,
            "select question_code, item_code, stddev_samp(value) as wave_sd from whole group by all",
            {"wave": f.wave},
        )
        _close(mine.merge(spread, on=["question_code", "item_code"], suffixes=("", "_expected")), ["wave_sd"], f)
        for question in ("people_per_week", "years_practice"):
            counts = queries.value_counts(sample_warehouse, f, question)
            expected = _expected(
                sample_warehouse, sel,
                f"""select value, count(*) as respondents, {_key("record_key")} as ckey from answers
                where question_code = $q and value is not null group by value""",
                {"wave": f.wave, "q": question},
            )
            _equal(_merged(counts, expected, ["value"]), ["respondents", "ckey"], (f, question))


def test_group_means_equal_duckdb_aggregates_on_the_answers(sample_warehouse: Path, cases) -> None:
    comparisons = [(c.value_question, c.group_question, None if pd.isna(c.group_item) else c.group_item)
                   for c in queries.report_comparisons(sample_warehouse).itertuples()]
    for f, sel in cases:
        for value_question, group_question, group_item in comparisons:
            mine = queries.group_means(sample_warehouse, f, value_question, group_question, group_item)
            single = group_question in {"post_title", "department"}
            join = f"""inner join answers as g on g.respondent_id = v.respondent_id
                and g.question_code = '{group_question}' and g.answer_code is not null
                {"" if single or group_item is None else f"and g.item_code = '{group_item}'"}"""
            expected = _summaries(
                sample_warehouse, sel, f.wave,
                by=", " + ("null" if single else "g.item_code") + " as group_item, g.answer_code as group_code",
                join=join, where=f"v.question_code = '{value_question}'",
            )
            on = ["question_code", "item_code", "group_code"] + ([] if single else ["group_item"])
            merged = _merged(mine, expected, on)
            _equal(merged, ["n", "ckey"], (f, value_question, group_question))
            _close(merged, ["mean", "median", "sd"], (f, value_question, group_question))


def test_crosstabs_equal_a_group_by_on_the_answers(sample_warehouse: Path, cases) -> None:
    for f, sel in cases:
        variables = {v.key: v for v in queries.cross_variables(sample_warehouse, f.wave)}
        pairs = [("post_title", "does_eadmin"), ("job_description", "does_eadmin"), ("place__mairie", "department"),
                 ("does_eadmin", "post_title"), ("gender", "gender")]
        for row_key, col_key in pairs:
            row, col = variables[row_key], variables[col_key]
            mine = queries.crosstab(sample_warehouse, f, row, col)

            def side(v: queries.CrossVariable, name: str) -> str:
                item = "" if v.item_code is None else f" and {name}.item_code = '{v.item_code}'"
                return f"{name}.question_code = '{v.question_code}'{item} and {name}.answer_code is not null"

            expected = _expected(
                sample_warehouse, sel,
                f"""select r.answer_code as row_code, c.answer_code as col_code, count(*) as count,
                    {_key("r.record_key")} as ckey
                from answers as r inner join answers as c on c.respondent_id = r.respondent_id
                where {side(row, "r")} and {side(col, "c")} group by all""",
                {"wave": f.wave},
            )
            merged = mine.merge(expected, on=["row_code", "col_code"], how="left", suffixes=("", "_expected"))
            assert len(merged) == len(mine) and set(expected["row_code"]) <= set(mine["row_code"])
            _equal(merged.fillna({"count_expected": 0, "ckey_expected": 0}), ["count", "ckey"], (f, row_key, col_key))


def test_a_page_reading_its_selection_once_gets_what_each_query_gets_alone(sample_warehouse: Path, cases) -> None:
    """A page's combined scan (``within``) gives every statistic exactly as a scan of its own."""
    for f, _ in cases:
        scan = tables_request(sample_warehouse, f.wave) | figures_request(sample_warehouse, f.wave)
        codes = queries.questions(sample_warehouse, f.wave)["question_code"].tolist()
        for query in (queries.frequencies, queries.scale_summaries):
            pd.testing.assert_frame_equal(query(sample_warehouse, f, codes, within=scan),
                                          query(sample_warehouse, f, codes))
        for c in queries.report_comparisons(sample_warehouse, f.wave).itertuples():
            item = None if pd.isna(c.group_item) else c.group_item
            pd.testing.assert_frame_equal(
                queries.group_means(sample_warehouse, f, c.value_question, c.group_question, item, within=scan),
                queries.group_means(sample_warehouse, f, c.value_question, c.group_question, item),
            )


#: The long tables and views the app must not read: one row per respondent × item, tens of millions at scale.
LONG = ("int_respondent_answers", "int_respondent_ticks", "int_respondent_values", "answers", "respondent_places",
        "respondent_sites", "respondent_scales", "respondent_choices")


def test_every_page_renders_without_the_long_tables(published_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Unfiltered and filtered, on a warehouse from which every long answer table and view is gone."""
    with duckdb.connect(str(published_copy)) as con:
        found = con.execute(
            """select table_schema, table_name, table_type from information_schema.tables
            where table_schema in ('intermediate', 'marts') and list_contains($long, table_name)""",
            {"long": list(LONG)},
        ).fetchall()
        for schema, name, kind in found:
            con.execute(f"drop {'view' if kind == 'VIEW' else 'table'} {schema}.{name}")
        department = con.execute("select mode(department) from marts.respondents").fetchone()[0]
    make = app_factory(monkeypatch, published_copy)
    for spec in PAGES:
        at = make(spec.script)
        assert_clean(at)
        at.multiselect(key="filter_departments").set_value([department])
        at.multiselect(key="filter_places").set_value(["mairie"]).run()
        assert_clean(at)
