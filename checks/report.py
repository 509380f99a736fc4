"""Checks on the report schema: every percentage in [0, 100], single-choice shares summing to 100.

The report tables are found in the warehouse's catalog, so these checks apply
to whatever report table exists with a ``percent`` statistic (long tables with
``statistic``/``value`` columns, like ``report.figures``) or a percentage
column (``percent``, ``*_percent``, ``pct``, ``*_pct``, like
``report.frequencies``). Without a report schema the suite is empty.

Shares of one single-choice question within one group (same figure, wave,
scope, kind of item) are mutually exclusive: they never sum above 100, and when
the group lists every choice of the question (its labels, codes or report
groups, from the codebook) they sum to 100 within the rounding of their
printed decimals.
"""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pandas as pd

import codebook
from checks.frames import q, read, tables
from checks.specs import Check, Target

REPORT = "report"
PERCENT = "percent"
#: Columns that split a report table into groups of shares, when present.
GROUP_COLUMNS = ("figure_id", "report_figure", "wave", "scope", "item_kind")
QUESTION_COLUMNS = ("question", "question_code")
ITEM_COLUMNS = ("item", "item_code", "item_label")


def _is_percent_column(column: str) -> bool:
    name = column.lower()
    return name in (PERCENT, "pct") or name.endswith(("_percent", "_pct"))


def _first(candidates: tuple[str, ...], columns: list[str]) -> str | None:
    return next((c for c in candidates if c in columns), None)


def _decimals(values: pd.Series) -> int:
    """Printed decimals of the values (6 at most: unrounded)."""
    for d in range(7):
        scaled = values * 10**d
        if ((scaled - scaled.round()).abs() < 1e-6).all():
            return d
    return 6


def _choice_sets(x: codebook.Question) -> list[set[str]]:
    """Ways a table can name every answer of a single choice: labels, codes, report groups."""
    target = [c for c in x.choices if c.is_target is not False]
    sets = [{c.label_fr.casefold() for c in target}, {c.choice_code.casefold() for c in target}]
    groups = {c.group_label_fr.casefold() for c in target if c.group_label_fr}
    return sets + ([groups] if groups else [])


def share_sums(
    shares: pd.DataFrame, cb: codebook.Codebook, keys: list[str], question: str, item: str, value: str
) -> pd.DataFrame:
    """One row per group of single-choice shares, with the bounds its sum must fall within."""
    singles = {x.question_code: x for x in cb.questions if x.type == "single" and not x.items}
    rows = []
    frame = shares[shares[question].isin(singles.keys()) & shares[value].notna()]
    for group, part in frame.groupby(keys, dropna=False, sort=True):
        values = part[value].astype(float)
        items = {str(i).strip().casefold() for i in part[item]}
        complete = any(s <= items for s in _choice_sets(singles[part[question].iloc[0]]))
        tolerance = len(values) * 0.5 * 10 ** -_decimals(values) + 1e-9
        rows.append(
            dict(
                zip(keys, group, strict=True),
                share_sum=round(float(values.sum()), 9),
                lowest=100 - tolerance if complete else 0.0,
                highest=100 + tolerance,
            )
        )
    return pd.DataFrame(rows, columns=[*keys, "share_sum", "lowest", "highest"])


def _sum_checks(name: str, value: str) -> list[Check]:
    return [
        Check(
            "expect_column_pair_values_a_to_be_greater_than_b",
            {"column_A": "share_sum", "column_B": "lowest", "or_equal": True},
            name,
            value,
            "shares of a single choice that list every choice sum to 100 (within rounding)",
        ),
        Check(
            "expect_column_pair_values_a_to_be_greater_than_b",
            {"column_A": "highest", "column_B": "share_sum", "or_equal": True},
            name,
            value,
            "shares of a single choice never sum above 100 (within rounding)",
        ),
    ]


def _table_targets(
    con: duckdb.DuckDBPyConnection, cb: codebook.Codebook, table: str, columns: list[str]
) -> Iterator[Target]:
    name = f"{REPORT}.{table}"
    question, item = _first(QUESTION_COLUMNS, columns), _first(ITEM_COLUMNS, columns)
    ids = [c for c in (*GROUP_COLUMNS, question, item) if c is not None and c in columns]
    if {"statistic", "value"} <= set(columns):
        values, where, params = ["value"], "WHERE statistic = ?", [PERCENT]
    else:
        values, where, params = [c for c in columns if _is_percent_column(c)], "", []
    numeric = {
        c for (c,) in con.execute(
            """SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?
               AND (data_type IN ('DOUBLE', 'FLOAT', 'INTEGER', 'BIGINT', 'HUGEINT', 'SMALLINT')
                    OR data_type LIKE 'DECIMAL%')""",
            [REPORT, table],
        ).fetchall()
    }
    # Text values are printed ones (report_published_figures), compared by report.figures.matches_published.
    values = [v for v in values if v in numeric]
    if not values:
        return
    frame = read(con, f"SELECT {', '.join(q(c) for c in [*ids, *values])} FROM {name} {where}", params)
    yield Target(
        "report",
        table,
        None,
        frame,
        tuple(ids),
        [
            Check(
                "expect_column_values_to_be_between",
                {"column": v, "min_value": 0, "max_value": 100},
                name,
                v,
                f"every percentage of {name} within [0, 100]",
            )
            for v in values
        ],
    )
    if question and item and len(values) == 1:
        keys = [c for c in (*GROUP_COLUMNS, question) if c in columns]
        sums = share_sums(frame, cb, keys, question, item, values[0])
        if len(sums):
            yield Target("report", f"{table}_share_sums", None, sums, tuple(keys), _sum_checks(name, values[0]))


def report(con: duckdb.DuckDBPyConnection, cb: codebook.Codebook) -> list[Target]:
    return [t for table, columns in tables(con, REPORT).items() for t in _table_targets(con, cb, table, columns)]
