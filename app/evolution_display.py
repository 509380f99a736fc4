"""The Évolution page's tables, tests and charts, from two waves' shown values (:mod:`app.evolution`).

Every number printed here is a shown value of one wave, or the difference of
two shown values: nothing is read from ``report.wave_comparison``, whose values
are exact. Tests come from ``stats.tests`` (kind ``wave_difference``, the
primary method of each comparison) and are withheld, whole, by the rule of
:mod:`app.withholding` (any of the cells or groups they rest on below k); they
are computed on whole waves, so the sidebar's filters never reach them.
"""

from __future__ import annotations

import math
from pathlib import Path

import altair as alt
import pandas as pd

from app import charts, fmt, queries, readings, stats_tables, withholding
from app.db import query
from app.disclosure import Policy
from app.display import export_value
from app.evolution import KIND, MEAN, SHARE, Comparison, comparison_id
from app.filters import RespondentFilter
from app.scans import report_request

NOT_ASKED = "non posée"
TEST, P_HOLM, CONCLUSION = "Test", "p ajusté (Holm)", "Conclusion (5 %)"
#: A row without a test (the stats stage tests the report's figures only; the caption says why, once).
NO_TEST = "non testé"
NO_STATS = "tests non disponibles"
#: Bar colours of the earlier and the later wave (the app's pale and dark blue).
WAVE_COLORS = ("#b7c7db", "#1f5fa8")
_MINUS = "\u2212"


def wave_tests(path: Path, waves: tuple[str, str]) -> pd.DataFrame | None:
    """The primary test of every figure's difference between ``waves`` (earlier, later); None when the warehouse
    has no such tests (no stats stage yet, or one from before the wave comparisons)."""
    if not stats_tables.available(path):
        return None
    present = set(
        query(
            path,
            "select column_name from information_schema.columns where table_schema = 'stats' and table_name = 'tests'",
        )["column_name"]
    )
    if not {"kind", "baseline_wave", "is_primary"} <= present:
        return None
    columns = ", ".join(c for c in stats_tables.TEST_COLUMNS if c in present)
    return query(
        path,
        f"""select {columns} from stats.tests
        where kind = $kind and wave = $later and baseline_wave = $earlier and is_primary order by comparison_id""",
        {"kind": KIND, "earlier": waves[0], "later": waves[1]},
    )


def row_ids(c: Comparison) -> list[str | None]:
    """Each row's comparison id in ``stats.tests`` (None: a row the stats stage cannot have tested)."""
    return [
        None if not isinstance(q, str) else comparison_id(c.waves[0], c.section_id, q, str(k))
        for q, k in zip(c.rows["test_question"], c.rows["key"], strict=True)
    ]


def test_columns(c: Comparison, tests: pd.DataFrame | None, withheld: set[str] | frozenset[str]) -> pd.DataFrame:
    """Test, p adjusted by Holm and conclusion for each row of ``c``: the method in French, « non affiché » for
    a withheld test, and why a row has none."""
    found = {} if tests is None else {r["comparison_id"]: r for r in tests.to_dict("records")}
    out = []
    for cid, asked_1, asked_2 in zip(row_ids(c), c.rows["asked_1"], c.rows["asked_2"], strict=True):
        if not (asked_1 and asked_2):
            missing = c.waves[0] if not asked_1 else c.waves[1]
            out.append((f"{NOT_ASKED} en {missing}", fmt.MISSING, fmt.MISSING))
        elif tests is None:
            out.append((NO_STATS, fmt.MISSING, fmt.MISSING))
        elif cid not in found:
            out.append((NO_TEST, fmt.MISSING, fmt.MISSING))
        elif cid in withheld:
            out.append((readings.method_fr(found[cid].get("method")), readings.WITHHELD, readings.WITHHELD))
        else:
            row = found[cid]
            p_holm = row.get("p_holm")
            p_holm = None if p_holm is None or pd.isna(p_holm) else float(p_holm)
            effect = row.get("effect_size")
            effect = None if effect is None or pd.isna(effect) else float(effect)
            conclusion = readings.short_reading(p_holm, row.get("effect_size_name"), effect)
            out.append((readings.method_fr(row.get("method")), fmt.p_value(p_holm), conclusion))
    return pd.DataFrame(out, columns=[TEST, P_HOLM, CONCLUSION], index=c.rows.index)


def no_test_note(c: Comparison) -> str:
    """Why the rows « non testé » have no test."""
    if c.section_id == "F2":
        return f"« {NO_TEST} » : la figure décrit une distribution, sans test de différence"
    return f"« {NO_TEST} » : chiffre absent du rapport, que seule l'application montre, sans test de différence"


def withheld_in(c: Comparison, withheld: set[str] | frozenset[str]) -> bool:
    return any(cid in withheld for cid in row_ids(c) if cid)


def small_table(path: Path, c: Comparison, policy: Policy) -> bool:
    """Whether a table of ``c`` whose cells add up to a known total has a cell of 1 to k − 1 in either whole wave.

    The stats stage tests each answer (each cell) of such a table on its own, and each test's own groups may
    all be large; but exact tests of the other answers, with the wave's published total, give a small cell
    back by difference. So the tests of the whole table are withheld, as the Tests page withholds the test of
    a cross-tab with a small cell (:mod:`app.withholding`). Whole waves: the tests are computed on them.
    """
    for wave, asked in zip(c.waves, c.asked, strict=True):
        if not c.table or not asked:
            continue
        whole, scan = RespondentFilter(wave), report_request(path, wave)  # the page's scan, on a whole wave
        if len(c.table) == 1:
            freq = queries.frequencies(path, whole, [c.table[0]], scan)
            counts = freq[freq["item_kind"] == "choice"]["count"]
        else:
            variables = {v.key: v for v in queries.cross_variables(path, wave)}
            counts = queries.crosstab(path, whole, variables[c.table[0]], variables[c.table[1]], scan)["count"]
        if any(policy.is_small(int(n)) for n in counts):
            return True
    return False


def withheld_tests(path: Path, comparisons: list[Comparison], tests: pd.DataFrame | None, policy: Policy
                   ) -> frozenset[str]:
    """Comparison ids whose test the page withholds: those :mod:`app.withholding` withholds (a cell or group of
    the test below k), and every test of a table with a small cell (:func:`small_table`)."""
    if tests is None or tests.empty:
        return frozenset()
    later = comparisons[0].waves[1] if comparisons else ""
    out = set(withholding.withheld_comparisons(path, later, tests, policy))
    for c in comparisons:
        if c.table and small_table(path, c, policy):
            out |= {cid for cid in row_ids(c) if cid}
    return frozenset(out)


# --- values -----------------------------------------------------------------------------------------------


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def signed(value: float, decimals: int) -> str:
    """``+3,2`` / ``−0,45``: a difference reads with its sign (a true minus, as French typography wants)."""
    text = fmt.number(abs(value), decimals)
    return text if text.strip("0,") == "" else ("+" if value > 0 else _MINUS) + text


def _cell(row: pd.Series, side: str, column: str, text) -> str:
    if not row[f"asked_{side}"]:
        return NOT_ASKED
    if row[f"hidden_{side}"]:
        return fmt.HIDDEN
    return text(row[f"{column}_{side}"])


def _export_cell(row: pd.Series, side: str, column: str, decimals: int | None) -> object:
    if not row[f"asked_{side}"]:
        return NOT_ASKED
    value = row[f"{column}_{side}"]
    return export_value(None if _missing(value) else float(value), bool(row[f"hidden_{side}"]), decimals)


def _difference(row: pd.Series, decimals: int) -> str:
    if not (row["asked_1"] and row["asked_2"]):
        return fmt.MISSING
    if row["hidden_1"] or row["hidden_2"]:
        return fmt.HIDDEN
    return fmt.MISSING if _missing(row["difference"]) else signed(row["difference"], decimals)


def columns(c: Comparison) -> dict[str, tuple[str, int | None]]:
    """Shown column name → (row field, decimals; None for a count), each wave's then the difference's."""
    w1, w2 = c.waves
    if c.kind == SHARE:
        return {
            f"{w1} : effectif": ("n_1", None), f"{w1} : %": ("value_1", 1),
            f"{w2} : effectif": ("n_2", None), f"{w2} : %": ("value_2", 1),
            f"Écart {w2} {_MINUS} {w1} (points)": ("difference", 1),
        }
    return {
        f"{w1} : moyenne": ("value_1", 2), f"{w1} : n": ("n_1", None),
        f"{w2} : moyenne": ("value_2", 2), f"{w2} : n": ("n_2", None),
        f"Écart {w2} {_MINUS} {w1}": ("difference", 2),
    }


def _text(decimals: int | None, percent: bool):
    if decimals is None:
        return fmt.count
    if percent:
        return lambda v: fmt.percent(v, decimals)
    return lambda v: fmt.number(v, decimals)


def shown_table(c: Comparison, tests: pd.DataFrame) -> pd.DataFrame:
    """What the page prints: one row per code, each wave's shown values, the difference and the test."""
    out = pd.DataFrame(index=pd.Index(c.rows["label"].tolist(), name="Ligne"))
    for name, (field, decimals) in columns(c).items():
        if field == "difference":
            out[name] = [_difference(r, decimals) for _, r in c.rows.iterrows()]
            continue
        column, side = field.rsplit("_", 1)
        text = _text(decimals, c.kind == SHARE and column == "value")
        out[name] = [_cell(r, side, column, text) for _, r in c.rows.iterrows()]
    for name in (TEST, P_HOLM, CONCLUSION):
        out[name] = tests[name].tolist()
    return out


def export_table(c: Comparison, tests: pd.DataFrame) -> pd.DataFrame:
    """The download: the same rows and shown values (numbers as numbers, ``s`` where hidden), with the codes."""
    out = pd.DataFrame({"Ligne": c.rows["label"].tolist(), "Code": c.rows["key"].astype(str).tolist()})
    for name, (field, decimals) in columns(c).items():
        if field == "difference":
            values = []
            for _, r in c.rows.iterrows():
                shown = _difference(r, decimals)
                values.append(shown if shown in (fmt.HIDDEN, fmt.MISSING) else round(float(r["difference"]), decimals))
            out[name] = values
            continue
        column, side = field.rsplit("_", 1)
        out[name] = [_export_cell(r, side, column, decimals) for _, r in c.rows.iterrows()]
    for name in (TEST, P_HOLM, CONCLUSION):
        out[name] = tests[name].tolist()
    return out


def spread_table(c: Comparison) -> pd.DataFrame | None:
    """Medians and standard deviations of each wave (means only), untested: they situate the means."""
    if c.kind != MEAN or "median_1" not in c.rows or c.rows[["median_1", "median_2"]].isna().all().all():
        return None
    out = pd.DataFrame(index=pd.Index(c.rows["label"].tolist(), name="Ligne"))
    for column, name, decimals, strip in (("median", "médiane", 1, True), ("sd", "écart type", 2, False)):
        for w, side in zip(c.waves, ("1", "2"), strict=True):
            out[f"{w} : {name}"] = [_cell(r, side, column, lambda v, d=decimals, s=strip: fmt.number(v, d, s))
                                    for _, r in c.rows.iterrows()]
    return out


# --- chart ------------------------------------------------------------------------------------------------


def chart_frame(c: Comparison) -> pd.DataFrame:
    """The shown values to draw, one bar per row and wave: hidden, missing and unasked values are left out."""
    records = []
    for _, r in c.rows.iterrows():
        for w, side in zip(c.waves, ("1", "2"), strict=True):
            value = r[f"value_{side}"]
            if r[f"asked_{side}"] and not r[f"hidden_{side}"] and not _missing(value):
                text = fmt.percent(value) if c.kind == SHARE else fmt.number(value, 2)
                records.append({"Ligne": r["label"], "Vague": w, "Valeur": float(value), "Texte": text})
    return pd.DataFrame(records, columns=["Ligne", "Vague", "Valeur", "Texte"])


def wave_bars(frame: pd.DataFrame, waves: tuple[str, str], x_title: str) -> alt.Chart:
    """Bars of the two waves side by side for each row, the earlier pale, the later dark (a grouped bar chart
    as :func:`app.charts.grouped_hbar` draws, with the waves' own colours)."""
    order = frame["Ligne"].drop_duplicates().tolist()
    base = alt.Chart().encode(
        y=alt.Y("Ligne:N", sort=order, title=None, axis=alt.Axis(labelLimit=360)),
        yOffset=alt.YOffset("Vague:N", sort=list(waves)),
        x=alt.X("Valeur:Q", title=x_title, axis=alt.Axis(labelExpr=charts.FRENCH_LABELS)),
        color=alt.Color("Vague:N", title="Vague", sort=list(waves),
                        scale=alt.Scale(domain=list(waves), range=list(WAVE_COLORS)),
                        legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("Ligne:N", title="Ligne"), alt.Tooltip("Vague:N", title="Vague"),
                 alt.Tooltip("Texte:N", title=x_title)],
    )
    labels = base.mark_text(align="left", dx=3, fontSize=10).encode(text="Texte:N", color=alt.value("#333"))
    return charts.layer(frame, base.mark_bar(), labels).properties(height=alt.Step(14))


def x_title(c: Comparison) -> str:
    return "Part (%)" if c.kind == SHARE else "Moyenne"
