"""The published warehouse an export reads: opened read-only, checked to hold what is exported, and described.

Read-only because the export must never change what the app and other readers see (a build publishes by
swapping the file, so reading the published path is safe while a build runs). The description (the build's
run id and time, the waves in fieldwork order) goes into every file written, so that an export always says
which build it was cut from; the build's time also stands in for "now" wherever a format stores a date, which
makes two exports of one build identical.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from export.errors import CannotExport

#: What an export reads; a warehouse built before these existed cannot be exported.
REQUIRED_RELATIONS: tuple[tuple[str, str], ...] = (
    ("marts", "respondents_wide"),
    ("marts", "answers"),
    ("staging", "stg_codebook__variables"),
    ("staging", "stg_codebook__questions"),
    ("staging", "stg_codebook__labels_by_wave"),
    ("staging", "stg_codebook__wave_order"),
    ("codebook", "codebook_choices"),
    ("audit", "builds"),
)


@dataclass(frozen=True)
class Source:
    """The build an export is cut from and the waves it covers (fieldwork order)."""

    path: Path
    run_id: str
    finished_at: dt.datetime
    waves: tuple[str, ...]
    all_waves: tuple[str, ...]


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published warehouse, or :class:`CannotExport` saying how to get one."""
    if not path.is_file():
        raise CannotExport(f"no warehouse at {path}: run 'make build' first (or set WAREHOUSE=<file>)")
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise CannotExport(f"{path} cannot be opened as a warehouse: {str(exc).splitlines()[0]}") from None
    present = set(con.execute("select schema_name, table_name from duckdb_tables() "
                              "union all select schema_name, view_name from duckdb_views()").fetchall())
    missing = [f"{s}.{t}" for s, t in REQUIRED_RELATIONS if (s, t) not in present]
    if missing:
        con.close()
        raise CannotExport(f"{path} has no {', '.join(missing)}: it was built by an older version; run 'make build'")
    for schema, name in REQUIRED_RELATIONS:
        try:
            con.execute(f'select * from "{schema}"."{name}" limit 0')
        except duckdb.Error as exc:
            con.close()
            # dbt's views name the database after the file the build wrote: a renamed copy cannot resolve them
            raise CannotExport(
                f"{path}: {schema}.{name} cannot be read ({str(exc).splitlines()[0]}); a warehouse must keep the "
                "file name it was built under"
            ) from None
    return con


def describe(con: duckdb.DuckDBPyConnection, path: Path, wave: str | None) -> Source:
    """The build behind ``con`` and the waves to export: ``wave`` alone, or every wave of the data."""
    row = con.execute(
        "select run_id, coalesce(finished_at, started_at) from audit.builds "
        "order by coalesce(finished_at, started_at) desc, run_id desc limit 1"
    ).fetchone()
    if row is None:
        raise CannotExport(f"{path} records no build (audit.builds is empty): run 'make build'")
    all_waves = tuple(w for (w,) in con.execute(
        "select d.wave from (select distinct wave from marts.respondents_wide) as d "
        "left join staging.stg_codebook__wave_order as o using (wave) order by o.wave_order nulls last, d.wave"
    ).fetchall())
    if wave is not None and wave not in all_waves:
        known = ", ".join(all_waves) or "none"
        raise CannotExport(f"wave {wave!r} is not in {path} (waves: {known})")
    waves = (wave,) if wave is not None else all_waves
    return Source(path=path, run_id=str(row[0]), finished_at=row[1].replace(microsecond=0), waves=waves,
                  all_waves=all_waves)
