"""The report's comparisons in words, each checked with the test the report names for it.

The claims are data (``report_claims.csv``): the French sentence, the
comparison of ``stats.tests`` it rests on, the report's test (``method``), the
direction the report states and the family it belongs to. The report says it
used "t de Student, F de Fisher, Khi-deux et régression linéaire", and the
sample was calibrated so that each relationship is significant with the test
it names; so a claim is checked with that test, on exactly the comparison the
sentence states:

* ``student_t``: the group (box ticked) against the others, ``higher`` / ``lower`` by mean;
* ``anova_f``: one-way ANOVA over the groups, ``lowest:<code>`` / ``highest:<code>`` by mean;
* ``chi2_pearson``: ``over:<row>|<col>`` / ``under:<row>|<col>``: the 2×2 table of that row against the
  other rows × that column against the other columns ("65 of the 93 first hired are conseillers" is
  conseillers vs other post titles × first hired or not, not the 5×2 table), Pearson's statistic without
  Yates' correction (the report's "Khi-deux"; the corrected one, known to be conservative, stays in
  ``stats.tests``); Fisher's exact test instead when an expected count is below 5;
* ``share``: ``share:<row>|<col>``: a proportion the report states, not a comparison (table 11 describes
  61 % of respondents who support online procedures although an espace France services exists; the
  report claims no association there). It holds when the 95 % Wilson interval of the cell's share of the
  table meets the shares that round to ``reported_value`` (``0.61``: 60.5 % to 61.5 %, the report's
  rounding, so that a large wave is not refused for the report's lack of decimals); no test, no p-value.

Holm's correction runs within the claim's ``family``: the claims the report
makes about one figure or table (figure 3: France services, CCAS and
médiathèque, a family of 3), not the figure's whole exploratory family of
``stats.tests`` (every place, every site). A claim holds when the direction
found is the one stated and its Holm-adjusted p is below ``ALPHA``.

The robust view stays beside it: ``method_robust``, ``p_robust`` and
``p_robust_holm`` are the primary method of the comparison in ``stats.tests``
(Welch, Welch's ANOVA, exact tests) with Holm over the exploratory family,
and ``holds_robust`` says whether the claim holds that way too, so an analyst
sees where the two readings agree.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from stats.crosstab import MIN_EXPECTED
from stats.errors import StatsError
from stats.multitest import adjust
from stats.results import CellRow, ClaimRow, TestRow

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
}


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
    return Claim(**fields, reported_value=reported, reported_rounding=rounding)


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
    if kind in ("over", "under"):
        return cell_direction(claim, test, cells)
    if kind in ("lowest", "highest"):
        return group_direction(kind, test)
    return test.direction


def collapsed(claim: Claim, table_cells: list[CellRow]) -> np.ndarray:
    """The 2×2 table of the claim's row against the other rows × its column against the other columns."""
    row, col = claim.target
    table = np.zeros((2, 2), dtype=np.int64)
    for c in table_cells:
        table[int(c.row_code != row), int(c.col_code != col)] += c.observed
    return table


def chi2_claim(claim: Claim, table: np.ndarray) -> dict:
    """Pearson's chi-square on the claim's 2×2 table, or Fisher's exact test when an expected count is small."""
    from scipy import stats

    row, col = claim.target
    counts = f"tableau 2×2 {table.tolist()} ({row} contre les autres lignes × {col} contre les autres colonnes)"
    if (table.sum(axis=0) == 0).any() or (table.sum(axis=1) == 0).any():
        return dict(notes=[counts, "une ligne ou une colonne vide : pas de test"])
    chi2 = stats.chi2_contingency(table, correction=False)
    over = table[0, 0] > chi2.expected_freq[0, 0]
    found = f"{'over' if over else 'under'}:{row}|{col}"
    if chi2.expected_freq.min() < MIN_EXPECTED:
        fisher = stats.fisher_exact(table)
        return dict(
            method="fisher_exact", statistic_name="odds_ratio", statistic=float(fisher.statistic), df=None,
            p_value=float(fisher.pvalue), found_direction=found,
            notes=[counts, f"effectif attendu minimal {chi2.expected_freq.min():.2f} < {MIN_EXPECTED:g} : test exact"],
        )
    return dict(
        method="chi2_pearson", statistic_name="chi2", statistic=float(chi2.statistic), df=float(chi2.dof),
        p_value=float(chi2.pvalue), found_direction=found, notes=[counts],
    )


def share_claim(claim: Claim, table: np.ndarray) -> dict:
    """The claim's cell as a share of the table, with its 95 % Wilson interval."""
    from statsmodels.stats.proportion import proportion_confint

    count, n = int(table[0, 0]), int(table.sum())
    low, high = proportion_confint(count, n, alpha=ALPHA, method="wilson")
    reported, rounding = claim.reported_value, claim.reported_rounding
    meets = bool(low <= reported + rounding and reported - rounding <= high)
    return dict(
        method="share_wilson", estimate_name="share", estimate=count / n, ci_low=float(low), ci_high=float(high),
        found_direction=claim.expected_direction, holds=meets,
        notes=[
            f"{count} sur {n} ({percent(count / n)}), IC à 95 % de Wilson [{percent(low)} ; {percent(high)}] ; "
            f"le rapport écrit {percent(reported, digits=None)} : {'compatible' if meets else 'incompatible'} ; "
            "pas de test"
        ],
    )


def percent(share: float, digits: int | None = 1) -> str:
    """A share as the report writes it: ``61,2 %`` (``digits=None``: as few decimals as needed)."""
    text = f"{100 * share:.{digits}f}" if digits is not None else f"{100 * share:g}"
    return text.replace(".", ",") + " %"


def report_test(claim: Claim, wave: str, tests: dict[tuple, TestRow], cells: dict[tuple, list[CellRow]]) -> dict:
    """The claim's own test: a row of ``stats.tests`` (Student, ANOVA) or computed here on its table."""
    if claim.method in ("chi2_pearson", "share"):
        table_cells = cells.get((wave, claim.comparison_id), [])
        if not table_cells:
            return dict(notes=[f"pas de tableau {claim.comparison_id} pour cette vague (test non calculé)"])
        table = collapsed(claim, table_cells)
        return chi2_claim(claim, table) if claim.method == "chi2_pearson" else share_claim(claim, table)
    test = tests.get((wave, claim.comparison_id, claim.method))
    if test is None:
        return dict(notes=[f"aucun test {claim.method} ne porte l'identifiant {claim.comparison_id}"])
    fields = ("test_id", "method", "statistic_name", "statistic", "df", "df_denom", "p_value") + ESTIMATE
    return {f: getattr(test, f) for f in fields} | dict(
        found_direction=found_direction(claim, test, {}),
        notes=[] if test.p_value is not None else [f"test non calculé ({test.notes})"],
    )


def evaluate(
    claims: list[Claim],
    tests: list[TestRow],
    cells: list[CellRow],
    waves: list[str],
    planned: dict[str, set[str]] | None = None,
) -> list[ClaimRow]:
    """One row per claim and wave that asked its questions, Holm-adjusted within each family of claims.

    ``planned`` gives each wave's comparison ids (the questions its edition
    asked); a claim about a question a wave did not ask has no row for that
    wave: it is not applicable, neither holding nor failing.
    """
    by_method = {(t.wave, t.comparison_id, t.method): t for t in tests}
    primary = {(t.wave, t.comparison_id): t for t in tests if t.is_primary}
    cell_index = {(c.wave, c.comparison_id, c.row_code, c.col_code): c for c in cells}
    cells_by_table: dict[tuple, list[CellRow]] = {}
    for c in cells:
        cells_by_table.setdefault((c.wave, c.comparison_id), []).append(c)
    sizes = {f: sum(c.family == f for c in claims) for f in {c.family for c in claims}}
    out = []
    for wave in waves:
        rows = []
        for claim in claims:
            if planned is not None and claim.comparison_id not in planned.get(wave, set()):
                continue
            found = report_test(claim, wave, by_method, cells_by_table)
            row = ClaimRow(
                claim_id=claim.claim_id, wave=wave, report_ref=claim.report_ref, family=claim.family,
                family_size=sizes[claim.family], claim_fr=claim.claim_fr, comparison_id=claim.comparison_id,
                expected_direction=claim.expected_direction, reported_value=claim.reported_value,
                **{k: v for k, v in found.items() if k not in ("notes", "holds")},
            )
            for note in found["notes"]:
                add_note(row, note)
            if claim.method == "share":
                row.holds = found.get("holds", False)
            else:
                _robust(row, claim, primary.get((wave, claim.comparison_id)), cell_index)
            rows.append(row)
        _adjust_within_families(rows)
        out += rows
    return out


def add_note(row: ClaimRow, note: str) -> None:
    row.notes = f"{row.notes}; {note}" if row.notes else note


def _robust(row: ClaimRow, claim: Claim, test: TestRow | None, cells: dict[tuple, CellRow]) -> None:
    """The comparison's primary method in ``stats.tests``, adjusted over its exploratory family."""
    if test is None or test.p_value is None:
        return
    row.robust_test_id, row.method_robust, row.robust_family = test.test_id, test.method, test.family
    row.p_robust, row.p_robust_holm = test.p_value, test.p_holm
    same_way = found_direction(claim, test, cells) == claim.expected_direction
    row.holds_robust = same_way and test.p_holm is not None and test.p_holm < ALPHA


def _adjust_within_families(rows: list[ClaimRow]) -> None:
    """Holm and Benjamini–Hochberg over the tested claims of each family; ``holds`` follows."""
    families: dict[str, list[ClaimRow]] = {}
    for row in rows:
        if row.p_value is not None:
            families.setdefault(row.family, []).append(row)
    for members in families.values():
        holm, bh = adjust(r.p_value for r in members)
        for row, h, b in zip(members, holm, bh, strict=True):
            row.p_holm, row.p_bh = float(h), float(b)
    for row in rows:
        if row.method == "share_wilson":
            continue
        same_way = row.found_direction == row.expected_direction
        row.significant = None if row.p_holm is None else bool(row.p_holm < ALPHA)
        row.holds = same_way and bool(row.significant)
        row.holds_bh = same_way and row.p_bh is not None and row.p_bh < ALPHA
        row.holds_unadjusted = same_way and row.p_value is not None and row.p_value < ALPHA
        if row.p_value is None:
            continue
        if not same_way:
            add_note(row, f"sens observé {row.found_direction}, attendu {row.expected_direction}")
        tested = len(families[row.family])
        add_note(
            row,
            f"Holm sur {tested} affirmation(s) de la famille {row.family}"
            + ("" if row.significant else f" : non significatif au seuil de {percent(ALPHA, digits=None)}"),
        )
        if row.holds_robust is not None and row.holds_robust != row.holds:
            add_note(
                row,
                f"méthode robuste {row.method_robust} (Holm sur la famille {row.robust_family}) : "
                f"{'se vérifie' if row.holds_robust else 'ne se vérifie pas'}",
            )
