"""Helpers shared by the app's tests: an AppTest factory on a warehouse, and readers of what a page shows.

(A module of the app's tests rather than a conftest, so that the app's test files stay self-contained.)
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable, Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from app import fmt, perturbation
from app.disclosure import Policy
from app.navigation import PAGES
from tests.exports import PROJECT_DIR

MAIN = PROJECT_DIR / "app" / "main.py"
ARTIFACTS = PROJECT_DIR / "tests" / "artifacts"
K = 5
TIMEOUT = 120


#: The sidebar's wave selector (the app opens on the latest wave).
WAVE_KEY = "filter_wave"


def app_factory(monkeypatch: pytest.MonkeyPatch, default_warehouse: Path) -> Callable[..., AppTest]:
    """A maker of AppTests of app/main.py on a warehouse (``default_warehouse`` unless told), on a given page,
    on a given wave (the app's default, the latest, unless told), opened at a given address."""

    def make(script: str | None = None, warehouse: Path | None = None, k: int | None = None,
             wave: str | None = None, address: dict[str, str] | None = None) -> AppTest:
        """``address``: the query parameters the app is opened with (``{"vague": "2023"}``)."""
        monkeypatch.setenv("SURVEY_WAREHOUSE", str(warehouse or default_warehouse))
        if k is None:
            monkeypatch.delenv("SURVEY_MIN_CELL", raising=False)
        else:
            monkeypatch.setenv("SURVEY_MIN_CELL", str(k))
        at = AppTest.from_file(str(MAIN), default_timeout=TIMEOUT)
        for name, value in (address or {}).items():
            at.query_params[name] = value
        at.run()
        if wave is not None:
            at.selectbox(key=WAVE_KEY).set_value(wave).run()
            assert shown_wave(at) == wave
        if script is not None:
            at.switch_page(script).run()
        return at

    return make


def shown_wave(at: AppTest) -> str:
    """The wave the app shows (the sidebar's selection)."""
    return str(at.selectbox(key=WAVE_KEY).value)


def latest_wave(con) -> str:
    """The warehouse's latest wave by fieldwork, from the waves table the build loaded (not from the app)."""
    return con.execute(
        "select wave from raw.waves where wave in (select wave from marts.respondents)"
        " order by fieldwork_start desc limit 1"
    ).fetchone()[0]


def page(name: str) -> str:
    return next(p.script for p in PAGES if p.script.endswith(f"/{name}.py"))


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _walk(node) -> Iterator:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def chart_frames(at: AppTest) -> list[pd.DataFrame]:
    """The data of every Altair chart on the page, decoded from the Arrow datasets Streamlit sends."""
    frames = []
    for chart in at.get("vega_lite_chart"):
        for dataset in chart.proto.datasets:
            frames.append(pa.ipc.open_stream(dataset.data.data).read_pandas())
    return frames


def page_text(at: AppTest) -> str:
    """Every string the page shows: text elements, table cells and labels, chart data."""
    parts = []
    for node in _walk(at._tree):
        value = getattr(node, "value", None) if getattr(node, "type", "") != "table" else None
        if isinstance(value, str):
            parts.append(value)
    for element in [*at.table, *at.dataframe]:
        frame = element.value
        parts.append(frame.to_csv())
        parts.extend(str(i) for i in frame.index)
    parts.extend(frame.to_csv() for frame in chart_frames(at))
    return "\n".join(parts)


def table_with_rows(at: AppTest, labels: list[str]) -> pd.DataFrame:
    """The first table on the page whose row labels are ``labels`` (a Total row may follow)."""
    for element in at.table:
        frame = element.value
        if list(frame.index[: len(labels)]) == labels:
            return frame
    raise AssertionError(f"no table with rows {labels[:3]}…")


def record_keys(con) -> dict[str, int]:
    """Every respondent's record key (of every wave: respondent ids are unique across waves), recomputed from the
    formula the README documents: the first four bytes (little-endian) of md5("salt|wave|respondent_id"), as
    DuckDB's md5_number gives them."""
    keys = {}
    rows = con.execute("select respondent_id, wave from marts.respondents").fetchall()
    for rid, wave in rows:
        digest = hashlib.md5(f"{perturbation.DEFAULT_SALT}|{wave}|{rid}".encode()).digest()
        keys[rid] = int.from_bytes(digest[:4], "little")
    assert len(keys) == len(rows), "a respondent id is in two waves: key the record keys by (wave, id)"
    return keys


def cell_key(ids: Iterable[str], keys: dict[str, int]) -> int:
    return sum(keys[i] for i in ids) % perturbation.KEY_SPACE


def shown_count(ids: Collection[str], keys: dict[str, int], k: int = K) -> int | None:
    """The count the app must show for these respondents (None: « s »)."""
    return Policy(k).count(len(ids), cell_key(ids, keys))


def expected_cell(ids: Collection[str], base_ids: Collection[str], keys: dict[str, int], k: int = K
                  ) -> tuple[str, str]:
    """How the app must print a count and its percentage of the (shown) base."""
    count, base = shown_count(ids, keys, k), shown_count(base_ids, keys, k)
    if count is None:
        return fmt.HIDDEN, fmt.HIDDEN
    return fmt.count(count), fmt.percent(100 * count / base)
