-- One row per connection not kept, with the rule that excluded it.
with classified as (
    select * from {{ ref('int_responses_classified') }}
    where exclusion_reason is not null
),

reasons as (
    select * from {{ ref('exclusion_reasons') }}
)

select
    classified.response_key,
    classified.wave,
    classified.response_id,
    classified.submitted_at,
    classified.last_page,
    classified.exclusion_reason as reason_code,
    reasons.reason_fr,
    classified.source_file,
    classified.source_row
from classified
inner join reasons on reasons.reason_code = classified.exclusion_reason
