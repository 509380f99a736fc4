-- One row per question, with what the macros need to know of its items and choices.
with questions as (
    select * from {{ ref('codebook_questions') }}
)

select
    q.*,
    exists (select 1 from {{ ref('codebook_items') }} as i where i.question_code = q.question_code) as has_items,
    exists (
        select 1 from {{ ref('codebook_choices') }} as c
        where c.question_code = q.question_code and c.group_label_fr is not null
    ) as has_choice_groups
from questions as q
