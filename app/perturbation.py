"""The cell key method: the same group of respondents always gets the same noise, and nobody can average it away.

This is the method of the ONS (``cell-key-perturbation``) and of the ABS's
TableBuilder, done where the data is: every kept respondent has a *record
key*, a pseudo-random integer in [0, 2³²) derived from a secret salt and
their id (:data:`RECORD_KEY_SQL`, computed in DuckDB by the selection every
query joins). A count's *cell key* is the sum of its respondents' record keys
modulo 2³², returned by the query beside the count. The noise is a pure
function of the cell key, so:

- the same set of respondents, however it is reached (another filter, another
  page, a reload), always shows the same value: repeating or rephrasing a
  query teaches nothing;
- two sets that differ by even one person have unrelated keys, hence
  unrelated noise.

Counts are *randomly rounded to base 5* (unbiased: 12 becomes 10 with
probability 3/5 and 15 with probability 2/5, the draw being the cell key).
Every shown count of a filtered selection is thus a multiple of 5, and so is
every sum or difference of shown counts: no arithmetic on what the pages show
can produce a count between 1 and 4. Magnitudes (means, medians, standard
deviations) get noise on the group's total of size ``MAGNITUDE_NOISE`` × the
wave's standard deviation of the variable, never smaller than half of that,
so differencing two means cannot give one person's answer back.

The python here never sees a respondent: only counts, sums of record keys and
aggregates.
"""

from __future__ import annotations

import math
import os

#: Keys live in [0, KEY_SPACE).
KEY_SPACE = 2**32
#: Shown counts of a filtered selection are multiples of this.
ROUNDING_BASE = 5
#: Noise on a group's total, in wave standard deviations of the variable (its size is between half and all of it).
MAGNITUDE_NOISE = 1.0
SALT_ENV = "SURVEY_RECORD_KEY_SALT"
#: Deployments set their own secret salt; the default keeps tests and screenshots reproducible.
DEFAULT_SALT = "mednum-bretagne-2023"

#: A respondent's record key, for the selection (``r`` is a respondent's row; ``$ck_salt`` is bound): the md5's low
#: 32 bits, ``md5_number(…) % 2^32``, taken with a mask because DuckDB's modulo of a UHUGEINT costs ~5 µs a row
#: (5 s per million respondents) where the mask costs nothing. Same values.
RECORD_KEY_SQL = f"cast(md5_number($ck_salt || '|' || r.wave || '|' || r.respondent_id) & {KEY_SPACE - 1} as bigint)"


def salt() -> str:
    return os.environ.get(SALT_ENV, DEFAULT_SALT)


def key_sql(expression: str) -> str:
    """SQL of a key brought back into [0, 2³²) (0 for an empty cell's null sum)."""
    return f"cast(coalesce({expression}, 0) % {KEY_SPACE} as bigint)"


def cell_key_sql(record_key: str, where: str | None = None) -> str:
    """SQL aggregate of a cell key: the sum of the cell's record keys modulo 2³²."""
    return key_sql(f"sum({record_key})" + (f" filter (where {where})" if where else ""))


def _mix(value: int) -> int:
    """splitmix64's finaliser: spreads a key's bits so that near keys give unrelated draws."""
    value = (value + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return value ^ (value >> 31)


def uniform(cell_key: int, stream: int = 0) -> float:
    """A draw in [0, 1) determined by the cell key; ``stream`` gives independent draws for one cell."""
    return _mix((int(cell_key) % KEY_SPACE) * 1_000_003 + stream) / 2.0**64


def combine(*keys: int) -> int:
    """The cell key of a union of disjoint cells (a margin is the union of its cells)."""
    return sum(int(k) for k in keys) % KEY_SPACE


def difference(whole: int, part: int) -> int:
    """The cell key of ``whole`` minus its subset ``part`` (the unticked side of a box)."""
    return (int(whole) - int(part)) % KEY_SPACE


def round_count(count: int, cell_key: int, base: int = ROUNDING_BASE) -> int:
    """Unbiased random rounding of ``count`` to a multiple of ``base``, the draw being the cell key."""
    count = int(count)
    remainder = count % base
    if remainder == 0:
        return count
    down = count - remainder
    return down + base if uniform(cell_key, 1) < remainder / base else down


def signed_noise(cell_key: int, stream: int) -> float:
    """A draw in [−1, −½] ∪ [½, 1]: never near zero, so a perturbed total is never the true one."""
    u_sign, u_size = uniform(cell_key, 100 + 2 * stream), uniform(cell_key, 101 + 2 * stream)
    return math.copysign(0.5 + 0.5 * u_size, u_sign - 0.5)


def perturb_magnitude(value: float | None, n: int, cell_key: int, scale: float | None, stream: int) -> float | None:
    """``value`` (a mean, median or SD over ``n`` answers) moved by noise of size ``MAGNITUDE_NOISE × scale / n``.

    The noise on the group's *total* is ``n`` times that: between ½ and 1 standard deviation of the
    variable, which is what a reader who differences two selections meets.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or n <= 0:
        return value
    spread = scale if scale is not None and not math.isnan(scale) and scale > 0 else 1.0
    return float(value) + MAGNITUDE_NOISE * spread * signed_noise(cell_key, stream) / n


def noise_bound(n: int, scale: float | None) -> float:
    """Largest shift :func:`perturb_magnitude` gives a value over ``n`` answers (an attacker's best knowledge)."""
    spread = scale if scale is not None and not math.isnan(scale) and scale > 0 else 1.0
    return MAGNITUDE_NOISE * spread / max(n, 1)
