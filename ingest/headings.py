"""Map an export's headings to the codebook's column names.

LimeSurvey writes ``Q02[SQ001]`` in CSV and XLSX exports; SPSS forbids
brackets, so its exports say ``Q02_SQ001``. Both map to the same codebook
variable (``place__mairie``). Headings the codebook does not know (timing
columns, IP address…) are left out of the warehouse and reported; a codebook
heading missing from the export stops the load, since every figure downstream
assumes the whole questionnaire.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import codebook
from ingest.errors import ExportError

#: Metadata an export must carry for the cleaning rules to work.
REQUIRED_METADATA = ("id", "submitdate")


@dataclass(frozen=True)
class HeadingMap:
    """Export heading → warehouse column, for the headings kept."""

    columns: dict[str, str]
    ignored: list[str]


def spss_name(heading: str) -> str:
    """``Q02[SQ001]`` → ``Q02_SQ001``, the name SPSS exports use."""
    return re.sub(r"\[(.*?)\]", r"_\1", heading)


def map_headings(path: Path, headings: list[str]) -> HeadingMap:
    cb = codebook.load()
    duplicated = [h for h, n in Counter(headings).items() if n > 1]
    if duplicated:
        raise ExportError(
            path,
            f"heading {duplicated[0]!r} appears {Counter(headings)[duplicated[0]]} times",
            column=duplicated[0],
            expected="each heading once",
        )
    known: dict[str, str] = {m: m for m in codebook.METADATA_COLUMNS}
    for variable in cb.variables():
        known[variable.export_heading] = variable.name
        known[spss_name(variable.export_heading)] = variable.name
    columns = {h: known[h] for h in headings if h in known}
    ignored = [h for h in headings if h not in known]

    present = set(columns.values())
    missing_meta = [m for m in REQUIRED_METADATA if m not in present]
    if missing_meta:
        raise ExportError(
            path,
            "required metadata column missing",
            column=missing_meta[0],
            expected="LimeSurvey metadata columns " + ", ".join(codebook.METADATA_COLUMNS),
        )
    missing = [v for v in cb.variables() if v.name not in present]
    if missing:
        names = ", ".join(f"{v.export_heading} ({v.name})" for v in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise ExportError(
            path,
            f"{len(missing)} questionnaire column(s) missing: {names}{more}",
            column=missing[0].export_heading,
            expected="every heading of the codebook",
        )
    return HeadingMap(columns=columns, ignored=ignored)
