"""Answer codes, checked on the raw export before any cleaning rule, whatever answer option was ticked.

A LimeSurvey response export writes answers as *answer codes* (``A1``, ``Y``,
the default and the recommended option) or as *full answers* (the French
label, ``Oui``/``Non`` for a ticked or unticked box, ``Autre`` for the "other"
option); its "Convert Y to …/N to …" options rewrite ticks and yes/no answers
(``1``/``2``, ``1``/``0``); SPSS files tick with ``1``/``0``. Every value of
every single-choice, multiple-choice and array (1–10 scale) column must be one
of those spellings of a codebook code, or empty; anything else — a code the
codebook does not know, such as LimeSurvey 4's default ``AO01`` — stops the
load with the file, column, question, value, its rows and the codes expected.
Without this, a whole wave of unknown post-title codes would be excluded as
"hors cible" by the cleaning rules and published empty.

Values that are not codes are rewritten to their code inside ``raw.responses``
(so that every later stage sees one spelling), and each rewrite is recorded in
``raw.answer_recodes`` (file, column, value as exported, code, rows): the raw
export stays traceable. A file that already holds codes is not rewritten.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

import codebook
from ingest.errors import ExportError

#: A ticked box, as each export option writes it: answer codes, "Convert Y to 1", full answers (fr, en).
TICKED = ("Y", "1", "Oui", "Yes")
#: An unticked box: answer codes (empty; ``N`` in old exports), "Convert N to 2" / "to 0", full answers
#: (``N/A``: a box of a question never shown to that person).
#: LimeSurvey's SPSS export labels an unticked box "Not Selected" (``Non sélectionné`` in French).
UNTICKED = ("", "N", "2", "0", "Non", "No", "N/A", "Non sélectionné", "Not Selected")
#: Pairs of (ticked, unticked) one export option writes, to name a file's tick format in raw.files.
TICK_PAIRS = (("Y", "N"), ("1", "0"), ("1", "2"), ("Oui", "Non"), ("Yes", "No"), ("Oui", "Non sélectionné"))
#: Full answers' spelling of an empty yes/no answer (question not shown).
NOT_SHOWN = "N/A"
#: Yes/no answers rewritten by "Convert Y to …/N to …": only where the file's ticks were converted too.
CONVERTED_YES = {"1": "Y"}
CONVERTED_NO = {"2": "N", "0": "N"}
#: LimeSurvey's full answer for the "other" option of a list (its French translation of "Other"), and the
#: untranslated label its SPSS export gives that option.
OTHER_CODE, OTHER_LABELS = "-oth-", ("Autre", "Other")
#: Shown after the unknown values: where the codes expected are declared.
CHOICES_FILE = "codebook_choices.csv"
ITEMS_FILE = "codebook_items.csv"
MAX_SHOWN = 3


def normalise(text: str) -> str:
    """Labels compared as a person reads them: Unicode form, apostrophes, case and spaces folded."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip().casefold()


@dataclass(frozen=True)
class Spelling:
    """How one column's values map to codes: exported value (trimmed) → code ('' for empty)."""

    accepted: dict[str, str]
    expected: str


def _code_ranges(codes: Iterable[str]) -> str:
    """``A1, A2, A3`` → ``A1–A3``: consecutive numbered codes shown as a range."""
    out: list[str] = []
    run: list[tuple[str, int, str]] = []

    def flush() -> None:
        if len(run) > 2:
            out.append(f"{run[0][2]}–{run[-1][2]}")
        else:
            out.extend(r[2] for r in run)
        run.clear()

    for code in codes:
        m = re.fullmatch(r"(\D*)(\d+)", code)
        key = (m.group(1), int(m.group(2))) if m else None
        if run and key and key[0] == run[-1][0] and key[1] == run[-1][1] + 1:
            run.append((*key, code))
            continue
        flush()
        if key:
            run.append((*key, code))
        else:
            out.append(code)
    flush()
    return ", ".join(out[:-1]) + (" or " if len(out) > 1 else "") + out[-1] if out else "(none)"


def _is_yes_no(q: codebook.Question) -> bool:
    return {c.choice_code for c in q.choices} == {"Y", "N"}


def spelling(v: codebook.Variable, converted_ticks: bool, wave: str | None = None) -> Spelling | None:
    """The accepted spellings of a variable's answers in ``wave`` (None: any edition), or None for columns
    without codes (numbers, texts). A choice the codebook declares for other waves only is not accepted."""
    q = v.question
    if v.is_other or q.type in ("number", "text"):
        return None
    if q.type == "multi":
        accepted = {t: "Y" for t in TICKED} | {u: "" for u in UNTICKED}
        return Spelling(accepted, f"a tick (Y or empty) for item {v.item.export_suffix} ({ITEMS_FILE})")
    if q.type == "scale":
        low, high = int(q.min_value or 1), int(q.max_value or 10)
        accepted = {"": ""} | {str(n): str(n) for n in range(low, high + 1)}
        return Spelling(accepted, f"{low}–{high} (codebook_questions.csv min/max)")
    accepted: dict[str, str] = {"": ""}
    choices = q.choices_in(wave)
    for c in choices:
        for label in OTHER_LABELS if c.choice_code == OTHER_CODE else (c.label_fr, c.label_in(wave)):
            accepted.setdefault(normalise(label), c.choice_code)
    for c in choices:  # a code always means itself, even where another choice's label spells it
        accepted[normalise(c.choice_code)] = c.choice_code
    if _is_yes_no(q):
        accepted[normalise(NOT_SHOWN)] = ""
        if converted_ticks:
            accepted |= CONVERTED_YES | CONVERTED_NO
    codes = _code_ranges([c.choice_code for c in choices])
    elsewhere = [c for c in q.choices if not c.asked_in(wave)]
    other_waves = "; " + ", ".join(
        f"{c.choice_code} is declared for waves {c.editions.first_wave or '…'}–{c.editions.last_wave or '…'} only"
        for c in elsewhere
    ) if elsewhere else ""
    in_wave = f", as asked in wave {wave}" if wave else ""
    return Spelling(accepted, f"{codes} ({CHOICES_FILE}) or their French labels{in_wave}{other_waves}")


@dataclass
class Recoding:
    """What the answer check found in one file: its answer format and the values it rewrote."""

    answer_format: str = "codes"
    tick_format: str | None = None
    #: (column, exported value, code, rows) of every value rewritten.
    recodes: list[tuple[str, str, str, int]] = field(default_factory=list)


def _key(value: str, q: codebook.Question) -> str:
    return normalise(value) if q.type == "single" else value.strip()


def _profile(con: duckdb.DuckDBPyConnection, sha256: str, variables: list[codebook.Variable]) -> dict[str, dict]:
    """Each coded column's distinct trimmed values with their row counts ('' for empty).

    One GROUP BY per column, as one query: DuckDB runs them in a single pass over the file's rows, about
    six times faster than a ``histogram()`` of each column (0.12 s against 0.68 s for 140,000 rows).
    """
    profile: dict[str, dict[str, int]] = {v.name: {} for v in variables}
    if not variables:
        return profile
    union = " UNION ALL ".join(
        f'SELECT {i} AS k, "{v.name}" AS value, count(*) AS n FROM file_rows GROUP BY value'
        for i, v in enumerate(variables)
    )
    rows = con.execute(
        f"WITH file_rows AS (SELECT * FROM raw.responses WHERE source_sha256 = ?) {union}", [sha256]
    ).fetchall()
    for k, value, n in rows:
        counts = profile[variables[k].name]
        key = (value or "").strip()
        counts[key] = counts.get(key, 0) + n
    return profile


def _tick_format(values: Iterable[str]) -> str | None:
    seen = {x for x in values if x not in ("", NOT_SHOWN)}
    for yes, no in TICK_PAIRS:
        if seen and seen <= {yes, no}:
            return f"{yes}/{'empty' if yes == 'Y' and no not in seen else no}"
    return "mixed" if seen else None


def check_and_recode(
    con: duckdb.DuckDBPyConnection, path: Path, sha256: str, headings: dict[str, str], wave: str | None = None
) -> Recoding:
    """Check every coded value of one loaded file against ``wave``'s edition; rewrite non-code spellings to codes.

    ``headings``: warehouse column → the export's code for it (``Q02[SQ001]``), for the messages.
    """
    cb = codebook.load()
    variables = [v for v in cb.variables(wave) if v.name in headings and spelling(v, False) is not None]
    profile = _profile(con, sha256, variables)
    ticks = _tick_format(value for v in variables if v.question.type == "multi" for value in profile[v.name])
    converted = ticks is not None and ticks.split("/")[0] == "1"
    result = Recoding(tick_format=ticks)
    unknown: list[tuple[codebook.Variable, str, int, Spelling]] = []
    labels = codes = 0
    for v in variables:
        rule = spelling(v, converted, wave)
        for value, rows in profile[v.name].items():
            code = rule.accepted.get(_key(value, v.question))
            if code is None:
                unknown.append((v, value, rows, rule))
            elif value != code:
                result.recodes.append((v.name, value, code, rows))
                if v.question.type == "single" and code and value not in CONVERTED_YES | CONVERTED_NO:
                    labels += rows
            elif v.question.type == "single" and value:
                codes += rows
    if unknown:
        raise _unknown_codes(con, path, sha256, headings, unknown)
    result.answer_format = "full answers" if labels and not codes else ("mixed" if labels else "codes")
    if result.recodes:
        _rewrite(con, sha256, result.recodes)
    return result


def _rewrite(con: duckdb.DuckDBPyConnection, sha256: str, recodes: list[tuple[str, str, str, int]]) -> None:
    by_column: dict[str, list[tuple[str, str]]] = {}
    for column, value, code, _rows in recodes:
        by_column.setdefault(column, []).append((value, code))
    sets = []
    params: list[str] = []
    for column, pairs in by_column.items():
        whens = " ".join("WHEN ? THEN ?" for _ in pairs)
        sets.append(f'"{column}" = CASE coalesce(trim("{column}"), \'\') {whens} ELSE "{column}" END')
        for value, code in pairs:
            params += [value, code if code != "" else None]
    # An empty code (an unticked box) becomes NULL, as an empty CSV field loads.
    con.execute(f"UPDATE raw.responses SET {', '.join(sets)} WHERE source_sha256 = ?", [*params, sha256])


def _unknown_codes(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    sha256: str,
    headings: dict[str, str],
    unknown: list[tuple[codebook.Variable, str, int, Spelling]],
) -> ExportError:
    """One message for every column with unknown values: the first columns in full, then a count."""
    by_column: dict[str, list[tuple[str, int]]] = {}
    for v, value, rows, _rule in unknown:
        by_column.setdefault(v.name, []).append((value, rows))
    parts = []
    for name, values in list(by_column.items())[:MAX_SHOWN]:
        v, rule = next((u[0], u[3]) for u in unknown if u[0].name == name)
        values.sort(key=lambda x: -x[1])
        shown = []
        for value, rows in values[:MAX_SHOWN]:
            where = _rows(con, sha256, name, value)
            shown.append(f"{value!r} in {rows} row{'s' if rows > 1 else ''} ({where})")
        more = f" and {len(values) - MAX_SHOWN} other value(s)" if len(values) > MAX_SHOWN else ""
        what = "unknown answer code" + ("s" if len(values) > 1 else "")
        parts.append(
            f"{headings[name]} ({v.question.question_code}): {what} {'; '.join(shown)}{more}; expected {rule.expected}"
        )
    more_cols = len(by_column) - MAX_SHOWN
    text = "\n  ".join(parts) + (f"\n  and {more_cols} more column(s) with unknown codes" if more_cols > 0 else "")
    return ExportError(path, text)


def _rows(con: duckdb.DuckDBPyConnection, sha256: str, column: str, value: str) -> str:
    """The first data rows holding ``value``: ``rows 2, 3, 5…``."""
    from ingest.load import ROW_POSITION

    found = con.execute(
        f"""SELECT position FROM (SELECT {ROW_POSITION} AS position, source_sha256, "{column}" AS value
                                  FROM raw.responses)
            WHERE source_sha256 = ? AND coalesce(trim(value), '') = ? ORDER BY position LIMIT 4""",
        [sha256, value],
    ).fetchall()
    rows = [str(r[0]) for r in found]
    return ("rows " if len(rows) > 1 else "row ") + ", ".join(rows[:3]) + ("…" if len(rows) > 3 else "")
