"""Read what the checks need from the build file, as pandas frames.

Only the columns a suite checks are read, one wave at a time, so the gate
stays fast on a few hundred rows and on many waves alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import duckdb
import pandas as pd

from checks.specs import STACKED_INTO

#: Every connection, typed, with its cleaning rule (NULL: kept).
CLASSIFIED = "intermediate.int_responses_classified"
RAW = "raw.responses"
RESPONDENTS = "marts.respondents"


def q(name: str) -> str:
    """Quote an identifier for DuckDB."""
    return '"' + name.replace('"', '""') + '"'


def waves(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Waves that have connections in this build."""
    return [r[0] for r in con.execute(f"SELECT DISTINCT wave FROM {RAW} ORDER BY wave").fetchall()]


def read(con: duckdb.DuckDBPyConnection, sql: str, params: Iterable[object] = ()) -> pd.DataFrame:
    return con.execute(sql, list(params)).df()


def tables(con: duckdb.DuckDBPyConnection, schema: str) -> dict[str, list[str]]:
    """Tables (and views) of a schema with their columns, in column order."""
    rows = con.execute(
        """SELECT table_name, column_name FROM information_schema.columns
           WHERE table_schema = ? ORDER BY table_name, ordinal_position""",
        [schema],
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


def stacked(
    con: duckdb.DuckDBPyConnection, source: str, params: Iterable[object], ids: Iterable[str], parts: Iterable[Part]
) -> pd.DataFrame:
    """One row per source row × part where the part applies, with the part's value in its
    question's column (NULL in the others) and the warehouse column it came from in ``column``.

    Expectations that ignore NULLs (between, in set, null) then run once per question, while the
    offending rows still name their exact column.
    """
    ids = list(ids)
    id_sql = ", ".join(q(c) for c in ids)
    selects = [
        f"SELECT {id_sql}, '{p.column}' AS \"column\", '{p.into}' AS {STACKED_INTO}, {p.value} AS {q(p.into)} "
        f"FROM source WHERE {p.where}"
        for p in parts
    ]
    if not selects:
        return pd.DataFrame(columns=[*ids, "column", STACKED_INTO])
    union = " UNION ALL BY NAME ".join(selects)
    order = ", ".join([id_sql, '"column"'])
    return read(con, f"WITH source AS ({source}) SELECT * FROM ({union}) ORDER BY {order}", params)
