"""Load exports into the ``raw`` schema, every value as text, with lineage.

``raw.responses`` has one row per connection of every export, its columns
named after the codebook (see :mod:`codebook`) plus lineage: ``source_file``,
``source_sha256``, ``source_row`` (1-based position among the file's parsed
records), ``wave`` and ``loaded_at``. ``source_row`` is set from DuckDB's
``rowid`` once a file is in: the connection keeps insertion order, so rowids
follow the file, and numbering rows while reading (``row_number() OVER ()``)
would make DuckDB hold the whole export in a window, doubling the load time. Records the CSV parser cannot split into
the heading's columns go to ``raw.rejected_rows`` with DuckDB's reason;
``raw.files`` says what was read from where, ``raw.waves`` the settings each
wave was cleaned with.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

import codebook
from ingest import readers
from ingest.errors import ExportError
from ingest.headings import HeadingMap, map_headings
from ingest.manifest import ExportFile

LINEAGE_COLUMNS = ("source_file", "source_sha256", "source_row", "wave", "loaded_at")


@dataclass
class FileReport:
    export: ExportFile
    sha256: str
    file_format: str
    encoding: str | None = None
    delimiter: str | None = None
    rows_loaded: int = 0
    rows_rejected: int = 0
    ignored_columns: list[str] = field(default_factory=list)


def _q(name: str) -> str:
    """Quote an identifier for DuckDB (export headings hold brackets)."""
    return '"' + name.replace('"', '""') + '"'


def response_columns() -> list[str]:
    return list(codebook.METADATA_COLUMNS) + [v.name for v in codebook.load().variables()]


def create_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    answers = ",\n  ".join(f"{_q(c)} VARCHAR" for c in response_columns())
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute(
        f"""CREATE TABLE raw.responses (
  source_file VARCHAR NOT NULL, source_sha256 VARCHAR NOT NULL, source_row INTEGER NOT NULL,
  wave VARCHAR NOT NULL, loaded_at TIMESTAMP NOT NULL,
  {answers})"""
    )
    con.execute(
        """CREATE TABLE raw.files (
  source_file VARCHAR, source_sha256 VARCHAR, wave VARCHAR, file_format VARCHAR, encoding VARCHAR,
  delimiter VARCHAR, rows_loaded INTEGER, rows_rejected INTEGER, ignored_columns VARCHAR[], loaded_at TIMESTAMP)"""
    )
    con.execute(
        """CREATE TABLE raw.rejected_rows (
  source_file VARCHAR, source_sha256 VARCHAR, wave VARCHAR, source_line BIGINT, error_type VARCHAR,
  error_message VARCHAR, raw_text VARCHAR, loaded_at TIMESTAMP)"""
    )
    con.execute(
        """CREATE TABLE raw.waves (
  wave VARCHAR, label_fr VARCHAR, fieldwork_start DATE, fieldwork_end DATE, min_respondents INTEGER,
  max_respondents INTEGER, min_eadmin INTEGER, max_eadmin INTEGER)"""
    )


def load_waves(con: duckdb.DuckDBPyConnection, waves: list[codebook.Wave]) -> None:
    con.executemany(
        "INSERT INTO raw.waves VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [
                w.wave,
                w.label_fr,
                w.fieldwork_start,
                w.fieldwork_end,
                w.min_respondents,
                w.max_respondents,
                w.min_eadmin,
                w.max_eadmin,
            ]
            for w in waves
        ],
    )


def load_file(con: duckdb.DuckDBPyConnection, export: ExportFile, loaded_at: dt.datetime, workdir: Path) -> FileReport:
    path = export.path
    suffix = path.suffix.lower()
    if suffix == ".csv":
        sha256, encoding = readers.scan_text(path)
    else:
        sha256, encoding = readers.sha256(path), None
    report = FileReport(export=export, sha256=sha256, file_format=suffix.lstrip("."), encoding=encoding)
    seen = con.execute("SELECT source_file FROM raw.files WHERE source_sha256 = ?", [report.sha256]).fetchone()
    if seen:
        raise ExportError(path, f"same content as {seen[0]} (loaded twice)", expected="each export once")
    if suffix == ".csv":
        _load_csv(con, report, loaded_at, workdir)
    else:
        frame = readers.read_xlsx(path) if suffix == ".xlsx" else readers.read_sav(path)
        _load_frame(con, report, frame, loaded_at)
    _check_ids(con, report)
    con.execute(
        "INSERT INTO raw.files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            path.name,
            report.sha256,
            export.wave,
            report.file_format,
            report.encoding,
            report.delimiter,
            report.rows_loaded,
            report.rows_rejected,
            report.ignored_columns,
            loaded_at,
        ],
    )
    return report


def _lineage_select(report: FileReport, loaded_at: dt.datetime) -> str:
    name = report.export.path.name.replace("'", "''")
    wave = report.export.wave.replace("'", "''")
    return (
        f"'{name}' AS source_file, '{report.sha256}' AS source_sha256, "
        f"0 AS source_row, '{wave}' AS wave, "
        f"TIMESTAMP '{loaded_at.strftime('%Y-%m-%d %H:%M:%S.%f')}' AS loaded_at"
    )


def _load_csv(con: duckdb.DuckDBPyConnection, report: FileReport, loaded_at: dt.datetime, workdir: Path) -> None:
    path = report.export.path
    dialect = readers.sniff_dialect(path, report.encoding)
    report.delimiter = dialect.delimiter
    heading_map = map_headings(path, dialect.headings)
    report.ignored_columns = heading_map.ignored
    source = path if report.encoding != "cp1252" else readers.utf8_copy(path, report.encoding, workdir)
    try:
        columns = "{" + ", ".join(f"'{h.replace(chr(39), chr(39) * 2)}': 'VARCHAR'" for h in dialect.headings) + "}"
        delim = dialect.delimiter.replace("'", "''")
        con.execute("DROP TABLE IF EXISTS ingest_rejects; DROP TABLE IF EXISTS ingest_reject_scans")
        try:
            con.execute(
                f"""INSERT INTO raw.responses BY NAME
SELECT {_lineage_select(report, loaded_at)}, {_renames(heading_map)}
FROM read_csv(?, delim='{delim}', quote='"', escape='"', header=true, auto_detect=false,
              columns={columns}, strict_mode=true, store_rejects=true,
              rejects_table='ingest_rejects', rejects_scan='ingest_reject_scans')""",
                [str(source)],
            )
        except duckdb.Error as exc:
            raise ExportError(
                path, f"CSV cannot be parsed: {str(exc).splitlines()[0]}", expected="a LimeSurvey CSV export"
            ) from exc
        report.rows_loaded = _count(con, report)
        rejects = con.execute(
            """SELECT line, error_type, string_agg(error_message, '; '), any_value(csv_line)
               FROM ingest_rejects GROUP BY line, error_type ORDER BY line"""
        ).fetchall()
        report.rows_rejected = len({r[0] for r in rejects})
        if rejects:
            con.executemany(
                "INSERT INTO raw.rejected_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    [path.name, report.sha256, report.export.wave, line, kind, msg, text, loaded_at]
                    for line, kind, msg, text in rejects
                ],
            )
    finally:
        if source != path:
            source.unlink(missing_ok=True)


def _renames(heading_map: HeadingMap) -> str:
    return ", ".join(f"{_q(h)} AS {_q(c)}" for h, c in heading_map.columns.items())


def _load_frame(
    con: duckdb.DuckDBPyConnection, report: FileReport, frame: pd.DataFrame, loaded_at: dt.datetime
) -> None:
    path = report.export.path
    heading_map = map_headings(path, list(frame.columns))
    report.ignored_columns = heading_map.ignored
    frame = frame[list(heading_map.columns)].rename(columns=heading_map.columns)
    if report.file_format == "sav":
        # SPSS exports code a ticked box as 1 and an unticked one as 0.
        multi = [v.name for v in codebook.load().variables() if v.kind == "multi" and v.name in frame]
        frame[multi] = frame[multi].replace({"1": "Y", "0": None})
    con.register("ingest_frame", frame.astype(object).where(frame.notna(), None))
    try:
        con.execute(
            f"""INSERT INTO raw.responses BY NAME
SELECT {_lineage_select(report, loaded_at)}, {", ".join(_q(c) for c in frame.columns)} FROM ingest_frame"""
        )
    finally:
        con.unregister("ingest_frame")
    report.rows_loaded = _count(con, report)


#: A record's 1-based position in its file: rows are inserted in file order, so a file's rowids are consecutive.
ROW_POSITION = "rowid - min(rowid) OVER (PARTITION BY source_sha256) + 1"


def number_rows(con: duckdb.DuckDBPyConnection) -> None:
    """Store each record's position as ``source_row``.

    Run after the load is committed: updating the rows inside the load's
    transaction makes DuckDB rewrite them at commit (3 s at a million rows).
    """
    if con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0] is not True:
        raise RuntimeError("ingest needs preserve_insertion_order: rowids must follow the export's rows")
    con.execute(
        f"""UPDATE raw.responses AS r SET source_row = CAST(n.position AS INTEGER)
            FROM (SELECT rowid AS row_key, {ROW_POSITION} AS position FROM raw.responses) AS n
            WHERE r.rowid = n.row_key"""
    )


def _count(con: duckdb.DuckDBPyConnection, report: FileReport) -> int:
    return con.execute("SELECT count(*) FROM raw.responses WHERE source_sha256 = ?", [report.sha256]).fetchone()[0]


def _check_ids(con: duckdb.DuckDBPyConnection, report: FileReport) -> None:
    """Response ids key the cleaning rules: each must be filled and unique in its wave."""
    path = report.export.path
    blank = con.execute(
        f"""SELECT min(position) FROM (SELECT {ROW_POSITION} AS position, source_sha256, id FROM raw.responses)
            WHERE source_sha256 = ? AND nullif(trim(id), '') IS NULL""",
        [report.sha256],
    ).fetchone()[0]
    if blank is not None:
        raise ExportError(path, "response id is empty", row=blank, column="id", expected="LimeSurvey's response id")
    clash = con.execute(
        f"""WITH numbered AS (
               SELECT source_file, source_sha256, {ROW_POSITION} AS source_row, trim(id) AS rid, wave
               FROM raw.responses),
           keys AS (
               SELECT * FROM numbered
               WHERE wave = ? AND rid IN (
                   SELECT trim(id) FROM raw.responses WHERE wave = ? GROUP BY trim(id) HAVING count(*) > 1))
           SELECT a.rid, a.source_row, b.source_file, b.source_row
           FROM keys a JOIN keys b ON a.rid = b.rid
            AND (a.source_sha256 <> b.source_sha256 OR a.source_row > b.source_row)
           WHERE a.source_sha256 = ? ORDER BY a.source_row LIMIT 1""",
        [report.export.wave, report.export.wave, report.sha256],
    ).fetchone()
    if clash:
        rid, row, other_file, other_row = clash
        raise ExportError(
            path,
            f"response id {rid} already used in {other_file} row {other_row}",
            row=row,
            column="id",
            expected=f"unique response ids within wave {report.export.wave}",
        )
