-- Every wave the codebook or the build knows, in fieldwork order: the codebook's editions name waves
-- (first_wave, last_wave, a relabel's from_wave) that a build may not hold, and a manifest may declare a wave
-- the codebook does not. A codebook wave keeps its own dates (waves.csv), as the Python codebook orders it.
with codebook_waves as (
    select wave, fieldwork_start from {{ ref('waves') }}
),

build_only as (
    select r.wave, r.fieldwork_start
    from {{ source('survey', 'waves') }} as r
    where not exists (select 1 from codebook_waves as c where c.wave = r.wave)
),

known as (
    select * from codebook_waves
    union all
    select * from build_only
)

select
    wave,
    fieldwork_start,
    -- waves that start the same day share their place (a regional re-run of one edition)
    dense_rank() over (order by fieldwork_start) as wave_order
from known
