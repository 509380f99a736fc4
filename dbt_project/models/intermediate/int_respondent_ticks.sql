{{ config(materialized='table') }}  -- read by every page of the app: a table, not a view recomputed per query
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
