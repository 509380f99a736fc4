"""Statistics that cross two questions: a number or scale within the groups of another question
(``report.group_means``: figures 1, 3–6) and two questions crossed (``report.crosstabs``: tables 3, 11 and
Croisements). Several at once are one statement (a page draws several), over one scan of the selection
(:mod:`app.wide`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from app import wide
from app.codebook import EDITION, CrossVariable
from app.derive import BOX_VALUES, SCAN, SPREAD, computed, covering, split, summaries_sql
from app.filters import RespondentFilter
from app.perturbation import key_sql
from app.wide import Request

# --- group comparisons (report.group_means) ---------------------------------------------------------------

_GROUP_MEANS = f"""with {EDITION},
comparisons as (
    select unnest($comparison_ids) as comparison, unnest($value_questions) as value_question,
        unnest($group_questions) as group_question, unnest($group_items) as group_item, unnest($asked) as asked
),
value_variables as (
    select c.comparison, v.variable_name as value_variable, v.question_code,
        coalesce(v.item_code, v.question_code) as item_code,
        -- an item as that wave labelled it; a question without items by the codebook's label
        coalesce(i.label_fr, v.question_label_fr) as item_label, v.item_position
    from comparisons as c inner join edition_variables as v on v.question_code = c.value_question
    left join edition_items as i on i.question_code = v.question_code and i.item_code = v.item_code
    where v.question_type in ('scale', 'number')
),
group_variables as (
    select c.comparison, c.group_question, c.asked, v.variable_name as group_variable, v.item_code as group_item,
        i.label_fr as group_item_label,
        case when v.item_code is not null then v.item_position end as group_item_position
    from comparisons as c inner join edition_variables as v
        on v.question_code = c.group_question and (c.group_item is null or v.item_code = c.group_item)
    left join edition_items as i on i.question_code = v.question_code and i.item_code = v.item_code
),
cells as (
    select g.comparison, g.group_variable, v.value_variable, s.code1 as group_code, s.value2 as value, s.n, s.ckey
    from group_variables as g inner join value_variables as v using (comparison)
    inner join {SCAN} as s on s.set_name = '{wide.CODE}:' || g.group_variable || '|{wide.VALUE}:' || v.value_variable
    where s.code1 is not null
),
asked_groups as (  -- a scale: the groups with someone asked it, where each of its items is listed
    select g.comparison, g.group_variable, s.code1 as group_code
    from {SCAN} as s inner join group_variables as g
        on s.set_name = '{wide.CODE}:' || g.group_variable || '|' || g.asked
    where s.code1 is not null and s.code2 = 'Y' and s.n > 0
),
listed as (
    select comparison, value_variable, group_variable, group_code from cells where value is not null
    union
    select comparison, v.value_variable, a.group_variable, a.group_code
    from value_variables as v inner join asked_groups as a using (comparison)
),
{summaries_sql("cells", ["comparison", "value_variable", "group_variable", "group_code"])},
group_labels as (
    select c.comparison, e.choice_code as group_code, e.label_fr as group_label, e.position as group_position
    from comparisons as c inner join edition_entries as e on e.question_code = c.group_question
    where e.choice_code is not null
),
{SPREAD}
select
    l.comparison, $sel_wave as wave, v.question_code, v.item_code, v.item_label, v.item_position,
    g.group_question, g.group_item, g.group_item_label, g.group_item_position,
    l.group_code, coalesce(b.label, c.group_label) as group_label,
    coalesce(b.position, c.group_position) as group_position,
    cast(coalesce(s.n, 0) as bigint) as n, s.mean, s.median, s.sd, {key_sql("s.ckey")} as ckey, p.wave_sd
from listed as l
inner join value_variables as v using (comparison, value_variable)
inner join group_variables as g using (comparison, group_variable)
left join summary as s using (comparison, value_variable, group_variable, group_code)
left join group_labels as c
    on g.group_item is null and c.comparison = l.comparison and c.group_code = l.group_code
left join (values {BOX_VALUES}) as b (code, label, position) on g.group_item is not null and b.code = l.group_code
left join spread as p using (question_code, item_code)
order by l.comparison, v.item_position, g.group_item_position, group_position
"""

#: A group comparison: (value question, group question, group box or None).
Grouping = tuple[str, str, str | None]


def group_means_of(path: Path, f: RespondentFilter, groupings: list[Grouping], within: Request | None = None
                   ) -> list[pd.DataFrame]:
    """:func:`group_means` of each (value question, group question, group box) of ``groupings``, in one
    statement (a page draws several)."""
    if not groupings:
        return []
    groupings = [(v, g, None if i is None or pd.isna(i) else i) for v, g, i in groupings]
    request = covering(Request.of(groupings=groupings), within)
    edition = wide.edition(path, f.wave)
    # a scale's items are listed for every group someone was asked them in; a number's where someone answered
    asked = [edition.asked_key(v) if edition.type(v) == "scale" else None for v, _, _ in groupings]
    params = {
        "comparison_ids": list(range(len(groupings))), "value_questions": [v for v, _, _ in groupings],
        "group_questions": [g for _, g, _ in groupings], "group_items": [i for _, _, i in groupings],
        "asked": [None if a is None else wide.dim(wide.ASKED, a) for a in asked],
    }
    return split(computed(path, f, request, _GROUP_MEANS, params), "comparison", len(groupings))


def group_means(path: Path, f: RespondentFilter, value_question: str, group_question: str,
                group_item: str | None = None, within: Request | None = None) -> pd.DataFrame:
    """A number or scale summarised within the groups of another question (figures 1, 3–6)."""
    return group_means_of(path, f, [(value_question, group_question, group_item)], within)[0]


# --- cross-tabulations (report.crosstabs) -----------------------------------------------------------------


_CROSSTABS = f"""with {EDITION},
pairs as (
    select unnest($pair_ids) as pair, unnest($row_questions) as row_question, unnest($row_items) as row_item,
        unnest($col_questions) as col_question, unnest($col_items) as col_item, unnest($cells) as cells,
        unnest($row_slots) as row_slot, unnest($col_slots) as col_slot
),
sides as (
    select pair, 'row' as side, row_question as question_code, row_item as item_code from pairs
    union all select pair, 'col', col_question, col_item from pairs
),
grids as (  -- each side's categories: the wave's target choices, or ticked / not ticked for a box
    select s.pair, s.side, c.choice_code as code, c.label_fr as label, c.position
    from sides as s inner join edition_choices as c on c.question_code = s.question_code
    where s.item_code is null and c.is_target is distinct from false
    union all
    select s.pair, s.side, b.code, b.label, b.position
    from sides as s cross join (values {BOX_VALUES}) as b (code, label, position) where s.item_code is not null
),
cells as (  -- the scan holds a pair in one order, and a variable crossed with itself as one dimension
    select p.pair, if(p.row_slot = 1, s.code1, s.code2) as row_code, if(p.col_slot = 1, s.code1, s.code2) as col_code,
        s.n, s.ckey
    from pairs as p inner join {SCAN} as s on s.set_name = p.cells
)
select rg.pair, $sel_wave as wave, rg.code as row_code, rg.label as row_label, rg.position as row_position,
    cg.code as col_code, cg.label as col_label, cg.position as col_position, coalesce(cells.n, 0) as count,
    coalesce(cells.ckey, 0) as ckey
from grids as rg inner join grids as cg on cg.pair = rg.pair and rg.side = 'row' and cg.side = 'col'
left join cells on cells.pair = rg.pair and cells.row_code = rg.code and cells.col_code = cg.code
order by rg.pair, rg.position, cg.position
"""


def crosstabs(path: Path, f: RespondentFilter, pairs: list[tuple[CrossVariable, CrossVariable]],
              within: Request | None = None) -> list[pd.DataFrame]:
    """:func:`crosstab` of each (row, col) of ``pairs``, from one scan and one statement (the Tests page checks
    every cross-tab of the stats stage)."""
    if not pairs:
        return []
    variables = [(r.variable, c.variable) for r, c in pairs]
    request = covering(Request.of(pairs=variables), within)
    edition = wide.edition(path, f.wave)
    params: dict[str, list] = {key: [] for key in ("row_questions", "row_items", "col_questions", "col_items",
                                                    "cells", "row_slots", "col_slots")}
    for row, col in variables:
        stored = wide.pair_key(row, col)
        found = [edition.code_dim(v) for v in stored]
        slots = [1, 2] if found[0] != found[1] else [1, 1]
        row_slot, col_slot = slots if stored[0] == row else slots[::-1]
        for key, value in zip(params, (*row, *col, None, row_slot, col_slot), strict=True):
            params[key].append(value)
        # None: a variable the wave did not ask, no cell
        params["cells"][-1] = wide.set_name(*dict.fromkeys(d.name for d in found)) if all(found) else None
    return split(computed(path, f, request, _CROSSTABS, {"pair_ids": list(range(len(pairs))), **params}), "pair",
                  len(pairs))


def crosstab(path: Path, f: RespondentFilter, row: CrossVariable, col: CrossVariable,
             within: Request | None = None) -> pd.DataFrame:
    """Every cell of row × col (empty ones included) over the respondents who answered both; the categories are
    those the filter's wave offered, with that wave's labels."""
    return crosstabs(path, f, [(row, col)], within)[0]
