"""What the attacker sees: every count and mean the pages show, per selection, with the true set behind it.

The pages' own query layer and table builders (app.queries, app.display) give
the shown numbers; the microdata, read here from the warehouse's long tables
as bitsets of respondents, give the exact group each number describes (the
test's answer key, which no reader has).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from app import display, queries
from app.codebook import comparison_groupings
from app.disclosure import Policy
from app.filters import DEPARTMENT_QUESTION, PLACE_QUESTION, POST_TITLE_QUESTION, RespondentFilter
from app.wide import Request


@dataclass(frozen=True)
class Count:
    """One shown count: what it describes (``what``), the true respondent set, the shown value and its slack."""

    what: str
    selection: int
    members: int  # bitset of respondents
    shown: int | None  # None: « s »
    slack: int
    #: Partitions this count is a part of (a single choice's answers, a cross-tab's row or column line).
    partitions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Magnitude:
    """One shown mean: the variable, the true respondent set, shown n and mean, and how far each may be off."""

    variable: str
    selection: int
    members: int
    n: int | None
    n_slack: int
    mean: float | None
    mean_bound: float


@dataclass
class Microdata:
    """The wave's respondents as bitsets, from the warehouse's long tables (the attacker's answer key)."""

    ids: list[str]
    departments: dict[str, int] = field(default_factory=dict)
    posts: dict[str, int] = field(default_factory=dict)
    places: dict[str, int] = field(default_factory=dict)
    values: dict[str, dict[int, float]] = field(default_factory=dict)

    @property
    def everyone(self) -> int:
        return (1 << len(self.ids)) - 1

    def selection(self, f: RespondentFilter) -> int:
        mask = self.everyone
        for chosen, groups in ((f.departments, self.departments), (f.post_titles, self.posts), (f.places, self.places)):
            if chosen:
                mask &= union(groups.get(code, 0) for code in chosen)
        return mask


def union(masks: Iterator[int] | list[int]) -> int:
    out = 0
    for m in masks:
        out |= m
    return out


def load_microdata(con: duckdb.DuckDBPyConnection, wave: str) -> Microdata:
    ids = [r[0] for r in con.execute(
        "select respondent_id from marts.respondents where wave = $w order by respondent_id", {"w": wave}
    ).fetchall()]
    index = {rid: i for i, rid in enumerate(ids)}
    data = Microdata(ids)
    for rid, dep, post in con.execute(
        f"select respondent_id, {DEPARTMENT_QUESTION}, {POST_TITLE_QUESTION} from marts.respondents where wave = $w",
        {"w": wave},
    ).fetchall():
        if dep is not None:
            data.departments[dep] = data.departments.get(dep, 0) | 1 << index[rid]
        if post is not None:
            data.posts[post] = data.posts.get(post, 0) | 1 << index[rid]
    for rid, item in con.execute(
        "select respondent_id, item_code from marts.answers"
        " where wave = $w and question_code = $q and answer_code = 'Y'",
        {"w": wave, "q": PLACE_QUESTION},
    ).fetchall():
        data.places[item] = data.places.get(item, 0) | 1 << index[rid]
    for rid, question, item, value in con.execute(
        "select respondent_id, question_code, item_code, value from marts.answers"
        " where wave = $w and question_type in ('scale', 'number') and value is not null",
        {"w": wave},
    ).fetchall():
        data.values.setdefault(f"{question}:{item}", {})[index[rid]] = float(value)
    return data


def selections(path: Path, wave: str) -> list[RespondentFilter]:
    """The whole wave, every single filter value and every pair of filter values (the sidebar's choices that wave)."""
    choices = queries.choices(path, wave)
    items = queries.items(path, wave)
    values = [("departments", c) for c in choices[choices["question_code"] == DEPARTMENT_QUESTION]["choice_code"]]
    values += [
        ("post_titles", c)
        for c in choices[(choices["question_code"] == POST_TITLE_QUESTION) & choices["is_target"].fillna(True)][
            "choice_code"
        ]
    ]
    values += [("places", c) for c in items[items["question_code"] == PLACE_QUESTION]["item_code"]]
    out = [RespondentFilter(wave)]
    for size in (1, 2):
        for combo in itertools.combinations(values, size):
            chosen: dict[str, tuple[str, ...]] = defaultdict(tuple)
            for criterion, code in combo:
                chosen[criterion] += (str(code),)
            out.append(RespondentFilter(wave, **chosen))
    return out


# --- what the pages show, with the true set behind each number ---------------------------------------------


def _answer_masks(con: duckdb.DuckDBPyConnection, wave: str, data: Microdata) -> dict[tuple[str, str], int]:
    """(question, answer code) → respondents; (question, item) of a box → who ticked it; (question, '') → base."""
    index = {rid: i for i, rid in enumerate(data.ids)}
    masks: dict[tuple[str, str], int] = defaultdict(int)
    for rid, question, code in con.execute(
        "select respondent_id, question_code, answer_code from marts.answers"
        " where wave = $w and question_type = 'single' and answer_code is not null",
        {"w": wave},
    ).fetchall():
        masks[(question, code)] |= 1 << index[rid]
        masks[(question, "")] |= 1 << index[rid]
    for rid, question, item, ticked in con.execute(
        "select respondent_id, question_code, item_code, answer_code = 'Y' from marts.answers"
        " where wave = $w and question_type = 'multi'",
        {"w": wave},
    ).fetchall():
        if ticked:
            masks[(question, item)] |= 1 << index[rid]
    mandatory = set(con.execute("select question_code from codebook.codebook_questions where mandatory").df()[
        "question_code"])
    for rid, question in con.execute(
        "select respondent_id, question_code from marts.answers where wave = $w and question_type = 'multi'"
        " group by all having bool_or(answer_code = 'Y') or list_contains($m, question_code)",
        {"w": wave, "m": sorted(mandatory)},
    ).fetchall():
        masks[(question, "")] |= 1 << index[rid]
    return masks


def observe(
    path: Path, con: duckdb.DuckDBPyConnection, policy: Policy, wave: str
) -> tuple[list[Count], list[Magnitude], list[RespondentFilter], Microdata]:
    """Every count and mean the Tableaux, Figures and Croisements pages and the sidebar show, per selection, for
    the questions ``wave`` asked (the pages show no other)."""
    data = load_microdata(con, wave)
    masks = _answer_masks(con, wave, data)
    qs = queries.questions(path, wave)
    choice_qs = qs[qs["type"].isin(["single", "multi"])]["question_code"].tolist()
    value_qs = qs[qs["type"].isin(["scale", "number"])]["question_code"].tolist()
    variables = {v.key: v for v in queries.cross_variables(path, wave)}
    pairs = queries.report_crosstabs(path, wave)
    comparisons = queries.report_comparisons(path, wave)
    crossed = [(variables[p.row_question], variables[p.col_question]) for p in pairs.itertuples()]
    groupings = comparison_groupings(comparisons)
    # Each selection read once for its answers, once for its cross-tabs and once for its group comparisons, as
    # the pages read theirs (app.scans): the same numbers as each query alone (tests/test_app_wide_queries.py),
    # in two thirds of the time (at the sample's size a scan costs its planning, which grows faster than its sets).
    answers = Request.of(questions=[*choice_qs, *value_qs])
    crossings = Request.of(pairs=[(r.variable, c.variable) for r, c in crossed])
    comparing = Request.of(groupings=groupings)
    counts: list[Count] = []
    mags: list[Magnitude] = []
    chosen = selections(path, wave)
    slack = policy.rounding_slack()
    for s, f in enumerate(chosen):
        sel = data.selection(f)
        n, key = queries.population(path, f)
        if f.is_subset:
            counts.append(Count("population", s, sel, policy.count(n, key), slack))
        else:
            counts.append(Count("population", s, sel, n, 0))  # the published sample size
        if 0 < n < policy.k:
            continue  # the pages show nothing else
        freq = queries.frequencies(path, f, choice_qs, within=answers)
        for question, rows in freq.groupby("question_code", sort=False):
            rows = rows[rows["item_kind"].isin(["choice", "item"])].sort_values("item_position")
            multi = rows["question_type"].iloc[0] == "multi"
            table = display.frequency_table(rows, policy, with_total=not multi, with_not_ticked=multi)
            base_mask = sel & masks[(question, "")]
            for code, shown_count, shown_not in zip(
                rows["item_code"], table.export["Effectif"], table.export.get("Non : effectif", rows["item_code"]),
                strict=False,
            ):
                cell = sel & masks[(question, code)]
                partitions = () if multi else (str(question),)
                counts.append(Count(f"{question}={code}", s, cell, _value(shown_count), slack, partitions))
                if multi:
                    counts.append(Count(f"{question}!={code}", s, base_mask & ~cell, _value(shown_not), slack))
            counts.append(Count(f"{question}:base", s, base_mask, table.base, slack))
        raw = queries.scale_summaries(path, f, value_qs, within=answers)
        summaries = display.shown_magnitudes(raw, policy)
        for shown, true in zip(summaries.itertuples(), raw.itertuples(), strict=True):
            variable = f"{shown.question_code}:{shown.item_code}"
            members = sel & union(1 << i for i in data.values.get(variable, {}))
            mags.append(_magnitude(variable, s, members, shown, true, policy, slack))
            counts.append(Count(f"{variable}:n", s, members, _value(shown.n), slack))
        for (row, col), cells in zip(crossed, queries.crosstabs(path, f, crossed, within=crossings), strict=True):
            table = display.cross_table(cells, policy)
            row_codes = dict(zip(cells["row_label"], cells["row_code"], strict=False))
            col_codes = dict(zip(cells["col_label"], cells["col_code"], strict=False))
            for r_label, c_label in itertools.product(table.shown.index, table.shown.columns):
                r_mask = masks[(row.question_code, "")] if r_label == display.TOTAL else _code_mask(
                    masks, row, row_codes[r_label])
                c_mask = masks[(col.question_code, "")] if c_label == display.TOTAL else _code_mask(
                    masks, col, col_codes[c_label])
                hidden = bool(table.hidden.loc[r_label, c_label])
                value = None if hidden else int(table.shown.loc[r_label, c_label])
                inner = display.TOTAL not in (r_label, c_label)
                lines = (f"{row.key}×{col.key}:row:{r_label}", f"{row.key}×{col.key}:col:{c_label}") if inner else ()
                what = f"{row.key}×{col.key}:{r_label}|{c_label}"
                counts.append(Count(what, s, sel & r_mask & c_mask, value, slack, lines))
        all_groups = queries.group_means_of(path, f, groupings, within=comparing)
        for comp, raw_groups in zip(comparisons.itertuples(), all_groups, strict=True):
            shown_groups = display.shown_magnitudes(raw_groups, policy)
            for shown, true in zip(shown_groups.itertuples(), raw_groups.itertuples(), strict=True):
                variable = f"{comp.value_question}:{shown.item_code}"
                if shown.group_item is None or pd.isna(shown.group_item):
                    group = masks[(comp.group_question, shown.group_code)]
                else:
                    ticked = masks[(comp.group_question, shown.group_item)]
                    group = ticked if shown.group_code == "Y" else data.everyone & ~ticked
                members = sel & group & union(1 << i for i in data.values.get(variable, {}))
                mags.append(_magnitude(variable, s, members, shown, true, policy, slack))
    return counts, mags, chosen, data


def _code_mask(masks: dict[tuple[str, str], int], variable: queries.CrossVariable, code: str) -> int:
    if variable.item_code is None:
        return masks[(variable.question_code, code)]
    ticked = masks[(variable.question_code, variable.item_code)]
    return ticked if code == "Y" else masks[(variable.question_code, "")] & ~ticked


def _value(shown: object) -> int | None:
    return None if shown is None or isinstance(shown, str) or pd.isna(shown) else int(shown)


def _magnitude(variable: str, s: int, members: int, shown, true, policy: Policy, slack: int) -> Magnitude:
    n_true = int(true.n)
    hidden = bool(shown.hidden)
    return Magnitude(
        variable, s, members,
        None if hidden else _value(shown.n), slack,
        None if hidden else float(shown.mean),
        policy.noise_bound(n_true, true.wave_sd),
    )
