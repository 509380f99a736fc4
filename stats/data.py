"""The analysis frame: one row per kept respondent, one column per plan variable.

The marts keep multiple-choice boxes and scale batteries long (one row per
respondent × item). The tests want them wide, so the frame is built once per
run in DuckDB (conditional aggregation, set-based) as a temporary table; the
cross-tabulations are then GROUP BY queries on it and the tests that need
individual answers fetch numeric columns as numpy arrays, categorical answers
as the index of their choice (so a million answers cost 8 MB, not a million
Python strings).
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import numpy as np

from stats.errors import StatsError
from stats.plan import Var

FRAME = "stats_frame"
RESPONDENTS = "marts.respondents"

#: Where the long marts keep each kind of item: table, item column, value column, filtered by question?
LONG_MARTS = {
    "place": ("marts.respondent_places", "place_code", "is_selected", False),
    "site": ("marts.respondent_sites", "site_code", "score", False),
    "box": ("marts.respondent_choices", "item_code", "is_selected", True),
    "scale": ("marts.respondent_scales", "item_code", "score", True),
}


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _source(var: Var) -> tuple[str, str, str, bool]:
    return LONG_MARTS.get(var.question_code) or LONG_MARTS[var.kind]


def _item_code(var: Var) -> str:
    return var.name.split("__", 1)[1] if "__" in var.name else var.question_code


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    schema, name = table.split(".")
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?", [schema, name]
    ).fetchall()
    return {r[0] for r in rows}


def require(con: duckdb.DuckDBPyConnection, table: str, columns: Iterable[str]) -> None:
    present = _columns(con, table)
    if not present:
        raise StatsError(f"table {table} is missing from the warehouse: run the dbt stage (make build) first")
    missing = sorted(set(columns) - present)
    if missing:
        raise StatsError(f"table {table} lacks column(s) {', '.join(missing)} that the codebook defines")


def build_frame(con: duckdb.DuckDBPyConnection, variables: Iterable[Var]) -> None:
    """Create the temporary wide frame of these variables (plus respondent_id, wave, a row number)."""
    variables = list(variables)
    wide = [v for v in variables if v.kind in ("single", "number")]
    require(con, RESPONDENTS, ["respondent_id", "wave", *(v.name for v in wide)])
    long_by_table: dict[str, list[Var]] = {}
    for v in variables:
        if v.kind in ("box", "scale"):
            long_by_table.setdefault(_source(v)[0], []).append(v)
    selects = [f"r.{ident(v.name)}" for v in wide]
    joins = []
    for i, (table, members) in enumerate(long_by_table.items()):
        _, item_col, value_col, by_question = _source(members[0])
        require(con, table, ["respondent_id", "wave", item_col, value_col] + (["question_code"] if by_question else []))
        aggregates = []
        for v in members:
            condition = f"{item_col} = {literal(_item_code(v))}"
            if by_question:
                condition += f" AND question_code = {literal(v.question_code)}"
            if v.kind == "box":
                value = f"CASE WHEN {value_col} THEN 'Y' WHEN NOT {value_col} THEN 'N' END"
            else:
                value = f"CAST({value_col} AS DOUBLE)"
            aggregates.append(f"any_value({value}) FILTER (WHERE {condition}) AS {ident(v.name)}")
            selects.append(f"l{i}.{ident(v.name)}")
        joins.append(
            f"LEFT JOIN (SELECT respondent_id, wave, {', '.join(aggregates)} FROM {table} "
            f"GROUP BY respondent_id, wave) AS l{i} USING (respondent_id, wave)"
        )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {FRAME} AS "
        f"SELECT r.respondent_id, r.wave, row_number() OVER (ORDER BY r.wave, r.respondent_id) AS _row"
        + "".join(f", {s}" for s in selects)
        + f" FROM {RESPONDENTS} AS r "
        + " ".join(joins)
    )


def waves(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(f"SELECT DISTINCT wave FROM {FRAME} WHERE wave IS NOT NULL ORDER BY 1").fetchall()
    return [r[0] for r in rows]


def asked_condition(var: Var) -> str:
    """SQL condition selecting the respondents the question was asked to (codebook skip logic)."""
    if var.asked_if is None:
        return "TRUE"
    question, choice = var.asked_if
    return f"{ident(question)} = {literal(choice)}"


def crosstab_counts(con: duckdb.DuckDBPyConnection, wave: str, row: Var, col: Var) -> tuple[np.ndarray, int]:
    """Counts of (row choice, column choice) among the respondents asked both, in codebook order; and the missing."""
    population = f"wave = ? AND {asked_condition(row)} AND {asked_condition(col)}"
    found = con.execute(
        f"SELECT {ident(row.name)}, {ident(col.name)}, count(*) FROM {FRAME} WHERE {population} GROUP BY ALL",
        [wave],
    ).fetchall()
    rows = {code: i for i, (code, _) in enumerate(row.choices)}
    cols = {code: j for j, (code, _) in enumerate(col.choices)}
    table = np.zeros((len(rows), len(cols)), dtype=np.int64)
    missing = 0
    for r, c, n in found:
        if r is None or c is None:
            missing += n
        elif r not in rows or c not in cols:
            raise StatsError(f"{FRAME}: code {r!r}/{c!r} of {row.name}/{col.name} is not in the codebook")
        else:
            table[rows[r], cols[c]] += n
    return table, missing


def fetch(con: duckdb.DuckDBPyConnection, wave: str, variables: Iterable[Var]) -> dict[str, np.ndarray]:
    """Float arrays, aligned across calls: numbers as such, choices as their index, NaN when missing."""
    variables = list(variables)
    selects = []
    for v in variables:
        if v.choices:
            cases = " ".join(f"WHEN {literal(code)} THEN {i}" for i, (code, _) in enumerate(v.choices))
            selects.append(f"CAST(CASE {ident(v.name)} {cases} END AS DOUBLE) AS {ident(v.name)}")
        else:
            selects.append(f"CAST({ident(v.name)} AS DOUBLE) AS {ident(v.name)}")
    result = con.execute(f"SELECT {', '.join(selects)} FROM {FRAME} WHERE wave = ? ORDER BY _row", [wave]).fetchnumpy()
    return {v.name: np.ma.filled(np.ma.asarray(result[v.name], dtype=float), np.nan) for v in variables}
