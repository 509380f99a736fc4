-- depends_on: {{ ref('stg_codebook__variables') }} {{ ref('stg_codebook__questions') }} {{ ref('stg_codebook__labels_by_wave') }}
-- A view: the kept rows of int_responses_classified unpivoted on read. Stored, the long marts
-- held ~60 rows per respondent and cost most of the build; the report models aggregate them as they unpivot.
{{ config(materialized='view') }}
-- One row per respondent asked a multiple-choice question × its boxes (ticked or not); places have their own table.
with kept as (
    select * from {{ ref('int_responses_classified') }}
    where exclusion_reason is null
),

answers as (
    {{ long_answers('kept', codebook_questions(types=['multi']) | map(attribute='code') | reject('equalto', 'place') | list, 'is_selected') }}
)

select
    respondent_id,
    wave,
    question_code,
    question_label_fr as question_label,
    item_code,
    item_label_fr as item_label,
    item_position,
    is_selected
from answers
