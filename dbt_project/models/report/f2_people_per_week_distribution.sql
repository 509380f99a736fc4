-- depends_on: {{ ref('stg_codebook__variables') }} {{ ref('stg_codebook__questions') }}
-- Report figure 2: how many respondents support each number of people per week (the number question
-- of table 8), counted on the wide respondents table.
with respondents as (
    select * from {{ ref('respondents') }}
),

values_ as (
    {%- for q in codebook_questions(types=['number'], with_items=false) if q.report_table == 'T8' %}
    select wave, cast({{ q.code }} as double) as value
    from respondents
    where {{ q.code }} is not null
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select
    wave,
    value as people_per_week,
    count(*) as respondents,
    100.0 * count(*) / sum(count(*)) over (partition by wave) as percent
from values_
group by wave, value
