-- depends_on: {{ ref('stg_codebook__variables') }} {{ ref('stg_codebook__questions') }} {{ ref('codebook_choices') }}
{{ config(post_hook="{{ comment_codebook_columns() }}") }}
-- One row per kept respondent: the single-column questions, coded and labelled.
with kept as (
    select * from {{ ref('int_responses_classified') }}
    where exclusion_reason is null
),

choices as (  -- each wave's labels (codebook_labels), codes stable across waves
    select * from {{ ref('stg_codebook__labels_by_wave') }} where choice_code is not null
)

select
    kept.respondent_id,
    kept.wave,
    kept.submitted_at,
    {%- for q in codebook_questions(types=['single', 'number'], with_items=false) %}
    {%- if q.type == 'single' %}
    kept.{{ q.code }},
    {{ q.code }}_choice.label_fr as {{ q.code }}_label,
    {%- if q.has_groups %}
    {{ q.code }}_choice.group_label_fr as {{ q.code }}_group,
    {%- endif %}
    {%- else %}
    kept.{{ q.code }},
    {%- endif %}
    {%- endfor %}
    kept.source_file,
    kept.source_row
from kept
{%- for q in codebook_questions(types=['single'], with_items=false) %}
left join choices as {{ q.code }}_choice
    on {{ q.code }}_choice.wave = kept.wave and {{ q.code }}_choice.question_code = '{{ q.code }}'
    and {{ q.code }}_choice.choice_code = kept.{{ q.code }}
{%- endfor %}
