"""Évolution: every report table and figure in two waves side by side, with the difference and its test.

The reader picks the two waves on the page (the sidebar's wave does not
apply); the sidebar's other filters do, to each wave's values. Values go
through the disclosure policy of every other page (:mod:`app.evolution`),
differences are those of the shown values, and the test of each difference
comes from the stats stage, on whole waves, withheld like any other test
(:mod:`app.evolution_display`). A warehouse with one wave says there is
nothing to compare.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import charts, evolution, fmt, queries, readings, ui
from app import evolution_display as show
from app.context import PageContext, current
from app.evolution import Comparison
from app.navigation import heading

FIRST_KEY, SECOND_KEY = "evolution_wave_1", "evolution_wave_2"

EXPLANATION = (
    "Chaque tableau et chaque figure du rapport, pour deux vagues de l'enquête côte à côte. Les vagues sont des "
    "**échantillons indépendants** : les répondant·e·s ne sont pas suivi·e·s d'une vague à l'autre, on compare "
    "deux populations de médiateur·rice·s, pas le parcours de personnes. Les lignes sont rapprochées par les "
    "**codes** du questionnaire, jamais par leurs libellés : une réponse renommée (Pôle emploi, devenu France "
    "Travail) reste une seule ligne, avec ses deux libellés.\n\n"
    "Chaque différence entre deux chiffres publiés dans le rapport est testée sur les vagues entières : **khi-deux** "
    "(ou **test exact de Fisher** quand un effectif attendu est petit) pour une part, **t de Welch** pour une "
    "moyenne ; les valeurs de p sont ajustées par la méthode de **Holm** au sein de chaque tableau (et de chaque "
    "paire de vagues). Les écarts sont calculés sur les valeurs affichées (effectifs arrondis, moyennes "
    "perturbées) : ils n'en disent pas plus qu'elles."
)
SIDEBAR_NOTE = (
    "Le choix de vague de la barre latérale ne s'applique pas à cette page : les deux vagues comparées se "
    "choisissent ci-dessus. Les filtres de département, de poste et de lieu s'appliquent aux valeurs des deux vagues."
)
FILTERED_TESTS = "Tests calculés sur les vagues entières : les filtres ne s'y appliquent pas."


def pick_waves(waves: list[str]) -> tuple[str, str] | None:
    """The two waves to compare (default: the two latest), earlier first; None if the reader chose one twice."""
    left, right, _ = st.columns([2, 2, 3])
    first = left.selectbox("Première vague", waves, index=len(waves) - 2, key=FIRST_KEY)
    second = right.selectbox("Seconde vague", waves, index=len(waves) - 1, key=SECOND_KEY)
    if first == second:
        st.info("Choisissez deux vagues différentes.")
        return None
    return evolution.ordered(waves, str(first), str(second))


def selection_note(ctx: PageContext, waves: tuple[str, str]) -> str | None:
    """The size of each wave's selection in words (exact for whole waves, rounded for a filtered one); None
    and a message on the page when a wave's selection is too small to show anything."""
    sizes = []
    for wave in waves:
        f = evolution.wave_filter(ctx.filter, wave)
        n, key = queries.population(ctx.path, f)
        if 0 < n < ctx.k:
            st.warning(
                f"En {wave}, la sélection compte moins de {ctx.k} répondant·e·s : aucun résultat n'est affiché "
                "(secret statistique). Élargissez les filtres dans la barre latérale."
            )
            return None
        if n == 0:
            st.info(f"Aucun·e répondant·e de la vague {wave} ne correspond aux filtres choisis.")
            return None
        shown = ctx.policy.count(n, key) if ctx.filter.is_subset else n
        sizes.append(f"{'environ ' if ctx.filter.is_subset else ''}{fmt.count(shown)} en {wave}")
    scope = "sélection filtrée" if ctx.filter.is_subset else "ensemble des répondant·e·s"
    return f"Vagues {waves[0]} et {waves[1]} — {scope} : {' ; '.join(sizes)}."


def section(ctx: PageContext, c: Comparison, tests: pd.DataFrame | None, withheld: frozenset[str], scope: str,
            selection: str, key: str) -> None:
    """One table or figure: its two waves' values, the differences and their tests, a chart and downloads
    (``scope`` says what the tests are computed on, ``selection`` what the values describe)."""
    kind = "Tableau" if c.section_id.startswith("T") else "Figure"
    title = f"{kind} {c.number} — {c.title}"
    st.subheader(title)
    if c.wording:
        st.markdown(f"*Q. : {c.wording}*")
    w1, w2 = c.waves
    if not any(c.asked):
        st.info(f"Question non posée en {w1} ni en {w2}.")
        return
    if not all(c.asked):
        missing, other = (w1, w2) if not c.asked[0] else (w2, w1)
        st.info(f"Question non posée en {missing} : seules les valeurs de {other} sont affichées.")
    columns = show.test_columns(c, tests, withheld)
    st.table(show.shown_table(c, columns))
    drawn = show.chart_frame(c)
    if not drawn.empty:
        st.altair_chart(charts.unchecked(show.wave_bars(drawn, c.waves, show.x_title(c))), width="stretch")
    spread = show.spread_table(c)
    if spread is not None:
        with st.expander("Médianes et écarts types (non testés)"):
            st.table(spread)
    bases = " ; ".join(
        f"{w} : {fmt.MISSING if not asked else fmt.shown(fmt.count(b), b is None)}"
        for w, b, asked in zip(c.waves, c.bases, c.asked, strict=True)
    )
    notes = [*c.notes]
    if (columns[show.P_HOLM] != fmt.MISSING).any():  # a test shown or withheld
        notes.append(scope)
    if (columns[show.TEST] == show.NO_TEST).any():
        notes.append(show.no_test_note(c))
    notes.append(ui.PERTURBATION_NOTE)
    if c.kind == evolution.SHARE:
        notes.insert(0, f"n = {bases}")
    withheld_here = show.withheld_in(c, withheld)
    st.caption(" — ".join(notes) + (" " + readings.withheld_note(ctx.k) if withheld_here else ""))
    export_notes = [title, *([f"Question : {c.wording}"] if c.wording else []), *notes, selection,
                    ui.hidden_note(ctx.k)]
    if withheld_here:
        export_notes.append(readings.withheld_note(ctx.k))
    name = f"evolution_{kind.lower()}_{c.number:02d}_{w1}_{w2}"
    ui.downloads(show.export_table(c, columns), name, export_notes, key=key)


def render() -> None:
    ctx = current()
    st.title(heading(__file__))
    st.markdown(EXPLANATION)
    waves = queries.waves(ctx.path)
    if len(waves) < 2:
        only = f" ({waves[0]})" if waves else ""
        st.info(f"Une seule vague{only} : rien à comparer. Cette page met deux vagues côte à côte dès que l'entrepôt "
                "en contient deux.")
        return
    pair = pick_waves(waves)
    if pair is None:
        return
    st.caption(SIDEBAR_NOTE)
    note = selection_note(ctx, pair)
    if note is None:
        return
    st.caption(f"{note} {ui.hidden_note(ctx.k)}")
    tests = show.wave_tests(ctx.path, pair)
    if tests is None:
        st.warning(
            "Les tests des différences entre vagues ne sont pas dans cet entrepôt : la table stats.tests est écrite "
            "par l'étape statistique de « make build ». Reconstruisez l'entrepôt pour les afficher."
        )
    if ctx.filter.is_subset:
        st.info(FILTERED_TESTS)
    scope = (
        "tests calculés sur les vagues entières : les filtres ne s'y appliquent pas" if ctx.filter.is_subset
        else "tests sur les vagues entières ; p ajusté : Holm au sein du tableau"
    )
    with st.spinner(ui.COMPUTING):  # both waves' selections read, and their tests checked
        comparisons = evolution.compare(ctx.path, ctx.filter, pair, ctx.policy)
        withheld = show.withheld_tests(ctx.path, comparisons, tests, ctx.policy)
    for group, prefix in (("Tableaux du rapport", "T"), ("Figures du rapport", "F")):
        st.header(group)
        for i, c in enumerate(comparisons):
            if c.section_id.startswith(prefix):
                with st.container(border=True):
                    section(ctx, c, tests, withheld, scope, note, key=f"evolution_{i}")


render()
