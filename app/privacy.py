"""Cell suppression for the one exact table the app prints: the wave's funnel (connections and exclusions).

Every other count goes through the cell key method (:mod:`app.disclosure`),
whose rounding breaks the additivity this module guards against. The funnel
is the published description of the sample, not filterable, so it is printed
exact, and protected the classical way. Rule: nothing describes a group of
fewer than ``k`` respondents (primary suppression). A count of 0 is shown: it describes nobody. Because tables print
their totals, hiding one cell is not enough (total − visible cells = hidden
cell), so every row and every column of a table, totals included, must hide
either none or at least two of its entries (secondary suppression). The
complement hidden is the smallest visible cell of that line, a non-zero one
first (a hidden zero next to a hidden 3 may be read as a structural zero),
a margin only when no cell is left. The loop runs until no line has exactly
one hidden entry.

These are pure functions on numbers, so the rule is tested without a
warehouse or a page.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike


@dataclass(frozen=True)
class Protected:
    """Hidden flags of a table's cells, row totals, column totals and grand total."""

    cells: np.ndarray
    row_totals: np.ndarray
    col_totals: np.ndarray
    total: bool


def is_small(value: float, k: int) -> bool:
    """A group of 1 to k − 1 respondents."""
    return 0 < value < k


def _complement(aug: np.ndarray, hidden: np.ndarray, line: list[tuple[int, int]], interior: tuple[int, int]) -> None:
    """Hide one more entry of a line that hides exactly one, preferring small non-zero inner cells."""
    rows, cols = interior
    visible = [(i, j) for i, j in line if not hidden[i, j] and (i, j) != (rows, cols)]
    if not visible:
        return

    def rank(pos: tuple[int, int]) -> tuple[int, int, float, tuple[int, int]]:
        i, j = pos
        is_margin = int(i == rows or j == cols)
        return (is_margin, int(aug[i, j] == 0), float(aug[i, j]), pos)

    i, j = min(visible, key=rank)
    hidden[i, j] = True


def protect_table(cells: ArrayLike, k: int) -> Protected:
    """Hidden entries of a table of counts whose row, column and grand totals are printed."""
    inner = np.asarray(cells, dtype=float)
    if inner.ndim != 2:
        raise ValueError(f"protect_table expects a 2-D table of counts, got shape {inner.shape}")
    rows, cols = inner.shape
    aug = np.zeros((rows + 1, cols + 1))
    aug[:rows, :cols] = inner
    aug[:rows, cols] = inner.sum(axis=1)
    aug[rows, :cols] = inner.sum(axis=0)
    aug[rows, cols] = inner.sum()
    if is_small(aug[rows, cols], k):
        hidden = np.ones_like(aug, dtype=bool)
    else:
        hidden = (aug > 0) & (aug < k)
        lines = [[(i, j) for j in range(cols + 1)] for i in range(rows + 1)]
        lines += [[(i, j) for i in range(rows + 1)] for j in range(cols + 1)]
        changed = True
        while changed:
            changed = False
            for line in lines:
                if sum(hidden[i, j] for i, j in line) == 1:
                    before = int(hidden.sum())
                    _complement(aug, hidden, line, (rows, cols))
                    changed = changed or int(hidden.sum()) > before
    return Protected(hidden[:rows, :cols], hidden[:rows, cols], hidden[rows, :cols], bool(hidden[rows, cols]))


def protect_counts(counts: ArrayLike, k: int) -> tuple[np.ndarray, bool]:
    """Hidden flags of the parts of one total (a frequency table, the groups of a comparison) and of the total."""
    result = protect_table(np.asarray(counts, dtype=float).reshape(1, -1), k)
    return result.cells[0], bool(result.row_totals[0])
