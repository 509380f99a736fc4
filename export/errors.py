"""The one failure an export reports to the person running it: a sentence and the exit code it ends with.

Exit codes are the build's (:mod:`pipeline.errors`), so scripts treat ``make export`` and ``make build`` alike:
2 for bad input (an unknown format or wave, no output folder, no warehouse), 3 for the machine (an output
folder that cannot be written, a full disk).
"""

from __future__ import annotations

from pipeline.errors import EXIT_BAD_INPUT, EXIT_ENVIRONMENT

__all__ = ["EXIT_BAD_INPUT", "EXIT_ENVIRONMENT", "CannotExport"]


class CannotExport(Exception):
    """What stops an export, said in one line; ``exit_code`` is what the command ends with."""

    def __init__(self, message: str, exit_code: int = EXIT_BAD_INPUT) -> None:
        super().__init__(message)
        self.exit_code = exit_code
