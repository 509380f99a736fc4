"""Croisements: any two questions crossed on the selection, with percentages, a test and shaded residuals.

Variables are the codebook's single-choice questions and each place of work.
Cells are shaded by their adjusted standardised residual (blue: more
respondents than independence predicts, red: fewer; only beyond ±1.96).
When the table has hidden cells, the test is given only as a reading, since
an exact statistic with the margins would give the hidden cells back.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import contingency, display, queries, readings, ui
from app.context import PageContext, current
from app.navigation import heading

RESIDUAL_THRESHOLD = 1.96
RESIDUAL_SATURATION = 4.0
HIDDEN_STYLE = "background-color: #eeeeee; color: #777777"
ROW_PARAM, COL_PARAM = "lignes", "colonnes"


def residual_style(residual: float) -> str:
    """CSS background for one cell: transparent within ±1.96, then deeper blue (above) or red (below)."""
    if pd.isna(residual) or abs(residual) < RESIDUAL_THRESHOLD:
        return ""
    alpha = 0.2 + 0.6 * min(1.0, (abs(residual) - RESIDUAL_THRESHOLD) / (RESIDUAL_SATURATION - RESIDUAL_THRESHOLD))
    rgb = "33, 102, 172" if residual > 0 else "178, 24, 43"
    text = "color: white; " if alpha > 0.55 else ""
    return f"{text}background-color: rgba({rgb}, {alpha:.2f})"


def styles(shown: pd.DataFrame, table: display.CrossTable, residuals: pd.DataFrame) -> pd.DataFrame:
    """CSS of every shown cell (margins unshaded, hidden cells grey)."""
    _, hidden = display.with_margins(table)
    css = pd.DataFrame("", index=shown.index, columns=shown.columns)
    for r in table.counts.index:
        for c in table.counts.columns:
            css.loc[r, c] = "" if hidden.loc[r, c] else residual_style(residuals.loc[r, c])
    css[hidden] = HIDDEN_STYLE
    return css


def default_pair(ctx: PageContext, keys: list[str]) -> tuple[str, str]:
    """The pair named in the address (``?lignes=…&colonnes=…``: a crossing can be shared), else the report's first."""
    first = queries.report_crosstabs(ctx.path).iloc[0]
    row = st.query_params.get(ROW_PARAM, first["row_question"])
    col = st.query_params.get(COL_PARAM, first["col_question"])
    if row not in keys or col not in keys:
        return first["row_question"], first["col_question"]
    return row, col


def independence_section(ctx: PageContext, table: display.CrossTable, result: contingency.ContingencyResult) -> None:
    st.markdown("**Test d'indépendance**")
    if result.method is None:
        st.info(result.note)
        return
    if table.any_hidden:
        significant = result.p_value is not None and result.p_value < readings.ALPHA
        size = readings.magnitude("cramers_v", result.cramers_v)
        st.markdown(
            f"{readings.sentence_case(readings.method_fr(result.method))} : "
            + ("lien statistiquement significatif au seuil de 5 %" if significant else
               "pas de lien statistiquement significatif au seuil de 5 %")
            + (f", d'intensité {size} (V de Cramér)." if size else ".")
        )
        st.caption(
            "Le tableau a des cases masquées : la statistique exacte, la valeur de p et le V de Cramér ne sont pas "
            "affichés, car avec les totaux ils permettraient de retrouver ces cases."
        )
    else:
        shown = readings.results_table(pd.DataFrame([result.as_row()]), ctx.k)
        st.table(shown.drop(columns=["Comparaison", "p ajusté (Holm)", "p ajusté (BH)"]).set_index("Méthode"))
    if result.note:
        st.caption(result.note)


def render() -> None:
    ctx = current()
    st.title(heading(__file__))
    st.caption(ui.filter_note(ctx))
    ui.stop_if_too_few(ctx)
    variables = {v.key: v for v in queries.cross_variables(ctx.path)}
    keys = list(variables)
    row_default, col_default = default_pair(ctx, keys)
    left, right, mode_col = st.columns([2, 2, 2])
    row_key = left.selectbox(
        "En lignes", keys, index=keys.index(row_default), format_func=lambda k: variables[k].label, key="cross_row"
    )
    col_key = right.selectbox(
        "En colonnes", keys, index=keys.index(col_default), format_func=lambda k: variables[k].label, key="cross_col"
    )
    st.query_params.update({ROW_PARAM: row_key, COL_PARAM: col_key})
    mode = mode_col.radio(
        "Pourcentages", list(display.PERCENT_MODES), format_func=lambda m: display.PERCENT_MODES[m].capitalize(),
        horizontal=True, key="cross_percent",
    )
    if row_key == col_key:
        st.warning("Choisissez deux questions différentes.")
        return
    row, col = variables[row_key], variables[col_key]
    table = display.cross_table(queries.crosstab(ctx.path, ctx.filter, row, col), ctx.k)
    shown = display.cross_display(table, mode, row.label)
    result = contingency.analyse(table.counts)
    st.subheader(f"{row.label} × {col.label}")
    st.table(shown.style.apply(lambda _: styles(shown, table, result.residuals), axis=None))
    st.caption(
        f"Cellules : effectif (pourcentage {display.PERCENT_MODES[mode]}). Fond bleu : plus de répondant·e·s que "
        "si les deux questions étaient indépendantes ; rouge : moins (résidu standardisé ajusté au-delà de ±1,96, "
        "plus foncé à mesure que l'écart grandit). Seul·e·s les répondant·e·s qui ont répondu aux deux questions "
        "sont comptés. "
        + (ui.hidden_note(ctx.k) if table.any_hidden else "")
    )
    independence_section(ctx, table, result)
    notes = [f"{row.label} × {col.label}", ui.filter_note(ctx), ui.hidden_note(ctx.k)]
    ui.downloads(display.cross_export(table, row.label, col.label), f"croisement_{ui.slug(row_key + '_x_' + col_key)}",
                 notes, key="crosstab")


render()
