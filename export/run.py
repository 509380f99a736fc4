"""One export, from the published warehouse to a folder of files for one format.

Per format: ``sav``/``dta`` write the respondents (wide) and the answers (long) with labels; ``parquet`` writes
them as typed Parquet plus one Parquet file per report table (``rapport/``); ``xlsx`` writes them as workbooks
with a sheet describing their columns. Every format also gets the report workbook (``rapport_tableaux.xlsx``),
``variables.csv`` and ``README.txt``. Each file is written under a temporary name and renamed when complete, so
a failed export never leaves a half-written file under a final name.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb

from export import labelled
from export.errors import EXIT_BAD_INPUT, EXIT_ENVIRONMENT, CannotExport
from export.headings import SUMMARY_HEADINGS, SUMMARY_SHEET, heading, sheet_name, sheet_title
from export.labels import question_order, read_variables
from export.notice import (
    README_FILE,
    VARIABLES_FILE,
    VARIABLES_HEADINGS,
    Written,
    number_fr,
    readme,
    variable_rows,
    variables_csv,
)
from export.tables import (
    ANSWERS,
    RESPONDENTS,
    answers_select,
    columns,
    ordered_select,
    quote_literal,
    report_relations,
    respondents_select,
    sheet_key,
)
from export.warehouse import Source, connect, describe
from export.workbook import Sheet, write_workbook

FORMATS = ("sav", "dta", "parquet", "xlsx")
REPORT_WORKBOOK = "rapport_tableaux.xlsx"
REPORT_PARQUET_DIR = "rapport"
RESPONDENTS_STEM = "respondents"
ANSWERS_STEM = "answers"


def export(warehouse: Path, fmt: str | None, out: Path | None, wave: str | None = None) -> list[Path]:
    """Write the export of ``warehouse`` in ``fmt`` to ``out``; the paths written, or :class:`CannotExport`."""
    fmt = (fmt or "").strip().lower()
    if fmt not in FORMATS:
        given = f"unknown format {fmt!r}" if fmt else "no format given"
        raise CannotExport(f"{given}: choose FORMAT=sav, dta, parquet or xlsx")
    if out is None or not str(out).strip():
        raise CannotExport("no output folder given: set OUT=<folder>")
    con = connect(warehouse)
    try:
        source = describe(con, warehouse, wave or None)
        folder = _prepare(out)
        try:
            return _write_all(con, source, fmt, folder)
        except OSError as exc:
            raise CannotExport(f"cannot write to {out}: {exc.strerror or exc}", EXIT_ENVIRONMENT) from None
        except duckdb.IOException as exc:
            raise CannotExport(f"cannot write to {out}: {str(exc).splitlines()[0]}", EXIT_ENVIRONMENT) from None
    finally:
        con.close()


def _prepare(out: Path) -> Path:
    """The output folder, created if need be; refused if it is a file or cannot be written."""
    if out.exists() and not out.is_dir():
        raise CannotExport(f"{out} is a file, not a folder: set OUT=<folder>", EXIT_BAD_INPUT)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CannotExport(f"cannot create {out}: {exc.strerror or exc}", EXIT_ENVIRONMENT) from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise CannotExport(f"cannot write to {out}: permission denied", EXIT_ENVIRONMENT)
    return out


@contextmanager
def _staged(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``, renamed to it once the block has written it completely."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _write_all(con: duckdb.DuckDBPyConnection, source: Source, fmt: str, folder: Path) -> list[Path]:
    waves = source.waves
    names = [c for c, _ in columns(con, RESPONDENTS.schema, RESPONDENTS.name)]
    variables = read_variables(con, names, waves)
    respondents_sql = respondents_select(con, waves)
    answers_sql = answers_select(con, waves, question_order(con))
    counts = dict(con.execute(f"select wave, count(*) from ({respondents_sql}) group by wave").fetchall())
    n_respondents = sum(counts.values())
    (n_answers,) = con.execute(f"select count(*) from ({answers_sql})").fetchone()
    wave_text = ", ".join(waves)
    stamp = f"build {source.run_id} du {source.finished_at:%d/%m/%Y %H:%M:%S}"

    written: list[Written] = []
    paths: list[Path] = []

    def done(path: Path, description: str) -> None:
        written.append(Written(path.relative_to(folder).as_posix(), description))
        paths.append(path)

    respondents_text = (f"les répondants retenus, une ligne par répondant ({number_fr(n_respondents)} lignes, "
                        f"{len(variables)} variables)")
    answers_text = (f"toutes les réponses, une ligne par répondant × question × item posé ({number_fr(n_answers)}"
                    " lignes : codes et libellés, valeur, drapeaux de base du rapport)")
    if fmt in ("sav", "dta"):
        notes = [f"Enquête médiation numérique et e-administration, vagues {wave_text} ; {stamp}.",
                 "Choix uniques : nombres étiquetés ; correspondance avec les codes dans variables.csv."]
        path = folder / f"{RESPONDENTS_STEM}.{fmt}"
        with _staged(path) as tmp:
            labelled.write(fmt, labelled.respondents(con, respondents_sql, variables), tmp, source.finished_at,
                           f"Répondants retenus, vagues {wave_text}", notes)
        done(path, respondents_text + " ; libellés de variables et de valeurs")
        path = folder / f"{ANSWERS_STEM}.{fmt}"
        with _staged(path) as tmp:
            labelled.write(fmt, labelled.long_table(con, answers_sql, columns(con, ANSWERS.schema, ANSWERS.name)),
                           tmp, source.finished_at, f"Réponses (format long), vagues {wave_text}", notes)
        done(path, answers_text)
    elif fmt == "parquet":
        metadata = {"build": source.run_id, "vagues": wave_text}
        path = folder / f"{RESPONDENTS_STEM}.parquet"
        _copy_parquet(con, respondents_sql, path, metadata)
        done(path, respondents_text + " (types de l'entrepôt : codes en texte, cases en booléens)")
        path = folder / f"{ANSWERS_STEM}.parquet"
        _copy_parquet(con, answers_sql, path, metadata)
        done(path, answers_text)
        (folder / REPORT_PARQUET_DIR).mkdir(exist_ok=True)
        for relation in report_relations(con, waves):
            path = folder / REPORT_PARQUET_DIR / f"{relation.name}.parquet"
            _copy_parquet(con, ordered_select(con, relation, waves), path, metadata)
            done(path, f"{sheet_title(relation.name, relation.comment)} (report.{relation.name})")
    else:
        path = folder / f"{RESPONDENTS_STEM}.xlsx"
        with _staged(path) as tmp:
            write_workbook(tmp, [
                Sheet("Répondants", names, con.execute(respondents_sql).fetchall()),
                Sheet("Variables", VARIABLES_HEADINGS, variable_rows(variables)),
            ], source.finished_at, f"Répondants retenus, vagues {wave_text}", stamp)
        done(path, respondents_text + " ; feuille Variables : libellés et codes")
        path = folder / f"{ANSWERS_STEM}.xlsx"
        answer_columns = [c for c, _ in columns(con, ANSWERS.schema, ANSWERS.name)]
        with _staged(path) as tmp:
            write_workbook(tmp, [
                Sheet("Réponses", answer_columns, con.execute(answers_sql).fetchall()),
                Sheet("Colonnes", ("colonne", "intitule"), [(c, heading(c)) for c in answer_columns]),
            ], source.finished_at, f"Réponses (format long), vagues {wave_text}", stamp)
        done(path, answers_text + " ; feuille Colonnes : intitulé de chaque colonne")

    path = folder / REPORT_WORKBOOK
    with _staged(path) as tmp:
        write_workbook(tmp, _report_sheets(con, waves), source.finished_at,
                       f"Tableaux du rapport, vagues {wave_text}", stamp)
    done(path, f"les {_numbering(con, waves)} du rapport, une feuille par tableau, intitulés en français ;"
               " feuille Sommaire : titre et table d'origine de chaque feuille")

    path = folder / VARIABLES_FILE
    with _staged(path) as tmp:
        tmp.write_text(variables_csv(variables), encoding="utf-8")
    done(path, "dictionnaire des variables des répondants : noms, libellés, codes et nombres (UTF-8, virgules)")
    path = folder / README_FILE
    with _staged(path) as tmp:
        tmp.write_text(readme(source, fmt, [*written, Written(README_FILE, "ce fichier")], counts, variables),
                       encoding="utf-8")
    paths.append(path)
    return paths


def _copy_parquet(con: duckdb.DuckDBPyConnection, sql: str, path: Path, metadata: dict[str, str]) -> None:
    """Write a query to Parquet with DuckDB, the build's id in the file's key-value metadata."""
    kv = ", ".join(f"{quote_literal(k)}: {quote_literal(v)}" for k, v in metadata.items())
    with _staged(path) as tmp:
        con.execute(f"copy ({sql}) to {quote_literal(str(tmp))} (format parquet, kv_metadata {{{kv}}})")


def _report_sheets(con: duckdb.DuckDBPyConnection, waves: Sequence[str]) -> list[Sheet]:
    """The report workbook: a summary sheet, then one sheet per report table and figure, French headings."""
    sheets: list[Sheet] = []
    summary: list[tuple[str, str, str, int]] = []
    for relation in report_relations(con, waves):
        cols = [c for c, _ in columns(con, relation.schema, relation.name)]
        rows = con.execute(ordered_select(con, relation, waves)).fetchall()
        name = sheet_name(relation.name)
        sheets.append(Sheet(name, [heading(c) for c in cols], rows))
        summary.append((name, sheet_title(relation.name, relation.comment), f"report.{relation.name}", len(rows)))
    return [Sheet(SUMMARY_SHEET, SUMMARY_HEADINGS, summary), *sheets]


def _numbering(con: duckdb.DuckDBPyConnection, waves: Sequence[str]) -> str:
    """« tableaux (T1–T13) et figures (F1–F6) »: what the workbook holds, as the warehouse numbers it."""
    keys = [k for k in (sheet_key(r.name) for r in report_relations(con, waves)) if k is not None]
    parts = []
    for kind, word in (("T", "tableaux"), ("F", "figures")):
        numbers = [n for k, n in keys if k == kind]
        if numbers:
            parts.append(f"{word} ({kind}{min(numbers)}–{kind}{max(numbers)})")
    return " et ".join(parts) or "tableaux"
