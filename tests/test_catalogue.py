"""Every table and column of the published warehouse is described, in DuckDB's catalogue and in dbt docs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

import codebook
from pipeline import docs
from pipeline.catalogue import CODEBOOK_TABLE, source_tables
from stats.results import write_tables

#: The schemas of the warehouse, whoever writes them (dbt, ingest, the checks, the stats stage, the build).
SCHEMAS = {"raw", "codebook", "staging", "intermediate", "marts", "report", "stats", "audit", "app_cache"}

RELATIONS = """
    SELECT schema_name, table_name, comment FROM duckdb_tables()
    WHERE database_name = current_database() AND NOT internal
    UNION ALL
    SELECT schema_name, view_name, comment FROM duckdb_views()
    WHERE database_name = current_database() AND NOT internal
"""
COLUMNS = """
    SELECT schema_name, table_name, column_name, comment FROM duckdb_columns()
    WHERE database_name = current_database() AND NOT internal
"""


def _blank(comment: str | None) -> bool:
    return comment is None or not comment.strip()


def test_every_schema_is_there(sample_con: duckdb.DuckDBPyConnection) -> None:
    schemas = {
        row[0]
        for row in sample_con.execute(
            "SELECT schema_name FROM duckdb_schemas() WHERE database_name = current_database() AND NOT internal"
        ).fetchall()
    }
    assert schemas == SCHEMAS  # a new schema: add it here, and its descriptions


def test_every_table_and_column_has_a_description(sample_con: duckdb.DuckDBPyConnection) -> None:
    relations = sample_con.execute(RELATIONS).fetchall()
    columns = sample_con.execute(COLUMNS).fetchall()
    assert {s for s, _, _ in relations} == SCHEMAS
    missing = [f"{s}.{t}" for s, t, comment in relations if _blank(comment)]
    missing += [f"{s}.{t}.{c}" for s, t, c, comment in columns if _blank(comment)]
    assert not missing, f"{len(missing)} without a description (YAML of the model or source): {missing[:40]}"


def test_source_descriptions_name_real_columns(sample_con: duckdb.DuckDBPyConnection) -> None:
    """A source YAML describes tables and columns that exist: a renamed column must not keep a stale description."""
    present = {(s, t) for s, t, _ in sample_con.execute(RELATIONS).fetchall()}
    columns: dict[tuple[str, str], set[str]] = {}
    for s, t, c, _ in sample_con.execute(COLUMNS).fetchall():
        columns.setdefault((s, t), set()).add(c)
    declared = source_tables()
    assert {t.schema for t in declared} >= {"raw", "stats", "audit"}
    stale = [f"{t.schema}.{t.name}" for t in declared if (t.schema, t.name) not in present]
    stale += [
        f"{t.schema}.{t.name}.{c}" for t in declared for c in t.columns if c not in columns.get((t.schema, t.name), ())
    ]
    assert not stale
    # raw.responses: the YAML lists the lineage and metadata; every other column is a codebook variable.
    responses = next(t for t in declared if (t.schema, t.name) == CODEBOOK_TABLE)
    variables = {v.name for v in codebook.load().variables()}
    assert columns[CODEBOOK_TABLE] - set(responses.columns) == variables


def test_raw_answers_are_described_from_the_codebook(sample_con: duckdb.DuckDBPyConnection) -> None:
    comments = dict(
        sample_con.execute(
            "SELECT column_name, comment FROM duckdb_columns() WHERE schema_name = 'raw' AND table_name = 'responses'"
        ).fetchall()
    )
    book = codebook.load()
    post_title = book.question("post_title")
    assert comments["post_title"].startswith(f"{post_title.label_fr} (single) : {post_title.wording_fr}")
    for choice in post_title.choices:  # the code list, so a filter on a code that does not exist shows
        assert f"{choice.choice_code} = {choice.label_fr}" in comments["post_title"]
    assert "Pôle emploi (France Travail from wave 2024)" in comments["site__pole_emploi"]
    assert "Y = ticked" in comments["place__mairie"]
    assert "Asked from wave 2024" in comments["ai_tools"]


def test_stats_keep_their_descriptions_when_recomputed(sample_warehouse: Path, tmp_path: Path) -> None:
    """``make stats`` replaces the stats schema whole: its tables come back described."""
    copy = tmp_path / sample_warehouse.name
    shutil.copyfile(sample_warehouse, copy)
    con = duckdb.connect(str(copy))
    try:
        write_tables(con, {})
        blank = con.execute(
            """SELECT table_name, column_name FROM duckdb_columns()
               WHERE schema_name = 'stats' AND coalesce(trim(comment), '') = ''"""
        ).fetchall()
        tables = con.execute("SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'stats'").fetchall()
    finally:
        con.close()
    assert not blank
    assert len(tables) == 5 and all(comment for _, comment in tables)


def test_docs_need_a_published_warehouse(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "survey.duckdb"
    assert docs.main(["--warehouse", str(missing), "--no-serve"]) == 1
    assert "run 'make build' first" in capsys.readouterr().err
    assert not missing.exists() and not (tmp_path / "docs").exists()  # never an empty file


def test_docs_cover_every_schema(sample_warehouse: Path, tmp_path: Path) -> None:
    """dbt docs generated for real on a copy of the sample: every relation of every schema, every column described."""
    before = sample_warehouse.stat()
    out = docs.generate(sample_warehouse, tmp_path / "docs", log=lambda _msg: None)
    after = sample_warehouse.stat()
    assert (before.st_mtime_ns, before.st_size) == (after.st_mtime_ns, after.st_size)
    assert not (out / docs.COPY_FOLDER).exists()
    catalog = json.loads((out / "catalog.json").read_text(encoding="utf-8"))
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert not catalog.get("errors")
    documented = {
        (entry["metadata"]["schema"], entry["metadata"]["name"]): (section, unique_id)
        for section in ("nodes", "sources")
        for unique_id, entry in catalog[section].items()
    }
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    try:
        relations = {(s, t) for s, t, _ in con.execute(RELATIONS).fetchall()}
    finally:
        con.close()
    assert {s for s, _ in relations} == SCHEMAS
    assert relations <= set(documented), f"not in the dbt docs: {sorted(relations - set(documented))}"
    undescribed = []
    for (schema, name), (section, unique_id) in documented.items():
        node = manifest[section][unique_id]
        if _blank(node.get("description")):
            undescribed.append(f"{schema}.{name}")
        described = {c.lower() for c, column in node["columns"].items() if not _blank(column.get("description"))}
        undescribed += [
            f"{schema}.{name}.{c['name']}"
            for c in catalog[section][unique_id]["columns"].values()
            if c["name"].lower() not in described
        ]
    assert not undescribed, undescribed[:40]
    static = (out / "static_index.html").read_text(encoding="utf-8")
    assert "MANIFEST.JSON INLINE DATA" not in static and '"source.survey.stats.tests"' in static
