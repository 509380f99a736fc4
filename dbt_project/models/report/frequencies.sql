-- depends_on: {{ ref('stg_codebook__variables') }} {{ ref('stg_codebook__questions') }}
-- Frequency tables of every single- and multiple-choice question, per wave: counts and percentages
-- over the report's base (those asked who answered; for a non-mandatory multiple choice, those who
-- ticked at least one box). Grouped choices (education) get a row per group as well.
with questions as (
    select * from {{ ref('stg_codebook__questions') }}
),

answers as (
    select * from {{ ref('int_respondent_answers') }}
),

single_bases as (
    select wave, question_code, count(answer_code) as base_n
    from answers
    group by wave, question_code
),

single_counts as (
    select wave, question_code, answer_code, count(*) as n
    from answers
    where answer_code is not null
    group by wave, question_code, answer_code
),

single_choices as (
    select
        b.wave,
        c.question_code,
        'choice' as item_kind,
        c.choice_code as item_code,
        c.label_fr as item_label,
        c.position as item_position,
        coalesce(n.n, 0) as count,
        b.base_n
    from {{ ref('stg_codebook__labels_by_wave') }} as c  -- the choices asked that wave, as labelled that wave
    inner join single_bases as b on b.wave = c.wave and b.question_code = c.question_code
    left join single_counts as n
        on n.wave = b.wave and n.question_code = c.question_code and n.answer_code = c.choice_code
),

single_groups as (
    select
        wave,
        question_code,
        'group' as item_kind,
        (select c.group_label_fr from {{ ref('codebook_choices') }} as c
         where c.question_code = sc.question_code and c.choice_code = sc.item_code) as item_code,
        null as item_label,
        min(item_position) as item_position,
        sum(count) as count,
        any_value(base_n) as base_n
    from single_choices as sc
    where exists (
        select 1 from {{ ref('codebook_choices') }} as c
        where c.question_code = sc.question_code and c.choice_code = sc.item_code and c.group_label_fr is not null
    )
    group by all
),

kept as (
    select * from {{ ref('int_responses_classified') }}
    where exclusion_reason is null
),

multi_bases as (
    -- Counted on the wide kept table (one row per respondent), not by regrouping the long boxes.
    {%- for q in codebook_questions(types=['multi']) %}
    select
        wave,
        '{{ q.code }}' as question_code,
        count(*) filter (
            where {{ asked_condition(q) }}
            {%- if not q.mandatory %} and (
                {%- for v in codebook_variables(questions=[q.code]) %}{{ adapter.quote(v.name) }}{{ " or " if not loop.last }}{% endfor -%}
            ){%- endif %}
        ) as base_n
    from kept
    group by wave
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

multi_counts as (
    -- Ticked boxes of those asked, one grouped aggregate per box over the wide kept table.
    {%- set boxes = [] -%}
    {%- for q in codebook_questions(types=['multi']) -%}
        {%- for v in codebook_variables(questions=[q.code]) -%}{%- do boxes.append({'q': q, 'v': v}) -%}{%- endfor -%}
    {%- endfor -%}
    {%- for box in boxes %}
    select
        wave,
        '{{ box.v.name }}' as variable_name,
        count(*) filter (where {{ adapter.quote(box.v.name) }}) as count
    from kept
    where {{ asked_condition(box.q) }}
    group by wave
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

multi_items as (
    select
        c.wave,
        v.question_code,
        'item' as item_kind,
        v.item_code,
        l.label_fr as item_label,
        v.item_position,
        c.count,
        b.base_n
    from multi_counts as c
    inner join {{ ref('stg_codebook__variables') }} as v on v.variable_name = c.variable_name
    inner join multi_bases as b on b.wave = c.wave and b.question_code = v.question_code
    -- the items asked that wave, as labelled that wave
    inner join {{ ref('stg_codebook__labels_by_wave') }} as l
        on l.wave = c.wave and l.question_code = v.question_code and l.item_code = v.item_code
),

rows as (
    select * from single_choices
    union all
    select * replace (item_code as item_label) from single_groups
    union all
    select * from multi_items
)

select
    rows.wave,
    rows.question_code,
    q.label_fr as question_label,
    q.type as question_type,
    rows.item_kind,
    rows.item_code,
    rows.item_label,
    rows.item_position,
    cast(rows.count as bigint) as count,
    cast(rows.base_n as bigint) as base_n,
    case when rows.base_n > 0 then 100.0 * rows.count / rows.base_n end as percent
from rows
inner join questions as q on q.question_code = rows.question_code
