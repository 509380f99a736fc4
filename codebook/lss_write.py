"""Write the codebook as LimeSurvey's survey structure export (.lss), LimeSurvey 4+ layout.

Why: the .lss is what LimeSurvey imports to rebuild the questionnaire, so the codebook can be
handed to whoever runs the next wave, and what a test or the sample ships as "the survey as
LimeSurvey knows it". The text is the same at every run (no date, no random id: survey id 123456,
group ids the sections' order, question ids their position), so a rewrite changes no byte.

The layout is the one LimeSurvey 6 writes: one ``<section>`` per table in its export order, each
``<fields>`` then ``<rows><row>``, every value in CDATA, an empty value as an empty element; texts
in ``question_l10ns`` / ``answer_l10ns`` / ``group_l10ns``. How each codebook row maps is
:mod:`codebook.lss_map`'s.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from pathlib import Path

import codebook
from codebook.lss_map import (
    LANGUAGE,
    OTHER_DEFAULT_LABEL_FR,
    THEMES,
    expected_answers,
    has_other,
    lss_type,
    other_label,
    relevance,
)

#: The survey id written (LimeSurvey's default file name is ``limesurvey_survey_<sid>.lss``).
SURVEY_ID = 123456
LSS_NAME = f"limesurvey_survey_{SURVEY_ID}.lss"
#: The database version of LimeSurvey 6.x exports: the l10n layout of 4.0 and later.
DB_VERSION = "498"
SURVEY_TITLE_FR = "Médiation numérique et accompagnement aux démarches administratives en ligne"

QUESTION_FIELDS = (
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
)

Row = dict[str, object]

#: Characters XML 1.0 cannot hold (LimeSurvey's exporter drops them too).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _cdata(value: object) -> str:
    text = _NOT_XML.sub("", str(value))
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _section(name: str, fields: Iterable[str], rows: list[Row]) -> list[str]:
    """One table as LimeSurvey's exporter writes it; a table without rows is left out, as it does."""
    if not rows:
        return []
    fields = tuple(fields)
    lines = [f" <{name}>", "  <fields>", *(f"   <fieldname>{f}</fieldname>" for f in fields), "  </fields>", "  <rows>"]
    for row in rows:
        lines.append("   <row>")
        for f in fields:
            value = row.get(f, "")
            lines.append(f"    <{f}/>" if value in ("", None) else f"    <{f}>{_cdata(value)}</{f}>")
        lines.append("   </row>")
    return [*lines, "  </rows>", f" </{name}>"]


def _html(text: str) -> str:
    """LimeSurvey texts are HTML: a codebook ``&`` or ``<`` is written as an entity."""
    return html.escape(text, quote=False)


def _question_rows(cb: codebook.Codebook, gid: dict[str, int]) -> dict[str, list[Row]]:
    tables: dict[str, list[Row]] = {n: [] for n in ("questions", "subquestions", "texts", "answers", "attributes")}
    for q in cb.questions:
        qid, letter = q.position, lss_type(q)
        common: Row = {"sid": SURVEY_ID, "gid": gid[q.section], "encrypted": "N", "scale_id": 0, "same_default": 0}
        tables["questions"].append(
            common
            | {
                "qid": qid,
                "parent_qid": 0,
                "type": letter,
                "title": q.export_code,
                "other": "Y" if has_other(q) else "N",
                "mandatory": "Y" if q.mandatory else "N",
                "question_order": q.position,
                "relevance": relevance(q, cb),
                "question_theme_name": THEMES[letter],
                "same_script": 0,
            }
        )
        tables["texts"].append({"qid": qid, "question": _html(q.wording_fr), "language": LANGUAGE})
        for item in q.items:
            sqid = 1000 + 100 * q.position + item.position
            tables["subquestions"].append(
                common
                | {
                    "qid": sqid,
                    "parent_qid": qid,
                    "type": "T",
                    "title": item.export_suffix,
                    "other": "N",
                    "mandatory": "N",
                    "question_order": item.position,
                    "relevance": "1",
                    "same_script": 0,
                }
            )
            tables["texts"].append({"qid": sqid, "question": _html(item.label_fr), "language": LANGUAGE})
        if letter == "L":  # the types with fixed answers (yes/no, 10-point array) have no answer rows
            for order, (code, label) in enumerate(expected_answers(q).items(), start=1):
                tables["answers"].append(
                    {"aid": 100 * qid + order, "qid": qid, "code": code, "sortorder": order, "label": label or code}
                )
        attributes: list[tuple[str, object, str]] = []
        if has_other(q) and other_label(q) != OTHER_DEFAULT_LABEL_FR:
            attributes.append(("other_replace_text", _html(other_label(q)), LANGUAGE))
        if q.type == "number":
            bounds = (("max_num_value_n", q.max_value), ("min_num_value_n", q.min_value))
            attributes += [(n, f"{v:g}", "") for n, v in bounds if v is not None]
        tables["attributes"] += [
            {"qid": qid, "attribute": n, "value": v, "language": lang} for n, v, lang in attributes
        ]
    return tables


def lss_text(cb: codebook.Codebook | None = None) -> str:
    """The codebook as the text of an .lss (LimeSurvey 6 layout), the same at every run."""
    cb = cb or codebook.load().latest_edition()  # an .lss is one edition of the questionnaire
    gid = {s: i for i, s in enumerate(dict.fromkeys(q.section for q in cb.questions), start=1)}
    t = _question_rows(cb, gid)
    answer_texts = [
        {"id": i, "aid": a["aid"], "answer": _html(str(a["label"])), "language": LANGUAGE}
        for i, a in enumerate(t["answers"], start=1)
    ]
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<document>",
        " <LimeSurveyDocType>Survey</LimeSurveyDocType>",
        f" <DBVersion>{DB_VERSION}</DBVersion>",
        " <languages>",
        f"  <language>{LANGUAGE}</language>",
        " </languages>",
        *_section(
            "answers",
            ("aid", "qid", "code", "sortorder", "assessment_value", "scale_id"),
            [a | {"assessment_value": 0, "scale_id": 0} for a in t["answers"]],
        ),
        *_section("answer_l10ns", ("id", "aid", "answer", "language"), answer_texts),
        *_section(
            "groups",
            ("gid", "sid", "group_order", "randomization_group", "grelevance"),
            [{"gid": g, "sid": SURVEY_ID, "group_order": g, "grelevance": "1"} for g in gid.values()],
        ),
        *_section(
            "group_l10ns",
            ("id", "gid", "group_name", "description", "language"),
            [{"id": g, "gid": g, "group_name": _html(s), "language": LANGUAGE} for s, g in gid.items()],
        ),
        *_section("questions", QUESTION_FIELDS, t["questions"]),
        *_section("subquestions", QUESTION_FIELDS, t["subquestions"]),
        *_section(
            "question_l10ns",
            ("id", "qid", "question", "help", "script", "language"),
            [r | {"id": i} for i, r in enumerate(t["texts"], start=1)],
        ),
        *_section("question_attributes", ("qid", "attribute", "value", "language"), t["attributes"]),
        *_section(
            "surveys",
            (
                "sid",
                "gsid",
                "admin",
                "anonymized",
                "format",
                "language",
                "additional_languages",
                "datestamp",
                "ipaddr",
                "refurl",
                "showprogress",
            ),
            [
                {
                    "sid": SURVEY_ID,
                    "gsid": 1,
                    "admin": "inherit",
                    "anonymized": "N",
                    "format": "G",
                    "language": LANGUAGE,
                    "datestamp": "Y",
                    "ipaddr": "N",
                    "refurl": "N",
                    "showprogress": "Y",
                }
            ],
        ),
        *_section(
            "surveys_languagesettings",
            (
                "surveyls_survey_id",
                "surveyls_language",
                "surveyls_title",
                "surveyls_description",
                "surveyls_welcometext",
                "surveyls_endtext",
            ),
            [{"surveyls_survey_id": SURVEY_ID, "surveyls_language": LANGUAGE, "surveyls_title": SURVEY_TITLE_FR}],
        ),
        "</document>",
    ]
    return "\n".join(lines) + "\n"


def write_lss(path: Path, cb: codebook.Codebook | None = None) -> Path:
    """Write :func:`lss_text` to ``path`` (UTF-8, LF line ends)."""
    path.write_text(lss_text(cb), encoding="utf-8", newline="\n")
    return path
