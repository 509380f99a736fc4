-- depends_on: {{ ref('stg_codebook__variables') }} {{ ref('stg_codebook__questions') }}
{{ config(materialized='view') }}  -- a long reading for analysts; the app reads the wide rows (marts.respondents_wide): stored, tens of millions of rows at scale
-- Numeric answers of kept respondents, long: 1–10 scales, site scales and number questions.
with respondents as (
    select * from {{ ref('respondents') }}
),

questions as (
    select * from {{ ref('stg_codebook__questions') }}
)

select wave, respondent_id, question_code, item_code, item_label, item_position, cast(score as double) as value
from {{ ref('respondent_scales') }}

union all

select wave, respondent_id, 'site', site_code, site_label, site_position, cast(score as double)
from {{ ref('respondent_sites') }}

{%- for q in codebook_questions(types=['number'], with_items=false) %}

union all

select
    r.wave,
    r.respondent_id,
    '{{ q.code }}',
    '{{ q.code }}',
    (select label_fr from questions where question_code = '{{ q.code }}'),
    0,
    r.{{ q.code }}
from respondents as r
where r.{{ q.code }} is not null
{%- endfor %}
