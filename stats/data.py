"""The analysis frame: one row per kept respondent, one column per plan variable.

The tests want one column per question or item. The marts keep boxes and
batteries long (one row per respondent × item, ~35 million rows at a million
respondents), and pivoting them back cost ~7 s at that size; dbt's
``intermediate.int_responses_classified`` holds the same typed answers wide
(the marts are its kept rows, unpivoted for the respondents each question was
asked to, and the stats apply the same codebook conditions, see
:func:`asked_condition`). So the frame is one filtered scan of that table,
kept as a temporary table in the scan's order (DuckDB preserves insertion
order), which makes every later query deterministic. The cross-tabulations
and the two-group comparisons are GROUP BY queries on it (counts of each
answer, small whatever the number of respondents); only the tests that need
individual answers (several groups, regression) fetch their columns as numpy
arrays, categorical answers as the index of their choice (so a million
answers cost 8 MB, not a million Python strings).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import duckdb
import numpy as np

from stats.counts import Counts
from stats.errors import StatsError
from stats.plan import Var

FRAME = "stats_frame"
#: Every connection, typed and wide; kept respondents have no exclusion reason.
WIDE = "intermediate.int_responses_classified"
KEPT = "exclusion_reason IS NULL"


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


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


def codes(var: Var) -> list[str]:
    return [code for code, _ in var.choices]


def enum_type(var: Var) -> str:
    """The DuckDB ENUM of a categorical variable's codes, in codebook order (so ``enum_code`` is the choice index)."""
    return f"ENUM({', '.join(map(literal, codes(var)))})"


def _codes(var: Var) -> str:
    """The variable's answer as codebook codes (boxes are booleans in the wide table)."""
    if var.kind == "box":
        (ticked, _), (unticked, _) = var.choices
        column = ident(var.name)
        return f"CASE WHEN {column} THEN {literal(ticked)} WHEN NOT {column} THEN {literal(unticked)} END"
    return ident(var.name)


def check_codes(con: duckdb.DuckDBPyConnection, variables: list[Var]) -> None:
    """Refuse a categorical answer the codebook does not list, naming the column and the code."""
    categorical = [v for v in variables if v.choices and v.kind != "box"]
    if not categorical:
        return
    checks = [
        f"any_value({ident(v.name)}) FILTER (WHERE {ident(v.name)} NOT IN ({', '.join(map(literal, codes(v)))}))"
        for v in categorical
    ]
    found = con.execute(f"SELECT {', '.join(checks)} FROM {WIDE} WHERE {KEPT}").fetchone()
    bad = [(v, code) for v, code in zip(categorical, found, strict=True) if code is not None]
    if bad:
        raise StatsError(
            f"{WIDE}: "
            + "; ".join(f"column {v.name} holds code {code!r}, which the codebook does not list" for v, code in bad)
        )


def build_frame(con: duckdb.DuckDBPyConnection, variables: Iterable[Var]) -> None:
    """Create the temporary wide frame of these variables (plus respondent_id and wave), kept respondents only.

    Categorical answers are stored as ENUMs of their codebook codes: they
    compare with codes in SQL, while grouping by them costs what grouping by
    small integers does (a third of the time of text, at a million rows).
    """
    variables = list(variables)
    require(con, WIDE, ["respondent_id", "wave", "exclusion_reason", *(v.name for v in variables if not v.expression)])
    check_codes(con, variables)
    selects = [
        f"CAST({_codes(v)} AS {enum_type(v)}) AS {ident(v.name)}" if v.choices
        else f"{v.expression} AS {ident(v.name)}" if v.expression
        else ident(v.name)
        for v in variables
    ]
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {FRAME} AS SELECT respondent_id, wave"
        + "".join(f", {s}" for s in selects)
        + f" FROM {WIDE} WHERE {KEPT}"
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
        else:
            table[rows[r], cols[c]] += n
    return table, missing


def choice_index(var: Var) -> str:
    """SQL for the index of the answer among the variable's choices (codebook order); NULL when missing."""
    return f"enum_code({ident(var.name)})"


@dataclass(frozen=True)
class GroupedCounts:
    """A numeric answer's value counts in each group of one grouping variable."""

    by_choice: tuple[Counts, ...]  # in the order of the grouping variable's choices
    n_missing: int  # asked both questions, but the answer or the group is missing


def grouped_counts(
    con: duckdb.DuckDBPyConnection, wave: str, outcome: Var, groups: Iterable[Var]
) -> dict[str, GroupedCounts]:
    """The outcome's value counts by choice of each grouping variable, among the respondents asked both.

    One scan of the frame per outcome: the respondents asked the outcome are
    counted by (answer, choice of every grouping variable, whether they were
    asked it); each grouping's own table is then a sum over that small table.
    """
    groups = list(groups)
    keys = [f"{choice_index(g)} AS g{j}" for j, g in enumerate(groups)]
    keys += [f"{asked_condition(g)} AS asked{j}" for j, g in enumerate(groups) if g.asked_if]
    result = con.execute(
        f"SELECT CAST({ident(outcome.name)} AS DOUBLE) AS y, {', '.join(keys)}, count(*) AS n FROM {FRAME} "
        f"WHERE wave = ? AND {asked_condition(outcome)} GROUP BY ALL",
        [wave],
    ).fetchnumpy()
    y = np.ma.asarray(result["y"])
    n = np.asarray(result["n"], dtype=np.int64)
    out = {}
    for j, g in enumerate(groups):
        choice = np.ma.asarray(result[f"g{j}"]).astype(np.int64)
        asked = np.ma.asarray(result[f"asked{j}"]).filled(False) if g.asked_if else np.ones(n.size, dtype=bool)
        answered = asked & ~np.ma.getmaskarray(y) & ~np.ma.getmaskarray(choice)
        values, index = y.filled(np.nan), choice.filled(-1)
        out[g.name] = GroupedCounts(
            by_choice=tuple(
                Counts.tally(values[answered & (index == i)], n[answered & (index == i)]) for i in range(len(g.choices))
            ),
            n_missing=int(n[asked & ~answered].sum()),
        )
    return out


def fetch(con: duckdb.DuckDBPyConnection, wave: str, variables: Iterable[Var]) -> dict[str, np.ndarray]:
    """Float arrays in the frame's order: numbers as such, choices as their index, NaN when missing."""
    variables = list(variables)
    selects = []
    for v in variables:
        if v.choices:
            selects.append(f"CAST({choice_index(v)} AS DOUBLE) AS {ident(v.name)}")
        else:
            selects.append(f"CAST({ident(v.name)} AS DOUBLE) AS {ident(v.name)}")
    result = con.execute(f"SELECT {', '.join(selects)} FROM {FRAME} WHERE wave = ?", [wave]).fetchnumpy()
    return {v.name: np.ma.filled(np.ma.asarray(result[v.name], dtype=float), np.nan) for v in variables}
