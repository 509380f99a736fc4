"""``python -m stats`` against a build that publishes while it runs: the newer build must win.

The stats command recomputes a copy of the published warehouse and swaps it
in; if a build published in between, swapping the copy in would silently put
back the older data. :func:`pipeline.publish.publish` takes the identity of
the file the copy was made from and refuses when the published file is no
longer that one.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import duckdb
import pytest

import stats.__main__ as stats_main
from pipeline.publish import BUILD_PREFIX, PublishConflict, identity, new_build_path, publish


def make_db(path: Path, value: int) -> Path:
    con = duckdb.connect(str(path))
    try:
        con.execute("CREATE TABLE t AS SELECT ? AS v", [value])
    finally:
        con.close()
    return path


def value(path: Path) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("SELECT v FROM t").fetchone()[0]
    finally:
        con.close()


def test_publish_refuses_when_a_build_replaced_the_file_since_it_was_copied(tmp_path):
    warehouse = make_db(tmp_path / "survey.duckdb", 1)
    started = identity(os.stat(warehouse))
    os.replace(make_db(tmp_path / "newer.duckdb", 2), warehouse)  # a build publishes meanwhile
    work = make_db(new_build_path(warehouse), 3)
    with pytest.raises(PublishConflict, match="changed since it was copied"):
        publish(work, warehouse, expected=started)
    assert value(warehouse) == 2
    assert work.exists()  # the caller decides what to do with its copy


def test_publish_refuses_when_the_file_was_written_in_place(tmp_path):
    warehouse = make_db(tmp_path / "survey.duckdb", 1)
    started = identity(os.stat(warehouse))
    time.sleep(0.05)  # past the file system's timestamp granularity
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("UPDATE t SET v = 5")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    assert identity(os.stat(warehouse))[0] == started[0]  # same inode, new modification time
    with pytest.raises(PublishConflict):
        publish(make_db(new_build_path(warehouse), 3), warehouse, expected=started)
    assert value(warehouse) == 5


def test_publish_swaps_when_the_file_is_still_the_one_copied_or_when_no_guard_is_asked(tmp_path):
    warehouse = make_db(tmp_path / "survey.duckdb", 1)
    work = make_db(new_build_path(warehouse), 2)
    publish(work, warehouse, expected=identity(os.stat(warehouse)))
    assert value(warehouse) == 2 and not work.parent.exists()
    publish(make_db(new_build_path(warehouse), 3), warehouse)  # a build: always publishes
    assert value(warehouse) == 3


def test_stats_command_leaves_a_build_published_meanwhile_and_exits_non_zero(
    sample_warehouse, tmp_path, monkeypatch, capsys
):
    published = tmp_path / "survey.duckdb"
    shutil.copyfile(sample_warehouse, published)
    newer = tmp_path / "newer.duckdb"
    shutil.copyfile(sample_warehouse, newer)
    build_inode = os.stat(newer).st_ino

    def stats_while_a_build_publishes(db_path: Path, log) -> None:
        assert db_path != published and db_path.parent.name.startswith(BUILD_PREFIX)
        os.replace(newer, published)

    monkeypatch.setattr(stats_main, "run_stats", stats_while_a_build_publishes)
    code = stats_main.main(["--warehouse", str(published)])
    err = capsys.readouterr().err
    assert code == 3
    assert f"{published.resolve()} changed since it was copied" in err
    assert "copy was discarded" in err and "Traceback" not in err
    assert os.stat(published).st_ino == build_inode  # the build's file, not the stats copy
    assert sorted(p.name for p in tmp_path.iterdir()) == ["survey.duckdb"]
