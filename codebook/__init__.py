"""The questionnaire as data, for every Python stage.

The codebook is stored once, as dbt seeds under ``dbt_project/seeds/codebook``
(so that the warehouse carries it too, in the ``codebook`` schema). Ingest runs
before dbt has loaded those seeds, and the generator, checks and stats want
plain Python objects, so this module reads the same CSV files. Nothing here
lists a question: every question, item and choice comes from the CSVs.

Naming rule for the columns of ``raw.responses`` (one per export heading):

* single choice, number, text, scale without items: ``<question_code>``
  (export heading ``<export_code>``);
* multiple choice or scale battery item: ``<question_code>__<item_code>``
  (export heading ``<export_code>[<export_suffix>]``);
* free text "other" of a question: ``<question_code>__other``
  (export heading ``<export_code>[other]``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds" / "codebook"

#: LimeSurvey's metadata columns, in the order the tool writes them.
METADATA_COLUMNS: tuple[str, ...] = (
    "id",
    "submitdate",
    "lastpage",
    "startlanguage",
    "seed",
    "startdate",
    "datestamp",
)

#: Columns of a raw folder's manifest.csv (file → wave, and per-wave overrides of waves.csv).
MANIFEST_COLUMNS: tuple[str, ...] = (
    "file",
    "wave",
    "fieldwork_start",
    "fieldwork_end",
    "min_respondents",
    "max_respondents",
    "min_eadmin",
    "max_eadmin",
)

QUESTION_TYPES = ("single", "multi", "scale", "number", "text")


@dataclass(frozen=True)
class Item:
    """A sub-question: a box of a multiple choice or a row of a scale battery."""

    question_code: str
    item_code: str
    export_suffix: str
    position: int
    label_fr: str
    exclusive: bool


@dataclass(frozen=True)
class Choice:
    """An answer option of a single-choice question, with its export code."""

    question_code: str
    choice_code: str
    position: int
    label_fr: str
    is_target: bool | None
    group_label_fr: str | None


@dataclass(frozen=True)
class Question:
    """A question with its items or choices and the condition it is asked under."""

    question_code: str
    export_code: str
    position: int
    section: str
    type: str
    label_fr: str
    wording_fr: str
    asked_if_question: str | None
    asked_if_choice: str | None
    mandatory: bool
    has_other: bool
    min_value: float | None
    max_value: float | None
    report_table: str | None
    base_note: str | None
    items: tuple[Item, ...] = ()
    choices: tuple[Choice, ...] = ()

    @property
    def is_conditional(self) -> bool:
        return self.asked_if_question is not None

    def variables(self) -> list[Variable]:
        """The raw columns this question writes, in export order."""
        out: list[Variable] = []
        if self.items:
            for item in self.items:
                out.append(
                    Variable(
                        name=f"{self.question_code}__{item.item_code}",
                        export_heading=f"{self.export_code}[{item.export_suffix}]",
                        question=self,
                        item=item,
                    )
                )
        else:
            out.append(Variable(name=self.question_code, export_heading=self.export_code, question=self))
        if self.has_other:
            out.append(
                Variable(
                    name=f"{self.question_code}__other",
                    export_heading=f"{self.export_code}[other]",
                    question=self,
                    is_other=True,
                )
            )
        return out

    def answer_variables(self) -> list[Variable]:
        """The columns that hold answers: every variable but the free-text "other" one, which no rule checks."""
        return [v for v in self.variables() if not v.is_other]


@dataclass(frozen=True)
class Variable:
    """One column of the export, tied to its question (and item)."""

    name: str
    export_heading: str
    question: Question
    item: Item | None = None
    is_other: bool = False

    @property
    def kind(self) -> str:
        """``other_text`` for free text, else the question type."""
        return "other_text" if self.is_other else self.question.type


@dataclass(frozen=True)
class Wave:
    """A survey edition: its fieldwork window and the sample sizes it must have."""

    wave: str
    label_fr: str
    fieldwork_start: str
    fieldwork_end: str
    min_respondents: int | None
    max_respondents: int | None
    min_eadmin: int | None
    max_eadmin: int | None


@dataclass(frozen=True)
class Codebook:
    questions: tuple[Question, ...]
    waves: tuple[Wave, ...]

    def question(self, code: str) -> Question:
        for q in self.questions:
            if q.question_code == code:
                return q
        raise KeyError(f"question {code!r} is not in the codebook")

    def variables(self) -> list[Variable]:
        return [v for q in self.questions for v in q.variables()]

    def by_export_heading(self) -> dict[str, Variable]:
        return {v.export_heading: v for v in self.variables()}

    def export_headings(self) -> list[str]:
        """Every heading of a complete export, metadata first, in questionnaire order."""
        return list(METADATA_COLUMNS) + [v.export_heading for v in self.variables()]

    def wave(self, wave: str) -> Wave | None:
        return next((w for w in self.waves if w.wave == wave), None)


def _rows(name: str, seeds_dir: Path) -> list[dict[str, str]]:
    with (seeds_dir / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _opt(value: str) -> str | None:
    return value if value != "" else None


def _opt_num(value: str) -> float | None:
    return float(value) if value != "" else None


def _opt_int(value: str) -> int | None:
    return int(value) if value != "" else None


def _bool(value: str) -> bool:
    return value.strip().lower() == "true"


@cache
def load(seeds_dir: Path = SEEDS_DIR) -> Codebook:
    """Read the codebook seeds; cached, since every stage asks for it."""
    items: dict[str, list[Item]] = {}
    for r in _rows("codebook_items.csv", seeds_dir):
        items.setdefault(r["question_code"], []).append(
            Item(
                question_code=r["question_code"],
                item_code=r["item_code"],
                export_suffix=r["export_suffix"],
                position=int(r["position"]),
                label_fr=r["label_fr"],
                exclusive=_bool(r["exclusive"]),
            )
        )
    choices: dict[str, list[Choice]] = {}
    for r in _rows("codebook_choices.csv", seeds_dir):
        choices.setdefault(r["question_code"], []).append(
            Choice(
                question_code=r["question_code"],
                choice_code=r["choice_code"],
                position=int(r["position"]),
                label_fr=r["label_fr"],
                is_target=_bool(r["is_target"]) if r["is_target"] else None,
                group_label_fr=_opt(r["group_label_fr"]),
            )
        )
    questions = []
    for r in sorted(_rows("codebook_questions.csv", seeds_dir), key=lambda r: int(r["position"])):
        code = r["question_code"]
        if r["type"] not in QUESTION_TYPES:
            raise ValueError(f"codebook_questions.csv: question {code!r} has unknown type {r['type']!r}")
        questions.append(
            Question(
                question_code=code,
                export_code=r["export_code"],
                position=int(r["position"]),
                section=r["section"],
                type=r["type"],
                label_fr=r["label_fr"],
                wording_fr=r["wording_fr"],
                asked_if_question=_opt(r["asked_if_question"]),
                asked_if_choice=_opt(r["asked_if_choice"]),
                mandatory=_bool(r["mandatory"]),
                has_other=_bool(r["has_other"]),
                min_value=_opt_num(r["min_value"]),
                max_value=_opt_num(r["max_value"]),
                report_table=_opt(r["report_table"]),
                base_note=_opt(r["base_note"]),
                items=tuple(sorted(items.get(code, []), key=lambda i: i.position)),
                choices=tuple(sorted(choices.get(code, []), key=lambda c: c.position)),
            )
        )
    waves = tuple(
        Wave(
            wave=r["wave"],
            label_fr=r["label_fr"],
            fieldwork_start=r["fieldwork_start"],
            fieldwork_end=r["fieldwork_end"],
            min_respondents=_opt_int(r["min_respondents"]),
            max_respondents=_opt_int(r["max_respondents"]),
            min_eadmin=_opt_int(r["min_eadmin"]),
            max_eadmin=_opt_int(r["max_eadmin"]),
        )
        for r in _rows("waves.csv", seeds_dir)
    )
    return Codebook(questions=tuple(questions), waves=waves)
