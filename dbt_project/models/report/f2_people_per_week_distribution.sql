-- Report figure 2: how many respondents support each number of people per week.
select
    wave,
    value as people_per_week,
    count(*) as respondents,
    100.0 * count(*) / sum(count(*)) over (partition by wave) as percent
from ({{ report_table_rows('int_respondent_values', 'T8') }})
group by wave, value
