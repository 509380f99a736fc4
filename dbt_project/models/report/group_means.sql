-- depends_on: {{ ref('stg_codebook__variables') }} {{ ref('stg_codebook__questions') }} {{ ref('report_comparisons') }}
-- The report's group comparisons (report_comparisons seed): a number or scale question summarised
-- within the groups of a single-choice question, or ticked / not ticked for each place (figures 1, 3, 4–6).
-- Groups are read from the wide kept-respondent table (one column per choice question or box), so each
-- comparison is one join of the values with one column, whatever the size of the wave.
with kept as (
    select * from {{ ref('int_responses_classified') }}
    where exclusion_reason is null
),

vals as (
    select * from {{ ref('int_respondent_values') }}
),

choices as (
    select * from {{ ref('codebook_choices') }}
),

grouped as (
    {%- set types = {} -%}
    {%- for q in codebook_questions() -%}{%- do types.update({q.code: q.type}) -%}{%- endfor -%}
    {%- set branches = [] -%}
    {%- for c in seed_rows('report_comparisons') -%}
        {%- if types[c.group_question] == 'single' -%}
            {%- do branches.append({'c': c, 'column': c.group_question, 'item': none}) -%}
        {%- else -%}
            {%- for v in codebook_variables(questions=[c.group_question]) -%}
                {%- if c.group_item is none or v.item_code == c.group_item -%}
                    {%- do branches.append({'c': c, 'column': v.name, 'item': v.item_code}) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for b in branches %}
    select
        '{{ b.c.comparison_id }}' as comparison_id,
        '{{ b.c.report_figure }}' as report_figure,
        v.wave, v.question_code, v.item_code, v.item_label, v.item_position,
        '{{ b.c.group_question }}' as group_question,
        {%- if b.item is none %}
        cast(null as varchar) as group_item,
        k.{{ b.column }} as group_code,
        {%- else %}
        '{{ b.item }}' as group_item,
        case when k.{{ b.column }} then 'Y' else 'N' end as group_code,
        {%- endif %}
        v.value
    from vals as v
    inner join kept as k on k.respondent_id = v.respondent_id
    where v.question_code = '{{ b.c.value_question }}'
        {%- if b.item is none %} and k.{{ b.column }} is not null{% endif %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

summaries as (
    select
        comparison_id, report_figure, wave, question_code, item_code, group_question, group_item, group_code,
        any_value(item_label) as item_label,
        any_value(item_position) as item_position,
        count(value) as n,
        avg(value) as mean,
        median(value) as median,
        stddev_samp(value) as sd
    from grouped
    group by comparison_id, report_figure, wave, question_code, item_code, group_question, group_item, group_code
)

select
    s.comparison_id,
    s.report_figure,
    s.wave,
    s.question_code as value_question,
    s.item_code as value_item,
    s.item_label as value_item_label,
    s.item_position as value_item_position,
    s.group_question,
    s.group_item,
    items.label_fr as group_item_label,
    s.group_code,
    coalesce(c.label_fr, case s.group_code when 'Y' then 'Oui' when 'N' then 'Non' end) as group_label,
    coalesce(c.position, case s.group_code when 'Y' then 1 else 2 end) as group_position,
    s.n,
    s.mean,
    s.median,
    s.sd
from summaries as s
left join choices as c
    on s.group_item is null and c.question_code = s.group_question and c.choice_code = s.group_code
left join {{ ref('codebook_items') }} as items
    on items.question_code = s.group_question and items.item_code = s.group_item
