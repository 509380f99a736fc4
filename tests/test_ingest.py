"""Ingest: every export format the survey tool writes, and clear refusals of the ones it cannot take."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ingest.errors import ExportError
from ingest.run import ingest
from tests.exports import (
    PROJECT_DIR,
    REPORT_WAVE,
    SAMPLE_EXPORT,
    raw_answers,
    read_export,
    sample_copy,
    sample_exports,
    sha256,
    write_export,
)

#: The 2023 export alone with its manifest row: the reference for a test that rewrites that export.
ONLY_2023 = (REPORT_WAVE,)


def test_sample_export_loads_every_connection_with_lineage(tmp_path: Path) -> None:
    reports = ingest(sample_copy(tmp_path / "raw"), tmp_path / "w.duckdb")
    exports = sample_exports()
    assert len(exports) > 1
    assert {r.wave: r.rows_loaded for r in reports} == {w: len(read_export(p)) for w, p in exports.items()}
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    per_wave = {
        wave: (rows, files, rows_distinct, file)
        for wave, rows, files, rows_distinct, file in con.execute(
            "select wave, count(*), count(distinct source_file), count(distinct source_row), any_value(source_file) "
            "from raw.responses group by wave"
        ).fetchall()
    }
    shas = dict(con.execute("select wave, source_sha256 from raw.files").fetchall())
    con.close()
    assert per_wave[REPORT_WAVE] == (250, 1, 250, SAMPLE_EXPORT.name)
    assert per_wave == {w: (len(read_export(p)), 1, len(read_export(p)), p.name) for w, p in exports.items()}
    assert shas == {r.wave: r.sha256 for r in reports} == {w: sha256(p) for w, p in exports.items()}


@pytest.mark.parametrize(("encoding", "sep"), [("utf-8", ";"), ("cp1252", ";"), ("utf-8-sig", ","), ("latin-1", ",")])
def test_csv_encodings_and_separators_load_the_same_values(tmp_path: Path, encoding: str, sep: str) -> None:
    frame = read_export()
    if encoding == "latin-1":  # Latin-1 has no "œ" or "…": keep the text it can hold.
        frame = frame.apply(lambda col: col.str.encode("latin-1", "replace").str.decode("latin-1"))
    write_export(frame, tmp_path / "raw" / "responses_2023.csv", encoding=encoding, sep=sep)
    reports = ingest(tmp_path / "raw", tmp_path / "w.duckdb")
    ingest(sample_copy(tmp_path / "ref", waves=ONLY_2023), tmp_path / "ref.duckdb")
    assert reports[0].encoding == {"latin-1": "cp1252", "utf-8-sig": "utf-8-sig"}.get(encoding, encoding)
    assert reports[0].delimiter == sep
    got, ref = raw_answers(tmp_path / "w.duckdb"), raw_answers(tmp_path / "ref.duckdb")
    if encoding == "latin-1":
        assert len(got) == len(ref)
    else:
        assert got == ref


def test_xlsx_and_spss_exports_load_the_same_values(tmp_path: Path) -> None:
    import pyreadstat

    from ingest.headings import spss_name

    frame = read_export()
    (tmp_path / "x").mkdir()
    frame.to_excel(tmp_path / "x" / "responses_2023.xlsx", index=False)
    sav = frame.rename(columns=spss_name)
    multi = [c for c in sav.columns if sav[c].isin(["Y", ""]).all() and (sav[c] == "Y").any()]
    sav[multi] = sav[multi].replace({"Y": "1", "": "0"})  # SPSS exports code ticked boxes 1 / 0
    (tmp_path / "s").mkdir()
    pyreadstat.write_sav(sav, str(tmp_path / "s" / "responses_2023.sav"))
    ingest(sample_copy(tmp_path / "ref", waves=ONLY_2023), tmp_path / "ref.duckdb")
    ref = raw_answers(tmp_path / "ref.duckdb")
    assert ingest(tmp_path / "x", tmp_path / "x.duckdb")[0].file_format == "xlsx"
    assert raw_answers(tmp_path / "x.duckdb") == ref
    assert ingest(tmp_path / "s", tmp_path / "s.duckdb")[0].file_format == "sav"
    assert raw_answers(tmp_path / "s.duckdb") == ref


def test_missing_questionnaire_column_names_it(tmp_path: Path) -> None:
    write_export(read_export().drop(columns=["Q04"]), tmp_path / "raw" / "responses_2023.csv")
    with pytest.raises(ExportError) as err:
        ingest(tmp_path / "raw", tmp_path / "w.duckdb")
    assert err.value.column == "Q04"
    assert "does_eadmin" in str(err.value) and "responses_2023.csv" in str(err.value)


def test_unknown_encoding_is_refused(tmp_path: Path) -> None:
    write_export(read_export(), tmp_path / "raw" / "responses_2023.csv", encoding="utf-16")
    with pytest.raises(ExportError, match="encoding"):
        ingest(tmp_path / "raw", tmp_path / "w.duckdb")


def test_unreadable_workbook_is_refused(tmp_path: Path) -> None:
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "responses_2023.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    with pytest.raises(ExportError, match="not a readable XLSX"):
        ingest(tmp_path / "raw", tmp_path / "w.duckdb")


@pytest.mark.parametrize(
    ("heading", "value", "words"),
    [
        ("Q10[SQ004]", "11", ["Q10[SQ004] (site)", "'11'", "1–10"]),
        ("Q06[SQ001]", "5.5", ["Q06[SQ001] (support_type)", "'5.5'", "1–10"]),
        ("Q02[SQ003]", "X", ["Q02[SQ003] (place)", "'X'", "tick"]),
        ("Q16", "Z", ["Q16 (gender)", "'Z'", "F, M or X (codebook_choices.csv)"]),
    ],
    ids=["scale_11", "half_point", "box_x", "gender_z"],
)
def test_value_outside_the_codebook_is_refused_at_ingest_with_its_rows(
    tmp_path: Path, heading: str, value: str, words: list[str]
) -> None:
    frame = read_export()
    rows = frame.index[frame["submitdate"] != ""][[3, 8]]
    frame.loc[rows, heading] = value
    write_export(frame, tmp_path / "raw" / "responses_2023.csv")
    with pytest.raises(ExportError) as err:
        ingest(tmp_path / "raw", tmp_path / "w.duckdb")
    text = str(err.value)
    for word in [*words, "responses_2023.csv", f"in 2 rows (rows {rows[0] + 1}, {rows[1] + 1})"]:
        assert word in text, text


def test_duplicated_response_id_names_both_rows(tmp_path: Path) -> None:
    frame = read_export()
    frame.loc[5, "id"] = frame.loc[2, "id"]
    write_export(frame, tmp_path / "raw" / "responses_2023.csv")
    with pytest.raises(ExportError) as err:
        ingest(tmp_path / "raw", tmp_path / "w.duckdb")
    assert err.value.column == "id" and err.value.row == 6
    assert "row 3" in str(err.value)


def test_malformed_record_is_recorded_as_rejected_not_lost(tmp_path: Path) -> None:
    path = write_export(read_export(), tmp_path / "raw" / "responses_2023.csv")
    with path.open("a", encoding="utf-8", newline="") as f:
        f.write('"9999";"2023-03-05 10:00:00";"too";"few";"fields"\r\n')
    reports = ingest(tmp_path / "raw", tmp_path / "w.duckdb")
    assert (reports[0].rows_loaded, reports[0].rows_rejected) == (250, 1)
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    line, kind, text = con.execute("select source_line, error_type, raw_text from raw.rejected_rows").fetchone()
    con.close()
    assert line == 252 and kind == "MISSING COLUMNS" and "9999" in text


def test_cli_reports_bad_export_without_traceback(tmp_path: Path) -> None:
    write_export(read_export().drop(columns=["submitdate"]), tmp_path / "raw" / "responses_2023.csv")
    proc = subprocess.run(
        [sys.executable, "-m", "ingest", "--raw-dir", str(tmp_path / "raw"), "--db", str(tmp_path / "w.duckdb")],
        capture_output=True,
        text=True,
        cwd=PROJECT_DIR,
    )
    assert proc.returncode == 2
    assert "submitdate" in proc.stderr and "Traceback" not in proc.stderr


def test_sample_is_limesurvey_shaped() -> None:
    assert pd.read_csv(SAMPLE_EXPORT, sep=";", dtype=str).shape[0] == 250
    for path in sample_exports().values():
        raw = path.read_bytes()
        assert raw.startswith(b'\xef\xbb\xbf"id";"submitdate"'), path.name
        assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b""), path.name
        assert pd.read_csv(path, sep=";", dtype=str).shape[0] == raw.count(b"\r\n") - 1 > 0, path.name
