"""Figure 2's classes: the distribution of a number, grouped so that bars describe groups, not people.

Single values (a mediator who supports 60 people a week) would each be one
person; classes gather them, and the classes still below k are then hidden
like any other small cell.
"""

from __future__ import annotations

import math

import pandas as pd

from app.perturbation import combine

#: Lower bounds of the classes of people per week (the last class is open).
CLASS_EDGES = (0, 1, 3, 6, 11, 16, 21, 31, 51)
CLASS = "Classe"
RESPONDENTS = "Répondant·e·s"


def class_labels(edges: tuple[int, ...] = CLASS_EDGES) -> list[str]:
    """``0``, ``1–2``, ``3–5``, …, ``51 et plus``: integer classes [lower, next lower)."""
    labels = []
    for lo, hi in zip(edges, [*edges[1:], math.inf], strict=True):
        if hi == math.inf:
            labels.append(f"{lo} et plus")
        elif hi - lo == 1:
            labels.append(str(lo))
        else:
            labels.append(f"{lo}–{hi - 1}")
    return labels


def binned(values: pd.DataFrame, edges: tuple[int, ...] = CLASS_EDGES) -> pd.DataFrame:
    """Respondents per class, every class listed, from ``value``/``respondents`` counts.

    A class's cell key (``ckey``) is the sum of its values' keys: a class is the union of its values' cells.
    """
    labels = class_labels(edges)
    classes = pd.cut(values["value"], bins=[*edges, math.inf], right=False, labels=labels)
    grouped = values.groupby(classes, observed=False)
    counts = grouped["respondents"].sum().reindex(labels, fill_value=0)
    out = pd.DataFrame({CLASS: labels, RESPONDENTS: counts.to_numpy().astype(int)})
    if "ckey" in values:
        keys = grouped["ckey"].sum().reindex(labels, fill_value=0)
        out["ckey"] = [combine(int(k)) for k in keys]
    return out
