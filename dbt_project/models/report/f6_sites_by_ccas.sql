-- Report figure 6: group means, medians and SDs of the comparison the figure draws.
select * from {{ ref('group_means') }} where report_figure = 'F6'
