"""Make export folders for tests: copies of the bundled sample, broken on purpose.

Tests break one thing at a time in an otherwise valid export, then run the real
build on it; these helpers keep that to a line or two per test.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd

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
