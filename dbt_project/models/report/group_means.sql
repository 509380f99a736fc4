-- The report's group comparisons (report_comparisons seed): a number or scale question summarised
-- within the groups of a single-choice question, or ticked / not ticked for each place (figures 1, 3, 4–6).
with comparisons as (
    select * from {{ ref('report_comparisons') }}
),

vals as (
    select * from {{ ref('int_respondent_values') }}
),

single_groups as (
    select
        c.comparison_id, v.wave, v.question_code, v.item_code, v.item_label, v.item_position,
        a.question_code as group_question, a.answer_code as group_code, a.answer_label as group_label,
        cast(null as varchar) as group_item, cast(null as varchar) as group_item_label,
        a.answer_position as group_position, v.value
    from comparisons as c
    inner join vals as v on v.question_code = c.value_question
    inner join {{ ref('int_respondent_answers') }} as a
        on a.respondent_id = v.respondent_id and a.question_code = c.group_question
    where a.answer_code is not null
),

tick_groups as (
    select
        c.comparison_id, v.wave, v.question_code, v.item_code, v.item_label, v.item_position,
        t.question_code as group_question,
        case when t.is_selected then 'Y' else 'N' end as group_code,
        case when t.is_selected then 'Oui' else 'Non' end as group_label,
        t.item_code as group_item, t.item_label as group_item_label,
        case when t.is_selected then 1 else 2 end as group_position, v.value
    from comparisons as c
    inner join vals as v on v.question_code = c.value_question
    inner join {{ ref('int_respondent_ticks') }} as t
        on t.respondent_id = v.respondent_id and t.question_code = c.group_question
        and (c.group_item is null or t.item_code = c.group_item)
)

select
    g.comparison_id,
    any_value(c.report_figure) as report_figure,
    g.wave,
    g.question_code as value_question,
    g.item_code as value_item,
    any_value(g.item_label) as value_item_label,
    any_value(g.item_position) as value_item_position,
    g.group_question,
    g.group_item,
    any_value(g.group_item_label) as group_item_label,
    g.group_code,
    any_value(g.group_label) as group_label,
    any_value(g.group_position) as group_position,
    count(g.value) as n,
    avg(g.value) as mean,
    median(g.value) as median,
    stddev_samp(g.value) as sd
from (select * from single_groups union all select * from tick_groups) as g
inner join comparisons as c on c.comparison_id = g.comparison_id
group by g.comparison_id, g.wave, g.question_code, g.item_code, g.group_question, g.group_item, g.group_code
