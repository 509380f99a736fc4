"""SPSS (.sav) and Stata (.dta) files with variable and value labels, written with pyreadstat.

The two formats get the same data and the same conventions (:mod:`export.labels`): numbers for single choices,
0/1 for booleans, one name per variable. Differences are the formats' own limits: Stata labels are cut at 80
characters, SPSS's at 256 bytes, and a Stata file is written as version 118 (Stata 14 and later, UTF-8).
SPSS files use the ordinary row compression of .sav (not .zsav, which older SPSS versions cannot open).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pyreadstat

from export.headings import heading
from export.labels import MAX_LABEL, NO_YES, Variable, truncate
from export.stamp import pin_dta, pin_sav

#: Stata file format: 14 → dta 118, read by Stata 14 and later.
STATA_VERSION = 14
#: Longest SPSS file label (bytes) and Stata dataset label (characters).
_FILE_LABEL = {"sav": 64, "dta": 80}
#: SPSS document lines are 80 bytes.
_NOTE_BYTES = 80
#: SPSS measurement level of each kind of variable.
_MEASURE = {"single": "nominal", "multi": "nominal", "id": "nominal", "scale": "ordinal", "number": "scale"}


@dataclass(frozen=True)
class Labelled:
    """A table ready for pyreadstat: columns under their file names, and their labels."""

    frame: pd.DataFrame
    labels: dict[str, str]
    value_labels: dict[str, dict[int, str]] = field(default_factory=dict)
    measures: dict[str, str] = field(default_factory=dict)
    spss_formats: dict[str, str] = field(default_factory=dict)


def _strings(series: pd.Series) -> pd.Series:
    """Text as both formats store it: a missing text is an empty string."""
    return series.astype(object).where(series.notna(), "").astype(str)


def _flags(series: pd.Series) -> pd.Series:
    """Booleans as 0/1, missing where NULL."""
    return series.map({True: 1.0, False: 0.0}).astype("float64")


def respondents(con: duckdb.DuckDBPyConnection, sql: str, variables: Sequence[Variable]) -> Labelled:
    """The wide respondents table with codes turned into the numbers the value labels describe."""
    data = con.execute(sql).df()
    columns: dict[str, pd.Series] = {}
    labels: dict[str, str] = {}
    value_labels: dict[str, dict[int, str]] = {}
    formats: dict[str, str] = {}
    for v in variables:
        series = data[v.name]
        if v.kind == "single":
            numbers = series.map(v.codes)
            unknown = sorted(set(series[series.notna() & numbers.isna()]))
            if unknown:
                raise ValueError(f"{v.name}: codes {unknown} are not in the codebook")
            columns[v.short_name] = numbers.astype("float64")
            formats[v.short_name] = f"F{max(len(str(n)) for n in v.codes.values())}.0" if v.codes else "F8.0"
        elif v.kind == "multi":
            columns[v.short_name] = _flags(series)
            formats[v.short_name] = "F1.0"
        elif v.kind in ("scale", "number"):
            columns[v.short_name] = pd.to_numeric(series).astype("float64")
            if v.kind == "scale" and v.value_labels:
                formats[v.short_name] = f"F{len(str(max(v.value_labels)))}.0"
        else:
            columns[v.short_name] = _strings(series)
        labels[v.short_name] = v.label
        if v.value_labels:
            value_labels[v.short_name] = dict(v.value_labels)
    return Labelled(
        frame=pd.DataFrame(columns),
        labels=labels,
        value_labels=value_labels,
        measures={v.short_name: _MEASURE[v.kind] for v in variables},
        spss_formats=formats,
    )


def long_table(con: duckdb.DuckDBPyConnection, sql: str, types: Sequence[tuple[str, str]]) -> Labelled:
    """A long table (the answers): booleans as labelled 0/1, text as text, French headings as labels."""
    data = con.execute(sql).df()
    columns: dict[str, pd.Series] = {}
    value_labels: dict[str, dict[int, str]] = {}
    measures: dict[str, str] = {}
    for name, kind in types:
        if kind == "BOOLEAN":
            columns[name] = _flags(data[name])
            value_labels[name] = dict(NO_YES)
            measures[name] = "nominal"
        elif kind == "VARCHAR":
            columns[name] = _strings(data[name])
            measures[name] = "nominal"
        else:
            columns[name] = pd.to_numeric(data[name]).astype("float64")
            measures[name] = "ordinal" if name.endswith("position") else "scale"
    return Labelled(frame=pd.DataFrame(columns), labels={n: heading(n) for n, _ in types},
                    value_labels=value_labels, measures=measures)


def _note_lines(notes: Sequence[str]) -> list[str]:
    """Notes cut into SPSS document lines (80 bytes), at word boundaries."""
    lines: list[str] = []
    for note in notes:
        line = ""
        for word in note.split():
            candidate = f"{line} {word}".strip()
            if len(candidate.encode("utf-8")) > _NOTE_BYTES and line:
                lines.append(line)
                candidate = word
            line = candidate
        lines.append(truncate(line, _NOTE_BYTES, by_bytes=True))
    return lines


def write(fmt: str, table: Labelled, path: Path, when: dt.datetime, file_label: str, notes: Sequence[str]) -> None:
    """Write ``table`` as .sav or .dta at ``path``, its header dated ``when`` (the source build's time)."""
    names = list(table.frame.columns)
    by_bytes = fmt == "sav"
    column_labels = [truncate(table.labels[n], MAX_LABEL[fmt], by_bytes=by_bytes) for n in names]
    label = truncate(file_label, _FILE_LABEL[fmt], by_bytes=by_bytes)
    if fmt == "sav":
        pyreadstat.write_sav(
            table.frame, str(path), file_label=label, column_labels=column_labels,
            variable_value_labels=table.value_labels, variable_measure=table.measures,
            variable_format=table.spss_formats or None, note=_note_lines(notes), row_compress=True,
        )
        pin_sav(path, when)
    elif fmt == "dta":
        pyreadstat.write_dta(
            table.frame, str(path), file_label=label, column_labels=column_labels,
            variable_value_labels=table.value_labels, version=STATA_VERSION,
        )
        pin_dta(path, when)
    else:
        raise ValueError(f"not a labelled format: {fmt}")
