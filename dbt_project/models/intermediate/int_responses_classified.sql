-- depends_on: {{ ref('stg_codebook__variables') }} {{ ref('stg_codebook__questions') }} {{ ref('codebook_choices') }}
{{ config(post_hook="{{ comment_codebook_columns() }}") }}
{%- set answer_columns = codebook_variables(include_other=true) %}
-- Every connection with the cleaning rule that excludes it (NULL: kept).
-- Rules, first match wins (codebook.exclusion_reasons): incomplete, test_entry, out_of_target, duplicate.
with responses as (
    select * from {{ ref('stg_survey__responses') }}
),

waves as (
    select * from {{ ref('stg_survey__waves') }}
),

target_post_titles as (
    select choice_code from {{ ref('codebook_choices') }}
    where question_code = 'post_title' and is_target
),

ruled as (
    select
        r.*,
        case
            when r.submitdate_text is null then 'incomplete'
            when cast(r.submitted_at as date) not between w.fieldwork_start and w.fieldwork_end then 'test_entry'
            when r.post_title is null or r.post_title not in (select choice_code from target_post_titles)
                then 'out_of_target'
        end as rule_reason
    from responses as r
    inner join waves as w on w.wave = r.wave
),

hashed as (
    -- Identical answers to every question within a wave: the first submission is kept. Ranking every
    -- connection over all its answers makes DuckDB carry the whole table through a window; a hash of the
    -- answers finds the few connections that share theirs with another, and only those are ranked.
    select
        response_key,
        wave,
        hash(
        {%- for v in answer_columns %}
            {{ adapter.quote(v.name) }}{{ "," if not loop.last }}
        {%- endfor %}
        ) as answers_hash
    from ruled
    where rule_reason is null
),

shared_hashes as (
    select wave, answers_hash from hashed group by wave, answers_hash having count(*) > 1
),

ranked as (
    select
        response_key,
        row_number() over (
            partition by
                wave
                {%- for v in answer_columns %},
                {{ adapter.quote(v.name) }}
                {%- endfor %}
            order by submitted_at, try_cast(response_id as bigint), response_id
        ) as answer_rank
    from ruled
    where response_key in (select response_key from hashed semi join shared_hashes using (wave, answers_hash))
),

duplicates as (
    select response_key from ranked where answer_rank > 1
)

select
    ruled.* exclude (rule_reason),
    coalesce(ruled.rule_reason, case when duplicates.response_key is not null then 'duplicate' end)
        as exclusion_reason
from ruled
left join duplicates on duplicates.response_key = ruled.response_key
