"""The app's one query layer: every statistic the pages show, for any respondent filter.

Each function returns the same shape as the dbt ``report`` model it mirrors
(``report.frequencies``, ``report.scale_summaries``; ``report.group_means`` and
``report.crosstabs`` from :mod:`app.crossings`), computed from one scan of the filter's rows of the wide
table (:mod:`app.wide`: respondents counted per value of each variable, with
their cell keys), so one code path serves the whole wave and any subset of it,
and a page that asks for everything it shows at once (``within``, a
:class:`~app.wide.Request`) reads its respondents once. Questions, items and
choices are those of the filter's wave, with that wave's labels
(:data:`app.codebook.EDITION`): a question not asked in a wave has no row, an
answer option added later is no zero of earlier waves. Tests check that,
unfiltered, the results equal the report models, and filtered, a plain GROUP BY
on ``marts.answers``. Nothing here returns respondent ids, raw values or free
text: only aggregates. Every count comes with its cell key (``ckey``: the sum
of its respondents' record keys, :mod:`app.perturbation`) and every magnitude
with the wave's spread of its variable (``wave_sd``, from
``report.scale_summaries``), so that the pages can apply the disclosure policy
(:mod:`app.disclosure`) without ever seeing a respondent.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from app import wide
from app.codebook import (
    EDITION,
    CrossVariable,
    choices,
    cross_variables,
    items,
    questions,
    report_comparisons,
    report_crosstabs,
    waves,
)
from app.crossings import Grouping, crosstab, crosstabs, group_means, group_means_of
from app.db import query
from app.derive import BOX_CHOICES, SCAN, SPREAD, by_variable, computed, covering, summaries_sql
from app.filters import RespondentFilter
from app.perturbation import cell_key_sql, key_sql
from app.wide import Request

__all__ = [
    "BOX_CHOICES", "CHOICE_TYPES", "DISTRIBUTION_TABLE", "SUMMARY_TYPES", "CrossVariable", "Grouping", "Request",
    "choices", "cross_variables", "crosstab", "crosstabs", "frequencies", "group_means", "group_means_of", "items",
    "population", "prefetch", "questions", "report_comparisons", "report_crosstabs", "scale_summaries",
    "value_counts", "waves",
]

#: How the report lays a question out: answers counted (tables of counts and percentages) or numbers summarised
#: (mean, median, standard deviation); figure 2 draws the number question of table 8 (dbt's f2 model).
CHOICE_TYPES = ("single", "multi")
SUMMARY_TYPES = ("scale", "number")
DISTRIBUTION_TABLE = "T8"

def prefetch(path: Path, f: RespondentFilter, request: Request) -> None:
    """Read ``f``'s selection once for everything ``request`` covers (the page's queries then read the cached
    scan): lets a page show its progress message around the one slow step."""
    query(path, *wide.scan(path, f, request))


# --- respondent set ---------------------------------------------------------------------------------------


def population(path: Path, f: RespondentFilter) -> tuple[int, int]:
    """How many respondents the filter keeps, and the cell key of that set (no scan of answers: the sidebar's
    count, on every page).

    A whole wave's size is shown exact (the published sample size), so it needs no cell key (0): counting it
    skips the record keys, which cost more than the count (a tenth of a second a page at 1M respondents)."""
    if not f.is_subset:
        row = query(path, "select count(*) as n from marts.respondents where wave = $wave", {"wave": f.wave})
        return int(row["n"].iloc[0]), 0
    sel_sql, params = f.selection(path)
    row = query(path, f"select count(*) as n, {cell_key_sql('record_key')} as ckey from ({sel_sql})", params).iloc[0]
    return int(row["n"]), int(row["ckey"])


# --- frequencies (report.frequencies) ---------------------------------------------------------------------

_FREQUENCIES = f"""with {EDITION},
questions as (
    select question_code, label_fr, type, mandatory, position from edition_questions
    where list_contains($questions, question_code)
),
codes as ({by_variable(wide.CODE)}),
single_bases as (
    select q.question_code, cast(coalesce(sum(a.n) filter (where a.code is not null), 0) as bigint) as base_n,
        {key_sql("sum(a.ckey) filter (where a.code is not null)")} as base_ckey
    from questions as q left join codes as a using (question_code)
    where q.type = 'single' group by q.question_code
),
single_rows as (
    select c.question_code, 'choice' as item_kind, c.choice_code as item_code, c.label_fr as item_label,
        c.position as item_position, coalesce(n.n, 0) as count, coalesce(n.ckey, 0) as ckey, b.base_n, b.base_ckey,
        c.group_label_fr
    from edition_choices as c
    inner join single_bases as b using (question_code)
    left join codes as n on n.question_code = c.question_code and n.code = c.choice_code
    where c.is_target is distinct from false  -- out-of-target answers (post title "Autre") are never kept
),
group_rows as (
    select question_code, 'group' as item_kind, group_label_fr as item_code, group_label_fr as item_label,
        min(item_position) as item_position, sum(count) as count, sum(ckey) as ckey, any_value(base_n) as base_n,
        any_value(base_ckey) as base_ckey, group_label_fr
    from single_rows where group_label_fr is not null group by question_code, group_label_fr
),
ticked as (  -- per multiple choice: those asked who ticked a box (Y) or none (N)
    select split_part(set_name, ':', 2) as question_code, code1 as code, n, ckey from {SCAN}
    where starts_with(set_name, '{wide.TICKED}:') and code1 is not null
),
multi_bases as (
    select q.question_code,
        cast(coalesce(sum(t.n) filter (where t.code = 'Y' or q.mandatory), 0) as bigint) as base_n,
        {key_sql("sum(t.ckey) filter (where t.code = 'Y' or q.mandatory)")} as base_ckey
    from questions as q left join ticked as t using (question_code)
    where q.type = 'multi' group by q.question_code
),
multi_rows as (
    select i.question_code, 'item' as item_kind, i.item_code, i.label_fr as item_label, i.position as item_position,
        coalesce(t.n, 0) as count, coalesce(t.ckey, 0) as ckey, b.base_n, b.base_ckey, null as group_label_fr
    from edition_items as i
    inner join multi_bases as b using (question_code)
    left join codes as t on t.question_code = i.question_code and t.item_code = i.item_code and t.code = 'Y'
),
rows as (select * from single_rows union all select * from group_rows union all select * from multi_rows)
select
    $sel_wave as wave, r.question_code, q.label_fr as question_label, q.type as question_type, r.item_kind,
    r.item_code, r.item_label, r.item_position, r.group_label_fr as item_group, cast(r.count as bigint) as count,
    cast(r.base_n as bigint) as base_n, {key_sql("r.ckey")} as ckey, {key_sql("r.base_ckey")} as base_ckey,
    case when r.base_n > 0 then 100.0 * r.count / r.base_n end as percent
from rows as r inner join questions as q using (question_code)
order by q.position, r.item_kind, r.item_position
"""


def frequencies(path: Path, f: RespondentFilter, question_codes: Iterable[str], within: Request | None = None
                ) -> pd.DataFrame:
    """Counts and percentages of single and multiple choices over the report's bases (see frequencies.sql).

    Each count and base comes with its cell key (``ckey``, ``base_ckey``) for :mod:`app.perturbation`.
    """
    codes = list(question_codes)
    request = covering(Request.of(questions=codes), within)
    return computed(path, f, request, _FREQUENCIES, {"questions": codes})


# --- summaries of values (report.scale_summaries) ----------------------------------------------------------

#: Those of the selection asked each scale (``a:…`` sets): an asked item is listed even when nobody answered it.
_ASKED = f"""asked as (
    select q.question_code, s.n from edition_questions as q inner join {SCAN} as s
        on s.set_name = '{wide.ASKED}:' || coalesce(q.asked_if_question || '=' || q.asked_if_choice, '{wide.EVERYONE}')
    where s.code1 = 'Y' and s.n > 0
)"""

_SCALES = f"""with {EDITION},
questions as (
    select * from edition_questions where list_contains($questions, question_code) and type in ('scale', 'number')
),
value_variables as (
    select v.variable_name, v.question_code, coalesce(v.item_code, v.question_code) as item_code, v.item_position,
        i.label_fr as item_label
    from edition_variables as v inner join questions using (question_code)
    left join edition_items as i using (question_code, item_code)
),
values as ({by_variable(wide.VALUE)}),
{summaries_sql("values", ["variable_name"])},
{_ASKED},
{SPREAD}
select
    $sel_wave as wave, v.question_code, q.label_fr as question_label, q.type as question_type, v.item_code,
    -- a number question is its own item: it reads as the question, labelled as asked that wave
    case when v.item_code = v.question_code then q.label_fr else v.item_label end as item_label,
    v.item_position, cast(coalesce(s.n, 0) as bigint) as n, s.mean, s.median, s.sd, {key_sql("s.ckey")} as ckey,
    p.wave_sd
from value_variables as v inner join questions as q using (question_code)
left join summary as s using (variable_name)
left join spread as p using (question_code, item_code)
-- listed when the selection answered it (a number) or was asked it (a scale item)
where s.n > 0 or (q.type = 'scale' and q.question_code in (select question_code from asked))
order by q.position, v.item_position
"""


def scale_summaries(path: Path, f: RespondentFilter, question_codes: Iterable[str], within: Request | None = None
                    ) -> pd.DataFrame:
    """Mean, median and sample SD of scale items and numbers (never min or max: they are one person's answer)."""
    codes = list(question_codes)
    request = covering(Request.of(questions=codes), within)
    return computed(path, f, request, _SCALES, {"questions": codes})


_VALUE_COUNTS = f"""with values as ({by_variable(wide.VALUE)})
select value, cast(sum(n) as bigint) as respondents, {key_sql("sum(ckey)")} as ckey
from values where question_code = $question and value is not null group by value order by value"""


def value_counts(path: Path, f: RespondentFilter, question_code: str, within: Request | None = None
                 ) -> pd.DataFrame:
    """How many respondents gave each value of a number question (figure 2); binned before display."""
    request = covering(Request.of(questions=[question_code]), within)
    return computed(path, f, request, _VALUE_COUNTS, {"question": question_code})


