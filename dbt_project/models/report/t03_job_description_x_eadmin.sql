-- Report table 3: the cross-tabulation, every cell with its percentage of the total.
select * from {{ ref('crosstabs') }} where report_figure = 'T3'
