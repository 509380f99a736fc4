"""The calibration plan: how many 2023 respondents give each answer.

The plan turns the published figures (``targets.csv``), the questionnaire
(codebook) and the remaining design choices (``design.py``) into counts and
value multisets for the 178 kept respondents, split by the strata the report
crosses (does / does not support online procedures, conseiller numérique or
not). It decides *how many*; ``respondents.py`` decides *who*. At any other
size the same counts are scaled proportionally within each stratum, so the
distributions and the relationships carry over.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import codebook
from samplegen import design
from samplegen.allocate import largest_remainder
from samplegen.calibrate import Calibrated, beta_reference, calibrate, heaped_domain, lognormal_reference
from samplegen.targets import Targets

#: Key of the blank answer of an optional single-choice question in a count dict.
BLANK = ""
#: Strata of the 2023 sample: does_eadmin choice codes.
EADMIN, NON_EADMIN = "Y", "N"
#: Groups used by figure 1 and the first-mediator crossing.
CONSEILLER, OTHER = "A1", "other"


def choice_code(q: codebook.Question, label: str) -> str:
    """The code of the choice (or item) of ``q`` whose French label is ``label``."""
    for c in q.choices:
        if c.label_fr == label:
            return c.choice_code
    for i in q.items:
        if i.label_fr == label:
            return i.item_code
    raise KeyError(f"{q.question_code}: no choice or item labelled {label!r}")


def item_label(q: codebook.Question, item_code: str | None) -> str:
    """The published label of a scale row (the question label for a single-row scale)."""
    if item_code is None:
        return q.label_fr
    return next(i.label_fr for i in q.items if i.item_code == item_code)


def scale_rows(q: codebook.Question) -> list[tuple[str, str | None]]:
    """(variable name, item code) of every row of a scale or number question."""
    if q.items:
        return [(f"{q.question_code}__{i.item_code}", i.item_code) for i in q.items]
    return [(q.question_code, None)]


@dataclass
class Plan:
    """Counts and multisets for the base sample; see module docstring."""

    n: int
    strata: dict[str, int]
    job_description: dict[str, dict[str, int]]
    efs_on_territory: dict[str, dict[str, int]]
    post_title: dict[str, dict[str, int]]
    place: dict[str, dict[str, int]]
    reasons: dict[str, int]
    people_per_week: Calibrated
    people_per_week_sums: dict[str, int]
    scales: dict[str, Calibrated]
    reorientation_answered: int
    reorientation: dict[str, int]
    need_referent: dict[str, int]
    age_total: int
    gender: dict[str, int]
    education: dict[str, int]
    department: dict[str, int]
    employer: dict[str, int]
    intervention_scale: dict[str, int]
    years_tenths: dict[str, int]
    first_hired: dict[str, dict[str, int]]
    contract: dict[str, dict[str, int]]
    salary_answered: int
    salary_total: int
    #: Expected shares (any positive weights) of single-choice questions the 2023 report does not
    #: cover, by choice code: questions added in a later wave (see ``waves.py``). Empty for 2023.
    levels: dict[str, dict[str, float]] = field(default_factory=dict)

    def group_size(self, group: str) -> int:
        """Base size of a post-title group: conseillers numériques or the others."""
        c = sum(s[CONSEILLER] for s in self.post_title.values())
        return c if group == CONSEILLER else self.n - c


def _crosstab(targets: Targets, cb: codebook.Codebook, key: str) -> dict[tuple[str, str], int]:
    qa, qb = (cb.question(k) for k in key.split("_x_"))
    out = {}
    for t in targets.of_question(key, "count"):
        (_, la), (_, lb) = (part.split("=") for part in t.item.split(" & "))
        out[(choice_code(qa, la), choice_code(qb, lb))] = int(t.value)
    return out


def _by_stratum(cells: dict[tuple[str, str], int]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for (code, stratum), count in cells.items():
        out.setdefault(stratum, {})[code] = count
    return out


def _split(total: int, weights: dict[str, float]) -> dict[str, int]:
    return dict(zip(weights, (int(c) for c in largest_remainder(list(weights.values()), total)), strict=True))


def _people_per_week(
    targets: Targets, cb: codebook.Codebook, n_e: int, place_e: dict[str, int]
) -> tuple[Calibrated, dict[str, int]]:
    """Calibrate people per week so that the figure-3 group means are reachable too."""
    q = cb.question("people_per_week")
    place_q = cb.question("place")
    label = q.label_fr
    mean, median, sd = (targets.get(q.question_code, label, s) for s in ("mean", "median", "sd"))
    groups: dict[str, list[tuple[str, int, list[int]]]] = {}
    for t in targets.of_question("people_per_week_by_place", "mean"):
        place_label, answer = t.item.rsplit("=", 1)
        code = choice_code(place_q, place_label)
        size = place_e[code] if answer == "Oui" else n_e - place_e[code]
        groups.setdefault(code, []).append((answer, size, t.integer_sums(size)))
    feasible: list[tuple[int, dict[str, int]]] = []
    for total in mean.integer_sums(n_e):
        chosen = {}
        for code, parts in groups.items():
            yes = next(p for p in parts if p[0] == "Oui")
            no = next((p for p in parts if p[0] == "Non"), None)
            ok = [s for s in yes[2] if no is None or (total - s) in no[2]]
            if not ok:
                break
            chosen[code] = ok[len(ok) // 2]
        else:
            feasible.append((total, chosen))
    if not feasible:
        raise ValueError("figure 3: no total of people per week fits every group mean")
    total, group_sums = feasible[0]
    domain = heaped_domain()
    ref = lognormal_reference(mean.value, sd.value, n_e, domain)
    cal = calibrate(label, domain, ref, n_e, mean, median, sd, totals=[total])
    return cal, group_sums


def build_plan(cb: codebook.Codebook, targets: Targets) -> Plan:
    """Derive every count of the 2023 sample from the targets and the design choices."""
    n = int(targets.get("sample", "Répondant.e.s retenu.e.s après tri et consolidation", "count").value)
    q_does = cb.question("does_eadmin")
    n_e = targets.count("does_eadmin", "Oui")
    strata = {EADMIN: n_e, NON_EADMIN: n - n_e}
    job = _by_stratum(_crosstab(targets, cb, "job_description_x_does_eadmin"))
    efs = _by_stratum(_crosstab(targets, cb, "efs_on_territory_x_does_eadmin"))
    for d in (job, efs):
        assert {k: sum(v.values()) for k, v in d.items()} == strata, "cross-tab margins differ from does_eadmin"
    assert [c.choice_code for c in q_does.choices] == [EADMIN, NON_EADMIN]

    q_title = cb.question("post_title")
    titles = {c.choice_code: targets.count("post_title", c.label_fr) for c in q_title.choices if c.is_target}
    post_title = {
        NON_EADMIN: dict(design.POST_TITLE_NON_EADMIN),
        EADMIN: {k: v - design.POST_TITLE_NON_EADMIN[k] for k, v in titles.items()},
    }
    q_place = cb.question("place")
    places = {i.item_code: targets.count("place", i.label_fr) for i in q_place.items}
    place = {
        NON_EADMIN: dict(design.PLACE_NON_EADMIN),
        EADMIN: {k: v - design.PLACE_NON_EADMIN[k] for k, v in places.items()},
    }
    reasons = {
        i.item_code: targets.count("reason_not_eadmin", i.label_fr) for i in cb.question("reason_not_eadmin").items
    }
    ppw, ppw_sums = _people_per_week(targets, cb, n_e, place[EADMIN])

    scales: dict[str, Calibrated] = {}
    for q in cb.questions:
        if q.type != "scale":
            continue
        for name, item in scale_rows(q):
            label = item_label(q, item)
            mean, median, sd = (targets.get(q.question_code, label, s) for s in ("mean", "median", "sd"))
            ref = beta_reference(mean.value, sd.value, n_e, int(q.max_value or 10))
            scales[name] = calibrate(
                label, np.arange(int(q.min_value or 1), int(q.max_value or 10) + 1), ref, n_e, mean, median, sd
            )

    q_reo = cb.question("reorientation")
    reo_answered = targets.get("reorientation", q_reo.items[0].label_fr, "count").n or n_e
    reorientation = {i.item_code: targets.count("reorientation", i.label_fr) for i in q_reo.items}
    need_referent = {
        i.item_code: targets.count("need_referent_contact", i.label_fr)
        for i in cb.question("need_referent_contact").items
    }

    age_mean = targets.get("age", "Âge", "mean")
    age_total = _closest(age_mean.integer_sums(n), age_mean.value * n)
    female = targets.count("gender", "Femme", n)
    gender = {"F": female, **_split(n - female, design.GENDER_REST)}
    q_edu = cb.question("education")
    high_label = "Bac+2/+3 ou plus"
    high = targets.count("education", high_label, n)
    education: dict[str, int] = {}
    for group_label, size in ((None, n - high), (high_label, high)):
        codes = [c.choice_code for c in q_edu.choices if (c.group_label_fr == high_label) == (group_label is not None)]
        education.update(_split(size, {c: design.EDUCATION_SPLIT[c] for c in codes}))
    answered_dep = design.ANSWERED["department"]
    department = {"35": targets.count("department", "Ille-et-Vilaine", answered_dep)}
    department.update(design.DEPARTMENT_REST)
    department[BLANK] = n - answered_dep
    employer = {"A1": targets.count("employer", "Structure publique", n), **design.EMPLOYER_REST}
    scale_q = cb.question("intervention_scale")
    intervention = {
        i.item_code: targets.count("intervention_scale", i.label_fr, n)
        for i in scale_q.items
        if targets.has("intervention_scale", i.label_fr, "percent")
    }
    intervention.update(design.INTERVENTION_SCALE_REST)

    n_conseiller = titles[CONSEILLER]
    years_c = targets.get("years_practice_by_post_title", q_title.choices[0].label_fr, "mean")
    years_all = targets.get("years_practice", cb.question("years_practice").label_fr, "mean")
    tenths_c = _closest(
        [s for s in years_c.integer_sums(n_conseiller * 10) if s % 5 == 0], years_c.value * n_conseiller * 10
    )
    tenths_all = _closest([s for s in years_all.integer_sums(n * 10) if s % 5 == 0], years_all.value * n * 10)
    years_tenths = {CONSEILLER: tenths_c, OTHER: tenths_all - tenths_c}

    hired_yes = targets.count("first_mediator_hired", "Oui")
    hired_yes_c = targets.count("first_mediator_hired_x_post_title", q_title.choices[0].label_fr)
    answered_hired = design.ANSWERED["first_mediator_hired"]
    sizes = {CONSEILLER: n_conseiller, OTHER: n - n_conseiller}
    yes = {CONSEILLER: hired_yes_c, OTHER: hired_yes - hired_yes_c}
    first_hired = {
        g: {"Y": yes[g], "N": sizes[g] - yes[g] - design.FIRST_HIRED_BLANK[g], BLANK: design.FIRST_HIRED_BLANK[g]}
        for g in sizes
    }
    assert sum(v["Y"] + v["N"] for v in first_hired.values()) == answered_hired
    assert targets.get("first_mediator_hired", "Oui", "percent").matches(100 * hired_yes / answered_hired)

    contract = {g: dict(v) for g, v in design.CONTRACT_BY_GROUP.items()}
    answered_contract = design.ANSWERED["contract"]
    cdd = targets.count("contract", "CDD", answered_contract)
    assert sum(v["A2"] for v in contract.values()) == cdd, "design.CONTRACT_BY_GROUP: CDD total differs"
    assert sum(sum(v.values()) - v[BLANK] for v in contract.values()) == answered_contract
    assert {g: sum(v.values()) for g, v in contract.items()} == sizes

    answered_salary = design.ANSWERED["salary"]
    salary_mean = targets.get("salary", cb.question("salary").label_fr, "mean")
    sums = salary_mean.integer_sums(answered_salary)
    salary_total = min(sums, key=lambda s: (s % 10 != 0, abs(s - salary_mean.value * answered_salary)))

    return Plan(
        n=n,
        strata=strata,
        job_description=job,
        efs_on_territory=efs,
        post_title=post_title,
        place=place,
        reasons=reasons,
        people_per_week=ppw,
        people_per_week_sums=ppw_sums,
        scales=scales,
        reorientation_answered=reo_answered,
        reorientation=reorientation,
        need_referent=need_referent,
        age_total=age_total,
        gender=gender,
        education=education,
        department=department,
        employer=employer,
        intervention_scale=intervention,
        years_tenths=years_tenths,
        first_hired=first_hired,
        contract=contract,
        salary_answered=answered_salary,
        salary_total=salary_total,
    )


def _closest(candidates: list[int], x: float) -> int:
    if not candidates:
        raise ValueError("no total fits the published mean")
    return min(candidates, key=lambda s: (abs(s - x), s))
