"""Ingest a raw folder into the ``raw`` schema of a DuckDB file, all or nothing."""

from __future__ import annotations

import contextlib
import datetime as dt
import tempfile
from dataclasses import replace
from pathlib import Path

import duckdb

import codebook
from ingest.errors import ExportError
from ingest.load import FileReport, create_raw_schema, load_file, load_waves, number_rows
from ingest.manifest import MANIFEST_NAME, declared_waves, discover, resolve_waves


def ingest(raw_dir: Path, db_path: Path, loaded_at: dt.datetime | None = None) -> list[FileReport]:
    """Load every export of ``raw_dir`` into ``db_path``'s ``raw`` schema.

    The schema is replaced inside one transaction: a file that fails leaves
    the database as it was, and the caller (the build) discards it anyway.
    Records are numbered (``source_row``) just after that transaction, see
    :func:`ingest.load.number_rows`.
    """
    exports, manifest, structure = discover(raw_dir)
    if structure is not None:
        check_structure(structure)
    manifest_path = raw_dir / MANIFEST_NAME
    known = declared_waves(manifest)
    for wave in known:  # a manifest's wave is read against the codebook's edition of its dates
        codebook.register_wave(wave.wave, wave.fieldwork_start)
    loaded_at = loaded_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con = duckdb.connect(str(db_path))
    try:
        con.execute("BEGIN")
        con.execute("DROP SCHEMA IF EXISTS raw CASCADE")
        create_raw_schema(con)
        with tempfile.TemporaryDirectory(dir=db_path.parent) as workdir:
            reports = [load_file(con, export, loaded_at, Path(workdir), known) for export in exports]
        loaded = [replace(r.export, wave=r.wave) for r in reports]
        load_waves(con, resolve_waves(loaded, manifest, manifest_path))
        con.execute("COMMIT")
    except BaseException:
        # A failed write (disk full) may have ended the transaction already: the first error is the one to report.
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        con.close()
        raise
    try:
        number_rows(con)
    finally:
        con.close()
    return reports


def check_structure(path: Path) -> None:
    """An .lss beside the exports is the questionnaire as LimeSurvey knows it: build only if it agrees."""
    from codebook.lss import LssError, compare_file

    try:
        differences = compare_file(path)
    except LssError as exc:
        raise ExportError(
            path, str(exc).removeprefix(f"{path}: "), expected="LimeSurvey's survey structure export (.lss)"
        ) from exc
    if differences:
        shown = "\n  ".join(str(d) for d in differences[:20])
        more = f"\n  … and {len(differences) - 20} more" if len(differences) > 20 else ""
        raise ExportError(
            path,
            f"the survey structure differs from the codebook in {len(differences)} place(s):\n  {shown}{more}",
            expected="the questionnaire of dbt_project/seeds/codebook/ (make codebook-check LSS=<file> lists the "
            "differences); update the codebook or export the right survey",
        )


def describe(report: FileReport) -> str:
    """One line per file, for the build log."""
    wave = f"wave {report.wave}" + (" from its submit dates" if report.wave_from_dates else "")
    text = f"{report.export.path.name} ({wave}, {report.file_format}"
    if report.encoding:
        text += f", {report.encoding}, sep {report.delimiter!r}"
    if report.heading_format != "question code (Q02[SQ001])":
        text += f", headings: {report.heading_format}"
    if report.answer_format != "codes" or report.tick_format not in (None, "Y/empty"):
        text += f", answers: {report.answer_format}" + (f", ticks {report.tick_format}" if report.tick_format else "")
    text += f"): {report.rows_loaded} rows loaded"
    if report.rows_rejected:
        text += f", {report.rows_rejected} rejected (see raw.rejected_rows)"
    if report.free_text_columns:
        text += f"; {report.free_text_columns} free-text column(s) kept in raw.free_texts"
    if report.ignored_columns:
        text += f"; {len(report.ignored_columns)} heading(s) not in the codebook ignored: " + ", ".join(
            report.ignored_columns[:5]
        )
    return text
