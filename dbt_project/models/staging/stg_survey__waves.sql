-- The waves of the build, in fieldwork order: a wave's id is a name, its place in time is its dates.
select
    wave,
    row_number() over (order by fieldwork_start, wave) as wave_order,
    label_fr,
    fieldwork_start,
    fieldwork_end,
    min_respondents,
    max_respondents,
    min_eadmin,
    max_eadmin
from {{ source('survey', 'waves') }}
