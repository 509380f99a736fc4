"""The bundled sample rewritten as LimeSurvey writes it under each of its other export options.

A hub exports its responses with whatever options it ticks: headings as codes,
ExpressionScript codes, code & text or text only; answers as codes or full
answers; "Convert Y to 1 / N to 2"; CSV, Excel, SPSS .sav, or the SPSS and R
syntax exports; LimeSurvey's default file names. Each function here turns the
sample's code-headed, code-answered CSV (``data/sample/responses_2023.csv``)
into one of those shapes, following LimeSurvey's own export writers
(``Writer::write``, ``SurveyObj::getFullAnswer``, ``CsvWriter``, the
``ExportSPSSsav`` and ``ExportR`` plugins), so that the tests can build every
one of them and check that the warehouse reads it right or refuses it with the
fix named. ``python -m samplegen.variants --out DIR`` writes them all, one
folder each.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

import codebook

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "sample"
SAMPLE_EXPORT = SAMPLE_DIR / "responses_2023.csv"
#: LimeSurvey's default response file names, for a survey numbered 123456.
SURVEY_ID = "123456"
DEFAULT_CSV_NAME = f"results-survey{SURVEY_ID}.csv"
DEFAULT_XLSX_NAME = f"results-survey{SURVEY_ID}.xlsx"
DEFAULT_SAV_NAME = f"survey_{SURVEY_ID}_spss.sav"
#: What LimeSurvey's French interface calls the metadata columns (their question text in the field map).
METADATA_TEXT_FR = {
    "id": "ID de la réponse",
    "submitdate": "Date de soumission",
    "lastpage": "Dernière page",
    "startlanguage": "Langue de départ",
    "seed": "Tête de série",
    "startdate": "Date de début",
    "datestamp": "Date de la dernière action",
}
#: LimeSurvey's default separator between code and text in "Question code & question text" headings.
CODE_TEXT_SEPARATOR = ". "


def read_sample(path: Path = SAMPLE_EXPORT) -> pd.DataFrame:
    """The sample export as an all-text frame (empty cells as '')."""
    return pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")


def write_csv(frame: pd.DataFrame, path: Path, sep: str = ";") -> Path:
    """As LimeSurvey's CsvWriter: UTF-8 with BOM, every field quoted, CRLF."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, sep=sep, index=False, quoting=csv.QUOTE_ALL, lineterminator="\r\n", encoding="utf-8-sig")
    return path


def heading_text(v: codebook.Variable) -> str:
    """LimeSurvey's heading text: question text, then the subquestion's in brackets."""
    q = v.question
    if v.is_other:
        return f"{q.wording_fr} [Autre]"
    return q.wording_fr + (f" [{v.item.label_fr}]" if v.item else "")


def _variables(frame: pd.DataFrame) -> dict[str, codebook.Variable]:
    by_heading = codebook.load().by_export_heading()
    return {h: by_heading[h] for h in frame.columns if h in by_heading}


def rename_headings(frame: pd.DataFrame, style: str) -> pd.DataFrame:
    """Headings as the "Headings" option writes them: ``code``, ``expression_code``, ``code_and_text``,
    ``full`` (question text) or ``abbreviated`` (text cut to 15 characters, LimeSurvey's default)."""
    variables = _variables(frame)

    def text(h: str) -> str:
        return heading_text(variables[h]) if h in variables else METADATA_TEXT_FR.get(h, h)

    def code(h: str) -> str:
        return h.replace("[", "_").replace("]", "") if style == "expression_code" else h

    rename = {
        "code": lambda h: h,
        "expression_code": code,
        "code_and_text": lambda h: h + CODE_TEXT_SEPARATOR + text(h),
        "full": text,
        "abbreviated": lambda h: text(h)[:15] + ".. " if len(text(h)) > 15 else text(h),
    }[style]
    return frame.rename(columns={h: rename(h) for h in frame.columns})


def _asked(frame: pd.DataFrame, q: codebook.Question) -> pd.Series:
    """Connections that were shown the question (its condition holds): the others hold NULL in LimeSurvey."""
    if not q.is_conditional:
        return pd.Series(True, index=frame.index)
    cond = codebook.load().question(q.asked_if_question)
    return frame[cond.export_code] == q.asked_if_choice


def full_answers(frame: pd.DataFrame) -> pd.DataFrame:
    """Answers = "Full answers" (``SurveyObj::getFullAnswer``): list labels, ``Autre`` for ``-oth-``,
    ``Oui`` for a ticked box, ``Non`` for an unticked one, ``N/A`` for a box never shown."""
    out = frame.copy()
    for h, v in _variables(frame).items():
        q = v.question
        if v.is_other or q.type in ("number", "scale", "text"):
            continue
        if q.type == "single":
            labels = {c.choice_code: ("Autre" if c.choice_code == "-oth-" else c.label_fr) for c in q.choices}
            out[h] = frame[h].map(lambda x, m=labels: m.get(x, x))
        else:
            shown = _asked(frame, q)
            out[h] = np.where(frame[h] == "Y", "Oui", np.where(shown, "Non", "N/A"))
    return out


def convert_ticks(frame: pd.DataFrame, yes: str, no: str) -> pd.DataFrame:
    """ "Convert Y to ``yes``, N to ``no``" (``Writer::transformResponseValue``): ticks of multiple choice and
    yes/no answers. An empty yes/no answer (not asked) stays empty."""
    out = frame.copy()
    for h, v in _variables(frame).items():
        q = v.question
        if v.is_other:
            continue
        if q.type == "multi":
            out[h] = np.where(frame[h] == "Y", yes, no)
        elif q.type == "single" and {c.choice_code for c in q.choices} == {"Y", "N"}:
            out[h] = frame[h].map({"Y": yes, "N": no, "": ""})
    return out


def with_comments(frame: pd.DataFrame) -> pd.DataFrame:
    """Free-text comment columns beside answers (list with comment, multiple choice with comments)."""
    out = frame.copy()
    rows = np.arange(len(frame))
    for after, heading, text in (
        ("Q03", "Q03[comment]", "Précisé oralement par ma responsable"),
        ("Q02[SQ001]", "Q02[SQ001comment]", "Le mardi"),
    ):
        out.insert(out.columns.get_loc(after) + 1, heading, np.where(rows % 9 == 0, text, ""))
    return out


def unknown_codes(frame: pd.DataFrame) -> pd.DataFrame:
    """LimeSurvey 4+'s default answer codes ``AO01…`` in place of the codebook's ``A1…A5`` (post title)."""
    out = frame.copy()
    out["Q01"] = frame["Q01"].str.replace(r"^A(\d)$", r"AO0\1", regex=True)
    return out


def new_answer_option(frame: pd.DataFrame) -> pd.DataFrame:
    """An answer option added for a new wave (``A6``) that the codebook does not declare."""
    out = frame.copy()
    out.loc[out.index[out["Q17"] == "A4"][:7], "Q17"] = "A6"
    return out


def excel_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Date columns as real Excel date cells (some with milliseconds), as a spreadsheet re-saves them."""
    out = frame.copy().astype(object)
    for col in ("submitdate", "startdate", "datestamp"):
        dates = pd.to_datetime(frame[col].replace("", None), format="%Y-%m-%d %H:%M:%S")
        out[col] = [None if pd.isna(d) else d.to_pydatetime() for d in dates]
    out.loc[out.index[1], "startdate"] = out.loc[out.index[1], "startdate"].replace(microsecond=250000)
    return out


#: Value labels LimeSurvey's SPSS export gives a multiple-choice box (gT('Yes'), gT('Not Selected') in French).
SPSS_TICK_LABELS = {1: "Oui", 0: "Non sélectionné"}


def spss_varname(heading: str) -> str:
    """``SPSSWriter::SPSSvarname``: brackets dropped (``Q02[SQ001]`` → ``Q02_SQ001``), a leading digit prefixed."""
    name = heading if heading[:1].isalpha() else "v" + heading
    for old, new in (("-", "_"), (":", "_dd_"), (";", "_dc_"), ("!", "_excl_"), ("[", "_"), ("]", ""), (" ", "_")):
        name = name.replace(old, new)
    return name


def spss_frame(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, dict], list[str]]:
    """The sample as LimeSurvey's SPSS (.sav) export holds it: SPSS variable names; dates as real date-times
    (empty for an unsubmitted response); lists with non-numeric codes as their full answer text (SPSS labels
    only numbers), numeric codes as numbers with value labels; boxes 1/0 with value labels; numbers numeric.
    Returns the frame, the value labels and the variable labels."""
    variables = _variables(frame)
    out: dict[str, object] = {}
    value_labels: dict[str, dict] = {}
    labels: list[str] = []
    for h in frame.columns:
        name, v = spss_varname(h), variables.get(h)
        col = frame[h].replace("", None)
        labels.append(heading_text(v) if v else METADATA_TEXT_FR.get(h, h))
        if h in ("submitdate", "startdate", "datestamp"):
            out[name] = pd.to_datetime(col, format="%Y-%m-%d %H:%M:%S")
        elif h in ("id", "lastpage", "seed") or (v and not v.is_other and v.question.type in ("scale", "number")):
            out[name] = pd.to_numeric(col)
        elif v and not v.is_other and v.question.type == "multi":
            out[name] = (frame[h] == "Y").astype(float).where(_asked(frame, v.question))
            value_labels[name] = SPSS_TICK_LABELS
        elif v and not v.is_other and v.question.type == "single":
            choices = v.question.choices
            if all(c.choice_code.isdigit() for c in choices):
                out[name] = pd.to_numeric(col)
                value_labels[name] = {int(c.choice_code): c.label_fr for c in choices}
            else:
                # -oth- has no answer row in LimeSurvey: the SPSS export leaves that code as it is.
                full = {c.choice_code: c.label_fr for c in choices if c.choice_code != "-oth-"}
                out[name] = col.map(lambda x, m=full: m.get(x, x) if x is not None else None)
        else:
            out[name] = col
    return pd.DataFrame(out), value_labels, labels


def _sav(frame: pd.DataFrame, folder: Path) -> None:
    import pyreadstat

    folder.mkdir(parents=True, exist_ok=True)
    data, value_labels, labels = spss_frame(frame)
    pyreadstat.write_sav(data, str(folder / DEFAULT_SAV_NAME), column_labels=labels, variable_value_labels=value_labels)


def _syntax_data(frame: pd.DataFrame) -> str:
    """The data file of LimeSurvey's SPSS and R syntax exports: no heading row, values quoted with ``'``."""
    lines = [",".join("'" + str(x).replace("'", "''") + "'" for x in row) for row in frame.itertuples(index=False)]
    return "\r\n".join(lines) + "\r\n"


def _spss_syntax(frame: pd.DataFrame, folder: Path) -> None:
    """Classic SPSS export: ``.dat`` data and an ``.sps`` program declaring names, types and labels."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"survey_{SURVEY_ID}_SPSS"
    (folder / f"{stem}_data_file.dat").write_text(_syntax_data(frame), encoding="utf-8")
    names = " ".join(f"{spss_varname(h)} A255" for h in frame.columns)
    (folder / f"{stem}_syntax_file.sps").write_text(
        f'GET DATA /TYPE=TXT /FILE=\'{stem}_data_file.dat\' /DELCASE=LINE /DELIMITERS="," /QUALIFIER="\'"\n'
        f" /ARRANGEMENT=DELIMITED /FIRSTCASE=1 /IMPORTCASE=ALL /VARIABLES= {names}.\nEXECUTE.\n",
        encoding="utf-8",
    )


def r_data(frame: pd.DataFrame) -> pd.DataFrame:
    """The data file of LimeSurvey's R export (``RDataWriter::transformResponseValue``): answer codes, boxes
    1 (ticked) / 0 (shown, not ticked), yes/no 1 / 2; headings as codes."""
    out = convert_ticks(frame, "1", "0")
    for h, v in _variables(frame).items():
        q = v.question
        if not v.is_other and q.type == "single" and {c.choice_code for c in q.choices} == {"Y", "N"}:
            out[h] = frame[h].map({"Y": "1", "N": "2", "": ""})
    return out


def _r_syntax(frame: pd.DataFrame, folder: Path) -> None:
    """R export: the data ``.csv`` (comma-separated, the export page's default) and an ``.R`` program
    naming and labelling its columns."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"survey_{SURVEY_ID}_R"
    write_csv(r_data(frame), folder / f"{stem}_data_file.csv", sep=",")
    names = "\n".join(f'names(data)[{i}] <- "{spss_varname(h)}"' for i, h in enumerate(frame.columns, start=1))
    (folder / f"{stem}_syntax_file.R").write_text(
        f'data <- read.csv("{stem}_data_file.csv", quote = "\'\\"", na.strings=c("", "\\"\\""), '
        f'stringsAsFactors=FALSE, fileEncoding="UTF-8-BOM")\n{names}\n',
        encoding="utf-8",
    )


@dataclass(frozen=True)
class Variant:
    """One export shape: how it is written, and what the build must do with it."""

    name: str
    description: str
    write: Callable[[pd.DataFrame, Path], None]
    #: None: builds to the same warehouse as the sample; else words the refusal must contain.
    refusal: tuple[str, ...] | None = None
    #: Whether the folder keeps the sample's manifest (default-named exports go without one).
    manifest: bool = True


def _csv(transform: Callable[[pd.DataFrame], pd.DataFrame], name: str = "responses_2023.csv"):
    return lambda frame, folder: write_csv(transform(frame), folder / name)


def _xlsx(frame: pd.DataFrame, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    excel_dates(frame).to_excel(folder / "responses_2023.xlsx", index=False, sheet_name="results")


VARIANTS: tuple[Variant, ...] = (
    Variant(
        "expression_code_headings",
        "headings = ExpressionScript code (Q02_SQ001)",
        _csv(lambda f: rename_headings(f, "expression_code")),
    ),
    Variant(
        "code_and_text_headings",
        "headings = question code & question text",
        _csv(lambda f: rename_headings(f, "code_and_text")),
    ),
    Variant("full_answers", "answers = full answers (labels, Oui/Non, Autre)", _csv(full_answers)),
    Variant(
        "full_answers_code_and_text",
        "full answers with code & text headings",
        _csv(lambda f: rename_headings(full_answers(f), "code_and_text")),
    ),
    Variant("convert_y1_n2", "answers = codes, Convert Y to 1 and N to 2", _csv(lambda f: convert_ticks(f, "1", "2"))),
    Variant("ticks_1_0", "answers = codes, Convert Y to 1 and N to 0", _csv(lambda f: convert_ticks(f, "1", "0"))),
    Variant("comments", "free-text [comment] columns", _csv(with_comments)),
    Variant("xlsx", "Microsoft Excel, real date cells", _xlsx),
    Variant("spss_sav", "SPSS .sav (LimeSurvey's plugin): date-times, value labels, default name", _sav),
    Variant(
        "default_file_name",
        "LimeSurvey's default file name, no manifest",
        _csv(lambda f: f, DEFAULT_CSV_NAME),
        manifest=False,
    ),
    Variant(
        "full_text_headings",
        "headings = full question text",
        _csv(lambda f: rename_headings(f, "full")),
        refusal=("Question code", "re-export"),
    ),
    Variant(
        "abbreviated_headings",
        "headings = abbreviated question text",
        _csv(lambda f: rename_headings(f, "abbreviated")),
        refusal=("Question code", "re-export"),
    ),
    Variant(
        "spss_syntax",
        "SPSS syntax export (.sps + .dat)",
        _spss_syntax,
        refusal=(".sps", "SPSS syntax", "SPSS (.sav)"),
        manifest=False,
    ),
    Variant("r_export", "R export: data .csv (ticks 1/0, yes/no 1/2) and its .R syntax", _r_syntax),
    Variant(
        "ao_answer_codes",
        "LimeSurvey 4+ default answer codes AO01…",
        _csv(unknown_codes),
        refusal=("Q01", "post_title", "AO01", "A1–A5", "codebook_choices.csv"),
    ),
    Variant(
        "new_answer_option",
        "an answer option the codebook does not declare",
        _csv(new_answer_option),
        refusal=("Q17", "education", "'A6'", "codebook_choices.csv"),
    ),
)


def sample_manifest(wave: str) -> str:
    """The bundled manifest's header and ``wave``'s row: a variant folder holds the 2023 export only, and a row
    naming a file the folder does not have (the sample's 2024 export) would make the build refuse it."""
    lines = (SAMPLE_DIR / "manifest.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    return lines[0] + "".join(line for line in lines[1:] if line.split(",")[1] == wave)


def write_variant(variant: Variant, folder: Path, frame: pd.DataFrame | None = None) -> Path:
    """Write one variant's raw folder (the export, and the sample's manifest where it keeps one)."""
    folder.mkdir(parents=True, exist_ok=True)
    variant.write(read_sample() if frame is None else frame, folder)
    if variant.manifest:
        manifest = sample_manifest("2023")
        exports = [p.name for p in folder.iterdir() if p.name != "manifest.csv"]
        data_files = [n for n in exports if n.lower().endswith((".csv", ".xlsx", ".sav"))]
        if data_files:
            manifest = manifest.replace("responses_2023.csv", data_files[0])
        (folder / "manifest.csv").write_text(manifest, encoding="utf-8")
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m samplegen.variants", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder to write one sub-folder per variant into")
    args = parser.parse_args(argv)
    frame = read_sample()
    for variant in VARIANTS:
        folder = args.out / variant.name
        shutil.rmtree(folder, ignore_errors=True)
        write_variant(variant, folder, frame)
        outcome = "refused" if variant.refusal else "builds"
        print(f"{folder}: {variant.description} ({outcome})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
