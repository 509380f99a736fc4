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
from samplegen import design
from samplegen import targets as targets_mod
from samplegen.connections import KEPT, Connections, build_connections
from samplegen.export import write_manifest, write_responses
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


def make_kept(cb: codebook.Codebook, plan: Plan, n: int, seed: int) -> Columns:
    """The kept respondents, made pairwise distinct (a swap of ages within same-years groups if needed)."""
    kept = build_respondents(cb, plan, n, seed, exact=(n == plan.n))
    does = kept["does_eadmin"].astype(np.int64)
    strata = does * 10_000 + kept["years_practice"].astype(np.int64)
    distinct_rows(kept, "age", strata, np.random.default_rng([seed, 99]))
    return kept


def generate(out_dir: Path, respondents: int | None = None, wave: str = "2023", seed: int | None = None) -> Result:
    """Write ``responses_<wave>.csv``, ``manifest.csv`` and the questionnaire's survey structure
    (``limesurvey_survey_123456.lss``, as LimeSurvey would export it) into ``out_dir``."""
    cb = codebook.load()
    seed = design.DEFAULT_SEED if seed is None else seed
    w = cb.wave(wave)
    if w is None:
        known = ", ".join(x.wave for x in cb.waves)
        raise GenerationError(f"unknown wave {wave!r}: waves.csv defines {known}")
    if respondents is not None and not 1 <= respondents <= MAX_RESPONDENTS:
        raise GenerationError(f"--respondents must be between 1 and {MAX_RESPONDENTS:_}, got {respondents}")
    if seed < 0:
        raise GenerationError("--seed must be a non-negative integer")
    plan = build_plan(cb, targets_mod.load())
    n = plan.n if respondents is None else respondents
    kept = make_kept(cb, plan, n, seed)
    conn = build_connections(cb, plan, w, kept, seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    name = f"responses_{wave}.csv"
    responses = out_dir / name
    write_responses(responses, cb, conn)
    n_eadmin = int((kept["does_eadmin"] == 0).sum())
    manifest = out_dir / "manifest.csv"
    row = {"file": name, "wave": wave, "fieldwork_start": "", "fieldwork_end": ""}
    if (w.min_respondents, w.max_respondents, w.min_eadmin, w.max_eadmin) == (n, n, n_eadmin, n_eadmin):
        row.update(min_respondents="", max_respondents="", min_eadmin="", max_eadmin="")
    else:
        row.update(min_respondents=str(n), max_respondents=str(n), min_eadmin=str(n_eadmin), max_eadmin=str(n_eadmin))
    write_manifest(manifest, [row])
    write_lss(out_dir / LSS_NAME, cb)
    return Result(responses, manifest, len(conn), n, n_eadmin, _excluded(conn), plan, kept)


def _excluded(conn: Connections) -> dict[str, int]:
    reasons, counts = np.unique(conn.reason[conn.reason != KEPT].astype(str), return_counts=True)
    return dict(zip(reasons.tolist(), counts.tolist(), strict=True))
