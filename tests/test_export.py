"""``make export``: labelled files for R, SPSS and Stata, read back and compared with the warehouse they come from.

Every export here is cut from the session's real build of the bundled two-wave sample (2023, and a synthetic
2024 in which Pôle emploi became France Travail). Expected values and labels are read from the warehouse and
its codebook, never retyped: a test fails if a file says anything the warehouse does not.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pyreadstat
import pytest

from export.run import FORMATS, export
from tests.exports import PROJECT_DIR, REPORT_WAVE

RELABELLED = ("site", "pole_emploi")  # relabelled from 2024 on in the sample's codebook
BOX = "place__mairie"
SCALE = "support_type__navigation"
SINGLE = "post_title"
READERS = {"sav": pyreadstat.read_sav, "dta": pyreadstat.read_dta}
LABEL_LIMIT = {"sav": 256, "dta": 80}


@pytest.fixture(scope="module")
def exported(sample_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each format exported once (every wave), plus a 2023-only .sav: folder per name."""
    root = tmp_path_factory.mktemp("exports")
    folders = {}
    for fmt in FORMATS:
        folders[fmt] = root / fmt
        export(sample_warehouse, fmt, folders[fmt])
    folders["sav-2023"] = root / "sav-2023"
    export(sample_warehouse, "sav", folders["sav-2023"], wave=REPORT_WAVE)
    return folders


@pytest.fixture(scope="module")
def con(sample_warehouse: Path):
    connection = duckdb.connect(str(sample_warehouse), read_only=True)
    yield connection
    connection.close()


def _dictionary(folder: Path) -> list[dict[str, str]]:
    with (folder / "variables.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _expected_numbers(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, int]]:
    """The numbers single choices take in .sav/.dta: the code if every code is a number, else 1…k by position."""
    rows = con.execute(
        "select question_code, choice_code, "
        "bool_and(regexp_full_match(choice_code, '[0-9]+')) over (partition by question_code), "
        "row_number() over (partition by question_code order by position, choice_code) "
        "from codebook.codebook_choices"
    ).fetchall()
    out: dict[str, dict[str, int]] = {}
    for question, code, numeric, rank in rows:
        out.setdefault(question, {})[code] = int(code) if numeric else rank
    return out


def _kinds(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str]]:
    return {name: (question, kind) for name, question, kind in con.execute(
        "select variable_name, question_code, question_type from staging.stg_codebook__variables").fetchall()}


def _by_respondent(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index(["wave", "respondent_id"]).sort_index()


def _assert_values_round_trip(fmt: str, folder: Path, con: duckdb.DuckDBPyConnection, waves: tuple[str, ...]) -> None:
    data, _ = READERS[fmt](str(folder / f"respondents.{fmt}"))
    names = {row["nom_entrepot"]: row["nom_sav_dta"] for row in _dictionary(folder)}
    placeholders = ", ".join("?" for _ in waves)
    wide = con.execute(f"select * from marts.respondents_wide where wave in ({placeholders})", list(waves)).df()
    assert list(data.columns) == [names[c] for c in wide.columns]  # every column, in the warehouse's order
    assert len(data) == len(wide)
    got = _by_respondent(data.rename(columns={v: k for k, v in names.items()}))
    want = _by_respondent(wide)
    assert list(got.index) == list(want.index)
    numbers, kinds = _expected_numbers(con), _kinds(con)
    for column in want.columns:
        question, kind = kinds[column]
        if kind == "single":
            expected = want[column].map(numbers[question])
        elif kind == "multi":
            expected = want[column].map({True: 1.0, False: 0.0})
        else:
            expected = want[column]
        expected = pd.to_numeric(expected).astype("float64")
        pd.testing.assert_series_equal(got[column].astype("float64"), expected, check_names=False,
                                       obj=f"{fmt} {column}")


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_labelled_files_give_back_every_value_of_every_respondent(
    fmt: str, exported: dict[str, Path], con: duckdb.DuckDBPyConnection
) -> None:
    waves = tuple(w for (w,) in con.execute("select distinct wave from marts.respondents_wide order by 1").fetchall())
    _assert_values_round_trip(fmt, exported[fmt], con, waves)


def test_a_single_wave_export_holds_that_wave_only(exported: dict[str, Path], con: duckdb.DuckDBPyConnection) -> None:
    _assert_values_round_trip("sav", exported["sav-2023"], con, (REPORT_WAVE,))
    book = openpyxl.load_workbook(exported["sav-2023"] / "rapport_tableaux.xlsx", read_only=True)
    assert "Comparaison des vagues" not in book.sheetnames  # one wave: nothing to compare
    waves = {row[0] for row in book["Tableau 1"].iter_rows(min_row=2, values_only=True)}
    assert waves == {REPORT_WAVE}


def _codebook_labels(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """What the codebook says of the variables the label tests look at."""
    question_label = dict(con.execute("select question_code, label_fr from codebook.codebook_questions").fetchall())
    lo, hi, lo_label, hi_label = con.execute(
        "select min_value, max_value, min_label_fr, max_label_fr from codebook.codebook_questions "
        "where question_code = ?", [SCALE.split("__")[0]]).fetchone()
    item = dict(con.execute(
        "select question_code || '__' || item_code, label_fr from codebook.codebook_items").fetchall())
    relabelled = dict(con.execute(
        "select wave, label_fr from staging.stg_codebook__labels_by_wave where question_code = ? and item_code = ?",
        list(RELABELLED)).fetchall())
    choices = dict(con.execute(
        "select choice_code, label_fr from codebook.codebook_choices where question_code = ?", [SINGLE]).fetchall())
    return {
        "question": question_label, "item": item, "scale": {int(lo): lo_label, int(hi): hi_label},
        "relabelled": relabelled, "choices": choices,
    }


def _fits(label: str, expected: str, fmt: str) -> bool:
    """The file's label is the expected one, or (Stata) its beginning cut with an ellipsis within the limit."""
    if label == expected:
        return True
    return label.endswith("…") and expected.startswith(label[:-1].rstrip()) and len(label) <= LABEL_LIMIT[fmt]


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_labelled_files_carry_the_codebook_labels(
    fmt: str, exported: dict[str, Path], con: duckdb.DuckDBPyConnection
) -> None:
    _, meta = READERS[fmt](str(exported[fmt] / f"respondents.{fmt}"), metadataonly=True)
    book = _codebook_labels(con)
    labels = meta.column_names_to_labels
    values = {name: {int(k): v for k, v in vl.items()} for name, vl in meta.variable_value_labels.items()}
    numbers = _expected_numbers(con)[SINGLE]

    assert labels[SINGLE] == book["question"][SINGLE]
    assert values[SINGLE] == {numbers[code]: text for code, text in book["choices"].items()}
    box_question = BOX.split("__")[0]
    assert labels[BOX] == f"{book['question'][box_question]} — {book['item'][BOX]}"
    assert values[BOX] == {0: "Non", 1: "Oui"}
    assert _fits(labels[SCALE], f"{book['question'][SCALE.split('__')[0]]} — {book['item'][SCALE]}", fmt)
    assert values[SCALE] == book["scale"]
    # relabelled from 2024: the latest label, the 2023 one in brackets
    by_wave = book["relabelled"]
    assert by_wave["2023"] != by_wave["2024"]
    site = "__".join(RELABELLED)
    expected = f"{book['question'][RELABELLED[0]]} — {by_wave['2024']} (2023 : {by_wave['2023']})"
    assert _fits(labels[site], expected, fmt)
    # every label is the dictionary's, within the format's limit
    for row in _dictionary(exported[fmt]):
        assert _fits(labels[row["nom_sav_dta"]], row["libelle"], fmt), row["nom_sav_dta"]


def test_a_2023_export_labels_as_2023_asked(exported: dict[str, Path], con: duckdb.DuckDBPyConnection) -> None:
    _, meta = pyreadstat.read_sav(str(exported["sav-2023"] / "respondents.sav"), metadataonly=True)
    book = _codebook_labels(con)
    site = "__".join(RELABELLED)
    assert meta.column_names_to_labels[site] == f"{book['question'][RELABELLED[0]]} — {book['relabelled']['2023']}"


def test_names_fit_stata_and_map_back_to_the_warehouse(exported: dict[str, Path], con) -> None:
    export_code = dict(con.execute("select question_code, export_code from codebook.codebook_questions").fetchall())
    rows = _dictionary(exported["dta"])
    shorts = [r["nom_sav_dta"] for r in rows]
    assert len({s.lower() for s in shorts}) == len(shorts)
    for row in rows:
        short, name, question, item = row["nom_sav_dta"], row["nom_entrepot"], row["question"], row["item"]
        assert len(short) <= 29 and short[0].isalpha()
        assert short == name or short == f"{export_code[question]}__{item}"
    shortened = {r["question"] for r in rows if r["nom_sav_dta"] != r["nom_entrepot"]}
    assert shortened  # the sample has names over 29 characters
    for row in rows:  # a shortened question is shortened whole
        if row["question"] in shortened:
            assert row["nom_sav_dta"] != row["nom_entrepot"]


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_the_long_answers_file_holds_every_answer(fmt: str, exported: dict[str, Path], con) -> None:
    data, meta = READERS[fmt](str(exported[fmt] / f"answers.{fmt}"))
    want = con.execute("select * from marts.answers").df()
    assert len(data) == len(want)
    assert list(data.columns) == list(want.columns)
    assert meta.column_names_to_labels["in_base"] == "Dans la base du rapport"
    assert {int(k): v for k, v in meta.variable_value_labels["in_base"].items()} == {0: "Non", 1: "Oui"}
    keys = ["wave", "respondent_id", "question_code", "item_code"]
    got = data.set_index(keys).sort_index()
    want = want.set_index(keys).sort_index()
    assert got["answer_code"].tolist() == want["answer_code"].fillna("").tolist()
    assert got["question_wording"].tolist() == want["question_wording"].tolist()  # long texts are not cut
    assert got["in_base"].tolist() == want["in_base"].astype(float).tolist()
    pd.testing.assert_series_equal(got["value"], want["value"].astype("float64"), check_names=False)


def test_parquet_files_equal_the_warehouse(exported: dict[str, Path], con: duckdb.DuckDBPyConnection) -> None:
    folder = exported["parquet"]
    respondents = pq.read_table(folder / "respondents.parquet")
    wide = con.execute("select * from marts.respondents_wide").arrow().read_all()
    assert respondents.num_rows == wide.num_rows
    assert respondents.schema.names == wide.schema.names
    assert respondents.schema == wide.schema  # the warehouse's types: booleans, integers, doubles, codes
    got = respondents.to_pandas().set_index(["wave", "respondent_id"]).sort_index()
    want = wide.to_pandas().set_index(["wave", "respondent_id"]).sort_index()
    for column in [SINGLE, BOX, SCALE, "people_per_week", "__".join(RELABELLED)]:
        pd.testing.assert_series_equal(got[column], want[column], obj=column)
    assert pq.read_metadata(folder / "answers.parquet").num_rows == con.execute(
        "select count(*) from marts.answers").fetchone()[0]
    t01 = pq.read_table(folder / "rapport" / "t01_post_titles.parquet")
    assert str(t01.schema.field("count").type) == "int64"  # a count, not a 128-bit integer
    assert t01.num_rows == con.execute("select count(*) from report.t01_post_titles").fetchone()[0]
    run_id = con.execute("select run_id from audit.builds order by finished_at desc limit 1").fetchone()[0]
    assert t01.schema.metadata[b"build"] == run_id.encode()
    for path in (folder / "rapport").glob("*.parquet"):
        for field in pq.read_schema(path):
            assert not str(field.type).startswith("decimal"), (path.name, field.name)


def test_the_report_workbook_has_a_sheet_per_report_table(
    exported: dict[str, Path], con: duckdb.DuckDBPyConnection
) -> None:
    tables = [t for (t,) in con.execute(
        "select table_name from duckdb_tables() where schema_name = 'report' "
        "and regexp_matches(table_name, '^[tf][0-9]+_')").fetchall()]
    assert len(tables) == 19  # T1–T13 and F1–F6
    for fmt in FORMATS:  # every format writes the same workbook
        assert (exported[fmt] / "rapport_tableaux.xlsx").read_bytes() == (
            exported["xlsx"] / "rapport_tableaux.xlsx").read_bytes()
    book = openpyxl.load_workbook(exported["xlsx"] / "rapport_tableaux.xlsx", read_only=True)
    expected = ["Sommaire", *(f"Tableau {n}" for n in range(1, 14)), *(f"Figure {n}" for n in range(1, 7)),
                "Chiffres du rapport", "Comparaison des vagues"]
    assert book.sheetnames == expected
    summary = list(book["Sommaire"].iter_rows(min_row=2, values_only=True))
    assert sorted(row[2] for row in summary if row[0].startswith(("Tableau", "Figure"))) == sorted(
        f"report.{t}" for t in tables)
    for name in book.sheetnames:  # French headings: none is a column name of the warehouse
        headings = next(book[name].iter_rows(max_row=1, values_only=True))
        assert all(h and "_" not in h for h in headings), (name, headings)
    rows = book["Tableau 1"].iter_rows(values_only=True)
    headings = next(rows)
    sheet = pd.DataFrame(list(rows), columns=headings)
    assert {"Vague", "Code de l'item", "Effectif", "Pourcentage"} <= set(headings)
    want = con.execute("select wave, item_code, count from report.t01_post_titles").df()
    assert set(want["wave"]) == {"2023", "2024"}
    for wave, group in want.groupby("wave"):
        got = sheet[sheet["Vague"] == wave].set_index("Code de l'item")["Effectif"]
        assert all(isinstance(v, int) for v in got)  # counts are integers in the sheet
        assert got.to_dict() == dict(zip(group["item_code"], group["count"].astype(int), strict=True)), wave


def test_readme_names_the_build_and_every_file(exported: dict[str, Path], con: duckdb.DuckDBPyConnection) -> None:
    run_id = con.execute("select run_id from audit.builds order by finished_at desc limit 1").fetchone()[0]
    for fmt in FORMATS:
        folder = exported[fmt]
        text = (folder / "README.txt").read_text(encoding="utf-8")
        assert run_id in text
        files = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
        listed = {line[2:].split(" : ")[0] for line in text.splitlines() if line.startswith("- ") and " : " in line}
        assert files <= listed, files - listed


def _build_time(con: duckdb.DuckDBPyConnection) -> dt.datetime:
    finished = con.execute("select finished_at from audit.builds order by finished_at desc limit 1").fetchone()[0]
    return finished.replace(microsecond=0)


def test_files_carry_the_build_time_not_the_clock(exported: dict[str, Path], con: duckdb.DuckDBPyConnection) -> None:
    when = _build_time(con)
    _, sav = pyreadstat.read_sav(str(exported["sav"] / "respondents.sav"), metadataonly=True)
    assert sav.creation_time == when
    _, dta = pyreadstat.read_dta(str(exported["dta"] / "respondents.dta"), metadataonly=True)
    assert dta.creation_time == when.replace(second=0)  # Stata keeps minutes
    path = exported["xlsx"] / "respondents.xlsx"
    props = openpyxl.load_workbook(path, read_only=True).properties
    assert props.created == props.modified == when
    zip_time = (when.year, when.month, when.day, when.hour, when.minute, when.second - when.second % 2)
    with zipfile.ZipFile(path) as archive:
        assert {info.date_time for info in archive.infolist()} == {zip_time}


@pytest.mark.parametrize("fmt", FORMATS)
def test_re_exporting_gives_byte_identical_files(fmt: str, exported: dict[str, Path], sample_warehouse: Path,
                                                 tmp_path: Path) -> None:
    again = tmp_path / "again"
    shutil.copytree(exported[fmt], again)  # over the previous files, as a second `make export` would write
    export(sample_warehouse, fmt, again)
    first = {p.relative_to(exported[fmt]): p.read_bytes() for p in exported[fmt].rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()  # and no temporary file left behind
    assert [str(p) for p in first if first[p] != second[p]] == []


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "export", *args], capture_output=True, text=True,
                          cwd=PROJECT_DIR, timeout=300)


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("export: error: ")
    return lines[0]


def test_cli_refuses_an_unknown_format(sample_warehouse: Path, tmp_path: Path) -> None:
    result = _cli("--format", "spss", "--out", str(tmp_path / "out"), "--warehouse", str(sample_warehouse))
    line = _one_line_error(result)
    assert result.returncode == 2 and "'spss'" in line and "sav" in line
    assert not (tmp_path / "out").exists()


def test_cli_names_a_missing_warehouse(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "survey.duckdb"
    result = _cli("--format", "sav", "--out", str(tmp_path / "out"), "--warehouse", str(missing))
    line = _one_line_error(result)
    assert result.returncode == 2 and str(missing) in line and "make build" in line


@pytest.mark.parametrize("problem", ["no out", "out is a file", "unknown wave"])
def test_cli_refuses_bad_input_in_one_line(problem: str, sample_warehouse: Path, tmp_path: Path) -> None:
    a_file = tmp_path / "a_file"
    a_file.write_text("")
    args = {
        "no out": ["--format", "sav"],
        "out is a file": ["--format", "sav", "--out", str(a_file)],
        "unknown wave": ["--format", "sav", "--out", str(tmp_path / "out"), "--wave", "1999"],
    }[problem]
    _one_line_error(_cli(*args, "--warehouse", str(sample_warehouse)))


def test_cli_exports_and_lists_the_files(sample_warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = _cli("--format", "parquet", "--out", str(out), "--warehouse", str(sample_warehouse), "--wave", "2024")
    assert result.returncode == 0, result.stderr
    listed = {Path(line) for line in result.stdout.splitlines()}
    assert listed == {p for p in out.rglob("*") if p.is_file()}
    assert set(pq.read_table(out / "respondents.parquet").column("wave").to_pylist()) == {"2024"}


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_passes_out_and_wave_only_when_given() -> None:
    """The Makefile's OUT and WAVE defaults serve `make sample`: `make export` must not inherit them."""
    def dry_run(*args: str) -> str:
        result = subprocess.run(["make", "-n", "export", *args], capture_output=True, text=True, cwd=PROJECT_DIR,
                                timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout

    plain = dry_run("FORMAT=sav")
    assert "-m export" in plain and '--format "sav"' in plain
    assert "--out" not in plain and "--wave" not in plain
    given = dry_run("FORMAT=dta", "OUT=/tmp/somewhere", "WAVE=2024")
    assert '--out "/tmp/somewhere"' in given and '--wave "2024"' in given


def test_nan_never_reaches_a_sheet(exported: dict[str, Path]) -> None:
    """Excel has no NaN: an undefined statistic (the SD of one answer) is an empty cell."""
    book = openpyxl.load_workbook(exported["xlsx"] / "rapport_tableaux.xlsx", read_only=True)
    for name in book.sheetnames:
        for row in book[name].iter_rows(min_row=2, values_only=True):
            assert not any(isinstance(v, float) and math.isnan(v) for v in row), name
