"""Which export files a raw folder holds, and which wave each belongs to.

A raw folder holds the survey tool's exports (``.csv``, ``.xlsx``, ``.sav``)
and, optionally, a ``manifest.csv``. The manifest names each file's wave and
may declare or override a wave's fieldwork window and expected sample sizes
(columns ``file, wave, fieldwork_start, fieldwork_end, min_respondents,
max_respondents, min_eadmin, max_eadmin``; blank cells fall back to
``waves.csv`` in the codebook). Without a manifest, the naming rule applies:
the wave is the first four-digit year in the file name
(``responses_2023.csv`` → ``2023``).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, replace
from pathlib import Path

import codebook
from ingest.errors import ExportError

EXPORT_SUFFIXES = (".csv", ".xlsx", ".sav")
MANIFEST_NAME = "manifest.csv"
MANIFEST_COLUMNS = codebook.MANIFEST_COLUMNS
_YEAR = re.compile(r"(?<!\d)(19|20)\d\d(?!\d)")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class ExportFile:
    path: Path
    wave: str


def _is_ignored(path: Path) -> bool:
    """Hidden files and notes beside the exports are not exports."""
    return path.name.startswith(".") or path.name.lower().startswith("readme") or path.is_dir()


def _read_manifest(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            header = reader.fieldnames or []
            missing = [c for c in ("file", "wave") if c not in header]
            if missing:
                raise ExportError(path, f"missing column(s) {', '.join(missing)}", expected=", ".join(MANIFEST_COLUMNS))
            unknown = [c for c in header if c not in MANIFEST_COLUMNS]
            if unknown:
                raise ExportError(path, f"unknown column(s) {', '.join(unknown)}", expected=", ".join(MANIFEST_COLUMNS))
            rows = list(reader)
    except UnicodeDecodeError as exc:
        raise ExportError(path, "manifest is not UTF-8 text", expected="a UTF-8 CSV") from exc
    for i, row in enumerate(rows, start=1):
        if not row.get("file") or not row.get("wave"):
            raise ExportError(path, "file and wave must both be filled", row=i)
        for col in ("fieldwork_start", "fieldwork_end"):
            if row.get(col) and not _DATE.match(row[col]):
                raise ExportError(path, f"{row[col]!r} is not a date", row=i, column=col, expected="YYYY-MM-DD")
        for col in MANIFEST_COLUMNS[4:]:
            if row.get(col) and not row[col].isdigit():
                raise ExportError(path, f"{row[col]!r} is not a count", row=i, column=col, expected="a whole number")
    return rows


def _wave_from_name(path: Path) -> str:
    match = _YEAR.search(path.stem)
    if not match:
        raise ExportError(
            path,
            "cannot tell which wave this export belongs to",
            expected=f"a year in the file name (e.g. responses_2023.csv) or a row in {MANIFEST_NAME}",
        )
    return match.group(0)


def discover(raw_dir: Path) -> tuple[list[ExportFile], list[codebook.Wave]]:
    """List the exports of ``raw_dir`` with their wave, and the waves' settings.

    Fails on anything that would make the build ambiguous: a folder with no
    export, a file of an unsupported type, a manifest naming a missing file, or
    a wave whose fieldwork window is declared nowhere.
    """
    if not raw_dir.is_dir():
        raise ExportError(raw_dir, "raw folder not found", expected="a folder holding the survey exports")
    manifest_path = raw_dir / MANIFEST_NAME
    manifest = _read_manifest(manifest_path) if manifest_path.exists() else []
    by_file = {row["file"]: row for row in manifest}

    files: list[ExportFile] = []
    for path in sorted(raw_dir.iterdir()):
        if path.name == MANIFEST_NAME or _is_ignored(path):
            continue
        if path.suffix.lower() not in EXPORT_SUFFIXES:
            raise ExportError(path, "unsupported file type", expected="an export in " + ", ".join(EXPORT_SUFFIXES))
        row = by_file.get(path.name)
        files.append(ExportFile(path=path, wave=row["wave"] if row else _wave_from_name(path)))
    for name in by_file:
        if not (raw_dir / name).exists():
            raise ExportError(manifest_path, f"names {name!r}, which is not in the folder", column="file")
    if not files:
        raise ExportError(raw_dir, "no export found", expected="at least one " + " / ".join(EXPORT_SUFFIXES) + " file")

    return files, _resolve_waves(files, manifest, manifest_path)


def _resolve_waves(files: list[ExportFile], manifest: list[dict[str, str]], manifest_path: Path) -> list[codebook.Wave]:
    cb = codebook.load()
    waves: list[codebook.Wave] = []
    for wave_id in sorted({f.wave for f in files}):
        wave = cb.wave(wave_id) or codebook.Wave(wave_id, f"Vague {wave_id}", "", "", None, None, None, None)
        for row in (r for r in manifest if r["wave"] == wave_id):
            overrides = {c: row[c] for c in ("fieldwork_start", "fieldwork_end") if row.get(c)}
            overrides |= {c: int(row[c]) for c in MANIFEST_COLUMNS[4:] if row.get(c)}
            wave = replace(wave, **overrides)
        if not wave.fieldwork_start or not wave.fieldwork_end:
            raise ExportError(
                manifest_path if manifest else next(f.path for f in files if f.wave == wave_id),
                f"wave {wave_id!r} has no fieldwork window",
                expected="a row in dbt_project/seeds/codebook/waves.csv or fieldwork_start/fieldwork_end in "
                + MANIFEST_NAME,
            )
        waves.append(wave)
    return waves
