"""Descriptions of the tables written in Python (``raw``, ``stats``, ``audit``), as DuckDB comments.

The descriptions of dbt's models and seeds are read from the manifest of
the build's dbt run and applied the same way (:func:`model_tables`): dbt's
``persist_docs`` would do it one statement per column, and it does not do it
for sources at all. The tables that ingest, the checks, the stats
stage and the build write are declared as dbt sources with their descriptions
(``dbt_project/models/**/_*__sources.yml``): that YAML is the one place they
are written, read by ``dbt docs`` and applied here as ``COMMENT ON`` by the
build, just before it publishes (and by the stats stage on its own schema,
which it replaces whole).

``raw.responses`` has one column per codebook variable: those are described
from the codebook (question, item, wording, and the codes a column takes with
their labels), like the ``comment_codebook_columns`` macro does for the dbt
models, never retyped in YAML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

import codebook
from ingest.answers import OTHER_CODE

MODELS_DIR = Path(__file__).resolve().parent.parent / "dbt_project" / "models"
#: The source table whose columns, beyond those its YAML lists, are the codebook's variables.
CODEBOOK_TABLE = ("raw", "responses")


@dataclass(frozen=True)
class DescribedTable:
    """A table and its columns with their descriptions: from a source YAML, or from a dbt manifest."""

    schema: str
    name: str
    description: str
    columns: dict[str, str]


def source_tables(models_dir: Path = MODELS_DIR) -> list[DescribedTable]:
    """Every table of every dbt source declared under ``models_dir``, with its descriptions."""
    tables = []
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for path in sorted(models_dir.rglob("*.yml")):
        text = path.read_text(encoding="utf-8")
        if not re.search(r"^sources:", text, re.MULTILINE):
            continue  # the models' YAML (the large part) declares no source
        document = yaml.load(text, Loader=loader) or {}
        for source in document.get("sources") or []:
            schema = source.get("schema") or source["name"]
            for table in source.get("tables") or []:
                tables.append(
                    DescribedTable(
                        schema=schema,
                        name=table.get("identifier") or table["name"],
                        description=_text(table.get("description")),
                        columns={c["name"]: _text(c.get("description")) for c in table.get("columns") or []},
                    )
                )
    return tables


def model_tables(manifest_path: Path) -> list[DescribedTable]:
    """Every model and seed of a dbt run's manifest, with the descriptions of its YAML.

    The build applies them in one pass once dbt is done, instead of dbt's ``persist_docs``, which sends one
    statement per column through its adapter (two hundred round trips, a tenth of the sample's dbt stage).
    """
    import json

    nodes = json.loads(manifest_path.read_text(encoding="utf-8"))["nodes"]
    return [
        DescribedTable(
            schema=node["schema"],
            name=node.get("alias") or node["name"],
            description=_text(node.get("description")),
            columns={name: _text(c.get("description")) for name, c in (node.get("columns") or {}).items()},
        )
        for node in nodes.values()
        if node["resource_type"] in ("model", "seed")
    ]


def _text(description: str | None) -> str:
    return " ".join((description or "").split())


def codebook_comments(book: codebook.Codebook | None = None) -> dict[str, str]:
    """A comment per column of ``raw.responses`` named after a codebook variable.

    The head is the one ``comment_codebook_columns`` (dbt_project/macros/codebook.sql) gives the typed
    columns downstream: question label — item label (type) : wording. What follows says what the raw text
    holds (the codes of a single choice with their labels, a tick, a scale point, a number) and, for a
    column some waves did not ask, which ones did.
    """
    book = book or codebook.load()
    comments = {}
    for v in book.variables():
        q = v.question
        if v.is_other:
            item = " — Autre (précisez)"
        elif v.item:
            item = f" — {v.item.label_fr}{_relabels(v.item.editions)}"
        else:
            item = ""
        comments[v.name] = f"{q.label_fr}{item} ({q.type}) : {q.wording_fr} | {_raw_values(v)}{_asked(v)}"
    return comments


def _raw_values(v: codebook.Variable) -> str:
    q = v.question
    if v.is_other:
        other = next((c for c in q.choices if c.choice_code == OTHER_CODE), None)
        label = other.label_fr if other else "Autre"
        return f"Raw text: what the respondent typed for the answer {OTHER_CODE} ({label})."
    if q.type == "single":
        codes = "; ".join(
            f"{c.choice_code} = {c.label_fr}{_relabels(c.editions)}{_span(c.editions, ' (asked {})')}"
            for c in q.choices
        )
        return f"Raw text, the answer code: {codes}; empty = no answer."
    if q.type == "multi":
        return "Raw text: Y = ticked; empty = not ticked, or not asked."
    if q.type == "scale":
        low, high = _number(q.min_value), _number(q.max_value)
        return f"Raw text: a point from {low} to {high} (see the wording); empty = no answer."
    if q.type == "number":
        bounds = f" (plausible: {_number(q.min_value)} to {_number(q.max_value)})" if q.min_value is not None else ""
        return f"Raw text: the number as typed{bounds}; empty = no answer."
    return "Raw text as typed."


def _number(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"


def _relabels(editions: codebook.Editions) -> str:
    return "".join(f" ({label} from wave {wave})" for wave, label in editions.relabels)


def _span(editions: codebook.Editions, template: str = "{}") -> str:
    """The waves an edition bound limits a question, item or choice to ('' when every wave asked it)."""
    first, last = editions.first_wave, editions.last_wave
    if first and last:
        return template.format(f"in waves {first} to {last}")
    if first:
        return template.format(f"from wave {first}")
    if last:
        return template.format(f"until wave {last}")
    return ""


def _asked(v: codebook.Variable) -> str:
    item = v.item.editions if v.item else None
    editions = item if item and (item.first_wave or item.last_wave) else v.question.editions
    return _span(editions, " Asked {}; empty in the other waves.")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _name(*parts: str) -> str:
    return ".".join('"' + p.replace('"', '""') + '"' for p in parts)


def apply_comments(
    con: duckdb.DuckDBPyConnection,
    schemas: Iterable[str] | None = None,
    models_dir: Path = MODELS_DIR,
    tables: Iterable[DescribedTable] = (),
) -> int:
    """Comment every source table present in the database (of ``schemas``, default all) and its columns,
    and every one of ``tables`` (the models and seeds of the build's dbt run, :func:`model_tables`).

    A table or column the YAML does not describe is left as it is (tests/test_catalogue.py names it);
    a declared table the database does not hold (``stats`` before the stats stage) is passed over.
    Returns the number of comments written.
    """
    wanted = None if schemas is None else set(schemas)
    relations = {
        (schema, table): kind
        for schema, table, kind in con.execute(
            """SELECT schema_name, table_name, 'TABLE' FROM duckdb_tables() WHERE database_name = current_database()
               UNION ALL
               SELECT schema_name, view_name, 'VIEW' FROM duckdb_views()
               WHERE database_name = current_database() AND NOT internal"""
        ).fetchall()
    }
    columns: dict[tuple[str, str], list[str]] = {}
    for schema, table, column in con.execute(
        """SELECT schema_name, table_name, column_name FROM duckdb_columns()
           WHERE database_name = current_database() ORDER BY column_index"""
    ).fetchall():
        columns.setdefault((schema, table), []).append(column)
    from_codebook: dict[str, str] | None = None
    statements = []
    for t in [*source_tables(models_dir), *tables]:
        key = (t.schema, t.name)
        if (wanted is not None and t.schema not in wanted) or key not in relations:
            continue
        if t.description:
            statements.append(f"COMMENT ON {relations[key]} {_name(*key)} IS {_literal(t.description)}")
        for column in columns.get(key, []):
            text = t.columns.get(column)
            if not text and key == CODEBOOK_TABLE:
                from_codebook = from_codebook if from_codebook is not None else codebook_comments()
                text = from_codebook.get(column)
            if text:
                statements.append(f"COMMENT ON COLUMN {_name(*key, column)} IS {_literal(text)}")
    for statement in statements:
        con.execute(statement)
    return len(statements)

