-- Every item and choice of the codebook as asked in each wave of the build: only where the codebook's editions
-- say it was asked (first_wave / last_wave of the item or choice, and of its question), with the label it had
-- that wave (codebook_labels: a relabel applies from its wave on). Codes stay the same across waves; labels may not.
with waves as (
    select wave from {{ ref('stg_survey__waves') }}
),

questions as (
    select question_code, first_wave, last_wave from {{ ref('codebook_questions') }}
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
    select w.wave, e.*
    from waves as w
    cross join entries as e
    inner join questions as q on q.question_code = e.question_code
    where w.wave >= coalesce(e.first_wave, w.wave) and w.wave <= coalesce(e.last_wave, w.wave)
        and w.wave >= coalesce(q.first_wave, w.wave) and w.wave <= coalesce(q.last_wave, w.wave)
)

select
    a.wave,
    a.question_code,
    a.item_code,
    a.choice_code,
    a.position,
    coalesce(
        (
            select arg_max(l.label_fr, l.from_wave) from {{ ref('codebook_labels') }} as l
            where l.question_code = a.question_code
                and l.item_code is not distinct from a.item_code
                and l.choice_code is not distinct from a.choice_code
                and l.from_wave <= a.wave
        ),
        a.label_fr
    ) as label_fr,
    a.group_label_fr
from asked as a
