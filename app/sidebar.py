"""The sidebar: the filters every page is recomputed with, and the size of the selection.

Options come from the warehouse's codebook as the chosen wave asked it
(départements, post titles, places, with that wave's labels), so a
questionnaire change needs no change here.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import fmt, queries
from app.context import PageContext
from app.filters import DEPARTMENT_QUESTION, PLACE_QUESTION, POST_TITLE_QUESTION, WAVE_PARAM, RespondentFilter
from app.settings import Settings


def _options(frame: pd.DataFrame, code: str, label: str) -> dict[str, str]:
    return dict(zip(frame[code], frame[label], strict=True))


def render_filters(settings: Settings) -> RespondentFilter:
    path = settings.warehouse
    waves = queries.waves(path)

    bar = st.sidebar
    bar.header("Filtres")
    named = st.query_params.get(WAVE_PARAM)  # a shared address's wave; else the latest
    index = waves.index(named) if named in waves else len(waves) - 1
    wave = str(bar.selectbox("Vague d'enquête", waves, index=index, key="filter_wave"))
    # the filters' names as the wave asked them (the codebook's, should a wave not ask one)
    labels = {
        **queries.questions(path).set_index("question_code")["label_fr"].to_dict(),
        **queries.questions(path, wave).set_index("question_code")["label_fr"].to_dict(),
    }
    choices = queries.choices(path, wave)
    choices = choices[choices["is_target"].fillna(True).astype(bool)]
    items = queries.items(path, wave)
    departments = _options(choices[choices["question_code"] == DEPARTMENT_QUESTION], "choice_code", "label_fr")
    posts = _options(choices[choices["question_code"] == POST_TITLE_QUESTION], "choice_code", "label_fr")
    places = _options(items[items["question_code"] == PLACE_QUESTION], "item_code", "label_fr")
    # Codes are stable across waves: a choice carries over to another wave; one that wave did not offer is
    # dropped by the widget itself.
    chosen_departments = bar.multiselect(
        labels[DEPARTMENT_QUESTION], list(departments), format_func=departments.get, key="filter_departments",
        placeholder="Tous",
    )
    chosen_posts = bar.multiselect(
        labels[POST_TITLE_QUESTION], list(posts), format_func=posts.get, key="filter_post_titles", placeholder="Tous"
    )
    chosen_places = bar.multiselect(
        labels[PLACE_QUESTION], list(places), format_func=places.get, key="filter_places", placeholder="Tous",
        help="Les répondant·e·s qui interviennent dans au moins un des lieux choisis.",
    )
    return RespondentFilter(wave, tuple(chosen_departments), tuple(chosen_posts), tuple(chosen_places))


def render_selection(ctx: PageContext) -> None:
    bar = st.sidebar
    if ctx.too_few:
        bar.warning(f"Sélection : moins de {ctx.k} répondant·e·s.")
    elif ctx.filter.is_subset:
        bar.metric("Répondant·e·s sélectionné·e·s (arrondi à 5)", f"≈ {fmt.count(ctx.shown_population)}")
    else:
        bar.metric("Répondant·e·s de la vague", fmt.count(ctx.population))
    bar.caption(
        f"Secret statistique : aucun effectif, pourcentage ou moyenne n'est affiché pour un groupe de moins de "
        f"{ctx.k} personnes ; les effectifs sont arrondis à 5 et les moyennes légèrement perturbées, pour que "
        "la comparaison de deux sélections ne révèle personne. Les tableaux, figures et croisements sont "
        "recalculés sur la sélection."
    )
