{#-
  The questionnaire, read from the codebook at run time, so that no model
  retypes a question or item list. A model calling these macros must declare
  `-- depends_on: {{ ref('stg_codebook__variables') }} {{ ref('stg_codebook__questions') }}`
  so that dbt builds the codebook first.
-#}

{% macro codebook_variables(types=none, questions=none, exclude_questions=none, include_other=false) %}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set query -%}
        select variable_name, question_code, item_code, question_type, is_other
        from {{ ref('stg_codebook__variables') }}
        order by question_position, item_position
    {%- endset -%}
    {%- set selected = [] -%}
    {%- for row in run_query(query).rows -%}
        {%- set keep = (types is none or row['question_type'] in types)
            and (questions is none or row['question_code'] in questions)
            and (exclude_questions is none or row['question_code'] not in exclude_questions)
            and (include_other or not row['is_other']) -%}
        {%- if keep -%}
            {%- do selected.append({
                'name': row['variable_name'],
                'question_code': row['question_code'],
                'item_code': row['item_code'],
                'type': row['question_type'],
                'is_other': row['is_other'],
            }) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(selected) }}
{% endmacro %}


{% macro codebook_questions(types=none, with_items=none) %}
    {#- Questions as dicts; with_items=true keeps batteries, false keeps single-column questions. -#}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set query -%}
        select question_code, type, asked_if_question, asked_if_choice, mandatory, has_items, has_choice_groups,
            report_table, first_wave, last_wave, array_to_string(asked_waves, ',') as asked_waves
        from {{ ref('stg_codebook__questions') }}
        order by position
    {%- endset -%}
    {%- set selected = [] -%}
    {%- for row in run_query(query).rows -%}
        {%- if (types is none or row['type'] in types) and (with_items is none or row['has_items'] == with_items) -%}
            {%- do selected.append({
                'code': row['question_code'],
                'type': row['type'],
                'asked_if_question': row['asked_if_question'],
                'asked_if_choice': row['asked_if_choice'],
                'has_groups': row['has_choice_groups'],
                'mandatory': row['mandatory'],
                'report_table': row['report_table'],
                'first_wave': row['first_wave'],
                'last_wave': row['last_wave'],
                'asked_waves': row['asked_waves'].split(',') if row['asked_waves'] else [],
            }) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(selected) }}
{% endmacro %}


{% macro questions_by_code() %}
    {#- The codebook's questions (as codebook_questions gives them) keyed by question code. -#}
    {%- set by_code = {} -%}
    {%- for q in codebook_questions() -%}{%- do by_code.update({q.code: q}) -%}{%- endfor -%}
    {{ return(by_code) }}
{% endmacro %}


{% macro typed_answer(column, question_type, is_other=false) -%}
    {#- Raw text → the type the codebook gives the question. Unparseable text becomes NULL here;
        the checks compare raw text and typed values so that nothing is lost silently. -#}
    {%- if is_other or question_type in ('single', 'text') -%}
        nullif(trim({{ column }}), '')
    {%- elif question_type == 'multi' -%}
        coalesce(upper(trim({{ column }})) = 'Y', false)
    {%- elif question_type == 'scale' -%}
        try_cast(trim({{ column }}) as integer)
    {%- elif question_type == 'number' -%}
        try_cast(replace(trim({{ column }}), ',', '.') as double)
    {%- else -%}
        {{ exceptions.raise_compiler_error("codebook type " ~ question_type ~ " has no typing rule") }}
    {%- endif -%}
{%- endmacro %}


{% macro asked_condition(question, relation_alias=none) -%}
    {#- SQL predicate: the respondent was asked this question: in a wave of its editions (codebook first_wave,
        last_wave), and under its condition (codebook asked_if_*). -#}
    {%- set prefix = relation_alias ~ '.' if relation_alias else '' -%}
    {%- if question['first_wave'] or question['last_wave'] -%}
        {%- if question['asked_waves'] -%}
            {{ prefix }}wave in ('{{ question['asked_waves'] | join("', '") }}') and {% else -%}false and {% endif -%}
    {%- endif -%}
    {%- if question['asked_if_question'] -%}
        {{ prefix }}{{ question['asked_if_question'] }} = '{{ question['asked_if_choice'] }}'
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{% macro long_answers(relation, questions, value_name) %}
    {#- Battery and multiple-choice columns of `relation`, one row per respondent × item,
        for the respondents each question was asked (its codebook condition). -#}
    {%- set question_list = codebook_questions() | selectattr('code', 'in', questions) | list -%}
    {%- for q in question_list %}
    select
        a.respondent_id,
        a.wave,
        v.question_code,
        v.question_label_fr,
        v.item_code,
        l.label_fr as item_label_fr,
        v.item_position,
        a.{{ value_name }}
    from (
        unpivot (
            select respondent_id, wave
                {%- for var in codebook_variables(questions=[q.code]) %}, {{ adapter.quote(var.name) }}{% endfor %}
            from {{ relation }}
            where {{ asked_condition(q) }}
        )
        on {% for var in codebook_variables(questions=[q.code]) %}{{ adapter.quote(var.name) }}{{ ", " if not loop.last }}{% endfor %}
        into name variable_name value {{ value_name }}
    ) as a
    inner join {{ ref('stg_codebook__variables') }} as v on v.variable_name = a.variable_name
    -- only the items asked that wave, with that wave's label (a question without items keeps its own label)
    left join {{ ref('stg_codebook__labels_by_wave') }} as l
        on l.wave = a.wave and l.question_code = v.question_code and l.item_code = v.item_code
    where v.item_code is null or l.wave is not null
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{% endmacro %}


{% macro report_table_rows(relation, figure_id) %}
    {#- Rows of a generic report model for the questions the codebook ties to one report table. -#}
    select *
    from {{ ref(relation) }}
    where question_code in (
        select question_code from {{ ref('stg_codebook__questions') }} where report_table = '{{ figure_id }}'
    )
{% endmacro %}


{% macro comment_codebook_columns() %}
    {#- Post-hook: columns named after codebook variables get the question's wording (and item label)
        as their DuckDB comment, so the catalogue describes them without retyping the questionnaire. -#}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set query -%}
        select v.variable_name as column_name,
               v.question_label_fr || coalesce(' — ' || v.item_label_fr, '') || ' (' || v.question_type || ') : '
                   || v.question_wording_fr || coalesce(' | Codes : ' || c.codes, '') as comment
        from {{ ref('stg_codebook__variables') }} as v
        -- a single choice's codes and labels: filters on a code that matches nothing are easy to notice
        left join (
            select question_code, string_agg(choice_code || ' = ' || label_fr, '; ' order by position) as codes
            from {{ ref('codebook_choices') }} group by question_code
        ) as c on c.question_code = v.question_code and v.question_type = 'single' and not v.is_other
        union all
        select question_code || '_label', label_fr || ' : libellé de la réponse' from {{ ref('stg_codebook__questions') }}
        union all
        select question_code || '_group', label_fr || ' : regroupement de réponses du rapport'
        from {{ ref('stg_codebook__questions') }}
    {%- endset -%}
    {%- set comments = {} -%}
    {%- for row in run_query(query).rows -%}{%- do comments.update({row['column_name']: row['comment']}) -%}{%- endfor -%}
    {%- set statements = [] -%}
    {%- for column in adapter.get_columns_in_relation(this) -%}
        {%- if column.name in comments and not model.columns.get(column.name) -%}
            {%- do statements.append("comment on column " ~ this ~ "." ~ adapter.quote(column.name)
                ~ " is '" ~ comments[column.name] | replace("'", "''") ~ "'") -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements | join(';\n')) }}
{% endmacro %}


{% macro seed_rows(seed_name) %}
    {#- A small lookup seed as a list of dicts (for models generated from report definitions). -#}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set rows = [] -%}
    {%- set result = run_query('select * from ' ~ ref(seed_name)) -%}
    {%- for row in result.rows -%}
        {%- set d = {} -%}
        {%- for name in result.column_names -%}{%- do d.update({name: row[name]}) -%}{%- endfor -%}
        {%- do rows.append(d) -%}
    {%- endfor -%}
    {{ return(rows) }}
{% endmacro %}
