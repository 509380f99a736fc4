"""The benchmark's pandas baseline computes the same report tables as the warehouse.

The bench compares the build with ``bench.pandas_baseline`` ("a plain pandas
script computing the same report tables"); that comparison only means
something if both give the same numbers. Two independent implementations of
the report agreeing on the sample is also a check of the dbt models. Both are
per wave: the bundled sample's every wave, each against its own edition of the
questionnaire.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from bench.pandas_baseline import run
from tests.exports import SAMPLE_DIR, SAMPLE_EXPORT, sample_exports


@pytest.fixture(scope="module")
def baseline() -> dict[str, pd.DataFrame]:
    """The pandas report tables of the bundled sample's folder: every wave, as the warehouse holds them."""
    return run(SAMPLE_DIR)


def _warehouse(path: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).df()


#: A report row's codebook variable: the question's own column, or ``question__item``.
VARIABLE = "case when {item} = {question} then {question} else {question} || '__' || {item} end"


def _same(ours: pd.DataFrame, theirs: pd.DataFrame, keys: list[str], values: list[str]) -> None:
    """Row for row (by ``keys`` and the wave) the same values; every wave of the sample on both sides."""
    keys = ["wave", *keys]
    assert set(ours["wave"]) == set(theirs["wave"]) == set(sample_exports())
    merged = ours.merge(theirs, on=keys, how="outer", suffixes=("_dbt", "_pandas"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"][keys + ["_merge"]]
    for value in values:
        pd.testing.assert_series_equal(
            merged[f"{value}_dbt"].astype(float),
            merged[f"{value}_pandas"].astype(float),
            check_names=False,
            rtol=1e-9,
        )


def test_scale_summaries_match(sample_warehouse: Path, baseline: dict[str, pd.DataFrame]) -> None:
    ours = _warehouse(
        sample_warehouse,
        f"""select {VARIABLE.format(item="item_code", question="question_code")}
        as variable, wave, n as count, mean, median, sd as std, min, max from report.scale_summaries""",
    )
    assert len(ours) > 30
    _same(ours, baseline["scale_summaries"], ["variable"], ["count", "mean", "median", "std", "min", "max"])


def test_group_means_match(sample_warehouse: Path, baseline: dict[str, pd.DataFrame]) -> None:
    ours = _warehouse(
        sample_warehouse,
        f"""select wave, comparison_id, group_item, group_code,
        {VARIABLE.format(item="item_code", question="question_code")} as variable,
        n as count, mean, median, sd as std from report.group_means""",
    )
    theirs = baseline["group_means"].astype({"group_item": object})
    ours["group_item"] = ours["group_item"].astype(object).where(ours["group_item"].notna(), None)
    theirs["group_item"] = theirs["group_item"].where(theirs["group_item"].notna(), None)
    assert ours["comparison_id"].nunique() == 5
    _same(ours, theirs, ["comparison_id", "group_item", "group_code", "variable"], ["count", "mean", "median", "std"])


def test_crosstabs_match(sample_warehouse: Path, baseline: dict[str, pd.DataFrame]) -> None:
    ours = _warehouse(sample_warehouse, "select wave, crosstab_id, row_code, col_code, count from report.crosstabs")
    theirs = baseline["crosstabs"][["wave", "crosstab_id", "row_code", "col_code", "count"]]
    _same(ours[ours["count"] > 0], theirs[theirs["count"] > 0], ["crosstab_id", "row_code", "col_code"], ["count"])


def test_frequencies_match(sample_warehouse: Path, baseline: dict[str, pd.DataFrame]) -> None:
    ours = _warehouse(
        sample_warehouse,
        f"""select wave, question_code as question,
        case when item_kind = 'item' then {VARIABLE.format(item="item_code", question="question_code")}
             else item_code end as item, count, base_n, percent
        from report.frequencies where count > 0""",
    )
    theirs = baseline["frequencies"]
    _same(ours, theirs[theirs["count"] > 0], ["question", "item"], ["count", "base_n", "percent"])


def test_people_per_week_distribution_matches(sample_warehouse: Path, baseline: dict[str, pd.DataFrame]) -> None:
    ours = _warehouse(
        sample_warehouse,
        "select wave, people_per_week, respondents, percent from report.f2_people_per_week_distribution",
    )
    theirs = baseline["people_per_week_distribution"].astype({"people_per_week": float})
    _same(ours, theirs, ["people_per_week"], ["respondents", "percent"])


def test_one_export_gives_the_tables_of_its_wave(baseline: dict[str, pd.DataFrame]) -> None:
    """What the bench times: the baseline on one export (the 2023 one) is that wave's part of the folder's."""
    alone = run(SAMPLE_EXPORT)
    for name, table in baseline.items():
        assert set(alone[name]["wave"]) == {"2023"}, name
        expected = table[table["wave"] == "2023"].reset_index(drop=True)
        pd.testing.assert_frame_equal(alone[name].reset_index(drop=True), expected, check_dtype=False, obj=name)
