"""Read what the checks need from the build file, as small pandas frames.

Only the columns a suite checks are read, one wave at a time, and DuckDB
does the set work (distinct values and their counts, duplicates, orphans),
so that the frames handed to Great Expectations stay small from a few
hundred respondents to millions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import duckdb
import pandas as pd

from checks.specs import ROW_COUNT, STACKED_INTO, Rows

#: Every connection, typed, with its cleaning rule (NULL: kept).
CLASSIFIED = "intermediate.int_responses_classified"
RAW = "raw.responses"
RESPONDENTS = "marts.respondents"


def q(name: str) -> str:
    """Quote an identifier for DuckDB."""
    return '"' + name.replace('"', '""') + '"'


def waves(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every wave of this build: declared (``raw.waves``) or with connections, so that a declared wave
    that loaded nothing is checked too (its sample size fails) instead of being skipped."""
    return [
        r[0]
        for r in con.execute(
            f"SELECT wave FROM raw.waves UNION SELECT DISTINCT wave FROM {RAW} ORDER BY wave"
        ).fetchall()
    ]


def read(con: duckdb.DuckDBPyConnection, sql: str, params: Iterable[object] | dict[str, object] = ()) -> pd.DataFrame:
    return con.execute(sql, params if isinstance(params, dict) else list(params)).df()


def tables(con: duckdb.DuckDBPyConnection, schema: str, views: bool = True) -> dict[str, list[str]]:
    """Tables (and, unless ``views`` is false, views) of a schema with their columns, in column order."""
    rows = con.execute(
        """SELECT c.table_name, c.column_name FROM information_schema.columns AS c
           JOIN information_schema.tables AS t USING (table_catalog, table_schema, table_name)
           WHERE c.table_schema = ? AND (? OR t.table_type = 'BASE TABLE')
           ORDER BY c.table_name, c.ordinal_position""",
        [schema, views],
    ).fetchall()
    out: dict[str, list[str]] = {}
    for table, column in rows:
        out.setdefault(table, []).append(column)
    return out


@dataclass(frozen=True)
class Part:
    """One warehouse column stacked into a check frame (see :func:`stacked`)."""

    column: str
    #: Frame column the value lands in: one per question, so one expectation covers its items.
    into: str
    #: SQL of the value, over the ``source`` relation.
    value: str
    #: SQL predicate: the rows of ``source`` this column is checked on.
    where: str = "true"


def _stacked_sql(ids: Iterable[str], parts: list[Part]) -> str:
    """One row per ``source`` row × part where the part applies, with the part's value in its
    question's column (NULL in the others) and the warehouse column it came from in ``column``."""
    id_sql = "".join(f"{q(c)}, " for c in ids)
    return " UNION ALL BY NAME ".join(
        f"SELECT {id_sql}'{p.column}' AS \"column\", '{p.into}' AS {STACKED_INTO}, {p.value} AS {q(p.into)} "
        f"FROM source WHERE {p.where}"
        for p in parts
    )


def counted(
    con: duckdb.DuckDBPyConnection,
    source: str,
    params: Iterable[object],
    ids: Iterable[str],
    parts: Iterable[Part],
    order: Iterable[str] | None = None,
    materialized: bool = False,
) -> tuple[pd.DataFrame, Rows]:
    """The stacked rows of ``parts`` over ``source``, counted: one frame row per part and distinct
    value, with its number of rows in ``row_count``; and where the rows themselves are.

    Expectations that ignore NULLs (between, in set, null) then run once per question on a frame
    of a few hundred rows at most, whatever the number of respondents, while a failure can
    still look up its offending rows and name their exact column (see :func:`offending_rows`).
    ``materialized``: compute ``source`` (a join) once for all parts rather than scan it per part.
    """
    ids, parts, params = list(ids), list(parts), tuple(params)
    rows = Rows(
        f"WITH source AS ({source}) {_stacked_sql(ids, parts)}" if parts else "",
        params,
        tuple(order) if order is not None else (*ids, "column"),
    )
    if not parts:
        return pd.DataFrame(columns=["column", STACKED_INTO, ROW_COUNT]), rows
    union = " UNION ALL BY NAME ".join(
        f"SELECT '{p.column}' AS \"column\", '{p.into}' AS {STACKED_INTO}, {p.value} AS {q(p.into)}, "
        f"count(*) AS {ROW_COUNT} FROM source WHERE {p.where} GROUP BY ALL"
        for p in parts
    )
    if not materialized:
        frame = read(con, f"WITH source AS NOT MATERIALIZED ({source}) SELECT * FROM ({union}) ORDER BY ALL", params)
        return frame, rows
    # Computed once, but only its rows with a value (usually none): the others are counted, not kept.
    applies = ", ".join(f"count(*) FILTER (WHERE {p.where})" for p in parts)
    totals = con.execute(f"WITH source AS ({source}) SELECT {applies} FROM source", params).fetchone() or ()
    hits = " OR ".join(f"(({p.where}) AND ({p.value}) IS NOT NULL)" for p in parts)
    frame = read(
        con,
        f"WITH source AS MATERIALIZED (SELECT * FROM ({source}) WHERE {hits}) SELECT * FROM ({union}) ORDER BY ALL",
        params,
    )
    return _with_null_rows(frame, parts, [int(t) for t in totals]), rows


def _with_null_rows(frame: pd.DataFrame, parts: list[Part], totals: list[int]) -> pd.DataFrame:
    """Add to each part's NULL value the rows it applies to that ``frame`` does not count."""
    missing = []
    for p, total in zip(parts, totals, strict=True):
        mine = frame["column"] == p.column
        extra = total - int(frame.loc[mine, ROW_COUNT].sum())
        null = mine & frame[p.into].isna()
        if extra and null.any():
            frame.loc[null, ROW_COUNT] += extra
        elif extra:
            missing.append({"column": p.column, STACKED_INTO: p.into, ROW_COUNT: extra})
    if not missing:
        return frame
    return pd.concat([frame, pd.DataFrame(missing)], ignore_index=True).sort_values(["column", STACKED_INTO])


def offending_rows(
    con: duckdb.DuckDBPyConnection,
    rows: Rows,
    question: str,
    id_columns: Iterable[str],
    values: list[tuple[str, object]],
    limit: int,
) -> list[dict[str, object]]:
    """The first ``limit`` rows (in ``rows.order``) holding one of the unexpected (column, value)
    pairs of ``question``: their id columns and value."""
    if not values or not rows.sql:
        return []
    pairs = ", ".join("(?, ?)" for _ in values)
    select = ", ".join(q(c) for c in [*id_columns, question])
    sql = (
        f"SELECT {select} FROM ({rows.sql}) AS stacked "
        f'WHERE {STACKED_INTO} = ? AND ("column", {q(question)}) IN (VALUES {pairs}) '
        f"ORDER BY {', '.join(q(c) for c in rows.order)} LIMIT {int(limit)}"
    )
    cursor = con.execute(sql, [*rows.params, question, *(x for pair in values for x in pair)])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
