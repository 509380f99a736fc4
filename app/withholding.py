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
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import streamlit as st

from app import queries
from app.db import FileVersion, run_version
from app.disclosure import Policy
from app.filters import RespondentFilter
from app.queries import Request

#: ``C(post_title, Treatment(reference='A1'))[T.A2]``: a level of a categorical control in a regression.
_CATEGORICAL_TERM = re.compile(r"C\((?P<question>\w+),.*\)\[T\.(?P<code>[^\]]+)\]")


def _term_question(term: str) -> tuple[str, str] | None:
    """(question, box or category code) of a regression dummy (a box ``place__mairie`` or a category level)."""
    question, sep, item = term.partition("__")
    match = _CATEGORICAL_TERM.fullmatch(term)
    if match:
        return match["question"], match["code"]
    return (question, item) if sep else None  # a number (years of practice): no group


def _terms(test: dict, comparison_ids: list[str]) -> list[str]:
    """The dummies of a regression test (a term, or a model's terms: the comparisons named after it)."""
    kind, comparison_id = str(test.get("kind") or ""), str(test["comparison_id"])
    if kind == "regression_term":
        return [comparison_id.split(":", 3)[-1]]
    if kind.startswith("regression"):
        return [c[len(comparison_id) + 1 :] for c in comparison_ids if c.startswith(comparison_id + ":")]
    return []


@dataclass
class _WaveSizes:
    """Sizes of the cross-tabs and dummies the tests of a whole wave rest on, all read at once: one scan of the
    wave (:mod:`app.wide`), one statement for every cross-tab and one for every dummy's question."""

    path: Path
    wave: str
    comparison_ids: list[str]
    crosstab_sizes: dict[str, list[int]] = field(default_factory=dict)
    freq: pd.DataFrame = field(default_factory=pd.DataFrame)

    def read(self, tests: list[dict]) -> None:
        whole = RespondentFilter(self.wave)
        crosstab_ids = list(dict.fromkeys(str(t["comparison_id"]) for t in tests if t.get("kind") == "crosstab"))
        variables = {v.key: v for v in queries.cross_variables(self.path, self.wave)} if crosstab_ids else {}
        pairs = {}
        for comparison_id in crosstab_ids:
            _kind, row_key, col_key = comparison_id.split(":")[:3]
            if row_key in variables and col_key in variables:
                pairs[comparison_id] = (variables[row_key], variables[col_key])
        terms = [_term_question(term) for t in tests for term in _terms(t, self.comparison_ids)]
        questions = sorted({found[0] for found in terms if found})
        scan = Request.of(
            questions=questions,
            pairs=[(r.variable, c.variable) for r, c in pairs.values()],
        )
        if scan == Request():  # most tests carry their group sizes: nothing to read
            return
        queries.prefetch(self.path, whole, scan)
        for comparison_id, cells in zip(pairs, queries.crosstabs(self.path, whole, list(pairs.values()), scan),
                                        strict=True):
            margins = [cells.groupby(side)["count"].sum() for side in ("row_code", "col_code")]
            self.crosstab_sizes[comparison_id] = [*cells["count"], *margins[0], *margins[1]]
        if questions:
            self.freq = queries.frequencies(self.path, whole, questions, within=scan)

    def dummy(self, term: str) -> list[int]:
        """Respondents at 1 and at 0 of a regression dummy (a box ``place__mairie`` or a category level)."""
        found = _term_question(term)
        if found is None or self.freq.empty:
            return []
        question, code = found
        row = self.freq[(self.freq["question_code"] == question) & (self.freq["item_code"] == code)]
        if row.empty:
            return []
        count, base = int(row["count"].iloc[0]), int(row["base_n"].iloc[0])
        return [count, base - count]

    def of(self, test: dict) -> list[int] | None:
        """The sizes the test's statistics rest on; None when they cannot be read (the test is then withheld)."""
        kind = str(test.get("kind") or "")
        if kind == "crosstab":
            return self.crosstab_sizes.get(str(test["comparison_id"]))
        sizes = [int(test[c]) for c in ("group1_n", "group2_n") if c in test and not pd.isna(test[c])]
        stats = test.get("group_stats")
        if isinstance(stats, str) and stats:
            sizes += [int(g["n"]) for g in json.loads(stats) if g.get("n") is not None]
        for term in _terms(test, self.comparison_ids):
            sizes += self.dummy(term)
        return sizes


def withheld_comparisons(path: Path, wave: str, tests: pd.DataFrame, policy: Policy) -> set[str]:
    """Comparison ids among ``tests`` (rows of ``stats.tests``) whose table or groups have a group below k."""
    return set(_withheld(str(path), run_version(path), wave, policy.k, tests))


@st.cache_data(max_entries=64, show_spinner=False)
def _withheld(path_text: str, version: FileVersion, wave: str, k: int, tests: pd.DataFrame) -> frozenset[str]:
    """Cached per warehouse ``version`` (in the key): the page asks on every run, and it reads many tables."""
    policy = Policy(k)
    named = tests[tests["comparison_id"].notna()]
    records = named.to_dict("records")
    sizes = _WaveSizes(Path(path_text), wave, named["comparison_id"].astype(str).unique().tolist())
    sizes.read(records)
    small: set[str] = set()
    for test in records:
        found = sizes.of(test)
        # fail closed: a table whose cells the app cannot count (a variable it does not cross) is withheld
        if found is None or any(policy.is_small(n) for n in found):
            small.add(str(test["comparison_id"]))
    return frozenset(small)


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
