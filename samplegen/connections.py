"""From kept respondents to a raw export: every connection, with its metadata.

A LimeSurvey export holds every connection, not only the usable ones. Besides
the kept respondents, the 2023 export had (design.EXCLUDED, scaled with the
sample): connections abandoned before submitting, test entries made before
the questionnaire opened or after it closed, out-of-target people who typed
another post title in "Autre", and respondents who submitted the same answers
twice. Each kind is built so that the warehouse's first matching cleaning rule
gives it its intended reason:

1. ``incomplete``: no submitdate; only the pages up to ``lastpage`` are filled;
2. ``test_entry``: submitted outside the wave's fieldwork window;
3. ``out_of_target``: post title ``-oth-`` with a free text;
4. ``duplicate``: an exact copy of a kept respondent's answers, submitted later.

Dates follow the fieldwork's rhythm (launch, weekly reminders, quiet weekends,
office hours). Rows are ordered by start date and numbered from 1, as
LimeSurvey numbers responses when they start.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

import codebook
from samplegen import design
from samplegen.allocate import largest_remainder
from samplegen.plan import Plan
from samplegen.respondents import Columns, build_respondents

REASONS = ("incomplete", "test_entry", "out_of_target", "duplicate")
KEPT = ""
_DAY = np.timedelta64(1, "D")


@dataclass
class Connections:
    """All rows of one export: answer columns, metadata and (for checking) the intended reason."""

    cols: Columns
    rowid: NDArray[np.int64]
    submitdate: NDArray  # datetime64[s], NaT when not submitted
    startdate: NDArray
    datestamp: NDArray
    lastpage: NDArray[np.int64]
    seed: NDArray[np.int64]
    reason: NDArray  # object: "" for kept rows, else the cleaning reason

    def __len__(self) -> int:
        return len(self.rowid)


def excluded_counts(n_kept: int, base_kept: int) -> dict[str, int]:
    """Excluded connections for ``n_kept`` kept ones, in the 2023 proportions (72 of 250)."""
    base_excluded = sum(design.EXCLUDED.values())
    total = round(n_kept * (base_kept + base_excluded) / base_kept)
    counts = largest_remainder([design.EXCLUDED[r] for r in REASONS], total - n_kept)
    return dict(zip(REASONS, (int(c) for c in counts), strict=True))


def pages(cb: codebook.Codebook) -> dict[str, int]:
    """Page (1-based) of each question: LimeSurvey shows one section (question group) per page."""
    sections: list[str] = []
    for q in cb.questions:
        if q.section not in sections:
            sections.append(q.section)
    return {q.question_code: sections.index(q.section) + 1 for q in cb.questions}


def fieldwork_days(wave: codebook.Wave) -> tuple[NDArray, NDArray[np.float64]]:
    """Days of the fieldwork and their relative traffic: launch peak, weekly reminders, quiet weekends."""
    start, end = np.datetime64(wave.fieldwork_start), np.datetime64(wave.fieldwork_end)
    days = np.arange(start, end + _DAY, _DAY)
    d = (days - start).astype(int)
    weight = 3.0 * np.exp(-d / 2.5) + 0.3
    for reminder in range(7, len(days), 7):
        weight += 1.5 * np.exp(-np.clip(d - reminder, 0, None) / 2.0) * (d >= reminder)
    weekday = (days.astype("datetime64[D]").view("int64") - 4) % 7  # 0 = Monday
    weight *= np.where(weekday >= 5, 0.2, 1.0)
    return days, weight / weight.sum()


def office_starts(days: NDArray, p: NDArray, size: int, rng: np.random.Generator) -> NDArray:
    """Start times: a day drawn by traffic, a time in office hours (morning and afternoon peaks)."""
    day = days[rng.choice(len(days), size, p=p)]
    hour = np.where(rng.random(size) < 0.45, rng.normal(10.3, 1.1, size), rng.normal(14.8, 1.5, size))
    seconds = (np.clip(hour, 8.0, 18.5) * 3600 + rng.integers(0, 600, size)).astype(np.int64)
    return day.astype("datetime64[s]") + seconds.astype("timedelta64[s]")


def office_hours(t: NDArray, rng: np.random.Generator) -> NDArray:
    """Move times outside 8:00-19:00 to the next working morning (people answer at work)."""
    day = t.astype("datetime64[D]")
    seconds = (t - day.astype("datetime64[s]")).astype(np.int64)
    late, early = seconds >= 19 * 3600, seconds < 8 * 3600
    day = day + late.astype(np.int64)
    morning = 8 * 3600 + rng.integers(0, 3 * 3600, len(t))
    seconds = np.where(late | early, morning, seconds)
    return day.astype("datetime64[s]") + seconds.astype("timedelta64[s]")


def durations(size: int, rng: np.random.Generator) -> NDArray:
    """Time to fill the whole questionnaire: log-normal around 14 minutes, 5 to 75 minutes."""
    minutes = np.clip(rng.lognormal(np.log(14), 0.45, size), 5, 75)
    return (minutes * 60).astype(np.int64).astype("timedelta64[s]")


def build_connections(cb: codebook.Codebook, plan: Plan, wave: codebook.Wave, kept: Columns, seed: int) -> Connections:
    """Every connection of the export: ``kept`` plus the excluded ones, dated and numbered."""

    def rng(step: str) -> np.random.Generator:
        return np.random.default_rng([seed, 7, zlib.crc32(step.encode())])

    n_kept = len(next(iter(kept.values())))
    counts = excluded_counts(n_kept, plan.n)
    n_pages = max(pages(cb).values())
    days, p = fieldwork_days(wave)
    # fresh people for the incomplete, test and out-of-target connections
    n_fresh = counts["incomplete"] + counts["test_entry"] + counts["out_of_target"]
    fresh = build_respondents(cb, plan, n_fresh, seed + 1_000_003, exact=False) if n_fresh else None
    kind = np.repeat(np.array(REASONS[:3], dtype=object), [counts[r] for r in REASONS[:3]])

    # kept rows and their dates
    start_k = office_starts(days, p, n_kept, rng("kept start"))
    submit_k = start_k + durations(n_kept, rng("kept duration"))
    parts = {
        "cols": [kept],
        "start": [start_k],
        "submit": [submit_k],
        "stamp": [submit_k],
        "lastpage": [np.full(n_kept, n_pages)],
        "reason": [np.full(n_kept, KEPT, dtype=object)],
    }
    if fresh is not None:
        r = rng("fresh")
        start_f = office_starts(days, p, n_fresh, rng("fresh start"))
        dur_f = durations(n_fresh, rng("fresh duration"))
        test = np.flatnonzero(kind == "test_entry")
        n_before = round(len(test) * design.TEST_ENTRIES_BEFORE / design.EXCLUDED["test_entry"])
        offset = np.where(np.arange(len(test)) < n_before, -r.integers(1, 8, len(test)), r.integers(1, 11, len(test)))
        anchor = np.where(offset < 0, days[0], days[-1]).astype("datetime64[s]")
        start_f[test] = anchor + (offset * 86400 + r.integers(9 * 3600, 18 * 3600, len(test))).astype("timedelta64[s]")
        submit_f = start_f + dur_f
        stamp_f = submit_f.copy()
        lastpage_f = np.full(n_fresh, n_pages)
        inc = np.flatnonzero(kind == "incomplete")
        weights = design.INCOMPLETE_LASTPAGE_WEIGHTS
        lastpage_f[inc] = r.choice(list(weights), len(inc), p=np.array(list(weights.values())) / sum(weights.values()))
        submit_f[inc] = np.datetime64("NaT")
        stamp_f[inc] = start_f[inc] + (dur_f[inc] * (lastpage_f[inc] + 0.5) / n_pages).astype("timedelta64[s]")
        page_of = pages(cb)
        for v in cb.variables():
            blank = inc[lastpage_f[inc] < page_of[v.question.question_code]]
            fresh[v.name][blank] = -1
        oot = np.flatnonzero(kind == "out_of_target")
        title = cb.question("post_title")
        other_index = [c.choice_code for c in title.choices].index("-oth-")
        fresh["post_title"][oot] = other_index
        fresh["post_title__other"][oot] = r.integers(0, len(design.OUT_OF_TARGET_TITLES), len(oot))
        for key, value in (
            ("cols", fresh),
            ("start", start_f),
            ("submit", submit_f),
            ("stamp", stamp_f),
            ("lastpage", lastpage_f),
            ("reason", kind),
        ):
            parts[key].append(value)
    if counts["duplicate"]:
        r = rng("duplicates")
        last_evening = (days[-1] + np.timedelta64(19, "h")).astype("datetime64[s]")
        room = np.flatnonzero(submit_k < last_evening - np.timedelta64(2, "h"))
        orig = np.sort(r.choice(room, counts["duplicate"], replace=False))
        gap = np.clip(r.lognormal(np.log(3 * 3600), 1.2, len(orig)), 300, 5 * 86400).astype(np.int64)
        start_d = office_hours(submit_k[orig] + gap.astype("timedelta64[s]"), r)
        dur_d = durations(len(orig), r) // 2  # answers already known: faster
        start_d = np.minimum(start_d, last_evening - dur_d)
        start_d = np.maximum(start_d, submit_k[orig] + np.timedelta64(60, "s"))
        parts["cols"].append({k: v[orig] for k, v in kept.items()})
        parts["start"].append(start_d)
        parts["submit"].append(start_d + dur_d)
        parts["stamp"].append(start_d + dur_d)
        parts["lastpage"].append(np.full(len(orig), n_pages))
        parts["reason"].append(np.full(len(orig), "duplicate", dtype=object))

    cols = {k: np.concatenate([c[k] for c in parts["cols"]]) for k in kept}
    start = np.concatenate(parts["start"])
    total = len(start)
    order = np.lexsort((rng("order").random(total), start))
    return Connections(
        cols={k: v[order] for k, v in cols.items()},
        rowid=np.arange(1, total + 1),
        submitdate=np.concatenate(parts["submit"])[order],
        startdate=start[order],
        datestamp=np.concatenate(parts["stamp"])[order],
        lastpage=np.concatenate(parts["lastpage"])[order],
        seed=rng("seed").integers(100_000_000, 2_147_483_647, total),
        reason=np.concatenate(parts["reason"])[order],
    )
