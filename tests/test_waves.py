"""Waves over time: each export is read against its wave's edition of the codebook, and marts label each wave as
it was asked. The bundled sample has two waves: 2023 (the report's) and a synthetic 2024 with one question
dropped, one added, one answer option added and a site relabelled (samplegen, ``make sample WAVE=2024``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import codebook
from codebook.lss import compare
from codebook.lss_read import read_lss
from codebook.lss_write import write_lss
from ingest.errors import ExportError
from ingest.run import ingest
from tests.exports import SAMPLE_DIR, SAMPLE_EXPORT, read_export, write_export

DROPPED, ADDED, NEW_CHOICE = "first_mediator_hired", "ai_tools", ("contract", "A5")


def _heading(question: str) -> str:
    return codebook.load().question(question).export_code


def test_the_codebook_knows_each_edition() -> None:
    cb = codebook.load()
    in_2023 = {v.name for v in cb.variables("2023")}
    in_2024 = {v.name for v in cb.variables("2024")}
    assert DROPPED in in_2023 and DROPPED not in in_2024
    assert ADDED in in_2024 and ADDED not in in_2023
    contract = cb.question(NEW_CHOICE[0])
    assert NEW_CHOICE[1] not in {c.choice_code for c in contract.choices_in("2023")}
    assert NEW_CHOICE[1] in {c.choice_code for c in contract.choices_in("2024")}
    site = next(i for i in cb.question("site").items if i.item_code == "pole_emploi")
    assert (site.label_in("2023"), site.label_in("2024")) == ("Pôle emploi", "France Travail")
    assert cb.edition("2024").question("site").items[site.position - 1].label_fr == "France Travail"


def test_the_bundled_2024_export_lacks_the_dropped_question_and_builds(sample_con) -> None:
    header = read_export(SAMPLE_DIR / "responses_2024.csv").columns
    assert _heading(DROPPED) not in header and _heading(ADDED) in header
    kept = dict(sample_con.sql("select wave, count(*) from marts.respondents group by 1").fetchall())
    assert set(kept) == {"2023", "2024"} and min(kept.values()) > 0


def test_a_2023_export_without_the_question_asked_in_2023_fails_naming_it(tmp_path: Path) -> None:
    write_export(read_export().drop(columns=[_heading(DROPPED)]), tmp_path / "raw" / SAMPLE_EXPORT.name)
    with pytest.raises(ExportError) as err:
        ingest(tmp_path / "raw", tmp_path / "w.duckdb")
    text = str(err.value)
    assert err.value.column == _heading(DROPPED)
    assert DROPPED in text and "wave 2023" in text, text


def test_a_2023_export_with_the_2024_question_fails_naming_it(tmp_path: Path) -> None:
    frame = read_export()
    frame[_heading(ADDED)] = "N"
    write_export(frame, tmp_path / "raw" / SAMPLE_EXPORT.name)
    with pytest.raises(ExportError) as err:
        ingest(tmp_path / "raw", tmp_path / "w.duckdb")
    assert ADDED in str(err.value) and "from wave 2024 on" in str(err.value), str(err.value)


def test_a_code_declared_from_2024_is_refused_in_2023_naming_it(tmp_path: Path) -> None:
    frame = read_export()
    contract = _heading(NEW_CHOICE[0])
    rows = frame.index[(frame["submitdate"] != "") & (frame[contract] == "A4")][:2]
    frame.loc[rows, contract] = NEW_CHOICE[1]
    write_export(frame, tmp_path / "raw" / SAMPLE_EXPORT.name)
    with pytest.raises(ExportError) as err:
        ingest(tmp_path / "raw", tmp_path / "w.duckdb")
    text = str(err.value)
    assert f"'{NEW_CHOICE[1]}' in 2 rows" in text and "A5 is declared for waves 2024–… only" in text, text


def test_a_2024_code_not_declared_for_2024_fails_naming_it(tmp_path: Path) -> None:
    frame = read_export(SAMPLE_DIR / "responses_2024.csv")
    contract = _heading(NEW_CHOICE[0])
    rows = frame.index[(frame["submitdate"] != "") & (frame[contract] == "A1")][:3]
    frame.loc[rows, contract] = "A6"
    write_export(frame, tmp_path / "raw" / "responses_2024.csv")
    with pytest.raises(ExportError) as err:
        ingest(tmp_path / "raw", tmp_path / "w.duckdb")
    text = str(err.value)
    assert f"{contract} (contract): unknown answer code 'A6' in 3 rows" in text, text
    assert "expected A1–A5" in text and "as asked in wave 2024" in text, text


def test_each_wave_is_labelled_as_asked(sample_con) -> None:
    sites = dict(
        sample_con.sql(
            """select wave, list(distinct site_label) from marts.respondent_sites
            where site_code = 'pole_emploi' group by 1"""
        ).fetchall()
    )
    assert sites == {"2023": ["Pôle emploi"], "2024": ["France Travail"]}
    scales = dict(
        sample_con.sql(
            """select wave, item_label from report.scale_summaries
            where question_code = 'site' and item_code = 'pole_emploi'"""
        ).fetchall()
    )
    assert scales == {"2023": "Pôle emploi", "2024": "France Travail"}
    asked = dict(
        sample_con.sql(
            f"""select wave, count(*) filter (where question_code = '{DROPPED}') || '/' ||
                count(*) filter (where question_code = '{ADDED}') from intermediate.int_respondent_answers
            group by 1"""
        ).fetchall()
    )
    kept = dict(sample_con.sql("select wave, count(*) from marts.respondents group by 1").fetchall())
    # the dropped question has no row in 2024, the new one none in 2023: bases are those asked
    assert asked == {"2023": f"{kept['2023']}/0", "2024": f"0/{kept['2024']}"}
    contract_codes = dict(
        sample_con.sql(
            "select wave, list(item_code order by item_position) from report.frequencies "
            "where question_code = 'contract' group by 1"
        ).fetchall()
    )
    assert contract_codes == {"2023": ["A1", "A2", "A3", "A4"], "2024": ["A1", "A2", "A3", "A4", "A5"]}
    labels = sample_con.sql(
        "select distinct contract_label from marts.respondents where wave = '2024' and contract = 'A5'"
    ).fetchall()
    assert labels == [("Contrat de projet (CDD à objet défini)",)]


def test_an_lss_of_the_2024_edition_checked_as_2023_names_the_2024_question(tmp_path: Path) -> None:
    cb = codebook.load()
    path = write_lss(tmp_path / "survey_2024.lss", cb.edition("2024"))
    found = compare(read_lss(path), cb.edition("2023"))
    extra = [d for d in found if d.kind == "extra_question"]
    assert [d.export_code for d in extra] == [_heading(ADDED)]
    assert f"is {ADDED} of codebook_questions.csv, not asked in this edition (waves 2024–…)" in extra[0].detail


def test_stats_label_each_wave_as_asked(sample_con) -> None:
    labels = dict(
        sample_con.sql(
            """select wave, list(distinct outcome_label) from stats.tests
            where outcome = 'site__pole_emploi' and kind = 'two_groups' group by 1"""
        ).fetchall()
    )
    site = "Sites web administratifs"
    assert labels == {"2023": [f"{site} : Pôle emploi"], "2024": [f"{site} : France Travail"]}
    dropped = sample_con.sql(
        f"select wave, count(*) from stats.tests where variables like '%{codebook.load().question(DROPPED).label_fr}%' "
        "and kind <> 'wave_difference' group by 1"
    ).fetchall()
    assert [w for w, _ in dropped] == ["2023"]  # a question not asked in 2024 enters no 2024 test
