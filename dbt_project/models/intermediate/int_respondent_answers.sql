-- depends_on: {{ ref('stg_codebook__variables') }} {{ ref('stg_codebook__questions') }}
{{ config(materialized='view') }}  -- a long reading for analysts; the app reads the wide rows (marts.respondents_wide): stored, tens of millions of rows at scale
-- Single-choice answers of kept respondents, long: one row per respondent × question asked.
with respondents as (
    select * from {{ ref('respondents') }}
),

answers as (
    {%- for q in codebook_questions(types=['single'], with_items=false) %}
    select
        r.wave,
        r.respondent_id,
        '{{ q.code }}' as question_code,
        r.{{ q.code }} as answer_code
    from respondents as r
    where {{ asked_condition(q, 'r') }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select
    a.wave,
    a.respondent_id,
    a.question_code,
    a.answer_code,
    c.label_fr as answer_label,
    c.group_label_fr as answer_group,
    c.position as answer_position
from answers as a
left join {{ ref('stg_codebook__labels_by_wave') }} as c
    on c.wave = a.wave and c.question_code = a.question_code and c.choice_code = a.answer_code
