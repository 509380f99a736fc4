"""Hostile raw folders, each derived from the bundled sample: the exports and manifests a build must refuse
clearly (or read right), one case per class of fault.

Each :class:`Case` writes one raw folder and says what ``python -m pipeline build`` must do with it: its
exit code, and the words its message must contain. Cases that build are put together in one folder, each
as a wave of its own (see ``tests/test_hostile_inputs.py``), so that a single real build checks them all.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

import codebook
from samplegen.variants import SAMPLE_DIR, read_sample, write_csv

EXPORT = "responses_2023.csv"
MANIFEST_HEADING = "file,wave,fieldwork_start,fieldwork_end,min_respondents,max_respondents,min_eadmin,max_eadmin"


@dataclass(frozen=True)
class Case:
    name: str
    write: Callable[[Path], None]
    exit_code: int
    #: Words the build's message must contain (besides the file name, checked for every refusal).
    words: tuple[str, ...] = ()
    #: The name of the file the message must name (default: the export).
    names: str | None = EXPORT


def _frame() -> pd.DataFrame:
    return read_sample()


def _sample_manifest(folder: Path, name: str = EXPORT) -> None:
    (folder / "manifest.csv").write_text(f"file,wave\n{name},2023\n", encoding="utf-8")


def edited(edit: Callable[[pd.DataFrame], pd.DataFrame], name: str = EXPORT, manifest: bool = True):
    """A folder with the sample's export passed through ``edit``."""

    def write(folder: Path) -> None:
        write_csv(edit(_frame()), folder / name)
        if manifest:
            _sample_manifest(folder, name)

    return write


def raw_bytes(transform: Callable[[bytes], bytes], name: str = EXPORT):
    """A folder with the sample export's bytes passed through ``transform``."""

    def write(folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(transform((SAMPLE_DIR / EXPORT).read_bytes()))

    return write


def with_manifest(text: str, export_name: str = EXPORT):
    """The sample export beside a given manifest."""

    def write(folder: Path) -> None:
        write_csv(_frame(), folder / export_name)
        (folder / "manifest.csv").write_text(text, encoding="utf-8")

    return write


def _set(column: str, value: str, rows: tuple[int, ...] = (4,)):
    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[list(rows), column] = value
        return frame

    return edit


def _records(data: bytes) -> list[bytes]:
    return data.rstrip(b"\r\n").split(b"\r\n")


def _join(lines: list[bytes]) -> bytes:
    return b"\r\n".join(lines) + b"\r\n"


def _drop_last_field(data: bytes) -> bytes:
    lines = _records(data)
    return _join([lines[0]] + [line.rsplit(b";", 1)[0] for line in lines[1:]])


def _cp1252_byte_in_utf8(data: bytes) -> bytes:
    lines = _records(data)
    lines[40] = lines[40].replace(b'"";', b'"caf\xe9";', 1)  # one Windows-1252 é among UTF-8 text
    return _join(lines)


def _nul_past_first_mib(data: bytes) -> bytes:
    lines = _records(data)
    head = lines[0] + b';"notes"'
    body = [line + b';""' for line in lines[1:]]
    body[-1] = body[-1][:-2] + b'"' + b"x" * (1 << 20) + b'\x00"'
    return _join([head, *body])


def _append_malformed(data: bytes) -> bytes:
    return data + b'"9999";"2023-03-05 10:00:00";"too";"few"\r\n'


def _empty_trailing_heading(data: bytes) -> bytes:
    lines = _records(data)
    return _join([line + b';""' for line in lines])


def _with_delimiter(sep: str):
    def write(folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        _frame().to_csv(
            folder / EXPORT, sep=sep, index=False, quoting=csv.QUOTE_ALL, lineterminator="\r\n", encoding="utf-8-sig"
        )

    return write


def _copy_twice(folder: Path) -> None:
    write_csv(_frame(), folder / EXPORT)
    write_csv(_frame(), folder / "responses_2023_copy.csv")


def _fifo(folder: Path) -> None:
    import os

    folder.mkdir(parents=True, exist_ok=True)
    os.mkfifo(folder / EXPORT)


def _file_of(name: str, data: bytes):
    def write(folder: Path) -> None:
        write_csv(_frame(), folder / EXPORT)
        _sample_manifest(folder)
        (folder / name).write_bytes(data)

    return write


def _only(name: str, data: bytes):
    def write(folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)

    return write


def _lss_edited(old: str, new: str):
    def write(folder: Path) -> None:
        from codebook.lss import LSS_NAME, lss_text

        write_csv(_frame(), folder / EXPORT)
        _sample_manifest(folder)
        (folder / LSS_NAME).write_text(lss_text().replace(old, new), encoding="utf-8")

    return write


#: A year after every known wave's fieldwork: a file dated then belongs to no known wave.
NO_WAVE_YEAR = str(max(int(w.fieldwork_end[:4]) for w in codebook.load().waves) + 1)


def _shift_year(year: str):
    """The sample's 2023 dates moved to ``year``."""

    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        for col in ("submitdate", "startdate", "datestamp"):
            frame[col] = frame[col].str.replace("2023-", f"{year}-", regex=False)
        return frame

    return edit


def _kept_rows(frame: pd.DataFrame) -> list[int]:
    return list(frame.index[(frame["submitdate"] != "") & (frame["Q01"] != "-oth-")][:3])


def _day_first_dates(frame: pd.DataFrame) -> pd.DataFrame:
    dates = pd.to_datetime(frame["submitdate"].replace("", None), format="%Y-%m-%d %H:%M:%S")
    frame["submitdate"] = [d.strftime("%d/%m/%Y %H:%M:%S") if not pd.isna(d) else "" for d in dates]
    return frame


_M = MANIFEST_HEADING
REFUSED: tuple[Case, ...] = (
    # Bytes and encodings
    Case("utf16", raw_bytes(lambda d: d.decode("utf-8-sig").encode("utf-16")), 2, ("UTF-16",)),
    Case("nul_past_first_mib", raw_bytes(_nul_past_first_mib), 2, ("NUL", "line 251")),
    Case(
        "cp1252_byte_in_utf8_with_bom", raw_bytes(_cp1252_byte_in_utf8), 2, ("mixed text encodings", "line 41", "0xE9")
    ),
    Case(
        "cp1252_byte_in_utf8_without_bom",
        raw_bytes(lambda d: _cp1252_byte_in_utf8(d).removeprefix(codecs.BOM_UTF8)),
        2,
        ("mixed text encodings", "line 41"),
    ),
    Case("empty_file", raw_bytes(lambda d: b""), 2, ("empty",)),
    Case("heading_only", raw_bytes(lambda d: _records(d)[0] + b"\r\n"), 2, ("heading row only",)),
    Case("every_record_malformed", raw_bytes(_drop_last_field), 2, ("no record loaded", "250 records")),
    Case("pipe_delimited", _with_delimiter("|"), 2, ("single column",)),
    Case("binary_garbage", raw_bytes(lambda d: bytes(range(256)) * 64), 2, ("NUL",)),
    # Headings
    Case("missing_question", edited(lambda f: f.drop(columns=["Q04"])), 2, ("Q04", "does_eadmin")),
    Case("missing_submitdate", edited(lambda f: f.drop(columns=["submitdate"])), 2, ("submitdate",)),
    Case("missing_id", edited(lambda f: f.drop(columns=["id"])), 2, ("'id'",)),
    Case(
        "duplicated_heading",
        raw_bytes(lambda d: d.replace(b'"Q03";', b'"Q04";', 1)),
        2,
        ("Q04", "2 times"),
    ),
    Case(
        "same_variable_twice",
        edited(lambda f: f.assign(**{"Q02_SQ001": f["Q02[SQ001]"]})),
        2,
        ("Q02[SQ001]", "Q02_SQ001", "same variable"),
    ),
    Case(
        "text_headings",
        edited(lambda f: f.rename(columns=lambda c: f"Question {c} ?")),
        2,
        ("Question code", "re-export"),
    ),
    # Answers
    Case(
        "unknown_post_title_code", edited(_set("Q01", "AO01", (3, 5, 9))), 2, ("Q01", "post_title", "'AO01'", "3 rows")
    ),
    Case("scale_out_of_range", edited(_set("Q10[SQ004]", "11")), 2, ("Q10[SQ004]", "site", "'11'", "1–10")),
    Case("scale_in_words", edited(_set("Q08", "souvent")), 2, ("Q08", "repeat_requests", "'souvent'")),
    Case("tick_x", edited(_set("Q02[SQ003]", "X")), 2, ("Q02[SQ003]", "place", "'X'")),
    Case("tick_lowercase", edited(_set("Q02[SQ001]", "y")), 2, ("Q02[SQ001]", "'y'")),
    Case("gender_unknown", edited(_set("Q16", "Z")), 2, ("Q16", "gender", "'Z'", "F, M or X")),
    Case("department_name_typo", edited(_set("Q18", "Finistere Nord")), 2, ("Q18", "department")),
    Case("new_education_option", edited(_set("Q17", "A6", (1, 2))), 2, ("Q17", "education", "'A6'")),
    # Dates and ids
    Case("submitdate_in_words", edited(_set("submitdate", "hier")), 2, ("'hier'", "row 5", "submitdate")),
    Case("submitdate_that_does_not_exist", edited(_set("submitdate", "2023-02-30 10:00:00")), 2, ("2023-02-30",)),
    Case("submitdate_other_format", edited(_set("submitdate", "March 3, 2023")), 2, ("March 3, 2023", "row 5")),
    Case("startdate_garbage", edited(_set("startdate", "??")), 2, ("startdate", "'??'")),
    Case("empty_response_id", edited(_set("id", "")), 2, ("response id is empty", "row 5")),
    Case("repeated_response_id", edited(_set("id", "1", (6,))), 2, ("already used", "row 7")),
    # Manifest
    Case(
        "manifest_impossible_date",
        with_manifest(f"{_M}\n{EXPORT},2023,2023-02-30,2023-03-20,,,,\n"),
        2,
        ("2023-02-30", "fieldwork_start", "row 1"),
        "manifest.csv",
    ),
    Case(
        "manifest_superscript_count",
        with_manifest(f"{_M}\n{EXPORT},2023,,,17²,,,\n"),
        2,
        ("17²", "min_respondents"),
        "manifest.csv",
    ),
    Case(
        "manifest_huge_count",
        with_manifest(f"{_M}\n{EXPORT},2023,,,999999999999,,,\n"),
        2,
        ("999999999999", "not a count"),
        "manifest.csv",
    ),
    Case("manifest_negative_count", with_manifest(f"{_M}\n{EXPORT},2023,,,-5,,,\n"), 2, ("-5",), "manifest.csv"),
    Case(
        "manifest_formula_wave",
        with_manifest(f'file,wave\n{EXPORT},"=HYPERLINK(""http://x"",""2023"")"\n'),
        2,
        ("not a wave name", "=HYPERLINK"),
        "manifest.csv",
    ),
    Case(
        "manifest_path_escape",
        with_manifest("file,wave\n../../etc/passwd,2023\n"),
        2,
        ("../../etc/passwd", "not a file name"),
        "manifest.csv",
    ),
    Case(
        "manifest_absolute_path",
        with_manifest("file,wave\n/etc/passwd,2023\n"),
        2,
        ("/etc/passwd", "not a file name"),
        "manifest.csv",
    ),
    Case(
        "manifest_file_twice",
        with_manifest(f"file,wave\n{EXPORT},2023\n{EXPORT},2024\n"),
        2,
        ("listed twice", "rows 1 and 2"),
        "manifest.csv",
    ),
    Case(
        "manifest_missing_file",
        with_manifest(f"file,wave\n{EXPORT},2023\nresponses_2024.csv,2024\n"),
        2,
        ("responses_2024.csv", "not in the folder"),
        "manifest.csv",
    ),
    Case(
        "manifest_unknown_column",
        with_manifest(f"file,wave,comment\n{EXPORT},2023,x\n"),
        2,
        ("unknown column", "comment"),
        "manifest.csv",
    ),
    Case(
        "manifest_without_wave_column",
        with_manifest(f"file\n{EXPORT}\n"),
        2,
        ("missing column", "wave"),
        "manifest.csv",
    ),
    Case(
        "manifest_fieldwork_backwards",
        with_manifest(f"{_M}\n{EXPORT},2023,2023-03-20,2023-02-28,,,,\n"),
        2,
        ("before it starts",),
        "manifest.csv",
    ),
    Case(
        "manifest_min_above_max",
        with_manifest(f"{_M}\n{EXPORT},2023,,,200,100,,\n"),
        2,
        ("min_respondents 200 is above max_respondents 100",),
        "manifest.csv",
    ),
    Case(
        "manifest_extra_field",
        with_manifest(f"file,wave\n{EXPORT},2023,surprise\n"),
        2,
        ("more or fewer fields",),
        "manifest.csv",
    ),
    Case(
        "manifest_not_utf8",
        lambda folder: (
            with_manifest("")(folder),
            (folder / "manifest.csv").write_bytes(b"file,wave\nr\xe9ponses.csv,2023\n"),
        ),
        2,
        ("not UTF-8",),
        "manifest.csv",
    ),
    Case(
        "manifest_new_wave_without_fieldwork",
        with_manifest(f"file,wave\n{EXPORT},2031\n"),
        2,
        ("2031", "no fieldwork window"),
        "manifest.csv",
    ),
    # Files and folders
    Case("fifo_export", _fifo, 2, ("not a regular file",)),
    Case("unsupported_extension", _file_of("notes.txt", b"hello"), 2, ("unsupported file type",), "notes.txt"),
    Case("same_file_twice", _copy_twice, 2, ("same content",), "responses_2023_copy.csv"),
    Case(
        "broken_workbook",
        _only("responses_2023.xlsx", b"PK\x03\x04 not a workbook"),
        2,
        ("not a readable XLSX",),
        "responses_2023.xlsx",
    ),
    Case(
        "broken_spss_file",
        _only("responses_2023.sav", b"$FL2 not really spss"),
        2,
        ("not a readable SPSS",),
        "responses_2023.sav",
    ),
    Case(
        "spss_syntax_file",
        _file_of("survey_123456_SPSS_syntax_file.sps", b"GET DATA /TYPE=TXT.\n"),
        2,
        ("SPSS (.sav)",),
        "survey_123456_SPSS_syntax_file.sps",
    ),
    Case(
        "lss_disagrees",
        _lss_edited("<answer><![CDATA[Homme]]></answer>", "<answer><![CDATA[Masculin]]></answer>"),
        2,
        ("Q16 (gender)", "label differs", "codebook-check"),
        "limesurvey_survey_123456.lss",
    ),
    Case(
        "lss_not_xml",
        _file_of("limesurvey_survey_123456.lss", b"not xml"),
        2,
        ("not a readable XML file",),
        "limesurvey_survey_123456.lss",
    ),
    Case("no_export", _only("README.txt", b"exports go here"), 2, ("no export found",), None),
    Case(
        "default_name_outside_fieldwork",
        edited(_shift_year(NO_WAVE_YEAR), name="results-survey123456.csv", manifest=False),
        2,
        (
            "cannot tell which wave",
            "file,wave,fieldwork_start,fieldwork_end",
            f"results-survey123456.csv,{NO_WAVE_YEAR},",
        ),
        "results-survey123456.csv",
    ),
    # The 2023 questionnaire dated in the 2024 fieldwork: read as wave 2024, whose edition dropped a question.
    Case(
        "default_name_in_another_editions_fieldwork",
        edited(_shift_year("2024"), name="results-survey123456.csv", manifest=False),
        2,
        ("Q22 (first_mediator_hired) is asked up to wave 2023", "wave 2024", "manifest.csv"),
        "results-survey123456.csv",
    ),
)


def built_cases() -> list[tuple[str, Callable[[Path], Path]]]:
    """(case, writer) of every hostile export that must build: the writer puts one file in a folder and
    returns its path. Each becomes a wave of its own in one shared build."""

    def csv_of(edit: Callable[[pd.DataFrame], pd.DataFrame], name: str, **kw) -> Callable[[Path], Path]:
        def write(folder: Path) -> Path:
            frame = edit(_frame())
            path = folder / name
            frame.to_csv(
                path,
                index=False,
                quoting=csv.QUOTE_ALL,
                lineterminator="\r\n",
                **({"sep": ";", "encoding": "utf-8-sig"} | kw),
            )
            return path

        return write

    def bytes_of(transform: Callable[[bytes], bytes], name: str) -> Callable[[Path], Path]:
        def write(folder: Path) -> Path:
            path = folder / name
            path.write_bytes(transform((SAMPLE_DIR / EXPORT).read_bytes()))
            return path

        return write

    def latin(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.apply(lambda col: col.str.encode("cp1252", "replace").str.decode("cp1252"))

    return [
        ("one_malformed_record", bytes_of(_append_malformed, "one_malformed_record.csv")),
        ("windows_1252", csv_of(latin, "windows_1252.csv", encoding="cp1252")),
        ("tab_separated", csv_of(lambda f: f, "tab_separated.csv", sep="\t")),
        ("comma_separated", csv_of(lambda f: f, "comma_separated.csv", sep=",")),
        ("empty_trailing_heading", bytes_of(_empty_trailing_heading, "empty_trailing_heading.csv")),
        ("glob_star_in_name", bytes_of(lambda d: d, "glob_star*.csv")),
        (
            "glob_brackets_in_name",
            bytes_of(lambda d: _append_malformed(d) + b'"9998";"x"\r\n', "glob_[brackets]{a,b}?.csv"),
        ),
        ("day_first_dates", csv_of(_day_first_dates, "day_first_dates.csv")),
        (
            "formula_in_free_text",
            csv_of(_set("Q01[other]", '=HYPERLINK("http://x","y")', (0,)), "formula_in_free_text.csv"),
        ),
        ("padded_headings", bytes_of(lambda d: d.replace(b'"Q01";', b'" Q01 ";', 1), "padded_headings.csv")),
    ]
