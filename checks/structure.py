"""Structure of the marts: keys filled and unique, long tables pointing at kept respondents.

The marts are found in the warehouse's catalog rather than listed here, so a
new mart with a ``respondent_id`` is checked as soon as dbt builds it. A long
mart's key is ``respondent_id`` plus its ``*_code`` columns (place, site,
question and item codes).
"""

from __future__ import annotations

import duckdb

from checks.frames import RESPONDENTS, q, read, tables
from checks.specs import Check, Target

MARTS = "marts"
#: Key of the marts that are not per respondent (the exclusions: one row per connection).
CONNECTION_KEY = "response_key"


def _key_columns(columns: list[str]) -> list[str]:
    return [c for c in columns if c.endswith("_code")]


def structure(con: duckdb.DuckDBPyConnection, wave: str) -> list[Target]:
    """One target per mart with a respondent or connection key, for this wave."""
    respondent_ids = [
        r[0] for r in con.execute(f"SELECT respondent_id FROM {RESPONDENTS} WHERE wave = ?", [wave]).fetchall()
    ]
    targets: list[Target] = []
    for table, columns in tables(con, MARTS).items():
        name = f"{MARTS}.{table}"
        if "wave" not in columns:
            continue
        key = "respondent_id" if "respondent_id" in columns else CONNECTION_KEY if CONNECTION_KEY in columns else None
        if key is None:
            continue
        parts = [] if name == RESPONDENTS or key == CONNECTION_KEY else _key_columns(columns)
        frame = read(con, f"SELECT {', '.join(q(c) for c in [key, *parts])} FROM {name} WHERE wave = ?", [wave])
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
                    "expect_column_values_to_be_in_set",
                    {"column": key, "value_set": respondent_ids},
                    name,
                    key,
                    f"every {key} of {name} is a kept respondent of {RESPONDENTS}",
                ),
            ]
        else:
            checks.append(Check("expect_column_values_to_be_unique", {"column": key}, name, key, f"one row per {key}"))
        targets.append(Target("structure", table, wave, frame, (key, *parts), checks))
    return targets
