"""Entry point of the app (``make app``): settings, navigation, sidebar filters, then the chosen page.

Every page reads the published warehouse read-only through :mod:`app.db`;
the run's connection is closed when the page is done, so ``make build`` can
replace the file at any time.
"""

from __future__ import annotations

import os
import sys

import duckdb
import streamlit as st

from app import db, queries, sidebar
from app.context import PageContext, set_current
from app.navigation import PAGES
from app.settings import Settings, SettingsError, load


def _settings() -> Settings:
    try:
        settings = load(sys.argv[1:], os.environ)
    except SettingsError as exc:
        st.error(str(exc))
        st.stop()
    try:
        db.file_version(settings.warehouse)
    except db.WarehouseMissing:
        st.error(
            f"Aucun entrepôt publié à {settings.warehouse}. Construisez-le avec « make build » "
            "(ou indiquez son chemin : make app WAREHOUSE=chemin/vers/survey.duckdb)."
        )
        st.stop()
    return settings


#: The URL path of the default page as Streamlit registers it; readers reach it at ``/`` or at its own path.
HOME_PATH = "accueil"


def _pages() -> list[st.Page]:
    """The menu's pages; the first is served at ``/``, and a hidden twin keeps its own address (``/vue-d-ensemble``)
    working, since Streamlit serves a default page only at the root and answers its path with "Page not found"."""
    first, *rest = PAGES
    return [
        st.Page(first.script, title=first.title, url_path=HOME_PATH, default=True),
        *(st.Page(p.script, title=p.title, url_path=p.url_path) for p in rest),
        st.Page(first.script, title=first.title, url_path=first.url_path, visibility="hidden"),
    ]


def main() -> None:
    st.set_page_config(page_title="Médiation numérique en Bretagne — enquête", layout="wide")
    settings = _settings()
    navigation = st.navigation(_pages())
    try:
        db.pin_run(settings.warehouse)  # one build for the whole run, whatever a rebuild publishes meanwhile
        chosen = sidebar.render_filters(settings)
        ctx = PageContext(settings, chosen, *queries.population(settings.warehouse, chosen))
        set_current(ctx)
        sidebar.render_selection(ctx)
        navigation.run()
    except duckdb.Error as exc:
        st.error(
            f"L'entrepôt {settings.warehouse} ne peut pas être lu ({type(exc).__name__}) : il vient peut-être "
            "d'une ancienne version de la chaîne. Reconstruisez-le avec « make build »."
        )
        st.caption(str(exc).splitlines()[0])
    finally:
        db.close_run_connection()


# Streamlit runs this file as __main__; a process spawned by multiprocessing imports it as __mp_main__ and must
# not run the app (Python's "safe importing of main module" rule).
if __name__ == "__main__":
    main()
