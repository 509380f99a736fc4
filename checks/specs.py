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
#: Column of a stacked frame naming the question of each row (see checks.frames.stacked).
STACKED_INTO = "stacked_question"


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


@dataclass
class Target:
    """A frame and the checks of one suite on it, for one wave (None: not per wave)."""

    suite: str
    name: str
    wave: str | None
    frame: pd.DataFrame
    id_columns: tuple[str, ...]
    checks: list[Check] = field(default_factory=list)

    @property
    def key(self) -> str:
        """Unique, file-name-safe name (GX suite and Data Docs page)."""
        return f"{self.suite}.{self.name}" + (f".{self.wave}" if self.wave is not None else "")

    def rows_checked(self, check: Check) -> int:
        """Rows a check applies to: in a stacked frame, only its question's rows."""
        column = check.kwargs.get("column")
        if STACKED_INTO in self.frame.columns and column is not None:
            return int((self.frame[STACKED_INTO] == column).sum())
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
