{% macro value_summary(value) -%}
    {#- The summary the report prints for a number or a 1–10 scale, NULLs left out:
        n, mean, median and sample standard deviation (n − 1). -#}
    count({{ value }}) as n,
    avg({{ value }}) as mean,
    median({{ value }}) as median,
    stddev_samp({{ value }}) as sd
{%- endmacro %}
