"""Read LimeSurvey's survey structure export (.lss) into a neutral structure, for any version in use.

An .lss is XML: ``<document>`` holds one section per database table (``questions``,
``subquestions``, ``answers``, ``groups``, ``conditions``…), each ``<fields>`` then ``<rows><row>``
with one element per column (CDATA text; a NULL column is left out, an empty one is an empty
element). Two layouts are met in the field:

* LimeSurvey 3 and earlier keep every text on the structural row, one row per language:
  ``questions``/``subquestions`` rows carry ``question`` and ``language``, ``answers`` rows carry
  ``answer`` and ``language``;
* LimeSurvey 4, 5 and 6 keep one structural row and put the texts in ``question_l10ns`` (by
  ``qid``, subquestions included) and ``answer_l10ns`` (by ``aid``).

Conditions come either as a question's ``relevance`` equation or as rows of the ``conditions``
table (LimeSurvey's condition editor; a field named ``<sid>X<gid>X<qid>[<subquestion>]``); when a
question has condition rows, LimeSurvey regenerates its relevance from them, so they win.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from codebook.lss_map import IMPLIED_ANSWERS, LANGUAGE, clean_text


class LssError(Exception):
    """A file that is not a readable LimeSurvey survey structure (message starts with the file)."""


@dataclass
class LssQuestion:
    """One question as LimeSurvey holds it, texts already in the compared language and cleaned."""

    qid: str
    title: str
    type: str
    group: str = ""
    text: str = ""
    mandatory: bool = False
    other: bool = False
    #: ``other_replace_text`` in the compared language; None when unset (LimeSurvey's own "Autre").
    other_label: str | None = None
    #: The condition as an equation ("" when always asked), from ``conditions`` rows when there are any.
    relevance: str = ""
    condition_source: str = "relevance"
    #: Subquestion title → text, in LimeSurvey's order (first scale only).
    subquestions: dict[str, str] = field(default_factory=dict)
    #: Answer code → text; text None for the fixed answers of a type (yes/no, 10-point array…).
    answers: dict[str, str | None] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def min_value(self) -> float | None:
        return _number(self.attributes.get("min_num_value_n"))

    @property
    def max_value(self) -> float | None:
        return _number(self.attributes.get("max_num_value_n"))


@dataclass
class LssSurvey:
    """What an .lss says of the questionnaire: its questions by title, in survey order."""

    path: Path
    db_version: str
    #: "LimeSurvey 3" (texts on the rows) or "LimeSurvey 4+" (texts in the l10n tables).
    layout: str
    language: str
    questions: dict[str, LssQuestion]


class _Bad(Exception):
    """A defect of the file, said without its name (read_lss adds it)."""


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def _rows(root: ET.Element, section: str) -> list[dict[str, str]]:
    return [{child.tag: child.text or "" for child in row} for row in root.findall(f"./{section}/rows/row")]


def _int(row: dict[str, str], name: str, section: str, default: int | None = None) -> int:
    value = row.get(name, "").strip()
    if value == "" and default is not None:
        return default
    try:
        return int(value)
    except ValueError:
        raise _Bad(f"a <{section}> row has {name} {value!r} (expected a whole number)") from None


def _pick(by_language: dict[str, str], language: str, base: str) -> str:
    """The text in the compared language, else the survey's base language, else any."""
    for lang in (language, base):
        if lang in by_language:
            return by_language[lang]
    return next(iter(by_language.values()), "")


def _parse(path: Path) -> ET.Element:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _Bad(f"cannot be read ({exc.strerror or exc})") from None
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise _Bad(f"not a readable XML file ({exc})") from None
    doc_type = (root.findtext("LimeSurveyDocType") or "").strip()
    if root.tag != "document" or doc_type != "Survey":
        found = f"<{root.tag}>" if root.tag != "document" else f"LimeSurveyDocType {doc_type!r}"
        raise _Bad(f"not a LimeSurvey survey structure ({found}; expected <document> of LimeSurveyDocType 'Survey')")
    return root


#: A condition's field: survey id, group id, question id, then the subquestion's title if any.
_SGQA = re.compile(r"^\d+X\d+X(\d.*)$")


def _conditions(root: ET.Element, titles: dict[str, str]) -> dict[str, str]:
    """The ``conditions`` rows of each question as the equation LimeSurvey derives from them: the
    same field's conditions or-ed, different fields and-ed, scenarios or-ed."""
    scenarios: dict[str, dict[str, dict[str, list[str]]]] = {}
    for r in _rows(root, "conditions"):
        qid, cqid = r.get("qid", "").strip(), r.get("cqid", "").strip()
        field_name = r.get("cfieldname", "").strip()
        variable = field_name.lstrip("+").strip("{}").removesuffix(".NAOK")
        sgqa = _SGQA.match(variable)
        if sgqa is not None and cqid in titles and sgqa.group(1).startswith(cqid):
            rest = sgqa.group(1)[len(cqid) :]
            variable = titles[cqid] + (f"_{rest}" if rest else "")
        value = r.get("value", "")
        operand = value if value.startswith("@") else f'"{value}"'
        atom = f"{variable}.NAOK {r.get('method', '==').strip() or '=='} {operand}"
        scenario = scenarios.setdefault(qid, {}).setdefault(r.get("scenario", "1").strip() or "1", {})
        scenario.setdefault(field_name, []).append(atom)
    out = {}
    for qid, by_scenario in scenarios.items():
        parts = [
            " and ".join(f"({' or '.join(atoms)})" for atoms in fields.values())
            for _, fields in sorted(by_scenario.items())
        ]
        out[qid] = " or ".join(f"({p})" for p in parts) if len(parts) > 1 else parts[0]
    return out


def _read(path: Path) -> LssSurvey:
    root = _parse(path)
    languages = [x.text.strip() for x in root.findall("./languages/language") if x.text and x.text.strip()]
    surveys = _rows(root, "surveys")
    base = surveys[0].get("language", "").strip() if surveys else ""
    base = base or (languages[-1] if languages else "")
    language = LANGUAGE if LANGUAGE in languages or not languages else base

    rows = _rows(root, "questions") + _rows(root, "subquestions")
    if not rows:
        raise _Bad("holds no question (empty or missing <questions> section)")
    l10n = root.find("question_l10ns") is not None or root.find("answer_l10ns") is not None
    layout = "LimeSurvey 4+" if l10n or not any("question" in r for r in rows) else "LimeSurvey 3"

    texts: dict[str, dict[str, str]] = {}
    for r in _rows(root, "question_l10ns") + [r for r in rows if "question" in r]:
        texts.setdefault(r.get("qid", "").strip(), {})[r.get("language", "").strip()] = r.get("question", "")
    group_names: dict[str, dict[str, str]] = {}
    for r in _rows(root, "group_l10ns") + _rows(root, "groups"):
        if "group_name" in r:
            group_names.setdefault(r.get("gid", "").strip(), {})[r.get("language", "").strip()] = r["group_name"]
    group_order = {r.get("gid", "").strip(): _int(r, "group_order", "groups", 0) for r in _rows(root, "groups")}
    attributes: dict[str, dict[str, str]] = {}
    for r in _rows(root, "question_attributes"):
        if r.get("language", "").strip() in ("", language):
            attributes.setdefault(r.get("qid", "").strip(), {})[r.get("attribute", "").strip()] = r.get("value", "")

    structural: dict[str, dict[str, str]] = {}  # one row per qid: the compared language's when repeated
    for r in rows:
        if not r.get("qid", "").strip() or not r.get("title", "").strip():
            raise _Bad(f"a <questions> row has no {'qid' if not r.get('qid', '').strip() else 'title'}")
        qid = r["qid"].strip()
        if qid not in structural or r.get("language", "").strip() == language:
            structural[qid] = r
    top = {qid: r for qid, r in structural.items() if _int(r, "parent_qid", "questions", 0) == 0}
    untyped = next((r["title"].strip() for r in top.values() if not r.get("type", "").strip()), None)
    if untyped is not None:
        raise _Bad(f"question {untyped!r} has no type")
    titles = {qid: r["title"].strip() for qid, r in top.items()}
    conditions = _conditions(root, titles)

    questions: dict[str, LssQuestion] = {}
    order = sorted(top, key=lambda q: (group_order.get(top[q].get("gid", "").strip(), 0), _order(top[q])))
    for qid in order:
        r = top[qid]
        attrs = attributes.get(qid, {})
        questions[titles[qid]] = LssQuestion(
            qid=qid,
            title=titles[qid],
            type=r["type"].strip(),
            group=clean_text(_pick(group_names.get(r.get("gid", "").strip(), {}), language, base)),
            text=clean_text(_pick(texts.get(qid, {}), language, base)),
            mandatory=r.get("mandatory", "").strip() == "Y",
            other=r.get("other", "").strip() == "Y",
            other_label=clean_text(attrs.get("other_replace_text")) or None,
            relevance=conditions.get(qid, r.get("relevance", "").strip()),
            condition_source="conditions" if qid in conditions else "relevance",
            attributes=attrs,
        )
    by_qid = {q.qid: q for q in questions.values()}
    for qid, r in sorted(structural.items(), key=lambda item: _order(item[1])):
        parent = by_qid.get(r.get("parent_qid", "").strip())
        if parent is not None and _int(r, "scale_id", "subquestions", 0) == 0:
            parent.subquestions[r["title"].strip()] = clean_text(_pick(texts.get(qid, {}), language, base))
    _read_answers(root, by_qid, language, base)
    return LssSurvey(path, (root.findtext("DBVersion") or "").strip(), layout, language, questions)


def _order(row: dict[str, str]) -> int:
    return _int(row, "question_order", "questions", 0)


def _read_answers(root: ET.Element, by_qid: dict[str, LssQuestion], language: str, base: str) -> None:
    answer_texts: dict[str, dict[str, str]] = {}
    for r in _rows(root, "answer_l10ns"):
        answer_texts.setdefault(r.get("aid", "").strip(), {})[r.get("language", "").strip()] = r.get("answer", "")
    codes: dict[str, dict[str, dict[str, str]]] = {}  # qid → code → language → text
    for r in sorted(_rows(root, "answers"), key=lambda r: _int(r, "sortorder", "answers", 0)):
        if _int(r, "scale_id", "answers", 0) != 0 or r.get("qid", "").strip() not in by_qid:
            continue
        by_language = codes.setdefault(r["qid"].strip(), {}).setdefault(r.get("code", "").strip(), {})
        if "answer" in r:  # LimeSurvey 3: the text on the row, one row per language
            by_language[r.get("language", "").strip()] = r["answer"]
        else:
            by_language.update(answer_texts.get(r.get("aid", "").strip(), {}))
    for qid, question in by_qid.items():
        if qid in codes:
            question.answers = {code: clean_text(_pick(t, language, base)) for code, t in codes[qid].items()}
        elif question.type in IMPLIED_ANSWERS:
            question.answers = dict.fromkeys(IMPLIED_ANSWERS[question.type])


def read_lss(path: Path) -> LssSurvey:
    """The questionnaire an .lss describes; :class:`LssError` (message "<file>: what is wrong") when the
    file is not a readable LimeSurvey survey structure."""
    try:
        return _read(Path(path))
    except _Bad as exc:
        raise LssError(f"{path}: {exc}") from None
