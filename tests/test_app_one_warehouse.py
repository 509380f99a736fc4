"""One warehouse per page run: a publish during a render never gives a page (nor the cache) two builds.

The race is made deterministic by publishing (``os.replace``, as :func:`pipeline.publish.publish` does)
between two queries of the same run. A run is what :mod:`app.main` does per page: queries, then
:func:`app.db.close_run_connection`. Outside Streamlit the run is pinned by its first query; ``main.py``
pins it explicitly with :func:`app.db.pin_run`, tested on its own below. Each "figure" is a query of its
own (its own cache entry), like the figures of a page.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pytest

from app import db

OLD, NEW = "old", "new"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    db._cached_query.clear()
    yield
    db.close_run_connection()
    db._cached_query.clear()


def _build(folder: Path, value: str) -> Path:
    """A tiny warehouse under the published name whose every figure reads ``value``; its view names the
    catalog, as dbt's views do, so it only works if the app's connection names it like the file."""
    folder.mkdir(parents=True)
    path = folder / "survey.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create table t (v varchar)")
    con.execute("insert into t values (?)", [value])
    con.execute("create view figure as select v from survey.main.t")
    con.close()
    return path


@pytest.fixture()
def published(tmp_path: Path) -> Path:
    return shutil.move(_build(tmp_path / "wh", OLD), tmp_path / "survey.duckdb")


@pytest.fixture()
def new_build(tmp_path: Path) -> Path:
    return _build(tmp_path / ".build-1", NEW)


def _figure(path: Path, n: int) -> str:
    return db.query(path, "select v, $n as figure from figure", {"n": n})["v"].iloc[0]


def _page(path: Path, figures: range) -> list[str]:
    """One page run: its figures, then the end of the run (as ``main.py``'s ``finally``)."""
    try:
        return [_figure(path, n) for n in figures]
    finally:
        db.close_run_connection()


@pytest.mark.parametrize("seen_before", [False, True], ids=["first-figures-uncached", "first-figures-cached"])
def test_a_publish_during_a_render_never_yields_a_page_mixing_two_builds(
    published: Path, new_build: Path, seen_before: bool
) -> None:
    if seen_before:  # an earlier session showed figures 1-2 of the old build: they come from the cache
        assert _page(published, range(1, 3)) == [OLD, OLD]
    try:
        shown = [_figure(published, 1), _figure(published, 2)]
        os.replace(new_build, published)  # `make build` publishes mid-render
        shown += [_figure(published, n) for n in range(3, 7)]
    finally:
        db.close_run_connection()
    assert shown == [OLD] * 6
    # The next runs show the new build only: no row of the old file was cached under the new file's version.
    assert _page(published, range(1, 7)) == [NEW] * 6
    assert _page(published, range(1, 7)) == [NEW] * 6


def test_a_session_still_reading_the_old_build_does_not_give_it_to_a_new_run(published: Path, new_build: Path) -> None:
    """DuckDB shares a database instance per path within a process: opening the path again while another
    session still has the old file open must still read the new file."""
    with ThreadPoolExecutor(max_workers=1) as other_session:  # one thread: one session's run across calls
        assert other_session.submit(_figure, published, 1).result() == OLD
        os.replace(new_build, published)
        assert _page(published, range(1, 7)) == [NEW] * 6
        assert other_session.submit(_figure, published, 2).result() == OLD  # its page stays on the old build
        other_session.submit(db.close_run_connection).result()
    assert _page(published, range(1, 7)) == [NEW] * 6


def test_pin_run_fixes_the_version_of_the_file_its_connection_reads(
    published: Path, new_build: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A publish that lands while the run's connection is being opened: which file was opened is unknown,
    so the run opens again and pins the file it then reads."""
    real_open, opened = db._open, []

    def open_then_publish(path: Path) -> duckdb.DuckDBPyConnection:
        con = real_open(path)
        if not opened:
            os.replace(new_build, published)
        opened.append(path)
        return con

    monkeypatch.setattr(db, "_open", open_then_publish)
    version = db.pin_run(published)
    assert len(opened) == 2 and version == db.file_version(published)
    shown = [_figure(published, n) for n in range(1, 7)]
    assert shown == [NEW] * 6


def test_pin_run_gives_up_if_every_open_races_a_publish(
    published: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = db._open

    def open_then_publish(path: Path) -> duckdb.DuckDBPyConnection:
        con = real_open(path)
        fresh = tmp_path / "next.duckdb"
        shutil.copyfile(path, fresh)  # a new inode each time
        os.replace(fresh, path)
        return con

    monkeypatch.setattr(db, "_open", open_then_publish)
    with pytest.raises(db.WarehouseUnstable):
        db.pin_run(published)


def test_a_run_reads_one_version_until_it_is_closed_and_pin_run_starts_a_new_one(
    published: Path, new_build: Path
) -> None:
    version = db.pin_run(published)
    os.replace(new_build, published)
    assert _figure(published, 1) == OLD and db.file_version(published) != version
    assert db.pin_run(published) == db.file_version(published)  # the next page's run
    assert _figure(published, 1) == NEW


def test_pin_run_reports_a_missing_warehouse(tmp_path: Path) -> None:
    with pytest.raises(db.WarehouseMissing):
        db.pin_run(tmp_path / "survey.duckdb")
