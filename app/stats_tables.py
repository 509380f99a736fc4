"""Reading the stats stage's tables, which may not exist yet in a given warehouse.

Test-level columns are read for the pages. The per-group sizes are read too,
only to decide what :mod:`app.withholding` withholds, and are never printed;
the per-group means and medians are left out: the figures show group means
through the disclosure policy instead.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from app.db import query, table_exists
from stats.results import WAVE_DIFFERENCE

SCHEMA = "stats"
TEST_COLUMNS = (
    "test_id", "comparison_id", "family", "kind", "variables", "outcome", "outcome_label", "grouping",
    "grouping_label", "method",
    "is_primary", "statistic_name", "statistic", "df", "df_denom", "p_value", "p_holm", "p_bh",
    "effect_size_name", "effect_size", "direction", "n", "notes",
    # group sizes: for app.withholding only, never printed
    "group1_n", "group2_n", "group_stats",
)
#: ``stats.tests``'s kind of the tests of a difference between two waves: the Évolution page's, not a wave's own.
CLAIM_COLUMNS = (
    "claim_id", "report_ref", "claim_fr", "comparison_id", "method", "expected_direction", "found_direction",
    "p_value", "p_holm", "p_bh", "significant", "holds", "notes",
)


def available(path: Path, table: str = "tests") -> bool:
    return table_exists(path, SCHEMA, table)


def _columns(path: Path, table: str, wanted: tuple[str, ...]) -> list[str]:
    present = set(
        query(
            path,
            "select column_name from information_schema.columns where table_schema = $schema and table_name = $table",
            {"schema": SCHEMA, "table": table},
        )["column_name"]
    )
    return [c for c in wanted if c in present]


def _read(path: Path, table: str, wanted: tuple[str, ...], wave: str, where: str = "", params: dict | None = None
          ) -> pd.DataFrame:
    columns = _columns(path, table, wanted)
    if "wave" in set(query(path, f"select * from {SCHEMA}.{table} limit 0").columns):
        where = "wave = $wave" + (f" and {where}" if where else "")
        params = {**(params or {}), "wave": wave}
    sql = f"select {', '.join(columns)} from {SCHEMA}.{table}" + (f" where {where}" if where else "")
    return query(path, sql, params)


def _within_wave(path: Path) -> str:
    """The condition that keeps the tests of one wave: every kind but the differences between waves."""
    return f"kind is distinct from '{WAVE_DIFFERENCE}'" if "kind" in _columns(path, "tests", ("kind",)) else "true"


def tests(path: Path, wave: str) -> pd.DataFrame:
    """The tests computed within ``wave`` (differences between waves excluded: see the Évolution page)."""
    return _read(path, "tests", TEST_COLUMNS, wave, _within_wave(path))


def primary_tests(path: Path, wave: str, comparison_ids: list[str]) -> pd.DataFrame:
    """The method each comparison's claim relies on (``is_primary``), for the given comparisons of ``wave``."""
    where = f"{_within_wave(path)} and list_contains($ids, comparison_id)"
    found = _read(path, "tests", TEST_COLUMNS, wave, where, {"ids": comparison_ids})
    if "is_primary" in found.columns:
        found = found[found["is_primary"].fillna(False).astype(bool)]
    order = {c: i for i, c in enumerate(comparison_ids)}
    return found.sort_values("comparison_id", key=lambda s: s.map(order)).reset_index(drop=True)


def claims(path: Path, wave: str) -> pd.DataFrame:
    return _read(path, "report_claims", CLAIM_COLUMNS, wave)
