"""What every statistic of :mod:`app.queries` shares: reading a scan's result (:mod:`app.wide`) in SQL.

A statistic is one statement over its scan's rows (registered as a view, :func:`app.db.query_over`) and the
warehouse's codebook tables; the scan is one cached query, so a page whose statistics share a scan reads its
respondents once. Summaries of values come from how many respondents gave each value (:func:`summaries_sql`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from app import wide
from app.db import query_over
from app.filters import RespondentFilter
from app.wide import Request

#: Codes and labels of a ticked / unticked box, as the warehouse's group comparisons name them.
BOX_CHOICES = (("Y", "Oui", 1), ("N", "Non", 2))
BOX_VALUES = ", ".join(f"('{code}', '{label}', {position})" for code, label, position in BOX_CHOICES)

#: The view of a scan's result, and a statement's reading of it, typed (a column of the frame that holds only
#: NULLs has no type of its own): set_name, code1, value1, code2, value2, n, ckey.
_SCAN_FRAME = "scan_frame"
_SLOTS = ", ".join(f"cast({slot} as {sql_type}) as {slot}" for slot, sql_type in wide.SLOTS)
SCAN = f"""(select cast(set_name as varchar) as set_name, {_SLOTS}, cast(n as bigint) as n,
    cast(ckey as bigint) as ckey from {_SCAN_FRAME})"""


def computed(path: Path, f: RespondentFilter, request: Request, sql: str, params: dict[str, Any]) -> pd.DataFrame:
    """``sql`` over the scan of ``f``'s selection that ``request`` asks for (cached, like the statistic)."""
    if "$sel_wave" in sql:
        params = {"sel_wave": f.wave, **params}
    return query_over(path, sql, params, {_SCAN_FRAME: wide.scan(path, f, request)})


def covering(request: Request, page: Request | None) -> Request:
    """The scan to read: the page's (``within`` of a query) when it covers ``request``, which it should; else
    both (a scan of its own, correct but read again)."""
    return request if page is None else page | request


#: The rows of the scan's one-variable sets, with the codebook's names of their variable (``prefix``: the kind of
#: dimension, :mod:`app.wide`).
def by_variable(prefix: str) -> str:
    return f"""select v.variable_name, v.question_code, v.item_code, s.code1 as code, s.value1 as value, s.n, s.ckey
        from {SCAN} as s inner join staging.stg_codebook__variables as v
            on s.set_name = '{prefix}:' || v.variable_name"""


def summaries_sql(source: str, keys: list[str]) -> str:
    """CTEs ending in ``summary`` (``keys``, n, mean, median, sd, ckey) from ``source`` (``keys``, value, n, ckey:
    the respondents who gave each value).

    The median is DuckDB's ``median`` (quantile_cont 0.5): the middle value of the sorted answers, or the two
    middle ones interpolated as DuckDB does (``lo + (hi − lo) × d``), found from the running count of
    respondents; mean and SD are those of the answers (two-pass SD over the distinct values).
    """
    by = ", ".join(keys)
    return f"""ranked as (
        select {by}, value, n, ckey,
            sum(n) over (partition by {by} order by value rows between unbounded preceding and current row) as upto,
            (cast(sum(n) over (partition by {by}) as double) - 1) * 0.5 as middle
        from {source} where value is not null
    ),
    moments as (
        select {by}, sum(n) as n, sum(value * n) / sum(n) as mean, sum(ckey) as ckey,
            min(value) filter (where upto > floor(middle)) as low,
            min(value) filter (where upto > ceil(middle)) as high,
            any_value(middle - floor(middle)) as fraction
        from ranked group by {by}
    ),
    summary as (
        select {", ".join(f"m.{k}" for k in keys)}, any_value(m.n) as n, any_value(m.mean) as mean,
            any_value(case when m.fraction = 0 then m.low else m.low + (m.high - m.low) * m.fraction end) as median,
            case when any_value(m.n) > 1
                then sqrt(sum(r.n * (r.value - m.mean) * (r.value - m.mean)) / (any_value(m.n) - 1)) end as sd,
            any_value(m.ckey) as ckey
        from moments as m inner join ranked as r using ({by}) group by {", ".join(f"m.{k}" for k in keys)}
    )"""


#: The wave's standard deviation of each value item: the scale of the noise on magnitudes (app.perturbation), as
#: the build computed it over the whole wave.
SPREAD = """spread as (
    select question_code, item_code, sd as wave_sd from report.scale_summaries where wave = $sel_wave
)"""


def split(frame: pd.DataFrame, key: str, count: int) -> list[pd.DataFrame]:
    """The rows of each of ``count`` statistics computed in one statement (``key``: 0 … count − 1)."""
    parts = frame.groupby(key, sort=False)
    return [
        (parts.get_group(i) if i in parts.groups else frame.iloc[:0]).drop(columns=key).reset_index(drop=True)
        for i in range(count)
    ]
