"""What each page reads from a selection, as one scan request (:class:`app.wide.Request`) per page.

A page passes its request as ``within`` to every query it makes, so its respondents are read once, whatever
it shows; a query outside the request still works (it scans again). The lists come from the codebook and the
report's tables of cross-tabs and comparisons, as the wave asked them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from app.codebook import comparison_groupings, cross_variables, questions, report_comparisons, report_crosstabs
from app.db import FileVersion, run_version
from app.queries import DISTRIBUTION_TABLE
from app.wide import Request

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


_PAGES = {"tables": _tables, "figures": _figures}


@st.cache_data(max_entries=128, show_spinner=False)
def _request(path: str, version: FileVersion, wave: str, page: str) -> Request:
    return _PAGES[page](Path(path), wave)


def tables_request(path: Path, wave: str) -> Request:
    """What the Tableaux page reads (:func:`_tables`), built once per build and wave: pages ask on every run."""
    return _request(str(path), run_version(path), wave, "tables")


def figures_request(path: Path, wave: str) -> Request:
    """What the Figures page reads (:func:`_figures`), built once per build and wave."""
    return _request(str(path), run_version(path), wave, "figures")


def report_request(path: Path, wave: str) -> Request:
    """Every table and figure of the report (the Évolution page's, per wave)."""
    return tables_request(path, wave) | figures_request(path, wave)
