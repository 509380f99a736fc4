-- Every figure of the report, computed from the marts, keyed as published_figures.csv
-- (figure_id, question, item, statistic), one row per wave. Values are unrounded.
with questions as (
    select * from {{ ref('stg_codebook__questions') }}
),

quoted as (
    select * from {{ ref('report_quoted_figures') }}
),

frequencies as (
    select * from {{ ref('frequencies') }}
),

scales as (
    select * from {{ ref('scale_summaries') }}
),

target_choices as (
    -- The post title's "Autre" is out of target: no kept respondent has it, the report shows no row.
    select question_code, choice_code from {{ ref('codebook_choices') }} where is_target is distinct from false
),

table_frequencies as (
    select q.report_table as figure_id, f.wave, f.question_code as question, f.item_label as item, s.statistic,
        case s.statistic when 'count' then f.count else f.percent end as value, f.base_n as n
    from frequencies as f
    inner join questions as q on q.question_code = f.question_code
    cross join (values ('count'), ('percent')) as s (statistic)
    where q.report_table in ('T1', 'T2', 'T4', 'T10', 'T13')
      and f.item_kind in ('choice', 'item')
      and (f.item_kind = 'item' or exists (
          select 1 from target_choices as t where t.question_code = f.question_code and t.choice_code = f.item_code))
),

table_scales as (
    select q.report_table as figure_id, s.wave, s.question_code as question, s.item_label as item, st.statistic,
        case st.statistic when 'mean' then s.mean when 'median' then s.median else s.sd end as value, s.n
    from scales as s
    inner join questions as q on q.question_code = s.question_code
    cross join (values ('mean'), ('median'), ('sd')) as st (statistic)
    where q.report_table in ('T5', 'T6', 'T7', 'T8', 'T9', 'T12')
),

table_crosstabs as (
    select report_figure as figure_id, wave, crosstab_id as question,
        row_alias || '=' || row_label || ' & ' || col_alias || '=' || col_label as item,
        'count' as statistic, count as value, table_n as n
    from {{ ref('crosstabs') }}
    where report_figure <> 'TXT'
),

quoted_frequencies as (
    select q.figure_id, f.wave, q.question, f.item_label as item, q.statistic,
        case q.statistic when 'count' then f.count else f.percent end as value, f.base_n as n
    from quoted as q
    inner join frequencies as f on f.question_code = q.source_key and f.item_code = q.item_code
    where q.source = 'frequency'
),

quoted_scales as (
    select q.figure_id, s.wave, q.question, s.item_label as item, q.statistic, s.mean as value, s.n
    from quoted as q
    inner join scales as s on s.question_code = q.source_key and s.item_code = q.item_code
    where q.source = 'scale'
),

quoted_crosstabs as (
    select q.figure_id, c.wave, q.question, c.col_label as item, q.statistic, c.count as value,
        cast(null as bigint) as n
    from quoted as q
    inner join {{ ref('crosstabs') }} as c
        on c.crosstab_id = q.source_key and c.row_code = q.item_code and c.col_code = q.group_code
    where q.source = 'crosstab'
),

quoted_group_means as (
    select q.figure_id, g.wave, q.question,
        case when g.group_item is null then g.group_label else g.group_item_label || '=' || g.group_label end as item,
        q.statistic, g.mean as value, g.n
    from quoted as q
    inner join {{ ref('group_means') }} as g
        on g.comparison_id = q.source_key and g.group_code = q.group_code
        and (q.item_code is null or g.group_item = q.item_code)
    where q.source = 'group_mean'
),

quoted_counts as (
    select q.figure_id, c.wave, q.question, q.item_label as item, q.statistic, c.n as value, cast(null as bigint) as n
    from quoted as q
    inner join (
        select 'connections' as source, wave, count(*) as n from {{ source('survey', 'responses') }} group by wave
        union all
        select 'respondents', wave, count(*) from {{ ref('respondents') }} group by wave
    ) as c on c.source = q.source
)

select figure_id, wave, question, item, statistic, cast(value as double) as value, cast(n as bigint) as n
from (
    select * from table_frequencies
    union all select * from table_scales
    union all select * from table_crosstabs
    union all select * from quoted_frequencies
    union all select * from quoted_scales
    union all select * from quoted_crosstabs
    union all select * from quoted_group_means
    union all select * from quoted_counts
)
