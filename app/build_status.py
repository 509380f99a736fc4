"""The sample's cleaning funnel and the build that published the warehouse: the Vue d'ensemble page's facts
that no filter changes (published in the report, or about the data rather than the respondents)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from app.db import query, table_exists


def funnel(path: Path, wave: str) -> tuple[int, pd.DataFrame]:
    """Kept respondents, and excluded connections by reason (every reason, empty ones included)."""
    kept = query(path, "select count(*) as n from marts.respondents where wave = $wave", {"wave": wave})
    excluded = query(
        path,
        """select x.reason_code, x.reason_fr, x.precedence, count(e.response_key) as connections
        from codebook.exclusion_reasons as x
        left join marts.respondent_exclusions as e on e.reason_code = x.reason_code and e.wave = $wave
        group by all order by x.precedence""",
        {"wave": wave},
    )
    return int(kept["n"].iloc[0]), excluded


def last_build(path: Path) -> pd.DataFrame:
    """The run that published this file, with its stage timings (empty if the audit tables are absent)."""
    if not table_exists(path, "audit", "builds"):
        return pd.DataFrame()
    return query(path, "select * from audit.builds order by finished_at desc limit 1")


def build_stages(path: Path, run_id: str) -> pd.DataFrame:
    if not table_exists(path, "audit", "build_stages"):
        return pd.DataFrame()
    return query(path, "select stage, seconds from audit.build_stages where run_id = $run_id", {"run_id": run_id})


def validation_summary(path: Path, run_id: str) -> pd.DataFrame | None:
    """Expectations per suite and how many passed; None when the gate has not written its table yet.

    Only counts and names: the table's example values may hold respondent ids.
    """
    if not table_exists(path, "audit", "validation_results"):
        return None
    return query(
        path,
        """select suite, count(*) as expectations, count(*) filter (where success) as passed,
            count(*) filter (where not success) as failed
        from audit.validation_results where run_id = $run_id group by suite order by suite""",
        {"run_id": run_id},
    )


def validation_failures(path: Path, run_id: str) -> pd.DataFrame:
    return query(
        path,
        """select suite, expectation, table_name, column_name, unexpected_count
        from audit.validation_results where run_id = $run_id and not success order by suite, table_name""",
        {"run_id": run_id},
    )
