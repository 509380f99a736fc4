"""Failures a build reports, and the exit code of each: a module below every stage, imported by all.

| exit | meaning | what to do |
|---:|---|---|
| 0 | published | |
| 1 | the data were refused by a stage (checks, dbt tests, stats) | read the message, fix the export or the codebook |
| 2 | bad input: an export, manifest or survey structure the build cannot take | fix the file named |
| 3 | environment: disk full, permission denied, another build holds the warehouse | fix the machine or wait, rebuild |
| 4 | internal error (a bug): the traceback is in a log file named in the message | report it with the log |
"""

from __future__ import annotations

EXIT_REFUSED = 1
EXIT_BAD_INPUT = 2
EXIT_ENVIRONMENT = 3
EXIT_INTERNAL = 4

#: A machine problem as a tool words it where it raises its own error type (DuckDB) or only prints it (dbt)
#: instead of an OSError, and as the build says it to a person (like :func:`pipeline.publish.environment_problem`).
ENVIRONMENT_WORDS = {
    "No space left on device": "no space left on the device",
    "Permission denied": "permission denied",
    "Read-only file system": "read-only file system",
    "Disk quota": "disk quota exceeded",
}


def environment_words(text: str) -> str | None:
    """What machine problem ``text`` (a tool's error output) names, said for a person; None if none."""
    return next((said for words, said in ENVIRONMENT_WORDS.items() if words in text), None)


class StageFailed(Exception):
    """A stage refused the data; its message says why, for the person running the build."""

    def __init__(self, stage: str, message: str) -> None:
        super().__init__(message)
        self.stage = stage

    def __reduce__(self) -> tuple[object, tuple[type, str, str]]:
        # raised in a worker process (pipeline.workers), it crosses to the build by pickle, subclass and all
        return _restore_stage_failed, (type(self), self.stage, str(self))


def _restore_stage_failed(cls: type[StageFailed], stage: str, message: str) -> StageFailed:
    exc = Exception.__new__(cls)
    StageFailed.__init__(exc, stage, message)
    return exc


class EnvironmentProblem(Exception):
    """The machine, not the data: no space left, no permission, a lock held by another build."""
