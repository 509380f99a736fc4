"""The app's one query layer: every statistic the pages show, for any respondent filter.

Each function returns the same shape as the dbt ``report`` model it mirrors
(``report.frequencies``, ``report.scale_summaries``, ``report.group_means``,
``report.crosstabs``), but computed from the long ``intermediate`` tables
joined to the filter's respondent set (``sel``), so one code path serves the
whole wave and any subset of it. Questions, items and choices are those of the
filter's wave, with that wave's labels (``_EDITION``): a question not asked in
a wave has no row, an answer option added later is no zero of earlier waves.
Tests check that, unfiltered, the results equal the report models. Nothing
here returns respondent ids, raw values or free text: only aggregates. Every
count comes with its cell key (``ckey``: the sum of its respondents' record
keys, :mod:`app.perturbation`) and every magnitude with the wave's spread of
its variable (``wave_sd``), so that the pages can apply the disclosure policy
(:mod:`app.disclosure`) without ever seeing a respondent.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from app.db import query, table_exists
from app.filters import PLACE_QUESTION, RespondentFilter
from app.perturbation import cell_key_sql, key_sql

#: How the report lays a question out: answers counted (tables of counts and percentages) or numbers summarised
#: (mean, median, standard deviation); figure 2 draws the number question of table 8 (dbt's f2 model).
CHOICE_TYPES = ("single", "multi")
SUMMARY_TYPES = ("scale", "number")
DISTRIBUTION_TABLE = "T8"

#: Codes and labels of a ticked / unticked box, as the warehouse's group comparisons name them.
BOX_CHOICES = (("Y", "Oui", 1), ("N", "Non", 2))
_BOX_VALUES = ", ".join(f"('{code}', '{label}', {position})" for code, label, position in BOX_CHOICES)


def _with_sel(f: RespondentFilter, body: str, params: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    sel_sql, sel_params = f.selection()
    return f"with sel as ({sel_sql}),\n{body}", {**sel_params, **(params or {})}


# --- codebook: each wave's edition -----------------------------------------------------------------------

#: The questionnaire as asked in the wave ``$sel_wave``, as common table expressions. Questions: those of
#: ``staging.stg_codebook__questions`` whose ``asked_waves`` (the codebook's first_wave / last_wave, in fieldwork
#: order) hold the wave, with the label a question-level row of ``codebook_labels`` gives it from its wave on;
#: items and choices: ``staging.stg_codebook__labels_by_wave`` (only those asked that wave, with that wave's
#: labels). Codes are the same in every wave; labels may not be (Pôle emploi became France Travail in 2024).
#: They read the codebook's small tables and views only, never a respondent table.
_EDITION = """
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
)"""


def _codebook(path: Path, table: str, order: str, wave: str | None) -> pd.DataFrame:
    if wave is None:
        return query(path, f"select * from codebook.codebook_{table} order by {order}")
    return query(path, f"with {_EDITION}\nselect * from edition_{table} order by {order}", {"sel_wave": wave})


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


def waves(path: Path) -> list[str]:
    """The waves with respondents, in fieldwork order (a wave's id is a name, its place in time is its dates)."""
    return query(
        path,
        """select r.wave from (select distinct wave from marts.respondents) as r
        left join staging.stg_survey__waves as w using (wave) order by w.wave_order nulls last, r.wave""",
    )["wave"].tolist()


# --- respondent set ---------------------------------------------------------------------------------------


def population(path: Path, f: RespondentFilter) -> tuple[int, int]:
    """How many respondents the filter keeps, and the cell key of that set."""
    counted = f"select count(*) as n, {cell_key_sql('record_key')} as ckey from sel"
    body = f"counted as ({counted}) select n, ckey from counted"
    sql, params = _with_sel(f, body)
    row = query(path, sql, params).iloc[0]
    return int(row["n"]), int(row["ckey"])


# --- frequencies (report.frequencies) ---------------------------------------------------------------------

_FREQUENCIES = """{edition},
questions as (
    select question_code, label_fr, type, mandatory, position from edition_questions
    where list_contains($questions, question_code)
),
answers as (
    select a.question_code, a.answer_code, sel.record_key from intermediate.int_respondent_answers as a
    inner join sel using (wave, respondent_id)
    where list_contains($questions, a.question_code)
),
single_bases as (
    select q.question_code, count(a.answer_code) as base_n,
        {ck_answered} as base_ckey
    from questions as q left join answers as a using (question_code)
    where q.type = 'single' group by q.question_code
),
single_counts as (
    select question_code, answer_code, count(*) as n, {ck_all} as ckey
    from answers where answer_code is not null group by all
),
single_rows as (
    select c.question_code, 'choice' as item_kind, c.choice_code as item_code, c.label_fr as item_label,
        c.position as item_position, coalesce(n.n, 0) as count, coalesce(n.ckey, 0) as ckey, b.base_n, b.base_ckey,
        c.group_label_fr
    from edition_choices as c
    inner join single_bases as b using (question_code)
    left join single_counts as n on n.question_code = c.question_code and n.answer_code = c.choice_code
    where c.is_target is distinct from false  -- out-of-target answers (post title "Autre") are never kept
),
group_rows as (
    select question_code, 'group' as item_kind, group_label_fr as item_code, group_label_fr as item_label,
        min(item_position) as item_position, sum(count) as count, sum(ckey) as ckey, any_value(base_n) as base_n,
        any_value(base_ckey) as base_ckey, group_label_fr
    from single_rows where group_label_fr is not null group by question_code, group_label_fr
),
ticks as (
    select t.question_code, t.respondent_id, t.item_code, t.is_selected, sel.record_key
    from intermediate.int_respondent_ticks as t
    inner join sel using (wave, respondent_id)
    where list_contains($questions, t.question_code)
),
multi_bases as (
    select q.question_code, count(m.respondent_id) filter (where m.ticked_any or q.mandatory) as base_n,
        {ck_base} as base_ckey
    from questions as q
    left join (
        select question_code, respondent_id, any_value(record_key) as record_key, bool_or(is_selected) as ticked_any
        from ticks group by question_code, respondent_id
    ) as m using (question_code)
    where q.type = 'multi' group by q.question_code
),
multi_rows as (
    select i.question_code, 'item' as item_kind, i.item_code, i.label_fr as item_label, i.position as item_position,
        count(t.respondent_id) filter (where t.is_selected) as count, {ck_ticked} as ckey, b.base_n, b.base_ckey,
        null as group_label_fr
    from edition_items as i
    inner join multi_bases as b using (question_code)
    left join ticks as t on t.question_code = i.question_code and t.item_code = i.item_code
    group by i.question_code, i.item_code, i.label_fr, i.position, b.base_n, b.base_ckey
),
rows as (select * from single_rows union all select * from group_rows union all select * from multi_rows)
select
    $sel_wave as wave, r.question_code, q.label_fr as question_label, q.type as question_type, r.item_kind,
    r.item_code, r.item_label, r.item_position, r.group_label_fr as item_group, cast(r.count as bigint) as count,
    cast(r.base_n as bigint) as base_n, {ck_mod_count} as ckey, {ck_mod_base} as base_ckey,
    case when r.base_n > 0 then 100.0 * r.count / r.base_n end as percent
from rows as r inner join questions as q using (question_code)
order by q.position, r.item_kind, r.item_position
"""


_FREQUENCIES = _FREQUENCIES.format(
    edition=_EDITION,
    ck_answered=cell_key_sql("a.record_key", "a.answer_code is not null"),
    ck_all=cell_key_sql("record_key"),
    ck_base=cell_key_sql("m.record_key", "m.ticked_any or q.mandatory"),
    ck_ticked=cell_key_sql("t.record_key", "t.is_selected"),
    ck_mod_count=key_sql("r.ckey"),
    ck_mod_base=key_sql("r.base_ckey"),
)


def frequencies(path: Path, f: RespondentFilter, question_codes: list[str]) -> pd.DataFrame:
    """Counts and percentages of single and multiple choices over the report's bases (see frequencies.sql).

    Each count and base comes with its cell key (``ckey``, ``base_ckey``) for :mod:`app.perturbation`.
    """
    sql, params = _with_sel(f, _FREQUENCIES, {"questions": list(question_codes)})
    return query(path, sql, params)


# --- scale and number summaries (report.scale_summaries) --------------------------------------------------

_SCALES = f"""{_EDITION},
vals as (
    select v.*, sel.record_key from intermediate.int_respondent_values as v inner join sel using (wave, respondent_id)
    where list_contains($questions, v.question_code)
),
{{spread}}
select
    $sel_wave as wave, v.question_code, q.label_fr as question_label, q.type as question_type, v.item_code,
    -- a number question is its own item: it reads as the question, labelled as asked that wave
    case when v.item_code = v.question_code then q.label_fr else any_value(v.item_label) end as item_label,
    any_value(v.item_position) as item_position,
    count(v.value) as n, avg(v.value) as mean, median(v.value) as median, stddev_samp(v.value) as sd,
    {cell_key_sql("v.record_key", "v.value is not null")} as ckey, any_value(s.wave_sd) as wave_sd
from vals as v inner join edition_questions as q using (question_code)
left join spread as s using (question_code, item_code)
group by v.question_code, q.label_fr, q.type, q.position, v.item_code
order by q.position, item_position
"""

#: The wave's standard deviation of each value item: the scale of the noise on magnitudes (app.perturbation).
_SPREAD = """spread as (
    select question_code, item_code, stddev_samp(value) as wave_sd from intermediate.int_respondent_values
    where wave = $sel_wave and {where} group by question_code, item_code
)"""


def scale_summaries(path: Path, f: RespondentFilter, question_codes: list[str]) -> pd.DataFrame:
    """Mean, median and sample SD of scale items and numbers (never min or max: they are one person's answer)."""
    body = _SCALES.format(spread=_SPREAD.format(where="list_contains($questions, question_code)"))
    sql, params = _with_sel(f, body, {"questions": list(question_codes)})
    return query(path, sql, params)


def value_counts(path: Path, f: RespondentFilter, question_code: str) -> pd.DataFrame:
    """How many respondents gave each value of a number question (figure 2); binned before display."""
    body = f"""vals as (
        select v.value, sel.record_key from intermediate.int_respondent_values as v
        inner join sel using (wave, respondent_id)
        where v.question_code = $question and v.value is not null
    )
    select value, count(*) as respondents, {cell_key_sql("record_key")} as ckey
    from vals group by value order by value"""
    sql, params = _with_sel(f, body, {"question": question_code})
    return query(path, sql, params)


# --- group comparisons (report.group_means) ---------------------------------------------------------------


def _groups_sql(group_type: str) -> str:
    """Respondents' groups: the answer of a single choice, or ticked / not ticked for each box of a multi."""
    if group_type == "single":
        return """select a.wave, a.respondent_id, cast(null as varchar) as group_item,
                cast(null as varchar) as group_item_label, cast(null as integer) as group_item_position,
                a.answer_code as group_code,
                a.answer_label as group_label, a.answer_position as group_position
            from intermediate.int_respondent_answers as a inner join sel using (wave, respondent_id)
            where a.question_code = $group_question and a.answer_code is not null"""
    return f"""select t.wave, t.respondent_id, t.item_code as group_item, t.item_label as group_item_label,
            t.item_position as group_item_position, b.code as group_code, b.label as group_label,
            b.position as group_position
        from intermediate.int_respondent_ticks as t inner join sel using (wave, respondent_id)
        inner join (values {_BOX_VALUES}) as b (code, label, position)
            on b.code = case when t.is_selected then 'Y' else 'N' end
        where t.question_code = $group_question and ($group_item is null or t.item_code = $group_item)"""


def group_means(
    path: Path, f: RespondentFilter, value_question: str, group_question: str, group_item: str | None = None
) -> pd.DataFrame:
    """A number or scale summarised within the groups of another question (figures 1, 3–6)."""
    group_type = str(questions(path).set_index("question_code").loc[group_question, "type"])
    body = f"""grp as ({_groups_sql(group_type)}),
    vals as (
        select v.*, sel.record_key from intermediate.int_respondent_values as v
        inner join sel using (wave, respondent_id)
        where v.question_code = $value_question
    ),
    {_SPREAD.format(where="question_code = $value_question")}
    select
        $sel_wave as wave, v.question_code, v.item_code,
        any_value(v.item_label) as item_label, any_value(v.item_position) as item_position,
        $group_question as group_question, g.group_item, any_value(g.group_item_label) as group_item_label,
        any_value(g.group_item_position) as group_item_position,
        g.group_code, any_value(g.group_label) as group_label, any_value(g.group_position) as group_position,
        count(v.value) as n, avg(v.value) as mean, median(v.value) as median, stddev_samp(v.value) as sd,
        {cell_key_sql("v.record_key", "v.value is not null")} as ckey, any_value(s.wave_sd) as wave_sd
    from vals as v inner join grp as g using (wave, respondent_id)
    left join spread as s using (question_code, item_code)
    group by v.question_code, v.item_code, g.group_item, g.group_code
    order by item_position, group_item_position, group_position"""
    params: dict[str, Any] = {"value_question": value_question, "group_question": group_question}
    if group_type != "single":
        params["group_item"] = None if pd.isna(group_item) else group_item
    sql, params = _with_sel(f, body, params)
    return query(path, sql, params)


# --- cross-tabulations (report.crosstabs) -----------------------------------------------------------------


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


def _variable_sql(v: CrossVariable, side: str) -> tuple[str, str, dict[str, Any]]:
    """(respondent values, category grid) SQL of one side of a cross-tab."""
    params: dict[str, Any] = {f"{side}_question": v.question_code}
    if v.item_code is None:
        values = f"""select a.wave, a.respondent_id, a.answer_code as code, sel.record_key
            from intermediate.int_respondent_answers as a inner join sel using (wave, respondent_id)
            where a.question_code = ${side}_question and a.answer_code is not null"""
        grid = f"""select choice_code as code, label_fr as label, position from edition_choices
            where question_code = ${side}_question and is_target is distinct from false"""
        return values, grid, params
    params[f"{side}_item"] = v.item_code
    values = f"""select t.wave, t.respondent_id, case when t.is_selected then 'Y' else 'N' end as code, sel.record_key
        from intermediate.int_respondent_ticks as t inner join sel using (wave, respondent_id)
        where t.question_code = ${side}_question and t.item_code = ${side}_item"""
    grid = f"select * from (values {_BOX_VALUES}) as b (code, label, position)"
    return values, grid, params


def crosstab(path: Path, f: RespondentFilter, row: CrossVariable, col: CrossVariable) -> pd.DataFrame:
    """Every cell of row × col (empty ones included) over the respondents who answered both; the categories are
    those the filter's wave offered, with that wave's labels."""
    row_values, row_grid, row_params = _variable_sql(row, "row")
    col_values, col_grid, col_params = _variable_sql(col, "col")
    body = f"""{_EDITION},
    row_values as ({row_values}), col_values as ({col_values}),
    row_grid as ({row_grid}), col_grid as ({col_grid}),
    cells as (
        select r.code as row_code, c.code as col_code, count(*) as n, {cell_key_sql("r.record_key")} as ckey
        from row_values as r inner join col_values as c using (wave, respondent_id) group by all
    )
    select $sel_wave as wave, rg.code as row_code, rg.label as row_label, rg.position as row_position,
        cg.code as col_code, cg.label as col_label, cg.position as col_position, coalesce(cells.n, 0) as count,
        coalesce(cells.ckey, 0) as ckey
    from row_grid as rg cross join col_grid as cg
    left join cells on cells.row_code = rg.code and cells.col_code = cg.code
    order by rg.position, cg.position"""
    sql, params = _with_sel(f, body, {**row_params, **col_params})
    return query(path, sql, params)


# --- cleaning funnel and build status ---------------------------------------------------------------------


def funnel(path: Path, wave: str) -> tuple[int, pd.DataFrame]:
    """Kept respondents, and excluded connections by reason (every reason, empty ones included)."""
    kept = query(path, "select count(*) as n from marts.respondents where wave = $wave", {"wave": wave})
    excluded = query(
        path,
        """select x.reason_code, x.reason_fr, x.precedence, count(e.response_key) as connections
        from codebook.exclusion_reasons as x
        left join marts.respondent_exclusions as e on e.reason_code = x.reason_code and e.wave = $wave
        group by all order by x.precedence""",
        {"wave": wave},
    )
    return int(kept["n"].iloc[0]), excluded


def last_build(path: Path) -> pd.DataFrame:
    """The run that published this file, with its stage timings (empty if the audit tables are absent)."""
    if not table_exists(path, "audit", "builds"):
        return pd.DataFrame()
    return query(path, "select * from audit.builds order by finished_at desc limit 1")


def build_stages(path: Path, run_id: str) -> pd.DataFrame:
    if not table_exists(path, "audit", "build_stages"):
        return pd.DataFrame()
    return query(path, "select stage, seconds from audit.build_stages where run_id = $run_id", {"run_id": run_id})


def validation_summary(path: Path, run_id: str) -> pd.DataFrame | None:
    """Expectations per suite and how many passed; None when the gate has not written its table yet.

    Only counts and names: the table's example values may hold respondent ids.
    """
    if not table_exists(path, "audit", "validation_results"):
        return None
    return query(
        path,
        """select suite, count(*) as expectations, count(*) filter (where success) as passed,
            count(*) filter (where not success) as failed
        from audit.validation_results where run_id = $run_id group by suite order by suite""",
        {"run_id": run_id},
    )


def validation_failures(path: Path, run_id: str) -> pd.DataFrame:
    return query(
        path,
        """select suite, expectation, table_name, column_name, unexpected_count
        from audit.validation_results where run_id = $run_id and not success order by suite, table_name""",
        {"run_id": run_id},
    )
