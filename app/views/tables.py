"""Tableaux: tables 1–13 of the report, recomputed on the selection, with wording, base and downloads.

Which questions a table shows comes from the codebook (``report_table``) and
the report's cross-tab list (``report.report_crosstabs``), as the selected wave
asked them: a question that wave did not ask is left out, and a table left
without any question says so. The layout follows the question type: answers
with counts and percentages, scales with mean, median and standard deviation,
cross-tabs with ``n (% du total)``.
"""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from app import display, fmt, queries, ui
from app.context import PageContext, current
from app.filters import PLACE_QUESTION
from app.navigation import heading
from app.queries import CHOICE_TYPES, SUMMARY_TYPES
from app.scans import report_tables, tables_request


def _number(table_id: str) -> int:
    return int(re.sub(r"\D", "", table_id))


def _show(ctx: PageContext, table_id: str, title: str, wording: list[str], shown: display.ShownTable,
          notes: list[str]) -> None:
    st.subheader(title)
    for text in wording:
        st.markdown(f"*Q. : {text}*")
    st.table(shown.display)
    base = f"n = {fmt.shown(fmt.count(shown.base), shown.base_hidden)}"
    notes = [*notes, ui.PERTURBATION_NOTE]
    st.caption(" — ".join([base, *notes]))
    export_notes = [title, *(f"Question : {w}" for w in wording), base, *notes, ui.filter_note(ctx)]
    if shown.any_hidden:
        export_notes.append(ui.hidden_note(ctx.k))
    ui.downloads(shown.export, f"tableau_{_number(table_id):02d}", export_notes, key=table_id)


def not_asked(ctx: PageContext, table_id: str, title: str) -> None:
    """A table of the report whose questions the selected wave did not ask."""
    st.subheader(f"Tableau {_number(table_id)} — {title}")
    st.info(f"Question non posée en {ctx.filter.wave}.")


def crosstab_table(ctx: PageContext, table_id: str, pair: pd.Series, questions: pd.DataFrame,
                   variables: dict[str, queries.CrossVariable], cells: pd.DataFrame) -> None:
    row, col = variables[pair["row_question"]], variables[pair["col_question"]]
    table = display.cross_table(cells, ctx.policy)
    wording = questions.set_index("question_code").loc[[row.question_code, col.question_code], "wording_fr"]
    total_hidden = bool(table.hidden.loc[display.TOTAL, display.TOTAL])
    shown = display.ShownTable(
        display.cross_display(table, "total", row.label),
        display.cross_export(table, row.label, col.label),
        None if total_hidden else int(table.shown.loc[display.TOTAL, display.TOTAL]),
        table.any_hidden,
    )
    title = f"Tableau {_number(table_id)} — {row.label} × {col.label}"
    notes = [f"en lignes : {row.label}", "cellules : effectif (% du total)"]
    _show(ctx, table_id, title, wording.tolist(), shown, notes)


def question_table(ctx: PageContext, table_id: str, q: pd.Series, freq: pd.DataFrame, summaries: pd.DataFrame) -> None:
    notes = [q["base_note"]] if isinstance(q["base_note"], str) else []
    if q["type"] in CHOICE_TYPES:
        rows = freq[freq["question_code"] == q["question_code"]]
        shown = display.frequency_table(
            rows, ctx.policy, with_total=q["type"] == "single", with_not_ticked=q["question_code"] == PLACE_QUESTION
        )
        if q["type"] == "multi":
            notes.append("plusieurs réponses possibles : les pourcentages ne s'additionnent pas")
    else:
        shown = display.summary_table(summaries[summaries["question_code"] == q["question_code"]], ctx.policy)
        if q["type"] == "scale":
            notes.append("échelle de 1 (jamais) à 10 (très régulièrement)")
    _show(ctx, table_id, f"Tableau {_number(table_id)} — {q['label_fr']}", [q["wording_fr"]], shown, notes)


def render() -> None:
    ctx = current()
    st.title(heading(__file__))
    st.caption(ui.filter_note(ctx) + " " + ui.hidden_note(ctx.k))
    ui.stop_if_too_few(ctx)
    every = queries.questions(ctx.path)  # the report's tables, whichever wave asked their questions
    questions = queries.questions(ctx.path, ctx.filter.wave)  # as the selected wave asked them
    tables = report_tables(every)
    asked = questions[questions["report_table"].isin([table_id for table_id, _ in tables])]
    scan = tables_request(ctx.path, ctx.filter.wave)  # every table from one reading of the selection
    with st.spinner(ui.COMPUTING):
        queries.prefetch(ctx.path, ctx.filter, scan)
    freq = queries.frequencies(ctx.path, ctx.filter, asked[asked["type"].isin(CHOICE_TYPES)]["question_code"],
                               within=scan)
    summaries = queries.scale_summaries(
        ctx.path, ctx.filter, asked[asked["type"].isin(SUMMARY_TYPES)]["question_code"], within=scan
    )
    pairs = queries.report_crosstabs(ctx.path).set_index("report_figure")
    asked_pairs = set(queries.report_crosstabs(ctx.path, ctx.filter.wave)["crosstab_id"])
    variables = {v.key: v for v in queries.cross_variables(ctx.path, ctx.filter.wave)}
    crossed = pairs[pairs["crosstab_id"].isin(asked_pairs) & pairs.index.isin([t for t, _ in tables])]
    cells = dict(zip(crossed["crosstab_id"], queries.crosstabs(  # every cross-tab in one statement
        ctx.path, ctx.filter, [(variables[p.row_question], variables[p.col_question]) for p in crossed.itertuples()],
        within=scan,
    ), strict=True))
    first_labels = every.set_index("question_code")["label_fr"]
    for table_id, qs in tables:
        with st.container(border=True):
            if table_id in pairs.index:
                pair = pairs.loc[table_id]
                if pair["crosstab_id"] in asked_pairs:
                    crosstab_table(ctx, table_id, pair, questions, variables, cells[pair["crosstab_id"]])
                else:
                    row, col = (first_labels.get(pair[side], pair[side]) for side in ("row_question", "col_question"))
                    not_asked(ctx, table_id, f"{row} × {col}")
                continue
            shown = asked[asked["report_table"] == table_id]
            if shown.empty:
                not_asked(ctx, table_id, " ; ".join(qs["label_fr"]))
            for q in shown.itertuples(index=False):
                question_table(ctx, table_id, pd.Series(q._asdict()), freq, summaries)


render()
