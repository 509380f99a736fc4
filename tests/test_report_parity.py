"""The warehouse computes what the researchers computed: report.figures against the published figures."""

from __future__ import annotations

from tests.published import published_figures


def test_every_published_figure_matches_report_figures(sample_con) -> None:
    computed = {
        (f, q, i, s): (v, n)
        for f, q, i, s, v, n in sample_con.execute(
            "select figure_id, question, item, statistic, value, n from report.figures where wave = '2023'"
        ).fetchall()
    }
    published = published_figures()
    missing = [p.key for p in published if p.key not in computed]
    mismatched = [
        (p.key, p.value, computed[p.key][0])
        for p in published
        if p.key in computed and not p.matches(computed[p.key][0])
    ]
    wrong_base = [
        (p.key, p.n, computed[p.key][1])
        for p in published
        if p.key in computed and p.n and computed[p.key][1] is not None and int(p.n) != computed[p.key][1]
    ]
    matched = len(published) - len(missing) - len(mismatched)
    print(f"\nreport parity: {matched} of {len(published)} published figures match report.figures")
    assert not missing, f"{len(missing)} published figures have no row in report.figures: {missing[:10]}"
    assert not mismatched, f"{len(mismatched)} figures differ (key, published, computed): {mismatched[:20]}"
    assert not wrong_base, f"{len(wrong_base)} figures have another base (key, published n, computed n): {wrong_base}"


def test_report_figures_has_one_row_per_published_key(sample_con) -> None:
    keys = sample_con.execute(
        "select figure_id, question, item, statistic from report.figures where wave = '2023'"
    ).fetchall()
    assert len(keys) == len(set(keys))
    assert set(keys) == {p.key for p in published_figures()}


def _tables_1_and_2(con, wave: str) -> dict[str, dict[str, int]]:
    """Tables 1 and 2 of one wave straight from the marts, without the report models: label → count."""
    t1 = con.execute(
        "select post_title_label, count(*) from marts.respondents where wave = ? group by all", [wave]
    ).fetchall()
    t2 = con.execute(
        "select place_label, count(*) filter (where is_selected) from marts.respondent_places where wave = ? "
        "group by all",
        [wave],
    ).fetchall()
    return {"T1": dict(t1), "T2": dict(t2)}


def test_table_1_and_2_counts_recomputed_from_marts(sample_con) -> None:
    """Tables 1 and 2 straight from the marts: the published counts for 2023, report.figures' for every wave."""
    tables = _tables_1_and_2(sample_con, "2023")
    checked = 0
    for p in published_figures():
        if p.statistic != "count" or p.figure_id not in ("T1", "T2"):
            continue
        assert tables[p.figure_id].get(p.item, 0) == int(p.value), p.key
        checked += 1
    assert checked > 0
    waves = [w for (w,) in sample_con.execute("select distinct wave from marts.respondents order by wave").fetchall()]
    assert len(waves) > 1
    for wave in waves:
        tables = _tables_1_and_2(sample_con, wave)
        report = sample_con.execute(
            "select figure_id, item, value from report.figures where wave = ? and statistic = 'count' "
            "and figure_id in ('T1', 'T2')",
            [wave],
        ).fetchall()
        shown = {(f, i) for f, counts in tables.items() for i, n in counts.items() if n}
        assert {(f, i) for f, i, _ in report} >= shown, wave
        for figure_id, item, value in report:
            assert tables[figure_id].get(item, 0) == value, (wave, figure_id, item)


def test_pipeline_never_reads_the_generator() -> None:
    """Ingest, dbt, checks, stats and the app see only the export file, never samplegen."""
    import ast

    from tests.exports import PROJECT_DIR

    readers = []
    for package in ("codebook", "ingest", "pipeline", "checks", "stats", "app"):
        for path in (PROJECT_DIR / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                names += [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                readers += [f"{path.relative_to(PROJECT_DIR)} imports {n}" for n in names if n.startswith("samplegen")]
    for path in (PROJECT_DIR / "dbt_project").rglob("*"):
        is_source = path.is_file() and path.suffix in (".sql", ".yml", ".csv") and "target" not in path.parts
        if is_source and "samplegen" in path.read_text(encoding="utf-8"):
            readers.append(str(path.relative_to(PROJECT_DIR)))
    assert readers == []


def test_the_warehouse_carries_the_published_value_and_flags_every_figure_as_matching(sample_con) -> None:
    rows = sample_con.execute(
        """select figure_id, question, item, statistic, published_value, matches_published from report.figures
        where wave = '2023'"""
    ).fetchall()
    expected = {p.key: p for p in published_figures()}
    assert {r[:4] for r in rows if r[4] is not None} == set(expected)
    for *key, value, matches in rows:
        if tuple(key) in expected:
            assert value == float(expected[tuple(key)].value) and matches is True, key
    later = sample_con.execute("select count(published_value) from report.figures where wave <> '2023'").fetchone()[0]
    assert later == 0
