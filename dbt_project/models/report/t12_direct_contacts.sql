-- Report table 12, as printed: rows of scale_summaries for the question(s) the codebook ties to it.
{{ report_table_rows('scale_summaries', 'T12') }}
