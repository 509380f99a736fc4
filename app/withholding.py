"""Which of the stats stage's tests and claims the app may print: none that rests on a group below k.

A test statistic is an exact function of the table or groups it was computed
on. With the margins printed elsewhere, one χ² or one odds ratio is often
enough to rebuild a 2×2 table whose cells the pages hide (the report's table
3: χ² = 35,08 and margins 111 / 67 / 155 / 23 leave one table, with a cell of
1). So a test is withheld, whole (statistic, p-values, effect size, reading),
as soon as any cell of its cross-tab, any of its groups or any level of a
dummy in its regression describes 1 to k − 1 respondents of the wave.

Group sizes come from the stats stage's own columns (``group1_n``,
``group2_n``, ``group_stats``) and, for cross-tabs and regression dummies,
from the same query layer the pages use, on the whole wave.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import streamlit as st

from app import queries
from app.db import FileVersion, run_version
from app.disclosure import Policy
from app.filters import RespondentFilter

#: ``C(post_title, Treatment(reference='A1'))[T.A2]``: a level of a categorical control in a regression.
_CATEGORICAL_TERM = re.compile(r"C\((?P<question>\w+),.*\)\[T\.(?P<code>[^\]]+)\]")


def _crosstab_sizes(path: Path, wave: str, comparison_id: str) -> list[int]:
    _kind, row_key, col_key = comparison_id.split(":")[:3]
    variables = {v.key: v for v in queries.cross_variables(path, wave)}
    if row_key not in variables or col_key not in variables:
        return []
    cells = queries.crosstab(path, RespondentFilter(wave), variables[row_key], variables[col_key])
    wide = cells.pivot_table(index="row_code", columns="col_code", values="count", aggfunc="sum")
    return [*wide.to_numpy().ravel(), *wide.sum(axis=0), *wide.sum(axis=1)]


def _variable_sizes(path: Path, wave: str, term: str) -> list[int]:
    """Respondents at 1 and at 0 of a regression dummy (a box ``place__mairie`` or a category level)."""
    question, sep, item = term.partition("__")
    match = _CATEGORICAL_TERM.fullmatch(term)
    if match:
        question, code = match["question"], match["code"]
    elif not sep:
        return []  # a number (years of practice): no group
    freq = queries.frequencies(path, RespondentFilter(wave), [question])
    if freq.empty:
        return []
    row = freq[freq["item_code"] == (code if match else item)]
    if row.empty:
        return []
    count, base = int(row["count"].iloc[0]), int(row["base_n"].iloc[0])
    return [count, base - count]


def _group_sizes(path: Path, wave: str, test: dict, comparison_ids: list[str]) -> list[int]:
    kind = str(test.get("kind") or "")
    if kind == "crosstab":
        return _crosstab_sizes(path, wave, str(test["comparison_id"]))
    sizes = [int(test[c]) for c in ("group1_n", "group2_n") if c in test and not pd.isna(test[c])]
    stats = test.get("group_stats")
    if isinstance(stats, str) and stats:
        sizes += [int(g["n"]) for g in json.loads(stats) if g.get("n") is not None]
    if kind.startswith("regression"):
        comparison_id = str(test["comparison_id"])
        if kind == "regression_term":
            terms = [comparison_id.split(":", 3)[-1]]
        else:  # a model: its terms are the comparisons named after it
            terms = [c[len(comparison_id) + 1 :] for c in comparison_ids if c.startswith(comparison_id + ":")]
        for term in terms:
            sizes += _variable_sizes(path, wave, term)
    return sizes


def withheld_comparisons(path: Path, wave: str, tests: pd.DataFrame, policy: Policy) -> set[str]:
    """Comparison ids among ``tests`` (rows of ``stats.tests``) whose table or groups have a group below k."""
    return set(_withheld(str(path), run_version(path), wave, policy.k, tests))


@st.cache_data(max_entries=64, show_spinner=False)
def _withheld(path_text: str, version: FileVersion, wave: str, k: int, tests: pd.DataFrame) -> frozenset[str]:
    """Cached per warehouse ``version`` (in the key): the page asks on every run, and it reads many tables."""
    path, policy = Path(path_text), Policy(k)
    out: set[str] = set()
    ids = tests["comparison_id"].dropna().astype(str).unique().tolist()
    for comparison_id, rows in tests.groupby("comparison_id", sort=False):
        sizes: list[int] = []
        for test in rows.to_dict("records"):
            sizes += _group_sizes(path, wave, test, ids)
        if any(policy.is_small(n) for n in sizes):
            out.add(str(comparison_id))
    return frozenset(out)


def without_figures(claim: str) -> str:
    """The report's wording of a claim without its counts, for a claim whose test is withheld.

    Figures sit in a parenthesis (``(110 sur 111, contre 45 sur 67)``) or in one side of a colon
    (``… besoins : 61 % des répondant·e·s…``); the side without a figure is the claim itself.
    """
    text = re.sub(r"\s*\([^)]*\d[^)]*\)", "", claim).strip()
    if not re.search(r"\d", text):
        return text
    sides = [s.strip() for s in re.split(r"\s:\s", text)]
    plain = [s for s in sides if not re.search(r"\d", s)]
    if not plain:
        return ""
    sentence = " : ".join(plain).rstrip(".") + "."
    return sentence[:1].upper() + sentence[1:]
