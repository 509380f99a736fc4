"""Tests: the stats stage's significance tests and the report's claims, filterable, read in plain French.

The tables are computed by ``make build`` on each whole wave; the sidebar's
wave applies, the other filters do not (the page says so). Without a
``stats`` schema the page explains why instead of failing.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import fmt, queries, readings, stats_tables, ui, withholding
from app.context import PageContext, current
from app.navigation import heading


def _yes_no(value: object) -> str:
    if value is None or pd.isna(value):
        return fmt.MISSING
    return "oui" if bool(value) else "non"


def variable_names(ctx: PageContext) -> dict[str, str]:
    """Labels of the stats stage's variable names: questions, and ``question__item`` for boxes and batteries, as
    the selected wave asked them."""
    qs = queries.questions(ctx.path, ctx.filter.wave)
    names = dict(zip(qs["question_code"], qs["label_fr"], strict=True))
    its = queries.items(ctx.path, ctx.filter.wave)
    for item in its.itertuples():
        names[f"{item.question_code}__{item.item_code}"] = f"{names[item.question_code]} : {item.label_fr}"
    return names


def as_asked(tests: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """The tests with their outcome and grouping named as the selected wave asked them (the stats stage names a
    variable by the codebook's label, the same in every wave: Pôle emploi, which 2024 asked as France Travail).
    A test the stage left unnamed (a regression term, read through its variables) stays so."""
    out = tests.copy()
    for code, label in (("outcome", "outcome_label"), ("grouping", "grouping_label")):
        if code in out and label in out:
            named = out[label].notna()
            out.loc[named, label] = out.loc[named, code].map(names).fillna(out.loc[named, label])
    return out


def claims_section(ctx: PageContext, withheld: set[str]) -> None:
    st.subheader("Les affirmations du rapport")
    if not stats_tables.available(ctx.path, "report_claims"):
        st.info("La table stats.report_claims n'est pas encore dans l'entrepôt.")
        return
    claims = stats_tables.claims(ctx.path, ctx.filter.wave)
    if claims.empty:
        st.info(f"Aucune affirmation vérifiée pour la vague {ctx.filter.wave}.")
        return
    hidden = claims["comparison_id"].isin(withheld).to_numpy()
    checked = claims[~hidden]
    holds = int(checked["holds"].fillna(False).astype(bool).sum())
    st.markdown(
        f"**{holds} affirmation(s) sur {len(checked)}** se vérifient au seuil de 5 % après correction de Holm"
        + (f" ; {int(hidden.sum())} ne sont pas affichées (secret statistique)." if hidden.any() else ".")
    )

    def cell(values: pd.Series, render) -> list[str]:
        return [readings.WITHHELD if h else render(v) for v, h in zip(values, hidden, strict=True)]

    shown = pd.DataFrame(
        {
            "Référence": claims["report_ref"],
            "Affirmation": [
                withholding.without_figures(text) if h else text
                for text, h in zip(claims["claim_fr"], hidden, strict=True)
            ],
            "Méthode": [readings.method_fr(m) for m in claims["method"]],
            "p": cell(claims["p_value"], fmt.p_value),
            "p ajusté (Holm)": cell(claims["p_holm"], fmt.p_value),
            "Significatif": cell(claims["significant"], _yes_no),
            "Se vérifie": cell(claims["holds"], _yes_no),
        }
    )
    st.table(shown.set_index("Référence"))
    if hidden.any():
        st.caption(readings.withheld_note(ctx.k) + " L'affirmation est alors citée sans ses chiffres.")


#: Columns of the tests table (the download has them all, Benjamini-Hochberg's p included).
GRID_COLUMNS = ("Comparaison", "Méthode", "Statistique", "p", "p ajusté (Holm)", "Taille d'effet", "Lecture")
#: Rows per page of the tests table: a static table wraps long names, so every column stays readable.
PAGE_SIZE = 50


def tests_section(ctx: PageContext, tests: pd.DataFrame, withheld: set[str]) -> None:
    st.subheader("Tous les tests")
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
        tests = tests[(tests["p_holm"] < readings.ALPHA) & ~tests["comparison_id"].isin(withheld)]
    st.caption(
        f"{len(tests)} test(s). p ajustés pour tests multiples au sein de chaque famille (Holm ; Benjamini-Hochberg "
        "dans le fichier téléchargé). Les tailles d'effet sont qualifiées selon les conventions usuelles (Cohen ; "
        "Vargha et Delaney)."
    )
    if tests.empty:  # a search or a filter that matches nothing: say so, there is no table to page through
        st.info("Aucun test ne correspond à ces critères.")
        return
    table = readings.results_table(tests, withheld)
    if "family" in tests:
        table.insert(0, "Famille", [family(f) for f in tests["family"]])
    pages = max(1, -(-len(table) // PAGE_SIZE))
    if pages > 1:
        number = st.number_input(f"Page (sur {pages})", min_value=1, max_value=pages, value=1, key="tests_page")
        start = (int(number) - 1) * PAGE_SIZE
    else:
        start = 0
    st.table(table[list(GRID_COLUMNS)].iloc[start : start + PAGE_SIZE].set_index("Comparaison"))
    if withheld & set(tests["comparison_id"]):
        st.caption(readings.withheld_note(ctx.k))
    ui.downloads(table, "tests", [ui.filter_note(ctx), readings.withheld_note(ctx.k)], key="tests")


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
    tests = as_asked(stats_tables.tests(ctx.path, ctx.filter.wave), variable_names(ctx))
    with st.spinner(ui.COMPUTING):  # the group sizes of every test, from one reading of the wave
        withheld = withholding.withheld_comparisons(ctx.path, ctx.filter.wave, tests, ctx.policy)
    claims_section(ctx, withheld)
    tests_section(ctx, tests, withheld)


render()
