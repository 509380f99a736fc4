"""The questionnaire as LimeSurvey knows it (its .lss export) against the codebook, question by question.

Why: the codebook is typed by hand from the questionnaire; LimeSurvey is what respondents saw and
what wrote the exports. When the two part (an option added for a new wave, LimeSurvey 4's default
``AO01`` codes, a condition edited in the survey), every figure would be computed on the wrong
codes, so the build compares them first and refuses on any difference, each said so that a person
can fix it (:class:`Difference`).

This module is the entry point: reading is :mod:`codebook.lss_read`, writing
:mod:`codebook.lss_write`, and the mapping both follow (type letters, answer rows, the "other"
option, relevance equations) :mod:`codebook.lss_map`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import codebook
from codebook.lss_map import (
    CODED_TYPES,
    LANGUAGE,
    OTHER_CODE,
    OTHER_DEFAULT_LABEL_FR,
    accepted_types,
    answer_source,
    canonical_condition,
    clean_text,
    expected_answers,
    has_other,
    other_label,
    relevance,
    type_name,
)
from codebook.lss_read import LssError, LssQuestion, LssSurvey, read_lss
from codebook.lss_write import LSS_NAME, SURVEY_ID, lss_text, write_lss

__all__ = [
    "LANGUAGE",
    "LSS_NAME",
    "SURVEY_ID",
    "Difference",
    "LssError",
    "LssQuestion",
    "LssSurvey",
    "clean_text",
    "compare",
    "compare_file",
    "lss_text",
    "read_lss",
    "summary",
    "write_lss",
]

#: LimeSurvey types that hold no answer (a text shown to respondents): never a codebook question.
DISPLAY_ONLY_TYPES = ("X",)


@dataclass(frozen=True)
class Difference:
    """One place where the .lss and the codebook disagree.

    ``kind`` is one of ``missing_question``, ``extra_question``, ``changed_type``,
    ``missing_subquestion``, ``extra_subquestion``, ``missing_answer``, ``extra_answer``,
    ``changed_label``, ``changed_condition``; ``question_code`` is None for a question the
    codebook does not have.
    """

    question_code: str | None
    export_code: str
    kind: str
    detail: str

    def __str__(self) -> str:
        name = f"{self.export_code} ({self.question_code})" if self.question_code else self.export_code
        return f"{name}: {self.detail}"


def _same(a: str | None, b: str | None) -> bool:
    return clean_text(a) == clean_text(b)


def _question(q: codebook.Question, found: LssQuestion, cb: codebook.Codebook) -> list[tuple[str, str]]:
    """(kind, detail) of every difference of one question present on both sides."""
    out: list[tuple[str, str]] = []

    def add(kind: str, detail: str) -> None:
        out.append((kind, detail))

    if found.type not in accepted_types(q):
        types = " or ".join(type_name(t) for t in accepted_types(q))
        add(
            "changed_type",
            f"question type in the .lss is {type_name(found.type)}; codebook_questions.csv type "
            f"{q.type!r} is LimeSurvey's {types}",
        )
    if not _same(found.text, q.wording_fr):
        add("changed_label", f"question text differs: .lss {found.text!r}, codebook_questions.csv {q.wording_fr!r}")

    items = {i.export_suffix: i.label_fr for i in q.items}
    for sq, label in items.items():
        if sq not in found.subquestions:
            add("missing_subquestion", f"subquestion {sq!r} ({label}) of codebook_items.csv is missing from the .lss")
        elif not _same(found.subquestions[sq], label):
            said = f".lss {found.subquestions[sq]!r}, codebook_items.csv {label!r}"
            add("changed_label", f"subquestion {sq!r} label differs: {said}")
    for sq, label in found.subquestions.items():
        if sq not in items:
            add("extra_subquestion", f"subquestion {sq!r} ({label}) in the .lss is not in codebook_items.csv")

    # A numerical input or a text has no answer codes (a one-row scale may be one): nothing to compare.
    coded = found.type in CODED_TYPES
    answers, found_answers = (expected_answers(q), found.answers) if coded else ({}, {})
    source = answer_source(q)
    for code, label in answers.items():
        if code not in found_answers:
            add("missing_answer", f"answer code {code!r} of {source} is missing from the .lss")
        elif label is not None and found_answers[code] is not None and not _same(found_answers[code], label):
            add("changed_label", f"answer {code!r} label differs: .lss {found_answers[code]!r}, {source} {label!r}")
    for code in found_answers:
        if code not in answers:
            add("extra_answer", f"answer code {code!r} in the .lss is not in {source}")

    oth = repr(OTHER_CODE)
    if has_other(q) and not found.other:
        add(
            "missing_answer",
            f"answer code {oth} of codebook_choices.csv is missing from the .lss (LimeSurvey's "
            "'other' option is off: set the question's Other to on)",
        )
    elif found.other and not has_other(q):
        add(
            "extra_answer",
            f"answer code {oth} in the .lss (LimeSurvey's 'other' option is on) is not in codebook_choices.csv",
        )
    elif found.other and not _same(found.other_label or OTHER_DEFAULT_LABEL_FR, other_label(q)):
        said = f".lss {found.other_label!r} (other_replace_text), codebook_choices.csv {other_label(q)!r}"
        add("changed_label", f"answer {oth} label differs: {said}")

    expected = relevance(q, cb)
    if canonical_condition(found.relevance) != canonical_condition(expected):
        if q.is_conditional:
            on = cb.question(q.asked_if_question).export_code
            said = f"asked if {on} ({q.asked_if_question}) = {q.asked_if_choice!r}, i.e. {expected!r}"
        else:
            said = "always asked (asked_if_question empty)"
        where = "its conditions" if found.condition_source == "conditions" else "relevance"
        add(
            "changed_condition",
            f"condition differs: .lss {found.relevance or '1'!r} ({where}), codebook_questions.csv {said}",
        )
    return out


def compare(survey: LssSurvey, cb: codebook.Codebook | None = None) -> list[Difference]:
    """Every difference between an .lss and the codebook: the codebook's questions in order, then the
    questions only the .lss has. Texts are compared in French after white space is folded and HTML
    dropped; codes exactly."""
    if cb is None:  # an .lss is one edition: the closest one
        return compare_editions(survey)
    out: list[Difference] = []
    for q in cb.questions:
        found = survey.questions.get(q.export_code)
        if found is None:
            detail = "question of codebook_questions.csv is missing from the .lss"
            out.append(Difference(q.question_code, q.export_code, "missing_question", detail))
            continue
        out += [Difference(q.question_code, q.export_code, kind, detail) for kind, detail in _question(q, found, cb)]
    known = {q.export_code for q in cb.questions}
    other_editions = {q.export_code: q for q in codebook.load().questions}
    for title, found in survey.questions.items():
        if title not in known and found.type not in DISPLAY_ONLY_TYPES:
            detail = f"question in the .lss ({type_name(found.type)}, {found.text!r}) is not in codebook_questions.csv"
            elsewhere = other_editions.get(title)
            if elsewhere is not None:  # a question of another edition: say which waves asked it
                waves = f"{elsewhere.editions.first_wave or '…'}–{elsewhere.editions.last_wave or '…'}"
                detail = (
                    f"question in the .lss ({type_name(found.type)}, {found.text!r}) is {elsewhere.question_code} of "
                    f"codebook_questions.csv, not asked in this edition (waves {waves})"
                )
            out.append(Difference(None, title, "extra_question", detail))
    return out


def compare_file(path: Path, wave: str | None = None) -> list[Difference]:
    """Differences between the .lss at ``path`` and the codebook's edition of ``wave``; raises :class:`LssError`
    (message "<file>: what is wrong") when the file is not a readable LimeSurvey survey structure.

    Without a wave, an .lss describes one edition, whichever it is: the differences returned are those with the
    closest edition (none when it matches one).
    """
    return compare_editions(read_lss(path), wave)


def compare_editions(survey: LssSurvey, wave: str | None = None) -> list[Difference]:
    """Differences with the codebook's edition of ``wave``, or, without one, with the closest edition."""
    cb = codebook.load()
    waves = [wave] if wave else cb.wave_ids()
    if not waves:
        return compare(survey, cb)
    return min((compare(survey, cb.edition(w)) for w in waves), key=len)


def summary(survey: LssSurvey) -> str:
    """ "24 questions, 79 subquestions, 82 answer codes": what an agreeing .lss holds."""
    questions = [q for q in survey.questions.values() if q.type not in DISPLAY_ONLY_TYPES]
    subquestions = sum(len(q.subquestions) for q in questions)
    answers = sum(len(q.answers) + q.other for q in questions)
    return f"{len(questions)} questions, {subquestions} subquestions, {answers} answer codes"
