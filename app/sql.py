"""Quoting for the SQL the app generates from the codebook (column names, codes): never by hand."""

from __future__ import annotations

_LITERAL, _IDENTIFIER = "'", '"'


def _quoted(text: str, quote: str) -> str:
    return quote + text.replace(quote, quote * 2) + quote


def literal(text: str) -> str:
    """``text`` as an SQL string literal."""
    return _quoted(text, _LITERAL)


def column(name: str) -> str:
    """``name`` as an SQL identifier (a column of the wide table is named after a codebook variable)."""
    return _quoted(name, _IDENTIFIER)
