"""The app's query layer: unfiltered it equals the dbt report models; filtered it equals SQL on the marts.

Every wave of the sample (2023, the report's, and the synthetic 2024) is checked against its own rows: the
warehouse holds both, and each wave is computed on its own edition of the questionnaire."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from app import queries
from app.filters import RespondentFilter
from tests.test_app_support import cell_key, record_keys

WAVES = ("2023", "2024")
STATS = ["n", "mean", "median", "sd"]


def _all_questions(path: Path) -> list[str]:
    """Every question of the codebook, whichever wave asked it: the layer must leave out the others itself."""
    return queries.questions(path)["question_code"].tolist()


def _same(left: pd.Series, right: pd.Series) -> bool:
    both_missing = left.isna() & right.isna()
    if left.dtype == object and right.dtype == object:  # labels
        return bool((both_missing | (left == right)).all())
    close = np.isclose(left.astype(float), right.astype(float), rtol=0, atol=1e-9)
    return bool((both_missing | close).all())


@pytest.mark.parametrize("wave", WAVES)
def test_unfiltered_frequencies_equal_report_frequencies(sample_warehouse: Path, sample_con, wave: str) -> None:
    mine = queries.frequencies(sample_warehouse, RespondentFilter(wave), _all_questions(sample_warehouse))
    report = sample_con.execute(
        """select f.* from report.frequencies as f
        left join codebook.codebook_choices as c
            on f.item_kind = 'choice' and c.question_code = f.question_code and c.choice_code = f.item_code
        where f.wave = ? and c.is_target is distinct from false""",
        [wave],
    ).df()
    key = ["question_code", "item_kind", "item_code"]
    merged = report.merge(mine, on=key, how="outer", suffixes=("_report", "_app"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged.loc[merged["_merge"] != "both", key]
    for column in ("count", "base_n", "percent", "item_label"):
        assert _same(merged[f"{column}_report"], merged[f"{column}_app"]), column
    assert len(mine) > 50


@pytest.mark.parametrize("wave", WAVES)
def test_unfiltered_summaries_and_group_means_equal_the_report_models(
    sample_warehouse: Path, sample_con, wave: str
) -> None:
    f = RespondentFilter(wave)
    mine = queries.scale_summaries(sample_warehouse, f, _all_questions(sample_warehouse))
    report = sample_con.execute("select * from report.scale_summaries where wave = ?", [wave]).df()
    merged = report.merge(mine, on=["question_code", "item_code"], suffixes=("_report", "_app"))
    assert len(merged) == len(report) == len(mine)
    assert all(_same(merged[f"{s}_report"], merged[f"{s}_app"]) for s in STATS)

    for comp in queries.report_comparisons(sample_warehouse).itertuples():
        group_item = None if pd.isna(comp.group_item) else comp.group_item
        mine = queries.group_means(sample_warehouse, f, comp.value_question, comp.group_question, group_item)
        report = sample_con.execute(
            "select * from report.group_means where comparison_id = ? and wave = ?", [comp.comparison_id, wave]
        ).df()
        merged = report.merge(mine, on=["item_code", "group_item", "group_code"], suffixes=("_report", "_app"))
        assert len(merged) == len(report) == len(mine), comp.comparison_id
        assert all(_same(merged[f"{s}_report"], merged[f"{s}_app"]) for s in STATS), comp.comparison_id


@pytest.mark.parametrize("wave", WAVES)
def test_unfiltered_crosstabs_equal_report_crosstabs(sample_warehouse: Path, sample_con, wave: str) -> None:
    variables = {v.key: v for v in queries.cross_variables(sample_warehouse, wave)}
    compared = 0
    for pair in queries.report_crosstabs(sample_warehouse).itertuples():
        report = sample_con.execute(
            "select row_code, col_code, count from report.crosstabs where crosstab_id = ? and wave = ?"
            " and count > 0",
            [pair.crosstab_id, wave],
        ).df()
        if pair.row_question not in variables or pair.col_question not in variables:
            assert report.empty, f"{pair.crosstab_id}: not asked in {wave} but in report.crosstabs"
            continue
        mine = queries.crosstab(
            sample_warehouse, RespondentFilter(wave), variables[pair.row_question], variables[pair.col_question]
        )
        merged = report.merge(mine, on=["row_code", "col_code"], how="left", suffixes=("_report", "_app"))
        assert (merged["count_report"] == merged["count_app"]).all(), pair.crosstab_id
        assert mine["count"].sum() == report["count"].sum()
        compared += 1
    assert compared >= 2  # tables 3 and 11, asked in every wave


def _filtered_ids(con: duckdb.DuckDBPyConnection, wave: str, department: str, place: str) -> set[str]:
    return set(
        con.execute(
            """select r.respondent_id from marts.respondents as r
            join marts.respondent_places as p using (wave, respondent_id)
            where r.wave = ? and r.department = ? and p.place_code = ? and p.is_selected""",
            [wave, department, place],
        ).df()["respondent_id"]
    )


@pytest.fixture(params=WAVES)
def busiest_filter(sample_con, request: pytest.FixtureRequest) -> RespondentFilter:
    """The département × place pair with the most respondents of a wave, as a sidebar would set it."""
    wave = request.param
    department, place = sample_con.execute(
        """select r.department, p.place_code from marts.respondents as r
        join marts.respondent_places as p using (wave, respondent_id)
        where r.wave = ? and p.is_selected and r.department is not null
        group by all order by count(*) desc, 1, 2 limit 1""",
        [wave],
    ).fetchone()
    return RespondentFilter(wave, departments=(department,), places=(place,))


def test_filtered_shapes_equal_sql_on_the_marts(sample_warehouse: Path, sample_con, busiest_filter) -> None:
    f = busiest_filter
    ids = _filtered_ids(sample_con, f.wave, f.departments[0], f.places[0])
    keys = record_keys(sample_con)
    assert queries.population(sample_warehouse, f) == (len(ids), cell_key(ids, keys))
    assert len(ids) > 0
    respondents = sample_con.execute("select * from marts.respondents where wave = ?", [f.wave]).df()
    chosen = respondents[respondents["respondent_id"].isin(ids)]

    freq = queries.frequencies(sample_warehouse, f, ["post_title"]).set_index("item_code")
    expected = chosen["post_title"].value_counts()
    for code, row in freq.iterrows():
        assert row["count"] == expected.get(code, 0)
        assert row["base_n"] == len(chosen)
        # each count carries the cell key of exactly its respondents
        assert row["ckey"] == cell_key(chosen.loc[chosen["post_title"] == code, "respondent_id"], keys)
        assert row["base_ckey"] == cell_key(chosen["respondent_id"], keys)

    sites = sample_con.execute("select * from marts.respondent_sites where wave = ?", [f.wave]).df()
    sites = sites[sites["respondent_id"].isin(ids)].groupby("site_code")["score"]
    summaries = queries.scale_summaries(sample_warehouse, f, ["site"]).set_index("item_code")
    assert np.allclose(summaries.loc[sites.mean().index, "mean"], sites.mean())
    assert np.allclose(summaries.loc[sites.std().index, "sd"], sites.std(ddof=1))
    assert (summaries.loc[sites.size().index, "n"] == sites.size()).all()

    variables = {v.key: v for v in queries.cross_variables(sample_warehouse, f.wave)}
    cells = queries.crosstab(sample_warehouse, f, variables["post_title"], variables["does_eadmin"])
    expected = chosen.groupby(["post_title", "does_eadmin"]).size()
    got = cells.set_index(["row_code", "col_code"])["count"]
    assert got[got > 0].sort_index().to_dict() == expected.sort_index().to_dict()


def test_filtered_group_means_equal_pandas_on_the_marts(sample_warehouse: Path, sample_con, busiest_filter) -> None:
    f = busiest_filter
    ids = _filtered_ids(sample_con, f.wave, f.departments[0], f.places[0])
    respondents = sample_con.execute("select * from marts.respondents where wave = ?", [f.wave]).df()
    chosen = respondents[respondents["respondent_id"].isin(ids)].dropna(subset=["years_practice"])
    expected = chosen.groupby("post_title")["years_practice"].agg(["size", "mean"])
    mine = queries.group_means(sample_warehouse, f, "years_practice", "post_title").set_index("group_code")
    assert (mine.loc[expected.index, "n"] == expected["size"]).all()
    assert np.allclose(mine.loc[expected.index, "mean"], expected["mean"])


def test_a_selection_matching_nobody_gives_empty_shapes_not_errors(sample_warehouse: Path) -> None:
    assert queries.population(sample_warehouse, RespondentFilter("1999")) == (0, 0)  # a wave the warehouse lacks
    nobody = RespondentFilter("2023", departments=("no such département",))
    assert queries.population(sample_warehouse, nobody) == (0, 0)
    freq = queries.frequencies(sample_warehouse, nobody, ["post_title", "place"])
    assert set(freq["question_code"]) == {"post_title", "place"}  # every answer listed, each with 0
    assert (freq["count"] == 0).all() and freq["percent"].isna().all()
    assert queries.scale_summaries(sample_warehouse, nobody, ["site"]).empty
