"""Write-audit-publish: the published warehouse is replaced whole, and only by a build that passed."""

from __future__ import annotations

import hashlib
import multiprocessing
import subprocess
import sys
import types
from pathlib import Path

import duckdb
import pytest

from ingest.errors import ExportError
from pipeline import build as build_module
from pipeline.build import build
from pipeline.workers import WorkerDied
from tests.exports import (
    PROJECT_DIR,
    REPORT_WAVE,
    cleaning_reasons,
    read_export,
    sample_copy,
    sample_exports,
    sample_kept,
    write_export,
)

MART_TABLES = (
    "respondents",
    "respondent_exclusions",
    "respondent_places",
    "respondent_sites",
    "respondent_scales",
    "respondent_choices",
)


def _quiet(_msg: str) -> None:
    pass


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _mart_digest(warehouse: Path, wave: str | None = None) -> dict[str, str]:
    """Content of every mart, order-independent, as one hash per table."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        where = f"where wave = '{wave}'" if wave else ""
        return {
            t: con.execute(
                f"select md5(string_agg(r, '\n' order by r)) "
                f"from (select cast(t as varchar) as r from marts.{t} t {where})"
            ).fetchone()[0]
            for t in MART_TABLES
        }
    finally:
        con.close()


def _leftovers(warehouse: Path) -> list[str]:
    """Build files or write-ahead logs left beside the warehouse."""
    return sorted(p.name for p in warehouse.parent.iterdir() if p.name.startswith(".build-") or p.suffix == ".wal")


@pytest.fixture()
def published(published_copy: Path) -> Path:
    """A warehouse published from the bundled sample, in a folder of its own (a copy of the session's build: the
    build these tests run is the one they make on top of it)."""
    return published_copy


def _accounting(con: duckdb.DuckDBPyConnection, wave: str) -> tuple[int, int, int, int, int]:
    """A wave's connections: (loaded, kept, excluded, rejected by the parser, exclusions without a reason)."""
    return con.execute(
        """select (select count(*) from raw.responses where wave = $w),
                  (select count(*) from marts.respondents where wave = $w),
                  (select count(*) from marts.respondent_exclusions where wave = $w),
                  (select count(*) from raw.rejected_rows where wave = $w),
                  (select count(*) from marts.respondent_exclusions
                   where wave = $w and (reason_code is null or reason_fr is null))""",
        {"w": wave},
    ).fetchone()


def test_sample_keeps_178_and_accounts_for_every_connection(sample_con) -> None:
    # The published report's wave: 250 connections, 178 respondents, 72 exclusions, each with its reason.
    assert _accounting(sample_con, REPORT_WAVE) == (250, 178, 72, 0, 0)
    # Every wave of the bundled sample: each record of its file is kept or excluded for the reason the
    # cleaning rules give it (computed here from the file), never lost.
    exports = sample_exports()
    waves = {w for (w,) in sample_con.execute("select distinct wave from raw.responses").fetchall()}
    assert waves == set(exports) and len(waves) > 1
    for wave, path in exports.items():
        expected = cleaning_reasons(read_export(path), wave)
        loaded, kept, excluded, rejected, unexplained = _accounting(sample_con, wave)
        assert (loaded, rejected, unexplained) == (len(expected), 0, 0), wave
        assert kept + excluded == loaded and kept == (expected == "").sum(), wave
        reasons = dict(
            sample_con.execute(
                "select reason_code, count(*) from marts.respondent_exclusions where wave = ? group by all", [wave]
            ).fetchall()
        )
        assert reasons == expected[expected != ""].value_counts().to_dict(), wave


def test_respondent_id_is_pseudonymous(sample_con) -> None:
    ids = dict(
        sample_con.execute("select wave, list(respondent_id) from marts.respondents group by wave").fetchall()
    )
    assert len(set(ids[REPORT_WAVE])) == 178
    assert {w: len(set(i)) for w, i in ids.items()} == sample_kept()
    every_id = [i for wave_ids in ids.values() for i in wave_ids]
    assert len(set(every_id)) == len(every_id)  # unique across waves, though response ids restart in each export
    export_ids = {i for path in sample_exports().values() for i in read_export(path)["id"]}
    assert not set(every_id) & export_ids


def _broken_missing_column(folder: Path) -> str:
    write_export(read_export().drop(columns=["Q02[SQ003]"]), folder / "responses_2023.csv")
    return "responses_2023.csv, column 'Q02[SQ003]'"


def _broken_encoding(folder: Path) -> str:
    write_export(read_export(), folder / "responses_2023.csv", encoding="utf-16")
    return "responses_2023.csv: text encoding not supported"


def _broken_unreadable(folder: Path) -> str:
    (folder / "responses_2023.csv").unlink()
    (folder / "responses_2023.xlsx").write_bytes(b"\x00\x01 not a workbook")
    manifest = folder / "manifest.csv"  # the manifest names the workbook, as it would after a re-export
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("responses_2023.csv,", "responses_2023.xlsx,"))
    return "responses_2023.xlsx: not a readable XLSX"


@pytest.mark.parametrize("breakage", [_broken_missing_column, _broken_encoding, _broken_unreadable])
def test_bad_export_fails_and_leaves_published_warehouse_byte_identical(
    published: Path, tmp_path: Path, breakage
) -> None:
    before = _sha(published)
    raw = sample_copy(tmp_path / "bad")  # the 2023 export broken beside the sample's other waves
    said = breakage(raw)
    with pytest.raises(ExportError) as err:
        build(raw, published, log=_quiet)
    assert said in str(err.value)
    assert _sha(published) == before
    assert _leftovers(published) == []


def test_cli_build_says_what_is_wrong_and_exits_non_zero(published: Path, tmp_path: Path) -> None:
    before = _sha(published)
    raw = sample_copy(tmp_path / "bad")
    _broken_missing_column(raw)
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", "build", "--raw-dir", str(raw), "--warehouse", str(published)],
        capture_output=True,
        text=True,
        cwd=PROJECT_DIR,
    )
    assert proc.returncode == 2
    assert "Q02[SQ003]" in proc.stderr and "left unchanged" in proc.stderr and "Traceback" not in proc.stderr
    assert _sha(published) == before


def test_stage_killed_midway_leaves_published_warehouse_and_no_partial_file(
    published: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _sha(published)

    def interrupted(ctx: build_module.BuildContext) -> None:
        raise KeyboardInterrupt  # what Ctrl-C or a kill during dbt looks like to the build

    monkeypatch.setattr(build_module, "run_dbt", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(sample_copy(tmp_path / "raw"), published, log=_quiet)
    assert _sha(published) == before
    assert _leftovers(published) == []


def test_building_twice_gives_identical_marts(published: Path, tmp_path: Path) -> None:
    first = _mart_digest(published)
    build(sample_copy(tmp_path / "again"), published, log=_quiet)
    assert _mart_digest(published) == first
    assert multiprocessing.active_children() == []  # the checks and stats workers are gone with the build
    assert not published.with_name(published.name + ".wal").exists()


def test_a_worker_that_cannot_start_fails_the_build_instead_of_waiting_for_ever(
    published: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checks and stats workers are spawned, so each first imports the main module of the program running the
    build. One that exits on import (as a Streamlit page did, left as __main__ by a test) kills the workers at start:
    the build stops naming it and publishes nothing (a multiprocessing Pool would start new workers for ever)."""
    script = tmp_path / "exits_on_import.py"
    script.write_text("import sys\n\nsys.exit(1)\n")
    main = types.ModuleType("__main__")
    main.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", main)
    before = _sha(published)
    with pytest.raises(WorkerDied, match="exits_on_import.py"):
        build(sample_copy(tmp_path / "raw"), published, log=_quiet)
    assert _sha(published) == before
    assert _leftovers(published) == []
    assert multiprocessing.active_children() == []


def test_second_wave_adds_its_rows_and_leaves_first_wave_unchanged(published: Path, tmp_path: Path) -> None:
    first = _mart_digest(published, wave="2023")
    raw = sample_copy(tmp_path / "two_waves", waves=(REPORT_WAVE,))
    second = read_export()
    second["startlanguage"] = "fr-FR"  # another export of the same answers: different bytes, same questionnaire
    # A regional re-run of the 2023 questionnaire: a wave of its own, in the 2023 edition by its dates.
    write_export(second, raw / "responses_2023b.csv")
    (raw / "manifest.csv").write_text(
        "file,wave,fieldwork_start,fieldwork_end,min_respondents,max_respondents,min_eadmin,max_eadmin\n"
        "responses_2023.csv,2023,,,,,,\n"
        "responses_2023b.csv,2023b,2023-02-28,2023-03-20,178,178,155,155\n",
        encoding="utf-8",
    )
    build(raw, published, log=_quiet)
    con = duckdb.connect(str(published), read_only=True)
    counts = dict(con.execute("select wave, count(*) from marts.respondents group by wave").fetchall())
    raw_counts = dict(con.execute("select wave, count(*) from raw.responses group by wave").fetchall())
    con.close()
    assert counts == {"2023": 178, "2023b": 178}
    assert raw_counts == {"2023": 250, "2023b": 250}
    assert _mart_digest(published, wave="2023") == first


def test_reader_holding_the_warehouse_open_does_not_block_a_build(published: Path, tmp_path: Path) -> None:
    reader = duckdb.connect(str(published), read_only=True)
    old_run = reader.execute("select max(run_id) from audit.builds").fetchone()[0]
    build(sample_copy(tmp_path / "raw"), published, log=_quiet)
    # The open reader keeps its consistent snapshot of the old file …
    assert reader.execute("select count(*) from marts.respondents where wave = '2023'").fetchone()[0] == 178
    assert dict(reader.execute("select wave, count(*) from marts.respondents group by wave").fetchall()) == (
        sample_kept()
    )
    assert reader.execute("select max(run_id) from audit.builds").fetchone()[0] == old_run
    reader.close()
    # … and a new connection sees the new build.
    fresh = duckdb.connect(str(published), read_only=True)
    assert fresh.execute("select max(run_id) from audit.builds").fetchone()[0] != old_run
    fresh.close()


def test_reader_in_another_process_during_build(published: Path, tmp_path: Path) -> None:
    count = "select string_agg(wave || ':' || n, ' ' order by wave) from (select wave, count(*) as n from " \
        "marts.respondents group by wave)"
    code = (
        "import duckdb, sys, time\n"
        f"con = duckdb.connect({str(published)!r}, read_only=True)\n"
        f"print(con.execute({count!r}).fetchone()[0], flush=True)\n"
        "sys.stdin.readline()\n"
        f"print(con.execute({count!r}).fetchone()[0], flush=True)\n"
    )
    counts = " ".join(f"{wave}:{n}" for wave, n in sorted(sample_kept().items()))
    assert "2023:178" in counts.split()
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == counts
        build(sample_copy(tmp_path / "raw"), published, log=_quiet)
        proc.stdin.write("\n")
        proc.stdin.flush()
        assert proc.stdout.readline().strip() == counts
    finally:
        proc.communicate(timeout=30)
    assert proc.returncode == 0


def test_make_sql_opens_the_warehouse_read_only(published: Path) -> None:
    proc = subprocess.run(
        ["make", "--no-print-directory", "sql", f"WAREHOUSE={published}"],
        input="select count(*) as n from marts.respondents where wave = '2023';\n"
        "create table marts.scratch (a int);\n",
        capture_output=True,
        text=True,
        cwd=PROJECT_DIR,
        timeout=120,
    )
    assert "178" in proc.stdout
    assert "read-only" in (proc.stdout + proc.stderr).lower()
    con = duckdb.connect(str(published), read_only=True)
    assert con.execute("select count(*) from duckdb_tables() where table_name = 'scratch'").fetchone()[0] == 0
    con.close()


def test_every_view_of_the_published_warehouse_can_be_queried(sample_con) -> None:
    """Views name their database; a build file named otherwise than the published one would break them."""
    views = sample_con.execute(
        "select schema_name, view_name from duckdb_views() where not internal and schema_name <> 'information_schema'"
    ).fetchall()
    assert len(views) >= 5
    for schema, view in views:
        sample_con.execute(f'select count(*) from "{schema}"."{view}"').fetchone()


def test_every_model_and_column_is_described_in_the_catalogue(sample_con) -> None:
    """dbt descriptions and codebook wording land in DuckDB's catalogue: the analysts' data dictionary."""
    schemas = ("codebook", "staging", "intermediate", "marts", "report")
    undocumented = sample_con.execute(
        f"""select schema_name || '.' || table_name || '.' || column_name from duckdb_columns()
            where schema_name in {schemas} and (comment is null or comment = '')"""
    ).fetchall()
    tables = sample_con.execute(
        f"""select schema_name || '.' || table_name from duckdb_tables() where schema_name in {schemas}
              and (comment is null or comment = '')
            union all
            select schema_name || '.' || view_name from duckdb_views() where schema_name in {schemas}
              and (comment is null or comment = '')"""
    ).fetchall()
    assert undocumented == [] and tables == []


LONG_VIEW_KEYS = {
    "respondent_places": ("place_code",),
    "respondent_sites": ("site_code",),
    "respondent_scales": ("question_code", "item_code"),
    "respondent_choices": ("question_code", "item_code"),
    "answers": ("question_code", "item_code"),
}


def test_long_mart_views_have_one_row_per_kept_respondent_and_item(sample_con) -> None:
    """The long marts are views, left out of the build's structure checks: their keys are asserted here."""
    views = {
        r[0]
        for r in sample_con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' and table_type = 'VIEW'"
        ).fetchall()
    }
    assert views == set(LONG_VIEW_KEYS)
    for view, parts in LONG_VIEW_KEYS.items():
        key = ", ".join(("respondent_id", *parts))
        rows, keys, orphans, nulls = sample_con.execute(
            f"""select count(*), count(distinct ({key})),
                       count(*) filter (where respondent_id not in (select respondent_id from marts.respondents)),
                       count(*) filter (where {" or ".join(f"{c} is null" for c in ("respondent_id", *parts))})
                from marts.{view}"""
        ).fetchone()
        assert rows > sum(sample_kept().values()) and rows == keys and orphans == 0 and nulls == 0, view
