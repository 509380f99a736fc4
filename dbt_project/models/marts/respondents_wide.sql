-- depends_on: {{ ref('stg_codebook__variables') }} {{ ref('stg_codebook__questions') }} {{ ref('codebook_choices') }}
{{ config(post_hook="{{ comment_codebook_columns() }}") }}
-- One row per kept respondent, one typed column per questionnaire variable (the codebook's order): single
-- choices as their codes, boxes of a multiple choice as booleans, 1–10 scales as integers, numbers as doubles.
-- A cell is NULL where the question was not asked (its condition, or a wave whose edition did not have it) or
-- not answered. Free texts ("Autre, précisez") are left out: they identify people.
select
    respondent_id,
    wave
    {%- for v in codebook_variables() %},
    {{ adapter.quote(v.name) }}
    {%- endfor %}
from {{ ref('int_responses_classified') }}
where exclusion_reason is null
