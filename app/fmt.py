"""French number formatting for the pages: decimal comma, narrow no-break spaces, hidden cells marked."""

from __future__ import annotations

import math

#: What a suppressed value shows ("s" as in the statistical offices' "secret statistique").
HIDDEN = "s"
MISSING = "—"
_THIN = "\u202f"


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: float | int | None, decimals: int = 2, strip: bool = False) -> str:
    """``1818.29`` → ``1 818,29``; with ``strip``, ``7.0`` → ``7``."""
    if _is_missing(value):
        return MISSING
    text = f"{float(value):,.{decimals}f}".replace(",", _THIN).replace(".", ",")
    if strip and "," in text:
        text = text.rstrip("0").rstrip(",")
    return text


def count(value: float | int | None) -> str:
    return number(value, 0)


def percent(value: float | None, decimals: int = 1) -> str:
    if _is_missing(value):
        return MISSING
    return f"{number(value, decimals)}{_THIN}%"


def p_value(value: float | None) -> str:
    """p-values as analysts write them: ``< 0,001`` below a thousandth, three decimals otherwise."""
    if _is_missing(value):
        return MISSING
    return f"<{_THIN}0,001" if value < 0.001 else number(value, 3)


def shown(text: str, hidden: bool) -> str:
    return HIDDEN if hidden else text
