"""Orchestration: plan, respondents, connections, files.

``generate`` is what the CLI and the tests call. It is deterministic: every
random draw comes from a numpy generator seeded by ``seed`` and a fixed step
name, no clock is read, and the files are written in a fixed order, so two
runs with the same arguments give byte-identical files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

import codebook
from codebook.lss import LSS_NAME, write_lss
from samplegen import design, waves
from samplegen import targets as targets_mod
from samplegen.connections import KEPT, Connections, build_connections
from samplegen.export import merge_manifest, write_responses
from samplegen.plan import Plan, build_plan
from samplegen.repair import distinct_rows
from samplegen.respondents import Columns, build_respondents

#: Largest export the generator accepts (about 1.2 GB of memory per million respondents).
MAX_RESPONDENTS = 5_000_000


@dataclass(frozen=True)
class Result:
    """What a run wrote and how many rows each cleaning reason should remove."""

    responses: Path
    manifest: Path
    connections: int
    kept: int
    eadmin: int
    excluded: dict[str, int]
    plan: Plan
    kept_columns: Columns


class GenerationError(ValueError):
    """A bad request (unknown wave, impossible size): reported to the user without a traceback."""


def make_kept(cb: codebook.Codebook, plan: Plan, n: int, seed: int, wave: str = design.BASE_WAVE) -> Columns:
    """The kept respondents, made pairwise distinct (a swap of ages within same-years groups if needed).

    ``cb`` is the wave's edition of the codebook. 2023 is built from its calibrated plan (exact at
    178); a later wave is a random sample of a population built from the plan shifted by its rows
    of ``wave_shifts.csv`` (``waves.py``).
    """
    if wave == design.BASE_WAVE:
        kept = build_respondents(cb, plan, n, seed, exact=(n == plan.n))
    else:
        kept = waves.sample_respondents(cb, plan, n, seed)
    does = kept["does_eadmin"].astype(np.int64)
    strata = does * 10_000 + kept["years_practice"].astype(np.int64)
    distinct_rows(kept, "age", strata, np.random.default_rng([seed, 99]))
    return kept


def generate(out_dir: Path, respondents: int | None = None, wave: str = "2023", seed: int | None = None) -> Result:
    """Write ``responses_<wave>.csv``, add its row to ``manifest.csv`` and write the questionnaire's survey
    structure (``limesurvey_survey_123456.lss``, as LimeSurvey would export it) into ``out_dir``.

    Everything written for a wave follows that wave's edition of the codebook (its questions, items,
    answer codes). Defaults: the wave's size in waves.csv (178 for 2023, calibrated exactly) and, as
    seed, the first day of its fieldwork.
    """
    cb = codebook.load()
    w = cb.wave(wave)
    if w is None:
        known = ", ".join(x.wave for x in cb.waves)
        raise GenerationError(f"unknown wave {wave!r}: waves.csv defines {known}")
    seed = waves.default_seed(w) if seed is None else seed
    if respondents is not None and not 1 <= respondents <= MAX_RESPONDENTS:
        raise GenerationError(f"--respondents must be between 1 and {MAX_RESPONDENTS:_}, got {respondents}")
    if seed < 0:
        raise GenerationError("--seed must be a non-negative integer")
    plan = build_plan(cb.edition(design.BASE_WAVE), targets_mod.load())
    if wave != design.BASE_WAVE:
        try:
            plan = waves.shifted_plan(plan, cb, wave)
        except ValueError as exc:
            raise GenerationError(f"wave_shifts.csv: {exc}") from None
    n = waves.default_respondents(w, plan) if respondents is None else respondents
    edition = cb.edition(wave)
    kept = make_kept(edition, plan, n, seed, wave)
    conn = build_connections(edition, plan, w, kept, seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    name = f"responses_{wave}.csv"
    responses = out_dir / name
    write_responses(responses, edition, conn)
    n_eadmin = int((kept["does_eadmin"] == 0).sum())
    manifest = out_dir / "manifest.csv"
    row = {"file": name, "wave": wave, "fieldwork_start": "", "fieldwork_end": ""}
    # a blank size is "as waves.csv says": only what differs from it is written
    sizes = {"min_respondents": n, "max_respondents": n, "min_eadmin": n_eadmin, "max_eadmin": n_eadmin}
    row.update({k: "" if getattr(w, k) == v else str(v) for k, v in sizes.items()})
    rows = merge_manifest(manifest, row)
    # one .lss per folder (the build reads at most one): the edition of the folder's first wave
    write_lss(out_dir / LSS_NAME, cb.edition(rows[0]["wave"]))
    return Result(responses, manifest, len(conn), n, n_eadmin, _excluded(conn), plan, kept)


def _excluded(conn: Connections) -> dict[str, int]:
    reasons, counts = np.unique(conn.reason[conn.reason != KEPT].astype(str), return_counts=True)
    return dict(zip(reasons.tolist(), counts.tolist(), strict=True))
