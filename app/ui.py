"""Page pieces every page repeats: notes on suppression and filters, downloads, empty-selection messages."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from app import exports, fmt
from app.context import PageContext

#: What a page shows while it computes (a spinner), wherever that may take more than half a second.
COMPUTING = "Calcul en cours…"


def hidden_note(k: int) -> str:
    return f"« {fmt.HIDDEN} » : valeur masquée (secret statistique : groupe de moins de {k} personnes)."


#: What every page that prints counts or means says about the disclosure policy (app.disclosure).
PERTURBATION_NOTE = (
    "Effectifs arrondis à un multiple de 5 (arrondi aléatoire par clé de cellule, identique à chaque "
    "affichage) : les totaux peuvent différer de la somme des lignes. Moyennes, médianes et écarts types "
    "légèrement perturbés ; pourcentages calculés sur les effectifs arrondis."
)


def who(ctx: PageContext) -> str:
    """The selection's size in words: exact for the whole wave, « environ » for a filtered selection."""
    shown = ctx.shown_population
    if shown is None:
        return f"moins de {ctx.k} répondant·e·s"
    return f"{'environ ' if ctx.filter.is_subset else ''}{fmt.count(shown)} répondant·e·s"


def filter_note(ctx: PageContext) -> str:
    """What the figures of the page describe, in words."""
    scope = "sélection filtrée" if ctx.filter.is_subset else "ensemble des répondant·e·s"
    return f"Vague {ctx.filter.wave} — {scope} : {who(ctx)}."


def stop_if_too_few(ctx: PageContext) -> None:
    """A selection smaller than k shows nothing at all (its every figure describes a small group)."""
    if ctx.too_few:
        st.warning(
            f"La sélection compte moins de {ctx.k} répondant·e·s : aucun résultat n'est affiché "
            "(secret statistique). Élargissez les filtres dans la barre latérale."
        )
        st.stop()
    if ctx.population == 0:
        st.info("Aucun·e répondant·e ne correspond aux filtres choisis.")
        st.stop()


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def downloads(frame: pd.DataFrame, name: str, notes: Sequence[str], key: str) -> None:
    """CSV and XLSX buttons; the XLSX is built only on click."""
    left, right, _ = st.columns([1, 1, 4])
    left.download_button(
        "Télécharger (CSV)", exports.csv_bytes(frame), file_name=f"{name}.csv", mime="text/csv", key=f"csv_{key}"
    )
    right.download_button(
        "Télécharger (XLSX)",
        functools.partial(exports.xlsx_bytes, frame, name, list(notes)),
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx_{key}",
    )
