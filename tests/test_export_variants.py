"""Every LimeSurvey export option: read to the same warehouse as the sample, or refused with the fix named.

The variants are written from the bundled sample's 2023 export by the project's
own code (:mod:`samplegen.variants`). The readable ones are built together, each
as a wave of its own beside the sample's 2023 wave (the sample's other waves
left out: the variants are of the 2023 export), in one real build; each must
give the same ``marts.respondents`` and ``report.figures`` as the sample. The
refused ones must stop ``python -m pipeline build`` with exit 2, a message
naming the fix, and the published warehouse byte-identical.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

import codebook
from ingest.errors import ExportError
from ingest.run import ingest
from pipeline.build import build
from samplegen import variants
from samplegen.export import write_manifest
from samplegen.variants import VARIANTS, Variant, read_sample, write_csv, write_variant
from tests.exports import PROJECT_DIR, REPORT_WAVE, manifest_row, raw_answers, sample_copy, sha256

#: Variants built beside the sample in one warehouse (a default-named file has no manifest row, so it is
#: matched to a wave by its dates, which the shared folder's variant waves would make ambiguous).
BUILT = [v for v in VARIANTS if v.refusal is None and v.manifest]
REFUSED = [v for v in VARIANTS if v.refusal is not None]
#: Columns that say where a row came from rather than what was answered.
LINEAGE = ("respondent_id", "wave", "source_file")
#: The wave the variants are made of, alone in the raw folder with its manifest row.
ONLY_2023 = (REPORT_WAVE,)


def _wave(v: Variant) -> str:
    return f"2023-{v.name}"


@pytest.fixture(scope="module")
def variants_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample (wave 2023) and every readable variant (wave ``2023-<variant>``), built once."""
    root = tmp_path_factory.mktemp("variants")
    raw = sample_copy(root / "raw", waves=ONLY_2023)
    manifest = list(csv.DictReader((raw / "manifest.csv").open(encoding="utf-8")))
    sample_wave = codebook.load().wave("2023")
    frame = read_sample()
    for v in BUILT:
        folder = write_variant(v, root / v.name, frame)
        for path in folder.iterdir():  # the export, and any file written beside it (the R export's .R)
            if path.name != "manifest.csv":
                shutil.copy2(path, raw / f"{v.name}{path.suffix}")
        export = next(p for p in folder.iterdir() if p.suffix in (".csv", ".xlsx", ".sav") and p.name != "manifest.csv")
        manifest.append(manifest_row(f"{v.name}{export.suffix}", _wave(v), sample_wave))
    write_manifest(raw / "manifest.csv", manifest)
    warehouse = root / "wh" / "survey.duckdb"
    build(raw, warehouse, log=lambda _msg: None)
    return warehouse


def _rows(con: duckdb.DuckDBPyConnection, table: str, wave: str, order: str) -> list[tuple]:
    """A wave's rows without lineage; doubles to 1e-9 (a sum's last bit depends on the rows' order in memory)."""
    columns = con.execute(
        "select column_name, data_type from duckdb_columns() where schema_name = ? and table_name = ? "
        "order by column_index",
        table.split("."),
    ).fetchall()
    # the published report's values sit beside the published wave's figures only: what is compared is computed
    skipped = (*LINEAGE, "published_value", "published_n", "matches_published")
    select = ", ".join(f'round("{c}", 9)' if t == "DOUBLE" else f'"{c}"' for c, t in columns if c not in skipped)
    return con.execute(f"select {select} from {table} where wave = ? order by {order}", [wave]).fetchall()


@pytest.mark.parametrize("variant", BUILT, ids=[v.name for v in BUILT])
def test_readable_variant_builds_the_same_respondents_and_figures(variant: Variant, variants_warehouse: Path) -> None:
    con = duckdb.connect(str(variants_warehouse), read_only=True)
    try:
        for table, order in (("marts.respondents", "source_row"), ("report.figures", "all")):
            expected = _rows(con, table, "2023", order)
            got = _rows(con, table, _wave(variant), order)
            assert len(expected) > 0 and got == expected, f"{table} of {variant.name} differs from the sample's"
        fmt = con.execute(
            "select heading_format, answer_format, tick_format from raw.files where wave = ?", [_wave(variant)]
        ).fetchone()
    finally:
        con.close()
    assert fmt is not None


def test_each_variant_records_the_export_options_it_was_read_with(variants_warehouse: Path) -> None:
    con = duckdb.connect(str(variants_warehouse), read_only=True)
    try:
        found = {
            wave: (heading, answers, ticks)
            for wave, heading, answers, ticks in con.execute(
                "select wave, heading_format, answer_format, tick_format from raw.files"
            ).fetchall()
        }
        recoded = con.execute(
            "select exported_value, answer_code, sum(row_count) from raw.answer_recodes "
            "where source_file = 'full_answers.csv' and column_name = 'post_title' group by all order by 2"
        ).fetchall()
    finally:
        con.close()
    assert found["2023"] == ("question code (Q02[SQ001])", "codes", "Y/empty")
    assert found["2023-expression_code_headings"][0] == "ExpressionScript code (Q02_SQ001)"
    assert found["2023-code_and_text_headings"][0] == "question code & question text"
    assert found["2023-full_answers"][1:] == ("full answers", "Oui/Non")
    assert found["2023-convert_y1_n2"][1:] == ("codes", "1/2")
    assert found["2023-ticks_1_0"][1:] == ("codes", "1/0")
    # Every full-answer label of the post title went back to its code, and "Autre" to -oth-.
    assert ("Autre", "-oth-") in {(a, b) for a, b, _ in recoded}
    assert {b for _, b, _ in recoded} == {"A1", "A2", "A3", "A4", "A5", "-oth-"}


def test_comment_columns_are_kept_in_raw_free_texts(variants_warehouse: Path) -> None:
    con = duckdb.connect(str(variants_warehouse), read_only=True)
    try:
        kept = con.execute(
            "select export_heading, question_code, count(*) from raw.free_texts where wave = '2023-comments' "
            "group by all order by 1"
        ).fetchall()
    finally:
        con.close()
    expected_rows = len(range(0, len(read_sample()), 9))
    assert kept == [("Q02[SQ001comment]", "place", expected_rows), ("Q03[comment]", "job_description", expected_rows)]


def test_default_file_name_takes_its_wave_from_the_submit_dates(tmp_path: Path) -> None:
    variant = next(v for v in VARIANTS if v.name == "default_file_name")
    folder = write_variant(variant, tmp_path / "raw")
    assert [p.name for p in folder.iterdir()] == [variants.DEFAULT_CSV_NAME]
    reports = ingest(folder, tmp_path / "w.duckdb")
    ingest(sample_copy(tmp_path / "ref", waves=ONLY_2023), tmp_path / "ref.duckdb")
    assert reports[0].wave_from_dates and reports[0].wave == "2023"
    assert raw_answers(tmp_path / "w.duckdb") == raw_answers(tmp_path / "ref.duckdb")


def test_default_file_name_outside_every_fieldwork_shows_the_manifest_to_write(tmp_path: Path) -> None:
    # The 2023 export moved to the year after the last known wave: no fieldwork holds its dates.
    year = str(max(int(w.fieldwork_end[:4]) for w in codebook.load().waves) + 1)
    frame = read_sample()
    for col in ("submitdate", "startdate", "datestamp"):
        frame[col] = frame[col].str.replace("2023-", f"{year}-", regex=False)
    write_csv(frame, tmp_path / "raw" / variants.DEFAULT_CSV_NAME)
    with pytest.raises(ExportError) as err:
        ingest(tmp_path / "raw", tmp_path / "w.duckdb")
    text = str(err.value)
    assert "cannot tell which wave" in text and f"{year}-02-" in text
    assert f"file,wave,fieldwork_start,fieldwork_end\n{variants.DEFAULT_CSV_NAME},{year}," in text


@pytest.mark.parametrize("variant", REFUSED, ids=[v.name for v in REFUSED])
def test_unreadable_variant_is_refused_naming_the_fix(variant: Variant, published_copy: Path, tmp_path: Path) -> None:
    folder = write_variant(variant, tmp_path / "raw")
    before = sha256(published_copy)
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", "build", "--raw-dir", str(folder), "--warehouse", str(published_copy)],
        capture_output=True,
        text=True,
        cwd=PROJECT_DIR,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "left unchanged" in proc.stderr
    for words in variant.refusal:
        assert words in proc.stderr, f"{words!r} not in: {proc.stderr}"
    assert sha256(published_copy) == before


def test_spss_file_has_real_datetimes_and_incomplete_responses_and_keeps_178(variants_warehouse: Path) -> None:
    """The .sav variant is what the issue reported broken: SPSS DATETIME columns, empty for the responses
    never submitted (pandas NaT, once written as the text 'NaT'), value-labelled codes."""
    import pyreadstat

    variant = next(v for v in VARIANTS if v.name == "spss_sav")
    sav = next(variants_warehouse.parent.parent.glob(f"{variant.name}/*.sav"))
    frame, meta = pyreadstat.read_sav(str(sav))
    assert meta.original_variable_types["submitdate"].startswith("DATETIME")
    assert frame["submitdate"].isna().sum() == (read_sample()["submitdate"] == "").sum() > 0
    assert meta.variable_value_labels["Q18"] and meta.variable_value_labels["Q02_SQ001"]
    con = duckdb.connect(str(variants_warehouse), read_only=True)
    try:
        kept, excluded, nat = con.execute(
            "select (select count(*) from marts.respondents where wave = $w), "
            "(select count(*) filter (where reason_code = 'incomplete') from marts.respondent_exclusions "
            "where wave = $w), (select count(*) from raw.responses where wave = $w and submitdate = 'NaT')",
            {"w": _wave(variant)},
        ).fetchone()
    finally:
        con.close()
    assert (kept, nat) == (178, 0) and excluded == frame["submitdate"].isna().sum()
