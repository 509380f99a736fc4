"""The sidebar: the filters every page is recomputed with, and the size of the selection.

Options come from the warehouse's codebook (départements, post titles,
places), so a questionnaire change needs no change here.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import fmt, queries
from app.context import PageContext
from app.filters import DEPARTMENT_QUESTION, PLACE_QUESTION, POST_TITLE_QUESTION, RespondentFilter
from app.settings import Settings


def _options(frame: pd.DataFrame, code: str, label: str) -> dict[str, str]:
    return dict(zip(frame[code], frame[label], strict=True))


def render_filters(settings: Settings) -> RespondentFilter:
    path = settings.warehouse
    labels = queries.questions(path).set_index("question_code")["label_fr"]
    choices = queries.choices(path)
    choices = choices[choices["is_target"].fillna(True).astype(bool)]
    items = queries.items(path)
    departments = _options(choices[choices["question_code"] == DEPARTMENT_QUESTION], "choice_code", "label_fr")
    posts = _options(choices[choices["question_code"] == POST_TITLE_QUESTION], "choice_code", "label_fr")
    places = _options(items[items["question_code"] == PLACE_QUESTION], "item_code", "label_fr")
    waves = queries.waves(path)

    bar = st.sidebar
    bar.header("Filtres")
    wave = bar.selectbox("Vague d'enquête", waves, index=len(waves) - 1, key="filter_wave")
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
    return RespondentFilter(str(wave), tuple(chosen_departments), tuple(chosen_posts), tuple(chosen_places))


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
