-- One row per column of the raw export: the naming rule of codebook/__init__.py
-- (question_code, question_code__item_code, question_code__other) applied to the seeds.
with questions as (
    select * from {{ ref('codebook_questions') }}
),

items as (
    select * from {{ ref('codebook_items') }}
),

item_variables as (
    select
        q.question_code || '__' || i.item_code as variable_name,
        q.export_code || '[' || i.export_suffix || ']' as export_heading,
        q.question_code,
        i.item_code,
        i.label_fr as item_label_fr,
        i.position as item_position,
        false as is_other
    from questions as q
    inner join items as i on i.question_code = q.question_code
),

single_column_variables as (
    select
        q.question_code as variable_name,
        q.export_code as export_heading,
        q.question_code,
        null as item_code,
        null as item_label_fr,
        0 as item_position,
        false as is_other
    from questions as q
    where not exists (select 1 from items as i where i.question_code = q.question_code)
),

other_variables as (
    select
        q.question_code || '__other' as variable_name,
        q.export_code || '[other]' as export_heading,
        q.question_code,
        null as item_code,
        'Autre (précisez)' as item_label_fr,
        1000 as item_position,
        true as is_other
    from questions as q
    where q.has_other
),

variables as (
    select * from item_variables
    union all select * from single_column_variables
    union all select * from other_variables
)

select
    v.variable_name,
    v.export_heading,
    v.question_code,
    v.item_code,
    q.type as question_type,
    q.label_fr as question_label_fr,
    q.wording_fr as question_wording_fr,
    v.item_label_fr,
    q.position as question_position,
    v.item_position,
    v.is_other,
    q.asked_if_question,
    q.asked_if_choice,
    q.mandatory,
    q.min_value,
    q.max_value,
    q.report_table
from variables as v
inner join questions as q on q.question_code = v.question_code
