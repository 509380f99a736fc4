-- depends_on: {{ ref('stg_codebook__variables') }} {{ ref('stg_codebook__questions') }} {{ ref('codebook_choices') }}
{{ config(post_hook="{{ comment_codebook_columns() }}") }}
-- One row per connection of every export: metadata parsed, answers typed by the codebook.
with source as (
    select * from {{ source('survey', 'responses') }}
)

select
    wave || ':' || trim(id) as response_key,
    'R' || left(sha256('{{ var("respondent_id_salt") }}' || ':' || wave || ':' || trim(id)), 12) as respondent_id,
    wave,
    trim(id) as response_id,
    try_strptime(nullif(trim(submitdate), ''), ['%Y-%m-%d %H:%M:%S', '%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%Y-%m-%d %H:%M']) as submitted_at,
    try_strptime(nullif(trim(startdate), ''), ['%Y-%m-%d %H:%M:%S', '%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%Y-%m-%d %H:%M']) as started_at,
    try_cast(nullif(trim(lastpage), '') as integer) as last_page,
    nullif(trim(startlanguage), '') as start_language,
    nullif(trim(submitdate), '') as submitdate_text,
    source_file,
    source_sha256,
    source_row,
    loaded_at,
    {%- for v in codebook_variables(include_other=true) %}
    {{ typed_answer(adapter.quote(v.name), v.type, v.is_other) }} as {{ adapter.quote(v.name) }}{{ "," if not loop.last }}
    {%- endfor %}
from source
