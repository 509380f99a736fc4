"""The respondent set every page is computed on: a wave and optional subsets.

A filter is plain data (hashable, so it can key caches) that renders as one
SQL common table expression, ``sel (wave, respondent_id, record_key)``; every query of
:mod:`app.queries` joins its long table to ``sel``. Within a filter, the values
of one criterion are alternatives (Finistère or Morbihan) and the criteria
combine (Finistère and conseiller·ère numérique).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.perturbation import RECORD_KEY_SQL, salt

#: The multiple-choice question whose boxes are the places of work (its items come from the codebook).
PLACE_QUESTION = "place"
#: Single-choice questions of ``marts.respondents`` offered as sidebar filters.
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

    def selection(self) -> tuple[str, dict[str, Any]]:
        """``select wave, respondent_id, record_key`` of the kept respondents in the filter, with its parameters.

        The record key (:mod:`app.perturbation`) travels with every respondent so that each count can
        carry its cell key.
        """
        clauses = ["r.wave = $sel_wave"]
        params: dict[str, Any] = {"sel_wave": self.wave, "ck_salt": salt()}
        if self.departments:
            clauses.append(f"list_contains($sel_departments, r.{DEPARTMENT_QUESTION})")
            params["sel_departments"] = list(self.departments)
        if self.post_titles:
            clauses.append(f"list_contains($sel_post_titles, r.{POST_TITLE_QUESTION})")
            params["sel_post_titles"] = list(self.post_titles)
        if self.places:
            # one semi-join on the materialised long boxes (int_respondent_ticks holds marts.respondent_places'
            # rows), not a lookup per respondent in the view that unpivots the wide table on every read
            clauses.append(
                "r.respondent_id in (select t.respondent_id from intermediate.int_respondent_ticks as t"
                f" where t.wave = $sel_wave and t.question_code = '{PLACE_QUESTION}' and t.is_selected"
                " and list_contains($sel_places, t.item_code))"
            )
            params["sel_places"] = list(self.places)
        columns = f"r.wave, r.respondent_id, {RECORD_KEY_SQL} as record_key"
        sql = f"select {columns} from marts.respondents as r where " + " and ".join(clauses)
        return sql, params
