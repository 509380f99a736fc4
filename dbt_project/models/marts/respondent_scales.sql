-- depends_on: {{ ref('stg_codebook__variables') }} {{ ref('stg_codebook__questions') }} {{ ref('stg_codebook__labels_by_wave') }}
-- A view: the kept rows of int_responses_classified unpivoted on read. Stored, the long marts
-- held ~60 rows per respondent and cost most of the build; the report models aggregate them as they unpivot.
{{ config(materialized='view') }}
-- One row per respondent × item of every other 1–10 scale (support types, modes, repeat requests, direct contacts).
with kept as (
    select * from {{ ref('int_responses_classified') }}
    where exclusion_reason is null
),

answers as (
    {{ long_answers('kept', codebook_questions(types=['scale']) | map(attribute='code') | reject('equalto', 'site') | list, 'score') }}
)

select
    respondent_id,
    wave,
    question_code,
    question_label_fr as question_label,
    coalesce(item_code, question_code) as item_code,
    coalesce(item_label_fr, question_label_fr) as item_label,
    item_position,
    score
from answers
