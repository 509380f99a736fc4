"""What each page reads from a selection, as one scan request (:class:`app.wide.Request`) per page.

A page passes its request as ``within`` to every query it makes, so its respondents are read once, whatever
it shows; a query outside the request still works (it scans again). The lists come from the codebook and the
report's tables of cross-tabs and comparisons, as the wave asked them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from app import precomputed
from app.codebook import (
    comparison_groupings,
    cross_variables,
    questions,
    report_comparisons,
    report_crosstabs,
    waves,
)
from app.db import FileVersion, query, run_version
from app.filters import RespondentFilter
from app.queries import DISTRIBUTION_TABLE
from app.wide import SLOTS, Request, scan

#: A numbered table of the report (``T1``); the codebook also ties questions to figures (``F1``) and the text (``TXT``).
TABLE_ID = r"T\d+"


def report_tables(qs: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """(``T1``, its questions) for every numbered table of the codebook, in the report's order."""
    numbered = qs[qs["report_table"].fillna("").str.fullmatch(TABLE_ID)]
    ids = sorted(numbered["report_table"].unique(), key=lambda t: int(t[1:]))
    return [(t, numbered[numbered["report_table"] == t]) for t in ids]


def distribution_question(qs: pd.DataFrame) -> str | None:
    """Figure 2's number question among ``qs`` (None: not asked)."""
    numbers = qs[(qs["report_table"] == DISTRIBUTION_TABLE) & (qs["type"] == "number")]
    return None if numbers.empty else str(numbers.iloc[0]["question_code"])


def _tables(path: Path, wave: str) -> Request:
    """Tables 1–13 as ``wave`` asked them: their questions and the report's cross-tabs among them."""
    numbered = {code for _, qs in report_tables(questions(path)) for code in qs["question_code"]}
    asked = [code for code in questions(path, wave)["question_code"] if code in numbered]
    variables = {v.key: v.variable for v in cross_variables(path, wave)}
    pairs = report_crosstabs(path, wave)
    pairs = pairs[pairs["report_figure"].fillna("").str.fullmatch(TABLE_ID)]
    return Request.of(
        questions=asked, pairs=[(variables[p.row_question], variables[p.col_question]) for p in pairs.itertuples()]
    )


def _figures(path: Path, wave: str) -> Request:
    """Figures 1–6 as ``wave`` asked them: the report's group comparisons and figure 2's distribution."""
    comparisons = report_comparisons(path, wave)
    number = distribution_question(questions(path, wave))
    return Request.of(
        questions=[number] if number else [],
        groupings=comparison_groupings(comparisons),
    )


#: The section of the codebook the Vue d'ensemble page profiles.
PROFILE_SECTION = "profil"


def profile_questions(path: Path, wave: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The profile's single and multiple choices, and its numbers, as ``wave`` asked them (Vue d'ensemble)."""
    qs = questions(path, wave)
    profile = qs[qs["section"] == PROFILE_SECTION]
    return profile[profile["type"].isin(["single", "multi"])], profile[profile["type"] == "number"]


def _overview(path: Path, wave: str) -> Request:
    """The Vue d'ensemble page's profile of the respondents."""
    choice_questions, numbers = profile_questions(path, wave)
    return Request.of(questions=[*choice_questions["question_code"], *numbers["question_code"]])


_PAGES = {"tables": _tables, "figures": _figures, "overview": _overview}


@st.cache_data(max_entries=128, show_spinner=False)
def _request(path: str, version: FileVersion, wave: str, page: str) -> Request:
    return _PAGES[page](Path(path), wave)


def tables_request(path: Path, wave: str) -> Request:
    """What the Tableaux page reads (:func:`_tables`), built once per build and wave: pages ask on every run."""
    return _request(str(path), run_version(path), wave, "tables")


def figures_request(path: Path, wave: str) -> Request:
    """What the Figures page reads (:func:`_figures`), built once per build and wave."""
    return _request(str(path), run_version(path), wave, "figures")


def overview_request(path: Path, wave: str) -> Request:
    """What the Vue d'ensemble page reads (:func:`_overview`), built once per build and wave."""
    return _request(str(path), run_version(path), wave, "overview")


def report_request(path: Path, wave: str) -> Request:
    """Every table and figure of the report (the Évolution page's, per wave)."""
    return tables_request(path, wave) | figures_request(path, wave)


def page_requests(path: Path, wave: str) -> dict[str, Request]:
    """Each page's scan of ``wave`` (the Évolution page's is the report's): those the build precomputes."""
    return {
        "overview": overview_request(path, wave), "tables": tables_request(path, wave),
        "figures": figures_request(path, wave), "evolution": report_request(path, wave),
    }


def whole_wave_scans(path: Path) -> pd.DataFrame:
    """Every page's scan of every whole wave of the warehouse at ``path``, with its key (:mod:`app.precomputed`):
    what the build stores in ``app_cache.whole_wave_scans``."""
    frames = []
    for wave in waves(path):
        for page, request in page_requests(path, wave).items():
            sql, params = scan(path, RespondentFilter(wave), request, live=True)
            rows = query(path, sql, params)
            frames.append(rows.assign(wave=wave, page=page, scan_key=precomputed.key(sql, params)))
    columns = ["wave", "page", "scan_key", "set_name", *(slot for slot, _ in SLOTS), "n", "ckey"]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)
