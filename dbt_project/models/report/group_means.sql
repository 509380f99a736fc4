-- depends_on: {{ ref('stg_codebook__variables') }} {{ ref('stg_codebook__questions') }} {{ ref('report_comparisons') }}
-- The report's group comparisons (report_comparisons seed): a number or scale question summarised
-- within the groups of a single-choice question, or ticked / not ticked for each place (figures 1, 3, 4–6).
-- Each (group column × value column) pair is one grouped aggregate over the wide kept-respondent table,
-- so a comparison reads two columns, whatever the size of the wave.
with kept as (
    select * from {{ ref('int_responses_classified') }}
    where exclusion_reason is null
),

labels as (
    select * from {{ ref('stg_codebook__labels_by_wave') }}
),

variables as (
    select * from {{ ref('stg_codebook__variables') }}
),

summaries as (
    {%- set questions = questions_by_code() -%}
    {%- set branches = [] -%}
    {%- for c in seed_rows('report_comparisons') -%}
        {%- if questions[c.group_question].type == 'single' -%}
            {%- do branches.append({'c': c, 'column': c.group_question, 'item': none}) -%}
        {%- else -%}
            {%- for v in codebook_variables(questions=[c.group_question]) -%}
                {%- if c.group_item is none or v.item_code == c.group_item -%}
                    {%- do branches.append({'c': c, 'column': v.name, 'item': v.item_code}) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set selects = [] -%}
    {%- for b in branches -%}
        {%- for v in codebook_variables(questions=[b.c.value_question]) -%}
            {%- do selects.append({'b': b, 'v': v}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for s in selects %}
    {%- set b = s.b %}
    {%- set value = 'cast(k.' ~ adapter.quote(s.v.name) ~ ' as double)' %}
    select
        '{{ b.c.comparison_id }}' as comparison_id,
        '{{ b.c.report_figure }}' as report_figure,
        k.wave,
        '{{ b.c.value_question }}' as question_code,
        '{{ s.v.name }}' as variable_name,
        '{{ b.c.group_question }}' as group_question,
        {%- if b.item is none %}
        cast(null as varchar) as group_item,
        k.{{ b.column }} as group_code,
        {%- else %}
        '{{ b.item }}' as group_item,
        case when k.{{ b.column }} then 'Y' else 'N' end as group_code,
        {%- endif %}
        {{ value_summary(value) }}
    from kept as k
    where {{ asked_condition(questions[b.c.value_question], 'k') }} and {{ value }} is not null
        {%- if b.item is none %} and k.{{ b.column }} is not null{% endif %}
    group by all
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select
    s.comparison_id,
    s.report_figure,
    s.wave,
    s.question_code,
    coalesce(v.item_code, v.question_code) as item_code,
    coalesce(vl.label_fr, v.question_label_fr) as item_label,
    v.item_position,
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
inner join variables as v on v.variable_name = s.variable_name
-- each wave's labels of the value item, the group's choice and the group's item
left join labels as vl on vl.wave = s.wave and vl.question_code = v.question_code and vl.item_code = v.item_code
left join labels as c
    on s.group_item is null and c.wave = s.wave and c.question_code = s.group_question and c.choice_code = s.group_code
left join labels as items
    on items.wave = s.wave and items.question_code = s.group_question and items.item_code = s.group_item
