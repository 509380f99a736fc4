"""Altair charts of the report's figures, drawn from already-protected frames.

Charts never see a hidden value: callers drop suppressed groups before
drawing and say so beneath. Labels on bars are French strings prepared by
:mod:`app.fmt`, since Vega's number format is English.
"""

from __future__ import annotations

import functools

import altair as alt
import pandas as pd

# Altair validates every part of a chart as it is built, then the whole chart again when Streamlit serialises it
# (to_dict): the second check still stops a malformed chart, the first costs a tenth of a second a page.
alt.utils.schemapi.disable_debug_mode()



def unchecked(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """``chart``, serialised by Streamlit without Altair's JSON-schema check of the whole spec (a third of the
    Figures page's render time). The charts are this module's own, and a test checks every chart each page
    draws against the schema (tests/test_app_pages.py)."""
    object.__setattr__(chart, "to_dict", functools.partial(chart.to_dict, validate=False))
    return chart


GROUP_COLORS = {"Oui": "#1f5fa8", "Non": "#b7c7db"}
BAR_COLOR = "#1f5fa8"
_LABEL_LIMIT = 360
#: Vega formats numbers the English way; axis labels get a decimal comma.
FRENCH_LABELS = "replace(datum.label, '.', ',')"


def layer(frame: pd.DataFrame, *charts: alt.Chart) -> alt.LayerChart:
    """Bars and their labels over one data set given once: layers that each carry the frame make Altair hash its
    text rendering (pandas' to_string) to name them, a tenth of a second per figure."""
    return alt.layer(*charts, data=frame)


def hbar(frame: pd.DataFrame, category: str, value: str, text: str, x_title: str) -> alt.Chart:
    """One horizontal bar per category, in the frame's order, with its value written at the end."""
    order = frame[category].tolist()
    base = alt.Chart().encode(
        y=alt.Y(f"{category}:N", sort=order, title=None, axis=alt.Axis(labelLimit=_LABEL_LIMIT)),
        x=alt.X(f"{value}:Q", title=x_title, axis=alt.Axis(labelExpr=FRENCH_LABELS)),
        tooltip=[alt.Tooltip(f"{category}:N", title="Catégorie"), alt.Tooltip(f"{text}:N", title=x_title)],
    )
    bars = base.mark_bar(color=BAR_COLOR)
    labels = base.mark_text(align="left", dx=4).encode(text=f"{text}:N")
    return layer(frame, bars, labels).properties(height=alt.Step(28))


def grouped_hbar(
    frame: pd.DataFrame, category: str, group: str, value: str, text: str, x_title: str, group_title: str
) -> alt.Chart:
    """Bars of two groups (intervient ou non) side by side for each category (figures 3–6)."""
    order = frame[category].drop_duplicates().tolist()
    groups = [g for g in GROUP_COLORS if g in set(frame[group])] or sorted(frame[group].unique())
    base = alt.Chart().encode(
        y=alt.Y(f"{category}:N", sort=order, title=None, axis=alt.Axis(labelLimit=_LABEL_LIMIT)),
        yOffset=alt.YOffset(f"{group}:N", sort=groups),
        x=alt.X(f"{value}:Q", title=x_title, axis=alt.Axis(labelExpr=FRENCH_LABELS)),
        color=alt.Color(
            f"{group}:N",
            title=group_title,
            sort=groups,
            scale=alt.Scale(domain=groups, range=[GROUP_COLORS.get(g, BAR_COLOR) for g in groups]),
            legend=alt.Legend(orient="top", titleLimit=600, labelLimit=300),
        ),
        tooltip=[
            alt.Tooltip(f"{category}:N", title="Catégorie"),
            alt.Tooltip(f"{group}:N", title=group_title),
            alt.Tooltip(f"{text}:N", title=x_title),
        ],
    )
    bars = base.mark_bar()
    labels = base.mark_text(align="left", dx=3, fontSize=10).encode(text=f"{text}:N", color=alt.value("#333"))
    return layer(frame, bars, labels).properties(height=alt.Step(14))


def histogram(frame: pd.DataFrame, bin_label: str, count: str, text: str, x_title: str, y_title: str) -> alt.Chart:
    """Vertical bars of classes in the frame's order (figure 2)."""
    order = frame[bin_label].tolist()
    base = alt.Chart().encode(
        x=alt.X(f"{bin_label}:N", sort=order, title=x_title, axis=alt.Axis(labelAngle=0)),
        y=alt.Y(f"{count}:Q", title=y_title, axis=alt.Axis(format="d", tickMinStep=5)),
        tooltip=[alt.Tooltip(f"{bin_label}:N", title=x_title), alt.Tooltip(f"{text}:N", title=y_title)],
    )
    labels = base.mark_text(dy=-6).encode(text=f"{text}:N")
    return layer(frame, base.mark_bar(color=BAR_COLOR), labels).properties(height=320)
