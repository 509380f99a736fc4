"""Ingest a raw folder into the ``raw`` schema of a DuckDB file, all or nothing."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import duckdb

from ingest.load import FileReport, create_raw_schema, load_file, load_waves, number_rows
from ingest.manifest import discover


def ingest(raw_dir: Path, db_path: Path, loaded_at: dt.datetime | None = None) -> list[FileReport]:
    """Load every export of ``raw_dir`` into ``db_path``'s ``raw`` schema.

    The schema is replaced inside one transaction: a file that fails leaves
    the database as it was, and the caller (the build) discards it anyway.
    Records are numbered (``source_row``) just after that transaction, see
    :func:`ingest.load.number_rows`.
    """
    exports, waves = discover(raw_dir)
    loaded_at = loaded_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con = duckdb.connect(str(db_path))
    try:
        con.execute("BEGIN")
        con.execute("DROP SCHEMA IF EXISTS raw CASCADE")
        create_raw_schema(con)
        load_waves(con, waves)
        with tempfile.TemporaryDirectory(dir=db_path.parent) as workdir:
            reports = [load_file(con, export, loaded_at, Path(workdir)) for export in exports]
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        con.close()
        raise
    try:
        number_rows(con)
    finally:
        con.close()
    return reports


def describe(report: FileReport) -> str:
    """One line per file, for the build log."""
    text = f"{report.export.path.name} (wave {report.export.wave}, {report.file_format}"
    if report.encoding:
        text += f", {report.encoding}, sep {report.delimiter!r}"
    text += f"): {report.rows_loaded} rows loaded"
    if report.rows_rejected:
        text += f", {report.rows_rejected} rejected (see raw.rejected_rows)"
    if report.ignored_columns:
        text += f"; {len(report.ignored_columns)} heading(s) not in the codebook ignored: " + ", ".join(
            report.ignored_columns[:5]
        )
    return text
