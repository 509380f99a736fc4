-- Report table 10, as printed: rows of frequencies for the question(s) the codebook ties to it.
{{ report_table_rows('frequencies', 'T10') }}
