"""Waves over time: each export is read against its wave's edition of the codebook, and marts label each wave as
it was asked.

The 2024 export here is made from the bundled 2023 one (dates moved a year on, the dropped question removed,
the new one added): what matters is the questionnaire, not the answers.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

import codebook
from ingest.errors import ExportError
from ingest.run import ingest
from pipeline.build import build
from tests.exports import SAMPLE_EXPORT, read_export, sample_copy, write_export

DROPPED, ADDED, NEW_CHOICE = "first_mediator_hired", "ai_tools", ("contract", "A5")
WINDOW_2024 = ("2024-02-26", "2024-03-18")


def _heading(question: str) -> str:
    return codebook.load().question(question).export_code


def as_2024(frame: pd.DataFrame) -> pd.DataFrame:
    """The 2023 export as a 2024 one: dates a year on, the 2024 edition's columns, a few new-code answers."""
    out = frame.copy()
    for column in ("submitdate", "startdate", "datestamp"):
        moved = out[column].str.replace(r"^2023-", "2024-", regex=True)
        out[column] = moved.str.replace(r"^2022-", "2023-", regex=True)
    out = out.drop(columns=[_heading(DROPPED)])
    answered = out["submitdate"] != ""
    out[_heading(ADDED)] = ["Y" if i % 3 == 0 else "N" for i in range(len(out))]
    out.loc[~answered, _heading(ADDED)] = ""
    contract = _heading(NEW_CHOICE[0])
    out.loc[out.index[answered & (out[contract] == "A4")][:5], contract] = NEW_CHOICE[1]
    out["id"] = out["id"].astype(str) + "24"
    return out


def two_waves(folder: Path) -> Path:
    """The bundled sample plus a 2024 export and its manifest row (fieldwork window and plausible sizes)."""
    sample_copy(folder)
    write_export(as_2024(read_export()), folder / "responses_2024.csv")
    manifest = pd.read_csv(folder / "manifest.csv", dtype=str, keep_default_na=False)
    row = {c: "" for c in manifest.columns} | {"file": "responses_2024.csv", "wave": "2024",
                                                "fieldwork_start": WINDOW_2024[0], "fieldwork_end": WINDOW_2024[1]}
    pd.concat([manifest, pd.DataFrame([row])]).to_csv(folder / "manifest.csv", index=False)
    return folder


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


def test_a_2024_export_without_the_dropped_question_loads(tmp_path: Path) -> None:
    reports = ingest(two_waves(tmp_path / "raw"), tmp_path / "w.duckdb")
    assert sorted(r.wave for r in reports) == ["2023", "2024"]


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


def test_two_waves_build_with_each_wave_labelled_as_asked(tmp_path: Path) -> None:
    warehouse = tmp_path / "w" / "survey.duckdb"
    build(two_waves(tmp_path / "raw"), warehouse, log=lambda _m: None)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        sites = dict(
            con.sql(
                """select wave, any_value(site_label) from marts.respondent_sites
                where site_code = 'pole_emploi' group by 1"""
            ).fetchall()
        )
        assert sites == {"2023": "Pôle emploi", "2024": "France Travail"}
        asked = dict(
            con.sql(
                f"""select wave, count(*) filter (where question_code = '{DROPPED}') || '/' ||
                    count(*) filter (where question_code = '{ADDED}') from intermediate.int_respondent_answers
                group by 1"""
            ).fetchall()
        )
        kept = dict(con.sql("select wave, count(*) from marts.respondents group by 1").fetchall())
        # the dropped question has no row in 2024, the new one none in 2023: bases are those asked
        assert asked == {"2023": f"{kept['2023']}/0", "2024": f"0/{kept['2024']}"}
        codes = con.sql(
            "select distinct contract, contract_label from marts.respondents where wave = '2024' and contract = 'A5'"
        ).fetchall()
        assert codes == [("A5", "Contrat de projet (CDD à objet défini)")]
    finally:
        con.close()
