"""Comparisons within respondents: the items of one question, answered by the same people.

Table 6 sets individual support (8.39) against collective support (2.86):
the same 155 respondents answer both, so the test is paired (the paired t and
Wilcoxon's signed-rank test; which is primary follows :mod:`stats.rules`).
Tables 4 and 5 rank the items of one question (reasons for not supporting,
types of support): whether the items differ at all is Friedman's test for
scales and Cochran's Q for ticked boxes, each respondent a block. Only the
respondents who answered every item enter (complete blocks), as in R's
``friedman.test`` and ``t.test(paired = TRUE)``.
"""

from __future__ import annotations

import numpy as np

from stats.groups import describe
from stats.results import as_json
from stats.rules import PAIRED_MEAN, PAIRED_RANK, WITHIN_BINARY, WITHIN_RANK, paired_rule


def paired_two(x: np.ndarray, y: np.ndarray, labels: tuple[str, str], kind: str) -> list[dict]:
    """Paired t and Wilcoxon signed-rank of ``x`` − ``y`` (complete pairs only)."""
    from scipy import stats

    both = ~np.isnan(x) & ~np.isnan(y)
    x, y = x[both], y[both]
    diff = x - y
    primary, rule = paired_rule(kind)
    common = dict(
        n=int(both.sum()),
        group1_label=labels[0],
        group2_label=labels[1],
        group_stats=as_json([{"label": labels[0], **describe(x)}, {"label": labels[1], **describe(y)}]),
        method_rule=rule,
        notes=[f"{int(both.sum())} personnes ayant répondu aux deux items (paires complètes)"],
    )
    if x.size:
        common |= dict(
            group1_n=int(x.size), group1_mean=float(x.mean()), group1_median=float(np.median(x)),
            group2_n=int(y.size), group2_mean=float(y.mean()), group2_median=float(np.median(y)),
        )
    rows = []
    t_row = dict(common, method="paired_t", reading=PAIRED_MEAN, is_primary=primary == PAIRED_MEAN)
    w_row = dict(common, method="wilcoxon_signed_rank", reading=PAIRED_RANK, is_primary=primary == PAIRED_RANK)
    if diff.size < 2 or np.all(diff == diff[0]):
        why = "moins de deux paires ou différences toutes égales : pas de test apparié"
        return [dict(t_row, notes=[*common["notes"], why]), dict(w_row, notes=[*common["notes"], why])]
    t = stats.ttest_rel(x, y)
    ci = t.confidence_interval(0.95)
    mean_diff = float(diff.mean())
    rows.append(
        dict(
            t_row, statistic_name="t", statistic=float(t.statistic), df=float(t.df), p_value=float(t.pvalue),
            estimate_name="mean_difference", estimate=mean_diff, ci_low=float(ci.low), ci_high=float(ci.high),
            effect_size_name="cohens_dz", effect_size=mean_diff / float(diff.std(ddof=1)),
            direction="higher" if mean_diff > 0 else "lower" if mean_diff < 0 else "equal",
        )
    )
    w = stats.wilcoxon(x, y, zero_method="wilcox", correction=True, method="auto")
    nonzero = diff[diff != 0]
    positive = float((nonzero > 0).mean()) if nonzero.size else 0.5
    rows.append(
        dict(
            w_row, statistic_name="V", statistic=float(w.statistic), p_value=float(w.pvalue),
            # the share of non-zero differences that are positive (a sign-based effect, 0.5 = no difference)
            effect_size_name="share_positive_differences", effect_size=positive,
            direction="higher" if positive > 0.5 else "lower" if positive < 0.5 else "equal",
            notes=[*common["notes"], "différences nulles écartées (méthode de Wilcoxon, comme wilcox.test de R)"],
        )
    )
    return rows


def item_pairs(matrix: np.ndarray, codes: list[str], labels: list[str], kind: str) -> list[dict]:
    """Every pair of items of a battery, within respondents: the primary paired test of :func:`paired_two`
    (Holm over the pairs in :mod:`stats.multitest`), for "the lowest" / "the highest" item claims."""
    import itertools

    rows = []
    for i, j in itertools.combinations(range(len(codes)), 2):
        for row in paired_two(matrix[:, i], matrix[:, j], (labels[i], labels[j]), kind):
            if row["is_primary"]:
                rows.append(dict(row, pair=(codes[i], codes[j])))
    return rows


def within_subjects(matrix: np.ndarray, codes: list[str], labels: list[str], kind: str) -> dict:
    """Do the items differ? Friedman's test (scales, numbers) or Cochran's Q (boxes, 1 = ticked), complete rows."""
    from scipy import stats
    from statsmodels.stats.contingency_tables import cochrans_q

    complete = matrix[~np.isnan(matrix).any(axis=1)]
    n, k = complete.shape
    if kind == "box":  # a box's groups are those who ticked it and those who did not (the disclosure policy's n)
        items = []
        for j, label in enumerate(labels):
            ticked = int(complete[:, j].sum())
            share = ticked / n if n else None
            items.append({"code": codes[j], "label": f"{label} : coché", "n": ticked, "mean": share})
            items.append({"label": f"{label} : non coché", "n": n - ticked})
    else:
        items = [{"code": codes[j], "label": label, **describe(complete[:, j])} for j, label in enumerate(labels)]
    common = dict(
        n=int(n),
        reading=WITHIN_BINARY if kind == "box" else WITHIN_RANK,
        is_primary=True, group_stats=as_json(items), groups=as_json(labels),
        notes=[f"{n} personnes ayant répondu à tous les items ({k} items)"],
    )
    means = complete.mean(axis=0) if n else np.full(k, np.nan)
    if n:
        common["direction"] = f"highest:{codes[int(np.nanargmax(means))]}"
    if kind == "box":
        common |= dict(
            method="cochran_q",
            method_rule="items cochés ou non par les mêmes personnes : Q de Cochran, seule méthode, primaire",
        )
        if n < 2 or np.all(complete == complete[0, 0]):
            return dict(common, notes=[*common["notes"], "réponses toutes identiques : pas de test"])
        res = cochrans_q(complete.astype(int), return_object=True)
        return dict(common, statistic_name="Q", statistic=float(res.statistic), df=float(res.df),
                    p_value=float(res.pvalue))
    common |= dict(
        method="friedman",
        method_rule="items notés par les mêmes personnes : test de Friedman (rangs par personne), primaire",
    )
    if n < 2 or np.all(complete == complete[0, 0]):
        return dict(common, notes=[*common["notes"], "réponses toutes identiques : pas de test"])
    res = stats.friedmanchisquare(*(complete[:, j] for j in range(k)))
    return dict(
        common, statistic_name="chi2", statistic=float(res.statistic), df=float(k - 1), p_value=float(res.pvalue),
        # Kendall's W = chi² / (n (k − 1))
        effect_size_name="kendalls_w", effect_size=float(res.statistic) / (n * (k - 1)),
    )
