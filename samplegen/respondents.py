"""Who gives which answer: the kept respondents, built from the plan.

Each step takes the plan's counts for a stratum (scaled to the stratum's actual
size, identical at the 2023 size), and hands them out with the allocation
primitives, the preferences carrying the relationships of ``design.py``.
The result is one int16 array per codebook variable, ``-1`` meaning an empty
field: the choice index of a single choice, 1/0 for a ticked/unticked box, the
value of a scale, and numbers in their unit (tenths of a year for
``years_practice``). Everything is vectorised: no Python loop runs per
respondent, so the same code builds 178 or 1 000 000 rows.
"""

from __future__ import annotations

import zlib

import numpy as np
from numpy.typing import NDArray
from scipy import stats

import codebook
from samplegen import design
from samplegen.allocate import (
    assign_by_rank,
    assign_categories,
    assign_multi,
    expand_counts,
    largest_remainder,
)
from samplegen.calibrate import exact_sum
from samplegen.plan import BLANK, CONSEILLER, EADMIN, NON_EADMIN, OTHER, Plan, scale_rows
from samplegen.repair import match_group_sums

Columns = dict[str, NDArray[np.int16]]
#: Optional log-preference matrix (rows x categories) for an allocation.
Prefs = NDArray[np.float64] | None

#: Decimals of number questions (the codebook does not say; years may be given in half-years).
NUMBER_UNITS = {"years_practice": 10}


def scaled(counts: dict[str, int], size: int) -> dict[str, int]:
    """The plan's counts for a group, scaled to the group's actual size."""
    return dict(zip(counts, (int(c) for c in largest_remainder(list(counts.values()), size)), strict=True))


def zscore_rank(x: NDArray) -> NDArray[np.float64]:
    """Normal scores of the ranks of ``x`` (ties broken by position): a scale-free latent."""
    if len(x) == 0:
        return np.zeros(0)
    ranks = np.argsort(np.argsort(x, kind="stable"), kind="stable")
    return stats.norm.ppf((ranks + 0.5) / len(x))


def blank_pref(counts: dict[str, int], discretion: NDArray[np.float64]) -> NDArray[np.float64]:
    """Log-preferences for leaving an optional question blank: the more discreet, the likelier."""
    pref = np.zeros((len(discretion), len(counts)))
    pref[:, list(counts).index(BLANK)] = design.DISCRETION * discretion
    return pref


class Builder:
    """Builds the answer columns of ``n`` kept respondents; see module docstring.

    ``cb`` is the edition of the codebook the respondents answer (``codebook.load().edition(wave)``):
    a column per variable of that wave, choice indices into that wave's answer options, and no step
    for a question the wave does not ask.
    """

    def __init__(self, cb: codebook.Codebook, plan: Plan, n: int, seed: int, exact: bool) -> None:
        self.cb, self.plan, self.n, self.seed, self.exact = cb, plan, n, seed, exact
        self.cols: Columns = {v.name: np.full(n, -1, dtype=np.int16) for v in cb.variables()}

    def rng(self, step: str) -> np.random.Generator:
        """An independent random stream per step, so that steps do not shift one another."""
        return np.random.default_rng([self.seed, zlib.crc32(step.encode())])

    # ------------------------------------------------------------------ helpers
    def single(
        self, qcode: str, mask: NDArray[np.bool_], counts: dict[str, int], logw: Prefs = None, step: str = ""
    ) -> None:
        """Set a single choice on the rows of ``mask``, with exactly the (scaled) counts; BLANK = empty."""
        q = self.cb.question(qcode)
        counts = scaled(counts, int(mask.sum()))
        codes = list(counts)
        index = np.array([-1 if c == BLANK else [ch.choice_code for ch in q.choices].index(c) for c in codes])
        cat = assign_categories(list(counts.values()), self.rng(f"{qcode}{step}"), logw)
        col = self.cols[qcode]
        col[mask] = index[cat]

    def asks(self, qcode: str) -> bool:
        """Whether the questionnaire being answered (one wave's edition of the codebook) has ``qcode``."""
        return any(q.question_code == qcode for q in self.cb.questions)

    def choice(self, qcode: str, code: str) -> NDArray[np.bool_]:
        """Rows whose answer to single choice ``qcode`` is ``code``."""
        q = self.cb.question(qcode)
        return self.cols[qcode] == [c.choice_code for c in q.choices].index(code)

    def ticked(self, qcode: str, item: str) -> NDArray[np.bool_]:
        return self.cols[f"{qcode}__{item}"] == 1

    def multi(
        self,
        qcode: str,
        mask: NDArray[np.bool_],
        counts: dict[str, int],
        base: int,
        logw: Prefs = None,
        at_least_one: bool = True,
        step: str = "",
    ) -> None:
        """Tick boxes of ``qcode`` on the rows of ``mask``: box counts are the plan's for ``base`` rows, scaled."""
        size = int(mask.sum())
        base_counts = np.array(list(counts.values()), dtype=float)
        scaled_counts = np.minimum(np.rint(base_counts * size / base), size).astype(np.int64)
        while at_least_one and size and scaled_counts.sum() < size:  # tiny groups: rounding lost ticks
            room = np.where(scaled_counts < size, base_counts, 0.0)
            if not room.any():
                break
            scaled_counts += largest_remainder(room, min(size - int(scaled_counts.sum()), int((room > 0).sum())))
        ticks = assign_multi(scaled_counts, size, self.rng(f"{qcode}{step}"), logw, at_least_one)
        for k, item in enumerate(counts):
            self.cols[f"{qcode}__{item}"][mask] = ticks[:, k]

    def prefs(
        self, mask: NDArray[np.bool_], items: list[str], by: dict[str, dict[str, float]], source: str
    ) -> NDArray[np.float64]:
        """Log-preference matrix (rows of ``mask`` x ``items``) from ticked boxes / choices of ``source``."""
        logw = np.zeros((int(mask.sum()), len(items)))
        is_multi = self.cb.question(source).type == "multi"
        for key, effects in by.items():
            rows = (self.ticked(source, key) if is_multi else self.choice(source, key))[mask]
            for k, item in enumerate(items):
                logw[:, k] += effects.get(item, 0.0) * rows
        return logw

    # ------------------------------------------------------------------ sections
    def build(self) -> Columns:
        self.strata()
        self.post_and_place()
        self.eadmin_practice()
        self.environment()
        self.profile()
        self.fill_generic()
        self.blank_unasked()
        return self.cols

    def strata(self) -> None:
        sizes = scaled(self.plan.strata, self.n)
        does = assign_categories([sizes[EADMIN], sizes[NON_EADMIN]], self.rng("does_eadmin"))
        self.cols["does_eadmin"][:] = does
        self.e, self.ne = does == 0, does == 1
        for s, m in ((EADMIN, self.e), (NON_EADMIN, self.ne)):
            self.single("job_description", m, self.plan.job_description[s], step=s)
            self.single("efs_on_territory", m, self.plan.efs_on_territory[s], step=s)

    def post_and_place(self) -> None:
        items = [i.item_code for i in self.cb.question("place").items]
        for s, m in ((EADMIN, self.e), (NON_EADMIN, self.ne)):
            self.single("post_title", m, self.plan.post_title[s], step=s)
            logw = self.prefs(m, items, design.PLACE_BY_POST_TITLE, "post_title")
            self.multi("place", m, self.plan.place[s], self.plan.strata[s], logw, step=s)
        reasons = list(self.plan.reasons)
        logw = self.prefs(self.ne, reasons, {}, "place")
        for reason, effects in design.REASON_BY_PLACE.items():
            for place, w in effects.items():
                logw[:, reasons.index(reason)] += w * self.ticked("place", place)[self.ne]
        self.multi("reason_not_eadmin", self.ne, self.plan.reasons, self.plan.strata[NON_EADMIN], logw)

    def eadmin_practice(self) -> None:
        e, n_e = self.e, int(self.e.sum())
        cal = self.plan.people_per_week
        values = expand_counts(cal.domain, largest_remainder(cal.counts, n_e))
        rng = self.rng("people_per_week")
        score = rng.standard_normal(n_e)
        groups = list(design.PEOPLE_PER_WEEK_EFFECTS)
        member = np.column_stack([self.ticked("place", g)[e] for g in groups])
        score += member @ np.array([design.PEOPLE_PER_WEEK_EFFECTS[g] for g in groups])
        ppw = assign_by_rank(values, score)
        frozen = self.tail_outside(ppw, member, score)
        if self.exact:
            targets = np.array([self.plan.people_per_week_sums[g] for g in groups])
            ppw = match_group_sums(ppw, member, targets, rng, frozen=frozen)
        self.cols["people_per_week"][e] = ppw
        # e-administration intensity: the respondent's general level on every frequency scale
        self.intensity = 0.7 * zscore_rank(ppw) + 0.7 * self.rng("intensity").standard_normal(n_e)
        for q in self.cb.questions:
            if q.type != "scale":
                continue
            for name, item in scale_rows(q):
                self.scale_row(q, name, item)

    @staticmethod
    def tail_outside(ppw: NDArray, member: NDArray[np.bool_], score: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Move the ``PEOPLE_PER_WEEK_TAIL`` largest values (in place) to the highest-scored respondents in none
        of the groups; their positions, returned, stay put while the group sums are matched."""
        frozen = np.zeros(len(ppw), dtype=bool)
        outside = np.flatnonzero(~member.any(axis=1))
        receivers = outside[np.argsort(-score[outside], kind="stable")][: design.PEOPLE_PER_WEEK_TAIL]
        for receiver, top in zip(receivers, np.argsort(-ppw, kind="stable")[: len(receivers)], strict=False):
            if member[top].any():
                ppw[receiver], ppw[top] = ppw[top], ppw[receiver]
            frozen[receiver if member[top].any() else top] = True
        return frozen

    def scale_row(self, q: codebook.Question, name: str, item: str | None) -> None:
        e, n_e = self.e, int(self.e.sum())
        cal = self.plan.scales[name]
        values = expand_counts(cal.domain, largest_remainder(cal.counts, n_e))
        score = self.rng(name).standard_normal(n_e) + design.SCALE_LOADING.get(q.question_code, 0.0) * self.intensity
        for key in ((q.question_code, item), (q.question_code, "*")):
            for place, w in design.SCALE_EFFECTS.get(key, {}).items():
                score += w * self.ticked("place", place)[e]
        self.cols[name][e] = assign_by_rank(values, score)

    def environment(self) -> None:
        e, n_e = self.e, int(self.e.sum())
        answered = int(
            largest_remainder(
                [self.plan.reorientation_answered, self.plan.strata[EADMIN] - self.plan.reorientation_answered], n_e
            )[0]
        )
        skip = (
            assign_categories(
                [n_e - answered, answered],
                self.rng("reorientation skip"),
                np.column_stack([-self.intensity, np.zeros(n_e)]),
            )
            == 0
        )
        rows = e.copy()
        rows[np.flatnonzero(e)[skip]] = False
        items = list(self.plan.reorientation)
        logw = self.prefs(rows, items, {"Y": design.REORIENTATION_BY_EFS}, "efs_on_territory")
        self.multi("reorientation", rows, self.plan.reorientation, self.plan.reorientation_answered, logw)
        for item in items:
            self.cols[f"reorientation__{item}"][np.flatnonzero(e)[skip]] = 0
        # need of referent contacts: the exclusive "Non" first, then at least one "Oui" for the others
        q = self.cb.question("need_referent_contact")
        exclusive = [i.item_code for i in q.items if i.exclusive]
        others = {i.item_code: self.plan.need_referent[i.item_code] for i in q.items if not i.exclusive}
        n_no = sum(self.plan.need_referent[i] for i in exclusive)
        no_count = int(largest_remainder([n_no, self.plan.strata[EADMIN] - n_no], n_e)[0])
        is_no = (
            assign_categories(
                [no_count, n_e - no_count],
                self.rng("need_referent no"),
                np.column_stack([-0.5 * self.intensity, np.zeros(n_e)]),
            )
            == 0
        )
        for item in exclusive:
            self.cols[f"{q.question_code}__{item}"][e] = is_no
        yes_rows = e.copy()
        yes_rows[np.flatnonzero(e)[is_no]] = False
        self.multi(q.question_code, yes_rows, others, self.plan.strata[EADMIN] - n_no)
        for item in others:
            self.cols[f"{q.question_code}__{item}"][np.flatnonzero(e)[is_no]] = 0

    def profile(self) -> None:
        n, plan, everyone = self.n, self.plan, np.ones(self.n, dtype=bool)
        discretion = self.rng("discretion").standard_normal(n)
        conseiller = self.choice("post_title", CONSEILLER)
        groups = {CONSEILLER: conseiller, OTHER: ~conseiller}
        # age: a normal shape made exact in total, conseillers numériques somewhat younger
        total = round(plan.age_total * n / plan.n)
        lo, hi = design.AGE_RANGE
        mean = plan.age_total / plan.n
        a, b = (lo - 0.5 - mean) / design.AGE_SD, (hi + 0.5 - mean) / design.AGE_SD
        ages = stats.truncnorm.ppf((np.arange(n) + 0.5) / n, a, b, loc=mean, scale=design.AGE_SD)
        ages = exact_sum(ages, total, 1.0, *design.AGE_RANGE)
        age = assign_by_rank(ages, self.rng("age").standard_normal(n) - 0.6 * conseiller).astype(np.int16)
        self.cols["age"][:] = age
        self.single("gender", everyone, plan.gender)
        self.single("education", everyone, plan.education)
        self.single(
            "department",
            everyone,
            plan.department,
            blank_pref(plan.department, discretion) + self.territory_pref(list(plan.department)),
        )
        self.multi("intervention_scale", everyone, plan.intervention_scale, plan.n)
        for g, m in groups.items():
            self.years(g, m, age)
            hired, contract = plan.first_hired[g], plan.contract[g]
            if self.asks("first_mediator_hired"):  # dropped from the questionnaire in 2024
                self.single("first_mediator_hired", m, hired, blank_pref(hired, discretion[m]), step=g)
            self.single("contract", m, contract, blank_pref(contract, 2 * discretion[m]), step=g)
        contract = self.cols["contract"]
        codes = [c.choice_code for c in self.cb.question("contract").choices]
        public = np.zeros(n)
        for k, code in enumerate(codes):
            like = design.CONTRACT_LIKE.get(code, code)
            public += design.PUBLIC_EMPLOYER_BY_CONTRACT.get(like, 0.0) * (contract == k)
        self.single(
            "employer", everyone, plan.employer, np.column_stack([public, np.zeros((n, len(plan.employer) - 1))])
        )
        self.salary(discretion)

    def territory_pref(self, codes: list[str]) -> NDArray[np.float64]:
        """Log-preferences for each département (``codes``) from the weekly volume and the reorientation boxes."""
        pref = np.zeros((self.n, len(codes)))
        volume = np.zeros(self.n)
        volume[self.e] = zscore_rank(self.cols["people_per_week"][self.e])
        for code, w in design.DEPARTMENT_BY_VOLUME.items():
            if code in codes:
                pref[:, codes.index(code)] += w * volume
        if self.asks("reorientation"):
            for item, effects in design.DEPARTMENT_BY_REORIENTATION.items():
                ticked = self.ticked("reorientation", item)
                for code, w in effects.items():
                    if code in codes:
                        pref[:, codes.index(code)] += w * ticked
        return pref

    def years(self, group: str, mask: NDArray[np.bool_], age: NDArray[np.int16]) -> None:
        """Years of practice of a group: a gamma shape in half-years, exact group total, older = longer."""
        size = int(mask.sum())
        if size == 0:
            return
        shape, scale = design.YEARS_SHAPE[group]
        raw = stats.gamma.ppf((np.arange(size) + 0.5) / size, shape, scale=scale)
        total = round(self.plan.years_tenths[group] * size / self.plan.group_size(group) / 5) * 5
        tenths = exact_sum(raw * 10, total, 5, 0, design.YEARS_MAX[group] * 10)
        a = age[mask].astype(float)
        noise = self.rng(f"years{group}").standard_normal(size)
        for spread in (4.0, 2.0, 1.0, 0.5, 0.0):
            years = assign_by_rank(tenths, a + spread * noise)
            if (years <= (a - 16) * 10).all():
                break
        self.cols["years_practice"][mask] = years

    def salary(self, discretion: NDArray[np.float64]) -> None:
        n, plan = self.n, self.plan
        contract = self.cols["contract"]
        answered = round(plan.salary_answered * n / plan.n)
        pref = np.where(contract < 0, 10.0, 0.0) + design.DISCRETION * discretion
        skip = (
            assign_categories([n - answered, answered], self.rng("salary skip"), np.column_stack([pref, np.zeros(n)]))
            == 0
        )
        rows = ~skip
        codes = [c.choice_code for c in self.cb.question("contract").choices]
        base = np.array(
            [design.SALARY_BY_CONTRACT[design.CONTRACT_LIKE.get(c, c)] for c in codes]
            + [np.mean(list(design.SALARY_BY_CONTRACT.values()))]
        )
        years = self.cols["years_practice"][rows] / NUMBER_UNITS["years_practice"]
        raw = base[contract[rows]] + design.SALARY_PER_YEAR * years
        raw = raw + design.SALARY_SD * self.rng("salary").standard_normal(int(rows.sum()))
        if answered == plan.salary_answered:
            total, step = plan.salary_total, (10 if plan.salary_total % 10 == 0 else 1)
        else:
            total, step = round(plan.salary_total * answered / plan.salary_answered / 10) * 10, 10
        self.cols["salary"][rows] = exact_sum(np.round(raw / 10) * 10, total, step, *design.SALARY_RANGE)

    def fill_generic(self) -> None:
        """Answer plausibly any question the steps above do not know (a question added to the codebook later).

        A single choice whose shares the plan states (``plan.levels``: a question
        added after 2023, with the shares of ``wave_shifts.csv``) gets exactly
        those, independently of every other answer; otherwise uniform choices,
        one or two boxes, uniform scale values, numbers uniform in the
        codebook's range; free texts stay empty. Calibrated questions are
        untouched: only questions whose every variable is still empty are filled.
        """
        rng = self.rng("generic")
        for q in self.cb.questions:
            names = [v.name for v in q.answer_variables()]
            if q.type == "text" or any((self.cols[name] >= 0).any() for name in names):
                continue
            if q.question_code in self.plan.levels:
                self.single(q.question_code, np.ones(self.n, dtype=bool), self.plan.levels[q.question_code])
            elif q.type == "single":
                self.cols[q.question_code][:] = rng.integers(0, len(q.choices), self.n)
            elif q.type == "multi":
                first = rng.integers(0, len(q.items), self.n)
                for k, name in enumerate(names):
                    self.cols[name][:] = (first == k) | (rng.random(self.n) < 0.15)
            else:
                lo, hi = int(q.min_value or (1 if q.type == "scale" else 0)), int(q.max_value or 10)
                for name in names:
                    self.cols[name][:] = rng.integers(lo, hi + 1, self.n)

    def blank_unasked(self) -> None:
        """Empty every variable of a question whose condition is false (the questionnaire skipped it)."""
        for q in self.cb.questions:
            if not q.is_conditional:
                continue
            cond = self.cb.question(q.asked_if_question)
            asked = self.cols[cond.question_code] == [c.choice_code for c in cond.choices].index(q.asked_if_choice)
            for v in q.variables():
                self.cols[v.name][~asked] = -1


def build_respondents(cb: codebook.Codebook, plan: Plan, n: int, seed: int, exact: bool) -> Columns:
    """Answer columns of ``n`` kept respondents; ``exact`` (2023 size) makes every group figure exact."""
    return Builder(cb, plan, n, seed, exact).build()
