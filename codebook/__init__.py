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
from dataclasses import dataclass, replace
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


#: Fieldwork start (ISO date) of every wave known to this process: waves.csv's, and those a manifest declares
#: (registered by ingest, or by the checks from raw.waves). Waves are ordered by when they were in the field.
_STARTS: dict[str, str] = {}


class UnknownWave(ValueError):
    """A wave whose fieldwork start is unknown, so it cannot be placed among the editions."""


#: Waves of waves.csv: their place among the editions is the codebook's, whatever a manifest says of their dates.
_CODEBOOK_WAVES: set[str] = set()


def register_wave(wave: str, fieldwork_start: str | None, *, from_codebook: bool = False) -> None:
    """Make a wave declared outside waves.csv (a manifest's) comparable with the codebook's editions."""
    if from_codebook:
        _CODEBOOK_WAVES.add(wave)
    elif wave in _CODEBOOK_WAVES:
        return
    if fieldwork_start:
        _STARTS[wave] = str(fieldwork_start)


def register_warehouse_waves(con) -> None:
    """Register every wave of a built warehouse (``raw.waves``: waves.csv and the manifest's), so that a stage
    run on its own (``python -m stats``, the checks) places a manifest's wave among the editions by its dates."""
    has_waves = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw' AND table_name = 'waves'"
    ).fetchone()[0]
    if not has_waves:
        return  # a warehouse made by hand (tests, older builds): the codebook's waves only
    for wave, start in con.execute("SELECT wave, CAST(fieldwork_start AS VARCHAR) FROM raw.waves").fetchall():
        register_wave(wave, start)


def wave_key(wave: str) -> str:
    """What waves are ordered by: their fieldwork start."""
    try:
        return _STARTS[wave]
    except KeyError:
        raise UnknownWave(
            f"wave {wave!r} has no fieldwork window (waves.csv or the raw folder's manifest.csv)"
        ) from None


@dataclass(frozen=True)
class Editions:
    """The waves a question, item or choice was asked in, and the labels it had from a given wave on.

    Waves are ordered by their fieldwork start (:func:`wave_key`), so a wave a manifest declares (a regional
    re-run) falls in the edition of its dates; an empty bound is open. A label change (Pôle emploi became
    France Travail in 2024) applies from its wave on; earlier waves keep the old label.
    """

    first_wave: str | None = None
    last_wave: str | None = None
    relabels: tuple[tuple[str, str], ...] = ()  # (from_wave, label_fr)

    def asked_in(self, wave: str | None) -> bool:
        """Whether it was asked in ``wave`` (None: in any wave, the codebook as a whole)."""
        if wave is None or (self.first_wave is None and self.last_wave is None):
            return True
        key = wave_key(wave)
        after_first = self.first_wave is None or key >= wave_key(self.first_wave)
        return after_first and (self.last_wave is None or key <= wave_key(self.last_wave))

    def label_in(self, wave: str | None, label: str) -> str:
        """The label as asked in ``wave``: the latest relabel at or before it, else ``label``."""
        if wave is None or not self.relabels:
            return label
        key = wave_key(wave)
        earlier = [(wave_key(w), text) for w, text in self.relabels if wave_key(w) <= key]
        return max(earlier)[1] if earlier else label


@dataclass(frozen=True)
class Item:
    """A sub-question: a box of a multiple choice or a row of a scale battery."""

    question_code: str
    item_code: str
    export_suffix: str
    position: int
    label_fr: str
    exclusive: bool
    editions: Editions = Editions()

    def asked_in(self, wave: str | None) -> bool:
        return self.editions.asked_in(wave)

    def label_in(self, wave: str | None) -> str:
        return self.editions.label_in(wave, self.label_fr)


@dataclass(frozen=True)
class Choice:
    """An answer option of a single-choice question, with its export code."""

    question_code: str
    choice_code: str
    position: int
    label_fr: str
    is_target: bool | None
    group_label_fr: str | None
    editions: Editions = Editions()

    def asked_in(self, wave: str | None) -> bool:
        return self.editions.asked_in(wave)

    def label_in(self, wave: str | None) -> str:
        return self.editions.label_in(wave, self.label_fr)


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
    editions: Editions = Editions()

    @property
    def is_conditional(self) -> bool:
        return self.asked_if_question is not None

    def asked_in(self, wave: str | None) -> bool:
        return self.editions.asked_in(wave)

    def label_in(self, wave: str | None) -> str:
        return self.editions.label_in(wave, self.label_fr)

    def choices_in(self, wave: str | None) -> tuple[Choice, ...]:
        """The answer options offered in ``wave`` (all of them for None)."""
        return tuple(c for c in self.choices if c.asked_in(wave))

    def variables(self, wave: str | None = None) -> list[Variable]:
        """The raw columns this question writes in ``wave`` (None: in any wave), in export order."""
        out: list[Variable] = []
        if not self.asked_in(wave):
            return out
        if self.items:
            for item in (i for i in self.items if i.asked_in(wave)):
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

    def answer_variables(self, wave: str | None = None) -> list[Variable]:
        """The columns that hold answers: every variable but the free-text "other" one, which no rule checks."""
        return [v for v in self.variables(wave) if not v.is_other]


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

    def variables(self, wave: str | None = None) -> list[Variable]:
        """Every column of the questionnaire of ``wave`` (None: of any edition)."""
        return [v for q in self.questions for v in q.variables(wave)]

    def by_export_heading(self) -> dict[str, Variable]:
        return {v.export_heading: v for v in self.variables()}

    def export_headings(self, wave: str | None = None) -> list[str]:
        """Every heading of a complete export of ``wave``'s edition, metadata first, in questionnaire order."""
        return list(METADATA_COLUMNS) + [v.export_heading for v in self.variables(wave)]

    def wave(self, wave: str) -> Wave | None:
        return next((w for w in self.waves if w.wave == wave), None)

    def edition(self, wave: str) -> Codebook:
        """The questionnaire as asked in ``wave``: its questions, items and choices, with that wave's labels.

        Whatever reads one questionnaire (the .lss reader and writer, the generator) reads an edition.
        """
        questions = []
        for q in self.questions:
            if not q.asked_in(wave):
                continue
            asked = (i for i in q.items if i.asked_in(wave))
            items = tuple(replace(i, label_fr=i.label_in(wave), editions=Editions()) for i in asked)
            choices = tuple(replace(c, label_fr=c.label_in(wave), editions=Editions()) for c in q.choices_in(wave))
            questions.append(
                replace(q, label_fr=q.label_in(wave), items=items, choices=choices, editions=Editions())
            )
        return Codebook(questions=tuple(questions), waves=tuple(w for w in self.waves if w.wave == wave))

    def latest_edition(self) -> Codebook:
        """The questionnaire of the latest wave of waves.csv (the whole codebook when no wave is declared)."""
        return self.edition(self.wave_ids()[-1]) if self.waves else self

    def wave_ids(self) -> list[str]:
        """The waves of waves.csv, in fieldwork order."""
        return [w.wave for w in sorted(self.waves, key=lambda w: w.fieldwork_start)]


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


def _editions(row: dict[str, str], relabels: dict[tuple[str, str, str], list[tuple[str, str]]],
              key: tuple[str, str, str]) -> Editions:
    bounds = _opt(row.get("first_wave", "")), _opt(row.get("last_wave", ""))
    return Editions(*bounds, tuple(sorted(relabels.get(key, []))))


def _relabels(seeds_dir: Path) -> dict[tuple[str, str, str], list[tuple[str, str]]]:
    """(question, item, choice) → [(from_wave, label)] from codebook_labels.csv (absent: no relabel)."""
    out: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    if not (seeds_dir / "codebook_labels.csv").exists():
        return out
    for r in _rows("codebook_labels.csv", seeds_dir):
        key = (r["question_code"], r["item_code"], r["choice_code"])
        out.setdefault(key, []).append((r["from_wave"], r["label_fr"]))
    return out


@cache
def load(seeds_dir: Path = SEEDS_DIR) -> Codebook:
    """Read the codebook seeds; cached, since every stage asks for it."""
    relabels = _relabels(seeds_dir)
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
                editions=_editions(r, relabels, (r["question_code"], r["item_code"], "")),
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
                editions=_editions(r, relabels, (r["question_code"], "", r["choice_code"])),
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
                editions=_editions(r, relabels, (code, "", "")),
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
    for w in waves:
        register_wave(w.wave, w.fieldwork_start, from_codebook=True)
    return Codebook(questions=tuple(questions), waves=waves)
