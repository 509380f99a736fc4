"""The data gate: broken exports stop the real build on the named expectation, the sample passes all.

Each broken export goes through ``pipeline.build.build`` into the path of a warehouse
published from the good sample; the build must fail in the checks stage on exactly
the expected (suite, expectation, column) and leave the published file byte-identical.
The breakages are written into the 2023 export; most broken builds read it alone (with
its manifest row), one beside the sample's other waves, whose checks must all pass.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import codebook
from checks import report, structure
from checks import respondents as respondents_module
from checks.gate import ChecksFailed, build_targets
from checks.respondents import eadmin_condition
from checks.specs import SUITES
from checks.validate import DOCS_DIR_NAME, validate
from ingest.errors import ExportError
from pipeline.build import build
from pipeline.errors import StageFailed
from tests.exports import (
    PROJECT_DIR,
    REPORT_WAVE,
    cleaning_reasons,
    edited_copy,
    read_export,
    sample_exports,
    warehouse_copy_in,
)

CB = codebook.load()
FILTER_QUESTION, FILTER_CHOICE = eadmin_condition(CB)
#: The export the breakages are written into, alone in its raw folder with its manifest row.
ONLY_2023 = (REPORT_WAVE,)


def _quiet(_msg: str) -> None:
    pass


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _column(question: str) -> str:
    """How the gate names a question's warehouse column(s)."""
    return f"{question}__*" if CB.question(question).items else question


@pytest.fixture(scope="module")
def published(sample_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse published from the good sample (a copy of the session's build); broken builds target the
    same path."""
    return warehouse_copy_in(tmp_path_factory.mktemp("gate") / "wh", sample_warehouse)


@pytest.fixture(scope="module")
def export_rows(published: Path) -> dict[str, list[int]]:
    """Export row indexes (0-based) of the sample's 2023 export: kept, kept e-admin, kept others, excluded
    duplicates."""
    con = duckdb.connect(str(published), read_only=True)
    try:
        kept = con.execute(
            f"select source_row - 1, {FILTER_QUESTION} = ? from marts.respondents where wave = ? order by source_row",
            [FILTER_CHOICE, REPORT_WAVE],
        ).fetchall()
        duplicates = con.execute(
            "select source_row - 1 from marts.respondent_exclusions where reason_code = 'duplicate' and wave = ?",
            [REPORT_WAVE],
        ).fetchall()
    finally:
        con.close()
    return {
        "kept": [r for r, _ in kept],
        "eadmin": [r for r, e in kept if e],
        "other": [r for r, e in kept if not e],
        "duplicates": [r for (r,) in duplicates],
    }


def _failing_build(published: Path, raw_dir: Path) -> ChecksFailed:
    """Build ``raw_dir`` onto the published warehouse: it must fail in the checks and change nothing."""
    before = _sha(published)
    with pytest.raises(StageFailed) as info:
        build(raw_dir, published, log=_quiet)
    assert info.value.stage == "checks"
    assert _sha(published) == before
    assert multiprocessing.active_children() == []  # the stats worker, still computing, was stopped
    assert not [p.name for p in published.parent.iterdir() if p.name.startswith(".")]
    failure = info.value.__cause__
    assert isinstance(failure, ChecksFailed)
    assert str(failure) == str(info.value)
    return failure


def _failed(failure: ChecksFailed) -> set[tuple[str, str, str | None]]:
    return {(o.target.suite, o.check.expectation, o.check.column_name) for o in failure.failures}


@dataclass(frozen=True)
class Breakage:
    """One wrong value written into one kept respondent's row of the sample export."""

    question: str
    value: str
    #: Whose row: a respondent asked the e-admin batteries ("eadmin"), one who was not ("other"), anyone ("kept").
    rows: str
    failures: frozenset[tuple[str, str, str]]
    item: int = 0
    #: Only a row where the cell is empty (to tick a box that was not ticked).
    empty_cell: bool = False

    @property
    def heading(self) -> str:
        return CB.question(self.question).variables()[self.item].export_heading

    @property
    def variable(self) -> str:
        return CB.question(self.question).variables()[self.item].name


def _fails(suite: str, expectation: str, question: str) -> frozenset[tuple[str, str, str]]:
    return frozenset({(suite, expectation, _column(question))})


AGE_OF_120 = Breakage("age", "120", "kept", _fails("ranges", "expect_column_values_to_be_between", "age"))
REASON_GIVEN_BY_A_SUPPORTER = Breakage(
    "reason_not_eadmin",
    "Y",
    "eadmin",
    _fails("skip_logic", "expect_column_values_to_be_null", "reason_not_eadmin"),
    empty_cell=True,
)
#: More breakages, all written into one export (one row each) to keep the suite's build count down.
MORE_BREAKAGES = {
    "battery answered by a non-supporter": Breakage(
        "site", "7", "other", _fails("skip_logic", "expect_column_values_to_be_null", "site")
    ),
    "age in words (lost in typing, so also missing)": Breakage(
        "age",
        "trente",
        "kept",
        _fails("ranges", "expect_column_values_to_be_null", "age")
        | _fails("skip_logic", "expect_column_values_to_be_in_set", "age"),
    ),
    "negative people per week": Breakage(
        "people_per_week", "-3", "eadmin", _fails("ranges", "expect_column_values_to_be_between", "people_per_week")
    ),
    "mandatory question left empty": Breakage(
        "employer", "", "kept", _fails("skip_logic", "expect_column_values_to_be_in_set", "employer")
    ),
}


def _break(breakages: list[Breakage], export_rows: dict[str, list[int]]) -> tuple[Callable, list[int]]:
    """An edit of the export writing each breakage into its own row, and the rows it chose."""
    chosen: list[int] = []

    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        for b in breakages:
            rows = [
                r for r in export_rows[b.rows] if r not in chosen and (not b.empty_cell or frame.at[r, b.heading] == "")
            ]
            chosen.append(rows[0])
            frame.loc[rows[0], b.heading] = b.value
        return frame

    return edit, chosen


def _assert_points_at(failure: ChecksFailed, b: Breakage, row: int) -> None:
    """Each expected failure names the edited column and lists the edited row of the file."""
    where = f"responses_2023.csv row {row + 1}"
    for suite, expectation, column in b.failures:
        outcome = next(
            o
            for o in failure.failures
            if (o.target.suite, o.check.expectation, o.check.column_name) == (suite, expectation, column)
        )
        if suite != "report":
            assert any(where in e and (b.variable in e or column == b.variable) for e in outcome.examples)


@pytest.mark.parametrize("b", [AGE_OF_120, REASON_GIVEN_BY_A_SUPPORTER], ids=["age_120", "reason"])
def test_broken_value_stops_the_build_on_the_named_expectation(
    b: Breakage, published: Path, export_rows: dict[str, list[int]], tmp_path: Path
) -> None:
    edit, chosen = _break([b], export_rows)
    failure = _failing_build(published, edited_copy(tmp_path / "raw", edit, ONLY_2023))
    assert _failed(failure) == b.failures
    _assert_points_at(failure, b, chosen[0])
    message = str(failure)
    assert b.variable in message and b.value in message and "Traceback" not in message


def test_more_broken_values_each_fail_their_own_expectation(
    published: Path, export_rows: dict[str, list[int]], tmp_path: Path
) -> None:
    breakages = list(MORE_BREAKAGES.values())
    edit, chosen = _break(breakages, export_rows)
    # Beside the sample's other waves: one wave's broken rows stop the whole build, and only its checks fail.
    raw = edited_copy(tmp_path / "raw", edit)
    assert len(sample_exports()) > 1 and all((raw / p.name).exists() for p in sample_exports().values())
    failure = _failing_build(published, raw)
    assert _failed(failure) == frozenset().union(*(b.failures for b in breakages))
    assert {o.target.wave for o in failure.failures} == {REPORT_WAVE}
    for b, row in zip(breakages, chosen, strict=True):
        _assert_points_at(failure, b, row)


def test_wave_of_120_respondents_stops_the_build_on_the_sample_size(
    published: Path, export_rows: dict[str, list[int]], tmp_path: Path
) -> None:
    # Duplicates go too, so that no excluded duplicate takes the place of a dropped original.
    dropped = export_rows["kept"][-58:] + export_rows["duplicates"]
    failure = _failing_build(published, edited_copy(tmp_path / "raw", lambda f: f.drop(index=dropped), ONLY_2023))
    assert _failed(failure) == {
        ("sample_size", "expect_table_row_count_to_be_between", "respondent_id"),
        ("sample_size", "expect_table_row_count_to_be_between", FILTER_QUESTION),
    }
    kept = next(o for o in failure.failures if o.check.column_name == "respondent_id")
    assert kept.observed_value == "120"
    assert "min_value=178, max_value=178" in str(failure)


def test_identical_resubmission_is_excluded_as_a_duplicate_and_passes(
    published: Path, export_rows: dict[str, list[int]], tmp_path: Path
) -> None:
    """What a duplicated respondent looks like in a real export: the same answers under a new id."""

    def resubmit(frame: pd.DataFrame) -> pd.DataFrame:
        copy = frame.loc[[export_rows["kept"][0]]].copy()
        copy["id"] = str(frame["id"].astype(int).max() + 1)
        return pd.concat([frame, copy], ignore_index=True)

    warehouse = tmp_path / "wh" / "survey.duckdb"
    build(edited_copy(tmp_path / "raw", resubmit, ONLY_2023), warehouse, log=_quiet)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        counts = con.execute(
            """select (select count(*) from raw.responses), (select count(*) from marts.respondents),
                      (select count(*) from marts.respondent_exclusions where reason_code = 'duplicate'),
                      (select count(*) from audit.validation_results where not success)"""
        ).fetchone()
    finally:
        con.close()
    assert counts == (251, 178, len(export_rows["duplicates"]) + 1, 0)


def test_repeated_response_id_is_refused_at_ingest(published: Path, tmp_path: Path) -> None:
    before = _sha(published)

    def repeat(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[1, "id"] = frame.loc[0, "id"]
        return frame

    with pytest.raises(ExportError, match="already used"):
        build(edited_copy(tmp_path / "raw", repeat, ONLY_2023), published, log=_quiet)
    assert _sha(published) == before


def test_duplicated_respondent_id_in_a_mart_fails_the_uniqueness_expectation(sample_con, tmp_path: Path) -> None:
    """No export can put one respondent id twice in marts.respondents: ingest refuses a repeated
    response id, identical answers under another id are excluded as duplicates (above), the id is
    a hash of wave and response id, and dbt's unique test runs before the gate. So the gate's own
    uniqueness expectation is tested on a copy of the mart with a row repeated."""
    respondents = sample_con.execute("select * from marts.respondents order by wave, source_row").df()
    in_2023 = respondents.index[respondents["wave"] == "2023"]
    assert 0 < len(in_2023) < len(respondents)  # the copy holds every wave; the check reads wave 2023's rows
    repeated = respondents["respondent_id"].loc[in_2023[3]]
    con = duckdb.connect()
    try:
        con.execute("create schema marts")
        con.register("respondents_frame", pd.concat([respondents, respondents.loc[[in_2023[3]]]], ignore_index=True))
        con.execute("create table marts.respondents as select * from respondents_frame")
        target = next(t for t in structure.structure(con, "2023") if t.name == "respondents")
    finally:
        con.close()
    assert len(target.frame) == 2 and target.rows_checked(target.checks[0]) == len(in_2023) + 1
    outcomes = validate([target], tmp_path / DOCS_DIR_NAME, "test")
    failed = [o for o in outcomes if not o.success]
    assert [(o.check.expectation, o.check.table_name, o.check.column_name) for o in failed] == [
        ("expect_column_values_to_be_unique", "marts.respondents", "respondent_id")
    ]
    assert failed[0].unexpected_count == 2 and all(repeated in e for e in failed[0].examples)


def test_choice_outside_the_codebook_in_a_mart_fails_the_value_set_expectation(
    sample_warehouse: Path, tmp_path: Path
) -> None:
    """Ingest refuses any answer that is not a codebook code (tests/test_ingest.py), so no export reaches
    this suite with one; it guards the built marts against a model or recoding slip, tested on a copy."""
    copy = tmp_path / sample_warehouse.name
    shutil.copy2(sample_warehouse, copy)
    con = duckdb.connect(str(copy))
    try:
        con.execute(
            "update marts.respondents set gender = 'Z' where source_row = (select min(source_row) from "
            "marts.respondents)"
        )
        target = next(t for t in respondents_module.value_sets(con, CB, "2023") if t.name == "choices")
    finally:
        con.close()
    outcomes = validate([target], tmp_path / DOCS_DIR_NAME, "test")
    failed = [(o.check.expectation, o.check.column_name) for o in outcomes if not o.success]
    assert failed == [("expect_column_values_to_be_in_set", "gender")]


def test_long_mart_row_of_an_unknown_respondent_fails_the_reference_expectation(sample_con, tmp_path: Path) -> None:
    """A row of a long mart whose respondent is not kept is found by DuckDB and fails in GX, named."""
    con = duckdb.connect()
    try:
        con.execute("create schema marts")
        for table in ("respondents", "respondent_places"):
            con.register(f"{table}_frame", sample_con.execute(f"select * from marts.{table}").df())
            con.execute(f"create table marts.{table} as select * from {table}_frame")
        con.execute(
            "insert into marts.respondent_places select * replace ('Rorphan' as respondent_id) from "
            "marts.respondent_places where wave = '2023' limit 1"
        )
        places = sample_con.execute("select count(*) from marts.respondent_places where wave = '2023'").fetchone()[0]
        target = next(t for t in structure.structure(con, "2023") if t.name == "respondent_places")
    finally:
        con.close()
    outcomes = validate([target], tmp_path / DOCS_DIR_NAME, "test")
    failed = [o for o in outcomes if not o.success]
    assert [(o.check.expectation, o.check.column_name) for o in failed] == [
        ("expect_column_values_to_be_in_set", "respondent_id")
    ]
    assert failed[0].unexpected_count == 1 and failed[0].element_count == places + 1
    assert "Rorphan" in failed[0].observed_value and "respondent Rorphan" in failed[0].examples[0]


def test_report_percentages_are_checked_on_any_report_table(sample_con, tmp_path: Path) -> None:
    """A percent above 100 and single-choice shares summing to 110 fail, in report.figures and in
    a report table the gate has never seen with a *_pct column."""
    figures = sample_con.execute("select * from report.figures").df()
    con = duckdb.connect()
    try:
        assert report.report(con, CB) == []
        con.execute("create schema report")
        con.register("figures_frame", figures)
        con.execute("create table report.figures as select * from figures_frame")
        con.execute("create table report.extra as select 'a' as item, 101.0 as share_pct")
        single = next(x.question_code for x in CB.questions if x.type == "single")
        con.execute(
            """update report.figures set value = value + 10 where statistic = 'percent' and question = ?
               and item = (select min(item) from report.figures where statistic = 'percent' and question = ?)""",
            [single, single],
        )
        con.execute(
            "update report.figures set value = 120 where statistic = 'percent' and question <> ? "
            "and item = (select max(item) from report.figures where statistic = 'percent' and question <> ?)",
            [single, single],
        )
        outcomes = validate(report.report(con, CB), tmp_path / DOCS_DIR_NAME, "test")
    finally:
        con.close()
    failed = {(o.target.name, o.check.expectation, o.check.column_name) for o in outcomes if not o.success}
    assert failed == {
        ("figures", "expect_column_values_to_be_between", "value"),
        ("figures_share_sums", "expect_column_pair_values_a_to_be_greater_than_b", "value"),
        ("extra", "expect_column_values_to_be_between", "share_pct"),
    }


def test_sample_passes_every_expectation_with_one_audit_row_each(sample_con, sample_warehouse: Path) -> None:
    rows = sample_con.execute(
        "select suite, success, question_code, table_name, observed_value, wave, column_name "
        "from audit.validation_results"
    ).fetchall()
    assert [r for r in rows if not r[1]] == []
    assert len(rows) == sum(len(t.checks) for t in build_targets(sample_con, CB))
    waves = [w for (w,) in sample_con.execute("select distinct wave from marts.respondents").fetchall()]
    asked = {x.question_code for w in waves for x in CB.edition(w).questions}  # each wave checks its own edition
    assert asked <= {r[2] for r in rows}
    assert {r[0] for r in rows} == set(SUITES)
    sizes = {(r[5], r[6]): r[4] for r in rows if r[0] == "sample_size" and r[3] == "marts.respondents"}
    assert (sizes[("2023", "respondent_id")], sizes[("2023", FILTER_QUESTION)]) == ("178", "155")
    expected = {}  # each wave's respondents and e-administration supporters, counted here from its export
    for wave, path in sample_exports().items():
        frame = read_export(path)
        kept = frame[cleaning_reasons(frame, wave) == ""]
        expected[(wave, "respondent_id")] = str(len(kept))
        expected[(wave, FILTER_QUESTION)] = str((kept[CB.question(FILTER_QUESTION).export_code] == FILTER_CHOICE).sum())
    assert sizes == expected
    index = sample_warehouse.parent / DOCS_DIR_NAME / "index.html"
    docs = index.read_text(encoding="utf-8")
    assert all(f"skip_logic.asked.{wave}" in docs for wave in sample_exports())


def test_importing_the_gate_does_not_import_great_expectations() -> None:
    code = "import sys, checks, checks.gate; sys.exit('great_expectations' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=PROJECT_DIR).returncode == 0


def test_wave_that_keeps_nobody_is_never_published(published: Path, tmp_path: Path) -> None:
    """Every post title a valid code but "Autre": all connections are excluded as out of target. A new wave
    declares no minimum, so the default floor (half the submitted connections, at least 1) stops it."""
    raw = edited_copy(tmp_path / "raw", lambda f: f.assign(Q01="-oth-"), ONLY_2023)
    (raw / "responses_2023.csv").rename(raw / "responses_2031.csv")
    (raw / "manifest.csv").write_text(
        "file,wave,fieldwork_start,fieldwork_end\nresponses_2031.csv,2031,2023-02-28,2023-03-20\n", encoding="utf-8"
    )
    failure = _failing_build(published, raw)
    kept = next(o for o in failure.failures if o.check.column_name == "respondent_id")
    assert (kept.target.suite, kept.observed_value) == ("sample_size", "0")
    submitted = (read_export()["submitdate"] != "").sum()
    assert submitted == 220 and f"50% of the {submitted} submitted connections" in str(failure)
