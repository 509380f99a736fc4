-- Every figure of the report, computed from the marts, keyed as published_figures.csv
-- (figure_id, question, item, statistic), one row per wave. Values are unrounded. Labels may change between
-- waves (Pôle emploi became France Travail): item_key names the same figure by codes, the same in every wave,
-- and value_variable / group_variable / group_code name the columns of the wide respondent table it summarises.
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

value_columns as (
    -- The wide table's column of each (question, item); a question without items is its own item.
    select variable_name, question_code, coalesce(item_code, question_code) as item_code, item_code as box_item
    from {{ ref('stg_codebook__variables') }}
    where not is_other
),

target_choices as (
    -- The post title's "Autre" is out of target: no kept respondent has it, the report shows no row.
    select question_code, choice_code from {{ ref('codebook_choices') }} where is_target is distinct from false
),

table_frequencies as (
    select q.report_table as figure_id, f.wave, f.question_code as question, f.item_label as item, s.statistic,
        case s.statistic when 'count' then f.count else f.percent end as value, f.base_n as n,
        f.item_code as item_key, null as value_variable, null as group_variable, null as group_code
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
        case st.statistic when 'mean' then s.mean when 'median' then s.median else s.sd end as value, s.n,
        s.item_code as item_key, v.variable_name as value_variable, null as group_variable, null as group_code
    from scales as s
    inner join questions as q on q.question_code = s.question_code
    inner join value_columns as v on v.question_code = s.question_code and v.item_code = s.item_code
    cross join (values ('mean'), ('median'), ('sd')) as st (statistic)
    where q.report_table in ('T5', 'T6', 'T7', 'T8', 'T9', 'T12')
),

table_crosstabs as (
    select report_figure as figure_id, wave, crosstab_id as question,
        row_alias || '=' || row_label || ' & ' || col_alias || '=' || col_label as item,
        'count' as statistic, count as value, table_n as n,
        row_alias || '=' || row_code || ' & ' || col_alias || '=' || col_code as item_key,
        null as value_variable, null as group_variable, null as group_code
    from {{ ref('crosstabs') }}
    where report_figure <> 'TXT'
),

quoted_frequencies as (
    select q.figure_id, f.wave, q.question, f.item_label as item, q.statistic,
        case q.statistic when 'count' then f.count else f.percent end as value, f.base_n as n,
        f.item_code as item_key, null as value_variable, null as group_variable, null as group_code
    from quoted as q
    inner join frequencies as f on f.question_code = q.source_key and f.item_code = q.item_code
    where q.source = 'frequency'
),

quoted_scales as (
    select q.figure_id, s.wave, q.question, s.item_label as item, q.statistic, s.mean as value, s.n,
        s.item_code as item_key, v.variable_name as value_variable, null as group_variable, null as group_code
    from quoted as q
    inner join scales as s on s.question_code = q.source_key and s.item_code = q.item_code
    inner join value_columns as v on v.question_code = s.question_code and v.item_code = s.item_code
    where q.source = 'scale'
),

quoted_crosstabs as (
    -- "65 of the 93 first hired are conseillers": the base is the row (those first hired)
    select q.figure_id, c.wave, q.question, c.col_label as item, q.statistic, c.count as value,
        (select sum(r.count) from {{ ref('crosstabs') }} as r
         where r.crosstab_id = c.crosstab_id and r.wave = c.wave and r.row_code = c.row_code) as n,
        c.row_alias || '=' || c.row_code || ' & ' || c.col_alias || '=' || c.col_code as item_key,
        null as value_variable, null as group_variable, null as group_code
    from quoted as q
    inner join {{ ref('crosstabs') }} as c
        on c.crosstab_id = q.source_key and c.row_code = q.item_code and c.col_code = q.group_code
    where q.source = 'crosstab'
),

quoted_group_means as (
    select q.figure_id, g.wave, q.question,
        case when g.group_item is null then g.group_label else g.group_item_label || '=' || g.group_label end as item,
        q.statistic, g.mean as value, g.n,
        case when g.group_item is null then g.group_code else g.group_item || '=' || g.group_code end as item_key,
        v.variable_name as value_variable, gv.variable_name as group_variable, g.group_code
    from quoted as q
    inner join {{ ref('group_means') }} as g
        on g.comparison_id = q.source_key and g.group_code = q.group_code
        and (q.item_code is null or g.group_item = q.item_code)
    inner join value_columns as v on v.question_code = g.question_code and v.item_code = g.item_code
    inner join value_columns as gv
        on gv.question_code = g.group_question and gv.box_item is not distinct from g.group_item
    where q.source = 'group_mean'
),

quoted_counts as (
    select q.figure_id, c.wave, q.question, q.item_label as item, q.statistic, c.n as value, cast(null as bigint) as n,
        q.source as item_key, null as value_variable, null as group_variable, null as group_code
    from quoted as q
    inner join (
        select 'connections' as source, wave, count(*) as n from {{ source('survey', 'responses') }} group by wave
        union all
        select 'respondents', wave, count(*) from {{ ref('respondents') }} group by wave
    ) as c on c.source = q.source
),

computed as (
    select figure_id, wave, question, item, statistic, cast(value as double) as value, cast(n as bigint) as n,
        cast(item_key as varchar) as item_key, cast(value_variable as varchar) as value_variable,
        cast(group_variable as varchar) as group_variable, cast(group_code as varchar) as group_code
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
),

published as (
    -- The report's own figures (the published wave only), with their printed precision: 57.9 is 57.85 to 57.95.
    select *, case when contains(value, '.') then length(split_part(value, '.', 2)) else 0 end as decimals
    from {{ ref('report_published_figures') }}
)

select
    c.*,
    cast(p.value as double) as published_value,
    cast(p.n as bigint) as published_n,
    case when p.value is not null then
        abs(c.value - cast(p.value as double)) <= 0.5 * pow(10, -p.decimals) + 1e-9
        and (p.n is null or c.n is null or c.n = p.n)
    end as matches_published
from computed as c
left join published as p
    on c.wave = '{{ var("published_report_wave") }}' and p.figure_id = c.figure_id and p.question = c.question
    and p.item = c.item and p.statistic = c.statistic
