"""What the gate checks, as plain data: no Great Expectations import here.

Suites are generated from the codebook and the warehouse's catalog as
:class:`Target` objects: one DataFrame read from the build file (only the
columns its checks need) and the :class:`Check` list to run on it. Keeping
them as plain data lets the generators be read, counted and tested without GX,
and keeps GX (slow to import) inside the validation step alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

#: Suites, in the order they run and are reported.
SUITES = ("sample_size", "ranges", "value_sets", "structure", "skip_logic", "report")

#: Identifying columns of kept-respondent frames, shown beside each offending value.
RESPONDENT_IDS = ("respondent_id", "source_file", "source_row")
#: Identifying columns of frames over ``raw.responses`` (no respondent id there yet).
RAW_IDS = ("source_file", "source_row", "response_id")
#: Column of a stacked frame naming the question of each row (see checks.frames.counted).
STACKED_INTO = "stacked_question"
#: Column of a counted frame: how many warehouse rows hold that value (see checks.frames.counted).
ROW_COUNT = "row_count"


@dataclass
class Check:
    """One expectation: what GX runs (``expectation`` + ``kwargs`` on the target's frame)
    and where its values come from in the warehouse (``table_name``/``column_name``),
    so that a failure names the place a person has to look at."""

    expectation: str
    kwargs: dict[str, Any]
    table_name: str
    column_name: str | None
    description: str
    question_code: str | None = None


@dataclass(frozen=True)
class Rows:
    """Where the rows behind a counted frame are: the SQL of one row per warehouse row and checked
    column (ids, ``column``, the question's value), so that a failure can list its offending rows."""

    sql: str
    params: tuple[object, ...]
    #: Order of the offending rows shown (the first ones are shown).
    order: tuple[str, ...]


@dataclass
class Target:
    """A frame and the checks of one suite on it, for one wave (None: not per wave).

    Frames stay small at any sample size: a *counted* frame (``rows`` set) holds each distinct
    value once with its number of rows in :data:`ROW_COUNT`; other frames may hold only the rows
    that can fail (``row_total``: how many rows the checks were run over).
    """

    suite: str
    name: str
    wave: str | None
    frame: pd.DataFrame
    #: Columns that locate an offending row (shown beside its value).
    id_columns: tuple[str, ...]
    checks: list[Check] = field(default_factory=list)
    rows: Rows | None = None
    row_total: int | None = None

    @property
    def key(self) -> str:
        """Unique, file-name-safe name (GX suite and Data Docs page)."""
        return f"{self.suite}.{self.name}" + (f".{self.wave}" if self.wave is not None else "")

    @property
    def counted(self) -> bool:
        return self.rows is not None

    def rows_checked(self, check: Check) -> int:
        """Warehouse rows a check applies to: in a stacked frame, only its question's rows."""
        if self.row_total is not None:
            return self.row_total
        column = check.kwargs.get("column")
        if self.counted and column is not None:
            return int(self.frame.loc[self.frame[STACKED_INTO] == column, ROW_COUNT].sum())
        return len(self.frame)


@dataclass
class Outcome:
    """The result of one check on one wave, as stored in ``audit.validation_results``."""

    target: Target
    check: Check
    success: bool
    observed_value: str | None
    element_count: int | None
    unexpected_count: int | None
    examples: list[str]
    error: str | None = None
    #: Counted frames: the unexpected (``column``, value) pairs, to look their rows up.
    unexpected_values: list[tuple[str, Any]] = field(default_factory=list)
