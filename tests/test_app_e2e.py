"""The app served by ``streamlit run`` and read by a real browser; and a rebuild while the app is open.

The browser is Debian's headless Chromium driven through Debian's
chromedriver (never a download by Selenium Manager); without them the
browser tests are skipped with the reason. Screenshots of every page land in
tests/artifacts/ (git-ignored), for people to look at.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from app import fmt
from app.navigation import PAGES
from pipeline.build import build
from tests.exports import PROJECT_DIR, SAMPLE_DIR
from tests.test_app_support import ARTIFACTS, MAIN, TIMEOUT

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SERVER_START_S = 90
PAGE_LOAD_S = 90

#: The wave of the published report (the sample's other wave, 2024, is synthetic and the app's default).
REPORT_WAVE = "2023"

needs_browser = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason=f"headless browser test needs Debian's {CHROMIUM} and {CHROMEDRIVER} "
    "(apt-get install chromium chromium-driver; .ci/run installs them)",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(warehouse: Path, log_path: Path) -> Iterator[str]:
    """``streamlit run app/main.py`` on a free localhost port, as ``make app`` runs it; yields its URL."""
    port = _free_port()
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(MAIN),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--",
        "--warehouse",
        str(warehouse),
    ]
    with log_path.open("w") as log:
        proc = subprocess.Popen(cmd, cwd=PROJECT_DIR, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"streamlit exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read() == b"ok":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"streamlit did not answer in {SERVER_START_S} s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


@pytest.fixture()
def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    monkeypatch.setenv("SE_OFFLINE", "true")  # belt and braces: Selenium Manager must never download a driver
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        "--window-size=1400,1000",
        "--lang=fr-FR",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(PAGE_LOAD_S)
    yield driver
    driver.quit()


def _main_text(driver) -> str:
    return driver.execute_script(
        "const m = document.querySelector('[data-testid=\"stMainBlockContainer\"]'); return m ? m.innerText : '';"
    )


def wait_for_page(driver, heading: str, contains: str | None = None) -> str:
    """Wait until the page shows its heading (and ``contains``) and its text stops changing; return the text."""
    deadline = time.monotonic() + PAGE_LOAD_S
    last, stable_since = None, time.monotonic()
    while time.monotonic() < deadline:
        text = _main_text(driver)
        running = driver.execute_script(
            "return document.querySelectorAll('[data-testid=\"stSkeleton\"], .stSpinner').length;"
        )
        ready = heading in text and (contains is None or contains in text) and not running
        if text != last:
            last, stable_since = text, time.monotonic()
        elif ready and time.monotonic() - stable_since > 1.5:
            return text
        time.sleep(0.3)
    raise AssertionError(f"page {heading!r} not ready in {PAGE_LOAD_S} s; it shows:\n{(last or '')[:2000]}")


def screenshot(driver, heading: str, name: str) -> Path:
    """A full-height screenshot: the window is grown to the page's content first."""
    height = driver.execute_script(
        "const m = document.querySelector('[data-testid=\"stMainBlockContainer\"]');"
        "return m ? Math.ceil(m.getBoundingClientRect().height) : 1000;"
    )
    driver.set_window_size(1400, min(max(height + 160, 800), 16000))
    wait_for_page(driver, heading)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"app_{name}.png"
    driver.save_screenshot(str(path))
    driver.set_window_size(1400, 1000)
    return path


def table_row(driver, label: str) -> list[str]:
    from selenium.webdriver.common.by import By

    for row in driver.find_elements(By.CSS_SELECTOR, "table tr"):
        cells = [c.text.strip() for c in row.find_elements(By.CSS_SELECTOR, "th, td")]
        if cells and cells[0] == label:
            return cells
    raise AssertionError(f"no table row labelled {label!r}")


#: Words of Streamlit's, Vega's or Python's own English that must never reach a French page.
ENGLISH = ("Page not found", "Traceback", "Error", "Exception", "None", "NaN", "undefined", "Choose an option",
           "No results", "Download", "Running", "Deploy")


def page_problems(driver) -> list[str]:
    """What a reader must never see: an error box, a dialog, English words from the tools underneath."""
    text = driver.execute_script("return document.body.innerText;")
    problems = [f"English text {word!r}" for word in ENGLISH if word in text]
    boxes = driver.execute_script(
        "return document.querySelectorAll('[data-testid=\"stException\"], [role=\"dialog\"]').length;"
    )
    if boxes:
        problems.append(f"{boxes} error box(es) or dialog(s)")
    return problems


def choose_in_sidebar(driver, label: str, option: str) -> None:
    """Pick ``option`` in the sidebar multiselect labelled ``label``, as a reader does."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    for widget in driver.find_elements(By.CSS_SELECTOR, '[data-testid="stSidebar"] [data-testid="stMultiSelect"]'):
        if widget.text.startswith(label):
            box = widget.find_element(By.CSS_SELECTOR, "input")
            box.click()
            box.send_keys(option)
            box.send_keys(Keys.ENTER)
            box.send_keys(Keys.ESCAPE)
            return
    raise AssertionError(f"no sidebar filter labelled {label!r}")


def open_from_menu(driver, title: str) -> None:
    """Follow the sidebar's menu (a new address would start a new session and drop the filters)."""
    from selenium.webdriver.common.by import By

    for link in driver.find_elements(By.CSS_SELECTOR, '[data-testid="stSidebarNav"] a'):
        if link.text.strip() == title:
            link.click()
            return
    raise AssertionError(f"no menu entry {title!r}")


@needs_browser
def test_every_page_in_headless_chromium(sample_warehouse: Path, sample_con, browser, tmp_path: Path) -> None:
    # The cross-tab the report quotes in its text (65 of the 93 first hired are conseillers), named in the address
    # with its wave: the 2023 report's (2024 did not ask who was hired first; the app opens on the latest wave).
    row, col = sample_con.sql(
        "select row_question, col_question from report.report_crosstabs where report_figure = 'TXT' limit 1"
    ).fetchone()
    department = sample_con.sql(
        """select label_fr from codebook.codebook_choices where question_code = 'department'
        order by position desc limit 1"""
    ).fetchone()[0]
    addresses = {"croisements": f"croisements?vague={REPORT_WAVE}&lignes={row}&colonnes={col}"}
    with served(sample_warehouse, tmp_path / "streamlit.log") as url:
        for spec in PAGES:  # every page at its own address, the overview's included
            browser.get(f"{url}/{addresses.get(spec.url_path, spec.url_path)}")
            text = wait_for_page(browser, spec.heading)
            assert page_problems(browser) == [], (spec.url_path, text[:1500])
            if spec.url_path == "croisements":
                assert f"Vague {REPORT_WAVE} —" in text
                assert "Test d'indépendance" in text and fmt.HIDDEN in text
            if spec.url_path == "tableaux":  # the latest wave, as it asked its questions
                assert "Tableau 13" in text and "arrondis" in text
                assert "France Travail" in text and "Pôle emploi" not in text
            shot = screenshot(browser, spec.heading, spec.url_path)
            assert shot.stat().st_size > 10_000
        browser.get(f"{url}/tableaux?vague={REPORT_WAVE}")  # the report's wave, as it asked them
        text = wait_for_page(browser, "Tableaux du rapport", f"Vague {REPORT_WAVE} —")
        assert page_problems(browser) == [], text[:1500]
        assert "Pôle emploi" in text and "France Travail" not in text
        screenshot(browser, "Tableaux du rapport", f"tableaux_{REPORT_WAVE}")
        browser.get(f"{url}/")
        wait_for_page(browser, PAGES[0].heading)
        choose_in_sidebar(browser, "Département", department)
        for spec in PAGES:  # the same pages on a filtered selection, reached through the menu
            open_from_menu(browser, spec.title)
            text = wait_for_page(browser, spec.heading, "sélection filtrée" if spec.url_path != "tests" else None)
            assert page_problems(browser) == [], (spec.url_path, text[:1500])
            sidebar = browser.execute_script(
                "return document.querySelector('[data-testid=\"stSidebar\"]').innerText;"
            )
            assert "≈" in sidebar  # never an exact count for a filtered selection
            shot = screenshot(browser, spec.heading, f"{spec.url_path}_filtre")
            assert shot.stat().st_size > 10_000


def _run_id(warehouse: Path) -> str:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.sql("select run_id from audit.builds order by finished_at desc limit 1").fetchone()[0]
    finally:
        con.close()


@pytest.fixture()
def warehouse_copy(sample_warehouse: Path, tmp_path: Path) -> Path:
    target = tmp_path / "warehouse" / "survey.duckdb"
    target.parent.mkdir()
    shutil.copy2(sample_warehouse, target)
    return target


@needs_browser
def test_make_build_succeeds_while_the_served_app_reads_the_warehouse(warehouse_copy: Path, browser, tmp_path) -> None:
    old_run = _run_id(warehouse_copy)
    overview = PAGES[0]
    with served(warehouse_copy, tmp_path / "streamlit.log") as url:
        browser.get(f"{url}/")
        assert old_run in wait_for_page(browser, overview.heading, old_run)
        stop = threading.Event()
        reloads = []

        def keep_reading() -> None:  # the app re-reads the file while the build runs and publishes
            while not stop.is_set() and len(reloads) < 200:
                browser.refresh()
                reloads.append(time.monotonic())
                stop.wait(1.0)

        reader = threading.Thread(target=keep_reading, daemon=True)
        reader.start()
        try:
            ctx = build(SAMPLE_DIR, warehouse_copy, log=lambda _msg: None)
        finally:
            stop.set()
            reader.join(timeout=60)
        assert len(reloads) >= 2
        assert ctx.run_id != old_run and _run_id(warehouse_copy) == ctx.run_id
        browser.get(f"{url}/")
        text = wait_for_page(browser, overview.heading, ctx.run_id)
        assert ctx.run_id in text and old_run not in text


def test_an_open_app_session_shows_the_new_build_after_a_rebuild(warehouse_copy: Path, monkeypatch) -> None:
    monkeypatch.setenv("SURVEY_WAREHOUSE", str(warehouse_copy))
    old_run = _run_id(warehouse_copy)
    at = AppTest.from_file(str(MAIN), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert any(old_run in m.value for m in at.markdown)
    ctx = build(SAMPLE_DIR, warehouse_copy, log=lambda _msg: None)
    at.run()
    assert not at.exception
    shown = " ".join(m.value for m in at.markdown)
    assert ctx.run_id in shown and old_run not in shown
