"""Run each planned comparison on one wave and shape the results as table rows.

The statistics live in :mod:`stats.crosstab`, :mod:`stats.groups` and
:mod:`stats.regression`; this module selects the respondents each comparison
concerns (those the questions were asked to, per the codebook), counts the
missing answers it drops, and labels the rows. Cross-tabulations and two-group
comparisons arrive as counts from DuckDB (:mod:`stats.data`); the comparisons
of several groups and the models, as arrays of individual answers.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from stats import data
from stats.counts import Counts
from stats.crosstab import independence
from stats.groups import k_groups, two_groups
from stats.paired import item_pairs, paired_two, within_subjects
from stats.plan import Crosstab, KGroups, Model, Paired, TwoGroups, Var, Within
from stats.regression import COV_TYPE, Predictor, fit_ols
from stats.results import CellRow, CoefficientRow, TestRow, as_json
from stats.rules import MODEL, MODEL_RULE

Arrays = dict[str, np.ndarray]
SELECTED = 0  # index of "Y" in plan.BOX_CHOICES


def make_row(wave: str, comparison_id: str, result: dict, **context) -> TestRow:
    """A TestRow from a method's result dict and the comparison's context; notes joined into one text."""
    fields = dict(context) | result
    notes = [*context.get("notes", []), *result.get("notes", [])]
    fields["notes"] = "; ".join(dict.fromkeys(notes)) or None
    fields.pop("pair", None)
    method = fields["method"]
    return TestRow(test_id=f"{wave}|{comparison_id}|{method}", wave=wave, comparison_id=comparison_id, **fields)


def missing_note(n_missing: int) -> list[str]:
    return [f"{n_missing} réponse(s) manquante(s) écartée(s)"] if n_missing else []


def comparison_context(family: str, kind: str, outcome: Var, grouping: Var, n_missing: int, **fields) -> dict:
    """The columns every test row of one comparison shares: what is compared with what, what is missing.

    ``fields`` add to them or replace them (a cross-tabulation names its two variables differently)."""
    return dict(
        family=family,
        kind=kind,
        variables=f"{outcome.label} selon {grouping.label}",
        outcome=outcome.name,
        outcome_label=outcome.label,
        grouping=grouping.name,
        grouping_label=grouping.label,
        n_missing=n_missing,
        notes=missing_note(n_missing),
    ) | fields


def as_ticked(values: np.ndarray) -> np.ndarray:
    """A box's array (its choice index, 0 for "ticked") as 1 ticked / 0 not, missing kept missing."""
    return np.where(np.isnan(values), np.nan, (values == SELECTED).astype(float))


def asked(arrays: Arrays, var: Var, by_name: dict[str, Var]) -> np.ndarray:
    """Mask of the respondents the question was asked to."""
    size = len(next(iter(arrays.values()))) if arrays else 0
    if var.asked_if is None:
        return np.ones(size, dtype=bool)
    question, choice = var.asked_if
    gate = by_name[question]
    index = [code for code, _ in gate.choices].index(choice)
    return arrays[question] == index


def crosstab(con: duckdb.DuckDBPyConnection, wave: str, spec: Crosstab) -> tuple[list[TestRow], list[CellRow]]:
    table, n_missing = data.crosstab_counts(con, wave, spec.row, spec.col)
    row_codes = [c for c, _ in spec.row.choices]
    col_codes = [c for c, _ in spec.col.choices]
    res = independence(table, row_codes, col_codes, spec.row.labels, spec.col.labels)
    context = comparison_context(
        spec.family,
        "crosstab",
        spec.col,
        spec.row,
        n_missing,
        variables=f"{spec.row.label} × {spec.col.label}",
        groups=as_json(
            {"rows": [spec.row.labels[c] for c in res.row_codes], "cols": [spec.col.labels[c] for c in res.col_codes]}
        ),
        n=res.n,
        notes=missing_note(n_missing) + res.notes,
    )
    results = res.rows()
    rows = [make_row(wave, spec.comparison_id, r, **context) for r in results]
    cells = []
    if res.expected is not None:
        observed = res.observed
        row_tot = observed.sum(axis=1, keepdims=True)
        col_tot = observed.sum(axis=0, keepdims=True)
        for i, r in enumerate(res.row_codes):
            for j, c in enumerate(res.col_codes):
                cells.append(
                    CellRow(
                        test_id=rows[0].test_id,
                        wave=wave,
                        comparison_id=spec.comparison_id,
                        row_variable=spec.row.name,
                        row_code=r,
                        row_label=spec.row.labels[r],
                        col_variable=spec.col.name,
                        col_code=c,
                        col_label=spec.col.labels[c],
                        observed=int(observed[i, j]),
                        expected=float(res.expected[i, j]),
                        row_percent=float(100 * observed[i, j] / row_tot[i, 0]),
                        col_percent=float(100 * observed[i, j] / col_tot[0, j]),
                        adjusted_residual=float(res.adjusted_residuals[i, j]),
                    )
                )
    return rows, cells


def compare_two(wave: str, spec: TwoGroups, counts: data.GroupedCounts) -> list[TestRow]:
    """The group (box ticked) against the others, from the outcome's value counts in each."""
    labels = (f"{spec.group.short_label}=Oui", f"{spec.group.short_label}=Non")
    context = comparison_context(
        spec.family, "two_groups", spec.outcome, spec.group, counts.n_missing, groups=as_json(list(labels))
    )
    rest = [c for i, c in enumerate(counts.by_choice) if i != SELECTED]
    others = Counts.tally(np.concatenate([c.values for c in rest]), np.concatenate([c.counts for c in rest]))
    results = two_groups(counts.by_choice[SELECTED], others, labels, spec.outcome.kind)
    return [make_row(wave, spec.comparison_id, r, **context) for r in results]


def compare_k(wave: str, spec: KGroups, arrays: Arrays, by_name: dict[str, Var]) -> list[TestRow]:
    population = asked(arrays, spec.outcome, by_name) & asked(arrays, spec.group, by_name)
    y, g = arrays[spec.outcome.name][population], arrays[spec.group.name][population]
    valid = ~np.isnan(y) & ~np.isnan(g)
    n_missing = int((~valid).sum())
    codes = [c for c, _ in spec.group.choices]
    present = [i for i in range(len(codes)) if np.any(valid & (g == i))]
    groups = [y[valid & (g == i)] for i in present]
    context = comparison_context(spec.family, "k_groups", spec.outcome, spec.group, n_missing)
    omnibus, pairs = k_groups(
        groups, [codes[i] for i in present], spec.group.labels, spec.outcome.kind, pairs=spec.pairs
    )
    rows = [make_row(wave, spec.comparison_id, r, **context) for r in omnibus]
    for r in pairs:
        a, b = r["pair"]
        pair_id = f"pairwise:{spec.outcome.name}:{spec.group.name}:{a}-{b}"
        pair_context = context | dict(
            family=f"pairs:{spec.outcome.name}_by_{spec.group.name}",
            kind="pairwise",
            groups=as_json([spec.group.labels[a], spec.group.labels[b]]),
            notes=[],
        )
        rows.append(make_row(wave, pair_id, r, **pair_context))
    return rows


def compare_paired(wave: str, spec: Paired, arrays: Arrays, by_name: dict[str, Var]) -> list[TestRow]:
    """Two items of one question, the same respondents (table 6)."""
    population = asked(arrays, spec.first, by_name)
    x, y = arrays[spec.first.name][population], arrays[spec.second.name][population]
    n_missing = int((np.isnan(x) | np.isnan(y)).sum())
    labels = (spec.first.short_label, spec.second.short_label)
    context = comparison_context(
        spec.family, "paired", spec.first, spec.second, n_missing,
        variables=f"{spec.first.label} / {spec.second.short_label}", groups=as_json(list(labels)),
    )
    return [make_row(wave, spec.comparison_id, r, **context) for r in paired_two(x, y, labels, spec.first.kind)]


def compare_within(wave: str, spec: Within, arrays: Arrays, by_name: dict[str, Var]) -> list[TestRow]:
    """Do the items of one question differ within respondents (tables 4 and 5)?"""
    first = spec.items[0]
    population = asked(arrays, first, by_name)
    columns = [arrays[v.name][population] for v in spec.items]
    if first.kind == "box":  # box arrays hold the choice's index: 0 is "ticked"
        columns = [as_ticked(c) for c in columns]
    # items as columns, each contiguous (column order): the paired tests read one item at a time
    matrix = np.asfortranarray(np.column_stack(columns)) if columns else np.empty((0, 0))
    n_missing = int(np.isnan(matrix).any(axis=1).sum()) if matrix.size else 0
    codes = [v.name.split("__", 1)[-1] for v in spec.items]
    labels = [v.short_label for v in spec.items]
    result = within_subjects(matrix, codes, labels, first.kind)
    context = dict(
        family=spec.family, kind="within", variables=first.label.split(" : ")[0], outcome=spec.question_code,
        outcome_label=first.label.split(" : ")[0], grouping="items", n_missing=n_missing,
        notes=missing_note(n_missing),
    )
    rows = [make_row(wave, spec.comparison_id, result, **context)]
    if first.kind != "scale" or matrix.size == 0:
        return rows
    for pair in item_pairs(matrix, codes, labels, first.kind):
        a, b = pair["pair"]
        pair_context = context | dict(family=f"pairs:{spec.question_code}_items", kind="pairwise", notes=[])
        rows.append(make_row(wave, f"pairwise:{spec.question_code}:items:{a}-{b}", pair, **pair_context))
    return rows


def model_frame(spec: Model, arrays: Arrays, by_name: dict[str, Var]) -> tuple[pd.DataFrame, list[Predictor]]:
    """The respondents asked the outcome, with boxes as 0/1, choices as codes, numbers as they are."""
    population = asked(arrays, spec.outcome, by_name)
    columns = {spec.outcome.name: arrays[spec.outcome.name][population]}
    predictors = []
    for v in spec.predictors:
        values = arrays[v.name][population]
        if v.kind == "box":
            columns[v.name] = as_ticked(values)
            # a question's boxes are one block (the places), tested together
            predictors.append(Predictor(v.name, v.label, block=v.question_code, block_label=v.label.split(" : ")[0]))
        elif v.choices:
            codes = np.array([c for c, _ in v.choices] + [None], dtype=object)
            index = np.where(np.isnan(values), len(v.choices), values).astype(int)
            columns[v.name] = pd.Series(codes[index], dtype=object)
            predictors.append(Predictor(v.name, v.label, categorical=True, level_labels=v.labels))
        else:
            columns[v.name] = values
            predictors.append(Predictor(v.name, v.label))
    return pd.DataFrame(columns), predictors


def regression(wave: str, spec: Model, arrays: Arrays, by_name: dict[str, Var]) -> tuple[list[TestRow], list]:
    frame, predictors = model_frame(spec, arrays, by_name)
    fitted = fit_ols(frame, spec.outcome.name, predictors)
    m = fitted.model
    model_row = make_row(
        wave,
        spec.comparison_id,
        dict(
            method="ols_hc3_wald_f",
            reading=MODEL,
            is_primary=True,
            method_rule=MODEL_RULE,
            statistic_name="F",
            statistic=m.get("f_statistic"),
            df=m.get("df_model"),
            df_denom=m.get("df_resid"),
            p_value=m.get("f_pvalue"),
            effect_size_name="r_squared",
            effect_size=m.get("r_squared"),
            notes=[f"formule : {m['formula']}"] if "formula" in m else [],
        ),
        family=f"regression_models:{spec.outcome.name}",
        kind="regression_model",
        variables=f"{spec.outcome.label} ~ " + ", ".join(p.label for p in predictors),
        outcome=spec.outcome.name,
        outcome_label=spec.outcome.label,
        n=m["n"],
        n_missing=m["n_missing"],
        notes=fitted.notes + [f"erreurs-types robustes {COV_TYPE}"],
    )
    rows, coefficients = [model_row], []
    for b in fitted.blocks:
        rows.append(
            make_row(
                wave,
                f"{spec.comparison_id}:block:{b['block']}",
                dict(
                    method="ols_hc3_wald_f", reading=MODEL, is_primary=True, method_rule=MODEL_RULE,
                    statistic_name="F", statistic=b["statistic"], df=b["df"], df_denom=b["df_denom"],
                    p_value=b["p_value"],
                ),
                family=spec.block_family,
                kind="regression_block",
                variables=f"{b['label']} ({b['n_terms']} coefficient(s) testés ensemble)",
                outcome=spec.outcome.name,
                outcome_label=spec.outcome.label,
                grouping=b["block"],
                grouping_label=b["label"],
                n=m["n"],
                n_missing=m["n_missing"],
                notes=[f"modèle {spec.model_id}, test de Wald joint, erreurs-types robustes {COV_TYPE}"],
            )
        )
    for t in fitted.terms:
        term_id = f"{spec.comparison_id}:{t['term']}"
        if t["variable"] is not None:
            rows.append(
                make_row(
                    wave,
                    term_id,
                    dict(
                        method="ols_hc3_t",
                        reading=MODEL,
                        is_primary=True,
                        method_rule=MODEL_RULE,
                        statistic_name="t",
                        statistic=t["t_value"],
                        df=m["df_resid"],
                        p_value=t["p_value"],
                        estimate_name="coefficient",
                        estimate=t["coefficient"],
                        ci_low=t["ci_low"],
                        ci_high=t["ci_high"],
                        direction="higher" if t["coefficient"] > 0 else "lower",
                    ),
                    family=spec.family,
                    kind="regression_term",
                    variables=t["term_label"],
                    outcome=spec.outcome.name,
                    outcome_label=spec.outcome.label,
                    grouping=t["variable"],
                    n=m["n"],
                    n_missing=m["n_missing"],
                    notes=[f"modèle {spec.model_id}, erreurs-types robustes {COV_TYPE}"],
                )
            )
        coefficients.append(
            CoefficientRow(
                test_id=model_row.test_id,
                wave=wave,
                model_id=spec.model_id,
                outcome=spec.outcome.name,
                **{k: t[k] for k in ("term", "term_label", "variable", "level", "coefficient", "std_error")},
                **{k: t[k] for k in ("t_value", "p_value", "ci_low", "ci_high")},
                p_holm=None,
                p_bh=None,
                n=m["n"],
                r_squared=m.get("r_squared"),
                adj_r_squared=m.get("adj_r_squared"),
                cov_type=COV_TYPE,
                notes=model_row.notes,
            )
        )
    return rows, coefficients
