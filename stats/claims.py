"""The report's comparisons in words, each judged on the primary test of the comparison it states.

The claims are data (``report_claims.csv``): the French sentence, the
comparison of ``stats.tests`` it rests on, the report's own test (``method``),
the direction the report states and the report's family of claims. Each claim
gets three readings, and ``verdict_reason`` says why when they differ; no
verdict is softened to look good:

* ``holds`` (the verdict): the comparison's **primary** test in
  ``stats.tests`` (``test_id``, chosen by :mod:`stats.rules`), with Holm over
  the comparison's **whole family** there (every place of figure 3, every site
  of figure 4, not only the ones the report picks), in the stated direction.
  A "lowest"/"highest" claim also needs the primary pairwise test of the group
  against every other group; an "over"/"under" claim on a table larger than
  2×2 needs its cell's adjusted residual beyond the Bonferroni bound over the
  table's cells.
* ``holds_robust``: the other reading of the same comparison (the rank test
  where the primary one compares means and the reverse; the exact test where
  the primary one is asymptotic and the reverse), adjusted the same way.
* ``holds_report_method``: the report's own test, as the report says it used
  "t de Student, F de Fisher, Khi-deux": ``student_t`` (group against the
  others), ``anova_f``, ``chi2_pearson`` on the 2×2 table the sentence states
  (conseillers vs other post titles × first hired or not, Pearson without
  Yates' correction, Fisher's exact test when an expected count is below 5),
  with Holm over the report's claims about the same figure (``family``).

A ``share`` claim (table 11: 61 % of respondents support online procedures
although an espace France services exists) is a proportion, not a
comparison: it holds when the 95 % Wilson interval of the cell's share meets
the shares that round to ``reported_value``; it links to the table's primary
test but has no p-value.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from pathlib import Path

from stats.errors import StatsError
from stats.results import CellRow, TestRow

CLAIMS_PATH = Path(__file__).resolve().parent / "report_claims.csv"
COLUMNS = (
    "claim_id", "report_ref", "family", "claim_fr", "comparison_id", "method", "expected_direction", "reported_value"
)
ALPHA = 0.05
#: What a claim row repeats of its test's estimate (a mean difference and its interval, for Student's t).
ESTIMATE = ("estimate_name", "estimate", "ci_low", "ci_high")
#: Each report test: the kind of comparison it applies to and the directions it can state.
METHODS = {
    "student_t": ("two_groups", ("higher", "lower")),
    "anova_f": ("k_groups", ("lowest", "highest")),
    "chi2_pearson": ("crosstab", ("over", "under")),
    "share": ("crosstab", ("share",)),
    # comparisons the report states without naming a test: judged on their primary test only
    "paired": ("paired", ("higher", "lower")),
    "groups": ("two_groups", ("higher", "lower")),
    "within": ("within", ("lowest", "highest")),
    "differs_k_groups": ("k_groups", ("differs",)),
    "differs_family": ("family", ("differs",)),
    # footnote 3: one block of a model's predictors is the most significant (smallest p of the family)
    "strongest_block": ("family", ("strongest",)),
}
#: The claims' methods that are the report's own tests (the others have no report reading).
REPORT_METHODS = ("student_t", "anova_f", "chi2_pearson", "share")


@dataclass(frozen=True)
class Claim:
    claim_id: str
    report_ref: str
    family: str
    claim_fr: str
    comparison_id: str
    method: str
    expected_direction: str
    reported_value: float | None = None
    #: Half a unit of the last decimal written in ``reported_value``: the report's rounding.
    reported_rounding: float = 0.0
    #: Why no sample matching the published figures can make the claim hold on its primary test (the bound).
    primary_test_note: str = ""

    @property
    def target(self) -> tuple[str, str]:
        """The (row, column) codes of a cross-tab claim's cell."""
        row, _, col = self.expected_direction.partition(":")[2].partition("|")
        return row, col


def _claim(path: Path, line: int, row: dict[str, str]) -> Claim:
    """One validated row of the claims file; an error names the file, the line and the column."""
    values = {c: (row[c] or "").strip() for c in COLUMNS}
    where = f"{path}, line {line}"
    method = values["method"]
    if method not in METHODS:
        raise StatsError(f"{where}: method {method!r} is not one of {', '.join(METHODS)}")
    kind, directions = METHODS[method]
    if values["comparison_id"].split(":", 1)[0] != kind:
        raise StatsError(f"{where}: method {method} tests a {kind} comparison, not {values['comparison_id']!r}")
    direction, _, target = values["expected_direction"].partition(":")
    if direction not in directions or (kind == "crosstab" and "|" not in target):
        expected = ", ".join(f"{d}:<row>|<col>" if kind == "crosstab" else d for d in directions)
        raise StatsError(f"{where}: expected_direction {values['expected_direction']!r} is not one of {expected}")
    reported, rounding = None, 0.0
    if method == "share":
        text = values["reported_value"]
        try:
            reported = float(text)
        except ValueError:
            reported = math.nan
        if not 0 <= reported <= 1:
            raise StatsError(f"{where}: reported_value {text!r} is not a share between 0 and 1")
        rounding = 0.5 * 10 ** -len(text.partition(".")[2])
    if not values["family"]:
        raise StatsError(f"{where}: family is empty (the claims Holm's correction is taken over)")
    fields = {c: values[c] for c in COLUMNS if c != "reported_value"}
    note = (row.get("primary_test_note") or "").strip()
    return Claim(**fields, reported_value=reported, reported_rounding=rounding, primary_test_note=note)


def load_claims(path: Path = CLAIMS_PATH) -> list[Claim]:
    """Read and validate the claims file; a bad row is named with its line number."""
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise StatsError(f"{path}: missing column(s) {', '.join(missing)}")
        return [_claim(path, line, row) for line, row in enumerate(reader, start=2)]


def group_direction(kind: str, test: TestRow) -> str | None:
    """``lowest:<code>`` / ``highest:<code>``: the group with the smallest / largest mean."""
    stats = [g for g in json.loads(test.group_stats or "[]") if g.get("mean") is not None]
    if not stats:
        return None
    pick = min if kind == "lowest" else max
    return f"{kind}:{pick(stats, key=lambda g: g['mean'])['code']}"


def cell_direction(claim: Claim, test: TestRow, cells: dict[tuple, CellRow]) -> str | None:
    """``over`` / ``under``: the sign of the claim's cell's adjusted residual in the full table of ``test``."""
    cell = cells.get((test.wave, test.comparison_id, *claim.target))
    if cell is None:
        return None
    return f"{'over' if cell.adjusted_residual > 0 else 'under'}:{claim.expected_direction.partition(':')[2]}"


def found_direction(claim: Claim, test: TestRow, cells: dict[tuple, CellRow]) -> str | None:
    """The direction ``test`` shows, in the vocabulary of the claim's expected direction."""
    kind = claim.expected_direction.partition(":")[0]
    if kind in ("over", "under") and test.kind == "crosstab_row_vs_rest":
        word = {"higher": "over", "lower": "under"}.get(test.direction or "")
        return f"{word}:{claim.expected_direction.partition(':')[2]}" if word else None
    if kind in ("over", "under"):
        return cell_direction(claim, test, cells)
    if kind in ("lowest", "highest"):
        return group_direction(kind, test)
    if kind == "differs":
        return "differs"
    if kind == "strongest":
        return f"strongest:{test.grouping}"
    return test.direction
