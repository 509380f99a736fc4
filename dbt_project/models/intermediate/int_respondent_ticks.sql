{{ config(materialized='view') }}  -- a long reading for analysts; the app reads the wide rows (marts.respondents_wide): stored, tens of millions of rows at scale
-- Multiple-choice boxes of kept respondents, long: places and the other multiple-choice questions together.
select
    wave,
    respondent_id,
    'place' as question_code,
    place_code as item_code,
    place_label as item_label,
    place_position as item_position,
    is_selected
from {{ ref('respondent_places') }}

union all

select
    wave,
    respondent_id,
    question_code,
    item_code,
    item_label,
    item_position,
    is_selected
from {{ ref('respondent_choices') }}
