-- depends_on: {{ ref('stg_codebook__variables') }} {{ ref('stg_codebook__questions') }} {{ ref('stg_codebook__labels_by_wave') }}
-- A view: the kept rows of int_responses_classified unpivoted on read. Stored, the long marts
-- held ~60 rows per respondent and cost most of the build; the report models aggregate them as they unpivot.
{{ config(materialized='view') }}
-- One row per respondent × place of intervention (ticked or not).
with kept as (
    select * from {{ ref('int_responses_classified') }}
    where exclusion_reason is null
),

answers as (
    {{ long_answers('kept', ['place'], 'is_selected') }}
)

select
    respondent_id,
    wave,
    item_code as place_code,
    item_label_fr as place_label,
    item_position as place_position,
    is_selected
from answers
