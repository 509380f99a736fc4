"""Shared fixtures: real builds of real exports into temporary warehouses."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipeline.build import build
from tests.exports import SAMPLE_DIR


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
