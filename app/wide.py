"""One scan of the selection's wide rows: how many respondents (and which cell key) each value of each variable has.

Why: counting on the long answer tables (one row per respondent × item) joined to the selection read tens of
millions of rows per query at 1M respondents. The wide table ``marts.respondents_wide`` has one row per
respondent; one GROUP BY GROUPING SETS over the selection's rows counts every value of every variable a page
needs in a single pass, and the result is small (a row per value). :mod:`app.queries` computes every
statistic from it (shares, means, medians, cross-tabs), without reading respondents again.

A *dimension* is one expression on a respondent's wide row (``r``), named by what it holds:

- ``c:<variable>``: a single choice's code, or ``Y``/``N`` for a box, for those asked the question (else NULL);
- ``t:<question>``: ``Y`` when any box of a multiple choice is ticked, ``N`` when none is, for those asked;
- ``v:<variable>``: a value (double) of a 1–10 scale, for those asked, or of a number question as given;
- ``a:<question>=<choice>`` (``a:*`` for an unconditional question): ``Y`` for those a scale was asked.

A *set* is one or two dimensions, named by them (``c:post_title|v:years_practice``); the scan returns one row per
combination of its values, with the respondents counted (``n``) and their cell key (``ckey``,
:mod:`app.perturbation`). The set ``''`` is the whole selection. Sets are counted in *packs* (a question's
boxes together, three items of a scale together: :func:`_packs`) and summed from them. Which variables a wave
asked, and who was asked them, comes from the codebook (:func:`app.codebook.edition_variables`), never from
Python.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from app import precomputed
from app.codebook import edition_variables
from app.db import FileVersion, run_version
from app.filters import RespondentFilter
from app.perturbation import cell_key_sql, key_sql
from app.sql import column, literal

#: A variable that can be crossed: (question, box) or (question, None) for a single choice.
Variable = tuple[str, str | None]

CODE, TICKED, VALUE, ASKED = "c", "t", "v", "a"
#: The dimension kinds whose values read as codes (text); ``VALUE`` dimensions read as doubles.
_CODE_KINDS = (CODE, TICKED, ASKED)
EVERYONE = "*"
#: The scan's columns: the set, then each of its (at most two) dimensions' value as a code or a number.
SLOTS = (("code1", "varchar"), ("value1", "double"), ("code2", "varchar"), ("value2", "double"))


def dim(kind: str, name: str) -> str:
    return f"{kind}:{name}"


def set_name(*dims: str) -> str:
    return "|".join(dims)


def asked_key(asked_if_question: str | None, asked_if_choice: str | None) -> str:
    """What decides who was asked a question: ``does_eadmin=Y``, or ``*`` for everyone."""
    if asked_if_question is None:
        return EVERYONE
    return f"{asked_if_question}={asked_if_choice}"


@dataclass(frozen=True)
class Request:
    """What one scan counts: every variable of ``questions`` (shares, summaries, value counts), each pair of
    ``pairs`` (cross-tabs) and each (value question, group question, group box or None) of ``groupings`` (group
    summaries). Requests combine with ``|``; a page asks for all it needs at once, so the selection is read once."""

    questions: frozenset[str] = frozenset()
    pairs: frozenset[tuple[Variable, Variable]] = frozenset()
    groupings: frozenset[tuple[str, str, str | None]] = frozenset()

    def __or__(self, other: Request) -> Request:
        return Request(self.questions | other.questions, self.pairs | other.pairs, self.groupings | other.groupings)

    @classmethod
    def of(cls, questions: Iterable[str] = (), pairs: Iterable[tuple[Variable, Variable]] = (),
           groupings: Iterable[tuple[str, str, str | None]] = ()) -> Request:
        return cls(frozenset(questions), frozenset(pair_key(*p) for p in pairs), frozenset(groupings))


def pair_key(row: Variable, col: Variable) -> tuple[Variable, Variable]:
    """A cross-tab's set holds its two variables in one order whichever is the row (the same counts)."""
    return (row, col) if repr(row) <= repr(col) else (col, row)


@dataclass(frozen=True)
class Dim:
    """One dimension: its name, its SQL on a respondent's row ``r`` (grouped in its own type: booleans and
    integers hash faster than text), how its grouped value reads in the scan's result (``{}``: the value), and
    what it holds (``family``: code, box, ticked, asked, scale or number; ``question``), which decides what it is
    counted together with (:func:`_packs`)."""

    name: str
    expression: str
    reads_as: str = "{}"
    family: str = "code"
    question: str | None = None

    @property
    def is_code(self) -> bool:
        return self.name.split(":", 1)[0] in _CODE_KINDS


#: How many dimensions of a family one grouping set counts together (their combinations stay few: a box is
#: Y/N, a scale 1–10, a choice a handful of codes); a number's values are many, so it is counted alone.
PACK_SIZE = {"box": 12, "scale": 3, "code": 2}
#: For a group comparison: how many groups (boxes, or a single choice) and values (scale items; a number alone)
#: one grouping set counts together.
GROUPS_PER_PACK = {"box": 3, "code": 1}
GROUPED_PACK_SIZE = {"scale": 2, "number": 1}
#: Dimensions that add (almost) no combination to a pack of their question's boxes or of scale values: whether any
#: box is ticked, whether a scale was asked.
_RIDES_WITH = {"ticked": "box", "asked": "scale"}


#: A boolean dimension reads Y / N (NULL: not asked).
_YES_NO = "case when {0} then 'Y' when not {0} then 'N' end"


class Edition:
    """The dimensions of one wave's questionnaire: which columns it asked, of what type, and of whom.

    Who was asked a conditional question (``asked_if_question`` = ``asked_if_choice``, the dbt macro
    ``asked_condition``) is computed once per respondent (:attr:`conditions`, a column each) and read by every
    dimension of the questions it conditions."""

    def __init__(self, variables: pd.DataFrame) -> None:
        # plain Python: a page's statements each generate their scan's SQL, so this must cost nothing
        rows = variables.astype(object).where(variables.notna(), None).to_dict("records")
        self.questions = {r["question_code"]: r for r in rows}  # any row of a question carries its type and rule
        self.by_question: dict[str, list[dict]] = {}
        for r in rows:
            self.by_question.setdefault(r["question_code"], []).append(r)
        self.names = {(r["question_code"], r["item_code"]): r["variable_name"] for r in rows}
        self.conditions: dict[str, str] = {}

    def type(self, question: str) -> str | None:
        q = self.questions.get(question)
        return None if q is None else str(q["type"])

    def asked_key(self, question: str) -> str | None:
        q = self.questions.get(question)
        return None if q is None else asked_key(q["asked_if_question"], q["asked_if_choice"])

    def _asked(self, question: str) -> str | None:
        """SQL on the row ``r``: whether the respondent was asked (None: every respondent of the wave was)."""
        q = self.questions.get(question)
        key = self.asked_key(question)
        if q is None or key == EVERYONE:
            return None
        name = dim(ASKED, str(key))
        self.conditions[name] = (
            f"coalesce(r.{column(q['asked_if_question'])} = {literal(str(q['asked_if_choice']))}, false)"
        )
        return f"r.{column(name)}"

    def _for_asked(self, question: str, expression: str) -> str:
        asked = self._asked(question)
        return expression if asked is None else f"case when {asked} then {expression} end"

    def code_dim(self, variable: Variable) -> Dim | None:
        """A single choice's code or a box's Y/N, for those asked; None if the wave did not ask it."""
        name = self.names.get(variable)
        if name is None:
            return None
        if self.type(variable[0]) == "multi":
            box = self._for_asked(variable[0], f"coalesce(r.{column(name)}, false)")
            return Dim(dim(CODE, name), box, _YES_NO, "box", variable[0])
        return Dim(dim(CODE, name), self._for_asked(variable[0], f"r.{column(name)}"), question=variable[0])

    def boxes(self, question: str, item: str | None = None) -> list[Variable]:
        if self.type(question) != "multi":
            return []
        found = [r["item_code"] for r in self.by_question[question]]
        return [(question, i) for i in found if item is None or i == item]

    def value_dims(self, question: str) -> list[Dim]:
        """Each value of a scale (for those asked) or number question (as given), read as a double."""
        kind = self.type(question)
        if kind not in ("scale", "number"):
            return []
        out = []
        for name in (r["variable_name"] for r in self.by_question[question]):
            value = f"r.{column(name)}"
            expression = self._for_asked(question, value) if kind == "scale" else value
            out.append(Dim(dim(VALUE, name), expression, "cast({} as double)", str(kind), question))
        return out

    def asked_dim(self, question: str) -> Dim:
        return Dim(dim(ASKED, str(self.asked_key(question))), self._asked(question) or "true", _YES_NO, "asked")

    def ticked_dim(self, question: str) -> Dim | None:
        names = [r["variable_name"] for r in self.by_question[question]] if self.type(question) == "multi" else []
        if not names:
            return None
        ticked = " or ".join(f"coalesce(r.{column(n)}, false)" for n in names)
        return Dim(dim(TICKED, question), self._for_asked(question, f"({ticked})"), _YES_NO, "ticked", question)

    def question_sets(self, question: str) -> list[list[Dim]]:
        """The one-dimension sets of a question: each code, each box and whether any is ticked, each value (and,
        for a scale, who was asked it: an item of the selection's asked respondents is shown even unanswered)."""
        kind = self.type(question)
        if kind == "single":
            found = self.code_dim((question, None))
            return [[found]] if found else []
        if kind == "multi":
            sets: list[list[Dim]] = [[d] for d in map(self.code_dim, self.boxes(question)) if d]
            ticked = self.ticked_dim(question)
            return sets + ([[ticked]] if ticked else [])
        values = [[d] for d in self.value_dims(question)]
        return values + ([[self.asked_dim(question)]] if kind == "scale" and values else [])

    def group_sets(self, value_question: str, group_question: str, group_item: str | None) -> list[list[Dim]]:
        """Each group dimension (a single choice, or each box) with each value of the value question, and, for a
        scale, with who was asked it."""
        if self.type(group_question) == "single":
            groups = [self.code_dim((group_question, None))]
        else:
            groups = [self.code_dim(box) for box in self.boxes(group_question, group_item)]
        values = self.value_dims(value_question)
        if not values:
            return []
        extra = [self.asked_dim(value_question)] if self.type(value_question) == "scale" else []
        return [[g, v] for g in groups if g for v in [*values, *extra]]


def _chunks(names: list[str], size: int) -> list[list[str]]:
    return [names[i : i + size] for i in range(0, len(names), size)]


@dataclass
class _Block:
    """Sets packed together: every chunk of ``leads`` with every chunk of ``values`` is one pack, with the
    ``riders``."""

    family: str
    question: str | None
    lead_size: int = 1
    value_size: int = 1
    leads: list[str] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    riders: list[str] = field(default_factory=list)

    def packs(self) -> list[tuple[str, ...]]:
        leads = _chunks(self.leads, self.lead_size) or [[]]
        return [(*lead, *values, *self.riders) for lead in leads for values in _chunks(self.values, self.value_size)]


def _block_key(lead: list[Dim], last: Dim) -> tuple:
    """Which sets share packs: a question's boxes or scale items, single choices of any question; a group
    comparison's groups and values (one block per value question and kind of group); a cross-tab's pairs with
    the same row."""
    if len(lead) == 1 and last.family in ("scale", "number") and lead[0].family in GROUPS_PER_PACK:
        return ("groups", last.question, lead[0].family)
    return (tuple(d.name for d in lead), last.family, None if last.family == "code" else last.question)


def _packs(sets: dict[tuple[str, ...], list[Dim]]) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Each set's *pack*: the dimensions actually grouped together, of which the set is a margin.

    Why: GROUPING SETS pays per set for every row, and grouping a question's boxes, or three items of a scale,
    together costs little more than grouping one; the sets are then summed from their pack's few rows. Sets
    are packed by blocks (:func:`_block_key`), up to :data:`PACK_SIZE` values and :data:`GROUPS_PER_PACK`
    groups a pack; whether any box is ticked or a scale asked rides along; a set that a larger pack holds is
    read from it."""
    blocks: dict[tuple, _Block] = {}
    riders = []
    for dims in sets.values():
        *lead, last = dims
        if last.family in _RIDES_WITH:
            riders.append((lead, last))
            continue
        key = _block_key(lead, last)
        if key not in blocks:
            grouped = key[0] == "groups"
            blocks[key] = _Block(
                last.family, last.question, GROUPS_PER_PACK[lead[0].family] if grouped else max(len(lead), 1),
                (GROUPED_PACK_SIZE if grouped else PACK_SIZE).get(last.family, 1),
            )
        block = blocks[key]
        block.leads += [d.name for d in lead if d.name not in block.leads]
        block.values += [last.name] if last.name not in block.values else []
    for lead, last in riders:
        lead_names = [d.name for d in lead]
        hosts = [
            b for b in blocks.values()
            if b.family == _RIDES_WITH[last.family] and (last.family != "ticked" or b.question == last.question)
            and (set(lead_names) <= set(b.leads) if lead_names else not b.leads)
        ]
        for host in hosts[:1] if not lead_names else hosts:
            host.riders += [last.name] if last.name not in host.riders else []
        if not hosts:
            blocks[(tuple(lead_names), last.family, last.name)] = _Block(
                last.family, last.question, len(lead_names) or 1, leads=lead_names, values=[last.name]
            )
    # each set is read from the largest pack that holds it: packs no set needs are not counted
    largest_first = sorted({p for b in blocks.values() for p in b.packs()}, key=lambda p: (-len(p), p))
    return {names: next(p for p in largest_first if set(names) <= set(p)) for names in sets}


def _scan_sql(selection: str, sets: list[list[Dim]], conditions: dict[str, str]) -> str:
    dims = {d.name: d for s in sets for d in s}
    alias = {name: f"d{i}" for i, name in enumerate(dims)}
    logical = {tuple(d.name for d in s): s for s in sets}
    pack_of = _packs(logical)
    same = {}  # two packs of the same dimensions in another order are one grouping
    pack_of = {names: same.setdefault(frozenset(pack), pack) for names, pack in pack_of.items()}
    # unique packs, larger first: a row belongs to the first pack whose dimensions are all grouped
    packs = sorted(set(pack_of.values()), key=lambda p: (-len(p), p))
    pack_names = {p: f"p{i}" for i, p in enumerate(packs)}
    asked = "".join(f", {expression} as {column(name)}" for name, expression in conditions.items())
    projected = "".join(f",\n        {d.expression} as {alias[d.name]}" for d in dims.values())
    grouping = ", ".join("(" + ", ".join(alias[d] for d in p) + ")" for p in [*packs, ()])
    whens = " ".join(
        f"when {' and '.join(f'grouping({alias[d]}) = 0' for d in p)} then {literal(pack_names[p])}" for p in packs
    )
    grouped = "".join(f", {a}" for a in alias.values())
    margins = [f"select '' as set_name, {', '.join(f'cast(null as {t}) as {slot}' for slot, t in SLOTS)}, n, ckey "
               "from counted where pack = ''"]
    for pack in packs:  # one grouping per pack: each of its sets, larger first as above
        sets_here = sorted((names for names, p in pack_of.items() if p == pack), key=lambda names: -len(names))
        identified = " ".join(
            f"when {' and '.join(f'grouping({alias[d]}) = 0' for d in names)} then {literal(set_name(*names))}"
            for names in sets_here
        )
        slots = []
        for i, (slot, sql_type) in enumerate(SLOTS):
            position, wants_code = i // 2, sql_type == "varchar"
            cases = [
                f"when {literal(set_name(*names))} then {dims[names[position]].reads_as.format(alias[names[position]])}"
                for names in sets_here
                if len(names) > position and dims[names[position]].is_code == wants_code
            ]
            value = f"case set_name {' '.join(cases)} end" if cases else "null"
            slots.append(f"cast({value} as {sql_type}) as {slot}")
        by = ", ".join("(" + ", ".join(alias[d] for d in names) + ")" for names in sets_here)
        margins.append(
            f"select set_name, {', '.join(slots)}, n, ckey from (\n"
            f"        select case {identified} end as set_name"
            f"{''.join(f', {alias[d]}' for d in dict.fromkeys(d for names in sets_here for d in names))},"
            " cast(sum(n) as bigint) as n,"
            f" {key_sql('sum(ckey)')} as ckey\n"
            f"        from counted where pack = {literal(pack_names[pack])} group by grouping sets ({by}))"
        )
    union = "\n    union all ".join(margins)
    return f"""with sel as ({selection}),
    asked as (select *{asked} from sel as r),
    dims as (select record_key{projected} from asked as r),
    counted as materialized (
        select {f"case {whens} else '' end" if whens else "''"} as pack{grouped}, count(*) as n,
            {cell_key_sql("record_key")} as ckey
        from dims group by grouping sets ({grouping})
    )
    {union}"""


def edition(path: Path, wave: str) -> Edition:
    """The dimensions of ``wave``'s questionnaire (cached per build, like a query)."""
    return _edition(str(path), run_version(path), wave)


@st.cache_data(max_entries=64, show_spinner=False)
def _edition(path: str, version: FileVersion, wave: str) -> Edition:
    return Edition(edition_variables(Path(path), wave))


def scan(path: Path, f: RespondentFilter, request: Request, live: bool = False) -> tuple[str, dict[str, Any]]:
    """The SQL (and parameters) of the scan of ``f``'s selection that ``request`` needs; run it with
    :func:`app.db.query_over` as the input of the statistics computed from it. Generated once per build, filter
    and request: every statistic of a page asks for it. On a whole wave, the build's precomputed rows of the same
    scan when there are (:mod:`app.precomputed`), unless ``live``."""
    return _scan(str(path), run_version(path), f, request, live)


@st.cache_data(max_entries=512, show_spinner=False)
def _scan(path_text: str, version: FileVersion, f: RespondentFilter, request: Request, live: bool
          ) -> tuple[str, dict[str, Any]]:
    path = Path(path_text)
    edition = Edition(edition_variables(path, f.wave))
    sets: list[list[Dim]] = []
    for question in sorted(request.questions):
        sets += edition.question_sets(question)
    for row, col in sorted(request.pairs, key=repr):
        found = [edition.code_dim(row), edition.code_dim(col)]
        if all(found):
            sets.append(found if found[0] != found[1] else found[:1])
    for value_question, group_question, group_item in sorted(request.groupings, key=repr):
        sets += edition.group_sets(value_question, group_question, group_item)
    selection, params = f.selection(path)
    sql = _scan_sql(selection, sets, edition.conditions)
    found = None if live or f.is_subset else precomputed.lookup(path, sql, params)
    return found or (sql, params)
