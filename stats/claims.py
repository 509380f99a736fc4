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

import numpy as np

from stats.errors import StatsError
from stats.multitest import ALREADY_ADJUSTED, adjust
from stats.results import CellRow, ClaimRow, TestRow, as_json
from stats.rules import MIN_EXPECTED

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
    """The report's own test of the claim: a row of ``stats.tests`` (Student, ANOVA) or computed here on the
    2×2 table the sentence states."""
    if claim.method not in REPORT_METHODS:
        return dict(notes=[])
    if claim.method in ("chi2_pearson", "share"):
        table_cells = cells.get((wave, claim.comparison_id), [])
        if not table_cells:
            return dict(notes=[f"pas de tableau {claim.comparison_id} pour cette vague (test non calculé)"])
        table = collapsed(claim, table_cells)
        return chi2_claim(claim, table) if claim.method == "chi2_pearson" else share_claim(claim, table)
    test = tests.get((wave, claim.comparison_id, claim.method))
    if test is None:
        return dict(notes=[f"aucun test {claim.method} ne porte l'identifiant {claim.comparison_id}"])
    return dict(
        test_id=test.test_id,
        method=test.method,
        p_value=test.p_value,
        found_direction=found_direction(claim, test, {}),
        notes=[] if test.p_value is not None else [f"test non calculé ({test.notes})"],
    )


ROW_VS_REST = "row_vs_rest"


def row_vs_rest_id(cell: CellRow, col: str) -> str:
    """The comparison of one row of a cross-tab against the other rows, on one column against the others."""
    return f"{ROW_VS_REST}:{cell.row_variable}={cell.row_code}:{cell.col_variable}={col}"


def row_vs_rest_tests(claims: list[Claim], cells: list[CellRow]) -> list[TestRow]:
    """For a claim about one cell of a table larger than 2×2 ("65 of the 93 first hired are conseillers"): every
    row of the table against the other rows, on the claim's column against the others, tested by the table rule
    (:func:`stats.crosstab.independence`); the family is the table's rows, one hypothesis each, so the claim's
    row is adjusted over all of them, not over the rows the report happens to pick."""
    from stats.compute import make_row
    from stats.crosstab import independence

    by_table: dict[tuple, list[CellRow]] = {}
    for c in cells:
        by_table.setdefault((c.wave, c.comparison_id), []).append(c)
    wanted = {
        (claim.comparison_id, claim.target[1])
        for claim in claims
        if claim.expected_direction.partition(":")[0] in ("over", "under")
    }
    out: list[TestRow] = []
    for (wave, comparison_id), table_cells in by_table.items():
        row_codes = list(dict.fromkeys(c.row_code for c in table_cells))
        col_codes = list(dict.fromkeys(c.col_code for c in table_cells))
        for claimed, col in wanted:
            if claimed != comparison_id or (len(row_codes) <= 2 and len(col_codes) <= 2):
                continue
            first = table_cells[0]
            col_label = next((c.col_label for c in table_cells if c.col_code == col), col)
            for row in row_codes:
                table = np.zeros((2, 2), dtype=np.int64)
                for c in table_cells:
                    table[int(c.row_code != row), int(c.col_code != col)] += c.observed
                cell = next(c for c in table_cells if c.row_code == row)
                res = independence(table, [row, "autres"], [col, "autres"])
                expected = table.sum(axis=1)[0] * table.sum(axis=0)[0] / max(table.sum(), 1)
                context = dict(
                    family=f"{ROW_VS_REST}:{first.row_variable}:{first.col_variable}={col}",
                    kind="crosstab_row_vs_rest",
                    variables=f"{cell.row_label} contre les autres × {col_label} contre les autres",
                    outcome=first.col_variable,
                    grouping=first.row_variable,
                    n=int(table.sum()),
                    direction="higher" if table[0, 0] > expected else "lower" if table[0, 0] < expected else "equal",
                    groups=as_json({"rows": [cell.row_label, "autres"], "cols": [col_label, "autres"]}),
                    # every cell is a group the disclosure policy checks (app/withholding.py reads the n's)
                    group_stats=as_json([
                        {"label": f"{r} × {c}", "n": int(table[i, j])}
                        for i, r in enumerate((cell.row_label, "autres")) for j, c in enumerate((col_label, "autres"))
                    ]),
                    notes=[f"tableau 2×2 {table.tolist()} tiré de {comparison_id}"] + res.notes,
                )
                out += [make_row(wave, row_vs_rest_id(cell, col), t, **context) for t in res.rows()]
    return out


#: The other reading of a comparison, for ``holds_robust``: the test that assumes what the primary one does not.
OTHER_READING = {
    "asymptotic": "exact",
    "exact": "asymptotic",
    "rank": "unequal_variances",
    "unequal_variances": "rank",
    "paired_rank": "paired_mean",
    "paired_mean": "paired_rank",
}


@dataclass
class Index:
    """The stats rows a wave's claims are judged on, found by comparison, method, reading and pair."""

    by_method: dict[tuple, TestRow]
    primary: dict[tuple, TestRow]
    by_reading: dict[tuple, TestRow]
    pairs: dict[tuple, list[TestRow]]
    cells: dict[tuple, CellRow]
    cells_by_table: dict[tuple, list[CellRow]]

    @classmethod
    def of(cls, tests: list[TestRow], cells: list[CellRow]) -> Index:
        pairs: dict[tuple, list[TestRow]] = {}
        for t in tests:
            if t.kind == "pairwise" and t.is_primary:
                pairs.setdefault((t.wave, t.outcome, t.grouping), []).append(t)
        cells_by_table: dict[tuple, list[CellRow]] = {}
        for c in cells:
            cells_by_table.setdefault((c.wave, c.comparison_id), []).append(c)
        return cls(
            by_method={(t.wave, t.comparison_id, t.method): t for t in tests},
            primary={(t.wave, t.comparison_id): t for t in tests if t.is_primary},
            by_reading={(t.wave, t.comparison_id, t.reading): t for t in tests if not t.is_primary},
            pairs=pairs,
            cells={(c.wave, c.comparison_id, c.row_code, c.col_code): c for c in cells},
            cells_by_table=cells_by_table,
        )


def evaluate(
    claims: list[Claim],
    tests: list[TestRow],
    cells: list[CellRow],
    waves: list[str],
    planned: dict[str, set[str]] | None = None,
) -> list[ClaimRow]:
    """One row per claim and wave that asked its questions (see the module docstring for the three verdicts).

    ``planned`` gives each wave's comparison ids (the questions its edition
    asked); a claim about a question a wave did not ask has no row for that
    wave: it is not applicable, neither holding nor failing.
    """
    index = Index.of(tests, cells)
    sizes = {f: sum(c.family == f for c in claims) for f in {c.family for c in claims}}
    out = []
    for wave in waves:
        rows = []
        report_directions: dict[str, str | None] = {}
        for claim in claims:
            if planned is not None and claim.comparison_id not in planned.get(wave, set()):
                continue
            row = ClaimRow(
                claim_id=claim.claim_id, wave=wave, report_ref=claim.report_ref, family=claim.family,
                family_size=sizes[claim.family], claim_fr=claim.claim_fr, comparison_id=claim.comparison_id,
                expected_direction=claim.expected_direction, reported_value=claim.reported_value,
            )
            report = report_test(claim, wave, index.by_method, index.cells_by_table)
            row.report_method, row.report_test_id, row.p_report = (
                report.get("method"), report.get("test_id"), report.get("p_value")
            )
            report_directions[claim.claim_id] = report.get("found_direction")
            test = judged_test(claim, wave, index)
            if claim.method == "share":
                _share_verdict(row, report, test)
            else:
                for note in report["notes"]:
                    add_note(row, f"test du rapport : {note}")
                _primary_verdict(row, claim, test, index)
                _robust_verdict(row, claim, test, index)
                if not row.holds and claim.primary_test_note:
                    add_note(row, f"borne : {claim.primary_test_note}")
            rows.append(row)
        _report_verdicts(rows, report_directions)
        out += rows
    for row in out:
        _reason(row)
    return out


def judged_test(claim: Claim, wave: str, index: Index) -> TestRow | None:
    """The primary row a claim is judged on; for a whole family ("reorientation unequal by territory"), the
    family's hypothesis with the smallest Holm-adjusted p (the family differs if any of its hypotheses does)."""
    if claim.method not in ("differs_family", "strongest_block"):
        return index.primary.get((wave, judged_comparison(claim, wave, index)))
    family = claim.comparison_id.split(":", 1)[1]
    members = [t for t in index.primary.values() if t.wave == wave and t.family == family and t.p_holm is not None]
    return min(members, key=lambda t: t.p_holm, default=None)


def judged_comparison(claim: Claim, wave: str, index: Index) -> str:
    """The comparison a claim is judged on: its own, or for a cell of a table larger than 2×2, that cell's row
    against the other rows (:func:`row_vs_rest_tests`)."""
    if claim.expected_direction.partition(":")[0] not in ("over", "under"):
        return claim.comparison_id
    row, col = claim.target
    cell = index.cells.get((wave, claim.comparison_id, row, col))
    if cell is None:
        return claim.comparison_id
    candidate = row_vs_rest_id(cell, col)
    return candidate if (wave, candidate) in index.primary else claim.comparison_id


def add_note(row: ClaimRow, note: str) -> None:
    row.notes = f"{row.notes}; {note}" if row.notes else note


def _significant(p: float | None) -> bool:
    return p is not None and p < ALPHA


def _share_verdict(row: ClaimRow, share: dict, table_test: TestRow | None) -> None:
    """A share the report states: no test, the Wilson interval against the report's rounding."""
    for key in ("method", "estimate_name", "estimate", "ci_low", "ci_high", "found_direction"):
        setattr(row, key, share.get(key))
    row.test_id = table_test.test_id if table_test is not None else None
    row.holds = row.holds_report_method = bool(share.get("holds", False))
    row.report_method = share.get("method")
    for note in share["notes"]:
        add_note(row, note)


def _primary_verdict(row: ClaimRow, claim: Claim, test: TestRow | None, index: Index) -> None:
    """The comparison's primary test, adjusted over its whole family in ``stats.tests``."""
    if test is None or test.p_value is None:
        add_note(row, "test primaire non calculé" + (f" ({test.notes})" if test is not None and test.notes else ""))
        return
    for key in ("test_id", "method", "statistic_name", "statistic", "df", "df_denom", "p_value", "p_holm", "p_bh"):
        setattr(row, key, getattr(test, key))
    for key in ESTIMATE:
        setattr(row, key, getattr(test, key))
    row.test_family = test.family
    row.found_direction = found_direction(claim, test, index.cells)
    same_way = row.found_direction == claim.expected_direction
    row.significant = _significant(test.p_holm)
    family_size = sum(
        1 for t in index.primary.values() if t.wave == test.wave and t.family == test.family and t.p_value is not None
    )
    add_note(
        row,
        f"test primaire {test.method} ({test.method_rule}) ; Holm sur les {family_size} tests de la famille "
        f"{test.family} : p ajusté {test.p_holm:.3g}",
    )
    extra = True
    kind = claim.expected_direction.partition(":")[0]
    if kind in ("lowest", "highest"):
        extra = _pairwise(row, claim, test, index)
    elif kind in ("over", "under") and test.kind != "crosstab_row_vs_rest":
        extra = _cell_beyond_chance(row, claim, test, index)
    if not same_way:
        add_note(row, f"sens observé {row.found_direction}, attendu {claim.expected_direction}")
    row.holds = same_way and bool(row.significant) and extra
    row.holds_bh = same_way and _significant(test.p_bh) and extra
    row.holds_unadjusted = same_way and _significant(test.p_value) and extra


def _pairwise(row: ClaimRow, claim: Claim, test: TestRow, index: Index) -> bool:
    """"Lowest"/"highest": the group against every other one, by the primary pairwise test."""
    kind, _, code = claim.expected_direction.partition(":")
    pairs = index.pairs.get((test.wave, test.outcome, test.grouping), [])
    mine = [p for p in pairs if code in p.comparison_id.rsplit(":", 1)[-1].split("-")]
    if not mine:
        add_note(row, "aucune comparaison par paires pour ce groupe")
        return False
    verdicts = []
    for pair in mine:
        first, second = pair.comparison_id.rsplit(":", 1)[-1].split("-")
        adjusted = pair.p_value if pair.method in ALREADY_ADJUSTED else pair.p_holm
        wanted = "lower" if kind == "lowest" else "higher"
        if code == second:
            wanted = "higher" if wanted == "lower" else "lower"
        ok = pair.direction == wanted and _significant(adjusted)
        other = second if code == first else first
        verdicts.append((other, adjusted, ok))
    text = ", ".join(f"{code}–{o} p ajusté {p:.3g}{'' if ok else ' ✗'}" for o, p, ok in verdicts)
    add_note(row, f"paires ({mine[0].method}) : {text}")
    return all(ok for _, _, ok in verdicts)


def _cell_beyond_chance(row: ClaimRow, claim: Claim, test: TestRow, index: Index) -> bool:
    """"Over"/"under": on a table larger than 2×2, the claim's cell's adjusted residual beyond the Bonferroni
    bound over the table's cells (on a 2×2 table the omnibus test is the cell's test)."""
    from scipy import stats

    table = index.cells_by_table.get((test.wave, test.comparison_id), [])
    cell = index.cells.get((test.wave, test.comparison_id, *claim.target))
    if cell is None:
        add_note(row, "case de l'affirmation absente du tableau")
        return False
    if len(table) <= 4:
        return True
    bound = float(stats.norm.ppf(1 - ALPHA / (2 * len(table))))
    beyond = abs(cell.adjusted_residual) > bound
    add_note(
        row,
        f"résidu ajusté de la case {cell.adjusted_residual:.2f} ; borne de Bonferroni sur les {len(table)} cases "
        f"{bound:.2f}" + ("" if beyond else " : la case ne s'écarte pas assez de l'indépendance"),
    )
    return beyond


def _robust_verdict(row: ClaimRow, claim: Claim, test: TestRow | None, index: Index) -> None:
    """The other reading of the same comparison (rank ↔ means, exact ↔ asymptotic), adjusted over the family."""
    if test is None or test.reading not in OTHER_READING:
        return
    other = index.by_reading.get((test.wave, test.comparison_id, OTHER_READING[test.reading]))
    if other is None or other.p_value is None:
        return
    row.robust_test_id, row.method_robust = other.test_id, other.method
    row.p_robust, row.p_robust_holm = other.p_value, other.p_holm
    same_way = found_direction(claim, other, index.cells) == claim.expected_direction
    row.holds_robust = same_way and _significant(other.p_holm)


def _report_verdicts(rows: list[ClaimRow], directions: dict[str, str | None]) -> None:
    """The report's own tests, Holm over the tested claims of each family of the report."""
    families: dict[str, list[ClaimRow]] = {}
    for row in rows:
        if row.p_report is not None:
            families.setdefault(row.family, []).append(row)
    for members in families.values():
        holm, _ = adjust(r.p_report for r in members)
        for row, h in zip(members, holm, strict=True):
            row.p_report_holm = float(h)
    for row in rows:
        if row.report_method in (None, "share_wilson"):  # no test named by the report, or a share (set already)
            continue
        same_way = directions.get(row.claim_id) == row.expected_direction
        row.holds_report_method = same_way and _significant(row.p_report_holm)


def _reason(row: ClaimRow) -> None:
    """Why the readings disagree, in words; nothing when they agree."""
    readings = [
        ("test primaire", row.method, row.p_holm, row.holds),
        ("autre lecture", row.method_robust, row.p_robust_holm, row.holds_robust),
        ("test du rapport", row.report_method, row.p_report_holm, row.holds_report_method),
    ]
    known = [r for r in readings if r[3] is not None and r[1] is not None]
    if len({r[3] for r in known}) <= 1:
        return
    row.verdict_reason = " ; ".join(
        f"{what} {method} : {'se vérifie' if holds else 'ne se vérifie pas'}"
        + (f" (p ajusté {p:.3g})" if p is not None else "")
        for what, method, p, holds in known
    )
