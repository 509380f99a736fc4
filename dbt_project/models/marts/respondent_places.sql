-- depends_on: {{ ref('stg_codebook__variables') }} {{ ref('stg_codebook__questions') }}
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
