-- depends_on: {{ ref('stg_codebook__variables') }} {{ ref('stg_codebook__questions') }}
-- Mean, median and sample standard deviation (n − 1) of every 1–10 scale item and number question, per wave,
-- over those asked who answered (tables 5–9 and 12; profile numbers quoted in the text). Each item is one
-- grouped aggregate over the wide kept-respondent table: two columns read, whatever the size of the wave.
with kept as (
    select * from {{ ref('int_responses_classified') }}
    where exclusion_reason is null
),

summaries as (
    {%- set questions = questions_by_code() -%}
    {%- for v in codebook_variables(types=['scale', 'number']) %}
    {%- set value = 'cast(k.' ~ adapter.quote(v.name) ~ ' as double)' %}
    select
        k.wave,
        '{{ v.name }}' as variable_name,
        {{ value_summary(value) }},
        min({{ value }}) as min,
        max({{ value }}) as max
    from kept as k
    where {{ value }} is not null
        {%- if v.type == 'scale' %} and {{ asked_condition(questions[v.question_code], 'k') }}{% endif %}
    group by k.wave
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select
    s.wave,
    v.question_code,
    v.question_label_fr as question_label,
    v.question_type,
    coalesce(v.item_code, v.question_code) as item_code,
    coalesce(l.label_fr, v.question_label_fr) as item_label,
    v.item_position,
    s.n,
    s.mean,
    s.median,
    s.sd,
    s.min,
    s.max
from summaries as s
inner join {{ ref('stg_codebook__variables') }} as v on v.variable_name = s.variable_name
-- that wave's label of the item (a question without items keeps its own label)
left join {{ ref('stg_codebook__labels_by_wave') }} as l
    on l.wave = s.wave and l.question_code = v.question_code and l.item_code = v.item_code
