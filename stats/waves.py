"""Wave differences: every report figure of a later wave against each earlier wave (family ``wave_difference``).

``report.figures`` names each figure by codes (``item_key``), the same in
every wave whatever its label that wave, so a figure of one wave meets its
counterpart in another on (figure, question, item_key), never on labels. Each
pair of waves (earlier, later, in fieldwork order) and each figure asked in
both gets one comparison, tested by the rules the other comparisons follow:

* a count or a percentage is the share of the figure's base (those asked who
  answered; the table total for a cross-tab cell): the 2 × 2 table wave ×
  (in the share, not) is tested as any cross-tab is (:func:`stats.crosstab.independence`:
  χ², or Fisher's exact test when an expected count is below 5); the count and
  the percentage of one answer are one comparison;
* a mean or a median (1–10 scales, numbers, group means) compares the answers
  of the two waves as any two groups are compared (:func:`stats.groups.two_groups`:
  Welch's t primary, Student's t and Mann–Whitney's U beside it); a standard
  deviation has no test of its own (``report.wave_comparison`` leaves it untested).

The waves are independent samples: respondents are not followed from one wave
to the next (every row says so). Holm and Benjamini–Hochberg run within each
report table and pair of waves (family ``wave_difference:<table>``, see
:mod:`stats.multitest`).
"""

from __future__ import annotations

import itertools

import duckdb
import numpy as np
import pandas as pd

import codebook
from stats import data
from stats.compute import make_row
from stats.counts import Counts
from stats.crosstab import independence
from stats.groups import two_groups
from stats.plan import Var, variables
from stats.results import WAVE_DIFFERENCE, TestRow, as_json, wave_difference_id

KIND = WAVE_DIFFERENCE
FIGURES = "report.figures"
SHARES = ("count", "percent")
LOCATIONS = ("mean", "median")
INDEPENDENT = "échantillons indépendants : les répondant·e·s ne sont pas suivi·e·s d'une vague à l'autre"


def wave_pairs(waves: list[str]) -> list[tuple[str, str]]:
    """(earlier, later) for every two waves with respondents, in fieldwork order (:func:`codebook.wave_key`)."""
    return list(itertools.combinations(sorted(waves, key=lambda w: (codebook.wave_key(w), w)), 2))


def figure_rows(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The figures a difference can be tested on: shares with a base, means and medians with their column."""
    data.require(con, FIGURES, ["figure_id", "question", "item_key", "item", "statistic", "wave", "value", "n",
                                "value_variable", "group_variable", "group_code"])
    return con.execute(
        f"""SELECT figure_id, question, item_key, item, statistic, wave, value, n, value_variable, group_variable,
            group_code
        FROM {FIGURES}
        WHERE (statistic IN {SHARES} AND n > 0) OR (statistic IN {LOCATIONS} AND value_variable IS NOT NULL)"""
    ).df()


def _share_count(rows: pd.DataFrame) -> tuple[int, int] | None:
    """(count, base) of one wave's figure: the count where the report gives it, else from the percentage."""
    base = int(rows["n"].iloc[0])
    counts = rows[rows["statistic"] == "count"]
    if not counts.empty:
        return int(round(counts["value"].iloc[0])), base
    percent = rows[rows["statistic"] == "percent"]
    if percent.empty:
        return None
    return int(round(percent["value"].iloc[0] * base / 100)), base


def _values(con: duckdb.DuckDBPyConnection, wave: str, row: pd.Series, by_name: dict[str, Var]) -> Counts:
    """The value counts a mean or median of ``row`` summarises in ``wave`` (those asked, in the group if any)."""
    outcome = by_name[row["value_variable"]]
    where = [data.KEPT, "wave = ?", data.asked_condition(outcome), f"{data.ident(outcome.name)} IS NOT NULL"]
    params: list = [wave]
    group = row["group_variable"]
    if isinstance(group, str) and group:
        if by_name[group].kind == "box":
            where.append(f"coalesce({data.ident(group)}, false) = ?")
            params.append(row["group_code"] == "Y")
        else:
            where.append(f"{data.ident(group)} = ?")
            params.append(row["group_code"])
    found = con.execute(
        f"SELECT CAST({data.ident(outcome.name)} AS DOUBLE) AS y, count(*) AS n FROM {data.WIDE} "
        f"WHERE {' AND '.join(where)} GROUP BY ALL",
        params,
    ).fetchnumpy()
    return Counts.tally(np.asarray(found["y"], dtype=float), np.asarray(found["n"], dtype=np.int64))


def _context(figure_id: str, question: str, label: str, baseline: str, later: str) -> dict:
    return dict(
        family=f"{KIND}:{figure_id}",
        kind=KIND,
        baseline_wave=baseline,
        variables=f"{figure_id} — {label} : {baseline} → {later}",
        outcome=question,
        outcome_label=label,
        grouping="wave",
        grouping_label="Vague d'enquête",
        groups=as_json([later, baseline]),
        n_missing=0,
        notes=[INDEPENDENT],
    )


def _share_rows(later: str, baseline: str, cid: str, context: dict, shares: dict[str, tuple[int, int]]) -> list:
    labels = {later: later, baseline: baseline}
    table = np.array([[c, n - c] for c, n in (shares[later], shares[baseline])], dtype=np.int64)
    res = independence(table, [later, baseline], ["in", "out"], labels, {"in": "dans la part", "out": "hors"})
    (c_b, n_b), (c_a, n_a) = shares[later], shares[baseline]
    fields = context | dict(
        n=n_a + n_b,
        group1_label=later,
        group1_n=n_b,
        group2_label=baseline,
        group2_n=n_a,
        group_stats=as_json(
            [
                {"label": f"{later} : dans la part", "n": c_b},
                {"label": f"{later} : hors de la part", "n": n_b - c_b},
                {"label": f"{baseline} : dans la part", "n": c_a},
                {"label": f"{baseline} : hors de la part", "n": n_a - c_a},
            ]
        ),
        estimate_name="share_difference_points",
        estimate=100 * (c_b / n_b - c_a / n_a),
        notes=context["notes"] + res.notes,
    )
    fields["direction"] = "higher" if fields["estimate"] > 0 else "lower" if fields["estimate"] < 0 else "equal"
    results = res.rows()
    return [make_row(later, cid, r, **fields) for r in results]


def compute_differences(con: duckdb.DuckDBPyConnection, waves: list[str], cb: codebook.Codebook) -> list[TestRow]:
    """Every figure asked in both waves of every pair, tested (see the module docstring)."""
    pairs = wave_pairs(waves)
    if not pairs:
        return []
    by_name = {v.name: v for q in cb.questions for v in variables(q)}
    figures = figure_rows(con)
    rows: list[TestRow] = []
    counted: dict[tuple, Counts] = {}

    def values(wave: str, row: pd.Series) -> Counts:
        """A wave's values of a figure, read once however many pairs the wave is in."""
        key = (wave, *(None if pd.isna(row[c]) else row[c] for c in ("value_variable", "group_variable", "group_code")))
        if key not in counted:
            counted[key] = _values(con, wave, row, by_name)
        return counted[key]

    for baseline, later in pairs:
        pair = figures[figures["wave"].isin([baseline, later])]
        for (figure_id, question, item_key), found in pair.groupby(["figure_id", "question", "item_key"], sort=True):
            if set(found["wave"]) != {baseline, later}:
                continue  # asked in one wave only: report.wave_comparison says so, nothing to test
            cid = wave_difference_id(baseline, figure_id, question, item_key)
            label = str(found[found["wave"] == later]["item"].iloc[0])
            context = _context(figure_id, question, label, baseline, later)
            locations = found[found["statistic"].isin(LOCATIONS)]
            if not locations.empty:
                first = locations.iloc[0]
                kind = by_name[first["value_variable"]].kind
                results = two_groups(values(later, first), values(baseline, first), (later, baseline), kind)
                rows += [make_row(later, cid, r, **context) for r in results]
                continue
            shares = {w: _share_count(found[found["wave"] == w]) for w in (baseline, later)}
            if all(s is not None for s in shares.values()):
                rows += _share_rows(later, baseline, cid, context, shares)
    return rows
