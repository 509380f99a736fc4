"""Hostile input and faults: never an empty or phantom publish, every refusal a clear message, no hang.

Each refused case (``tests/hostile.py``) runs the build's own entry point against a published warehouse:
exit code, the message's key words and the file it names, no traceback, the published file byte-identical.
The cases that must build are built together, each as a wave of its own, and every raw record is accounted
for: records in the file = respondents + exclusions + rejected records. Builds killed with SIGKILL at
several stages leave the old warehouse or the new one, never a part, and the next build clears what they
left; two builds on one warehouse never both publish.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

import codebook
from pipeline.__main__ import main
from pipeline.publish import warehouse_lock
from samplegen.export import write_manifest
from tests.exports import PROJECT_DIR, SAMPLE_DIR, manifest_row, sample_kept, sha256
from tests.hostile import REFUSED, Case, built_cases


def _build(raw: Path, warehouse: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["build", "--raw-dir", str(raw), "--warehouse", str(warehouse)])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_the_corpus_covers_at_least_sixty_cases() -> None:
    assert len(REFUSED) + len(built_cases()) >= 60
    assert len({c.name for c in REFUSED} | {n for n, _ in built_cases()}) == len(REFUSED) + len(built_cases())


@pytest.mark.parametrize("case", REFUSED, ids=[c.name for c in REFUSED])
def test_hostile_input_is_refused_clearly_and_changes_nothing(
    case: Case, published_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    case.write(raw)
    before = sha256(published_copy)
    code, text = _build(raw, published_copy, capsys)
    assert code == case.exit_code, text
    assert "Traceback" not in text and "left unchanged" in text
    for words in case.words + ((case.names,) if case.names else ()):
        assert words in text, f"{words!r} not in {text}"
    assert sha256(published_copy) == before
    assert not [p.name for p in published_copy.parent.iterdir() if p.name.startswith(".")]


def test_fifo_export_is_refused_within_a_second(tmp_path: Path, published_copy: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    os.mkfifo(raw / "responses_2023.csv")
    started = time.monotonic()
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            f"from ingest.manifest import discover; import sys; discover(__import__('pathlib').Path({str(raw)!r}))",
        ],
        capture_output=True,
        text=True,
        cwd=PROJECT_DIR,
        timeout=30,
    )
    assert time.monotonic() - started < 1.0 + 2.0  # the interpreter's own start-up, then at once
    assert "not a regular file" in proc.stderr


@pytest.fixture(scope="module")
def hostile_warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    """Every case that must build, each as a wave of its own, built once into a fresh warehouse."""
    root = tmp_path_factory.mktemp("hostile")
    raw = root / "raw"
    raw.mkdir()
    w = codebook.load().wave("2023")
    files: dict[str, Path] = {}
    rows = []
    for name, write in built_cases():
        path = write(raw)
        files[name] = path
        rows.append(manifest_row(path.name, f"h-{name}", w))
    write_manifest(raw / "manifest.csv", rows)
    warehouse = root / "wh" / "survey.duckdb"
    code = main(["build", "--raw-dir", str(raw), "--warehouse", str(warehouse)])
    assert code == 0
    return warehouse, files


def _records(path: Path) -> int:
    """Records of an export as Python's csv module reads it (independent of the build's DuckDB reader)."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    sep = max((";", ",", "\t"), key=text.splitlines()[0].count)
    return sum(1 for _ in csv.reader(text.splitlines()[1:], delimiter=sep))


@pytest.mark.parametrize("name", [n for n, _ in built_cases()])
def test_hostile_input_that_builds_accounts_for_every_record(
    name: str, hostile_warehouse: tuple[Path, dict[str, Path]]
) -> None:
    warehouse, files = hostile_warehouse
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        kept, excluded, rejected, loaded = con.execute(
            """select (select count(*) from marts.respondents where wave = $w),
                      (select count(*) from marts.respondent_exclusions where wave = $w),
                      (select count(*) from raw.rejected_rows where wave = $w),
                      (select rows_loaded from raw.files where wave = $w)""",
            {"w": f"h-{name}"},
        ).fetchone()
    finally:
        con.close()
    assert kept == 178
    assert _records(files[name]) == kept + excluded + rejected
    assert loaded == 250  # never a neighbour's rows (a file name is not a pattern)


def test_formula_in_free_text_stays_text_and_never_reaches_a_mart(
    hostile_warehouse: tuple[Path, dict[str, Path]],
) -> None:
    warehouse, _ = hostile_warehouse
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        raw_text = con.execute(
            "select post_title__other from raw.responses where wave = 'h-formula_in_free_text' and source_row = 1"
        ).fetchone()[0]
        free_text_columns = con.execute(
            "select count(*) from duckdb_columns() where schema_name in ('marts', 'report', 'stats') "
            "and column_name like '%\\_\\_other' escape '\\'"
        ).fetchone()[0]
    finally:
        con.close()
    assert raw_text.startswith("=HYPERLINK") and free_text_columns == 0


def _start_build(raw: Path, warehouse: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-u", "-m", "pipeline", "build", "--raw-dir", str(raw), "--warehouse", str(warehouse)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=PROJECT_DIR,
    )


def _second_build(warehouse: Path) -> subprocess.CompletedProcess[str]:
    """A build of the sample started while another holds the warehouse."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "build", "--warehouse", str(warehouse)],
        capture_output=True,
        text=True,
        cwd=PROJECT_DIR,
        timeout=60,
    )


def _wait_for(proc: subprocess.Popen[str], line_start: str, timeout: float = 120) -> list[str]:
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        if line.startswith(line_start):
            return seen
    raise AssertionError(f"{line_start!r} never came: {seen}")


def test_kill_at_any_stage_leaves_old_or_new_and_the_next_build_clears_up(published_copy: Path, tmp_path: Path) -> None:
    """SIGKILL during dbt, and during the checks and the stats (side by side in their worker processes): the
    published file stays the old one, byte for byte;
    while a build runs, a second one on the same warehouse is refused (exit 3); the next build removes the
    killed builds' folders (found by the locks they no longer hold, not by process ids) and publishes."""
    before = sha256(published_copy)
    for stage in ("build: dbt", "build: checks and stats"):
        proc = _start_build(SAMPLE_DIR, published_copy)
        _wait_for(proc, stage)
        if stage == "build: dbt":
            second = _second_build(published_copy)
            assert second.returncode == 3 and "another build is running" in second.stderr
            assert "published" not in second.stdout
        time.sleep(0.5)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert sha256(published_copy) == before
        # Each killed build leaves its folder; each next build has removed the one before.
        leftovers = [p.name for p in published_copy.parent.iterdir() if p.name.startswith(".build-")]
        assert leftovers == [f".build-{proc.pid}"]
    proc = _start_build(SAMPLE_DIR, published_copy)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0 and out.count("build: published") == 1, out
    assert not [p.name for p in published_copy.parent.iterdir() if p.name.startswith((".build-", ".data_docs-"))]
    con = duckdb.connect(str(published_copy), read_only=True)
    try:
        assert con.execute("select count(*) from marts.respondents where wave = '2023'").fetchone()[0] == 178
        kept = dict(con.execute("select wave, count(*) from marts.respondents group by wave").fetchall())
    finally:
        con.close()
    assert kept == sample_kept()  # every wave of the sample, published whole


def test_a_build_waiting_on_a_held_lock_is_refused_with_exit_3(
    published_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sha256(published_copy)
    with warehouse_lock(published_copy):
        code = _second_build(published_copy)
    assert code.returncode == 3 and "another build is running" in code.stderr
    assert sha256(published_copy) == before


def test_warehouse_under_a_file_is_an_environment_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "not_a_folder").write_text("x")
    code, text = _build(SAMPLE_DIR, tmp_path / "not_a_folder" / "survey.duckdb", capsys)
    assert code == 3 and "not_a_folder" in text and "Traceback" not in text


def test_full_disk_is_an_environment_error_said_in_one_line(tmp_path: Path) -> None:
    """A warehouse folder on a 4 MB file system (tmpfs, mounted by the test: CI runs as root): the build
    runs out of space, exits 3 naming it, prints no traceback, publishes nothing and leaves no build folder."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4M", "tmpfs", str(disk)], capture_output=True)
    assert mounted.returncode == 0, f"cannot mount a small file system here: {mounted.stderr!r}"
    try:
        warehouse = disk / "wh" / "survey.duckdb"
        proc = subprocess.run(
            [sys.executable, "-m", "pipeline", "build", "--warehouse", str(warehouse)],
            capture_output=True,
            text=True,
            cwd=PROJECT_DIR,
            timeout=300,
        )
        assert proc.returncode == 3, proc.stderr[-2000:]
        assert "no space left on the device" in proc.stderr.lower() and "left unchanged" in proc.stderr
        assert "Traceback" not in proc.stderr + proc.stdout
        assert not warehouse.exists()
        assert not [p.name for p in warehouse.parent.iterdir() if p.name.startswith((".build-", ".data_docs-"))]
    finally:
        subprocess.run(["umount", str(disk)], check=True)
