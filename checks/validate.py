"""Run the checks with Great Expectations on pandas frames, and render its Data Docs.

GX is imported here only, when the gate runs: it takes seconds to import and
the app or ``import checks`` must not pay for it. At GX 1.24 its SQL datasource
over duckdb_engine errors on every expectation, so the frames are read from
DuckDB first and validated with GX's pandas engine. Most frames are counted
(one row per distinct value and its number of rows, see
``checks.frames.counted``): results are reported in warehouse rows. The context is ephemeral
(stores in memory, no analytics, no progress bars); the only thing it writes is
the Data Docs site, built into a fresh folder that then replaces the previous
one, so that the site shows one run.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import shutil
import warnings
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from checks.specs import ROW_COUNT, Check, Outcome, Target
from pipeline.publish import hold_folder, release_folder

#: How many offending rows a failure shows (and the audit keeps).
EXAMPLES = 5
#: How many offending rows GX keeps per expectation (its Data Docs show them).
PARTIAL = 20
DOCS_DIR_NAME = "data_docs"


def _context(site_dir: Path) -> Any:
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
        data_docs_sites={
            "local_site": {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(site_dir)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        },
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def _expectation(check: Check, index: int) -> Any:
    from great_expectations.expectations.registry import get_expectation_impl

    return get_expectation_impl(check.expectation)(
        **check.kwargs,
        notes=check.description,
        meta={
            "check_index": index,
            "table": check.table_name,
            "column": check.column_name,
            "question": check.question_code,
        },
    )


def validate(targets: Iterable[Target], site_dir: Path, run_name: str) -> list[Outcome]:
    """Validate every target and build the Data Docs site in ``site_dir`` (replaced whole)."""
    os.environ["GX_ANALYTICS_ENABLED"] = "False"
    # GX logs its own tracebacks (at ERROR) when Data Docs cannot be written, e.g. on a full disk: the build
    # reports that failure itself, in one line, so GX says nothing.
    logging.getLogger("great_expectations").setLevel(logging.CRITICAL + 1)
    with warnings.catch_warnings():
        # GX 1.24 imports the deprecated sre_* modules; nothing the build can act on.
        warnings.simplefilter("ignore", DeprecationWarning)
        import great_expectations as gx
        from great_expectations.core.run_identifier import RunIdentifier

    building = hold_folder(site_dir.with_name(f".{site_dir.name}-{os.getpid()}"))
    context = _context(building)
    source = context.data_sources.add_pandas("warehouse")
    run_id = RunIdentifier(run_name=run_name, run_time=dt.datetime.now(dt.UTC))
    outcomes: list[Outcome] = []
    for target in targets:
        if not target.checks:
            continue
        batch = source.add_dataframe_asset(target.key).add_batch_definition_whole_dataframe("whole")
        suite = context.suites.add(
            gx.ExpectationSuite(name=target.key, expectations=[_expectation(c, i) for i, c in enumerate(target.checks)])
        )
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=target.key, data=batch, suite=suite)
        )
        result = definition.run(
            batch_parameters={"dataframe": target.frame},
            result_format=_result_format(target),
            run_id=run_id,
        )
        by_index = {r.expectation_config.meta["check_index"]: r for r in result.results}
        outcomes += [_outcome(target, check, by_index[i]) for i, check in enumerate(target.checks)]
    try:
        context.build_data_docs()
        _swap(building, site_dir)
    finally:
        release_folder(building)
    return outcomes


def _result_format(target: Target) -> dict[str, Any]:
    if target.counted:
        # Every unexpected value of a counted frame (a few at most), with its row count.
        return {"result_format": "COMPLETE", "unexpected_index_column_names": ["column", ROW_COUNT]}
    return {
        "result_format": "SUMMARY",
        "partial_unexpected_count": PARTIAL,
        "unexpected_index_column_names": list(target.id_columns),
    }


def _swap(new: Path, site_dir: Path) -> None:
    """Replace the previous site with the new one (rename, then remove the old)."""
    old = site_dir.with_name(f".{site_dir.name}-old-{os.getpid()}")
    if site_dir.exists():
        os.replace(site_dir, old)
    os.replace(new, site_dir)
    shutil.rmtree(old, ignore_errors=True)


def _counted_values(check: Check, info: dict[str, Any]) -> tuple[list[tuple[str, Any]], int, list[dict[str, Any]]]:
    """Unexpected (column, value) pairs of a counted frame, their rows, and the rows per value
    (most frequent first, as GX counts them on a frame of rows)."""
    column = check.kwargs["column"]
    entries = info.get("unexpected_index_list") or []
    pairs = [(e["column"], _plain(e[column])) for e in entries]
    per_value: Counter[Any] = Counter()
    for (_, value), entry in zip(pairs, entries, strict=True):
        per_value[value] += int(entry[ROW_COUNT])
    counts = [{"value": v, "count": n} for v, n in per_value.most_common(PARTIAL)]
    try:
        counts.sort(key=lambda c: (-c["count"], c["value"]))
    except TypeError:
        counts.sort(key=lambda c: -c["count"])
    return pairs, sum(per_value.values()), counts


def _outcome(target: Target, check: Check, result: Any) -> Outcome:
    info = result.result or {}
    exception = result.exception_info or {}
    error = exception.get("exception_message") if exception.get("raised_exception") else None
    unexpected = info.get("unexpected_count")
    rows_checked = target.rows_checked(check)
    pairs: list[tuple[str, Any]] = []
    value_counts = info.get("partial_unexpected_counts") or []
    if target.counted and unexpected is not None:
        pairs, unexpected, value_counts = _counted_values(check, info)
    if "observed_value" in info:
        observed = text(info["observed_value"])
    elif unexpected is not None:
        values = [f"{text(v['value'])} ×{v['count']}" for v in value_counts]
        observed = f"{unexpected} unexpected of {rows_checked} rows"
        if values:
            observed += ": " + ", ".join(values[:EXAMPLES]) + (", …" if len(values) > EXAMPLES else "")
    else:
        observed = None
    rows = info.get("partial_unexpected_index_list") or []
    return Outcome(
        target=target,
        check=check,
        success=bool(result.success),
        observed_value=observed if error is None else f"error: {error}",
        element_count=rows_checked,
        unexpected_count=unexpected,
        # Counted frames: the gate looks the offending rows up in the warehouse (checks.gate).
        examples=[] if target.counted else [row_text(row, target) for row in rows[:EXAMPLES]],
        error=error,
        unexpected_values=pairs,
    )


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value DuckDB binds."""
    return value.item() if hasattr(value, "item") and not isinstance(value, str) else value


def text(value: Any) -> str:
    """A value as a person reads it: 11 rather than 11.0 or np.float64(11.0), text quoted."""
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "NULL"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(text(v) for v in value) + "]"
    if isinstance(value, tuple):
        return "(" + ", ".join(text(v) for v in value) + ")"
    return str(value)


def row_text(row: dict[str, Any], target: Target) -> str:
    """One offending row: its checked value(s), then where to find it."""
    ids = set(target.id_columns)
    values = [f"{k}={text(v)}" if len(row) - len(ids) > 1 else text(v) for k, v in row.items() if k not in ids]
    where = []
    for column in target.id_columns:
        if column not in row or column == "source_file":
            continue
        if column == "source_row" and "source_file" in row:
            where.append(f"{row['source_file']} row {text(row[column])}")
        elif column == "response_id":
            where.append(f"id {row[column]}")
        elif column == "respondent_id":
            where.append(f"respondent {row[column]}")
        elif column == "column":
            where.append(f"column {row[column]}")
        else:
            where.append(f"{column} {text(row[column])}")
    value = ", ".join(values) if values else "row"
    return f"{value} ({'; '.join(where)})" if where else value
