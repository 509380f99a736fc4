{{ config(materialized='view') }}
-- Every report figure of each pair of waves side by side (earlier wave_1, later wave_2, in fieldwork order),
-- matched on codes (item_key), never on labels; the difference; and its test from the stats stage
-- (stats.tests, family wave_difference:<table>). A view, so it always shows the latest stats run: the
-- stats stage writes its tests after dbt. A standard deviation gets no test; a count or percentage is
-- tested as the share of its base; a mean or median as the two waves' answers (stats/waves.py).
with figures as (
    select * from {{ ref('figures') }}
),

waves as (
    select s.wave, s.wave_order
    from {{ ref('stg_survey__waves') }} as s
    where exists (select 1 from figures as f where f.wave = s.wave)
),

pairs as (
    select w1.wave as wave_1, w2.wave as wave_2
    from waves as w1
    inner join waves as w2 on (w1.wave_order, w1.wave) < (w2.wave_order, w2.wave)
),

keys as (
    -- every figure of either wave of each pair: a figure asked in one wave only keeps its row
    select distinct p.wave_1, p.wave_2, f.figure_id, f.question, f.item_key, f.statistic
    from pairs as p
    inner join figures as f on f.wave in (p.wave_1, p.wave_2)
),

tests as (
    select * from {{ source('stats', 'tests') }}
    where kind = 'wave_difference' and is_primary
),

side_by_side as (
    select
        k.figure_id,
        k.question,
        k.item_key,
        k.statistic,
        coalesce(f2.item, f1.item) as item,
        k.wave_1,
        f1.item as item_1,
        f1.value as value_1,
        f1.n as n_1,
        k.wave_2,
        f2.item as item_2,
        f2.value as value_2,
        f2.n as n_2,
        f2.value - f1.value as difference,
        case
            when f1.figure_id is null then 'non posée en ' || k.wave_1
            when f2.figure_id is null then 'non posée en ' || k.wave_2
        end as asked_note
    from keys as k
    left join figures as f1
        on f1.wave = k.wave_1 and f1.figure_id = k.figure_id and f1.question = k.question
        and f1.item_key = k.item_key and f1.statistic = k.statistic
    left join figures as f2
        on f2.wave = k.wave_2 and f2.figure_id = k.figure_id and f2.question = k.question
        and f2.item_key = k.item_key and f2.statistic = k.statistic
)

select
    s.*,
    t.test_id,
    t.method as test_method,
    t.statistic_name as test_statistic_name,
    t.statistic as test_statistic,
    t.p_value,
    t.p_holm,
    t.p_bh,
    t.p_holm < 0.05 as significant,
    concat_ws('; ', s.asked_note, t.notes) as notes
from side_by_side as s
left join tests as t
    on s.statistic <> 'sd'
    and t.wave = s.wave_2 and t.baseline_wave = s.wave_1
    and t.comparison_id = 'wave_difference:' || s.wave_1 || ':' || s.figure_id || ':' || s.question || ':' || s.item_key
