"""Tests: the stats stage's significance tests and the report's claims, filterable, read in plain French.

The tables are computed by ``make build`` on each whole wave; the sidebar's
wave applies, the other filters do not (the page says so). Without a
``stats`` schema the page explains why instead of failing.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import fmt, queries, readings, stats_tables, ui
from app.context import PageContext, current
from app.navigation import heading


def _yes_no(value: object) -> str:
    if value is None or pd.isna(value):
        return fmt.MISSING
    return "oui" if bool(value) else "non"


def variable_names(ctx: PageContext) -> dict[str, str]:
    """Labels of the stats stage's variable names: questions, and ``question__item`` for boxes and batteries."""
    qs = queries.questions(ctx.path)
    names = dict(zip(qs["question_code"], qs["label_fr"], strict=True))
    its = queries.items(ctx.path)
    for item in its.itertuples():
        names[f"{item.question_code}__{item.item_code}"] = f"{names[item.question_code]} : {item.label_fr}"
    return names


def claims_section(ctx: PageContext) -> None:
    st.subheader("Les affirmations du rapport")
    if not stats_tables.available(ctx.path, "report_claims"):
        st.info("La table stats.report_claims n'est pas encore dans l'entrepôt.")
        return
    claims = stats_tables.claims(ctx.path, ctx.filter.wave)
    if claims.empty:
        st.info(f"Aucune affirmation vérifiée pour la vague {ctx.filter.wave}.")
        return
    holds = int(claims["holds"].fillna(False).astype(bool).sum()) if "holds" in claims else 0
    st.markdown(f"**{holds} affirmation(s) sur {len(claims)}** se vérifient au seuil de 5 % après correction de Holm.")
    shown = pd.DataFrame(
        {
            "Référence": claims.get("report_ref"),
            "Affirmation": claims.get("claim_fr"),
            "Méthode": [readings.method_fr(m) for m in claims.get("method", [])],
            "p": [fmt.p_value(p) for p in claims.get("p_value", [])],
            "p ajusté (Holm)": [fmt.p_value(p) for p in claims.get("p_holm", [])],
            "Significatif": [_yes_no(v) for v in claims.get("significant", [])],
            "Se vérifie": [_yes_no(v) for v in claims.get("holds", [])],
        }
    )
    st.table(shown.set_index("Référence"))


def tests_section(ctx: PageContext) -> None:
    st.subheader("Tous les tests")
    tests = stats_tables.tests(ctx.path, ctx.filter.wave)
    families = sorted(tests["family"].dropna().unique()) if "family" in tests else []
    left, middle, right = st.columns([3, 3, 2])
    names = variable_names(ctx)

    def family(code: str) -> str:
        return readings.sentence_case(readings.family_label(code, names))

    chosen = left.multiselect(
        "Familles de tests", families, format_func=family, key="tests_families", placeholder="Toutes"
    )
    search = middle.text_input("Rechercher une variable", key="tests_search", placeholder="ex. : mairie, CAF, poste")
    primary_only = right.checkbox("Méthode principale seulement", value=True, key="tests_primary")
    significant_only = right.checkbox("Significatifs après correction", key="tests_significant")
    if chosen:
        tests = tests[tests["family"].isin(chosen)]
    if search:
        text = tests[[c for c in ("variables", "outcome_label", "grouping_label") if c in tests]].astype(str)
        tests = tests[text.apply(lambda col: col.str.contains(search, case=False, regex=False)).any(axis=1)]
    if primary_only and "is_primary" in tests:
        tests = tests[tests["is_primary"].fillna(False).astype(bool)]
    if significant_only and "p_holm" in tests:
        tests = tests[tests["p_holm"] < readings.ALPHA]
    st.caption(
        f"{len(tests)} test(s). p ajustés pour tests multiples au sein de chaque famille (Holm ; Benjamini-Hochberg). "
        "Les tailles d'effet sont qualifiées selon les conventions usuelles (Cohen ; Vargha et Delaney)."
    )
    table = readings.results_table(tests, ctx.k)
    if "family" in tests:
        table.insert(0, "Famille", [family(f) for f in tests["family"]])
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height=520,
        column_config={
            "Famille": st.column_config.TextColumn(width="medium"),
            "Comparaison": st.column_config.TextColumn(width="large"),
            "Lecture": st.column_config.TextColumn(width="large"),
        },
    )
    ui.downloads(table, "tests", [ui.filter_note(ctx)], key="tests")


def render() -> None:
    ctx = current()
    st.title(heading(__file__))
    if not stats_tables.available(ctx.path):
        st.warning(
            "Les résultats des tests ne sont pas encore dans cet entrepôt : la table stats.tests est écrite par "
            "l'étape statistique de « make build ». Reconstruisez l'entrepôt une fois cette étape installée."
        )
        return
    st.caption(
        f"Vague {ctx.filter.wave}, ensemble des répondant·e·s : les tests sont calculés par la chaîne sur toute la "
        "vague, les filtres de département, de poste et de lieu ne s'y appliquent pas (voir Croisements pour un "
        "test sur la sélection)."
    )
    claims_section(ctx)
    tests_section(ctx)


render()
