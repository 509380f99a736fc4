{{ config(materialized='table') }}
-- Every item and choice of the codebook as asked in each wave of the build: only where the codebook's editions
-- say it was asked (first_wave / last_wave of the item or choice, and of its question), with the label it had
-- that wave (codebook_labels: a relabel applies from its wave on). Codes stay the same across waves; labels may not.
-- A table, not a view: the app reads it on every page.
with waves as (
    select wave, wave_order from {{ ref('stg_survey__waves') }}
),

known_waves as (  -- the waves editions and relabels name, whether the build holds them or not
    select wave, wave_order from {{ ref('stg_codebook__wave_order') }}
),

questions as (
    select question_code, asked_waves from {{ ref('stg_codebook__questions') }}
),

entries as (
    select question_code, item_code, null as choice_code, position, label_fr, null as group_label_fr,
        first_wave, last_wave
    from {{ ref('codebook_items') }}
    union all
    select question_code, null as item_code, choice_code, position, label_fr, group_label_fr, first_wave, last_wave
    from {{ ref('codebook_choices') }}
),

asked as (
    select w.wave, w.wave_order, e.*
    from waves as w
    cross join entries as e
    inner join questions as q on q.question_code = e.question_code
    -- first / last waves compare by fieldwork order, not by name
    where list_contains(q.asked_waves, w.wave)
        and (e.first_wave is null or w.wave_order >= (select wave_order from known_waves where wave = e.first_wave))
        and (e.last_wave is null or w.wave_order <= (select wave_order from known_waves where wave = e.last_wave))
)

select
    a.wave,
    a.question_code,
    a.item_code,
    a.choice_code,
    a.position,
    coalesce(
        (
            select arg_max(l.label_fr, lw.wave_order) from {{ ref('codebook_labels') }} as l
            inner join known_waves as lw on lw.wave = l.from_wave
            where l.question_code = a.question_code
                and l.item_code is not distinct from a.item_code
                and l.choice_code is not distinct from a.choice_code
                and lw.wave_order <= a.wave_order
        ),
        a.label_fr
    ) as label_fr,
    a.group_label_fr
from asked as a
