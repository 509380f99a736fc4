"""The app's pages: script (relative to ``app/main.py``), menu title, URL path and heading."""

from __future__ import annotations

from typing import NamedTuple


class PageSpec(NamedTuple):
    script: str
    title: str
    url_path: str
    heading: str


PAGES = (
    PageSpec("views/overview.py", "Vue d'ensemble", "vue-d-ensemble", "Vue d'ensemble"),
    PageSpec("views/tables.py", "Tableaux", "tableaux", "Tableaux du rapport"),
    PageSpec("views/figures.py", "Figures", "figures", "Figures du rapport"),
    PageSpec("views/crosstabs.py", "Croisements", "croisements", "Croisements"),
    PageSpec("views/evolution.py", "Évolution", "evolution", "Évolution entre vagues"),
    PageSpec("views/tests.py", "Tests", "tests", "Tests statistiques"),
)


def heading(view_file: str) -> str:
    """The heading of the page whose script is ``view_file`` (a view passes its ``__file__``)."""
    name = view_file.replace("\\", "/").rsplit("/", 1)[-1]
    return next(p.heading for p in PAGES if p.script.endswith("/" + name))
