"""Croisements: any two questions crossed on the selection, with percentages, a test and shaded residuals.

Variables are the single-choice questions and each place of work the selected
wave asked, labelled as it asked them: a question not asked that wave is not
offered.
Cells are shaded by their adjusted standardised residual (blue: more
respondents than independence predicts, red: fewer; only beyond ±1.96).
When the table has a hidden cell, no test and no shading is shown (an exact
statistic with the margins would give the hidden cells back); otherwise the
test reads the rounded counts the page shows, so it tells nothing more.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import contingency, display, queries, readings, ui
from app.context import PageContext, current
from app.filters import WAVE_PARAM
from app.navigation import heading

HIDDEN_STYLE = "background-color: #eeeeee; color: #777777"
ROW_PARAM, COL_PARAM = "lignes", "colonnes"


def styles(shown: pd.DataFrame, table: display.CrossTable, residuals: pd.DataFrame | None) -> pd.DataFrame:
    """CSS of every shown cell (margins unshaded, hidden cells grey, no shading at all without a test)."""
    css = pd.DataFrame("", index=shown.index, columns=shown.columns)
    if residuals is not None:
        for r in table.counts.index:
            for c in table.counts.columns:
                css.loc[r, c] = contingency.residual_style(residuals.loc[r, c])
    css[table.hidden.to_numpy()] = HIDDEN_STYLE
    return css


def default_pair(ctx: PageContext, keys: list[str]) -> tuple[str, str]:
    """The pair named in the address (``?vague=…&lignes=…&colonnes=…``: a crossing can be shared, with its wave),
    else the report's first crossing the wave asked, else the first two variables."""
    asked = queries.report_crosstabs(ctx.path, ctx.filter.wave)
    first = (asked["row_question"].iloc[0], asked["col_question"].iloc[0]) if len(asked) else (keys[0], keys[1])
    row = st.query_params.get(ROW_PARAM, first[0])
    col = st.query_params.get(COL_PARAM, first[1])
    if row not in keys or col not in keys:
        return first
    return row, col


def independence_section(table: display.CrossTable, result: contingency.ContingencyResult | None) -> None:
    st.markdown("**Test d'indépendance**")
    if result is None:
        st.info(
            "Test non affiché : le tableau a des cases masquées. Sa statistique, sa valeur de p, son V de Cramér "
            "et les couleurs des résidus permettraient, avec les totaux, de retrouver ces cases."
        )
        return
    if result.method is None:
        st.info(result.note)
        return
    shown = readings.results_table(pd.DataFrame([result.as_row()]))
    st.table(shown.drop(columns=["Comparaison", "p ajusté (Holm)", "p ajusté (BH)"]).set_index("Méthode"))
    st.caption(
        "Test calculé sur les effectifs arrondis affichés, pour ne rien révéler de plus que le tableau"
        + (f". {result.note}" if result.note else ".")
    )


def render() -> None:
    ctx = current()
    st.title(heading(__file__))
    st.caption(ui.filter_note(ctx))
    ui.stop_if_too_few(ctx)
    variables = {v.key: v for v in queries.cross_variables(ctx.path, ctx.filter.wave)}
    keys = list(variables)
    row_default, col_default = default_pair(ctx, keys)
    left, right, mode_col = st.columns([2, 2, 2])
    row_key = left.selectbox(
        "En lignes", keys, index=keys.index(row_default), format_func=lambda k: variables[k].label, key="cross_row"
    )
    col_key = right.selectbox(
        "En colonnes", keys, index=keys.index(col_default), format_func=lambda k: variables[k].label, key="cross_col"
    )
    st.query_params.update({WAVE_PARAM: ctx.filter.wave, ROW_PARAM: row_key, COL_PARAM: col_key})
    mode = mode_col.radio(
        "Pourcentages", list(display.PERCENT_MODES), format_func=lambda m: display.PERCENT_MODES[m].capitalize(),
        horizontal=True, key="cross_percent",
    )
    if row_key == col_key:
        st.warning("Choisissez deux questions différentes.")
        return
    row, col = variables[row_key], variables[col_key]
    with st.spinner(ui.COMPUTING):
        table = display.cross_table(queries.crosstab(ctx.path, ctx.filter, row, col), ctx.policy)
    shown = display.cross_display(table, mode, row.label)
    # No statistic from a table with a hidden cell; otherwise the test reads the shown (rounded) counts.
    result = None if table.any_hidden else contingency.analyse(table.inner_shown.astype("int64"))
    st.subheader(f"{row.label} × {col.label}")
    residuals = None if result is None else result.residuals
    st.table(shown.style.apply(lambda _: styles(shown, table, residuals), axis=None))
    st.caption(
        f"Cellules : effectif (pourcentage {display.PERCENT_MODES[mode]}). Fond bleu : plus de répondant·e·s que "
        "si les deux questions étaient indépendantes ; rouge : moins (résidu standardisé ajusté au-delà de ±1,96, "
        "plus foncé à mesure que l'écart grandit). Seul·e·s les répondant·e·s qui ont répondu aux deux questions "
        "sont comptés. "
        + (ui.hidden_note(ctx.k) + " " if table.any_hidden else "")
        + ui.PERTURBATION_NOTE
    )
    independence_section(table, result)
    notes = [f"{row.label} × {col.label}", ui.filter_note(ctx), ui.hidden_note(ctx.k)]
    ui.downloads(display.cross_export(table, row.label, col.label), f"croisement_{ui.slug(row_key + '_x_' + col_key)}",
                 notes, key="crosstab")


render()
