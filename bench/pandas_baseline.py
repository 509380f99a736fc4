"""What an analyst would otherwise write: the report's tables from the export with plain pandas.

The benchmark's reference point for "the report tables": read the export,
apply the same cleaning rules, and compute the same frequency tables, scale
summaries, cross-tabs and group means as the ``report`` schema. Written the
way a careful analyst would (vectorised pandas, no loop over respondents), so
the comparison is with good pandas, not a straw man.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

import codebook


def load(path: Path) -> pd.DataFrame:
    cb = codebook.load()
    frame = pd.read_csv(path, sep=";", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    return frame.rename(columns={v.export_heading: v.name for v in cb.variables()})


def clean(frame: pd.DataFrame, wave: str = "2023") -> pd.DataFrame:
    """The cleaning rules: complete, inside the fieldwork window, in target, first of identical answers."""
    cb = codebook.load()
    fieldwork = (cb.wave(wave).fieldwork_start, cb.wave(wave).fieldwork_end)
    targets = [c.choice_code for c in cb.question("post_title").choices if c.is_target]
    submitted = pd.to_datetime(frame["submitdate"].replace("", None), errors="coerce")
    kept = frame[
        (frame["submitdate"] != "")
        & submitted.dt.date.astype(str).between(*fieldwork)
        & frame["post_title"].isin(targets)
    ]
    answers = [v.name for v in cb.variables()]
    kept = kept.assign(_submitted=submitted, _id=pd.to_numeric(kept["id"]))
    kept = kept.sort_values(["_submitted", "_id"]).drop_duplicates(subset=answers, keep="first")
    return kept.drop(columns=["_submitted", "_id"])


REPORT_SEEDS = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds" / "report"
SUMMARY = ["count", "mean", "median", "std"]


def _seed(name: str) -> pd.DataFrame:
    """The report's own lists (cross-tabs, group comparisons): the analyst works from the same spec."""
    return pd.read_csv(REPORT_SEEDS / f"{name}.csv", dtype=str, keep_default_na=False)


def _asked(frame: pd.DataFrame, question: codebook.Question, columns: list[str]) -> pd.DataFrame:
    """``columns`` for the respondents asked ``question``: picked before filtering, which would copy the wide frame."""
    picked = frame[columns]
    if question.asked_if_question is None:
        return picked
    return picked[frame[question.asked_if_question] == question.asked_if_choice]


def _typed(kept: pd.DataFrame, cb: codebook.Codebook) -> pd.DataFrame:
    """Scale and number answers as numbers, converted once (a decimal comma is allowed in numbers)."""
    converted = {}
    for v in cb.variables():
        if v.kind == "scale":
            converted[v.name] = pd.to_numeric(kept[v.name], errors="coerce")
        elif v.kind == "number":
            converted[v.name] = pd.to_numeric(kept[v.name].str.replace(",", "."), errors="coerce")
    return kept.assign(**converted)


def _frequencies(kept: pd.DataFrame, q: codebook.Question) -> pd.DataFrame:
    if q.type == "single":
        answered = _asked(kept, q, [q.question_code])[q.question_code].replace("", None).dropna()
        counts = answered.value_counts()
        groups = {c.choice_code: c.group_label_fr for c in q.choices if c.group_label_fr}
        if groups:
            counts = pd.concat([counts, counts.groupby(counts.index.map(groups)).sum()])
        base = len(answered)
    else:
        ticks = _asked(kept, q, [v.name for v in q.variables()]) == "Y"
        counts = ticks.sum()
        base = len(ticks) if q.mandatory else int(ticks.any(axis=1).sum())
    return pd.DataFrame(
        {
            "question": q.question_code,
            "item": counts.index,
            "count": counts.values,
            "base_n": base,
            "percent": 100 * counts.values / base if base else None,
        }
    )


def _comparison(kept: pd.DataFrame, cb: codebook.Codebook, c: Any) -> pd.DataFrame:
    """One report comparison: a number or scale question summarised within the groups of another."""
    value_question, group_question = cb.question(c.value_question), cb.question(c.group_question)
    value_columns = [v.name for v in value_question.answer_variables()]
    group_columns = [v.name for v in group_question.answer_variables()]
    asked = _asked(kept, value_question, value_columns + group_columns)
    values = asked[value_columns]
    if group_question.type == "single":
        groupings = {None: asked[group_question.question_code].replace("", None)}
    else:
        items = group_question.answer_variables()
        groupings = {
            v.item.item_code: (asked[v.name] == "Y").map({True: "Y", False: "N"})
            for v in items
            if not c.group_item or v.item.item_code == c.group_item
        }
    out = []
    for item, groups in groupings.items():
        summary = values.groupby(groups).agg(SUMMARY).stack(level=0, future_stack=True)
        summary.index.names = ["group_code", "variable"]
        out.append(summary.reset_index().assign(comparison_id=c.comparison_id, group_item=item))
    return pd.concat(out)


def report_tables(kept: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The ``report`` schema's tables, keyed by table name (the ``tNN``/``fN`` ones are slices of these)."""
    cb = codebook.load()
    typed = _typed(kept, cb)
    scales = [
        (_asked(typed, v.question, [v.name]) if v.kind == "scale" else typed[[v.name]]).agg([*SUMMARY, "min", "max"]).T
        for v in cb.variables()
        if v.kind in ("scale", "number")
    ]
    distribution = pd.concat(
        _asked(typed, q, [q.question_code])[q.question_code]
        .value_counts()
        .rename("respondents")
        .rename_axis(q.question_code)
        .reset_index()
        for q in cb.questions
        if q.type == "number" and q.report_table == "T8"
    )
    crosstabs = [
        pd.crosstab(kept[x.row_question].replace("", None), kept[x.col_question].replace("", None))
        .stack()
        .rename("count")
        .rename_axis(["row_code", "col_code"])
        .reset_index()
        .assign(crosstab_id=x.crosstab_id)
        for x in _seed("report_crosstabs").itertuples()
    ]
    return {
        "frequencies": pd.concat(_frequencies(kept, q) for q in cb.questions if q.type in ("single", "multi")),
        "scale_summaries": pd.concat(scales).rename_axis("variable").reset_index(),
        "group_means": pd.concat(_comparison(typed, cb, c) for c in _seed("report_comparisons").itertuples()),
        "crosstabs": pd.concat(crosstabs),
        "people_per_week_distribution": distribution.assign(
            percent=100 * distribution["respondents"] / distribution["respondents"].sum()
        ),
    }


def run(path: Path) -> dict[str, pd.DataFrame]:
    return report_tables(clean(load(path)))
