"""Structure of the marts: keys filled and unique, long tables pointing at kept respondents.

The marts are found in the warehouse's catalog rather than listed here, so a
new mart with a ``respondent_id`` is checked as soon as dbt builds it. Only
stored tables are checked: the long views (places, sites, scales, choices)
unpivot the kept connections of ``int_responses_classified`` for the codebook's
items, so their keys are the respondents' (checked here) crossed with the
codebook's (unique, a dbt test); checking them again would unpivot millions of
rows for nothing (11 s at a million respondents). ``tests/test_build.py``
asserts their keys on the sample. A long
mart's key is ``respondent_id`` plus its ``*_code`` columns (place, site,
question and item codes). Only the rows that break a rule are read (see
:func:`_problem_rows`), so the suite costs a DuckDB aggregate, not a frame of
every row.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from checks.frames import RESPONDENTS, q, read, tables
from checks.specs import Check, Target

MARTS = "marts"
#: Key of the marts that are not per respondent (the exclusions: one row per connection).
CONNECTION_KEY = "response_key"


def _key_columns(columns: list[str]) -> list[str]:
    return [c for c in columns if c.endswith("_code")]


def _problem_rows(
    con: duckdb.DuckDBPyConnection, name: str, wave: str, key: str, parts: list[str]
) -> tuple[pd.DataFrame, int, list[str]]:
    """The rows of ``name`` (key columns) that can fail a structure check: a NULL key, a key that
    occurs more than once (every copy), or, with ``parts``, a key that is not a kept respondent;
    the wave's row count; and the kept respondent ids among those rows."""
    columns = ", ".join(q(c) for c in [key, *parts])
    kept = f"SELECT 1 FROM {RESPONDENTS} AS r WHERE r.wave = $wave AND r.respondent_id = g.{q(key)}"
    orphan = f" OR NOT EXISTS ({kept})" if parts else ""
    # Duplicates are found on a 64-bit hash of the key (a small aggregate over millions of rows);
    # a collision only adds a unique row to the frame, which GX then checks and passes.
    frame = read(
        con,
        f"""SELECT {columns}, EXISTS ({kept}) AS is_kept FROM {name} AS g
            WHERE wave = $wave AND ({q(key)} IS NULL OR hash({columns}) IN (
                SELECT hash({columns}) AS h FROM {name} WHERE wave = $wave GROUP BY h HAVING count(*) > 1){orphan})
            ORDER BY ALL""",
        {"wave": wave},
    )
    (total,) = con.execute(f"SELECT count(*) FROM {name} WHERE wave = ?", [wave]).fetchone()
    kept_ids = sorted(set(frame.loc[frame.pop("is_kept").astype(bool), key]))
    return frame, int(total), kept_ids


def structure(con: duckdb.DuckDBPyConnection, wave: str) -> list[Target]:
    """One target per mart with a respondent or connection key, for this wave.

    DuckDB finds the rows that could fail (usually none: 18 million rows of a long mart at a
    million respondents must not be read into pandas); GX checks them, over the whole mart's count.
    """
    targets: list[Target] = []
    for table, columns in tables(con, MARTS, views=False).items():
        name = f"{MARTS}.{table}"
        if "wave" not in columns:
            continue
        key = "respondent_id" if "respondent_id" in columns else CONNECTION_KEY if CONNECTION_KEY in columns else None
        if key is None:
            continue
        parts = [] if name == RESPONDENTS or key == CONNECTION_KEY else _key_columns(columns)
        frame, total, kept_ids = _problem_rows(con, name, wave, key, parts)
        checks = [
            Check("expect_column_values_to_not_be_null", {"column": key}, name, key, f"every row of {name} has a {key}")
        ]
        if parts:
            checks += [
                Check(
                    "expect_compound_columns_to_be_unique",
                    {"column_list": [key, *parts]},
                    name,
                    key,
                    f"one row per {key} and {', '.join(parts)}",
                ),
                Check(
                    # The value set: the kept respondents among the rows checked (not the million others).
                    "expect_column_values_to_be_in_set",
                    {"column": key, "value_set": kept_ids},
                    name,
                    key,
                    f"every {key} of {name} is a kept respondent of {RESPONDENTS}",
                ),
            ]
        else:
            checks.append(Check("expect_column_values_to_be_unique", {"column": key}, name, key, f"one row per {key}"))
        targets.append(Target("structure", table, wave, frame, (key, *parts), checks, row_total=total))
    return targets
