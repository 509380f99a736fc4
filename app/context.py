"""What every page needs from the main script: settings, the sidebar's filter and its population.

``app/main.py`` builds it once per run (after the sidebar) and the page
scripts read it back; it lives in the session state because Streamlit runs
each session in its own thread and the page scripts are not imported modules.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from app.disclosure import Policy
from app.filters import RespondentFilter
from app.settings import Settings

_KEY = "_page_context"


@dataclass(frozen=True)
class PageContext:
    settings: Settings
    filter: RespondentFilter
    population: int
    #: Cell key of the selection (app.perturbation): the sidebar's count is rounded with it.
    population_key: int = 0

    @property
    def path(self) -> Path:
        return self.settings.warehouse

    @property
    def k(self) -> int:
        return self.settings.min_cell

    @property
    def policy(self) -> Policy:
        return Policy(self.k)

    @property
    def shown_population(self) -> int | None:
        """The selection's size as pages print it: exact for the whole wave (the published sample size),
        rounded for a filtered selection, None below k."""
        if not self.filter.is_subset:
            return None if self.policy.is_small(self.population) else self.population
        return self.policy.count(self.population, self.population_key)

    @property
    def too_few(self) -> bool:
        """The whole selection is a small group: no page may describe it."""
        return 0 < self.population < self.k


def set_current(ctx: PageContext) -> None:
    st.session_state[_KEY] = ctx


def current() -> PageContext:
    return st.session_state[_KEY]
