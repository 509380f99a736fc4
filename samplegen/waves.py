"""Synthetic later waves: the 2023 model with the known truth of ``wave_shifts.csv`` applied.

2023 is calibrated to reproduce the report exactly, and nothing here touches that path. A later
wave is calibrated on nothing: it must be plausible (the same questionnaire logic, relationships
and spreads) and its differences from 2023 must be known, so that the stats layer's comparison
of waves can be tested against the truth. So:

1. the 2023 plan (how many give each answer, by stratum) is shifted as ``wave_shifts.csv`` says:
   a share moves answers between the codes of a question, in the same proportion in every
   stratum, or adds ticks to a box; a mean tilts a distribution (scales, people per week) or
   moves a total (age, years, salary); a new question gets its levels; nothing else changes;
2. a synthetic population is built from the shifted plan by the builder that makes 2023, so its
   shares and means are the plan's (to within one in the population size);
3. the wave's kept respondents are a simple random sample of that population, so their figures
   vary around the 2023 ones (null differences) or the shifted ones (planted differences) as a
   real sample's would: a test at 5 % flags a null difference about one time in twenty before
   any multiplicity correction, and the planted shifts are large enough to be found almost always.
"""

from __future__ import annotations

import copy
import sys
import zlib
from dataclasses import replace
from typing import TextIO

import numpy as np
from scipy import optimize

import codebook
from samplegen import design
from samplegen.calibrate import Calibrated
from samplegen.plan import BLANK, Plan
from samplegen.respondents import NUMBER_UNITS, Columns, build_respondents
from samplegen.wave_shifts import Shift, load

#: A wave's respondents are sampled from a population this many times larger...
POPULATION_FACTOR = 100
#: ...of at most this many rows (or the sample's size, if larger: then the sample is the population).
POPULATION_MAX = 1_000_000

#: Single-choice questions whose shares may move, and the plan field holding their counts. Not the
#: post title or the e-administration split: the plan's other counts are per post title or stratum,
#: so moving those would move answers the shift file does not list.
SINGLE_FIELDS = {
    "job_description": "job_description",
    "efs_on_territory": "efs_on_territory",
    "gender": "gender",
    "education": "education",
    "department": "department",
    "employer": "employer",
    "first_mediator_hired": "first_hired",
    "contract": "contract",
}
#: Multiple-choice questions whose tick rates may move: plan field and the base its counts are out of.
MULTI_FIELDS = {
    "place": "place",
    "reason_not_eadmin": "reasons",
    "reorientation": "reorientation",
    "need_referent_contact": "need_referent",
    "intervention_scale": "intervention_scale",
}


def default_seed(wave: codebook.Wave) -> int:
    """The first day of the wave's fieldwork as a number (2023: ``design.DEFAULT_SEED``)."""
    return int(wave.fieldwork_start.replace("-", ""))


def default_respondents(wave: codebook.Wave, plan: Plan) -> int:
    """The wave's kept respondents when not given: what waves.csv pins (min = max), else the 2023 size."""
    if wave.min_respondents is not None and wave.min_respondents == wave.max_respondents:
        return wave.min_respondents
    return plan.n


def population_size(n: int) -> int:
    """Rows of the population a sample of ``n`` is drawn from (see the module constants)."""
    return max(n, min(POPULATION_FACTOR * n, POPULATION_MAX))


# --------------------------------------------------------------------------- shifting the plan
def tilt(cal: Calibrated, shift: float) -> Calibrated:
    """The distribution exponentially tilted (weights ``x_v e^(t v)``) so its mean moves by ``shift``.

    A tilt keeps the value domain and every value's relative weight within a neighbourhood, so a
    shifted scale stays a plausible 1-10 answer distribution (more high answers, fewer low ones);
    the counts become expected counts (floats), handed out by largest remainder as the 2023 ones.
    """
    counts = np.asarray(cal.counts, dtype=float)
    domain = cal.domain.astype(float)
    x = (domain - domain.mean()) / (np.ptp(domain) or 1.0)
    target = float((counts * domain).sum() / counts.sum()) + shift
    live = domain[counts > 0]
    if not live.min() < target < live.max():
        given = f"{live.min():g}-{live.max():g}"
        raise ValueError(f"{cal.label}: a mean of {target:.2f} is outside the answers given ({given})")

    def weights(t: float) -> np.ndarray:
        w = counts * np.exp(t * x - np.max(t * x))
        return w * counts.sum() / w.sum()

    t = optimize.brentq(lambda t: float((weights(t) * domain).sum() / counts.sum()) - target, -200.0, 200.0)
    return replace(cal, counts=weights(t))


def _move_shares(counts: dict, rows: list[Shift], where: str) -> None:
    """Move answers between codes of one single choice, in place: each losing code gives the same
    fraction of its answers in every stratum; the gaining codes (shares and levels) share what was
    given in proportion to their shifts. ``counts`` is ``{code: n}`` or ``{stratum: {code: n}}``."""
    groups = counts if isinstance(next(iter(counts.values())), dict) else {"": counts}
    answered: dict[str, float] = {}
    for g in groups.values():
        for code, c in g.items():
            if code != BLANK:
                answered[code] = answered.get(code, 0.0) + c
    total = sum(answered.values())
    losers = [r for r in rows if r.shift < 0]
    gainers = [r for r in rows if r.shift > 0]
    if abs(sum(r.shift for r in rows)) > 1e-9:
        raise ValueError(f"{where}: the share and level rows of a question must add up to 0")
    for r in losers:
        if r.code not in answered or -r.shift > 100 * answered[r.code] / total:
            raise ValueError(f"{r.variable}: only {100 * answered.get(r.code, 0) / total:.1f} % can be lost")
    gain = sum(r.shift for r in gainers)
    for g in groups.values():
        given = 0.0
        for r in losers:
            moved = g.get(r.code, 0) * (-r.shift / 100) * total / answered[r.code]
            g[r.code] -= moved
            given += moved
        for r in gainers:
            g[r.code] = g.get(r.code, 0) + given * r.shift / gain


def _check(cb: codebook.Codebook, wave: str, s: Shift) -> codebook.Question:
    """The question of ``s``, after checking that the row means something in ``wave``'s edition."""
    try:
        q = cb.question(s.question)
    except KeyError:
        raise ValueError(f"{s.variable}: no such question in the codebook") from None
    base = design.BASE_WAVE
    if not q.asked_in(wave):
        raise ValueError(f"{s.variable}: {s.question} is not asked in {wave}")
    if s.is_choice:
        choice = next((c for c in q.choices if c.choice_code == s.code), None)
        if q.type != "single" or choice is None or not choice.asked_in(wave):
            raise ValueError(f"{s.variable}: not an answer of a single choice asked in {wave}")
        if (s.kind == "level") == (q.asked_in(base) and choice.asked_in(base)):
            raise ValueError(f"{s.variable}: kind level is for an answer new since {base}, share for the others")
    elif s.code is not None:
        item = next((i for i in q.items if i.item_code == s.code), None)
        if item is None or not item.asked_in(wave) or not item.asked_in(base):
            raise ValueError(f"{s.variable}: not an item asked in both {base} and {wave}")
        if (s.kind, q.type) not in (("share", "multi"), ("mean", "scale")):
            raise ValueError(f"{s.variable}: a box moves by share, a scale row by mean")
    elif s.kind != "mean" or q.type not in ("number", "scale"):
        raise ValueError(f"{s.variable}: a whole question moves by mean (a number or a one-row scale)")
    return q


def _shift_mean(plan: Plan, s: Shift) -> None:
    if s.variable in plan.scales:
        plan.scales[s.variable] = tilt(plan.scales[s.variable], s.shift)
    elif s.variable == "people_per_week":
        plan.people_per_week = tilt(plan.people_per_week, s.shift)
    elif s.variable == "age":
        plan.age_total = round(plan.age_total + s.shift * plan.n)
    elif s.variable == "salary":
        plan.salary_total = round(plan.salary_total + s.shift * plan.salary_answered)
    elif s.variable == "years_practice":
        unit = NUMBER_UNITS["years_practice"]
        for g in plan.years_tenths:
            plan.years_tenths[g] = round(plan.years_tenths[g] + s.shift * unit * plan.group_size(g))
    else:
        raise ValueError(f"{s.variable}: the generator cannot move this mean")


def _shift_ticks(plan: Plan, q: codebook.Question, s: Shift) -> None:
    if q.question_code not in MULTI_FIELDS or any(i.exclusive for i in q.items if i.item_code == s.code):
        raise ValueError(f"{s.variable}: the generator cannot move this box")
    counts = getattr(plan, MULTI_FIELDS[q.question_code])
    bases = {
        "place": plan.strata,
        "reason_not_eadmin": {"": plan.strata["N"]},
        "reorientation": {"": plan.reorientation_answered},
        "need_referent_contact": {"": plan.strata["Y"]},
        "intervention_scale": {"": plan.n},
    }[q.question_code]
    groups = counts if isinstance(next(iter(counts.values())), dict) else {"": counts}
    share = sum(g[s.code] for g in groups.values()) / sum(bases.values())
    if share == 0:
        raise ValueError(f"{s.variable}: nobody ticked it in {design.BASE_WAVE}, a share cannot be scaled")
    factor = (share + s.shift / 100) / share
    for key, g in groups.items():
        if not 0 <= g[s.code] * factor <= bases[key]:
            raise ValueError(f"{s.variable}: a tick rate must stay between 0 and 100 % in every stratum")
        g[s.code] = g[s.code] * factor


def shifted_plan(plan: Plan, cb: codebook.Codebook, wave: str, shifts: list[Shift] | None = None) -> Plan:
    """The 2023 plan with ``wave``'s rows of ``wave_shifts.csv`` applied (see the module docstring).

    Raises ``ValueError`` naming the row when a row cannot be applied as written.
    """
    shifts = load(wave) if shifts is None else shifts
    out = copy.deepcopy(plan)
    by_question: dict[str, list[Shift]] = {}
    for s in shifts:
        q = _check(cb, wave, s)
        if s.shift == 0:  # a null control: checked, nothing to move
            continue
        if s.kind == "mean":
            _shift_mean(out, s)
        elif q.type == "multi":
            _shift_ticks(out, q, s)
        else:
            by_question.setdefault(s.question, []).append(s)
    for qcode, rows in by_question.items():
        q = cb.question(qcode)
        if not q.asked_in(design.BASE_WAVE):  # a new question: its levels, the rest shared evenly
            levels = {r.code: r.shift for r in rows}
            rest = [c.choice_code for c in q.choices_in(wave) if c.choice_code not in levels]
            if sum(levels.values()) > 100 or (not rest and sum(levels.values()) != 100):
                raise ValueError(f"{qcode}: the levels of a new question must add up to 100 %")
            out.levels[qcode] = levels | {c: (100 - sum(levels.values())) / len(rest) for c in rest}
        elif qcode in SINGLE_FIELDS:
            _move_shares(getattr(out, SINGLE_FIELDS[qcode]), rows, qcode)
        elif any(r.shift for r in rows):
            raise ValueError(f"{qcode}: the generator cannot move its shares without moving other answers")
    return out


# --------------------------------------------------------------------------- sampling the wave
def sample_respondents(cb: codebook.Codebook, plan: Plan, n: int, seed: int) -> Columns:
    """``n`` kept respondents of a later wave: a simple random sample of a population built from
    ``plan`` (the shifted one) with ``cb`` (the wave's edition of the codebook)."""
    size = population_size(n)
    population = build_respondents(cb, plan, size, seed, exact=False)
    rows = np.arange(n)
    if size > n:
        rng = np.random.default_rng([seed, zlib.crc32(b"wave sample")])
        rows = np.sort(rng.choice(size, n, replace=False))
    return {name: col[rows] for name, col in population.items()}


# --------------------------------------------------------------------------- report
def value(cb: codebook.Codebook, cols: Columns, s: Shift) -> float:
    """The figure a row of ``wave_shifts.csv`` is about, in kept respondents' answer codes ``cols`` of the
    edition ``cb``: a share (percent of those who answered / were asked) or a mean; NaN if not asked."""
    q = next((x for x in cb.questions if x.question_code == s.question), None)
    if q is None:
        return float("nan")
    if s.is_choice:
        col = cols[q.question_code]
        codes = [c.choice_code for c in q.choices]
        answered = col >= 0
        return 100.0 * float((col == codes.index(s.code)).sum()) / max(int(answered.sum()), 1)
    name = s.variable
    col = cols[name]
    if q.type == "multi":
        asked = np.ones(len(col), dtype=bool)
        if q.is_conditional:
            cond = cb.question(q.asked_if_question)
            asked = cols[cond.question_code] == [c.choice_code for c in cond.choices].index(q.asked_if_choice)
        return 100.0 * float((col[asked] == 1).mean())
    values = col[col >= 0].astype(float) / NUMBER_UNITS.get(q.question_code, 1)
    return float(values.mean())


def print_wave_report(cb: codebook.Codebook, wave: str, kept: Columns, base: Columns, out: TextIO = sys.stderr) -> None:
    """Each row of the known truth: the 2023 figure (``base``: the calibrated 2023 respondents), what the
    wave should show in expectation, and what the generated respondents show."""
    print(f"\nKnown truth of wave {wave} (wave_shifts.csv) against {design.BASE_WAVE}:", file=out)
    before = cb.edition(design.BASE_WAVE)
    for s in load(wave):
        then = value(before, base, s) if s.kind != "level" else 0.0
        expected = s.shift if s.kind == "level" else then + s.shift
        got = value(cb.edition(wave), kept, s)
        flag = "planted" if s.planted else s.kind if s.kind == "level" else "null"
        print(
            f"  {flag:8s} {s.variable:34s} {s.kind:5s} {then:9.2f} -> expected {expected:9.2f}, generated {got:9.2f}",
            file=out,
        )
