"""Writing the export exactly as LimeSurvey does, and the manifest beside it.

LimeSurvey's CSV export: UTF-8 with a byte-order mark, ``;`` separator, every
field double-quoted (empty ones too), CRLF line ends, one column per export
heading of the wave's questionnaire (``cb`` is the wave's edition of the codebook,
``codebook.load().edition(wave)``, so ``cb.export_headings()`` are that wave's:
no 2024 question in a 2023 export, no dropped one in 2024). Answers are stored as small integer codes
(see ``respondents.py``); each variable has a lookup table from code to text,
so that turning a chunk of rows into text is one numpy ``take`` per column and
the file is written chunk by chunk (memory stays flat for a million rows).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import NDArray

import codebook
from samplegen import design
from samplegen.connections import Connections
from samplegen.respondents import NUMBER_UNITS

if TYPE_CHECKING:
    import pyarrow as pa

MANIFEST_COLUMNS = codebook.MANIFEST_COLUMNS
CHUNK_ROWS = 100_000


def _number_text(units: int, per_unit: int) -> str:
    if per_unit == 1 or units % per_unit == 0:
        return str(units // per_unit)
    decimals = len(str(per_unit)) - 1
    return f"{units / per_unit:.{decimals}f}".rstrip("0")


def lookup(v: codebook.Variable) -> NDArray[np.object_]:
    """Texts of a variable's codes; index ``code + 1`` (code -1, the empty field, is index 0)."""
    q = v.question
    if v.is_other:
        texts = list(design.OUT_OF_TARGET_TITLES)
    elif q.type == "single":
        texts = [c.choice_code for c in q.choices]
    elif q.type == "multi":
        texts = ["", "Y"]
    elif q.type in ("scale", "number"):
        per_unit = NUMBER_UNITS.get(q.question_code, 1)
        top = int((q.max_value if q.max_value is not None else 10) * per_unit)
        texts = [_number_text(u, per_unit) for u in range(top + 1)]
    else:  # free text questions: none in the 2023 questionnaire, left empty
        texts = []
    return np.array([""] + texts, dtype=object)


def _dates(a: NDArray) -> NDArray[np.object_]:
    text = np.datetime_as_string(a.astype("datetime64[s]"), unit="s").astype(object)
    out = pd.Series(text).str.replace("T", " ", regex=False).to_numpy(dtype=object)
    out[np.isnat(a)] = ""
    return out


def _chunk_frame(cb: codebook.Codebook, conn: Connections, sl: slice, tables: list[NDArray]) -> pd.DataFrame:
    """Rows ``sl`` of the export as text (pandas writer)."""
    data: dict[str, NDArray] = {
        "id": conn.rowid[sl].astype(str),
        "submitdate": _dates(conn.submitdate[sl]),
        "lastpage": conn.lastpage[sl].astype(str),
        "startlanguage": np.full(len(conn.rowid[sl]), "fr", dtype=object),
        "seed": conn.seed[sl].astype(str),
        "startdate": _dates(conn.startdate[sl]),
        "datestamp": _dates(conn.datestamp[sl]),
    }
    for v, table in zip(cb.variables(), tables, strict=True):
        data[v.export_heading] = table[conn.cols[v.name][sl].astype(np.int64) + 1]
    return pd.DataFrame(data, columns=cb.export_headings(), copy=False)


def _chunk_arrow(cb: codebook.Codebook, conn: Connections, sl: slice, tables: list[NDArray]) -> pa.Table:
    """Rows ``sl`` of the export as an Arrow table of strings (decoded in C++, much faster)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def dates(a: NDArray) -> pa.Array:
        text = pc.strftime(pa.array(a.astype("datetime64[s]")), format="%Y-%m-%d %H:%M:%S")
        return pc.fill_null(text, "")

    n = len(conn.rowid[sl])
    columns = [
        pa.array(conn.rowid[sl]).cast(pa.string()),
        dates(conn.submitdate[sl]),
        pa.array(conn.lastpage[sl]).cast(pa.string()),
        pa.array(np.full(n, "fr", dtype=object), type=pa.string()),
        pa.array(conn.seed[sl]).cast(pa.string()),
        dates(conn.startdate[sl]),
        dates(conn.datestamp[sl]),
    ]
    for v, table in zip(cb.variables(), tables, strict=True):
        columns.append(pc.take(pa.array(table, type=pa.string()), conn.cols[v.name][sl].astype(np.int32) + 1))
    return pa.table(columns, names=[f"c{k}" for k in range(len(columns))])


def write_responses(
    path: Path, cb: codebook.Codebook, conn: Connections, chunk_rows: int = CHUNK_ROWS, engine: str = "auto"
) -> None:
    """Write the export file of ``conn`` (see module docstring for the format).

    ``engine`` ``"arrow"`` (the default when pyarrow is installed, as the
    project requires) decodes and writes in C++; ``"pandas"`` is the portable
    fallback. Both write the same bytes.
    """
    if engine == "auto":
        try:
            import pyarrow.csv  # noqa: F401

            engine = "arrow"
        except ImportError:
            engine = "pandas"
    tables = [lookup(v) for v in cb.variables()]
    headings = cb.export_headings()
    with path.open("wb") as f:
        f.write(b"\xef\xbb\xbf" + (";".join(f'"{h}"' for h in headings) + "\r\n").encode("utf-8"))
        for lo in range(0, len(conn), chunk_rows):
            sl = slice(lo, lo + chunk_rows)
            if engine == "arrow":
                from pyarrow import csv as pacsv

                options = pacsv.WriteOptions(include_header=False, delimiter=";", eol="\r\n", quoting_style="all_valid")
                pacsv.write_csv(_chunk_arrow(cb, conn, sl, tables), f, options)
            else:
                text = _chunk_frame(cb, conn, sl, tables).to_csv(
                    sep=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n", header=False, index=False
                )
                f.write(text.encode("utf-8"))


def write_manifest(path: Path, rows: list[dict[str, str]]) -> None:
    """``manifest.csv``: plain UTF-8, comma, LF; blank fields mean "take the wave's values from waves.csv"."""
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=MANIFEST_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def merge_manifest(path: Path, row: dict[str, str]) -> list[dict[str, str]]:
    """Add ``row`` to ``manifest.csv`` (replacing the row of the same wave or file), keep the other waves'
    rows, sort by wave and write it; returns the rows written.

    Why: a folder holds one export per wave (the bundled sample has 2023 and 2024), and regenerating
    one wave must neither drop the others nor change a byte when nothing changed.
    """
    rows: list[dict[str, str]] = []
    if path.exists():
        with path.open(encoding="utf-8", newline="") as f:
            rows = [{c: r.get(c) or "" for c in MANIFEST_COLUMNS} for r in csv.DictReader(f)]
    rows = [r for r in rows if r["wave"] != row["wave"] and r["file"] != row["file"]]
    rows = sorted([*rows, {c: row.get(c, "") for c in MANIFEST_COLUMNS}], key=lambda r: (r["wave"], r["file"]))
    write_manifest(path, rows)
    return rows
