"""The stats stage: every planned test on every wave, written to the ``stats`` schema.

Called by the build on its new file (after the checks, before publishing) and
by ``python -m stats`` on a copy of the published warehouse. The schema is
replaced whole, in one transaction, so readers never see half a run.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

import codebook
from stats import compute, data
from stats.claim_tests import row_vs_rest_tests
from stats.claims import ALPHA, load_claims
from stats.crosstab import N_RESAMPLES, SEED
from stats.multitest import adjust_families
from stats.plan import Plan, TwoGroups, build_plan
from stats.results import CellRow, CoefficientRow, RunInfoRow, TestRow, write_tables
from stats.verdicts import evaluate
from stats.waves import compute_differences


@dataclass
class Summary:
    waves: list[str]
    tests: int
    computed: int
    families: int
    claims: int
    claims_holding: int
    seconds: float


def compute_wave(
    con: duckdb.DuckDBPyConnection, wave: str, plan: Plan
) -> tuple[list[TestRow], list[CellRow], list[CoefficientRow]]:
    """All the comparisons of the plan on one wave."""
    tests: list[TestRow] = []
    cells: list[CellRow] = []
    coefficients: list[CoefficientRow] = []
    for spec in plan.crosstabs:
        rows, spec_cells = compute.crosstab(con, wave, spec)
        tests += rows
        cells += spec_cells
    by_outcome: dict[str, list[TwoGroups]] = {}
    for spec in plan.two_groups:
        by_outcome.setdefault(spec.outcome.name, []).append(spec)
    for specs in by_outcome.values():
        counts = data.grouped_counts(con, wave, specs[0].outcome, [s.group for s in specs])
        tests += [row for s in specs for row in compute.compare_two(wave, s, counts[s.group.name])]
    arrays = data.fetch(con, wave, plan.array_variables())
    by_name = {v.name: v for v in plan.variables}
    for spec in plan.k_groups:
        tests += compute.compare_k(wave, spec, arrays, by_name)
    for spec in plan.paired:
        tests += compute.compare_paired(wave, spec, arrays, by_name)
    for spec in plan.within:
        tests += compute.compare_within(wave, spec, arrays, by_name)
    for spec in plan.models:
        rows, coefs = compute.regression(wave, spec, arrays, by_name)
        tests += rows
        coefficients += coefs
    return tests, cells, coefficients


def copy_adjusted(tests: list[TestRow], coefficients: list[CoefficientRow]) -> None:
    """Coefficients share the adjusted p-values of their term rows in ``stats.tests``."""
    terms = {t.test_id: t for t in tests if t.kind == "regression_term"}
    for c in coefficients:
        model = c.test_id.rsplit("|", 1)[0]
        term = terms.get(f"{model}:{c.term}|ols_hc3_t")
        if term is not None:
            c.p_holm, c.p_bh = term.p_holm, term.p_bh


def claims_by_wave(rows: list, waves: list[str], total: int) -> str:
    """``2023 11/15 hold on the primary test, 15/15 on the report's own tests (Student's t, ANOVA, Pearson)``, per
    wave; a claim about a question a wave did not ask has no row."""
    parts = []
    for wave in waves:
        mine = [r for r in rows if r.wave == wave]
        reported = [r for r in mine if r.report_method is not None]  # the claims whose test the report names
        text = (
            f"{wave} {sum(r.holds for r in mine)}/{len(mine)} hold on the primary test, "
            f"{sum(bool(r.holds_report_method) for r in reported)}/{len(reported)} on the report's own tests "
            "(Student's t, ANOVA, Pearson)"
        )
        if len(mine) < total:
            text += f" ({total - len(mine)} not asked)"
        parts.append(text)
    return "; ".join(parts) or "none"


@dataclass
class StatsResult:
    """A run's rows for every ``stats`` table, computed read-only: the build computes them in a worker
    process while the checks read the same file, and writes them once the checks passed."""

    tables: dict[str, list]
    summary: Summary
    log_lines: list[str]


def compute_stats(db_path: Path) -> StatsResult:
    """Every planned test on every wave of ``db_path``'s marts (the file is only read)."""
    import scipy
    import statsmodels

    started = time.perf_counter()
    cb = codebook.load()
    plan = build_plan(cb)
    claims = load_claims()
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        con.execute("SET enable_progress_bar = false")  # the build log is not a terminal
        codebook.register_warehouse_waves(con)  # each wave is tested on its own edition of the questionnaire
        data.build_frame(con, plan.variables)
        waves = data.waves(con)
        tests: list[TestRow] = []
        cells: list[CellRow] = []
        coefficients: list[CoefficientRow] = []
        planned: dict[str, set[str]] = {}
        for wave in waves:
            # each wave is tested on the questions its edition asked
            wave_plan = plan.for_edition(cb.edition(wave))
            planned[wave] = wave_plan.comparison_ids()
            wave_tests, wave_cells, wave_coefs = compute_wave(con, wave, wave_plan)
            tests += wave_tests
            cells += wave_cells
            coefficients += wave_coefs
        tests += compute_differences(con, waves, cb)
    finally:
        con.close()
    tests += row_vs_rest_tests(claims, cells)
    adjust_families(tests)
    copy_adjusted(tests, coefficients)
    claim_rows = evaluate(claims, tests, cells, waves, planned)
    info = RunInfoRow(
        computed_at=dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
        waves=",".join(waves),
        tests=len(tests),
        scipy_version=scipy.__version__,
        statsmodels_version=statsmodels.__version__,
        seed=SEED,
        n_resamples=N_RESAMPLES,
        alpha=ALPHA,
    )
    tables = {
        "tests": tests,
        "contingency_cells": cells,
        "regression_coefficients": coefficients,
        "report_claims": claim_rows,
        "run_info": [info],
    }
    summary = Summary(
        waves=waves,
        tests=len(tests),
        computed=sum(t.p_value is not None for t in tests),
        families=len({(t.wave, t.family) for t in tests}),
        claims=len(claim_rows),
        claims_holding=sum(c.holds for c in claim_rows),
        seconds=time.perf_counter() - started,
    )
    lines = [
        f"  stats: {summary.tests} tests ({summary.computed} computed) in {summary.families} families, "
        f"waves {', '.join(waves) or 'none'}; report claims: {claims_by_wave(claim_rows, waves, len(claims))} "
        f"({summary.seconds:.1f} s)"
    ]
    failing = [c for c in claim_rows if not c.holds]
    lines += [
        f"  stats: claim {c.claim_id} (wave {c.wave}) does not hold on its primary test: {c.verdict_reason or c.notes}"
        for c in failing
    ]
    return StatsResult(tables, summary, lines)


def run_stats(db_path: Path, log: Callable[[str], None] = print) -> Summary:
    """Recompute the ``stats`` schema of ``db_path`` from its marts (one process)."""
    result = compute_stats(db_path)
    con = duckdb.connect(str(db_path))
    try:
        write_tables(con, result.tables)
    finally:
        con.close()
    for line in result.log_lines:
        log(line)
    return result.summary
