"""Make export folders for tests: copies of the bundled sample, broken on purpose.

Tests break one thing at a time in an otherwise valid export, then run the real
build on it; these helpers keep that to a line or two per test.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd

import codebook

PROJECT_DIR = Path(__file__).resolve().parent.parent
SAMPLE_DIR = PROJECT_DIR / "data" / "sample"
SAMPLE_EXPORT = SAMPLE_DIR / "responses_2023.csv"


def read_export(path: Path = SAMPLE_EXPORT) -> pd.DataFrame:
    """A LimeSurvey CSV export as an all-text frame (empty cells as '')."""
    return pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")


def write_export(frame: pd.DataFrame, path: Path, encoding: str = "utf-8-sig", sep: str = ";") -> Path:
    """Write as LimeSurvey does: every field quoted, CRLF line ends."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, sep=sep, index=False, quoting=csv.QUOTE_ALL, lineterminator="\r\n", encoding=encoding)
    return path


def sample_copy(folder: Path) -> Path:
    """A raw folder holding a copy of the bundled sample (export and manifest)."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in SAMPLE_DIR.iterdir():
        if path.is_file():
            shutil.copy2(path, folder / path.name)
    return folder


def kept_mask(frame: pd.DataFrame) -> pd.Series:
    """Rows a test may edit without changing which rows are kept: complete, in-target rows."""
    return (frame["submitdate"] != "") & (frame["Q01"] != "-oth-")


def edited_copy(folder: Path, edit: Callable[[pd.DataFrame], pd.DataFrame]) -> Path:
    """A raw folder holding the sample with its export passed through ``edit`` (a broken export)."""
    sample_copy(folder)
    write_export(edit(read_export()), folder / SAMPLE_EXPORT.name)
    return folder


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def raw_answers(db: Path, exclude: tuple[str, ...] = ()) -> list[tuple]:
    """What ingest delivered, independent of the file format: the questionnaire columns of every raw row
    (empty text as NULL), in file order; ``exclude`` leaves out more columns (``wave``)."""
    lineage = ("source_file", "source_sha256", "source_row", "loaded_at", *exclude)
    con = duckdb.connect(str(db), read_only=True)
    try:
        cols = [
            c
            for (c,) in con.execute(
                "select column_name from duckdb_columns() where schema_name = 'raw' and table_name = 'responses' "
                "order by column_index"
            ).fetchall()
            if c not in lineage
        ]
        select = ", ".join(f"nullif(trim(\"{c}\"), '')" for c in cols)
        return con.execute(f"select {select} from raw.responses order by source_row").fetchall()
    finally:
        con.close()


def manifest_row(file: str, wave: str, like: codebook.Wave) -> dict[str, object]:
    """A manifest row declaring ``wave`` for ``file`` with the fieldwork and sample sizes of wave ``like``."""
    return {
        "file": file,
        "wave": wave,
        "fieldwork_start": like.fieldwork_start,
        "fieldwork_end": like.fieldwork_end,
        "min_respondents": like.min_respondents,
        "max_respondents": like.max_respondents,
        "min_eadmin": like.min_eadmin,
        "max_eadmin": like.max_eadmin,
    }
