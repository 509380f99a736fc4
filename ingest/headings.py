"""Map an export's headings to the codebook's column names, whatever heading option was ticked.

LimeSurvey writes a response export's headings in one of four ways
(``Writer::write``, option "Headings"):

* *Question code*: ``Q02[SQ001]`` (CSV, XLSX), the default and the recommended one;
* *ExpressionScript code* (or any SPSS file, whose names cannot hold brackets):
  ``Q02_SQ001``;
* *Question code & question text*: ``Q02[SQ001]. Dans quels lieux… [Mairie]``,
  the code first, then a separator and the wording;
* *Full* or *abbreviated question text*: only the wording. Those cannot be
  mapped back safely (two items may share a text, abbreviations cut words), so
  they are refused with the export option to choose instead.

Each heading's code maps to one codebook variable (``place__mairie``).
Free-text columns the codebook does not model (``Q01[comment]``,
``Q02[SQ001comment]``, an ``[other]`` the codebook does not declare) are kept
aside as free texts (``raw.free_texts``); other headings the codebook does not
know (timings, IP address…) are left out and reported. A codebook heading
missing from the export stops the load, since every figure downstream assumes
the whole questionnaire.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import codebook
from ingest.errors import ExportError

#: Metadata an export must carry for the cleaning rules to work.
REQUIRED_METADATA = ("id", "submitdate")

#: A heading's leading code: an identifier, optionally with one bracketed sub-code (``Q02[SQ001]``).
_CODE = re.compile(r"^(?P<code>[A-Za-z][A-Za-z0-9_]*(?:\[[^\]]*\])?)(?P<rest>.*)$", re.S)
#: Free-text sub-columns LimeSurvey writes beside answers: comments, and "other" texts.
_FREE_TEXT_SUFFIX = re.compile(r"^(?:(?P<item>[A-Za-z0-9]*)comment|other)$")

HEADING_FORMATS = {
    "code": "question code (Q02[SQ001])",
    "expression_code": "ExpressionScript code (Q02_SQ001)",
    "code_and_text": "question code & question text",
}


@dataclass(frozen=True)
class FreeText:
    """A free-text column outside the codebook: which question it comments on."""

    heading: str
    question_code: str
    code: str


@dataclass(frozen=True)
class HeadingMap:
    """Export heading → warehouse column, for the headings kept; the rest, sorted."""

    columns: dict[str, str]
    ignored: list[str]
    heading_format: str = "code"
    free_texts: list[FreeText] = field(default_factory=list)


def spss_name(heading: str) -> str:
    """``Q02[SQ001]`` → ``Q02_SQ001``, the ExpressionScript code (and SPSS's variable name)."""
    return re.sub(r"\[(.*?)\]", r"_\1", heading)


def split_heading(heading: str) -> tuple[str, str]:
    """A heading's code and the text after it (empty for a code-only heading).

    The text must start with a separator (``. ``, ``: ``, a space…): a heading that
    is a sentence (``Quel est…``) yields its first word as code, which no codebook
    variable has.
    """
    match = _CODE.match(heading.strip())
    if not match:
        return heading.strip(), ""
    code, rest = match.group("code"), match.group("rest")
    if rest and (rest[0].isalnum() or rest[0] in "_["):
        return heading.strip(), ""
    return code, rest.strip()


def _known_codes(cb: codebook.Codebook) -> dict[str, tuple[str, str]]:
    """Every code an export may use for a column → (warehouse column, heading format)."""
    known: dict[str, tuple[str, str]] = {}
    for m in codebook.METADATA_COLUMNS:
        known[m] = (m, "metadata")
    for variable in cb.variables():
        known[variable.export_heading] = (variable.name, "code")
        known.setdefault(spss_name(variable.export_heading), (variable.name, "expression_code"))
    return known


def _free_text(cb: codebook.Codebook, code: str) -> FreeText | None:
    """``Q01[comment]``, ``Q02_SQ001comment``, an undeclared ``Q03[other]``: free text of a codebook question."""
    by_export = {q.export_code: q for q in cb.questions}
    for sep_open, sep_close in (("[", "]"), ("_", "")):
        head, found, tail = code.partition(sep_open)
        if not found or head not in by_export or (sep_close and not tail.endswith(sep_close)):
            continue
        suffix = tail[: -len(sep_close)] if sep_close else tail
        if _FREE_TEXT_SUFFIX.match(suffix):
            return FreeText(heading=code, question_code=by_export[head].question_code, code=code)
    return None


def map_headings(path: Path, headings: list[str]) -> HeadingMap:
    cb = codebook.load()
    known = _known_codes(cb)
    columns: dict[str, str] = {}
    formats: Counter[str] = Counter()
    free_texts: list[FreeText] = []
    ignored: list[str] = []
    texts = 0
    by_column: dict[str, str] = {}
    for heading in headings:
        code, text = split_heading(heading)
        texts += bool(text)
        if code in known:
            name, fmt = known[code]
            if name in by_column:
                same = by_column[name] == heading
                raise ExportError(
                    path,
                    f"heading {heading!r} appears {headings.count(heading)} times"
                    if same
                    else f"headings {by_column[name]!r} and {heading!r} are the same variable ({name})",
                    column=heading,
                    expected="each questionnaire variable once",
                )
            by_column[name] = heading
            columns[heading] = name
            formats[fmt] += 1
        elif (free := _free_text(cb, code)) is not None:
            free_texts.append(FreeText(heading=heading, question_code=free.question_code, code=code))
        else:
            ignored.append(heading)

    present = set(columns.values())
    if not present - set(codebook.METADATA_COLUMNS) and len(ignored) > len(codebook.METADATA_COLUMNS):
        raise ExportError(
            path,
            f"no heading is a question code (first headings: {', '.join(repr(h[:40]) for h in ignored[:2])}); "
            "the export was made with headings = full or abbreviated question text",
            expected="headings = 'Question code' (Q02[SQ001]) in LimeSurvey's export options; re-export with it",
        )
    duplicated = [h for h, n in Counter(headings).items() if n > 1]
    if duplicated:
        raise ExportError(
            path,
            f"heading {duplicated[0]!r} appears {Counter(headings)[duplicated[0]]} times",
            column=duplicated[0],
            expected="each heading once",
        )
    missing_meta = [m for m in REQUIRED_METADATA if m not in present]
    if missing_meta:
        raise ExportError(
            path,
            "required metadata column missing",
            column=missing_meta[0],
            expected="LimeSurvey metadata columns " + ", ".join(codebook.METADATA_COLUMNS),
        )
    heading_format = "code_and_text" if texts else ("expression_code" if formats["expression_code"] else "code")
    return HeadingMap(columns=columns, ignored=ignored, heading_format=heading_format, free_texts=free_texts)


def check_edition(path: Path, heading_map: HeadingMap, wave: str) -> None:
    """The file's questionnaire columns are those of ``wave``'s edition of the codebook: every question asked that
    wave is there, and none asked only in other waves (its answers would be read against the wrong questionnaire)."""
    cb = codebook.load()
    try:
        codebook.wave_key(wave)
    except codebook.UnknownWave as exc:
        raise ExportError(
            path, str(exc), expected="a row in dbt_project/seeds/codebook/waves.csv or fieldwork_start/fieldwork_end "
            "in manifest.csv"
        ) from None
    present = set(heading_map.columns.values())
    foreign = [v for v in cb.variables() if v.name in present and v not in cb.variables(wave)]
    if foreign:
        v = foreign[0]
        editions = v.item.editions if v.item is not None and not v.item.asked_in(wave) else v.question.editions
        asked = _asked_text(editions)
        raise ExportError(
            path,
            f"{len(foreign)} column(s) of questions not asked in wave {wave}: {v.export_heading} ({v.name}) is asked "
            f"{asked}",
            column=v.export_heading,
            expected=f"the headings of wave {wave}'s edition (first_wave / last_wave in codebook_questions.csv, "
            "codebook_items.csv); check the file's wave in manifest.csv",
        )
    missing = [v for v in cb.variables(wave) if v.name not in present]
    if missing:
        names = ", ".join(f"{v.export_heading} ({v.name})" for v in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise ExportError(
            path,
            f"{len(missing)} questionnaire column(s) of wave {wave} missing: {names}{more}",
            column=missing[0].export_heading,
            expected=f"every heading of wave {wave}'s edition of the codebook (a question dropped that wave needs "
            "its last_wave in codebook_questions.csv)",
        )


def _asked_text(editions: codebook.Editions) -> str:
    if editions.first_wave and editions.last_wave:
        return f"from wave {editions.first_wave} to wave {editions.last_wave}"
    if editions.first_wave:
        return f"from wave {editions.first_wave} on"
    return f"up to wave {editions.last_wave}"
