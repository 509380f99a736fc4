"""The survey structure (.lss): codebook → .lss → comparison is clean, and every kind of edit is named.

Edits are made the way they happen: on the text a person would change (an answer code, a label,
a relevance equation) or by dropping a row, on an .lss written from the codebook. The LimeSurvey 3
fixture follows the layout of LimeSurvey's own demo surveys (docs/demosurveys/ls2_*.lss): texts on
the rows, one row per language, conditions in their own table.
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import codebook
from codebook.lss import LSS_NAME, Difference, LssError, compare, compare_file, lss_text, read_lss, write_lss
from codebook.lss_map import canonical_condition
from tests.exports import PROJECT_DIR, SAMPLE_DIR, sample_copy


def _cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codebook", *map(str, args)], capture_output=True, text=True, cwd=PROJECT_DIR
    )


@pytest.fixture()
def lss(tmp_path: Path) -> Path:
    return write_lss(tmp_path / "survey.lss", edition())


def edition() -> codebook.Codebook:
    """The latest edition of the questionnaire: an .lss is one edition."""
    return codebook.load().latest_edition()


def _replaced(path: Path, old: str, new: str) -> Path:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    out = path.with_name("edited.lss")
    out.write_text(text.replace(old, new), encoding="utf-8")
    return out


def _without_row(path: Path, section: str, **match: str) -> Path:
    """The .lss without the one row of ``section`` whose fields equal ``match`` (written back as plain XML)."""
    tree = ET.parse(path)
    rows = tree.getroot().find(f"{section}/rows")
    assert rows is not None
    hits = [r for r in rows if all(r.findtext(k) == v for k, v in match.items())]
    assert len(hits) == 1, match
    rows.remove(hits[0])
    out = path.with_name("edited.lss")
    tree.write(out, encoding="utf-8", xml_declaration=True)
    return out


def _with_field(path: Path, section: str, match: dict[str, str], name: str, value: str) -> Path:
    """The .lss with field ``name`` of the one row of ``section`` matching ``match`` set to ``value``."""
    tree = ET.parse(path)
    hits = [
        r for r in tree.getroot().iterfind(f"{section}/rows/row") if all(r.findtext(k) == v for k, v in match.items())
    ]
    assert len(hits) == 1 and hits[0].find(name) is not None, match
    hits[0].find(name).text = value  # type: ignore[union-attr]
    out = path.with_name("edited.lss")
    tree.write(out, encoding="utf-8", xml_declaration=True)
    return out


def _kinds(differences: list[Difference]) -> list[tuple[str, str]]:
    return [(d.export_code, d.kind) for d in differences]


# --- round trip -------------------------------------------------------------------------------------------


def test_codebook_written_as_lss_reads_back_and_agrees(lss: Path) -> None:
    survey = read_lss(lss)
    cb = edition()
    assert (survey.layout, survey.language, survey.db_version) == ("LimeSurvey 4+", "fr", "498")
    assert list(survey.questions) == [q.export_code for q in cb.questions]
    q01, q02, q04, q06 = (survey.questions[c] for c in ("Q01", "Q02", "Q04", "Q06"))
    assert (q01.type, q01.other, q01.mandatory, q01.text) == ("L", True, True, "Quel est l'intitulé de votre poste ?")
    assert q01.answers == {
        "A1": "Conseiller-ère numérique",
        "A2": "Animateur-rice numérique",
        "A3": "Médiateur-rice numérique",
        "A4": "Référent-e numérique",
        "A5": "Bibliothécaire/médiathécaire",
    }
    assert q02.type == "M" and list(q02.subquestions)[:3] == ["SQ001", "SQ002", "SQ003"]
    assert q02.subquestions["SQ003"] == "Médiathèque / bibliothèque"
    assert (q04.type, q04.answers) == ("Y", {"Y": None, "N": None})
    assert (q06.type, q06.relevance, len(q06.subquestions)) == ("B", '((Q04.NAOK == "Y"))', 7)
    assert list(q06.answers) == [str(n) for n in range(1, 11)]
    assert (survey.questions["Q15"].min_value, survey.questions["Q15"].max_value) == (18, 75)
    assert compare(survey, cb) == []
    assert compare_file(lss) == []


def test_write_lss_is_byte_identical_on_rerun_and_real_lss_xml(tmp_path: Path) -> None:
    first, second = tmp_path / "a.lss", tmp_path / "b.lss"
    for out in (first, second):
        proc = _cli("write-lss", out)
        assert proc.returncode == 0, proc.stderr
    assert first.read_bytes() == second.read_bytes() == lss_text().encode("utf-8")
    text = first.read_text(encoding="utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<document>\n <LimeSurveyDocType>Survey<')
    assert "<title><![CDATA[Q01]]></title>" in text and "<relevance><![CDATA[1]]></relevance>" in text
    sections = [child.tag for child in ET.fromstring(first.read_bytes())]
    assert sections == [
        "LimeSurveyDocType", "DBVersion", "languages", "answers", "answer_l10ns", "groups", "group_l10ns",
        "questions", "subquestions", "question_l10ns", "question_attributes", "surveys", "surveys_languagesettings",
    ]  # fmt: skip


def test_check_lss_says_it_agrees(lss: Path, tmp_path: Path) -> None:
    proc = _cli("check-lss", lss)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # The latest edition (2024): one question dropped, one added, and the contract's new option (84 = 83 + 1).
    assert proc.stdout == f"{lss}: agrees with the codebook (24 questions, 70 subquestions, 84 answer codes)\n"
    first = tmp_path / "edition_2023.lss"
    assert _cli("write-lss", first, "--wave", "2023").returncode == 0
    proc = _cli("check-lss", first, "--wave", "2023")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == f"{first}: agrees with the codebook (24 questions, 70 subquestions, 83 answer codes)\n"


def test_bundled_sample_lss_agrees_with_the_codebook() -> None:
    assert compare_file(SAMPLE_DIR / LSS_NAME) == []
    assert compare_file(SAMPLE_DIR / LSS_NAME, "2023") == []  # the 2023 edition, as the README says


# --- each kind of difference ------------------------------------------------------------------------------


def test_an_edited_answer_code_is_named_with_its_question(lss: Path) -> None:
    q01_a1 = "<qid><![CDATA[1]]></qid>\n    <code><![CDATA[A1]]></code>"
    edited = _replaced(lss, q01_a1, q01_a1.replace("A1", "AO01"))
    proc = _cli("check-lss", edited)
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        "Q01 (post_title): answer code 'A1' of codebook_choices.csv is missing from the .lss",
        "Q01 (post_title): answer code 'AO01' in the .lss is not in codebook_choices.csv",
    ]
    assert "2 difference(s)" in proc.stderr and "Traceback" not in proc.stderr


def test_a_removed_subquestion_is_reported(lss: Path) -> None:
    differences = compare(read_lss(_without_row(lss, "subquestions", parent_qid="2", title="SQ003")))
    assert _kinds(differences) == [("Q02", "missing_subquestion")]
    assert str(differences[0]) == (
        "Q02 (place): subquestion 'SQ003' (Médiathèque / bibliothèque) of codebook_items.csv is missing from the .lss"
    )


def test_a_changed_french_label_is_reported(lss: Path) -> None:
    differences = compare(read_lss(_replaced(lss, "<![CDATA[Femme]]>", "<![CDATA[Féminin]]>")))
    assert [str(d) for d in differences] == [
        "Q16 (gender): answer 'F' label differs: .lss 'Féminin', codebook_choices.csv 'Femme'"
    ]
    # White space and HTML are not differences: LimeSurvey's editor wraps texts in <p> and adds &nbsp;.
    html = "<![CDATA[<p>Médiathèque&nbsp;/\n bibliothèque</p>]]>"
    spaced = _replaced(lss, "<![CDATA[Médiathèque / bibliothèque]]>", html)
    assert compare(read_lss(spaced)) == []


def test_a_changed_subquestion_label_and_question_text_are_reported(lss: Path) -> None:
    edited = _replaced(lss, "<![CDATA[Médiathèque / bibliothèque]]>", "<![CDATA[Bibliothèque]]>")
    edited = _replaced(edited, "<![CDATA[Quel âge avez-vous ?]]>", "<![CDATA[Votre âge ?]]>")
    assert [str(d) for d in compare(read_lss(edited))] == [
        "Q02 (place): subquestion 'SQ003' label differs: .lss 'Bibliothèque', codebook_items.csv "
        "'Médiathèque / bibliothèque'",
        "Q15 (age): question text differs: .lss 'Votre âge ?', codebook_questions.csv 'Quel âge avez-vous ?'",
    ]


def test_a_changed_condition_is_reported_and_its_spelling_is_not(lss: Path) -> None:
    edited = _with_field(lss, "questions", {"title": "Q06"}, "relevance", '((Q04.NAOK == "N"))')
    differences = compare(read_lss(edited))
    assert [str(d) for d in differences] == [
        "Q06 (support_type): condition differs: .lss '((Q04.NAOK == \"N\"))' (relevance), codebook_questions.csv "
        "asked if Q04 (does_eadmin) = 'Y', i.e. '((Q04.NAOK == \"Y\"))'"
    ]
    assert canonical_condition("Q04 == 'Y'") == canonical_condition('((Q04.NAOK == "Y"))') == 'Q04 == "Y"'
    assert canonical_condition("Q04.NAOK != 'Y'") != canonical_condition('((Q04.NAOK == "Y"))')
    assert canonical_condition('(Q04 == "N") or (Q04 == "Y")') == canonical_condition("Q04.NAOK=='Y' || Q04=='N'")
    assert canonical_condition("is_empty(Q04)") == "is_empty(Q04)"  # kept as written, never equal to a comparison
    assert canonical_condition("1") == canonical_condition("") == ""


def test_equivalent_limesurvey_spellings_agree(lss: Path) -> None:
    """What another LimeSurvey author may have built for the same questionnaire is no difference: a yes/no
    question as a radio list with Oui/Non rows, a one-row scale as a numerical input, another spelling of
    a condition, a text shown between questions."""
    tree = ET.parse(lss)
    root = tree.getroot()

    def row(section: str, **fields: str) -> None:
        element = ET.SubElement(root.find(f"{section}/rows"), "row")  # type: ignore[arg-type]
        for name, value in fields.items():
            ET.SubElement(element, name).text = value

    for r in root.iterfind("questions/rows/row"):
        title = r.findtext("title")
        if title == "Q04":
            r.find("type").text = "L"  # type: ignore[union-attr]
        elif title == "Q08":
            r.find("type").text = "N"  # type: ignore[union-attr]
        elif title == "Q09":
            r.find("relevance").text = "Q04 == 'Y'"  # type: ignore[union-attr]
    for aid, code, label in (("9001", "Y", "Oui"), ("9002", "N", "Non")):
        row("answers", aid=aid, qid="4", code=code, sortorder=aid[-1], assessment_value="0", scale_id="0")
        row("answer_l10ns", id=aid, aid=aid, answer=label, language="fr")
    row("questions", qid="99", parent_qid="0", sid="123456", gid="1", type="X", title="INTRO", question_order="0")
    row("question_l10ns", id="9999", qid="99", question="<p>Bienvenue</p>", language="fr")
    tree.write(lss, encoding="utf-8", xml_declaration=True)
    survey = read_lss(lss)
    assert (survey.questions["Q04"].answers, survey.questions["INTRO"].text) == ({"Y": "Oui", "N": "Non"}, "Bienvenue")
    assert compare(survey) == []


def test_missing_extra_and_retyped_questions_and_the_other_option(lss: Path) -> None:
    assert "Q26" not in {q.export_code for q in codebook.load().questions}  # a code of no edition
    edited = _replaced(lss, "<title><![CDATA[Q24]]></title>", "<title><![CDATA[Q26]]></title>")
    edited = _with_field(edited, "questions", {"title": "Q20"}, "type", "P")
    edited = _with_field(edited, "questions", {"title": "Q01"}, "other", "N")
    differences = compare(read_lss(edited))
    assert _kinds(differences) == [
        ("Q01", "missing_answer"),
        ("Q20", "changed_type"),
        ("Q24", "missing_question"),
        ("Q26", "extra_question"),
    ]
    assert "answer code '-oth-' of codebook_choices.csv is missing from the .lss" in str(differences[0])
    assert "'P' (multiple choice with comments)" in str(differences[1]) and "'M' (multiple choice)" in str(
        differences[1]
    )
    assert str(differences[3]).startswith("Q26: question in the .lss ('N' (numerical input), ")


# --- LimeSurvey 3 layout ----------------------------------------------------------------------------------


def _table(name: str, rows: list[dict[str, str]]) -> str:
    """One table in LimeSurvey 3's export layout (as in docs/demosurveys/ls2_*.lss): fields, then one row per
    record with one CDATA element per field, an empty value as an empty element."""
    fields = list(dict.fromkeys(f for r in rows for f in r))
    out = [f" <{name}>", "  <fields>", *(f"   <fieldname>{f}</fieldname>" for f in fields), "  </fields>", "  <rows>"]
    for r in rows:
        out += [
            "   <row>",
            *(f"    <{f}><![CDATA[{v}]]></{f}>" if v else f"    <{f}/>" for f, v in r.items()),
            "   </row>",
        ]
    return "\n".join([*out, "  </rows>", f" </{name}>"])


def _ls3_question(qid: int, qtype: str, title: str, text: str, language: str, order: int, **more: str) -> dict:
    return {
        "qid": str(qid),
        "parent_qid": "0",
        "sid": "282267",
        "gid": "1",
        "type": qtype,
        "title": title,
        "question": text,
        "preg": "",
        "help": "",
        "other": "N",
        "mandatory": "Y",
        "question_order": str(order),
        "language": language,
        "scale_id": "0",
        "same_default": "0",
        "relevance": "1",
        "modulename": "",
    } | more


def _ls3_answer(code: str, text: str, order: int, language: str) -> dict:
    return {
        "qid": "16",
        "code": code,
        "answer": text,
        "sortorder": str(order),
        "assessment_value": "0",
        "language": language,
        "scale_id": "0",
    }


def _ls3(tmp_path: Path, condition_value: str = "N") -> Path:
    """Three questions of the codebook as LimeSurvey 3 exports them, in French (base) and English."""
    items = codebook.load().question("reason_not_eadmin").items
    q04_fr = "<p>R&eacute;alisez-vous des accompagnements aux d&eacute;marches administratives en ligne&nbsp;?</p>"
    q05_fr = (
        "Si vous ne réalisez pas d'accompagnement aux démarches en ligne, pourquoi ? (Plusieurs réponses possibles)"
    )
    questions = [
        _ls3_question(4, "Y", "Q04", "Do you help people with online procedures?", "en", 1),
        _ls3_question(4, "Y", "Q04", q04_fr, "fr", 1),
        _ls3_question(5, "M", "Q05", q05_fr, "fr", 2, relevance=""),
        _ls3_question(16, "L", "Q16", "Vous &ecirc;tes :", "fr", 3),
    ]
    subquestions = [
        _ls3_question(100 + i.position, "T", i.export_suffix, text, lang, i.position, parent_qid="5", mandatory="")
        for i in items
        for text, lang in ((i.label_fr, "fr"), (f"Reason {i.position}", "en"))
    ]
    answers = [
        _ls3_answer("M", "Man", 2, "en"),
        _ls3_answer("M", "Homme", 2, "fr"),
        _ls3_answer("F", "Femme", 1, "fr"),
        _ls3_answer("F", "Woman", 1, "en"),
        _ls3_answer("X", "Autre / ne souhaite pas r&eacute;pondre", 3, "fr"),
    ]
    condition = {
        "cid": "1",
        "qid": "5",
        "cqid": "4",
        "cfieldname": "282267X1X4",
        "method": "==",
        "value": condition_value,
        "scenario": "1",
    }
    groups = [
        {"gid": "1", "sid": "282267", "group_name": name, "group_order": "0", "description": "", "language": lang}
        for name, lang in (("Accompagnement", "fr"), ("Support", "en"))
    ]
    text = "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            "<document>",
            " <LimeSurveyDocType>Survey</LimeSurveyDocType>",
            " <DBVersion>359</DBVersion>",
            " <languages>\n  <language>en</language>\n  <language>fr</language>\n </languages>",
            _table("answers", answers),
            _table("conditions", [condition]),
            _table("groups", groups),
            _table("questions", questions),
            _table("subquestions", subquestions),
            _table("question_attributes", [{"qid": "16", "attribute": "display_columns", "value": "1"}]),
            _table("surveys", [{"sid": "282267", "language": "fr", "additional_languages": "en"}]),
            _table("surveys_languagesettings", [{"surveyls_survey_id": "282267", "surveyls_language": "fr"}]),
            "</document>\n",
        ]
    )
    path = tmp_path / "ls3.lss"
    path.write_text(text, encoding="utf-8")
    return path


def test_limesurvey_3_layout_is_read(tmp_path: Path) -> None:
    survey = read_lss(_ls3(tmp_path))
    assert (survey.layout, survey.language, survey.db_version) == ("LimeSurvey 3", "fr", "359")
    assert list(survey.questions) == ["Q04", "Q05", "Q16"]
    q04, q05, q16 = survey.questions.values()
    assert (q04.type, q04.group, q04.answers) == ("Y", "Accompagnement", {"Y": None, "N": None})
    assert q04.text == "Réalisez-vous des accompagnements aux démarches administratives en ligne ?"
    assert (q05.relevance, q05.condition_source) == ('(Q04.NAOK == "N")', "conditions")
    assert q05.subquestions["SQ004"] == "Je n'ai pas de demandes de la part du public" and len(q05.subquestions) == 5
    assert (q16.text, q16.attributes) == ("Vous êtes :", {"display_columns": "1"})
    assert q16.answers == {"F": "Femme", "M": "Homme", "X": "Autre / ne souhaite pas répondre"}
    # The three questions agree with the codebook: only the 21 others are missing.
    differences = compare(survey)
    assert {d.kind for d in differences} == {"missing_question"} and len(differences) == 21
    assert not {"Q04", "Q05", "Q16"} & {d.export_code for d in differences}


def test_limesurvey_3_condition_rows_are_compared(tmp_path: Path) -> None:
    path = _ls3(tmp_path, condition_value="Y")
    changed = [d for d in compare(read_lss(path)) if d.kind != "missing_question"]
    assert [str(d) for d in changed] == [
        "Q05 (reason_not_eadmin): condition differs: .lss '(Q04.NAOK == \"Y\")' (its conditions), "
        "codebook_questions.csv asked if Q04 (does_eadmin) = 'N', i.e. '((Q04.NAOK == \"N\"))'"
    ]


# --- files that are no .lss -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"this is not xml", "not a readable XML file"),
        (b"Q01;Q02\r\nA1;Y\r\n", "not a readable XML file"),
        (b"<document><LimeSurveyDocType>Label set</LimeSurveyDocType></document>", "LimeSurveyDocType 'Label set'"),
        (b"<document><LimeSurveyDocType>Survey</LimeSurveyDocType></document>", "holds no question"),
        (b"", "not a readable XML file"),
    ],
    ids=["text", "csv", "label_set", "no_question", "empty"],
)
def test_a_file_that_is_not_an_lss_exits_2_with_one_line(tmp_path: Path, content: bytes, said: str) -> None:
    path = tmp_path / "structure.lss"
    path.write_bytes(content)
    proc = _cli("check-lss", path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"codebook: error: {path}: ") and said in proc.stderr
    assert "expected: LimeSurvey's survey structure export" in proc.stderr
    with pytest.raises(LssError, match=str(path)):
        read_lss(path)


def test_a_missing_file_or_a_folder_exits_2(tmp_path: Path) -> None:
    for path in (tmp_path / "absent.lss", tmp_path):
        proc = _cli("check-lss", path)
        assert proc.returncode == 2 and "cannot be read" in proc.stderr and "Traceback" not in proc.stderr


def test_make_codebook_check(lss: Path) -> None:
    usage = subprocess.run(["make", "-s", "codebook-check"], capture_output=True, text=True, cwd=PROJECT_DIR)
    assert usage.returncode != 0 and "usage: make codebook-check LSS=<file.lss>" in usage.stderr
    ok = subprocess.run(["make", "-s", "codebook-check", f"LSS={lss}"], capture_output=True, text=True, cwd=PROJECT_DIR)
    assert ok.returncode == 0 and "agrees with the codebook (24 questions" in ok.stdout
    edited = _replaced(lss, "<![CDATA[Homme]]>", "<![CDATA[Masculin]]>")
    bad = subprocess.run(
        ["make", "-s", "codebook-check", f"LSS={edited}"], capture_output=True, text=True, cwd=PROJECT_DIR
    )
    assert bad.returncode != 0 and "Q16 (gender): answer 'M' label differs" in bad.stdout


def test_build_refuses_an_lss_that_disagrees(tmp_path: Path) -> None:
    from ingest.errors import ExportError
    from ingest.run import ingest

    raw = sample_copy(tmp_path / "raw")
    write_lss(raw / LSS_NAME)
    _replaced(raw / LSS_NAME, "<![CDATA[Homme]]>", "<![CDATA[Masculin]]>").replace(raw / LSS_NAME)
    with pytest.raises(ExportError) as err:
        ingest(raw, tmp_path / "w.duckdb")
    assert "Q16 (gender): answer 'M' label differs" in str(err.value) and LSS_NAME in str(err.value)
