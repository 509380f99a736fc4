-- depends_on: {{ ref('stg_codebook__variables') }} {{ ref('stg_codebook__questions') }} {{ ref('stg_codebook__labels_by_wave') }}
-- A view: the kept rows of int_responses_classified unpivoted on read. Stored, the long marts
-- held ~60 rows per respondent and cost most of the build; the report models aggregate them as they unpivot.
{{ config(materialized='view') }}
-- One row per respondent × administrative website rated on the 1–10 frequency scale.
with kept as (
    select * from {{ ref('int_responses_classified') }}
    where exclusion_reason is null
),

answers as (
    {{ long_answers('kept', ['site'], 'score') }}
)

select
    respondent_id,
    wave,
    item_code as site_code,
    item_label_fr as site_label,
    item_position as site_position,
    score
from answers
