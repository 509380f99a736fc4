-- The waves of the build, with their place in time among every known wave (stg_codebook__wave_order): a wave's
-- id is a name, its place in time is its dates.
select
    w.wave,
    o.wave_order,
    w.label_fr,
    w.fieldwork_start,
    w.fieldwork_end,
    w.min_respondents,
    w.max_respondents,
    w.min_eadmin,
    w.max_eadmin
from {{ source('survey', 'waves') }} as w
inner join {{ ref('stg_codebook__wave_order') }} as o on o.wave = w.wave
