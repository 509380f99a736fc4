"""Whole-wave scans the build computes once, so that a page on the whole wave does not read a million rows.

Why: a page's scan (:mod:`app.wide`) groups every respondent of the selection; on the whole wave of a large
export that is most of a page's time (0.4–0.7 s at a million respondents), for a result that is the same for
every reader until the next build. The build runs each page's whole-wave scan (:func:`app.scans.page_requests`)
with this module's :func:`key` and stores the rows in ``app_cache.whole_wave_scans``, in the same file as the
answers they count (written, checked and published together). A page then reads those rows instead, through
the same query layer: everything computed from a scan, and the disclosure policy applied to it, is unchanged.

The rows hold cell keys, which depend on the record-key salt (:mod:`app.perturbation`): the build uses the salt
of its own environment. The key of a scan is the md5 of the salt, its parameters and its SQL, so the app finds
a precomputed scan only if it runs with the build's salt, the same wave and the same scan SQL (the same
codebook and the same app code); otherwise it reads the respondents, as for any filtered selection. A reader
of the app never sees the key nor the salt; a reader of the warehouse file has every answer anyway.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import duckdb

from app.perturbation import salt

SCHEMA, TABLE = "app_cache", "whole_wave_scans"
#: The precomputed scan's rows, in the live scan's columns (:data:`app.wide.SLOTS`).
READ_SQL = f"""select set_name, code1, value1, code2, value2, n, ckey from {SCHEMA}.{TABLE}
where scan_key = $scan_key"""


def key(sql: str, params: dict[str, Any]) -> str:
    """The identity of a scan: its SQL, its parameters other than the salt, and the salt (hashed together)."""
    shown = {name: value for name, value in params.items() if name != "ck_salt"}
    text = "\n".join([salt(), json.dumps(shown, sort_keys=True, default=list), sql])
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def available(path: Path) -> frozenset[str]:
    """The keys of the scans the build precomputed into the warehouse at ``path`` (none in an older warehouse)."""
    from app.db import query  # here: the build imports this module for its table's name, without Streamlit

    try:
        found = query(path, f"select distinct scan_key from {SCHEMA}.{TABLE}")
    except duckdb.CatalogException:
        return frozenset()
    return frozenset(found["scan_key"])


def lookup(path: Path, sql: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The query reading the precomputed rows of the scan ``sql`` (None: not precomputed, read the respondents)."""
    found = key(sql, params)
    return (READ_SQL, {"scan_key": found}) if found in available(path) else None
