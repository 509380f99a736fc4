"""Each claim's three readings (primary test, other reading, the report's own test), wave by wave.

See :mod:`stats.claims` for what each reading is; this module finds the rows of
``stats.tests`` a claim is judged on and writes the ``stats.report_claims`` rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from stats.claim_tests import report_test, row_vs_rest_id
from stats.claims import ALPHA, ESTIMATE, Claim, found_direction
from stats.multitest import ALREADY_ADJUSTED, adjust
from stats.results import CellRow, ClaimRow, TestRow

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
