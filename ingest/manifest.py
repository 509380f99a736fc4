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
import datetime as dt
import re
from dataclasses import dataclass, replace
from pathlib import Path

import codebook
from ingest.errors import ExportError

EXPORT_SUFFIXES = (".csv", ".xlsx", ".sav")
#: The survey structure export (.lss): compared with the codebook before anything is loaded.
STRUCTURE_SUFFIX = ".lss"
MANIFEST_NAME = "manifest.csv"
MANIFEST_COLUMNS = codebook.MANIFEST_COLUMNS
_YEAR = re.compile(r"(?<!\d)(19|20)\d\d(?!\d)")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class ExportFile:
    """An export and its wave; ``wave`` is None for a file named as LimeSurvey names it by default
    (``results-survey123456.csv``), whose wave is read from its submit dates once loaded."""

    path: Path
    wave: str | None


def _is_ignored(path: Path) -> bool:
    """Hidden files, notes and sub-folders beside the exports are not exports."""
    return path.name.startswith(".") or path.name.lower().startswith("readme") or path.is_dir()


def _check_regular(path: Path) -> None:
    """Only regular files are read: a named pipe would block the build forever, a device or socket
    makes no sense as an export."""
    if not path.is_file():
        raise ExportError(
            path, "not a regular file (a named pipe, socket or device)", expected="an export file saved from LimeSurvey"
        )


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
    seen: dict[str, int] = {}
    for i, row in enumerate(rows, start=1):
        _check_manifest_row(path, i, row)
        if row["file"] in seen:
            raise ExportError(
                path,
                f"{row['file']!r} is listed twice (rows {seen[row['file']]} and {i})",
                row=i,
                column="file",
                expected="each export once, with one wave",
            )
        seen[row["file"]] = i
    return rows


#: A wave name: letters, digits, '-', '_' or '.', starting with a letter or digit; no formula, no path.
WAVE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
_COUNT = re.compile(r"^[0-9]{1,7}$")


def _check_manifest_row(path: Path, i: int, row: dict[str, str | None]) -> None:
    """Every manifest field checked on its own, so that the message names the row, column and value."""
    if None in row or any(v is None for v in row.values()):
        raise ExportError(
            path, "row has more or fewer fields than the heading", row=i, expected=", ".join(MANIFEST_COLUMNS)
        )
    for col in row:
        row[col] = row[col].strip()
    if not row.get("file") or not row.get("wave"):
        raise ExportError(path, "file and wave must both be filled", row=i)
    name = row["file"]
    if Path(name).name != name or name in (".", "..") or "\\" in name:
        raise ExportError(
            path,
            f"{name!r} is not a file name of this folder",
            row=i,
            column="file",
            expected="the name of a file beside manifest.csv, without any folder",
        )
    if not WAVE_PATTERN.match(row["wave"]):
        raise ExportError(
            path,
            f"{row['wave']!r} is not a wave name",
            row=i,
            column="wave",
            expected="letters, digits, '-', '_' or '.' (at most 40), e.g. 2024",
        )
    for col in ("fieldwork_start", "fieldwork_end"):
        if row.get(col):
            try:
                if not _DATE.match(row[col]):
                    raise ValueError
                dt.date.fromisoformat(row[col])
            except ValueError:
                raise ExportError(
                    path, f"{row[col]!r} is not a date", row=i, column=col, expected="an existing day as YYYY-MM-DD"
                ) from None
    if row.get("fieldwork_start") and row.get("fieldwork_end") and row["fieldwork_start"] > row["fieldwork_end"]:
        raise ExportError(
            path,
            f"fieldwork ends ({row['fieldwork_end']}) before it starts ({row['fieldwork_start']})",
            row=i,
            column="fieldwork_end",
            expected="fieldwork_start ≤ fieldwork_end",
        )
    for col in MANIFEST_COLUMNS[4:]:
        if row.get(col) and not _COUNT.match(row[col]):
            raise ExportError(
                path,
                f"{row[col]!r} is not a count",
                row=i,
                column=col,
                expected="a whole number written with the digits 0-9 (at most 7)",
            )
    for low, high in (("min_respondents", "max_respondents"), ("min_eadmin", "max_eadmin")):
        if row.get(low) and row.get(high) and int(row[low]) > int(row[high]):
            raise ExportError(
                path, f"{low} {row[low]} is above {high} {row[high]}", row=i, column=low, expected=f"{low} ≤ {high}"
            )


def _wave_from_name(path: Path) -> str | None:
    match = _YEAR.search(path.stem)
    return match.group(0) if match else None


def discover(raw_dir: Path) -> tuple[list[ExportFile], list[dict[str, str]], Path | None]:
    """List the exports of ``raw_dir`` with their wave (None: to be read from the submit dates),
    the manifest's rows, and the survey structure file (.lss) if one is there.

    Fails on anything that would make the build ambiguous: a folder with no
    export, a file of an unsupported type (an SPSS or R syntax export is
    refused with the export to choose instead), a manifest naming a missing file.
    """
    if not raw_dir.is_dir():
        raise ExportError(raw_dir, "raw folder not found", expected="a folder holding the survey exports")
    manifest_path = raw_dir / MANIFEST_NAME
    if manifest_path.exists():
        _check_regular(manifest_path)
    manifest = _read_manifest(manifest_path) if manifest_path.exists() else []
    by_file = {row["file"]: row for row in manifest}

    files: list[ExportFile] = []
    structures: list[Path] = []
    for path in sorted(raw_dir.iterdir()):
        if path.name == MANIFEST_NAME or _is_ignored(path):
            continue
        _check_regular(path)
        if path.suffix.lower() == STRUCTURE_SUFFIX:
            structures.append(path)
            continue
        if path.suffix.lower() == R_SYNTAX_SUFFIX:
            continue
        syntax_export = syntax_export_kind(path)
        if syntax_export:
            raise ExportError(
                path,
                f"this is LimeSurvey's {syntax_export} export (data without headings, its answer codes and labels "
                "in a syntax program), which the warehouse does not read",
                expected="re-export the responses as 'SPSS (.sav)' or as CSV with headings = 'Question code' and "
                "answers = 'Answer codes' (see README, Exporting from LimeSurvey)",
            )
        if path.suffix.lower() not in EXPORT_SUFFIXES:
            raise ExportError(path, "unsupported file type", expected="an export in " + ", ".join(EXPORT_SUFFIXES))
        row = by_file.get(path.name)
        files.append(ExportFile(path=path, wave=row["wave"] if row else _wave_from_name(path)))
    for name in by_file:
        if not (raw_dir / name).exists():
            raise ExportError(manifest_path, f"names {name!r}, which is not in the folder", column="file")
    if not files:
        raise ExportError(raw_dir, "no export found", expected="at least one " + " / ".join(EXPORT_SUFFIXES) + " file")
    if len(structures) > 1:
        raise ExportError(raw_dir, f"{len(structures)} survey structure files (.lss)", expected="at most one")
    return files, manifest, structures[0] if structures else None


#: LimeSurvey's classic SPSS export: a data file without headings, read through an SPSS syntax program.
_SPSS_SYNTAX_SUFFIXES = (".sps", ".dat")
#: LimeSurvey's R export writes an ordinary CSV export (headings, answer codes, ticks 1/0, yes/no 1/2) and an
#: R program that labels it; the CSV is read like any export and the program, whose labels the codebook
#: already holds, is passed over.
R_SYNTAX_SUFFIX = ".r"


def syntax_export_kind(path: Path) -> str | None:
    """The syntax export ``path`` belongs to when it cannot be read: LimeSurvey's SPSS syntax export
    (``survey_<id>_SPSS_syntax_file.sps`` + ``survey_<id>_SPSS_data_file.dat``)."""
    return "SPSS syntax (.sps + .dat)" if path.suffix.lower() in _SPSS_SYNTAX_SUFFIXES else None


#: How far outside a wave's fieldwork a submit date may fall and still say which wave a file is (test
#: entries are made in the days before the survey opens, late ones just after it closes).
FIELDWORK_MARGIN = dt.timedelta(days=31)


def wave_from_dates(path: Path, dates: list[dt.date], waves: list[codebook.Wave]) -> str:
    """The one known wave whose fieldwork holds this file's submit dates (within a margin), or a message
    showing the manifest to write.

    A wave fits when every submit date falls within its fieldwork window widened by
    :data:`FIELDWORK_MARGIN` and at least one falls inside the window itself.
    """
    fits = []
    for w in waves:
        if not w.fieldwork_start or not w.fieldwork_end:
            continue
        start, end = dt.date.fromisoformat(w.fieldwork_start), dt.date.fromisoformat(w.fieldwork_end)
        if (
            dates
            and all(start - FIELDWORK_MARGIN <= d <= end + FIELDWORK_MARGIN for d in dates)
            and any(start <= d <= end for d in dates)
        ):
            fits.append(w.wave)
    if len(fits) == 1:
        return fits[0]
    known = "; ".join(f"{w.wave}: {w.fieldwork_start} – {w.fieldwork_end}" for w in waves) or "none"
    span = f"its submit dates run from {min(dates)} to {max(dates)}" if dates else "it has no submit date"
    year = str(max(dates).year) if dates else "2024"
    start, end = (min(dates), max(dates)) if dates else ("2024-03-01", "2024-03-31")
    raise ExportError(
        path,
        f"cannot tell which wave this export belongs to: {span}, "
        + ("inside the fieldwork of several known waves" if fits else "inside no known wave's fieldwork")
        + f" ({known})",
        expected=f"a year in the file name (responses_{year}.csv) or a {MANIFEST_NAME} beside it, e.g.\n"
        f"file,wave,fieldwork_start,fieldwork_end\n{path.name},{year},{start},{end}",
    )


def _settings(wave_id: str, manifest: list[dict[str, str]]) -> codebook.Wave:
    """A wave's settings: ``waves.csv``, overridden by the manifest's filled cells."""
    wave = codebook.load().wave(wave_id) or codebook.Wave(wave_id, f"Vague {wave_id}", "", "", None, None, None, None)
    for row in (r for r in manifest if r["wave"] == wave_id):
        overrides = {c: row[c] for c in ("fieldwork_start", "fieldwork_end") if row.get(c)}
        overrides |= {c: int(row[c]) for c in MANIFEST_COLUMNS[4:] if row.get(c)}
        wave = replace(wave, **overrides)
    return wave


def declared_waves(manifest: list[dict[str, str]]) -> list[codebook.Wave]:
    """Every wave the codebook or the manifest declares with a fieldwork window: those a default-named
    export may be matched to by its submit dates."""
    ids = sorted({w.wave for w in codebook.load().waves} | {r["wave"] for r in manifest})
    return [w for w in (_settings(i, manifest) for i in ids) if w.fieldwork_start and w.fieldwork_end]


def resolve_waves(files: list[ExportFile], manifest: list[dict[str, str]], manifest_path: Path) -> list[codebook.Wave]:
    """Each loaded wave's settings; a fieldwork window is required."""
    waves: list[codebook.Wave] = []
    for wave_id in sorted({f.wave for f in files if f.wave is not None}):
        wave = _settings(wave_id, manifest)
        if not wave.fieldwork_start or not wave.fieldwork_end:
            raise ExportError(
                manifest_path if manifest else next(f.path for f in files if f.wave == wave_id),
                f"wave {wave_id!r} has no fieldwork window",
                expected="a row in dbt_project/seeds/codebook/waves.csv or fieldwork_start/fieldwork_end in "
                + MANIFEST_NAME,
            )
        waves.append(wave)
    return waves
