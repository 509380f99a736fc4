"""Figures: figures 1–6 of the report redrawn from the selection, each with its test beneath.

Figures 1 and 3–6 are the report's group comparisons (``report.report_comparisons``);
figure 2 is the distribution of the number behind table 8, in classes so that
no bar describes fewer than k people. Hidden groups are not drawn; the data
table under each chart says which. Questions and labels are the selected wave's:
a figure whose questions that wave did not ask says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from app import charts, display, fmt, queries, readings, stats_tables, ui, withholding
from app.codebook import comparison_groupings
from app.context import PageContext, current
from app.distribution import CLASS, RESPONDENTS, binned
from app.navigation import heading
from app.perturbation import combine
from app.queries import Request
from app.scans import distribution_question, figures_request


def value_key(question: str, item: str) -> str:
    """The stats stage's name of a value: the question for a lone number, ``question__item`` for a battery."""
    return question if item == question else f"{question}__{item}"


def tests_beneath(ctx: PageContext, comparisons: dict[str, str]) -> None:
    """The stats stage's primary test of each comparison drawn (comparison id → short label)."""
    if not stats_tables.available(ctx.path):
        st.info(
            "Résultats des tests non disponibles : l'entrepôt n'a pas encore de table stats.tests "
            "(elle est écrite par l'étape statistique de « make build »)."
        )
        return
    found = stats_tables.primary_tests(ctx.path, ctx.filter.wave, list(comparisons))
    if found.empty:
        st.info("Aucun test enregistré pour cette figure dans stats.tests.")
        return
    scope = " (calculés sur toute la vague : les filtres ne s'y appliquent pas)" if ctx.filter.is_subset else ""
    st.markdown(f"**Test{'s' if len(found) > 1 else ''}{scope}**")
    withheld = withholding.withheld_comparisons(ctx.path, ctx.filter.wave, found, ctx.policy)
    st.table(readings.compact_table(found, comparisons, withheld).set_index("Comparaison"))
    if withheld:
        st.caption(readings.withheld_note(ctx.k))
    st.caption(
        "p ajusté : correction de Holm au sein de la famille de tests ; détail et lecture de chaque test "
        "dans la page Tests."
    )


def _data_table(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    hidden = frame["hidden"].to_numpy(dtype=bool)
    out = frame[list(columns)].rename(columns=columns).astype(object)
    out["n"] = [fmt.shown(fmt.count(v), h) for v, h in zip(frame["n"], hidden, strict=True)]
    out["Moyenne"] = [fmt.shown(fmt.number(v, 2), h) for v, h in zip(frame["mean"], hidden, strict=True)]
    out["Médiane"] = [fmt.shown(fmt.number(v, 1, strip=True), h) for v, h in zip(frame["median"], hidden, strict=True)]
    out["Écart type"] = [fmt.shown(fmt.number(v, 2), h) for v, h in zip(frame["sd"], hidden, strict=True)]
    return out


def comparison_figure(ctx: PageContext, comp: pd.Series, questions: pd.DataFrame, groups: pd.DataFrame) -> None:
    figure = str(comp["report_figure"])
    st.subheader(f"Figure {figure[1:]} — {comp['title_fr']}")
    groups = display.shown_magnitudes(groups, ctx.policy)
    labels = questions.set_index("question_code")["label_fr"]
    value_label = labels[comp["value_question"]]
    single_grouping = questions.set_index("question_code").loc[comp["group_question"], "type"] == "single"
    visible = groups[~groups["hidden"]].assign(Texte=lambda t: t["mean"].map(lambda v: fmt.number(v, 2)))
    x_title = f"{value_label} (moyenne)"
    if single_grouping:
        chart = charts.hbar(visible, "group_label", "mean", "Texte", x_title)
        columns = {"group_label": labels[comp["group_question"]]}
    elif groups["item_code"].nunique() > 1:
        place = groups["group_item_label"].iloc[0] if len(groups) else ""
        chart = charts.grouped_hbar(
            visible, "item_label", "group_label", "mean", "Texte", x_title, f"Intervient en « {place} »"
        )
        columns = {"item_label": value_label, "group_label": f"Intervient en « {place} »"}
    else:
        chart = charts.grouped_hbar(
            visible, "group_item_label", "group_label", "mean", "Texte", x_title, "Intervient dans ce lieu"
        )
        columns = {"group_item_label": labels[comp["group_question"]], "group_label": "Intervient dans ce lieu"}
    if visible.empty:
        st.warning("Aucun groupe assez grand pour être représenté dans la sélection.")
    else:
        st.altair_chart(charts.unchecked(chart), width="stretch")
    if groups["hidden"].any():
        st.caption(f"{int(groups['hidden'].sum())} groupe(s) non représenté(s). " + ui.hidden_note(ctx.k))
    st.caption(ui.PERTURBATION_NOTE)
    with st.expander("Données de la figure"):
        st.table(_data_table(groups, columns).set_index(list(columns.values())))
    vq, gq = comp["value_question"], comp["group_question"]
    if single_grouping:
        ids = {f"k_groups:{value_key(vq, vq)}:{gq}": f"{value_label} selon {labels[gq].lower()}"}
    else:
        pairs = groups[["item_code", "item_label", "group_item", "group_item_label"]].drop_duplicates()
        varying = "item_label" if groups["item_code"].nunique() > 1 else "group_item_label"
        ids = {
            f"two_groups:{value_key(vq, p.item_code)}:{gq}__{p.group_item}": getattr(p, varying)
            for p in pairs.itertuples(index=False)
        }
    tests_beneath(ctx, ids)


def not_asked(ctx: PageContext, figure: str, title: str) -> None:
    st.subheader(f"Figure {figure[1:]} — {title}")
    st.info(f"Question non posée en {ctx.filter.wave}.")


def distribution_figure(ctx: PageContext, questions: pd.DataFrame, scan: Request) -> None:
    number = distribution_question(questions)
    if number is None:
        not_asked(ctx, "F2", "Distribution")
        return
    q = questions.set_index("question_code").loc[number]
    st.subheader(f"Figure 2 — Distribution : {q['label_fr']}")
    st.markdown(f"*Q. : {q['wording_fr']}*")
    classes = binned(queries.value_counts(ctx.path, ctx.filter, number, within=scan))
    shown, hidden = ctx.policy.counts(classes[RESPONDENTS], classes["ckey"])
    total = ctx.policy.count(int(classes[RESPONDENTS].sum()), combine(*classes["ckey"]))
    labels = [fmt.shown(fmt.count(v), h) for v, h in zip(shown, hidden, strict=True)]
    # Hidden classes keep their place on the axis, with « s » instead of a bar: no class disappears silently.
    drawn = classes[[CLASS]].assign(**{RESPONDENTS: np.nan_to_num(shown), "Texte": labels})
    if hidden.all():
        st.warning("Aucune classe assez grande pour être représentée dans la sélection.")
    else:
        st.altair_chart(
            charts.unchecked(charts.histogram(drawn, CLASS, RESPONDENTS, "Texte", q["label_fr"], RESPONDENTS)),
            width="stretch",
        )
    st.caption(
        f"n = {fmt.shown(fmt.count(total), total is None)} ; valeurs regroupées en classes. "
        + (f"{int(np.sum(hidden))} classe(s) masquée(s). {ui.hidden_note(ctx.k)} " if hidden.any() else "")
        + ui.PERTURBATION_NOTE
    )
    with st.expander("Données de la figure"):
        st.table(classes[[CLASS]].assign(**{RESPONDENTS: labels}).set_index(CLASS))
    st.caption("Pas de test pour cette figure : elle décrit une distribution (voir le tableau 8 et la figure 3).")


def render() -> None:
    ctx = current()
    st.title(heading(__file__))
    st.caption(ui.filter_note(ctx))
    ui.stop_if_too_few(ctx)
    questions = queries.questions(ctx.path, ctx.filter.wave)
    comparisons = queries.report_comparisons(ctx.path).set_index("report_figure", drop=False)
    asked = set(queries.report_comparisons(ctx.path, ctx.filter.wave)["report_figure"])
    figures = sorted([*comparisons.index, "F2"], key=lambda f: int(f[1:]))
    scan = figures_request(ctx.path, ctx.filter.wave)
    drawn = [figure for figure in comparisons.index if figure in asked]
    with st.spinner(ui.COMPUTING):  # every figure from one reading of the selection
        queries.prefetch(ctx.path, ctx.filter, scan)
        groups = dict(zip(drawn, queries.group_means_of(
            ctx.path, ctx.filter, comparison_groupings(comparisons.loc[drawn]), within=scan
        ), strict=True))
    for figure in figures:
        with st.container(border=True):
            if figure == "F2":
                distribution_figure(ctx, questions, scan)
            elif figure in asked:
                comparison_figure(ctx, comparisons.loc[figure], questions, groups[figure])
            else:
                not_asked(ctx, figure, comparisons.loc[figure, "title_fr"])


render()
