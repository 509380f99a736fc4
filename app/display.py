"""Report-style tables from the query layer's shapes, protected by the disclosure policy.

Each builder returns what the page prints (French strings, ``s`` where a
value is hidden) and what the download holds (the same shown numbers,
integer counts, ``s`` where the page shows ``s``), so the file never tells
more than the page. Every count comes with its cell key from the query layer;
:class:`app.disclosure.Policy` turns (true count, cell key) into the shown
count, so a cell shows the same value on every page that prints it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from app import fmt, perturbation
from app.disclosure import MEAN, MEDIAN, SD, Policy

TOTAL = "Total"
PERCENT_MODES = {"total": "du total", "row": "en ligne", "col": "en colonne"}


@dataclass(frozen=True)
class ShownTable:
    display: pd.DataFrame
    export: pd.DataFrame
    base: int | None  # shown base; None when hidden
    any_hidden: bool

    @property
    def base_hidden(self) -> bool:
        return self.base is None


def _percent(count: float, base: float) -> float:
    return 100.0 * count / base if base and not np.isnan(base) and not np.isnan(count) else np.nan


def export_value(value: float | None, hidden: bool, decimals: int | None = None) -> object:
    """A shown number as the download holds it: ``s`` where hidden, integers for counts, rounded otherwise."""
    if hidden:
        return fmt.HIDDEN
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return int(round(value)) if decimals is None else round(float(value), decimals)


def frequency_table(
    freq: pd.DataFrame, policy: Policy, *, with_total: bool, with_not_ticked: bool = False, with_groups: bool = False
) -> ShownTable:
    """One question's answers: count and % of the base (and the unticked side of each box, as table 2).

    ``with_groups`` adds the report's groupings of answers (education) after the answers.
    """
    rows = freq[freq["item_kind"].isin(["choice", "item"])].sort_values("item_position")
    if with_groups:
        groups = freq[freq["item_kind"] == "group"].sort_values("item_position")
        rows = pd.concat([rows, groups.assign(item_label="Regroupement : " + groups["item_label"])])
    labels = rows["item_label"].tolist()
    counts, hidden = policy.counts(rows["count"], rows["ckey"])
    bases, bases_hidden = policy.counts(rows["base_n"], rows["base_ckey"])
    percents = [_percent(c, b) for c, b in zip(counts, bases, strict=True)]
    base = None if not len(rows) or bases_hidden[0] else int(bases[0])
    display = pd.DataFrame(
        {
            "Effectif": [fmt.shown(fmt.count(v), h) for v, h in zip(counts, hidden, strict=True)],
            "Pourcentage": [fmt.shown(fmt.percent(v), h) for v, h in zip(percents, hidden, strict=True)],
        },
        index=pd.Index(labels, name="Réponse"),
    )
    export = pd.DataFrame(
        {
            "Réponse": labels,
            "Effectif": [export_value(v, h) for v, h in zip(counts, hidden, strict=True)],
            "Pourcentage": [export_value(v, h, 1) for v, h in zip(percents, hidden, strict=True)],
        }
    )
    any_hidden = bool(hidden.any())
    if with_not_ticked:
        keys = [perturbation.difference(b, c) for b, c in zip(rows["base_ckey"], rows["ckey"], strict=True)]
        not_counts, not_hidden = policy.counts(rows["base_n"] - rows["count"], keys)
        not_pct = [_percent(c, b) for c, b in zip(not_counts, bases, strict=True)]
        display["Non : effectif"] = [fmt.shown(fmt.count(v), h) for v, h in zip(not_counts, not_hidden, strict=True)]
        display["Non : pourcentage"] = [fmt.shown(fmt.percent(v), h) for v, h in zip(not_pct, not_hidden, strict=True)]
        export["Non : effectif"] = [export_value(v, h) for v, h in zip(not_counts, not_hidden, strict=True)]
        export["Non : pourcentage"] = [export_value(v, h, 1) for v, h in zip(not_pct, not_hidden, strict=True)]
        any_hidden = any_hidden or bool(not_hidden.any())
    if with_total:
        shown_total = fmt.shown(fmt.count(base), base is None)
        display.loc[TOTAL] = [shown_total, fmt.shown(fmt.percent(100.0), base is None)]
        total_row = {"Réponse": TOTAL, "Effectif": export_value(base, base is None),
                     "Pourcentage": export_value(100.0, base is None, 1)}
        export = pd.concat([export.astype(object), pd.DataFrame([total_row], dtype=object)], ignore_index=True)
    return ShownTable(display, export, base, any_hidden or base is None)


def shown_magnitudes(frame: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    """``frame`` (rows with ``n``, ``ckey``, ``wave_sd``, ``mean``, ``median``, ``sd``) as shown: rounded ``n``,
    perturbed magnitudes, ``hidden`` where fewer than k answered."""
    out = frame.copy()
    out["hidden"] = [policy.is_small(n) for n in out["n"]]
    out["n"] = [policy.count(n, key) for n, key in zip(out["n"], out["ckey"], strict=True)]
    for column, stream in (("mean", MEAN), ("median", MEDIAN), ("sd", SD)):
        out[column] = [
            policy.magnitude(None if pd.isna(v) else float(v), int(n), int(key), sd, stream)
            for v, n, key, sd in zip(frame[column], frame["n"], frame["ckey"], frame["wave_sd"], strict=True)
        ]
    return out.drop(columns=["ckey", "wave_sd"])


def summary_table(summaries: pd.DataFrame, policy: Policy) -> ShownTable:
    """Mean, median and SD per item, as tables 5–9 and 12 print them, with each item's n."""
    rows = shown_magnitudes(summaries, policy).sort_values("item_position")
    hidden = rows["hidden"].to_numpy(dtype=bool)
    labels = rows["item_label"].tolist()

    def col(name: str, decimals: int, strip: bool = False) -> list[str]:
        values = rows[name].tolist()
        return [fmt.shown(fmt.number(v, decimals, strip), h) for v, h in zip(values, hidden, strict=True)]

    display = pd.DataFrame(
        {
            "Moyenne": col("mean", 2),
            "Médiane": col("median", 1, strip=True),
            "Écart type": col("sd", 2),
            "n": [fmt.shown(fmt.count(v), h) for v, h in zip(rows["n"], hidden, strict=True)],
        },
        index=pd.Index(labels, name="Item"),
    )
    export = pd.DataFrame({"Item": labels})
    for name, source, decimals in (("Moyenne", "mean", 2), ("Médiane", "median", 1), ("Écart type", "sd", 2)):
        export[name] = [export_value(v, h, decimals) for v, h in zip(rows[source], hidden, strict=True)]
    export["n"] = [export_value(v, h) for v, h in zip(rows["n"], hidden, strict=True)]
    shown_n = [n for n, h in zip(rows["n"], hidden, strict=True) if not h]
    base = max(shown_n) if shown_n else None
    return ShownTable(display, export, base, bool(hidden.any()))


@dataclass(frozen=True)
class CrossTable:
    """A cross-tab: true inner counts (for the hidden flags and tests), and the shown counts with margins."""

    counts: pd.DataFrame  # rows × cols, true counts, no margins: never printed
    shown: pd.DataFrame  # with a Total row and column, NaN where hidden
    hidden: pd.DataFrame  # same shape as ``shown``

    @property
    def any_hidden(self) -> bool:
        return bool(self.hidden.to_numpy().any())

    @property
    def inner_shown(self) -> pd.DataFrame:
        return self.shown.drop(index=TOTAL, columns=TOTAL)


def cross_table(cells: pd.DataFrame, policy: Policy) -> CrossTable:
    """Pivot the query layer's long cells (codebook order), add margins with their cell keys, apply the policy."""
    row_order = cells.sort_values("row_position")["row_label"].drop_duplicates().tolist()
    col_order = cells.sort_values("col_position")["col_label"].drop_duplicates().tolist()

    def pivot(values: str) -> pd.DataFrame:
        wide = cells.pivot_table(index="row_label", columns="col_label", values=values, aggfunc="sum", sort=False)
        wide = wide.loc[row_order, col_order].fillna(0).astype("int64")
        wide.index.name, wide.columns.name = None, None
        return wide

    counts, keys = pivot("count"), pivot("ckey")
    full_counts, full_keys = counts.copy(), keys.copy()
    full_counts[TOTAL] = counts.sum(axis=1)
    full_keys[TOTAL] = keys.sum(axis=1)
    full_counts.loc[TOTAL] = full_counts.sum(axis=0)
    full_keys.loc[TOTAL] = full_keys.sum(axis=0)
    shown, hidden = policy.counts(full_counts.to_numpy(), (full_keys % perturbation.KEY_SPACE).to_numpy())
    return CrossTable(
        counts,
        pd.DataFrame(shown, index=full_counts.index, columns=full_counts.columns),
        pd.DataFrame(hidden, index=full_counts.index, columns=full_counts.columns),
    )


def cross_percentages(table: CrossTable, mode: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Percentages (with margins) of the total, of each row or of each column, from the shown counts."""
    shown, hidden = table.shown, table.hidden
    if mode == "row":
        denominators = shown[[TOTAL]].to_numpy()
    elif mode == "col":
        denominators = shown.loc[[TOTAL]].to_numpy()
    elif mode == "total":
        denominators = np.full((1, 1), shown.loc[TOTAL, TOTAL])
    else:
        raise ValueError(f"unknown percentage mode {mode!r}; expected one of {sorted(PERCENT_MODES)}")
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = 100.0 * shown.to_numpy() / np.where(denominators == 0, np.nan, denominators)
    pct_hidden = hidden.to_numpy() | np.isnan(pct)
    return (
        pd.DataFrame(pct, index=shown.index, columns=shown.columns),
        pd.DataFrame(pct_hidden, index=shown.index, columns=shown.columns),
    )


def cross_display(table: CrossTable, mode: str, row_title: str = "") -> pd.DataFrame:
    """Cells as the report prints them: ``n (x %)``, with ``s`` for a hidden count; rows named ``row_title``."""
    pct, pct_hidden = cross_percentages(table, mode)
    out = table.shown.astype(object).copy()
    for r in out.index:
        for c in out.columns:
            value = table.shown.loc[r, c]
            if table.hidden.loc[r, c]:
                out.loc[r, c] = fmt.HIDDEN
            elif pct_hidden.loc[r, c]:
                out.loc[r, c] = fmt.count(value)
            else:
                out.loc[r, c] = f"{fmt.count(value)} ({fmt.percent(pct.loc[r, c])})"
    out.index.name = row_title
    return out


def cross_export(table: CrossTable, row_title: str, col_title: str) -> pd.DataFrame:
    """Long form for the download: one row per cell with its shown count and percentages (``s`` where hidden)."""
    percents = {mode: cross_percentages(table, mode) for mode in PERCENT_MODES}
    records = []
    for r in table.shown.index:
        for c in table.shown.columns:
            hidden = bool(table.hidden.loc[r, c])
            record = {row_title: r, col_title: c, "Effectif": export_value(table.shown.loc[r, c], hidden)}
            for mode, label in PERCENT_MODES.items():
                pct, pct_hidden = percents[mode]
                record[f"% {label}"] = export_value(pct.loc[r, c], bool(pct_hidden.loc[r, c]), 1)
            records.append(record)
    return pd.DataFrame(records)
