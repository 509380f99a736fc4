"""The rows the stats stage writes, and the tables that hold them.

Each dataclass is the schema of one table of the ``stats`` schema: its fields,
in order, are the table's columns and their annotations give the SQL types.
Keeping the schema beside the rows means a column cannot be added to one and
forgotten in the other, and an empty result still yields a typed table.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

SCHEMA = "stats"

#: ``stats.tests.kind`` of a difference between two waves, and its comparison id (the app and
#: ``report.wave_comparison`` find a figure's test by it).
WAVE_DIFFERENCE = "wave_difference"


def wave_difference_id(baseline: str, figure_id: str, question: str, item_key: str) -> str:
    """The comparison id of a report figure's difference between ``baseline`` and a later wave."""
    return f"{WAVE_DIFFERENCE}:{baseline}:{figure_id}:{question}:{item_key}"


_SQL_TYPES = {"str": "VARCHAR", "float": "DOUBLE", "int": "BIGINT", "bool": "BOOLEAN"}


@dataclass
class TestRow:
    """One hypothesis test computed by one method (``stats.tests``).

    ``comparison_id`` names the hypothesis (the same for every wave and
    method); ``test_id`` names this row. ``is_primary`` marks the method the
    claims and the adjusted p-values of the family rely on (see
    :mod:`stats.multitest`).
    """

    __test__ = False  # not a pytest class, despite the name

    test_id: str = ""
    wave: str = ""
    baseline_wave: str | None = None  # a wave difference: the earlier wave ``wave`` is compared with
    comparison_id: str = ""
    family: str = ""
    kind: str = ""
    variables: str = ""
    outcome: str | None = None
    outcome_label: str | None = None
    grouping: str | None = None
    grouping_label: str | None = None
    groups: str | None = None
    method: str = ""
    reading: str | None = None  # what the method assumes: asymptotic, exact, rank, unequal_variances… (multitest)
    is_primary: bool = False
    method_rule: str = ""  # why this method is (not) the primary one (stats.rules)
    statistic_name: str | None = None
    statistic: float | None = None
    df: float | None = None
    df_denom: float | None = None
    p_value: float | None = None
    p_holm: float | None = None
    p_bh: float | None = None
    p_value_mc_se: float | None = None
    p_value_is_upper_bound: bool | None = None
    effect_size_name: str | None = None
    effect_size: float | None = None
    cohens_d: float | None = None
    hedges_g: float | None = None
    estimate_name: str | None = None
    estimate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    direction: str | None = None
    n: int | None = None
    n_missing: int | None = None
    group1_label: str | None = None
    group1_n: int | None = None
    group1_mean: float | None = None
    group1_median: float | None = None
    group2_label: str | None = None
    group2_n: int | None = None
    group2_mean: float | None = None
    group2_median: float | None = None
    group_stats: str | None = None
    notes: str | None = None


@dataclass
class CellRow:
    """One cell of a cross-tabulation (``stats.contingency_cells``)."""

    test_id: str
    wave: str
    comparison_id: str
    row_variable: str
    row_code: str
    row_label: str
    col_variable: str
    col_code: str
    col_label: str
    observed: int
    expected: float
    row_percent: float
    col_percent: float
    adjusted_residual: float


@dataclass
class CoefficientRow:
    """One coefficient of a linear model (``stats.regression_coefficients``)."""

    test_id: str
    wave: str
    model_id: str
    outcome: str
    term: str
    term_label: str
    variable: str | None
    level: str | None
    coefficient: float | None
    std_error: float | None
    t_value: float | None
    p_value: float | None
    ci_low: float | None
    ci_high: float | None
    p_holm: float | None
    p_bh: float | None
    n: int
    r_squared: float | None
    adj_r_squared: float | None
    cov_type: str
    notes: str | None


@dataclass
class ClaimRow:
    """A comparison the report states in words, and whether it holds (``stats.report_claims``).

    The verdict (``holds``) rests on the comparison's primary test in
    ``stats.tests`` (``test_id``), adjusted over its whole family there, with
    the pairwise tests for a "lowest" or "highest" claim; ``holds_robust`` is
    the other reading of the same comparison (rank test ↔ test of means, exact
    ↔ asymptotic) and ``holds_report_method`` the report's own test (Student's
    t, ANOVA, Pearson on the 2×2 table the sentence states) with Holm over the
    report's claims about the same figure (``family``, ``family_size``).
    ``verdict_reason`` says why they differ (see :mod:`stats.claims`).
    """

    claim_id: str
    wave: str
    report_ref: str
    family: str
    family_size: int
    claim_fr: str
    comparison_id: str
    expected_direction: str
    reported_value: float | None = None
    test_id: str | None = None
    method: str | None = None
    test_family: str | None = None
    found_direction: str | None = None
    statistic_name: str | None = None
    statistic: float | None = None
    df: float | None = None
    df_denom: float | None = None
    p_value: float | None = None
    p_holm: float | None = None
    p_bh: float | None = None
    significant: bool | None = None
    holds: bool = False
    holds_bh: bool | None = None
    holds_unadjusted: bool | None = None
    estimate_name: str | None = None
    estimate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    robust_test_id: str | None = None
    method_robust: str | None = None
    p_robust: float | None = None
    p_robust_holm: float | None = None
    holds_robust: bool | None = None
    report_method: str | None = None
    report_test_id: str | None = None
    p_report: float | None = None
    p_report_holm: float | None = None
    holds_report_method: bool | None = None
    verdict_reason: str | None = None
    notes: str | None = None


@dataclass
class RunInfoRow:
    """How the tables were computed (``stats.run_info``): enough to reproduce them."""

    computed_at: str
    waves: str
    tests: int
    scipy_version: str
    statsmodels_version: str
    seed: int
    n_resamples: int
    alpha: float


TABLES: dict[str, type] = {
    "tests": TestRow,
    "contingency_cells": CellRow,
    "regression_coefficients": CoefficientRow,
    "report_claims": ClaimRow,
    "run_info": RunInfoRow,
}


def sql_type(annotation: str) -> str:
    base = annotation.replace(" | None", "").strip()
    return _SQL_TYPES[base]


def ddl(name: str, row_type: type) -> str:
    columns = ", ".join(f"{f.name} {sql_type(str(f.type))}" for f in dataclasses.fields(row_type))
    return f"CREATE TABLE {SCHEMA}.{name} ({columns})"


#: Columns where an infinity is a value (an odds ratio with an empty cell, the open end of its interval).
INFINITE_ALLOWED = frozenset({"statistic", "estimate", "ci_low", "ci_high"})


def clean(value: Any, column: str = "") -> Any:
    """NaN becomes NULL (a statistic that could not be computed is missing, not a number), and so does an
    infinity, except in the columns where it is the value itself (:data:`INFINITE_ALLOWED`)."""
    if isinstance(value, float) and (math.isnan(value) or (math.isinf(value) and column not in INFINITE_ALLOWED)):
        return None
    return value


def as_json(value: Any) -> str:
    """Compact JSON for the group descriptions (French labels kept readable)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_json_default)


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_tables(con: duckdb.DuckDBPyConnection, rows: dict[str, list[Any]]) -> None:
    """Replace the ``stats`` schema with these rows, in one transaction, with the descriptions of its tables."""
    from pipeline.catalogue import apply_comments

    con.execute("BEGIN")
    try:
        con.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        con.execute(f"CREATE SCHEMA {SCHEMA}")
        for name, row_type in TABLES.items():
            con.execute(ddl(name, row_type))
            table_rows = rows.get(name, [])
            if not table_rows:
                continue
            columns = [f.name for f in dataclasses.fields(row_type)]
            frame = pd.DataFrame(
                [[clean(getattr(r, c), c) for c in columns] for r in table_rows], columns=columns, dtype=object
            )
            con.register("_stats_rows", frame)
            try:
                con.execute(f"INSERT INTO {SCHEMA}.{name} SELECT {', '.join(columns)} FROM _stats_rows")
            finally:
                con.unregister("_stats_rows")
        apply_comments(con, schemas=[SCHEMA])  # the schema is new: its descriptions (source YAML) again
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
