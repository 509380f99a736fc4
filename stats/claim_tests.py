"""The tests a claim brings: the report's own test on the table its sentence states, and the rows of a table
against one another for a claim about one of its cells (see :mod:`stats.claims` for how they are judged)."""

from __future__ import annotations

import numpy as np

from stats.claims import ALPHA, REPORT_METHODS, Claim, found_direction
from stats.results import CellRow, TestRow, as_json
from stats.rules import MIN_EXPECTED


def collapsed(claim: Claim, table_cells: list[CellRow]) -> np.ndarray:
    """The 2×2 table of the claim's row against the other rows × its column against the other columns."""
    return one_against_rest(table_cells, *claim.target)


def one_against_rest(table_cells: list[CellRow], row: str, col: str) -> np.ndarray:
    """The 2×2 table of one row against the other rows × one column against the other columns."""
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
                table = one_against_rest(table_cells, row, col)
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
