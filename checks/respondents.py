"""Suites over the answers, generated from the codebook: sample size, ranges, value sets, skip logic.

Every question, item, choice, bound and condition comes from :func:`codebook.load`;
nothing here names a question. Answers are checked on the kept rows of
``intermediate.int_responses_classified`` (the marts only hold what each
respondent was asked, so skip-logic slips are visible only there), choices on
``marts.respondents``, and the raw text on ``raw.responses``.

There is one expectation per question and rule: the items of a battery are
stacked into the question's column (see :func:`checks.frames.stacked`), and an
offending row names its exact column. The frames are counted (one row per
distinct value, see :func:`checks.frames.counted`) so that the suites stay
small at any number of respondents.
"""

from __future__ import annotations

from collections import Counter

import duckdb
import pandas as pd

import codebook
from checks.frames import CLASSIFIED, RAW, RESPONDENTS, Part, counted, q, read
from checks.specs import RAW_IDS, RESPONDENT_IDS, Check, Target

EXCLUSIONS = "marts.respondent_exclusions"
#: A wave that declares no minimum must keep at least this share of its submitted connections. Real waves keep
#: most (2023: 178 of 220, 81 %); a wave that keeps far fewer has had its answers misread (unknown post-title
#: codes all filed as "hors cible"), which would otherwise publish a near-empty wave with every check green.
MIN_KEPT_SHARE = 0.5
#: Raw text of a multiple-choice box: ticked or empty.
BOX_VALUES = ["Y", ""]
#: What the mandatory check sees of each answer the respondent was asked.
ANSWERED, MISSING = "answered", "missing"

KEPT_SOURCE = f"SELECT * FROM {CLASSIFIED} WHERE exclusion_reason IS NULL AND wave = ?"
RAW_SOURCE = f"SELECT *, trim(id) AS response_id FROM {RAW} WHERE wave = ?"


def eadmin_condition(cb: codebook.Codebook) -> tuple[str, str]:
    """The e-admin respondents (waves' min/max_eadmin) are those asked the e-admin batteries:
    the (question, choice) condition shared by the most conditional questions of the codebook."""
    counts = Counter((x.asked_if_question, x.asked_if_choice) for x in cb.questions if x.is_conditional)
    (question, choice), _ = counts.most_common(1)[0]
    return str(question), str(choice)


def _column(x: codebook.Question) -> str:
    """The warehouse column of a question: itself, or all its item columns."""
    return x.question_code if not x.items else f"{x.question_code}__*"


def _names(x: codebook.Question) -> str:
    return f"{x.label_fr} ({x.export_code})"


def _asked_sql(x: codebook.Question) -> str:
    """SQL predicate: the respondent was asked ``x`` (true for unconditional questions)."""
    if not x.is_conditional:
        return "true"
    return f"coalesce({q(str(x.asked_if_question))} = '{x.asked_if_choice}', false)"


def _asked_text(x: codebook.Question) -> str:
    return f"respondents with {x.asked_if_question} = '{x.asked_if_choice}'" if x.is_conditional else "every respondent"


def _check(expectation: str, x: codebook.Question, table: str, why: str, **kwargs: object) -> Check:
    return Check(
        expectation, {"column": x.question_code, **kwargs}, table, _column(x), f"{_names(x)}: {why}", x.question_code
    )


def _counted_target(
    con: duckdb.DuckDBPyConnection,
    suite: str,
    name: str,
    wave: str,
    source: str,
    ids: tuple[str, ...],
    parts: list[Part],
    checks: list[Check],
    stacked: bool = True,
    order: tuple[str, ...] | None = None,
) -> Target:
    """A target over the counted ``parts`` of ``source`` (the wave its only parameter); offending
    rows name their column when several columns are stacked per question (``stacked``)."""
    frame, rows = counted(con, source, [wave], ids, parts, order, materialized=" JOIN " in source)
    return Target(suite, name, wave, frame, (*ids, "column") if stacked else ids, checks, rows=rows)


def _bounds_text(x: codebook.Question) -> str:
    low, high = x.min_value, x.max_value
    if low is not None and high is not None:
        return f"between {low:g} and {high:g}"
    return f"at least {low:g}" if low is not None else f"at most {high:g}"


def _changed_sql(raw: str, typed: str) -> str:
    """SQL predicate: typing lost the raw text (NULL) or changed its number (e.g. 5.5 cast to 6).

    The text equal to the typed value's own spelling (nearly every answer) is settled by one
    string comparison; only the rest is parsed again (a million respondents: 4 s less)."""
    return (
        f"CASE WHEN {typed} IS NULL THEN true WHEN {raw} = CAST({typed} AS VARCHAR) THEN false "
        f"ELSE try_cast(replace(trim({raw}), ',', '.') AS DOUBLE) IS DISTINCT FROM {typed} END"
    )


def kept_floor(con: duckdb.DuckDBPyConnection, wave: str, declared: int | None) -> tuple[int, str]:
    """The least number of kept respondents a wave may publish, and where it comes from: the declared
    minimum, else :data:`MIN_KEPT_SHARE` of its submitted connections; never below 1."""
    if declared is not None:
        return max(declared, 1), "raw.waves min_respondents"
    (submitted,) = con.execute(
        f"SELECT count(*) FROM {RAW} WHERE wave = ? AND nullif(trim(submitdate), '') IS NOT NULL", [wave]
    ).fetchone()
    floor = max(1, -(-submitted * int(MIN_KEPT_SHARE * 100) // 100))
    return floor, f"no minimum declared: {MIN_KEPT_SHARE:.0%} of the {submitted} submitted connections, at least 1"


def sample_size(con: duckdb.DuckDBPyConnection, cb: codebook.Codebook, wave: str) -> list[Target]:
    """Kept and e-admin respondents within the wave's bounds (a wave never publishes empty); every
    connection kept or excluded."""
    filter_q, filter_choice = eadmin_condition(cb)
    bounds = con.execute(
        "SELECT min_respondents, max_respondents, min_eadmin, max_eadmin FROM raw.waves WHERE wave = ?", [wave]
    ).fetchone() or (None, None, None, None)
    floor, why = kept_floor(con, wave, bounds[0])
    targets = []
    for name, where, column, (low, high), what in (
        ("respondents", "true", "respondent_id", (floor, bounds[1]), f"kept respondents ({why}; max: raw.waves)"),
        (
            "eadmin_respondents",
            f"{q(filter_q)} = '{filter_choice}'",
            filter_q,
            bounds[2:],
            f"kept respondents with {filter_q} = '{filter_choice}' (raw.waves min/max_eadmin)",
        ),
    ):
        if low is None and high is None:
            continue
        (count,) = con.execute(f"SELECT count(*) FROM {RESPONDENTS} WHERE wave = ? AND {where}", [wave]).fetchone()
        # A frame of that many rows and no column: what the row count expectation needs, nothing more.
        frame = pd.DataFrame(index=pd.RangeIndex(count))
        check = Check(
            "expect_table_row_count_to_be_between",
            {"min_value": low, "max_value": high},
            RESPONDENTS,
            column,
            f"number of {what}",
            question_code=filter_q if column == filter_q else None,
        )
        targets.append(Target("sample_size", name, wave, frame, (), [check]))
    counts = read(
        con,
        f"""SELECT ? AS wave, (SELECT count(*) FROM {RAW} WHERE wave = ?) AS connections,
              (SELECT count(*) FROM {RESPONDENTS} WHERE wave = ?)
                + (SELECT count(*) FROM {EXCLUSIONS} WHERE wave = ?) AS kept_plus_excluded""",
        [wave, wave, wave, wave],
    )
    accounted = Check(
        "expect_column_pair_values_to_be_equal",
        {"column_A": "connections", "column_B": "kept_plus_excluded"},
        RAW,
        None,
        f"every connection of {RAW} is either kept ({RESPONDENTS}) or excluded ({EXCLUSIONS})",
    )
    return [*targets, Target("sample_size", "connections", wave, counts, ("wave",), [accounted])]


def ranges(con: duckdb.DuckDBPyConnection, cb: codebook.Codebook, wave: str) -> list[Target]:
    """Scales and numbers within the codebook's min/max; non-empty raw text typed, not dropped."""
    questions = [x for x in cb.questions if x.type in ("scale", "number")]
    bounded = [x for x in questions if x.min_value is not None or x.max_value is not None]
    typed = _counted_target(
        con,
        "ranges",
        "typed",
        wave,
        KEPT_SOURCE,
        RESPONDENT_IDS,
        [
            Part(v.name, x.question_code, q(v.name), f"{q(v.name)} IS NOT NULL")
            for x in bounded
            for v in x.answer_variables()
        ],
        [
            _check(
                "expect_column_values_to_be_between",
                x,
                CLASSIFIED,
                f"{_bounds_text(x)} (codebook min/max)",
                min_value=x.min_value,
                max_value=x.max_value,
            )
            for x in bounded
        ],
    )
    # Raw text beside its typed value: the text is kept only where typing lost or changed it.
    source = (
        "SELECT r.source_file, r.source_row, trim(r.id) AS response_id, "
        + ", ".join(
            # Computed once, small: the join's result is kept for all parts (mostly NULLs and booleans).
            f"CASE WHEN {_changed_sql(f'r.{q(v.name)}', f't.{q(v.name)}')} THEN r.{q(v.name)} END "
            f"AS {q('changed__' + v.name)}, nullif(trim(r.{q(v.name)}), '') IS NOT NULL AS {q('given__' + v.name)}"
            for x in questions
            for v in x.answer_variables()
        )
        + f""" FROM {RAW} AS r JOIN {CLASSIFIED} AS t
                ON t.source_sha256 = r.source_sha256 AND t.source_row = r.source_row
              WHERE r.wave = ?"""
    )
    parts = [
        Part(v.name, x.question_code, q("changed__" + v.name), q("given__" + v.name))
        for x in questions
        for v in x.answer_variables()
    ]
    parsed = _counted_target(
        con,
        "ranges",
        "parsed",
        wave,
        source,
        RAW_IDS,
        parts,
        [
            _check(
                "expect_column_values_to_be_null",
                x,
                RAW,
                f"non-empty text typed as a {x.type} without loss (not turned into NULL, not rounded)",
            )
            for x in questions
        ],
    )
    return [typed, parsed]


def value_sets(con: duckdb.DuckDBPyConnection, cb: codebook.Codebook, wave: str) -> list[Target]:
    """Single choices within their codebook choices; multiple-choice boxes 'Y' or empty in raw.

    Ingest already refuses any answer of the export that is not a codebook code (``ingest/answers.py``),
    and rewrites other spellings to codes; this suite checks the built warehouse again, so that a
    model or recoding slip cannot publish a value outside the codebook."""
    singles = [x for x in cb.questions if x.type == "single" and not x.items]
    choices = _counted_target(
        con,
        "value_sets",
        "choices",
        wave,
        f"SELECT * FROM {RESPONDENTS} WHERE wave = ?",
        RESPONDENT_IDS,
        [Part(x.question_code, x.question_code, q(x.question_code)) for x in singles],
        [
            _check(
                "expect_column_values_to_be_in_set",
                x,
                RESPONDENTS,
                "one of the codebook's choices (out-of-target choices are excluded by the cleaning rules)",
                value_set=[c.choice_code for c in x.choices if c.is_target is not False],
            )
            for x in singles
        ],
        stacked=False,
        order=("source_file", "source_row"),
    )
    multis = [x for x in cb.questions if x.type == "multi"]
    boxes = [
        Part(v.name, x.question_code, q(v.name), f"{q(v.name)} IS NOT NULL")
        for x in multis
        for v in x.answer_variables()
    ]
    raw = _counted_target(
        con,
        "value_sets",
        "boxes",
        wave,
        RAW_SOURCE,
        RAW_IDS,
        boxes,
        [
            _check(
                "expect_column_values_to_be_in_set",
                x,
                RAW,
                "a ticked box is 'Y', an unticked one empty",
                value_set=BOX_VALUES,
            )
            for x in multis
        ],
    )
    return [choices, raw]


def skip_logic(con: duckdb.DuckDBPyConnection, cb: codebook.Codebook, wave: str) -> list[Target]:
    """Conditional questions left empty by those not asked; mandatory ones answered by all who were.

    Each question's rows are only those its rule applies to (its codebook condition, either side).
    """
    conditional = [x for x in cb.questions if x.is_conditional]
    given = [
        Part(
            v.name,
            x.question_code,
            f"CASE WHEN {q(v.name)} THEN 'Y' END" if v.kind == "multi" else q(v.name),
            f"NOT {_asked_sql(x)}",
        )
        for x in conditional
        for v in x.variables()
    ]
    not_asked = _counted_target(
        con,
        "skip_logic",
        "not_asked",
        wave,
        KEPT_SOURCE,
        RESPONDENT_IDS,
        given,
        [
            _check(
                "expect_column_values_to_be_null",
                x,
                CLASSIFIED,
                f"answered only by {_asked_text(x)} (codebook condition); checked on the others",
            )
            for x in conditional
        ],
    )
    mandatory = [x for x in cb.questions if x.mandatory]
    answers: list[Part] = []
    for x in mandatory:
        names = [v.name for v in x.answer_variables()]
        if x.type == "multi":
            # A mandatory multiple choice is answered when at least one box is ticked.
            ticked = " OR ".join(q(n) for n in names)
            answers.append(Part(_column(x), x.question_code, _answered_sql(ticked), _asked_sql(x)))
        else:
            answers += [Part(n, x.question_code, _answered_sql(f"{q(n)} IS NOT NULL"), _asked_sql(x)) for n in names]
    asked = _counted_target(
        con,
        "skip_logic",
        "asked",
        wave,
        KEPT_SOURCE,
        RESPONDENT_IDS,
        answers,
        [
            _check(
                "expect_column_values_to_be_in_set",
                x,
                CLASSIFIED,
                f"mandatory: answered by {_asked_text(x)}"
                + (" (at least one box ticked)" if x.type == "multi" else " (every item)" if x.items else ""),
                value_set=[ANSWERED],
            )
            for x in mandatory
        ],
    )
    return [not_asked, asked]


def _answered_sql(predicate: str) -> str:
    return f"CASE WHEN {predicate} THEN '{ANSWERED}' ELSE '{MISSING}' END"
