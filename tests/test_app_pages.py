"""The Streamlit app rendered in-process (AppTest) on the sample warehouse: every page, values against the marts,
filters, small-cell protection, lazy heavy imports and page render times.

The sample has two waves; the app opens on the latest. A test of a fact of the 2023 report selects 2023 in the
sidebar; a generic test reads the wave the app shows and compares with that wave's rows of the marts."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from app import fmt
from app.disclosure import MEAN, SD, Policy
from app.navigation import PAGES
from tests.exports import PROJECT_DIR
from tests.test_app_support import (
    MAIN,
    TIMEOUT,
    K,
    app_factory,
    assert_clean,
    cell_key,
    chart_frames,
    expected_cell,
    latest_wave,
    page,
    page_text,
    record_keys,
    shown_count,
    shown_wave,
    table_with_rows,
)

#: The sample's waves: 2023 (the published report's) and a synthetic 2024.
WAVES = ("2023", "2024")
#: The wave whose facts the report published (table 3's cell of 1, …).
REPORT_WAVE = "2023"


@pytest.fixture()
def open_app(sample_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    return app_factory(monkeypatch, sample_warehouse)


@pytest.mark.parametrize("wave", WAVES)
@pytest.mark.parametrize("spec", PAGES, ids=[p.url_path for p in PAGES])
def test_every_page_renders_without_exception(open_app, spec, wave) -> None:
    at = open_app(spec.script, wave=wave)
    assert_clean(at)
    assert at.title[0].value == spec.heading


def test_table_1_counts_equal_sql_on_marts_respondents(open_app, sample_con) -> None:
    at = open_app(page("tables"))
    wave = shown_wave(at)
    assert wave == latest_wave(sample_con)  # the app opens on the latest wave
    groups = sample_con.execute(
        """select l.label_fr, list(r.respondent_id) filter (where r.respondent_id is not null) as ids
        from staging.stg_codebook__labels_by_wave as l
        inner join codebook.codebook_choices as c using (question_code, choice_code)
        left join marts.respondents as r on r.wave = l.wave and r.post_title = l.choice_code
        where l.wave = $wave and l.question_code = 'post_title' and c.is_target
        group by l.label_fr, l.position order by l.position""",
        {"wave": wave},
    ).df()
    everyone = sample_con.execute(
        "select list(respondent_id) from marts.respondents where wave = $wave", {"wave": wave}
    ).fetchone()[0]
    keys = record_keys(sample_con)
    table = table_with_rows(at, groups["label_fr"].tolist())
    assert table.loc["Total", "Effectif"] == fmt.count(shown_count(everyone, keys))
    for label, ids in zip(groups["label_fr"], groups["ids"], strict=True):
        assert (table.loc[label, "Effectif"], table.loc[label, "Pourcentage"]) == expected_cell(ids, everyone, keys)
    # the rounding is real: shown counts are multiples of 5 and differ from at least one true count
    shown = [table.loc[label, "Effectif"] for label in groups["label_fr"]]
    assert all(int(v) % 5 == 0 for v in shown if v != fmt.HIDDEN)
    assert any(v not in (fmt.count(len(ids)), fmt.HIDDEN) for v, ids in zip(shown, groups["ids"], strict=True))


def test_tables_2_and_5_equal_sql_on_the_long_marts(open_app, sample_con) -> None:
    at = open_app(page("tables"))
    wave = {"wave": shown_wave(at)}
    keys = record_keys(sample_con)
    places = sample_con.execute(
        """select place_label, coalesce(list(respondent_id) filter (where is_selected), []) as ids,
            coalesce(list(respondent_id) filter (where not is_selected), []) as not_ids, list(respondent_id) as base
        from marts.respondent_places where wave = $wave group by place_label, place_position order by place_position""",
        wave,
    ).df()
    table = table_with_rows(at, places["place_label"].tolist())
    for row in places.itertuples():
        ids, not_ids = list(row.ids), list(row.not_ids)
        count, percent = expected_cell(ids, list(row.base), keys)
        assert (table.loc[row.place_label, "Effectif"], table.loc[row.place_label, "Pourcentage"]) == (count, percent)
        assert table.loc[row.place_label, "Non : effectif"] == expected_cell(not_ids, list(row.base), keys)[0]
    scales = sample_con.execute(
        """select item_label, avg(score) as mean, stddev_samp(score) as sd, list(respondent_id) as ids
        from marts.respondent_scales where wave = $wave and question_code = 'support_type'
        group by item_label, item_position order by item_position""",
        wave,
    ).df()
    spread = sample_con.execute(
        """select item_label, stddev_samp(score) as wave_sd from marts.respondent_scales
        where wave = $wave and question_code = 'support_type' group by item_label""",
        wave,
    ).df().set_index("item_label")["wave_sd"]
    table = table_with_rows(at, scales["item_label"].tolist())
    policy = Policy(K)
    for row in scales.itertuples():
        ids = list(row.ids)
        key = cell_key(ids, keys)
        mean = policy.magnitude(row.mean, len(ids), key, spread[row.item_label], MEAN)
        sd = policy.magnitude(row.sd, len(ids), key, spread[row.item_label], SD)
        assert table.loc[row.item_label, "Moyenne"] == fmt.number(mean, 2)
        assert table.loc[row.item_label, "Écart type"] == fmt.number(sd, 2)
        assert table.loc[row.item_label, "n"] == fmt.count(shown_count(ids, keys))
        # noise is real but small on the whole wave: at most one wave SD over n, never zero
        assert 0 < abs(mean - row.mean) <= spread[row.item_label] / len(ids)


@pytest.mark.parametrize("wave", WAVES)
def test_overview_shows_the_funnel_and_the_published_build(open_app, sample_con, wave) -> None:
    kept = sample_con.execute("select count(*) from marts.respondents where wave = ?", [wave]).fetchone()[0]
    excluded = sample_con.execute(
        "select count(*) from marts.respondent_exclusions where wave = ?", [wave]
    ).fetchone()[0]
    run_id = sample_con.sql("select run_id from audit.builds order by finished_at desc limit 1").fetchone()[0]
    at = open_app(page("overview"), wave=wave)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Connexions"] == fmt.count(kept + excluded)
    assert metrics["Retenues"] == fmt.count(kept)
    assert metrics["Écartées"] == fmt.count(excluded)
    assert run_id in page_text(at)


def _small_group_department(con: duckdb.DuckDBPyConnection, wave: str) -> tuple[str, str, str]:
    """A département where one post title has 1 to k − 1 respondents of ``wave``: (département, its title's label,
    the label of a title with at least 2k respondents there)."""
    row = con.execute(
        """select department, post_title_label, count(*) as n from marts.respondents
        where wave = ? and department is not null group by all having count(*) between 1 and ? order by 1, 2 limit 1""",
        [wave, K - 1],
    ).fetchone()
    assert row is not None, "the sample has no small post-title group within a département"
    big = con.execute(
        """select post_title_label from marts.respondents where wave = ? and department = ?
        group by all having count(*) >= ? order by count(*) desc limit 1""",
        [wave, row[0], 2 * K],
    ).fetchone()
    return row[0], row[1], big[0]


def test_a_group_under_k_after_filtering_is_not_drawn_nor_described(open_app, sample_con) -> None:
    at = open_app()
    department, small_title, big_title = _small_group_department(sample_con, shown_wave(at))
    at.multiselect(key="filter_departments").set_value([department]).run()
    at.switch_page(page("figures")).run()
    assert_clean(at)
    figure_1 = chart_frames(at)[0]
    assert big_title in set(figure_1["group_label"])
    assert small_title not in set(figure_1["group_label"])
    data = next(t.value for t in at.table if small_title in t.value.index)  # figure 1's data table
    assert (data.loc[small_title] == fmt.HIDDEN).all()
    at.switch_page(page("tables")).run()
    table_1 = next(t.value for t in at.table if small_title in t.value.index and "Effectif" in t.value.columns)
    assert table_1.loc[small_title, "Effectif"] == fmt.HIDDEN


def test_a_selection_under_k_shows_no_figure_at_all(open_app, sample_con) -> None:
    at = open_app()
    department, post_title = sample_con.execute(
        """select department, post_title from marts.respondents where wave = ? and department is not null
        group by all having count(*) between 1 and ? order by 1, 2 limit 1""",
        [shown_wave(at), K - 1],
    ).fetchone()
    at.multiselect(key="filter_departments").set_value([department])
    at.multiselect(key="filter_post_titles").set_value([post_title]).run()
    for name in ("tables", "figures", "crosstabs"):
        at.switch_page(page(name)).run()
        assert_clean(at)
        assert any("moins de 5 répondant·e·s" in w.value for w in at.warning)
        assert not at.table and not at.get("vega_lite_chart")


def test_no_respondent_id_or_free_text_answer_reaches_any_page(open_app, sample_con) -> None:
    ids = set(sample_con.sql("select respondent_id from marts.respondents").df()["respondent_id"])
    other_columns = [c for c in sample_con.sql("select * from raw.responses limit 0").columns if c.endswith("__other")]
    free_texts = set()
    for column in other_columns:
        values = sample_con.sql(f'select distinct "{column}" from raw.responses').df()[column].dropna()
        free_texts |= {v for v in values if len(v.strip()) > 3}
    assert len(ids) == sample_con.sql("select count(*) from marts.respondents").fetchone()[0]  # every wave's
    for wave in WAVES:
        at = open_app(wave=wave)
        for spec in PAGES:
            at.switch_page(spec.script).run()
            assert shown_wave(at) == wave
            text = page_text(at)
            assert not re.search(r"\bR[0-9a-f]{12}\b", text), (wave, spec.script)
            assert not any(i in text for i in ids), (wave, spec.script)
            assert not any(t in text for t in free_texts), (wave, spec.script)
            assert "raw." not in text, (wave, spec.script)


def test_the_threshold_is_configurable(open_app, sample_con) -> None:
    smallest = sample_con.execute(
        """select post_title_label, list(respondent_id) as ids from marts.respondents where wave = ? group by 1
        order by count(*) limit 1""",
        [latest_wave(sample_con)],  # the wave the app opens on
    ).df()
    label, ids = smallest["post_title_label"][0], list(smallest["ids"][0])
    k = len(ids) + 1  # the smallest post title becomes a small group
    at = open_app(page("tables"), k=k)
    table = next(t.value for t in at.table if label in t.value.index)
    assert table.loc[label, "Effectif"] == fmt.HIDDEN
    at = open_app(page("tables"), k=1)
    table = next(t.value for t in at.table if label in t.value.index)
    assert table.loc[label, "Effectif"] == fmt.count(shown_count(ids, record_keys(sample_con), k=1))


def test_crosstab_page_counts_and_suppression(open_app, sample_con) -> None:
    # 2023: département × e-admin support has small cells in the report's wave (none in the synthetic 2024)
    at = open_app(page("crosstabs"), wave=REPORT_WAVE)
    at.selectbox(key="cross_row").set_value("department")
    at.selectbox(key="cross_col").set_value("does_eadmin").run()
    assert_clean(at)
    keys = record_keys(sample_con)
    cells = sample_con.execute(
        """select department_label, does_eadmin_label, list(respondent_id) as ids from marts.respondents
        where wave = ? and department is not null group by all""",
        [REPORT_WAVE],
    ).df()
    table = at.table[0].value
    for row in cells.itertuples():
        cell = table.loc[row.department_label, row.does_eadmin_label]
        shown = shown_count(list(row.ids), keys)
        assert cell == fmt.HIDDEN if shown is None else cell.startswith(fmt.count(shown) + " (")
    everyone = [i for ids in cells["ids"] for i in ids]
    assert table.loc["Total", "Total"].startswith(fmt.count(shown_count(everyone, keys)))
    assert any("Test d'indépendance" in m.value for m in at.markdown)
    # a hidden cell: no statistic and no shading at all
    assert fmt.HIDDEN in table.to_numpy()
    assert any("Test non affiché" in i.value for i in at.info)
    assert len(at.table) == 1


def test_crosstab_without_hidden_cells_shows_the_test_scipy_gives_on_the_shown_counts(open_app, sample_con) -> None:
    from scipy.stats import chi2_contingency

    keys = record_keys(sample_con)
    cells = (
        sample_con.execute(
            """select p.is_selected, r.job_description, list(respondent_id) as ids from marts.respondent_places as p
        join marts.respondents as r using (wave, respondent_id) where r.wave = ? and p.place_code = 'mairie'
        group by all""",
            [latest_wave(sample_con)],  # the wave the app opens on
        )
        .df()
        .pivot(index="is_selected", columns="job_description", values="ids")
    )
    true_counts = cells.map(len).to_numpy()
    assert true_counts.min() >= K  # a table with nothing to hide
    shown = cells.map(lambda ids: shown_count(list(ids), keys)).to_numpy()
    expected = chi2_contingency(shown.astype(int), correction=False)
    assert (expected.expected_freq >= 5).all()  # Pearson without correction is the primary test (stats.rules)
    at = open_app()
    at.query_params["lignes"] = "place__mairie"
    at.query_params["colonnes"] = "job_description"
    at.switch_page(page("crosstabs")).run()
    assert_clean(at)
    assert fmt.HIDDEN not in at.table[0].value.to_numpy()
    result = at.table[1].value
    assert result["p"].iloc[0] == fmt.p_value(expected.pvalue)
    assert result["Statistique"].iloc[0].startswith(f"χ² = {fmt.number(expected.statistic, 2)}")
    assert result.index[0] == "khi-deux de Pearson"


def test_scipy_statsmodels_and_gx_are_imported_only_by_the_crosstab_page(sample_warehouse: Path) -> None:
    script = f"""
import os, sys
os.environ["SURVEY_WAREHOUSE"] = {str(sample_warehouse)!r}
from streamlit.testing.v1 import AppTest
heavy = ("scipy", "statsmodels", "great_expectations")
at = AppTest.from_file({str(MAIN)!r}, default_timeout={TIMEOUT}).run()
for script in ("views/tables.py", "views/figures.py", "views/tests.py"):
    at.switch_page(script).run()
print("before", sorted(m for m in heavy if m in sys.modules))
at.query_params["lignes"] = "place__mairie"  # a crossing without hidden cells: its test is computed
at.query_params["colonnes"] = "job_description"
at.switch_page("views/crosstabs.py").run()
print("after", sorted(m for m in heavy if m in sys.modules))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=PROJECT_DIR, timeout=600)
    lines = dict(line.split(" ", 1) for line in out.stdout.splitlines() if line.startswith(("before", "after")))
    assert lines["before"] == "[]", out.stderr[-2000:]
    assert lines["after"] == "['scipy', 'statsmodels']"


def test_figure_2_keeps_hidden_classes_on_the_axis_with_integer_ticks(open_app, sample_con) -> None:
    import json

    from app.distribution import class_labels

    at = open_app(page("figures"))
    assert_clean(at)
    frames = [f for f in chart_frames(at) if "Classe" in f.columns]
    assert len(frames) == 1
    classes = frames[0]
    assert classes["Classe"].tolist() == class_labels()  # no class disappears
    values = sample_con.execute(
        "select value from marts.answers where wave = ? and question_code = 'people_per_week' and value is not null",
        [shown_wave(at)],
    ).df()["value"]
    small = [label for label, n in zip(class_labels(), _class_sizes(values), strict=True) if 0 < n < K]
    assert small, "the sample has no small class to hide"
    shown = dict(zip(classes["Classe"], classes["Texte"], strict=True))
    assert all(shown[label] == fmt.HIDDEN for label in small)
    spec = next(
        json.loads(c.proto.spec) for c in at.get("vega_lite_chart") if "Classe" in c.proto.spec
    )
    assert '"format": "d"' in json.dumps(spec)


def _class_sizes(values) -> list[int]:
    import math

    import pandas as pd

    from app.distribution import CLASS_EDGES

    bins = pd.cut(values, bins=[*CLASS_EDGES, math.inf], right=False)
    return bins.value_counts(sort=False).tolist()


def test_a_small_answer_hides_only_itself(open_app, sample_con) -> None:
    answers = sample_con.execute(
        """select l.label_fr, count(r.respondent_id) as n from staging.stg_codebook__labels_by_wave as l
        left join marts.respondents as r on r.wave = l.wave and r.gender = l.choice_code
        where l.wave = ? and l.question_code = 'gender' group by all""",
        [latest_wave(sample_con)],  # the wave the app opens on
    ).df()
    small = answers[(answers["n"] > 0) & (answers["n"] < K)]["label_fr"].tolist()
    large = answers[answers["n"] >= K]["label_fr"].tolist()
    assert small and large, "the sample's gender question has no small answer"
    at = open_app(page("overview"))
    table = next(
        t.value for t in at.table if set(small) <= set(t.value.index)
    )
    assert all(table.loc[label, "Effectif"] == fmt.HIDDEN for label in small)
    assert all(table.loc[label, "Effectif"] != fmt.HIDDEN for label in large)  # no complement hidden


def test_every_chart_a_page_draws_passes_the_vega_lite_schema(open_app, monkeypatch) -> None:
    """The pages skip Altair's schema check when Streamlit serialises a chart (app.charts.unchecked): here every
    chart of every page, in both waves, is checked as Altair would."""
    from app import charts

    checked: list[str] = []
    unchecked = charts.unchecked

    def checking(chart):
        spec = chart.to_dict()  # validates against Vega-Lite's schema; raises on a malformed chart
        checked.append(str(spec.get("$schema", "")))
        return unchecked(chart)

    monkeypatch.setattr(charts, "unchecked", checking)
    drawn = {}
    for wave in WAVES:
        for spec in PAGES:
            before = len(checked)
            assert_clean(open_app(spec.script, wave=wave))
            drawn[(spec.url_path, wave)] = len(checked) - before
    # the pages that draw charts drew them (each count also holds the opening page's, the overview's funnel,
    # drawn before the app switches page): figures 1–6, Évolution's bars; the Tests page draws none of its own
    assert drawn[("vue-d-ensemble", "2023")] >= 1
    assert drawn[("figures", "2023")] >= drawn[("tests", "2023")] + 6
    assert drawn[("evolution", "2024")] > drawn[("tests", "2024")]
    assert all("vega-lite" in s for s in checked)
