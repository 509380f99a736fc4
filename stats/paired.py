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

from stats.counts import Counts, wilcoxon_signed_rank
from stats.groups import describe
from stats.results import as_json
from stats.rules import PAIRED_MEAN, PAIRED_RANK, WITHIN_BINARY, WITHIN_RANK, paired_rule


def paired_two(x: np.ndarray, y: np.ndarray, labels: tuple[str, str], kind: str, primary_only: bool = False
               ) -> list[dict]:
    """Paired t and Wilcoxon signed-rank of ``x`` − ``y`` (complete pairs only); ``primary_only``: the row
    :mod:`stats.rules` makes primary, alone."""
    from scipy import stats

    both = ~np.isnan(x) & ~np.isnan(y)
    x, y = x[both], y[both]
    diff = x - y
    primary, rule = paired_rule(kind)
    dx, dy = describe(x), describe(y)
    common = dict(
        n=int(both.sum()),
        group1_label=labels[0],
        group2_label=labels[1],
        group_stats=as_json([{"label": labels[0], **dx}, {"label": labels[1], **dy}]),
        method_rule=rule,
        notes=[f"{int(both.sum())} personnes ayant répondu aux deux items (paires complètes)"],
    )
    if x.size:
        common |= dict(
            group1_n=dx["n"], group1_mean=dx["mean"], group1_median=dx["median"],
            group2_n=dy["n"], group2_mean=dy["mean"], group2_median=dy["median"],
        )
    wanted = {primary} if primary_only else {PAIRED_MEAN, PAIRED_RANK}
    t_row = dict(common, method="paired_t", reading=PAIRED_MEAN, is_primary=primary == PAIRED_MEAN)
    w_row = dict(common, method="wilcoxon_signed_rank", reading=PAIRED_RANK, is_primary=primary == PAIRED_RANK)
    if diff.size < 2 or np.all(diff == diff[0]):
        why = "moins de deux paires ou différences toutes égales : pas de test apparié"
        return [dict(row, notes=[*common["notes"], why]) for row in (t_row, w_row) if row["reading"] in wanted]
    rows = []
    if PAIRED_MEAN in wanted:
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
    if PAIRED_RANK in wanted:
        differences = Counts.of(diff)
        statistic, p_value = wilcoxon_signed_rank(differences)
        moved = int(differences.counts[differences.values != 0].sum())
        positive = int(differences.counts[differences.values > 0].sum()) / moved if moved else 0.5
        rows.append(
            dict(
                w_row, statistic_name="V", statistic=statistic, p_value=p_value,
                # the share of non-zero differences that are positive (a sign-based effect, 0.5 = no difference)
                effect_size_name="share_positive_differences", effect_size=positive,
                direction="higher" if positive > 0.5 else "lower" if positive < 0.5 else "equal",
                notes=[*common["notes"], "différences nulles écartées (méthode de Wilcoxon, comme wilcox.test de R)"],
            )
        )
    return rows


def item_pairs(matrix: np.ndarray, codes: list[str], labels: list[str], kind: str) -> list[dict]:
    """Every pair of items of a battery, within respondents: the primary paired test of :func:`paired_two`
    (Holm over the pairs in :mod:`stats.multitest`), for "the lowest" / "the highest" item claims. ``matrix`` is
    best in column order (:func:`stats.compute.compare_within`): a row-major column is read at a stride."""
    import itertools

    rows = []
    for i, j in itertools.combinations(range(len(codes)), 2):
        for row in paired_two(matrix[:, i], matrix[:, j], (labels[i], labels[j]), kind, primary_only=True):
            rows.append(dict(row, pair=(codes[i], codes[j])))
    return rows


def within_subjects(matrix: np.ndarray, codes: list[str], labels: list[str], kind: str) -> dict:
    """Do the items differ? Friedman's test (scales, numbers) or Cochran's Q (boxes, 1 = ticked), complete rows."""
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
    statistic, p_value = friedman(complete)
    return dict(
        common, statistic_name="chi2", statistic=statistic, df=float(k - 1), p_value=p_value,
        # Kendall's W = chi² / (n (k − 1))
        effect_size_name="kendalls_w", effect_size=statistic / (n * (k - 1)),
    )


def friedman(complete: np.ndarray) -> tuple[float, float]:
    """Friedman's χ² and p-value of complete rows (respondents × items), as ``scipy.stats.friedmanchisquare``.

    Why not scipy's: it sorts every respondent's row (seconds at a million respondents). With a handful of items
    the midrank of an answer is 1 + the items its respondent rated lower + half the others rated the same, k²
    comparisons of whole columns; an answer tied with e − 1 others adds e² − 1 to the tie term Σ(t³ − t).
    """
    from scipy import special

    n, k = complete.shape
    columns = np.asfortranarray(complete)
    rank_sums = np.empty(k)
    ties = 0.0
    for j in range(k):
        below = np.zeros(n)
        equal = np.zeros(n)
        for other in range(k):
            below += columns[:, other] < columns[:, j]
            equal += columns[:, other] == columns[:, j]  # itself included
        rank_sums[j] = float(np.sum(1 + below + (equal - 1) / 2))
        ties += float(np.sum(equal**2 - 1))
    correction = 1 - ties / (k * (k * k - 1) * n)
    statistic = (12 / (k * n * (k + 1)) * float(np.sum(rank_sums**2)) - 3 * n * (k + 1)) / correction
    return float(statistic), float(special.chdtrc(k - 1, statistic))
