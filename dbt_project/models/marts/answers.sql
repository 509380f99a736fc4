-- depends_on: {{ ref('stg_codebook__variables') }} {{ ref('stg_codebook__questions') }} {{ ref('stg_codebook__labels_by_wave') }}
{{ config(materialized='view') }}
-- Every answer of every kept respondent, long and labelled: one row per respondent × question × item asked
-- (a question without items is its own single row), answered or not. A view: the wide typed table unpivoted on
-- read (stored, it would hold ~85 rows per respondent).
with kept as (
    select * from {{ ref('int_responses_classified') }}
    where exclusion_reason is null
),

cells as (
    -- One unpivot per question, over the respondents it was asked (its condition and its editions' waves).
    {%- for q in codebook_questions(types=['single', 'multi', 'scale', 'number']) %}
    {%- set vs = codebook_variables(questions=[q.code]) %}
    select respondent_id, wave, '{{ q.code }}' as question_code, variable_name, raw_answer, ticked_any
    from (
        select respondent_id, wave,
            -- whether any box was ticked, on the wide row: no window over the long rows
            {% if q.type == 'multi' %}{% for v in vs %}coalesce({{ adapter.quote(v.name) }}, false){{ " or " if not loop.last }}{% endfor %}{% else %}false{% endif %} as ticked_any
            {%- for v in vs %}, cast({{ adapter.quote(v.name) }} as varchar) as {{ adapter.quote(v.name) }}{% endfor %}
        from kept
        where {{ asked_condition(q) }}
    ) unpivot include nulls (
        raw_answer for variable_name in ({% for v in vs %}{{ adapter.quote(v.name) }}{{ ", " if not loop.last }}{% endfor %})
    )
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

labelled as (
    select
        c.wave,
        c.respondent_id,
        c.question_code,
        q.label_fr as question_label,
        q.wording_fr as question_wording,
        q.type as question_type,
        coalesce(v.item_code, c.question_code) as item_code,
        coalesce(item.label_fr, q.label_fr) as item_label,
        coalesce(v.item_position, 0) as item_position,
        case q.type
            when 'single' then c.raw_answer
            when 'multi' then case c.raw_answer when 'true' then 'Y' when 'false' then 'N' end
        end as answer_code,
        case q.type
            when 'single' then choice.label_fr
            when 'multi' then case c.raw_answer when 'true' then 'Oui' when 'false' then 'Non' end
            when 'scale' then case cast(c.raw_answer as double)
                when q.min_value then q.min_label_fr when q.max_value then q.max_label_fr end
        end as answer_label,
        choice.group_label_fr as answer_group,
        case
            when q.type in ('scale', 'number') then cast(c.raw_answer as double)
            when q.type = 'multi' then cast(c.raw_answer = 'true' as integer)
        end as value,
        c.raw_answer is not null as is_answered,
        c.ticked_any,
        q.mandatory
    from cells as c
    inner join {{ ref('stg_codebook__variables') }} as v on v.variable_name = c.variable_name
    inner join {{ ref('stg_codebook__questions') }} as q on q.question_code = c.question_code
    left join {{ ref('stg_codebook__labels_by_wave') }} as item
        on item.wave = c.wave and item.question_code = c.question_code and item.item_code = v.item_code
    left join {{ ref('stg_codebook__labels_by_wave') }} as choice
        on q.type = 'single' and choice.wave = c.wave and choice.question_code = c.question_code
        and choice.choice_code = c.raw_answer
    -- the items asked that wave only (a question without items has no item to check)
    where v.item_code is null or item.wave is not null
)

select
    wave,
    respondent_id,
    question_code,
    question_label,
    question_wording,
    question_type,
    item_code,
    item_label,
    item_position,
    answer_code,
    answer_label,
    answer_group,
    value,
    true as is_asked,
    is_answered,
    ticked_any,
    -- the report's base: for a multiple choice, those who ticked a box (or all asked, where an answer was
    -- required); for any other question, those who answered
    case when question_type = 'multi' then ticked_any or mandatory else is_answered end as in_base
from labelled
