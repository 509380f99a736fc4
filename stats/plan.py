"""Which comparisons to test, derived from the codebook.

The report crosses every answer with two things: whether the mediator
supports online procedures (tables 3 and 11) and the places they work in
(figures 3–6); it also compares post titles (figure 1 and the "65 of the 93
first hired"). The few anchors below name those questions; every list of
questions, items and choices they expand to comes from the codebook, so a
question added to the questionnaire is tested without touching this file.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import codebook
from stats.errors import StatsError

#: The question the questionnaire's skip logic hangs on, crossed with every profile question (tables 3, 11).
SPLIT = "does_eadmin"
#: The multiple-choice question whose boxes split the e-administration answers (figures 3–6).
PLACE = "place"
#: Single-choice questions whose groups are compared on every number (figure 1: post titles; the conclusion's
#: "volume varies by territory": départements). Each grouping costs ~0.5 s of studentized-range integrals.
GROUPINGS = ("post_title", "department")
#: Crossed with every other profile question (text: 65 of the 93 first hired are conseillers).
ANCHOR = "post_title"
#: The groupings whose pairs are tested too (figure 1's "the lowest"): each costs ~0.5 s of studentized-range
#: integrals per number and wave; the départements' claims are about the omnibus test only.
PAIRWISE_GROUPINGS = ("post_title",)
#: The conclusion's "reorientation possibilities unequal by territory": these questions' boxes × départements.
TERRITORY = "department"
BY_TERRITORY = ("reorientation",)
#: Linear models of each number asked under the split: places alone, then with the controls the data allow.
MODELS = {"places": (), "places_controls": ("post_title", "department", "years_practice")}

#: Codes and labels of a ticked / unticked box, as LimeSurvey writes them.
BOX_CHOICES = (("Y", "Oui"), ("N", "Non"))


@dataclass(frozen=True)
class Var:
    """A column of the analysis frame, with what the codebook says about it."""

    name: str
    label: str
    kind: str  # single | box | number | scale
    question_code: str
    asked_if: tuple[str, str] | None = None
    choices: tuple[tuple[str, str], ...] = ()
    short_label: str = ""
    #: SQL over the wide table's columns, for a variable the stats derive (a battery's breadth); empty: a column.
    expression: str = ""

    @property
    def labels(self) -> dict[str, str]:
        return dict(self.choices)


@dataclass(frozen=True)
class Crosstab:
    family: str
    row: Var
    col: Var

    @property
    def comparison_id(self) -> str:
        return f"crosstab:{self.row.name}:{self.col.name}"


@dataclass(frozen=True)
class TwoGroups:
    family: str
    outcome: Var
    group: Var  # a box: ticked against not ticked

    @property
    def comparison_id(self) -> str:
        return f"two_groups:{self.outcome.name}:{self.group.name}"


@dataclass(frozen=True)
class KGroups:
    family: str
    outcome: Var
    group: Var
    pairs: bool = True  # the pairwise tests too (a "lowest" / "highest" claim needs them)

    @property
    def comparison_id(self) -> str:
        return f"k_groups:{self.outcome.name}:{self.group.name}"


@dataclass(frozen=True)
class Paired:
    """Two items of one question answered by the same respondents (table 6: individual vs collective)."""

    family: str
    first: Var
    second: Var

    @property
    def comparison_id(self) -> str:
        return f"paired:{self.first.name}:{self.second.name}"


@dataclass(frozen=True)
class Within:
    """Do the items of one question differ, within respondents (tables 4 and 5: their rankings)?"""

    family: str
    question_code: str
    items: tuple[Var, ...]

    @property
    def comparison_id(self) -> str:
        return f"within:{self.question_code}"


@dataclass(frozen=True)
class Model:
    family: str
    model_id: str
    outcome: Var
    predictors: tuple[Var, ...]

    @property
    def comparison_id(self) -> str:
        return f"regression:{self.outcome.name}:{self.model_id}"

    @property
    def block_family(self) -> str:
        """The family of the model's joint tests, one per block of predictors (footnote 3)."""
        return f"regression_blocks:{self.outcome.name}:{self.model_id}"


@dataclass(frozen=True)
class Plan:
    crosstabs: tuple[Crosstab, ...] = ()
    two_groups: tuple[TwoGroups, ...] = ()
    k_groups: tuple[KGroups, ...] = ()
    models: tuple[Model, ...] = ()
    variables: tuple[Var, ...] = field(default=())
    paired: tuple[Paired, ...] = ()
    within: tuple[Within, ...] = ()

    def for_edition(self, edition: codebook.Codebook) -> Plan:
        """The comparisons a wave's edition asked, labelled as that edition labels them.

        A comparison stays only if every question it reads was asked. Variables
        keep the whole codebook's choices, so the frame's ENUM codes mean the
        same in every wave (a choice the wave did not offer is an empty
        category, which the tests drop with a note); their labels and those of
        their choices are the edition's (France Travail in 2024).
        """
        asked = {v.name: v for q in edition.questions for v in variables(q)}
        asked |= {b.name: b for b in (breadth(q) for q in edition.questions if has_breadth(q))}

        def relabel(v: Var) -> Var:
            e = asked[v.name]
            labels = dict(e.choices)
            choices = tuple((code, labels.get(code, label)) for code, label in v.choices)
            return replace(v, label=e.label, short_label=e.short_label, choices=choices)

        def keep(*vs: Var) -> bool:
            return all(v.name in asked for v in vs)

        return Plan(
            tuple(replace(c, row=relabel(c.row), col=relabel(c.col)) for c in self.crosstabs if keep(c.row, c.col)),
            tuple(
                replace(t, outcome=relabel(t.outcome), group=relabel(t.group))
                for t in self.two_groups
                if keep(t.outcome, t.group)
            ),
            tuple(
                replace(k, outcome=relabel(k.outcome), group=relabel(k.group))
                for k in self.k_groups
                if keep(k.outcome, k.group)
            ),
            tuple(
                replace(m, outcome=relabel(m.outcome), predictors=tuple(relabel(p) for p in m.predictors))
                for m in self.models
                if keep(m.outcome, *m.predictors)
            ),
            self.variables,
            tuple(replace(p, first=relabel(p.first), second=relabel(p.second)) for p in self.paired
                  if keep(p.first, p.second)),
            tuple(replace(w, items=tuple(relabel(v) for v in w.items)) for w in self.within if keep(*w.items)),
        )

    def comparison_ids(self) -> set[str]:
        specs = (*self.crosstabs, *self.two_groups, *self.k_groups, *self.models, *self.paired, *self.within)
        # a claim about a whole family ("family:<family>") is planned when its comparisons are
        families = {s.family for s in specs} | {m.block_family for m in self.models}
        return {s.comparison_id for s in specs} | {f"family:{f}" for f in families}

    def array_variables(self) -> tuple[Var, ...]:
        """The variables the tests on individual answers read (several groups, regression), with their gates.

        The other comparisons work on counts computed in DuckDB; fetching only
        these keeps a million-respondent wave to a few columns in memory.
        """
        by_name = {v.name: v for v in self.variables}
        needed = {k.outcome.name for k in self.k_groups} | {k.group.name for k in self.k_groups}
        needed |= {m.outcome.name for m in self.models} | {p.name for m in self.models for p in m.predictors}
        needed |= {v.name for p in self.paired for v in (p.first, p.second)}
        needed |= {v.name for w in self.within for v in w.items}
        needed |= {by_name[n].asked_if[0] for n in list(needed) if by_name[n].asked_if}
        return tuple(v for v in self.variables if v.name in needed)


def variables(q: codebook.Question) -> list[Var]:
    """The analysis columns of a question: one per item for batteries and boxes, else one.

    Choices marked out of target (``is_target`` false) are left out: the
    cleaning rules exclude whoever gives them, so no respondent has them.
    """
    asked_if = (q.asked_if_question, q.asked_if_choice) if q.asked_if_question else None
    if q.type == "single":
        choices = tuple((c.choice_code, c.label_fr) for c in q.choices if c.is_target is not False)
        return [Var(q.question_code, q.label_fr, "single", q.question_code, asked_if, choices, q.label_fr)]
    if q.type in ("number", "scale") and not q.items:
        return [Var(q.question_code, q.label_fr, q.type, q.question_code, asked_if, (), q.label_fr)]
    if q.type in ("multi", "scale"):
        kind = "box" if q.type == "multi" else "scale"
        choices = BOX_CHOICES if kind == "box" else ()
        return [
            Var(
                f"{q.question_code}__{i.item_code}",
                f"{q.label_fr} : {i.label_fr}",
                kind,
                q.question_code,
                asked_if,
                choices,
                i.label_fr,
            )
            for i in q.items
        ]
    return []


#: Figure 6's "une grande diversité de sites": a battery's breadth is the number of its items a respondent
#: answers above the scale's floor ("jamais"), for the scale batteries of at least this many items.
BREADTH_MIN_ITEMS = 3


def has_breadth(q: codebook.Question) -> bool:
    return q.type == "scale" and len(q.items) >= BREADTH_MIN_ITEMS


def breadth(q: codebook.Question) -> Var:
    """How many items of scale battery ``q`` a respondent answers above its floor (NULL if none is answered)."""
    items = variables(q)
    floor = int(q.min_value or 1)
    columns = [f'"{v.name}"' for v in items]
    above = " + ".join(f"CAST(coalesce({c} > {floor}, false) AS INTEGER)" for c in columns)
    label = f"{q.label_fr} : nombre d'items au-dessus de « jamais »"
    return Var(
        f"{q.question_code}__breadth", label, "number", q.question_code, items[0].asked_if, (),
        "diversité (items au-dessus de « jamais »)",
        expression=f"CASE WHEN coalesce({', '.join(columns)}) IS NULL THEN NULL ELSE {above} END",
    )


def build_plan(cb: codebook.Codebook | None = None) -> Plan:
    """Every comparison the stats stage runs, in a stable order."""
    cb = cb or codebook.load()
    known = {q.question_code for q in cb.questions}
    anchors = (SPLIT, PLACE, ANCHOR, TERRITORY, *BY_TERRITORY, *GROUPINGS,
               *(c for controls in MODELS.values() for c in controls))
    missing = [c for c in anchors if c not in known]
    if missing:
        raise StatsError(
            f"stats/plan.py names question(s) {', '.join(missing)} that codebook_questions.csv does not define"
        )
    split = variables(cb.question(SPLIT))[0]
    places = variables(cb.question(PLACE))
    anchor = variables(cb.question(ANCHOR))[0]
    profile = [
        v
        for q in cb.questions
        if q.type == "single" and q.asked_if_question is None and q.question_code != SPLIT
        for v in variables(q)
    ]
    crosstabs = [Crosstab(f"profile_x_{SPLIT}", v, split) for v in profile]
    crosstabs += [Crosstab(f"{PLACE}_x_{SPLIT}", v, split) for v in places]
    crosstabs += [Crosstab(f"{ANCHOR}_x_profile", anchor, v) for v in profile if v.name != anchor.name]
    territory = variables(cb.question(TERRITORY))[0]
    crosstabs += [
        Crosstab(f"{q}_x_{TERRITORY}", box, territory) for q in BY_TERRITORY for box in variables(cb.question(q))
    ]

    under_split = [
        q for q in cb.questions if q.asked_if_question == SPLIT and q.type in ("number", "scale")
    ]
    two = []
    for q in under_split:
        outcomes = variables(q)
        if has_breadth(q):
            outcomes.append(breadth(q))
        for outcome in outcomes:
            for place in places:
                family = f"{q.question_code}_by_{PLACE}" if not q.items else f"{q.question_code}_by_{place.name}"
                two.append(TwoGroups(family, outcome, place))

    numbers = [v for q in cb.questions if q.type == "number" for v in variables(q)]
    k = [
        KGroups(f"numbers_by_{g}", outcome, variables(cb.question(g))[0], pairs=g in PAIRWISE_GROUPINGS)
        for g in GROUPINGS
        for outcome in numbers
    ]

    models = []
    for outcome in (v for q in under_split if q.type == "number" for v in variables(q)):
        for model_id, controls in MODELS.items():
            predictors = tuple(places) + tuple(variables(cb.question(c))[0] for c in controls)
            models.append(Model(f"regression:{outcome.name}:{model_id}", model_id, outcome, predictors))

    batteries = [(q, variables(q)) for q in cb.questions if q.type in ("scale", "multi") and len(q.items) >= 2]
    paired = [Paired(f"paired:{q.question_code}", *vs) for q, vs in batteries if q.type == "scale" and len(vs) == 2]
    within = [Within(f"within:{q.question_code}", q.question_code, tuple(vs)) for q, vs in batteries if len(vs) > 2
              or q.type == "multi"]

    used = {v.name: v for v in [split, *places, anchor, *profile, *numbers, territory]}
    used |= {c.row.name: c.row for c in crosstabs}
    used |= {v.name: v for _, vs in batteries for v in vs}
    used |= {c.outcome.name: c.outcome for c in two}
    for v in list(used.values()):  # the skip-logic questions, to know who was asked
        if v.asked_if and v.asked_if[0] not in used:
            used |= {w.name: w for w in variables(cb.question(v.asked_if[0]))}
    return Plan(
        tuple(crosstabs), tuple(two), tuple(k), tuple(models), tuple(used.values()), tuple(paired), tuple(within)
    )
