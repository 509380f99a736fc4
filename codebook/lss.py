"""The questionnaire as LimeSurvey knows it: its survey structure export (``.lss``), read, written, compared.

An ``.lss`` is XML: one section per table of LimeSurvey's database (``questions``,
``subquestions``, ``answers``, ``groups``…), each ``<rows><row>`` holding one
record with one element per field. LimeSurvey 4 and later keep the texts in
``question_l10ns`` / ``answer_l10ns`` (one row per language); LimeSurvey 3 and
earlier keep them on the ``questions`` / ``answers`` rows with a ``language``
field. Both are read.

How it maps to the codebook: a question's ``title`` is its ``export_code``
(Q01…), a subquestion's ``title`` an item's ``export_suffix`` (SQ001…), an
answer's ``code`` a choice's ``choice_code``; the "other" option is no answer
row but the question's ``other = Y`` (the codebook's ``-oth-`` choice and
``has_other``); a yes/no question (LimeSurvey type ``Y``) and a 1–10 array
(type ``B``) have no answer rows; the condition is the question's
``relevance`` equation (``Q04.NAOK == "Y"``).
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import codebook

#: The language whose texts are compared (the survey's base language when absent).
LANGUAGE = "fr"
#: The survey id written into an .lss made from the codebook, and its file name (LimeSurvey's default).
SURVEY_ID = 123456
LSS_NAME = f"limesurvey_survey_{SURVEY_ID}.lss"
#: The database version LimeSurvey 6 writes; the layout (l10n tables) is the one of 4.0 and later.
DB_VERSION = "498"
OTHER_CODE = "-oth-"


class LssError(Exception):
    """A file that is not a readable LimeSurvey survey structure."""


@dataclass
class LssQuestion:
    title: str
    type: str
    text: str = ""
    other: bool = False
    mandatory: bool = False
    relevance: str = ""
    subquestions: dict[str, str] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Difference:
    """One place where the .lss and the codebook disagree, said so that a person can act on it."""

    question_code: str | None
    export_code: str
    kind: str
    detail: str

    def __str__(self) -> str:
        name = f"{self.export_code} ({self.question_code})" if self.question_code else self.export_code
        return f"{name}: {self.detail}"


# --- reading ---------------------------------------------------------------------------------------------


def _rows(root: ET.Element, section: str) -> list[dict[str, str]]:
    return [{child.tag: (child.text or "") for child in row} for row in root.findall(f"./{section}/rows/row")]


def clean_text(text: str) -> str:
    """A LimeSurvey text as a person reads it: tags dropped, entities decoded, spaces folded."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", text or ""))
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def _pick(texts: dict[str, dict[str, str]], key: str, language: str) -> str:
    by_language = texts.get(key, {})
    return by_language.get(language) or next(iter(by_language.values()), "")


def read_lss(path: Path) -> dict[str, LssQuestion]:
    """The questions of an .lss, by title, with their French texts (or the base language's)."""
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError, UnicodeDecodeError) as exc:
        raise LssError(f"{path}: not a readable XML file ({exc})") from exc
    if root.tag != "document" or (root.findtext("LimeSurveyDocType") or "").strip() != "Survey":
        raise LssError(f"{path}: not a LimeSurvey survey structure (no <LimeSurveyDocType>Survey</LimeSurveyDocType>)")
    languages = [x.text for x in root.findall("./languages/language") if x.text]
    language = LANGUAGE if LANGUAGE in languages or not languages else languages[0]

    question_texts: dict[str, dict[str, str]] = {}
    for r in _rows(root, "question_l10ns"):
        question_texts.setdefault(r.get("qid", ""), {})[r.get("language", "")] = r.get("question", "")
    answer_texts: dict[str, dict[str, str]] = {}
    for r in _rows(root, "answer_l10ns"):
        answer_texts.setdefault(r.get("aid", ""), {})[r.get("language", "")] = r.get("answer", "")

    rows = _rows(root, "questions") + _rows(root, "subquestions")
    for r in rows:  # LimeSurvey 3: the text sits on the question row, one row per language
        if "question" in r:
            question_texts.setdefault(r["qid"], {})[r.get("language", "")] = r["question"]
    by_qid: dict[str, LssQuestion] = {}
    for r in rows:
        if r.get("parent_qid", "0") in ("0", "") and r["qid"] not in by_qid:
            by_qid[r["qid"]] = LssQuestion(
                title=r.get("title", "").strip(),
                type=r.get("type", ""),
                text=clean_text(_pick(question_texts, r["qid"], language)),
                other=r.get("other", "N") == "Y",
                mandatory=r.get("mandatory", "N") == "Y",
                relevance=(r.get("relevance") or "").strip(),
            )
    for r in sorted(rows, key=lambda r: int(r.get("question_order") or 0)):
        parent = by_qid.get(r.get("parent_qid", "0"))
        if parent is not None and r.get("scale_id", "0") in ("0", ""):
            parent.subquestions[r.get("title", "").strip()] = clean_text(_pick(question_texts, r["qid"], language))
    for r in sorted(_rows(root, "answers"), key=lambda r: int(r.get("sortorder") or 0)):
        question = by_qid.get(r.get("qid", ""))
        if question is None or r.get("scale_id", "0") not in ("0", ""):
            continue
        if "answer" in r and r.get("language", language) != language:
            continue  # LimeSurvey 3: one answer row per language
        text = r["answer"] if "answer" in r else _pick(answer_texts, r.get("aid", ""), language)
        question.answers[r.get("code", "").strip()] = clean_text(text)
    return {q.title: q for q in by_qid.values()}


# --- comparing -------------------------------------------------------------------------------------------

_RELEVANCE = re.compile(r"""\b([A-Za-z][A-Za-z0-9_]*)(?:\.NAOK)?\s*==\s*["']([^"']*)["']""")


def _condition(relevance: str) -> tuple[str, str] | None:
    """``((Q04.NAOK == "Y"))`` → ("Q04", "Y"); ``1`` or empty → None (always asked)."""
    if relevance.strip() in ("", "1"):
        return None
    match = _RELEVANCE.search(relevance)
    return (match.group(1), match.group(2)) if match else ("?", relevance)


def _same(a: str, b: str) -> bool:
    return clean_text(a).casefold() == clean_text(b).casefold()


def expected_answers(q: codebook.Question) -> dict[str, str]:
    """The answer rows LimeSurvey holds for a codebook question: choices but the "other" one; none for a
    yes/no question; the codes min…max of a single 1–10 scale; none for a battery, a number or a text."""
    if q.type == "single":
        if {c.choice_code for c in q.choices} == {"Y", "N"}:
            return {}
        return {c.choice_code: c.label_fr for c in q.choices if c.choice_code != OTHER_CODE}
    if q.type == "scale" and not q.items:
        low, high = int(q.min_value or 1), int(q.max_value or 10)
        return {str(n): str(n) for n in range(low, high + 1)}
    return {}


def compare(lss: dict[str, LssQuestion], cb: codebook.Codebook | None = None) -> list[Difference]:
    """Every difference between an .lss's questions and the codebook, question by question."""
    cb = cb or codebook.load()
    out: list[Difference] = []
    export_of = {q.question_code: q.export_code for q in cb.questions}
    for q in cb.questions:
        code, title = q.question_code, q.export_code

        def diff(kind: str, detail: str, code: str = code, title: str = title) -> None:
            out.append(Difference(code, title, kind, detail))

        found = lss.get(title)
        if found is None:
            diff("missing_question", "question of codebook_questions.csv is missing from the .lss")
            continue
        if not _same(found.text, q.wording_fr):
            diff("changed_label", f"wording differs: .lss {found.text!r}, codebook {q.wording_fr!r}")
        items = {i.export_suffix: i.label_fr for i in q.items}
        for sq in items.keys() - found.subquestions.keys():
            diff("missing_subquestion", f"subquestion {sq!r} of codebook_items.csv is missing from the .lss")
        for sq in found.subquestions.keys() - items.keys():
            diff("extra_subquestion", f"subquestion {sq!r} in the .lss is not in codebook_items.csv")
        for sq in sorted(items.keys() & found.subquestions.keys()):
            if not _same(items[sq], found.subquestions[sq]):
                diff(
                    "changed_label",
                    f"subquestion {sq!r} label differs: .lss {found.subquestions[sq]!r}, codebook {items[sq]!r}",
                )
        answers = expected_answers(q)
        for a in sorted(answers.keys() - found.answers.keys()):
            diff("missing_answer", f"answer code {a!r} of codebook_choices.csv is missing from the .lss")
        for a in sorted(found.answers.keys() - answers.keys()):
            diff("extra_answer", f"answer code {a!r} in the .lss is not in codebook_choices.csv")
        for a in sorted(answers.keys() & found.answers.keys()):
            if q.type == "single" and not _same(answers[a], found.answers[a]):
                diff("changed_label", f"answer {a!r} label differs: .lss {found.answers[a]!r}, codebook {answers[a]!r}")
        has_other = q.has_other or any(c.choice_code == OTHER_CODE for c in q.choices)
        if found.other != has_other:
            diff(
                "other_option",
                f"'other' option: .lss {'yes' if found.other else 'no'}, codebook {'yes' if has_other else 'no'}",
            )
        expected = (
            (export_of.get(q.asked_if_question, q.asked_if_question), q.asked_if_choice) if q.is_conditional else None
        )
        if _condition(found.relevance) != expected:
            said = f"{expected[0]} == {expected[1]!r}" if expected else "always"
            diff("changed_condition", f"condition differs: .lss {found.relevance or 'always'!r}, codebook {said}")
    known = {q.export_code for q in cb.questions}
    for title in sorted(lss.keys() - known):
        out.append(Difference(None, title, "extra_question", "question in the .lss is not in codebook_questions.csv"))
    return out


def compare_file(path: Path) -> list[Difference]:
    """Differences between an .lss file and the codebook (raises :class:`LssError` on an unreadable file)."""
    return compare(read_lss(path))


# --- writing ---------------------------------------------------------------------------------------------


def _type(q: codebook.Question) -> str:
    if q.type == "single":
        return "Y" if {c.choice_code for c in q.choices} == {"Y", "N"} else "L"
    if q.type == "scale":
        return "B" if q.items else "L"
    return {"multi": "M", "number": "N", "text": "S"}[q.type]


def _relevance(q: codebook.Question, cb: codebook.Codebook) -> str:
    if not q.is_conditional:
        return "1"
    return f'(({cb.question(q.asked_if_question).export_code}.NAOK == "{q.asked_if_choice}"))'


def _section(parent: ET.Element, name: str, fields: list[str], rows: list[dict[str, object]]) -> None:
    section = ET.SubElement(parent, name)
    names = ET.SubElement(section, "fields")
    for f in fields:
        ET.SubElement(names, "fieldname").text = f
    body = ET.SubElement(section, "rows")
    for row in rows:
        element = ET.SubElement(body, "row")
        for f in fields:
            ET.SubElement(element, f).text = str(row.get(f, ""))


QUESTION_FIELDS = [
    "qid",
    "parent_qid",
    "sid",
    "gid",
    "type",
    "title",
    "preg",
    "other",
    "mandatory",
    "encrypted",
    "question_order",
    "scale_id",
    "same_default",
    "relevance",
    "question_theme_name",
    "modulename",
    "same_script",
]


def lss_text(cb: codebook.Codebook | None = None) -> str:
    """The codebook as a LimeSurvey 6 survey structure; ids derive from positions, so the text is the same
    at every run."""
    cb = cb or codebook.load()
    sections = list(dict.fromkeys(q.section for q in cb.questions))
    gid = {s: i for i, s in enumerate(sections, start=1)}
    questions, subquestions, qtexts, answers, atexts, attributes = [], [], [], [], [], []
    for q in cb.questions:
        qid = q.position
        base = {
            "sid": SURVEY_ID,
            "gid": gid[q.section],
            "preg": "",
            "encrypted": "N",
            "same_default": "0",
            "question_theme_name": "",
            "modulename": "",
            "same_script": "0",
            "scale_id": "0",
        }
        questions.append(
            base
            | {
                "qid": qid,
                "parent_qid": 0,
                "type": _type(q),
                "title": q.export_code,
                "other": "Y" if q.has_other else "N",
                "mandatory": "Y" if q.mandatory else "N",
                "question_order": q.position,
                "relevance": _relevance(q, cb),
            }
        )
        qtexts.append({"qid": qid, "question": q.wording_fr, "help": "", "script": "", "language": LANGUAGE})
        for item in q.items:
            sqid = 1000 + 100 * q.position + item.position
            subquestions.append(
                base
                | {
                    "qid": sqid,
                    "parent_qid": qid,
                    "type": "T",
                    "title": item.export_suffix,
                    "other": "N",
                    "mandatory": "",
                    "question_order": item.position,
                    "relevance": "1",
                }
            )
            qtexts.append({"qid": sqid, "question": item.label_fr, "help": "", "script": "", "language": LANGUAGE})
        for order, (code, label) in enumerate(expected_answers(q).items(), start=1):
            aid = 100 * q.position + order
            answers.append(
                {"aid": aid, "qid": qid, "code": code, "sortorder": order, "assessment_value": 0, "scale_id": 0}
            )
            atexts.append({"aid": aid, "answer": label, "language": LANGUAGE})
        for name, value in (("min_num_value_n", q.min_value), ("max_num_value_n", q.max_value)):
            if q.type == "number" and value is not None:
                attributes.append({"qid": qid, "attribute": name, "value": f"{value:g}", "language": ""})
    root = ET.Element("document")
    ET.SubElement(root, "LimeSurveyDocType").text = "Survey"
    ET.SubElement(root, "DBVersion").text = DB_VERSION
    ET.SubElement(ET.SubElement(root, "languages"), "language").text = LANGUAGE
    _section(root, "answers", ["aid", "qid", "code", "sortorder", "assessment_value", "scale_id"], answers)
    _section(
        root,
        "answer_l10ns",
        ["id", "aid", "answer", "language"],
        [r | {"id": i} for i, r in enumerate(atexts, start=1)],
    )
    _section(
        root,
        "groups",
        ["gid", "sid", "group_order", "randomization_group", "grelevance"],
        [
            {"gid": g, "sid": SURVEY_ID, "group_order": g, "randomization_group": "", "grelevance": "1"}
            for s, g in gid.items()
        ],
    )
    _section(
        root,
        "group_l10ns",
        ["id", "gid", "group_name", "description", "language"],
        [{"id": g, "gid": g, "group_name": s, "description": "", "language": LANGUAGE} for s, g in gid.items()],
    )
    _section(root, "questions", QUESTION_FIELDS, questions)
    _section(root, "subquestions", QUESTION_FIELDS, subquestions)
    _section(
        root,
        "question_l10ns",
        ["id", "qid", "question", "help", "script", "language"],
        [r | {"id": i} for i, r in enumerate(qtexts, start=1)],
    )
    _section(root, "question_attributes", ["qid", "attribute", "value", "language"], attributes)
    _section(
        root,
        "surveys",
        ["sid", "language", "additional_languages", "anonymized", "datestamp"],
        [{"sid": SURVEY_ID, "language": LANGUAGE, "additional_languages": "", "anonymized": "N", "datestamp": "Y"}],
    )
    _section(
        root,
        "surveys_languagesettings",
        ["surveyls_survey_id", "surveyls_language", "surveyls_title"],
        [
            {
                "surveyls_survey_id": SURVEY_ID,
                "surveyls_language": LANGUAGE,
                "surveyls_title": "Médiation numérique et accompagnement aux démarches administratives en ligne",
            }
        ],
    )
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_lss(path: Path, cb: codebook.Codebook | None = None) -> Path:
    path.write_text(lss_text(cb), encoding="utf-8", newline="\n")
    return path
