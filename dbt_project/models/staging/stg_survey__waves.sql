select
    wave,
    label_fr,
    fieldwork_start,
    fieldwork_end,
    min_respondents,
    max_respondents,
    min_eadmin,
    max_eadmin
from {{ source('survey', 'waves') }}
