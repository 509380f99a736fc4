"""Open an export as the survey tool wrote it: bytes, encoding, dialect, headings.

CSV exports are parsed by DuckDB (fast, set-based, with a rejects table); this
module only settles what DuckDB must be told: the text encoding (UTF-8 with or
without BOM, or Windows-1252/Latin-1, transcoded to UTF-8 since DuckDB reads
only UTF-8 without an extension), the separator, and the heading row.
Spreadsheet (XLSX) and SPSS (SAV) exports are small by nature and read with
pandas / pyreadstat into all-text frames.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import math
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ingest.errors import ExportError

CHUNK = 1 << 20
DELIMITERS = (";", ",", "\t")


@dataclass(frozen=True)
class CsvDialect:
    encoding: str  # "utf-8-sig", "utf-8" or "cp1252"
    delimiter: str
    headings: list[str]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _first_bytes(path: Path) -> bytes:
    try:
        with path.open("rb") as f:
            return f.read(CHUNK)
    except OSError as exc:
        raise ExportError(path, f"cannot be read: {exc.strerror}") from exc


#: A UTF-8 multi-byte character (é is C3 A9): text that holds one was written as UTF-8.
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def scan_text(path: Path) -> tuple[str, str]:
    """SHA-256 and text encoding of a CSV export, telling UTF-8 (with or without BOM) from
    Windows-1252 and refusing anything else.

    The whole file must be decoded, since a Windows-1252 é may first appear on
    the last row; the same read feeds the hash, so that an export of hundreds
    of MB is read once here (and once by DuckDB). Only a file that is not UTF-8
    is read again, as Windows-1252. UTF-16 and binary files show NUL bytes
    (anywhere in the file); bytes that decode to control characters mean an
    encoding we do not know. A file that is UTF-8 in places (a BOM, an é as
    two bytes) and not in others mixes encodings: reading it as either would
    change some text silently, so it is refused with the line of the first
    byte that is not UTF-8.
    """
    head = _first_bytes(path)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ExportError(path, "text encoding not supported (UTF-16)", expected=_ENCODINGS)
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    bad_at: int | None = None  # offset of the first byte that is not UTF-8
    seen_utf8 = head.startswith(codecs.BOM_UTF8)
    offset, lines = 0, 0
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            if b"\x00" in chunk:
                line = lines + chunk.count(b"\n", 0, chunk.index(b"\x00")) + 1
                raise ExportError(
                    path,
                    "NUL byte: binary content, not text",
                    row=None,
                    column=None,
                    expected=f"{_ENCODINGS} text (first NUL byte on line {line})",
                )
            seen_utf8 = seen_utf8 or bool(_UTF8_MULTIBYTE.search(chunk))
            if bad_at is None:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    bad_at = offset + exc.start
                    bad_line = lines + chunk.count(b"\n", 0, exc.start) + 1
                    bad_byte = chunk[exc.start]
            offset += len(chunk)
            lines += chunk.count(b"\n")
    if bad_at is None and _decodes_final(decoder):
        return digest.hexdigest(), "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
    if bad_at is not None and seen_utf8:
        raise ExportError(
            path,
            f"mixed text encodings: the file is UTF-8, but line {bad_line} holds byte 0x{bad_byte:02X}, "
            "which is not (a Windows-1252 character pasted into a UTF-8 file?)",
            expected="one encoding for the whole file: re-save it as UTF-8",
        )
    if _is_cp1252(path):
        return digest.hexdigest(), "cp1252"
    raise ExportError(path, "text encoding not recognised", expected=_ENCODINGS)


def _decodes_final(decoder: codecs.IncrementalDecoder) -> bool:
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _is_cp1252(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("cp1252")()
    try:
        with path.open("rb") as f:
            while chunk := f.read(CHUNK):
                if _has_control_chars(decoder.decode(chunk)):
                    return False
    except UnicodeDecodeError:
        return False
    return _decodes_final(decoder)


_ENCODINGS = "UTF-8 (with or without BOM) or Windows-1252/Latin-1"
_CONTROL = {chr(c) for c in range(32)} - {"\t", "\n", "\r"} | {chr(c) for c in range(0x80, 0xA0)}


def _has_control_chars(text: str) -> bool:
    return any(ch in _CONTROL for ch in text)


def sniff_dialect(path: Path, encoding: str) -> CsvDialect:
    """Read the heading row and find the separator from it."""
    with path.open(encoding=encoding, newline="") as f:
        first_line = f.readline()
    if not first_line.strip():
        raise ExportError(path, "file is empty", expected="a heading row then one row per connection", row=0)
    counts = {d: first_line.count(d) for d in DELIMITERS}
    delimiter = max(counts, key=lambda d: counts[d])
    if counts[delimiter] == 0:
        raise ExportError(path, "heading row has a single column", expected="';' or ',' separated headings", row=0)
    headings = [h.strip() for h in next(csv.reader(io.StringIO(first_line), delimiter=delimiter))]
    # An empty heading (a trailing separator) still holds a column: name it so that it can be read and ignored.
    headings = [h or f"(unnamed column {i})" for i, h in enumerate(headings, start=1)]
    return CsvDialect(encoding=encoding, delimiter=delimiter, headings=headings)


def duckdb_source(path: Path, encoding: str, workdir: Path) -> Path:
    """The path DuckDB reads an export from: a link of plain name to it (DuckDB's readers take
    ``*``, ``?``, ``[`` and ``{`` in a path as a glob, so ``resp_2023*.csv`` would also read its
    neighbours), or a UTF-8 copy of a Windows-1252 export."""
    if encoding == "cp1252":
        return utf8_copy(path, encoding, workdir)
    link = Path(tempfile.mktemp(prefix="export-", suffix=".csv", dir=workdir))
    link.symlink_to(path.resolve())
    return link


def utf8_copy(path: Path, encoding: str, workdir: Path) -> Path:
    """A UTF-8 copy of a Windows-1252 export, for DuckDB's reader."""
    with (
        tempfile.NamedTemporaryFile("w", encoding="utf-8", newline="", suffix=".csv", dir=workdir, delete=False) as out,
        path.open(encoding=encoding, newline="") as src,
    ):
        while chunk := src.read(CHUNK):
            out.write(chunk)
    return Path(out.name)


def _as_text(value: object) -> str | None:
    """Spreadsheet and SPSS cells as the text the survey tool would have written.

    Dates and times (SPSS DATETIME, Excel date cells, with or without fractions
    of a second) are written as LimeSurvey's CSV writes them, to the second; a
    missing one (SPSS system-missing, pandas ``NaT``) is empty, never ``NaT``.
    """
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    text = str(value)
    return text if text != "" else None


def read_xlsx(path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_excel(path, sheet_name=0, dtype=object, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise ExportError(
            path, f"not a readable XLSX workbook ({type(exc).__name__})", expected="an .xlsx export"
        ) from exc
    return _all_text(frame)


def read_sav(path: Path) -> pd.DataFrame:
    """An SPSS file as text, each coded value replaced by the file's own value label.

    LimeSurvey's SPSS export numbers the answer options of a list (1, 2, …)
    and labels them; the label is the only link back to the codebook's answer
    code, so it is what ingest reads (as a "full answers" export). Values
    without a label (numbers, scales, unlabelled codes) stay as they are.
    """
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_sav(str(path), apply_value_formats=False)
    except Exception as exc:  # pyreadstat raises its own ReadstatError and OSError
        raise ExportError(
            path, f"not a readable SPSS file ({type(exc).__name__})", expected="an SPSS .sav export"
        ) from exc
    text = _all_text(frame)
    for column, labels in meta.variable_value_labels.items():
        by_text = {_as_text(k): str(v) for k, v in labels.items()}
        if column in text and by_text:
            text[column] = text[column].map(lambda x, m=by_text: m.get(x, x) if x is not None else None)
    return text


def _all_text(frame: pd.DataFrame) -> pd.DataFrame:
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.apply(lambda col: col.map(_as_text)).astype(object)
