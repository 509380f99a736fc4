"""The one failure users meet in the stats stage."""

from __future__ import annotations

from pipeline.errors import StageFailed


class StatsError(StageFailed):
    """The warehouse or the codebook lacks what the stats stage reads; the message names the table, column or file.

    A :class:`pipeline.errors.StageFailed`, so that ``make build`` reports it as
    the stats stage's failure (and leaves the published warehouse unchanged).
    """

    def __init__(self, message: str) -> None:
        super().__init__("stats", message)
