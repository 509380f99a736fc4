{{ config(materialized='table') }}
-- One row per question, with what the macros need to know of its items, choices and editions. A table, not a
-- view: the app reads it on every page.
with questions as (
    select * from {{ ref('codebook_questions') }}
),

waves as (
    select wave, wave_order from {{ ref('stg_survey__waves') }}
),

known_waves as (
    select wave, wave_order from {{ ref('stg_codebook__wave_order') }}
),

asked_waves as (
    -- The build's waves that fall within the question's editions (first_wave .. last_wave, in fieldwork order).
    select q.question_code, list(w.wave order by w.wave_order, w.wave) as asked_waves
    from questions as q
    left join known_waves as first_w on first_w.wave = q.first_wave
    left join known_waves as last_w on last_w.wave = q.last_wave
    inner join waves as w
        on (q.first_wave is null or w.wave_order >= first_w.wave_order)
        and (q.last_wave is null or w.wave_order <= last_w.wave_order)
    group by q.question_code
)

select
    q.*,
    exists (select 1 from {{ ref('codebook_items') }} as i where i.question_code = q.question_code) as has_items,
    exists (
        select 1 from {{ ref('codebook_choices') }} as c
        where c.question_code = q.question_code and c.group_label_fr is not null
    ) as has_choice_groups,
    coalesce(a.asked_waves, []::varchar[]) as asked_waves
from questions as q
left join asked_waves as a on a.question_code = q.question_code
