"""The report's comparisons in words, checked against the tests behind them.

The claims are data (``report_claims.csv``): the French sentence, the
comparison that tests it and the direction the report states. Directions:

* ``higher`` / ``lower``: the group (box ticked) against the others, by mean;
* ``lowest:<code>`` / ``highest:<code>``: the group with the smallest / largest mean;
* ``over:<row>|<col>`` / ``under:<row>|<col>``: the cell is more / less frequent
  than under independence (sign of its adjusted residual).

A claim holds when the direction found is the one expected and the primary
test of the comparison is significant at ``ALPHA`` after Holm's correction
within its family. ``holds_bh`` and ``holds_unadjusted`` say the same with
Benjamini–Hochberg's correction and with none, for readers weighing a claim
that only fails the strict test.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from stats.errors import StatsError
from stats.results import CellRow, ClaimRow, TestRow

CLAIMS_PATH = Path(__file__).resolve().parent / "report_claims.csv"
COLUMNS = ("claim_id", "report_ref", "claim_fr", "comparison_id", "expected_direction")
DIRECTIONS = ("higher", "lower", "lowest", "highest", "over", "under")
ALPHA = 0.05


@dataclass(frozen=True)
class Claim:
    claim_id: str
    report_ref: str
    claim_fr: str
    comparison_id: str
    expected_direction: str


def load_claims(path: Path = CLAIMS_PATH) -> list[Claim]:
    """Read and validate the claims file; a bad row is named with its line number."""
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise StatsError(f"{path}: missing column(s) {', '.join(missing)}")
        claims = []
        for line, row in enumerate(reader, start=2):
            kind = row["expected_direction"].split(":", 1)[0]
            if kind not in DIRECTIONS:
                raise StatsError(
                    f"{path}, line {line}: expected_direction {row['expected_direction']!r} is not one of "
                    + ", ".join(DIRECTIONS)
                )
            claims.append(Claim(**{c: row[c].strip() for c in COLUMNS}))
    return claims


def found_direction(expected: str, test: TestRow, cells: dict[tuple, CellRow]) -> str | None:
    """The direction the data show, in the vocabulary of ``expected``."""
    kind, _, target = expected.partition(":")
    if kind in ("over", "under"):
        row_code, _, col_code = target.partition("|")
        cell = cells.get((test.wave, test.comparison_id, row_code, col_code))
        if cell is None:
            return None
        return f"{'over' if cell.adjusted_residual > 0 else 'under'}:{target}"
    if kind in ("lowest", "highest"):
        stats = [g for g in json.loads(test.group_stats or "[]") if g.get("mean") is not None]
        if not stats:
            return None
        pick = min if kind == "lowest" else max
        return f"{kind}:{pick(stats, key=lambda g: g['mean'])['code']}"
    return test.direction


def evaluate(claims: list[Claim], tests: list[TestRow], cells: list[CellRow], waves: list[str]) -> list[ClaimRow]:
    """One row per claim and wave."""
    primary = {(t.wave, t.comparison_id): t for t in tests if t.is_primary}
    cell_index = {(c.wave, c.comparison_id, c.row_code, c.col_code): c for c in cells}
    out = []
    for wave in waves:
        for claim in claims:
            test = primary.get((wave, claim.comparison_id))
            base = dict(
                claim_id=claim.claim_id,
                wave=wave,
                report_ref=claim.report_ref,
                claim_fr=claim.claim_fr,
                comparison_id=claim.comparison_id,
                expected_direction=claim.expected_direction,
            )
            if test is None:
                out.append(
                    ClaimRow(
                        **base, test_id=None, method=None, found_direction=None, p_value=None, p_holm=None,
                        p_bh=None, significant=None, holds=False, holds_bh=False, holds_unadjusted=False,
                        notes="aucun test ne porte cet identifiant",
                    )
                )
                continue
            found = found_direction(claim.expected_direction, test, cell_index)
            same_way = found == claim.expected_direction
            significant = None if test.p_holm is None else bool(test.p_holm < ALPHA)
            notes = []
            if test.p_value is None:
                notes.append("test non calculé" + (f" ({test.notes})" if test.notes else ""))
            elif not same_way:
                notes.append(f"sens observé {found}, attendu {claim.expected_direction}")
            elif not significant:
                notes.append(f"non significatif au seuil de {ALPHA:.0%} après correction de Holm")
            out.append(
                ClaimRow(
                    **base,
                    test_id=test.test_id,
                    method=test.method,
                    found_direction=found,
                    p_value=test.p_value,
                    p_holm=test.p_holm,
                    p_bh=test.p_bh,
                    significant=significant,
                    holds=bool(significant) and same_way,
                    holds_bh=same_way and test.p_bh is not None and test.p_bh < ALPHA,
                    holds_unadjusted=same_way and test.p_value is not None and test.p_value < ALPHA,
                    notes="; ".join(notes) or None,
                )
            )
    return out
