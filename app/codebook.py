"""The questionnaire as each wave asked it, read from the warehouse's codebook tables (the single source of truth).

Nothing here reads a respondent table except :func:`waves`: pages list questions, items and choices with the
labels of the selected wave, and :mod:`app.wide` generates its SQL from the same tables, so a questionnaire
change needs no change in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from app.db import query

#: The multiple-choice question whose boxes are the places of work (its items come from the codebook).
PLACE_QUESTION = "place"

#: The questionnaire as asked in the wave ``$sel_wave``, as common table expressions. Questions: those of
#: ``staging.stg_codebook__questions`` whose ``asked_waves`` (the codebook's first_wave / last_wave, in fieldwork
#: order) hold the wave, with the label a question-level row of ``codebook_labels`` gives it from its wave on;
#: items and choices: ``staging.stg_codebook__labels_by_wave`` (only those asked that wave, with that wave's
#: labels). Codes are the same in every wave; labels may not be (Pôle emploi became France Travail in 2024).
#: They read the codebook's small tables and views only, never a respondent table.
EDITION = """
edition_waves as (select wave, wave_order from staging.stg_survey__waves),
edition_relabels as (
    select l.question_code, arg_max(l.label_fr, w.wave_order) as label_fr
    from codebook.codebook_labels as l inner join edition_waves as w on w.wave = l.from_wave
    where l.item_code is null and l.choice_code is null
        and w.wave_order <= (select wave_order from edition_waves where wave = $sel_wave)
    group by l.question_code
),
edition_questions as (
    select q.* replace (coalesce(r.label_fr, q.label_fr) as label_fr)
    from staging.stg_codebook__questions as q left join edition_relabels as r using (question_code)
    where list_contains(q.asked_waves, $sel_wave)
),
edition_entries as materialized (
    select * from staging.stg_codebook__labels_by_wave where wave = $sel_wave
),
edition_choices as (
    select c.* replace (l.position as position, l.label_fr as label_fr, l.group_label_fr as group_label_fr)
    from edition_entries as l inner join codebook.codebook_choices as c using (question_code, choice_code)
),
edition_items as (
    select i.* replace (l.position as position, l.label_fr as label_fr)
    from edition_entries as l inner join codebook.codebook_items as i using (question_code, item_code)
),
edition_variables as (
    -- the wide table's columns the wave asked: a question of the edition, and for a battery only its items
    select v.* from staging.stg_codebook__variables as v inner join edition_questions using (question_code)
    where not v.is_other
        and (v.item_code is null or exists (
            select 1 from edition_items as i where i.question_code = v.question_code and i.item_code = v.item_code
        ))
)"""


def _codebook(path: Path, table: str, order: str, wave: str | None) -> pd.DataFrame:
    if wave is None:
        return query(path, f"select * from codebook.codebook_{table} order by {order}")
    return query(path, f"with {EDITION}\nselect * from edition_{table} order by {order}", {"sel_wave": wave})


def questions(path: Path, wave: str | None = None) -> pd.DataFrame:
    """The questions asked in ``wave``, with that wave's labels (None: every question of the codebook, whatever
    the wave, with its first label: for what no edition changes, such as a question's type)."""
    return _codebook(path, "questions", "position", wave)


def choices(path: Path, wave: str | None = None) -> pd.DataFrame:
    """The answer options offered in ``wave``, with that wave's labels (None: every option of the codebook)."""
    return _codebook(path, "choices", "question_code, position", wave)


def items(path: Path, wave: str | None = None) -> pd.DataFrame:
    """The items (boxes, battery rows) asked in ``wave``, with that wave's labels (None: every item of the codebook)."""
    return _codebook(path, "items", "question_code, position", wave)


def edition_variables(path: Path, wave: str) -> pd.DataFrame:
    """The columns of ``marts.respondents_wide`` that ``wave`` asked, one row each, with what decides who was asked
    (the question's type, ``mandatory``, ``asked_if_question`` = ``asked_if_choice``), in questionnaire order."""
    return query(
        path,
        f"""with {EDITION}
        select v.variable_name, v.question_code, v.item_code, q.type, q.mandatory, q.asked_if_question,
            q.asked_if_choice
        from edition_variables as v inner join edition_questions as q using (question_code)
        order by q.position, v.item_position""",
        {"sel_wave": wave},
    )


def variable_names(path: Path) -> dict[tuple[str, str | None], str]:
    """(question, item or None) → the wide table's column, for every variable of the codebook."""
    found = query(path, "select question_code, item_code, variable_name from staging.stg_codebook__variables"
                        " where not is_other")
    return {(q, None if pd.isna(i) else i): v for q, i, v in found.itertuples(index=False)}


def waves(path: Path) -> list[str]:
    """The waves with respondents, in fieldwork order (a wave's id is a name, its place in time is its dates)."""
    return query(
        path,
        """select r.wave from (select distinct wave from marts.respondents) as r
        left join staging.stg_survey__waves as w using (wave) order by w.wave_order nulls last, r.wave""",
    )["wave"].tolist()


# --- what the report crosses and compares -----------------------------------------------------------------


@dataclass(frozen=True)
class CrossVariable:
    """A variable that can be crossed: a single-choice question, or one box of a multiple choice."""

    question_code: str
    item_code: str | None
    label: str

    @property
    def key(self) -> str:
        """The variable's name as the stats stage writes it (``place__mairie``)."""
        return self.question_code if self.item_code is None else f"{self.question_code}__{self.item_code}"

    @property
    def variable(self) -> tuple[str, str | None]:
        """(question, box or None): how a scan request names it (app.wide.Variable)."""
        return (self.question_code, self.item_code)


def cross_variables(path: Path, wave: str | None = None) -> list[CrossVariable]:
    """The single-choice questions asked in ``wave``, then each place of work asked then, in questionnaire order,
    labelled as that wave asked them (None: every edition's, with the codebook's first labels)."""
    qs = questions(path, wave)
    out = [CrossVariable(q.question_code, None, q.label_fr) for q in qs.itertuples() if q.type == "single"]
    if PLACE_QUESTION not in set(qs["question_code"]):
        return out
    place_label = qs.set_index("question_code").loc[PLACE_QUESTION, "label_fr"]
    its = items(path, wave)
    for item in its[its["question_code"] == PLACE_QUESTION].itertuples():
        out.append(CrossVariable(PLACE_QUESTION, item.item_code, f"{place_label} : {item.label_fr}"))
    return out


def report_crosstabs(path: Path, wave: str | None = None) -> pd.DataFrame:
    """The report's cross-tabs (tables 3, 11 and those its text quotes); with a wave, those whose two variables
    that wave asked (:func:`cross_variables`)."""
    pairs = query(
        path,
        r"""select * from report.report_crosstabs
        order by try_cast(regexp_extract(report_figure, '\d+') as integer) nulls last, crosstab_id""",
    )
    if wave is None:
        return pairs
    keys = {v.key for v in cross_variables(path, wave)}
    return pairs[pairs["row_question"].isin(keys) & pairs["col_question"].isin(keys)].reset_index(drop=True)


def comparison_groupings(comparisons: pd.DataFrame) -> list[tuple[str, str, str | None]]:
    """Each of ``comparisons`` (rows of :func:`report_comparisons`) as the query layer takes it: (value question,
    group question, group box or None)."""
    return [(c.value_question, c.group_question, None if pd.isna(c.group_item) else c.group_item)
            for c in comparisons.itertuples()]


def report_comparisons(path: Path, wave: str | None = None) -> pd.DataFrame:
    """The report's group comparisons (figures 1, 3–6); with a wave, those whose value and grouping questions
    (and place, for a comparison on one place) that wave asked."""
    comparisons = query(path, "select * from report.report_comparisons order by report_figure")
    if wave is None:
        return comparisons
    asked = set(questions(path, wave)["question_code"])
    its = items(path, wave)
    asked_items = set(zip(its["question_code"], its["item_code"], strict=True))
    keep = [
        {c.value_question, c.group_question} <= asked
        and (pd.isna(c.group_item) or (c.group_question, c.group_item) in asked_items)
        for c in comparisons.itertuples()
    ]
    return comparisons[keep].reset_index(drop=True)
