"""What an analyst would otherwise write: the report's tables from the export with plain pandas.

The benchmark's reference point for "the report tables": read the export,
apply the same cleaning rules, and compute the same frequency tables, scale
summaries, cross-tabs and group means as the ``report`` schema. Written the
way a careful analyst would (vectorised pandas, no loop over respondents), so
the comparison is with good pandas, not a straw man.
"""

from __future__ import annotations

from pathlib import Path

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


def _asked(frame: pd.DataFrame, question: codebook.Question) -> pd.DataFrame:
    if question.asked_if_question is None:
        return frame
    return frame[frame[question.asked_if_question] == question.asked_if_choice]


def report_tables(kept: pd.DataFrame) -> dict[str, pd.DataFrame]:
    cb = codebook.load()
    frequencies, summaries = [], []
    for q in cb.questions:
        asked = _asked(kept, q)
        if q.type == "single":
            answered = asked[q.question_code].replace("", None).dropna()
            counts = answered.value_counts()
            frequencies.append(
                pd.DataFrame({"question": q.question_code, "item": counts.index, "count": counts.values,
                              "percent": 100 * counts.values / len(answered)})
            )
        elif q.type == "multi":
            ticks = asked[[v.name for v in q.variables()]] == "Y"
            base = ticks.any(axis=1).sum() if not q.mandatory else len(ticks)
            counts = ticks.sum()
            frequencies.append(
                pd.DataFrame({"question": q.question_code, "item": counts.index, "count": counts.values,
                              "percent": 100 * counts.values / base})
            )
        elif q.type in ("scale", "number"):
            values = asked[[v.name for v in q.variables()]].apply(pd.to_numeric, errors="coerce")
            summary = values.agg(["count", "mean", "median", "std"]).T
            summaries.append(summary.assign(question=q.question_code))
    numeric = kept.assign(people_per_week=pd.to_numeric(kept["people_per_week"], errors="coerce"),
                          years_practice=pd.to_numeric(kept["years_practice"], errors="coerce"))
    eadmin = numeric[numeric["does_eadmin"] == "Y"]
    place_columns = [v.name for v in cb.question("place").variables()]
    site_columns = [v.name for v in cb.question("site").variables()]
    group_means = [
        eadmin.groupby(eadmin[place] == "Y")["people_per_week"].agg(["count", "mean", "median", "std"])
        .assign(place=place)
        for place in place_columns
    ]
    sites = eadmin[site_columns].apply(pd.to_numeric, errors="coerce")
    site_means = [sites.groupby(eadmin[place] == "Y").mean().assign(place=place) for place in place_columns]
    return {
        "frequencies": pd.concat(frequencies),
        "scale_summaries": pd.concat(summaries),
        "t3": pd.crosstab(kept["job_description"], kept["does_eadmin"]),
        "t11": pd.crosstab(kept["efs_on_territory"], kept["does_eadmin"]),
        "f1": numeric.groupby("post_title")["years_practice"].agg(["count", "mean", "median", "std"]),
        "f3": pd.concat(group_means),
        "f4_f6": pd.concat(site_means),
    }


def run(path: Path) -> dict[str, pd.DataFrame]:
    return report_tables(clean(load(path)))
