-- Mean, median and sample standard deviation (n − 1) of every 1–10 scale item and number question, per wave,
-- over those asked who answered (tables 5–9 and 12; profile numbers quoted in the text).
select
    v.wave,
    v.question_code,
    q.label_fr as question_label,
    q.type as question_type,
    v.item_code,
    any_value(v.item_label) as item_label,
    any_value(v.item_position) as item_position,
    count(v.value) as n,
    avg(v.value) as mean,
    median(v.value) as median,
    stddev_samp(v.value) as sd,
    min(v.value) as min,
    max(v.value) as max
from {{ ref('int_respondent_values') }} as v
inner join {{ ref('stg_codebook__questions') }} as q on q.question_code = v.question_code
group by v.wave, v.question_code, q.label_fr, q.type, v.item_code
