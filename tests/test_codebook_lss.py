"""The survey structure (.lss): codebook → .lss → comparison is clean; every kind of edit is named."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import codebook
from codebook.lss import LSS_NAME, LssError, compare, lss_text, read_lss
from tests.exports import PROJECT_DIR, SAMPLE_DIR, sample_copy

BUNDLED = SAMPLE_DIR / LSS_NAME


def _check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codebook", "check-lss", str(path)], capture_output=True, text=True, cwd=PROJECT_DIR
    )


def _edited(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = BUNDLED.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "edited.lss"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


def test_bundled_lss_is_the_codebook_written_out_and_agrees_with_it() -> None:
    assert BUNDLED.read_text(encoding="utf-8") == lss_text()
    questions = read_lss(BUNDLED)
    cb = codebook.load()
    assert list(questions) == [q.export_code for q in cb.questions]
    assert questions["Q01"].other and questions["Q01"].answers["A4"] == "Référent-e numérique"
    assert questions["Q02"].subquestions["SQ003"] == "Médiathèque / bibliothèque"
    assert questions["Q06"].relevance == '((Q04.NAOK == "Y"))'
    assert compare(questions) == []


def test_make_codebook_check_passes_on_the_bundled_lss() -> None:
    proc = subprocess.run(
        ["make", "-s", "codebook-check", f"LSS={BUNDLED}"], capture_output=True, text=True, cwd=PROJECT_DIR
    )
    assert proc.returncode == 0, proc.stderr
    assert "agrees with the codebook (24 questions" in proc.stdout


def test_one_edited_answer_code_is_named_with_its_question(tmp_path: Path) -> None:
    # Q01's first answer row (aid 101): A1 becomes LimeSurvey 4's default AO01.
    text = BUNDLED.read_text(encoding="utf-8")
    row = re.search(r"<aid>101</aid>\s*<qid>1</qid>\s*<code>A1</code>", text)
    assert row is not None
    path = tmp_path / "edited.lss"
    path.write_text(text.replace(row.group(0), row.group(0).replace("<code>A1</code>", "<code>AO01</code>")))
    proc = _check(path)
    assert proc.returncode == 1
    assert "Q01 (post_title): answer code 'AO01' in the .lss is not in codebook_choices.csv" in proc.stdout
    assert "Q01 (post_title): answer code 'A1' of codebook_choices.csv is missing from the .lss" in proc.stdout
    assert proc.stdout.count("\n") == 2


@pytest.mark.parametrize(
    ("old", "new", "kind", "words"),
    [
        ("<title>SQ003</title>", "<title>SQ099</title>", "missing_subquestion", ("Q02 (place)", "'SQ003'")),
        ("<answer>Femme</answer>", "<answer>Féminin</answer>", "changed_label", ("Q16 (gender)", "'F'", "Féminin")),
        ('((Q04.NAOK == "Y"))', '((Q04.NAOK == "N"))', "changed_condition", ("Q06 (support_type)",)),
        ("<title>Q24</title>", "<title>Q25</title>", "missing_question", ("Q24 (salary)",)),
    ],
    ids=["subquestion", "label", "condition", "question"],
)
def test_each_kind_of_difference_is_reported(tmp_path: Path, old: str, new: str, kind: str, words: tuple) -> None:
    differences = compare(read_lss(_edited(tmp_path, old, new)))
    found = [d for d in differences if d.kind == kind]
    assert found, differences
    assert all(w in str(found[0]) for w in words), str(found[0])


def test_limesurvey_3_layout_is_read(tmp_path: Path) -> None:
    """LimeSurvey 3 keeps texts on the question and answer rows, one row per language."""
    lss = tmp_path / "ls3.lss"
    lss.write_text(
        """<?xml version="1.0" encoding="UTF-8"?>
<document><LimeSurveyDocType>Survey</LimeSurveyDocType><DBVersion>359</DBVersion>
<languages><language>fr</language><language>en</language></languages>
<answers><fields><fieldname>qid</fieldname><fieldname>code</fieldname><fieldname>answer</fieldname>
<fieldname>sortorder</fieldname><fieldname>language</fieldname><fieldname>scale_id</fieldname></fields><rows>
<row><qid><![CDATA[7]]></qid><code><![CDATA[F]]></code><answer><![CDATA[Femme]]></answer>
<sortorder>1</sortorder><language>fr</language><scale_id>0</scale_id></row>
<row><qid><![CDATA[7]]></qid><code><![CDATA[F]]></code><answer><![CDATA[Woman]]></answer>
<sortorder>1</sortorder><language>en</language><scale_id>0</scale_id></row>
</rows></answers>
<questions><fields><fieldname>qid</fieldname></fields><rows>
<row><qid>7</qid><parent_qid>0</parent_qid><type>L</type><title>Q16</title>
<question><![CDATA[<p>Vous &ecirc;tes :</p>]]></question><other>N</other><mandatory>Y</mandatory>
<question_order>16</question_order><language>fr</language><relevance>1</relevance></row>
<row><qid>7</qid><parent_qid>0</parent_qid><type>L</type><title>Q16</title>
<question><![CDATA[You are:]]></question><other>N</other><mandatory>Y</mandatory>
<question_order>16</question_order><language>en</language><relevance>1</relevance></row>
</rows></questions>
</document>
""",
        encoding="utf-8",
    )
    q16 = read_lss(lss)["Q16"]
    assert (q16.type, q16.text, q16.answers) == ("L", "Vous êtes :", {"F": "Femme"})


def test_a_file_that_is_not_an_lss_exits_2_without_traceback(tmp_path: Path) -> None:
    (tmp_path / "bad.lss").write_text("this is not xml", encoding="utf-8")
    (tmp_path / "other.lss").write_text("<document><LimeSurveyDocType>Label set</LimeSurveyDocType></document>")
    for name in ("bad.lss", "other.lss"):
        proc = _check(tmp_path / name)
        assert proc.returncode == 2 and name in proc.stderr and "Traceback" not in proc.stderr
    with pytest.raises(LssError):
        read_lss(tmp_path / "other.lss")


def test_build_refuses_an_lss_that_disagrees_and_names_the_difference(tmp_path: Path) -> None:
    from ingest.errors import ExportError
    from ingest.run import ingest

    raw = sample_copy(tmp_path / "raw")
    text = (raw / LSS_NAME).read_text(encoding="utf-8").replace("<answer>Homme</answer>", "<answer>Masculin</answer>")
    (raw / LSS_NAME).write_text(text, encoding="utf-8")
    with pytest.raises(ExportError) as err:
        ingest(raw, tmp_path / "w.duckdb")
    assert "Q16 (gender): answer 'M' label differs" in str(err.value) and LSS_NAME in str(err.value)
