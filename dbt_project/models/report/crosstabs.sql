-- depends_on: {{ ref('report_crosstabs') }}
-- The report's cross-tabulations (report_crosstabs seed), every cell including empty ones,
-- with percentages of the table total.
with pairs as (
    select * from {{ ref('report_crosstabs') }}
),

choices as (  -- each wave's choices as asked, with that wave's labels
    select * from {{ ref('stg_codebook__labels_by_wave') }} where choice_code is not null
),

waves as (
    select distinct wave from {{ ref('respondents') }}
),

cells as (
    -- Counted on the wide respondents table: one group-by per cross-tab, whatever the size of the wave.
    {%- for x in seed_rows('report_crosstabs') %}
    select
        '{{ x.crosstab_id }}' as crosstab_id, wave, {{ x.row_question }} as row_code, {{ x.col_question }} as col_code,
        count(*) as n
    from {{ ref('respondents') }}
    where {{ x.row_question }} is not null and {{ x.col_question }} is not null
    group by all
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

grid as (
    select
        p.crosstab_id, p.report_figure, p.row_question, p.col_question, p.row_alias, p.col_alias, w.wave,
        r.choice_code as row_code, r.label_fr as row_label, r.position as row_position,
        c.choice_code as col_code, c.label_fr as col_label, c.position as col_position
    from pairs as p
    cross join waves as w
    inner join choices as r on r.wave = w.wave and r.question_code = p.row_question
    inner join choices as c on c.wave = w.wave and c.question_code = p.col_question
)

select
    g.crosstab_id,
    g.report_figure,
    g.wave,
    g.row_question,
    g.row_code,
    g.row_label,
    g.row_position,
    g.col_question,
    g.col_code,
    g.col_label,
    g.col_position,
    g.row_alias,
    g.col_alias,
    coalesce(cells.n, 0) as count,
    cast(sum(coalesce(cells.n, 0)) over (partition by g.crosstab_id, g.wave) as bigint) as table_n,
    100.0 * coalesce(cells.n, 0)
        / nullif(sum(coalesce(cells.n, 0)) over (partition by g.crosstab_id, g.wave), 0) as percent_of_total
from grid as g
left join cells
    on cells.crosstab_id = g.crosstab_id and cells.wave = g.wave
    and cells.row_code = g.row_code and cells.col_code = g.col_code
