"""Shared fixtures: real builds of real exports into temporary warehouses."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import duckdb
import pytest

from pipeline.build import DBT_DIR, build
from tests.exports import SAMPLE_DIR, warehouse_copy_in

# pytest-xdist runs the tests in two processes (pyproject.toml): each gets its own dbt target folder, so that
# their builds run side by side instead of waiting on one dbt lock and re-parsing each other's project.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if _WORKER and "DBT_TARGET_PATH" not in os.environ:
    os.environ["DBT_TARGET_PATH"] = str(DBT_DIR / "target" / f"test-{_WORKER}")


@pytest.fixture(autouse=True)
def _main_module_restored():
    """Streamlit's AppTest runs a page as ``sys.modules["__main__"]`` and leaves it there; a build started later in
    the same test process would spawn its workers importing that page (:mod:`pipeline.workers`)."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample, built once per test session with the full pipeline."""
    warehouse = tmp_path_factory.mktemp("sample") / "survey.duckdb"
    build(SAMPLE_DIR, warehouse, log=lambda _msg: None)
    return warehouse


@pytest.fixture()
def sample_con(sample_warehouse: Path):
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    yield con
    con.close()


@pytest.fixture()
def published_copy(sample_warehouse: Path, tmp_path: Path) -> Path:
    """A published warehouse of its own (a copy of the session's sample build), for builds that must fail."""
    return warehouse_copy_in(tmp_path / "wh", sample_warehouse)
