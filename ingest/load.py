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
from ingest.answers import check_and_recode
from ingest.errors import ExportError
from ingest.headings import HEADING_FORMATS, HeadingMap, check_edition, map_headings, split_heading
from ingest.manifest import ExportFile, wave_from_dates

LINEAGE_COLUMNS = ("source_file", "source_sha256", "source_row", "wave", "loaded_at")


#: Submit dates as LimeSurvey writes them (ISO in CSV, day first in some spreadsheet exports).
#: staging.stg_survey__responses parses the same formats (its list must stay equal to this one).
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M")


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
    heading_format: str = "code"
    answer_format: str = "codes"
    tick_format: str | None = None
    free_text_columns: int = 0
    wave: str = ""
    wave_from_dates: bool = False


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
  delimiter VARCHAR, heading_format VARCHAR, answer_format VARCHAR, tick_format VARCHAR, wave_from VARCHAR,
  rows_loaded INTEGER, rows_rejected INTEGER, ignored_columns VARCHAR[], loaded_at TIMESTAMP)"""
    )
    con.execute(
        """CREATE TABLE raw.answer_recodes (
  source_file VARCHAR, source_sha256 VARCHAR, column_name VARCHAR, export_heading VARCHAR, exported_value VARCHAR,
  answer_code VARCHAR, row_count BIGINT)"""
    )
    con.execute(
        """CREATE TABLE raw.free_texts (
  source_file VARCHAR, source_sha256 VARCHAR, wave VARCHAR, response_id VARCHAR, question_code VARCHAR,
  export_heading VARCHAR, text VARCHAR)"""
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


def load_file(
    con: duckdb.DuckDBPyConnection,
    export: ExportFile,
    loaded_at: dt.datetime,
    workdir: Path,
    known_waves: list[codebook.Wave],
) -> FileReport:
    """Load one export; settle its wave (from its submit dates when its name does not say), check and
    recode its answer codes, keep its free texts, and check its response ids."""
    path = export.path
    suffix = path.suffix.lower()
    if suffix == ".csv":
        sha256, encoding = readers.scan_text(path)
    else:
        sha256, encoding = readers.sha256(path), None
    report = FileReport(
        export=export, sha256=sha256, file_format=suffix.lstrip("."), encoding=encoding, wave=export.wave or ""
    )
    seen = con.execute("SELECT source_file FROM raw.files WHERE source_sha256 = ?", [report.sha256]).fetchone()
    if seen:
        raise ExportError(path, f"same content as {seen[0]} (loaded twice)", expected="each export once")
    if suffix == ".csv":
        heading_map = _load_csv(con, report, loaded_at, workdir)
    else:
        frame = readers.read_xlsx(path) if suffix == ".xlsx" else readers.read_sav(path)
        heading_map = _load_frame(con, report, frame, loaded_at)
    if report.rows_loaded == 0:
        raise ExportError(
            path, _nothing_loaded(con, report), expected="one record per connection under the heading row"
        )
    if export.wave is None:
        report.wave = wave_from_dates(path, _submit_dates(con, report), known_waves)
        report.wave_from_dates = True
        con.execute("UPDATE raw.responses SET wave = ? WHERE source_sha256 = ?", [report.wave, sha256])
        for table in ("free_texts", "rejected_rows"):
            con.execute(f"UPDATE raw.{table} SET wave = ? WHERE source_sha256 = ?", [report.wave, sha256])
    check_edition(path, heading_map, report.wave)
    _check_dates(con, report, heading_map)
    report.heading_format = HEADING_FORMATS[heading_map.heading_format]
    headings = {c: split_heading(h)[0] for h, c in heading_map.columns.items()}
    recoding = check_and_recode(con, path, sha256, headings, report.wave)
    report.answer_format, report.tick_format = recoding.answer_format, recoding.tick_format
    if recoding.recodes:
        con.executemany(
            "INSERT INTO raw.answer_recodes VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                [path.name, sha256, column, _heading_of(heading_map, column), value, code or None, rows]
                for column, value, code, rows in recoding.recodes
            ],
        )
    _check_ids(con, report)
    con.execute(
        "INSERT INTO raw.files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            path.name,
            report.sha256,
            report.wave,
            report.file_format,
            report.encoding,
            report.delimiter,
            report.heading_format,
            report.answer_format,
            report.tick_format,
            "submit dates" if report.wave_from_dates else ("manifest or file name"),
            report.rows_loaded,
            report.rows_rejected,
            report.ignored_columns,
            loaded_at,
        ],
    )
    return report


#: Metadata columns holding a date and time: each filled one must parse, or the cleaning rules would misfile the row.
DATE_COLUMNS = ("submitdate", "startdate", "datestamp")


def _check_dates(con: duckdb.DuckDBPyConnection, report: FileReport, heading_map: HeadingMap) -> None:
    """Every filled date of the file parses with one of :data:`DATE_FORMATS`; the first that does not is named."""
    formats = ", ".join(f"'{f}'" for f in DATE_FORMATS)
    for column in (c for c in DATE_COLUMNS if c in heading_map.columns.values()):
        # Rows of a file are inserted in order: a row's position is its rowid less the file's first rowid.
        count, row, value = con.execute(
            f"""WITH file_rows AS (SELECT rowid AS r, trim({_q(column)}) AS value FROM raw.responses
                                   WHERE source_sha256 = ?),
                     bad AS (SELECT r, value FROM file_rows
                             WHERE nullif(value, '') IS NOT NULL AND try_strptime(value, [{formats}]) IS NULL)
                SELECT count(*), min(r) - (SELECT min(r) FROM file_rows) + 1, arg_min(value, r) FROM bad""",
            [report.sha256],
        ).fetchone()
        if count:
            raise ExportError(
                report.export.path,
                f"{value!r} is not a date and time ({count} row(s) like it)",
                row=row,
                column=_heading_of(heading_map, column),
                expected="YYYY-MM-DD HH:MM:SS as LimeSurvey writes it (or DD/MM/YYYY HH:MM[:SS])",
            )


def _nothing_loaded(con: duckdb.DuckDBPyConnection, report: FileReport) -> str:
    """Why a file gave no record: a heading row alone, or every record refused by the parser."""
    if not report.rows_rejected:
        return "no record: the file holds a heading row only"
    line, reason = con.execute(
        "SELECT source_line, error_type FROM raw.rejected_rows WHERE source_sha256 = ? ORDER BY source_line LIMIT 1",
        [report.sha256],
    ).fetchone()
    delimiter = f" with separator {report.delimiter!r}" if report.delimiter else ""
    return (
        f"no record loaded: all {report.rows_rejected} records were refused by the CSV parser{delimiter} "
        f"(first: line {line}, {reason})"
    )


def _heading_of(heading_map: HeadingMap, column: str) -> str:
    return next(h for h, c in heading_map.columns.items() if c == column)


def _submit_dates(con: duckdb.DuckDBPyConnection, report: FileReport) -> list[dt.date]:
    formats = ", ".join(f"'{f}'" for f in DATE_FORMATS)
    rows = con.execute(
        f"""SELECT DISTINCT CAST(try_strptime(nullif(trim(submitdate), ''), [{formats}]) AS DATE) AS d
            FROM raw.responses WHERE source_sha256 = ? AND d IS NOT NULL ORDER BY d""",
        [report.sha256],
    ).fetchall()
    return [r[0] for r in rows]


def _lineage_select(report: FileReport, loaded_at: dt.datetime) -> str:
    name = report.export.path.name.replace("'", "''")
    wave = report.wave.replace("'", "''")
    return (
        f"'{name}' AS source_file, '{report.sha256}' AS source_sha256, "
        f"0 AS source_row, '{wave}' AS wave, "
        f"TIMESTAMP '{loaded_at.strftime('%Y-%m-%d %H:%M:%S.%f')}' AS loaded_at"
    )


def _load_csv(con: duckdb.DuckDBPyConnection, report: FileReport, loaded_at: dt.datetime, workdir: Path) -> HeadingMap:
    path = report.export.path
    dialect = readers.sniff_dialect(path, report.encoding)
    report.delimiter = dialect.delimiter
    heading_map = map_headings(path, dialect.headings)
    report.ignored_columns = heading_map.ignored
    source = readers.duckdb_source(path, report.encoding, workdir)
    try:
        columns = "{" + ", ".join(f"'{h.replace(chr(39), chr(39) * 2)}': 'VARCHAR'" for h in dialect.headings) + "}"
        delim = dialect.delimiter.replace("'", "''")
        con.execute("DROP TABLE IF EXISTS ingest_rejects; DROP TABLE IF EXISTS ingest_reject_scans")
        reader = f"""read_csv(?, delim='{delim}', quote='"', escape='"', header=true, auto_detect=false,
              columns={columns}, strict_mode=true, store_rejects=true,
              rejects_table='ingest_rejects', rejects_scan='ingest_reject_scans')"""
        try:
            con.execute(
                f"""INSERT INTO raw.responses BY NAME
SELECT {_lineage_select(report, loaded_at)}, {_renames(heading_map)} FROM {reader}""",
                [str(source)],
            )
            if heading_map.free_texts:
                id_heading = next(h for h, c in heading_map.columns.items() if c == "id")
                _load_free_texts(con, report, heading_map, f"(SELECT * FROM {reader})", [str(source)], id_heading)
        except duckdb.Error as exc:
            raise ExportError(
                path, f"CSV cannot be parsed: {str(exc).splitlines()[0]}", expected="a LimeSurvey CSV export"
            ) from exc
        report.rows_loaded = _count(con, report)
        rejects = con.execute(
            # One row per rejected record, all its errors together: raw records = kept + excluded + rejected.
            """SELECT line, string_agg(DISTINCT error_type, ', ' ORDER BY error_type),
                      string_agg(error_message, '; ' ORDER BY column_idx, error_message), any_value(csv_line)
               FROM ingest_rejects GROUP BY line ORDER BY line"""
        ).fetchall()
        report.rows_rejected = len(rejects)
        if rejects:
            con.executemany(
                "INSERT INTO raw.rejected_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    [path.name, report.sha256, report.wave, line, kind, msg, text, loaded_at]
                    for line, kind, msg, text in rejects
                ],
            )
    finally:
        source.unlink(missing_ok=True)
    return heading_map


def _load_free_texts(
    con: duckdb.DuckDBPyConnection,
    report: FileReport,
    heading_map: HeadingMap,
    relation: str,
    params: list[object],
    id_heading: str,
) -> None:
    """Comments and undeclared "other" texts, one row per non-empty text: kept in ``raw``, shown nowhere."""
    report.free_text_columns = len(heading_map.free_texts)
    selects = " UNION ALL ".join(
        f"SELECT trim({_q(id_heading)}) AS response_id, '{f.question_code}' AS question_code, "
        f"'{f.heading.replace(chr(39), chr(39) * 2)}' AS export_heading, {_q(f.heading)} AS text FROM src"
        for f in heading_map.free_texts
    )
    name = report.export.path.name
    con.execute(
        f"""INSERT INTO raw.free_texts
            WITH src AS (SELECT * FROM {relation})
            SELECT ?, ?, ?, response_id, question_code, export_heading, text
            FROM ({selects}) WHERE nullif(trim(text), '') IS NOT NULL""",
        [*params, name, report.sha256, report.wave],
    )


def _renames(heading_map: HeadingMap) -> str:
    return ", ".join(f"{_q(h)} AS {_q(c)}" for h, c in heading_map.columns.items())


def _load_frame(
    con: duckdb.DuckDBPyConnection, report: FileReport, frame: pd.DataFrame, loaded_at: dt.datetime
) -> HeadingMap:
    path = report.export.path
    heading_map = map_headings(path, list(frame.columns))
    report.ignored_columns = heading_map.ignored
    if heading_map.free_texts:
        id_heading = next(h for h, c in heading_map.columns.items() if c == "id")
        con.register("ingest_free_frame", frame.astype(object).where(frame.notna(), None))
        try:
            _load_free_texts(con, report, heading_map, "ingest_free_frame", [], id_heading)
        finally:
            con.unregister("ingest_free_frame")
    frame = frame[list(heading_map.columns)].rename(columns=heading_map.columns)
    con.register("ingest_frame", frame.astype(object).where(frame.notna(), None))
    try:
        con.execute(
            f"""INSERT INTO raw.responses BY NAME
SELECT {_lineage_select(report, loaded_at)}, {", ".join(_q(c) for c in frame.columns)} FROM ingest_frame"""
        )
    finally:
        con.unregister("ingest_frame")
    report.rows_loaded = _count(con, report)
    return heading_map


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
        [report.wave, report.wave, report.sha256],
    ).fetchone()
    if clash:
        rid, row, other_file, other_row = clash
        raise ExportError(
            path,
            f"response id {rid} already used in {other_file} row {other_row}",
            row=row,
            column="id",
            expected=f"unique response ids within wave {report.wave}",
        )
