"""What an export writes, as ordered SQL over the warehouse: the two respondent-level tables and the report's.

Every query sorts its rows completely (waves in fieldwork order, then the questionnaire's order, then every
column), so two exports of one build write the same rows in the same order: the first condition of
byte-identical files. Counts that DuckDB sums into 128-bit integers are cast to BIGINT, which every client and
file format reads as an ordinary integer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

#: Report tables and figures: ``t01_post_titles`` … ``t13_…``, ``f1_…`` … ``f6_…``.
_NUMBERED = re.compile(r"^(?P<kind>[tf])(?P<number>\d+)_")
#: Report relations exported beside the numbered ones; the comparison only when two waves or more are exported.
REPORT_FIGURES = "figures"
REPORT_COMPARISON = "wave_comparison"
#: 128-bit integers, read as BIGINT (counts never come near 2^63).
_WIDE_INTEGERS = {"HUGEINT", "UHUGEINT"}


@dataclass(frozen=True)
class Relation:
    """A warehouse table or view to export, with its description (dbt's, persisted as a DuckDB comment)."""

    schema: str
    name: str
    comment: str | None

    @property
    def qualified(self) -> str:
        return f"{quote_identifier(self.schema)}.{quote_identifier(self.name)}"


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def columns(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> list[tuple[str, str]]:
    """(name, DuckDB type) of every column of a table or view, in its order."""
    return con.execute(
        "select column_name, data_type from duckdb_columns() where schema_name = ? and table_name = ? "
        "order by column_index",
        [schema, name],
    ).fetchall()


def report_relations(con: duckdb.DuckDBPyConnection, waves: Sequence[str]) -> list[Relation]:
    """The report's tables (T1…), figures (F1…), every published figure, and the wave comparison if waves > 1."""
    rows = con.execute(
        "select table_name, comment from duckdb_tables() where schema_name = 'report' "
        "union all select view_name, comment from duckdb_views() where schema_name = 'report'"
    ).fetchall()
    comments = dict(rows)

    def numbered_key(name: str) -> tuple[int, int]:
        match = _NUMBERED.match(name)
        assert match is not None
        return (0 if match["kind"] == "t" else 1, int(match["number"]))

    numbered = sorted((n for n in comments if _NUMBERED.match(n)), key=numbered_key)
    extra = [REPORT_FIGURES] + ([REPORT_COMPARISON] if len(waves) > 1 else [])
    return [Relation("report", n, comments[n]) for n in [*numbered, *extra] if n in comments]


def sheet_key(name: str) -> tuple[str, int] | None:
    """('T', 1) for ``t01_post_titles``, ('F', 6) for ``f6_sites_by_ccas``; None for other report relations."""
    match = _NUMBERED.match(name)
    return (match["kind"].upper(), int(match["number"])) if match else None


def _wave_rank(column: str, waves: Sequence[str]) -> str:
    listed = ", ".join(quote_literal(w) for w in waves)
    return f"list_position([{listed}], {quote_identifier(column)})"


def ordered_select(
    con: duckdb.DuckDBPyConnection,
    relation: Relation,
    waves: Sequence[str],
    lead: Sequence[str] = (),
) -> str:
    """``select`` every column of ``relation`` (wide integers as BIGINT), rows of ``waves`` only, fully ordered.

    Rows are ordered by ``lead`` (SQL expressions) if given, then waves in fieldwork order, figure ids in the
    report's order (T1…T13, then F1…), position columns, and finally every column, so no two distinct rows can
    come out in either order.
    """
    cols = columns(con, relation.schema, relation.name)
    names = [c for c, _ in cols]
    select = ", ".join(
        f"cast({quote_identifier(c)} as BIGINT) as {quote_identifier(c)}" if t in _WIDE_INTEGERS
        else quote_identifier(c)
        for c, t in cols
    )
    wave_columns = [c for c in names if c == "wave" or re.fullmatch(r"wave_\d+", c)]
    where = " and ".join(
        f"{quote_identifier(c)} in ({', '.join(quote_literal(w) for w in waves)})" for c in wave_columns
    )
    keys = [*lead, *(_wave_rank(c, waves) for c in wave_columns)]
    if "figure_id" in names:
        keys += ["case left(figure_id, 1) when 'T' then 0 when 'F' then 1 else 2 end",
                 "try_cast(substr(figure_id, 2) as integer)"]
    keys += [quote_identifier(c) for c in names if c.endswith("position")]
    keys += [quote_identifier(c) for c in names]
    sql = f"select {select} from {relation.qualified}"
    if where:
        sql += f" where {where}"
    return f"{sql} order by {', '.join(keys)}"


RESPONDENTS = Relation("marts", "respondents_wide", None)
ANSWERS = Relation("marts", "answers", None)


def respondents_select(con: duckdb.DuckDBPyConnection, waves: Sequence[str]) -> str:
    """The kept respondents, wide: one row per respondent, by wave then respondent id."""
    return ordered_select(con, RESPONDENTS, waves, lead=[_wave_rank("wave", waves), "respondent_id"])


def answers_select(con: duckdb.DuckDBPyConnection, waves: Sequence[str], question_order: Sequence[str]) -> str:
    """Every answer, long: by wave, respondent, then question and item in the questionnaire's order."""
    questions = ", ".join(quote_literal(q) for q in question_order)
    return ordered_select(con, ANSWERS, waves, lead=[
        _wave_rank("wave", waves), "respondent_id", f"list_position([{questions}], question_code)",
        "item_position", "item_code",
    ])
