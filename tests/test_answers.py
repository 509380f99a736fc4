"""marts.answers (every answer, long and labelled) and marts.respondents_wide, against the codebook and the
published report: the report's tables are one GROUP BY away."""

from __future__ import annotations

import pandas as pd
import pytest

import codebook
from tests.published import published_figures

WAVE = "2023"
ANSWERED_TYPES = ("single", "multi", "scale", "number")


def published(figure_id: str, statistic: str) -> dict[tuple[str, str], float]:
    return {(p.question, p.item): float(p.value) for p in published_figures()
            if p.figure_id == figure_id and p.statistic == statistic}


def test_one_row_per_cell_asked(sample_con) -> None:
    """The cells asked, counted from the codebook's editions and conditions on the wide table."""
    wide = sample_con.sql("select * from marts.respondents_wide").df()
    cb = codebook.load()
    expected = 0
    for wave, respondents in wide.groupby("wave"):
        for q in cb.edition(str(wave)).questions:
            if q.type not in ANSWERED_TYPES:
                continue
            asked = respondents
            if q.asked_if_question:
                asked = respondents[respondents[q.asked_if_question] == q.asked_if_choice]
            expected += len(asked) * max(len(q.items), 1)
    assert sample_con.sql("select count(*) from marts.answers").fetchone()[0] == expected
    keys = sample_con.sql(
        "select count(*), count(distinct (wave, respondent_id, question_code, item_code)) from marts.answers"
    ).fetchone()
    assert keys[0] == keys[1]


def test_wide_table_has_one_typed_column_per_variable(sample_con) -> None:
    columns = dict(
        sample_con.sql(
            "select column_name, data_type from duckdb_columns() "
            "where schema_name = 'marts' and table_name = 'respondents_wide'"
        ).fetchall()
    )
    assert (columns["place__mairie"], columns["site__caf"], columns["post_title"]) == ("BOOLEAN", "INTEGER", "VARCHAR")
    assert columns["salary"] == "DOUBLE" and "post_title__other" not in columns
    kept = sample_con.sql("select count(*) from marts.respondents").fetchone()[0]
    assert sample_con.sql("select count(*) from marts.respondents_wide").fetchone()[0] == kept


def test_table_1_from_answers_in_one_query(sample_con) -> None:
    rows = sample_con.sql(
        """select answer_label, count(*) as n, 100.0 * count(*) / sum(count(*)) over () as pct
        from marts.answers where wave = '2023' and question_code = 'post_title' and in_base group by all"""
    ).fetchall()
    counts, percents = published("T1", "count"), published("T1", "percent")
    assert {("post_title", label): n for label, n, _ in rows if n} == counts
    for label, _, pct in rows:
        if ("post_title", label) in percents:
            assert pct == pytest.approx(percents[("post_title", label)], abs=0.05)


def test_table_2_from_answers_in_one_query(sample_con) -> None:
    rows = sample_con.sql(
        """select item_label, count(*) filter (where answer_code = 'Y') as oui,
            count(*) filter (where answer_code = 'N') as non
        from marts.answers where wave = '2023' and question_code = 'place' group by all"""
    ).fetchall()
    counts = published("T2", "count")
    found = {("place", label): oui for label, oui, _ in rows}
    assert {k: v for k, v in found.items() if k in counts} == counts and len(counts) >= 11
    assert all(oui + non == 178 for _, oui, non in rows)


def test_table_10_base_148_from_answers_in_one_query(sample_con) -> None:
    rows = sample_con.sql(
        """select item_label, count(*) filter (where answer_code = 'Y') as n, count(*) filter (where in_base) as base
        from marts.answers where wave = '2023' and question_code = 'reorientation' group by all"""
    ).fetchall()
    assert {base for _, _, base in rows} == {148}
    assert {("reorientation", label): n for label, n, _ in rows} == published("T10", "count")


def test_figure_3_from_answers_in_one_query(sample_con) -> None:
    rows = sample_con.sql(
        """select p.item_label || '=' || p.answer_label as grp, avg(v.value) as mean
        from marts.answers as v inner join marts.answers as p using (wave, respondent_id)
        where v.wave = '2023' and v.question_code = 'people_per_week' and v.is_answered
            and p.question_code = 'place' group by all"""
    ).fetchall()
    means = dict(rows)
    expected = published("F3", "mean")
    assert expected
    for (_, group), value in expected.items():
        assert means[group] == pytest.approx(value, abs=0.005), group


def test_labels_codes_and_end_points_side_by_side(sample_con) -> None:
    site = pd.DataFrame(
        sample_con.sql(
            """select wave, any_value(item_label) as label, min(answer_label) filter (where value = 1) as low,
                min(answer_label) filter (where value = 10) as high
            from marts.answers where question_code = 'site' and item_code = 'pole_emploi' group by 1 order by 1"""
        ).fetchall(),
        columns=["wave", "label", "low", "high"],
    )
    assert site["label"].tolist() == ["Pôle emploi", "France Travail"]
    q = codebook.load().question("site")
    assert set(site["low"].dropna()) == {"jamais"} and set(site["high"].dropna()) == {"très régulièrement"}
    assert (q.min_value, q.max_value) == (1, 10)


def test_no_count_is_a_128_bit_integer(sample_con) -> None:
    wide = sample_con.sql(
        "select schema_name || '.' || table_name || '.' || column_name from duckdb_columns() "
        "where data_type in ('HUGEINT', 'UHUGEINT') and not internal"
    ).fetchall()
    assert wide == []
    types = dict(
        sample_con.sql(
            "select column_name, data_type from duckdb_columns() where schema_name = 'report' "
            "and table_name = 'frequencies'"
        ).fetchall()
    )
    assert (types["count"], types["base_n"]) == ("BIGINT", "BIGINT")
