"""The data gate of the build: checks generated from the codebook, run after dbt, before publishing.

A wrong answer that reaches the warehouse (a scale answer of 11, a sample that
lost rows, a reason for not supporting given by someone who supports) would be
published in the analysts' figures. The gate validates the build file with
Great Expectations, records every result in ``audit.validation_results``,
renders the Data Docs beside the warehouse (``<dir>/data_docs/index.html``) and
raises :class:`ChecksFailed` with a message a person can act on when any
expectation fails; the build then discards the file instead of publishing it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import pandas as pd

import codebook
from checks import frames, report, respondents, structure
from checks.results import failure_message, write_audit
from checks.specs import SUITES, Outcome, Target
from checks.validate import DOCS_DIR_NAME, EXAMPLES, row_text, validate

#: DuckDB memory of the gate's connection (the checks need far less; see evaluate).
MEMORY_LIMIT = "1GB"


class ChecksFailed(Exception):
    """Some expectations failed; the message lists each with the offending rows."""

    def __init__(self, message: str, failures: list[Outcome]) -> None:
        super().__init__(message)
        self.failures = failures


def build_targets(con: duckdb.DuckDBPyConnection, cb: codebook.Codebook | None = None) -> list[Target]:
    """Every suite's frames and checks for this warehouse, per wave, in suite order."""
    cb = cb or codebook.load()
    targets: list[Target] = []
    codebook.register_warehouse_waves(con)  # a manifest's wave: its edition is that of its dates
    for wave in frames.waves(con):
        edition = cb.edition(wave)  # each wave is checked against the questionnaire it was asked
        targets += respondents.sample_size(con, edition, wave)
        targets += respondents.ranges(con, edition, wave)
        targets += respondents.value_sets(con, edition, wave)
        targets += structure.structure(con, wave)
        targets += respondents.skip_logic(con, edition, wave)
    targets += report.report(con, cb)
    return sorted(targets, key=lambda t: SUITES.index(t.suite))


def add_examples(con: duckdb.DuckDBPyConnection, outcomes: list[Outcome]) -> None:
    """Failed checks on counted frames: look up their first offending rows in the warehouse."""
    for o in outcomes:
        if o.success or o.target.rows is None or not o.unexpected_values:
            continue
        rows = frames.offending_rows(
            con, o.target.rows, o.check.kwargs["column"], o.target.id_columns, o.unexpected_values, EXAMPLES
        )
        o.examples = [row_text(row, o.target) for row in rows]


def docs_dir(db_path: Path) -> Path:
    """Data Docs beside the validated file (the build passes the published warehouse's folder instead)."""
    return db_path.resolve().parent / DOCS_DIR_NAME


@dataclass
class GateResult:
    """What a run of the gate found, without its frames: it crosses from the worker process that validated
    (read-only) to the build, which records it in the build file (:func:`record`)."""

    outcomes: list[Outcome]
    log_line: str
    docs_index: str

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success]


def evaluate(db_path: Path, docs_folder: Path | None = None, run_name: str = "checks") -> GateResult:
    """Validate the build file ``db_path``, read-only (so that the stats can read it at the same time).

    ``docs_folder``: where the Data Docs site goes (default: beside ``db_path``).
    """
    t0 = time.perf_counter()
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        # The checks' aggregates (keys of marts of millions of rows) run as fast in a bounded
        # memory: without a limit, DuckDB keeps gigabytes it does not need.
        con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        con.execute("SET enable_progress_bar = false")  # the build log is not a terminal
        targets = build_targets(con)
        t_read = time.perf_counter() - t0
        site = docs_folder or docs_dir(db_path)
        outcomes = validate(targets, site, run_name=run_name)
        add_examples(con, outcomes)
    finally:
        con.close()
    failed = sum(not o.success for o in outcomes)
    counts = ", ".join(f"{s} {sum(o.target.suite == s for o in outcomes)}" for s in SUITES)
    log_line = (
        f"  checks: {len(outcomes) - failed}/{len(outcomes)} expectations passed ({counts}); "
        f"{time.perf_counter() - t0:.1f} s (reading {t_read:.1f} s); Data Docs: {site / 'index.html'}"
    )
    # the frames stay here: the audit and the message need the targets' names, not their rows
    slim = [replace(o, target=replace(o.target, frame=pd.DataFrame())) for o in outcomes]
    return GateResult(slim, log_line, str(site / "index.html"))


def record(con: duckdb.DuckDBPyConnection, run_id: str, result: GateResult) -> None:
    """Write the gate's results into the build file; raise ChecksFailed on any failure."""
    write_audit(con, run_id, result.outcomes)
    if result.failed:
        raise ChecksFailed(failure_message(result.outcomes, result.docs_index), result.failed)
