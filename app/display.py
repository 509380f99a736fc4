"""Report-style tables from the query layer's shapes, with small cells suppressed.

Each builder returns what the page prints (French strings, ``s`` where a value
is hidden) and what the download holds (numbers, empty where hidden), from
the same suppression flags, so the file never tells more than the page.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from app import fmt
from app.privacy import is_small, protect_frequencies, protect_summaries, protect_table

TOTAL = "Total"
PERCENT_MODES = {"total": "du total", "row": "en ligne", "col": "en colonne"}


@dataclass(frozen=True)
class ShownTable:
    display: pd.DataFrame
    export: pd.DataFrame
    base: int
    base_hidden: bool
    any_hidden: bool


def frequency_table(
    freq: pd.DataFrame, k: int, *, with_total: bool, with_not_ticked: bool = False, with_groups: bool = False
) -> ShownTable:
    """One question's answers: count and % of the base (and the unticked side of each box, as table 2).

    ``with_groups`` adds the report's groupings of answers (education) after the answers.
    """
    protected = protect_frequencies(freq, k)
    rows = protected[protected["item_kind"].isin(["choice", "item"])].sort_values("item_position")
    if with_groups:
        groups = protected[protected["item_kind"] == "group"].sort_values("item_position")
        rows = pd.concat([rows, groups.assign(item_label="Regroupement : " + groups["item_label"])])
    base = int(rows["base_n"].iloc[0]) if len(rows) else 0
    base_hidden = bool(rows["base_hidden"].any())
    hidden = rows["hidden"].to_numpy(dtype=bool)
    labels = rows["item_label"].tolist()
    display = pd.DataFrame(
        {
            "Effectif": [fmt.shown(fmt.count(v), h) for v, h in zip(rows["count"], hidden, strict=True)],
            "Pourcentage": [fmt.shown(fmt.percent(v), h) for v, h in zip(rows["percent"], hidden, strict=True)],
        },
        index=pd.Index(labels, name="Réponse"),
    )
    export = pd.DataFrame(
        {
            "Réponse": labels,
            "Effectif": rows["count"].where(~hidden).to_numpy(),
            "Pourcentage": rows["percent"].round(1).where(~hidden).to_numpy(),
        }
    )
    if with_not_ticked:
        not_count = rows["base_n"] - rows["count"]
        not_pct = 100.0 - rows["percent"]
        display["Non : effectif"] = [fmt.shown(fmt.count(v), h) for v, h in zip(not_count, hidden, strict=True)]
        display["Non : pourcentage"] = [fmt.shown(fmt.percent(v), h) for v, h in zip(not_pct, hidden, strict=True)]
        export["Non : effectif"] = not_count.where(~hidden).to_numpy()
        export["Non : pourcentage"] = not_pct.round(1).where(~hidden).to_numpy()
    if with_total:
        display.loc[TOTAL] = [fmt.shown(fmt.count(base), base_hidden), fmt.shown(fmt.percent(100.0), base_hidden)]
        export.loc[len(export)] = [TOTAL, np.nan if base_hidden else base, np.nan if base_hidden else 100.0]
    return ShownTable(display, export, base, base_hidden, bool(hidden.any() or base_hidden))


def summary_table(summaries: pd.DataFrame, k: int) -> ShownTable:
    """Mean, median and SD per item, as tables 5–9 and 12 print them, with each item's n."""
    rows = protect_summaries(summaries, k).sort_values("item_position")
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
        export[name] = rows[source].round(decimals).where(~hidden).to_numpy()
    export["n"] = rows["n"].where(~hidden).to_numpy()
    base = int(rows["n"].max()) if len(rows) else 0
    return ShownTable(display, export, base, is_small(base, k), bool(hidden.any()))


@dataclass(frozen=True)
class CrossTable:
    """A cross-tab as counts with margins, its suppression flags and its percentages."""

    counts: pd.DataFrame  # rows × cols, no margins
    hidden: pd.DataFrame
    row_hidden: pd.Series
    col_hidden: pd.Series
    total_hidden: bool

    @property
    def any_hidden(self) -> bool:
        return bool(self.hidden.to_numpy().any() or self.row_hidden.any() or self.col_hidden.any())


def cross_table(cells: pd.DataFrame, k: int) -> CrossTable:
    """Pivot the query layer's long cells (codebook order) and protect them."""
    counts = cells.pivot_table(index="row_label", columns="col_label", values="count", aggfunc="sum", sort=False)
    row_order = cells.sort_values("row_position")["row_label"].drop_duplicates().tolist()
    col_order = cells.sort_values("col_position")["col_label"].drop_duplicates().tolist()
    counts = counts.loc[row_order, col_order].fillna(0).astype(int)
    counts.index.name, counts.columns.name = None, None
    protected = protect_table(counts.to_numpy(), k)
    return CrossTable(
        counts,
        pd.DataFrame(protected.cells, index=counts.index, columns=counts.columns),
        pd.Series(protected.row_totals, index=counts.index),
        pd.Series(protected.col_totals, index=counts.columns),
        protected.total,
    )


def with_margins(table: CrossTable) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Counts and hidden flags with a Total row and column."""
    counts = table.counts.copy()
    counts[TOTAL] = counts.sum(axis=1)
    counts.loc[TOTAL] = counts.sum(axis=0)
    hidden = table.hidden.copy()
    hidden[TOTAL] = table.row_hidden
    hidden.loc[TOTAL] = [*table.col_hidden.tolist(), table.total_hidden]
    return counts, hidden.astype(bool)


def cross_percentages(table: CrossTable, mode: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Percentages (with margins) of the total, of each row or of each column; hidden when either term is."""
    counts, hidden = with_margins(table)
    if mode == "row":
        denominators = counts[[TOTAL]].to_numpy()
        denominators_hidden = hidden[[TOTAL]].to_numpy()
    elif mode == "col":
        denominators = counts.loc[[TOTAL]].to_numpy()
        denominators_hidden = hidden.loc[[TOTAL]].to_numpy()
    elif mode == "total":
        denominators = np.full((1, 1), counts.loc[TOTAL, TOTAL])
        denominators_hidden = np.full((1, 1), hidden.loc[TOTAL, TOTAL])
    else:
        raise ValueError(f"unknown percentage mode {mode!r}; expected one of {sorted(PERCENT_MODES)}")
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = 100.0 * counts.to_numpy() / denominators
    pct_hidden = hidden.to_numpy() | denominators_hidden
    return (
        pd.DataFrame(pct, index=counts.index, columns=counts.columns),
        pd.DataFrame(pct_hidden, index=counts.index, columns=counts.columns),
    )


def cross_display(table: CrossTable, mode: str, row_title: str = "") -> pd.DataFrame:
    """Cells as the report prints them: ``n (x %)``, with ``s`` for a hidden count; rows named ``row_title``."""
    counts, hidden = with_margins(table)
    pct, pct_hidden = cross_percentages(table, mode)
    out = counts.astype(object).copy()
    for r in counts.index:
        for c in counts.columns:
            if hidden.loc[r, c]:
                out.loc[r, c] = fmt.HIDDEN
            elif pct_hidden.loc[r, c]:
                out.loc[r, c] = fmt.count(counts.loc[r, c])
            else:
                out.loc[r, c] = f"{fmt.count(counts.loc[r, c])} ({fmt.percent(pct.loc[r, c])})"
    out.index.name = row_title
    return out


def cross_export(table: CrossTable, row_title: str, col_title: str) -> pd.DataFrame:
    """Long form for the download: one row per cell with its count and percentages (empty where hidden)."""
    counts, hidden = with_margins(table)
    percents = {mode: cross_percentages(table, mode) for mode in PERCENT_MODES}
    records = []
    for r in counts.index:
        for c in counts.columns:
            record = {row_title: r, col_title: c, "Effectif": np.nan if hidden.loc[r, c] else counts.loc[r, c]}
            for mode, label in PERCENT_MODES.items():
                pct, pct_hidden = percents[mode]
                record[f"% {label}"] = np.nan if pct_hidden.loc[r, c] else round(float(pct.loc[r, c]), 1)
            records.append(record)
    return pd.DataFrame(records)
