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
#: The export of the 2023 wave: the published report's respondents. The bundled sample holds more waves
#: (:func:`sample_exports`); tests about the report's facts, or that rewrite one export, use this one.
SAMPLE_EXPORT = SAMPLE_DIR / "responses_2023.csv"
REPORT_WAVE = "2023"
MANIFEST = "manifest.csv"


def sample_manifest() -> list[dict[str, str]]:
    """The rows of the bundled sample's manifest.csv (file, wave, overrides), in file order."""
    with (SAMPLE_DIR / MANIFEST).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def sample_exports() -> dict[str, Path]:
    """Wave → export file of the bundled sample, as its manifest declares them."""
    return {row["wave"]: SAMPLE_DIR / row["file"] for row in sample_manifest()}


def read_export(path: Path = SAMPLE_EXPORT) -> pd.DataFrame:
    """A LimeSurvey CSV export as an all-text frame (empty cells as '')."""
    return pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")


def write_export(frame: pd.DataFrame, path: Path, encoding: str = "utf-8-sig", sep: str = ";") -> Path:
    """Write as LimeSurvey does: every field quoted, CRLF line ends."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, sep=sep, index=False, quoting=csv.QUOTE_ALL, lineterminator="\r\n", encoding=encoding)
    return path


def sample_copy(folder: Path, waves: tuple[str, ...] | None = None) -> Path:
    """A raw folder holding a copy of the bundled sample: every export, its manifest and survey structure.

    ``waves`` keeps only those waves' exports and manifest rows (``("2023",)``: the report's wave alone, for
    a test that rewrites that export and has no use for the others); the other files are copied as they are.
    """
    folder.mkdir(parents=True, exist_ok=True)
    rows = sample_manifest()
    if waves is not None:
        unknown = set(waves) - {r["wave"] for r in rows}
        assert not unknown, f"the bundled sample has no wave {sorted(unknown)}"
    left_out = {r["file"] for r in rows if waves is not None and r["wave"] not in waves}
    for path in SAMPLE_DIR.iterdir():
        if path.is_file() and path.name not in left_out and path.name != MANIFEST:
            shutil.copy2(path, folder / path.name)
    if waves is None:
        shutil.copy2(SAMPLE_DIR / MANIFEST, folder / MANIFEST)
    else:
        with (folder / MANIFEST).open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(r for r in rows if r["wave"] in waves)
    return folder


def kept_mask(frame: pd.DataFrame) -> pd.Series:
    """Rows a test may edit without changing which rows are kept: complete, in-target rows."""
    return (frame["submitdate"] != "") & (frame["Q01"] != "-oth-")


def cleaning_reasons(frame: pd.DataFrame, wave: str) -> pd.Series:
    """Each export row's exclusion reason under the README's cleaning rules ('' for a kept respondent).

    Written here with pandas, apart from the dbt models, so that a test can check the warehouse's accounting of
    a wave against the raw file: the first rule that matches wins (never submitted; submitted outside the
    wave's fieldwork; post title outside the target titles; same answers as an earlier submission).
    """
    cb = codebook.load()
    w = cb.wave(wave)
    assert w is not None, f"wave {wave} is not in waves.csv"
    post_title = cb.question("post_title")
    targets = {c.choice_code for c in post_title.choices if c.is_target}
    day = frame["submitdate"].str[:10]
    reason = pd.Series("", index=frame.index)
    for name, hit in (
        ("incomplete", frame["submitdate"] == ""),
        ("test_entry", (day < w.fieldwork_start) | (day > w.fieldwork_end)),
        ("out_of_target", ~frame[post_title.export_code].isin(targets)),
    ):
        reason[(reason == "") & hit] = name
    answers = [c for c in frame.columns if c not in codebook.METADATA_COLUMNS]
    rest = frame[reason == ""].assign(_id=lambda f: f["id"].astype(int)).sort_values(["submitdate", "_id"])
    repeated = rest.duplicated(subset=answers, keep="first")
    reason[repeated[repeated].index] = "duplicate"
    return reason


def sample_kept() -> dict[str, int]:
    """Wave → respondents the cleaning rules keep from the bundled sample's export, computed from the file."""
    return {
        wave: int((cleaning_reasons(read_export(path), wave) == "").sum()) for wave, path in sample_exports().items()
    }


def edited_copy(
    folder: Path, edit: Callable[[pd.DataFrame], pd.DataFrame], waves: tuple[str, ...] | None = None
) -> Path:
    """A raw folder holding the sample (``waves`` as in :func:`sample_copy`) with its 2023 export passed
    through ``edit`` (a broken export)."""
    sample_copy(folder, waves)
    write_export(edit(read_export()), folder / SAMPLE_EXPORT.name)
    return folder


def warehouse_copy_in(folder: Path, source: Path) -> Path:
    """A copy of the warehouse ``source`` as ``folder``/survey.duckdb (the file name its views expect)."""
    target = folder / "survey.duckdb"
    folder.mkdir(parents=True)
    shutil.copy2(source, target)
    return target


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def raw_answers(db: Path, exclude: tuple[str, ...] = (), wave: str | None = None) -> list[tuple]:
    """What ingest delivered, independent of the file format: the questionnaire columns of every raw row
    (empty text as NULL), file by file in row order; ``exclude`` leaves out more columns (``wave``), ``wave``
    keeps that wave's rows only."""
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
        where = "where wave = $wave" if wave is not None else ""
        return con.execute(
            f"select {select} from raw.responses {where} order by source_file, source_row",
            {"wave": wave} if wave is not None else {},
        ).fetchall()
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
