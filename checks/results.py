"""What a run of the gate leaves behind: audit rows in the build file and a message for people.

``audit.validation_results`` holds one row per expectation and wave of the
run, so the published warehouse says what was checked and what was observed.
A failure message lists, per failed expectation, where to look (table,
column, question, wave), what was expected, what was observed and up to five
offending rows.
"""

from __future__ import annotations

import datetime as dt
import json

import duckdb

from checks.specs import Outcome
from checks.validate import text

AUDIT_TABLE = "audit.validation_results"


def _kwargs(outcome: Outcome) -> str:
    return json.dumps(outcome.check.kwargs, ensure_ascii=False, default=str)


def write_audit(con: duckdb.DuckDBPyConnection, run_id: str, outcomes: list[Outcome]) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS audit")
    con.execute(
        f"""CREATE TABLE IF NOT EXISTS {AUDIT_TABLE} (
  run_id VARCHAR, wave VARCHAR, suite VARCHAR, expectation VARCHAR, table_name VARCHAR, column_name VARCHAR,
  question_code VARCHAR, success BOOLEAN, observed_value VARCHAR, element_count BIGINT, unexpected_count BIGINT,
  unexpected_examples VARCHAR[], kwargs VARCHAR, description VARCHAR, gx_suite VARCHAR, validated_at TIMESTAMP)"""
    )
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con.executemany(
        f"INSERT INTO {AUDIT_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [
                run_id,
                o.target.wave,
                o.target.suite,
                o.check.expectation,
                o.check.table_name,
                o.check.column_name,
                o.check.question_code,
                o.success,
                o.observed_value,
                o.element_count,
                o.unexpected_count,
                o.examples,
                _kwargs(o),
                o.check.description,
                o.target.key,
                now,
            ]
            for o in outcomes
        ],
    )


def _expected(outcome: Outcome) -> str:
    shown = {k: v for k, v in outcome.check.kwargs.items() if k not in ("column", "value_set")}
    if "value_set" in outcome.check.kwargs:
        values = outcome.check.kwargs["value_set"]
        shown["value_set"] = values if len(values) <= 12 else f"{len(values)} values"
    return ", ".join(f"{k}={text(v)}" for k, v in shown.items())


def describe_failure(outcome: Outcome) -> str:
    c = outcome.check
    place = c.table_name + (f".{c.column_name}" if c.column_name else "")
    context = [f"suite {outcome.target.suite}"]
    if outcome.target.wave is not None:
        context.append(f"wave {outcome.target.wave}")
    lines = [
        f"- {place} ({', '.join(context)}): {c.expectation}({_expected(outcome)}) failed",
        f"    why: {c.description}",
        f"    observed: {outcome.observed_value}",
    ]
    if outcome.examples:
        lines.append("    offending rows: " + "; ".join(outcome.examples))
    return "\n".join(lines)


def failure_message(outcomes: list[Outcome], docs_index: str) -> str:
    failed = [o for o in outcomes if not o.success]
    head = (
        f"{len(failed)} of {len(outcomes)} data checks failed; nothing was published. "
        f"Fix the export (or the codebook) and rebuild. Details: {docs_index}"
    )
    return "\n".join([head, *(describe_failure(o) for o in failed)])
