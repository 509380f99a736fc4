"""What every page needs from the main script: settings, the sidebar's filter and its population.

``app/main.py`` builds it once per run (after the sidebar) and the page
scripts read it back; it lives in the session state because Streamlit runs
each session in its own thread and the page scripts are not imported modules.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from app.filters import RespondentFilter
from app.settings import Settings

_KEY = "_page_context"


@dataclass(frozen=True)
class PageContext:
    settings: Settings
    filter: RespondentFilter
    population: int

    @property
    def path(self) -> Path:
        return self.settings.warehouse

    @property
    def k(self) -> int:
        return self.settings.min_cell

    @property
    def too_few(self) -> bool:
        """The whole selection is a small group: no page may describe it."""
        return 0 < self.population < self.k


def set_current(ctx: PageContext) -> None:
    st.session_state[_KEY] = ctx


def current() -> PageContext:
    return st.session_state[_KEY]
