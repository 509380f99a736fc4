"""The respondent set every page is computed on: a wave and optional subsets.

A filter is plain data (hashable, so it can key caches) that renders as one
SQL query, ``sel``: the kept respondents' rows of the wide table
``marts.respondents_wide`` (one row per respondent, one column per variable)
that the filter keeps, each with its record key. :mod:`app.wide` aggregates
those rows in one scan. Within a filter, the values of one criterion are
alternatives (Finistère or Morbihan) and the criteria combine (Finistère and
conseiller·ère numérique).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.codebook import PLACE_QUESTION, edition_variables
from app.perturbation import RECORD_KEY_SQL, salt
from app.sql import column

__all__ = ["DEPARTMENT_QUESTION", "PLACE_QUESTION", "POST_TITLE_QUESTION", "RespondentFilter", "WAVE_PARAM"]

#: Single-choice questions offered as sidebar filters (columns of the wide table).
DEPARTMENT_QUESTION = "department"
POST_TITLE_QUESTION = "post_title"
#: The address parameter naming the wave (``?vague=2023``): a shared address shows the wave it was shared from
#: (a crossing of a question only one wave asked, for one).
WAVE_PARAM = "vague"


@dataclass(frozen=True)
class RespondentFilter:
    wave: str
    departments: tuple[str, ...] = ()
    post_titles: tuple[str, ...] = ()
    places: tuple[str, ...] = ()

    @property
    def is_subset(self) -> bool:
        """True when the filter keeps only part of the wave."""
        return bool(self.departments or self.post_titles or self.places)

    def selection(self, path: Path) -> tuple[str, dict[str, Any]]:
        """``select r.*, record_key from marts.respondents_wide as r where …``: the kept respondents in the
        filter, with its parameters.

        The record key (:mod:`app.perturbation`) travels with every respondent so that each count can carry its
        cell key. A place is a box of the wide row: the place filter is an OR over the chosen places' columns,
        named by the codebook; a place the wave did not ask matches nobody, as no answer of that wave ticks it.
        """
        clauses = ["r.wave = $sel_wave"]
        params: dict[str, Any] = {"sel_wave": self.wave, "ck_salt": salt()}
        if self.departments:
            clauses.append(f"list_contains($sel_departments, r.{column(DEPARTMENT_QUESTION)})")
            params["sel_departments"] = list(self.departments)
        if self.post_titles:
            clauses.append(f"list_contains($sel_post_titles, r.{column(POST_TITLE_QUESTION)})")
            params["sel_post_titles"] = list(self.post_titles)
        if self.places:
            asked = edition_variables(path, self.wave)
            boxes = asked[(asked["question_code"] == PLACE_QUESTION) & asked["item_code"].isin(self.places)]
            ticked = [f"r.{column(name)}" for name in sorted(boxes["variable_name"])]
            clauses.append("(" + " or ".join(ticked) + ")" if ticked else "false")
        sql = f"select r.*, {RECORD_KEY_SQL} as record_key from marts.respondents_wide as r where " + " and ".join(
            clauses
        )
        return sql, params
