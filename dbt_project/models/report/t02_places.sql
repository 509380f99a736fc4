-- Report table 2: places of intervention, ticked (Oui) and not ticked (Non), counts and percentages.
select
    *,
    base_n - count as count_no,
    100.0 - percent as percent_no
from ({{ report_table_rows('frequencies', 'T2') }})
