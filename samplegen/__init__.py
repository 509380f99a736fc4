"""Synthetic raw exports of the digital mediators survey, calibrated on the 2023 report.

The 2023 microdata are not public; the report's 219 figures are. This package
writes a LimeSurvey-like raw export (every connection, every export heading of
the codebook) which, once cleaned by the warehouse's rules, reproduces every
published figure exactly at its printed precision, and which carries the
relationships the report describes. It is the test bed of the ingest, dbt,
checks and stats layers. Usage::

    python -m samplegen [--respondents N] [--out DIR] [--wave WAVE] [--seed SEED] [--report]

How (one module per step):

``targets``      the published figures (``targets.csv``, a copy of the report's file), each as an
                 interval of true values that print the same;
``design``       the choices the report leaves open (unstated bases, unpublished splits, how the
                 23 non-e-administration respondents differ, relationship strengths, exclusions);
``plan``         how many respondents give each answer, by stratum: counts are read or implied
                 (a percent of a base); the figure-3 group sizes (27 France services, 21 CCAS
                 among the 155) follow from its group means;
``calibrate``    1-10 scales and people per week: per row, the integer distribution closest in L1
                 to a smooth reference (moment-matched discretised beta; heaped log-normal) whose
                 mean, median and sample SD print as published, a small ``scipy.optimize.milp``;
                 ages, years and salaries: a smooth shape whose total is nudged to the exact sum;
``allocate``     who gives which answer: exact-count Gumbel top-k draws with log-preferences
                 (relationships), multisets handed out by rank of a latent score;
``respondents``  the kept respondents, section by section, vectorised (no loop per respondent);
``repair``       value swaps that keep every marginal: exact figure-3 group totals at the 2023
                 size, and no two kept rows identical at any size;
``connections``  the excluded connections (incomplete, test entries, out of target, duplicates)
                 and the metadata (ids, dates in the fieldwork rhythm, pages, seeds);
``export``       the CSV exactly as LimeSurvey writes it, and ``manifest.csv``;
``figures`` / ``report``  the figures recomputed, distances, relationship tests (``--report``);
``wave_shifts``  the known truth of a synthetic later wave (``wave_shifts.csv``): planted
                 differences from 2023, null controls, levels of new questions;
``waves``        a later wave (2024): the 2023 plan shifted by that truth, a population built
                 from it, and a simple random sample of it as the wave's respondents.

Everything written for a wave follows its edition of the codebook (``codebook.edition``):
its questions, items and answer codes; the 2024 export has no 2023-only question and the
2023 export no 2024 one.

At the 2023 size (178 kept) every figure is exact; at any other size the
plan's counts are scaled within each stratum, so shares, means and
relationships carry over (within about 1 % at 100 000) without exactness.
A later wave is not calibrated: its figures vary around their known expected
values as a real sample's would.
Runs are deterministic: every random stream is seeded by ``--seed`` and a
fixed step name, and no clock is read.
"""
