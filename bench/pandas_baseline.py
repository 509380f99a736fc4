"""What an analyst would otherwise write: the report's tables from the export with plain pandas.

The benchmark's reference point for "the report tables": read the export,
apply the same cleaning rules, and compute the same frequency tables, scale
summaries, cross-tabs and group means as the ``report`` schema. Written the
way a careful analyst would (vectorised pandas, no loop over respondents), so
the comparison is with good pandas, not a straw man.

Like the ``report`` schema, every table is per wave (a ``wave`` column): a raw
folder may hold one export per wave, each read against its wave's edition of
the questionnaire (the questions, items and choices asked that wave).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pandas as pd

import codebook

MANIFEST = "manifest.csv"


def exports(path: Path) -> dict[str, Path]:
    """Wave → export CSV of ``path``: one export, or a raw folder's CSV exports. The wave is the file's
    ``manifest.csv`` row (beside it) if any, else the first four-digit year of its name."""
    folder = path if path.is_dir() else path.parent
    declared: dict[str, str] = {}
    if (folder / MANIFEST).exists():
        with (folder / MANIFEST).open(encoding="utf-8", newline="") as f:
            declared = {row["file"]: row["wave"] for row in csv.DictReader(f)}
    files = sorted(p for p in folder.glob("*.csv") if p.name != MANIFEST) if path.is_dir() else [path]
    out: dict[str, Path] = {}
    for file in files:
        year = re.search(r"\d{4}", file.name)
        wave = declared.get(file.name) or (year.group(0) if year else None)
        if wave is None:
            raise ValueError(f"{file}: no wave (no manifest.csv row, no year in its name)")
        if wave in out:
            raise ValueError(f"{file}: wave {wave} has another export, {out[wave].name}")
        out[wave] = file
    if not out:
        raise ValueError(f"{path}: no CSV export")
    return out


def load(path: Path, wave: str | None = None) -> pd.DataFrame:
    """An export with the codebook's column names (the headings of ``wave``'s edition; any edition's for None)."""
    cb = codebook.load()
    frame = pd.read_csv(path, sep=";", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    return frame.rename(columns={v.export_heading: v.name for v in cb.variables(wave)})


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
    answers = [v.name for v in cb.variables(wave)]
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


def _typed(kept: pd.DataFrame, cb: codebook.Codebook, wave: str) -> pd.DataFrame:
    """Scale and number answers as numbers, converted once (a decimal comma is allowed in numbers)."""
    converted = {}
    for v in cb.variables(wave):
        if v.kind == "scale":
            converted[v.name] = pd.to_numeric(kept[v.name], errors="coerce")
        elif v.kind == "number":
            converted[v.name] = pd.to_numeric(kept[v.name].str.replace(",", "."), errors="coerce")
    return kept.assign(**converted)


def _frequencies(kept: pd.DataFrame, q: codebook.Question, wave: str) -> pd.DataFrame:
    if q.type == "single":
        answered = _asked(kept, q, [q.question_code])[q.question_code].replace("", None).dropna()
        counts = answered.value_counts()
        groups = {c.choice_code: c.group_label_fr for c in q.choices if c.group_label_fr}
        if groups:
            counts = pd.concat([counts, counts.groupby(counts.index.map(groups)).sum()])
        base = len(answered)
    else:
        ticks = _asked(kept, q, [v.name for v in q.variables(wave)]) == "Y"
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


def _comparison(kept: pd.DataFrame, cb: codebook.Codebook, c: Any, wave: str) -> pd.DataFrame:
    """One report comparison: a number or scale question summarised within the groups of another."""
    value_question, group_question = cb.question(c.value_question), cb.question(c.group_question)
    value_columns = [v.name for v in value_question.answer_variables(wave)]
    group_columns = [v.name for v in group_question.answer_variables(wave)]
    asked = _asked(kept, value_question, value_columns + group_columns)
    values = asked[value_columns]
    if group_question.type == "single":
        groupings = {None: asked[group_question.question_code].replace("", None)}
    else:
        items = group_question.answer_variables(wave)
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


def report_tables(kept: pd.DataFrame, wave: str = "2023") -> dict[str, pd.DataFrame]:
    """The ``report`` schema's tables of one wave, keyed by table name (the ``tNN``/``fN`` ones are slices of
    these): the questions, items and choices of ``wave``'s edition."""
    cb = codebook.load()
    typed = _typed(kept, cb, wave)
    asked = [q for q in cb.questions if q.asked_in(wave)]
    scales = [
        (_asked(typed, v.question, [v.name]) if v.kind == "scale" else typed[[v.name]]).agg([*SUMMARY, "min", "max"]).T
        for v in cb.variables(wave)
        if v.kind in ("scale", "number")
    ]
    distribution = pd.concat(
        _asked(typed, q, [q.question_code])[q.question_code]
        .value_counts()
        .rename("respondents")
        .rename_axis(q.question_code)
        .reset_index()
        for q in asked
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
        if cb.question(x.row_question).asked_in(wave) and cb.question(x.col_question).asked_in(wave)
    ]
    comparisons = [
        _comparison(typed, cb, c, wave)
        for c in _seed("report_comparisons").itertuples()
        if cb.question(c.value_question).asked_in(wave) and cb.question(c.group_question).asked_in(wave)
    ]
    return {
        "frequencies": pd.concat(_frequencies(kept, q, wave) for q in asked if q.type in ("single", "multi")),
        "scale_summaries": pd.concat(scales).rename_axis("variable").reset_index(),
        "group_means": pd.concat(comparisons),
        "crosstabs": pd.concat(crosstabs),
        "people_per_week_distribution": distribution.assign(
            percent=100 * distribution["respondents"] / distribution["respondents"].sum()
        ),
    }


def run(path: Path) -> dict[str, pd.DataFrame]:
    """The report tables of every wave of ``path`` (one export, or a raw folder), each row with its ``wave``."""
    per_wave = {wave: report_tables(clean(load(csv, wave), wave), wave) for wave, csv in exports(path).items()}
    names = next(iter(per_wave.values())).keys()
    return {
        name: pd.concat(tables[name].assign(wave=wave) for wave, tables in per_wave.items()).reset_index(drop=True)
        for name in names
    }
