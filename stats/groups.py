"""Comparisons of a numeric answer between groups of respondents.

Two groups (figures 3–6: those who work in a place against those who do not):
Student's t (the report's test), Welch's t and Mann–Whitney's U. Several groups
(figure 1: years of practice by post title): one-way ANOVA, Welch's ANOVA,
Kruskal–Wallis, and the pairs by Tukey's HSD, Games–Howell or Mann–Whitney.
Which one is primary follows :mod:`stats.rules`: the rank tests on a 1–10
scale or where a group has no spread, Welch's otherwise, the same way on both
paths.

Each function takes the answers (missing ones already removed) and returns
dicts of column values for :class:`stats.results.TestRow`; a comparison that
cannot be computed returns rows without p-value and with a note saying why.
Two groups may come as value counts (:class:`stats.counts.Counts`): every test
of two groups here only needs them, and they stay small at any sample size.
"""

from __future__ import annotations

import itertools

import numpy as np

from stats import studentized
from stats.counts import Counts, aligned, mann_whitney_u
from stats.results import as_json
from stats.rules import EQUAL_VARIANCES, RANK, UNEQUAL_VARIANCES, groups_rule

MIN_PER_GROUP = 2


def describe(values: np.ndarray) -> dict:
    """n, mean, standard deviation (n − 1) and median of one group, from its value counts (:class:`Counts`:
    a million scale answers are counted in one pass, where a median would sort them)."""
    return Counts.of(values).describe()


def direction(difference: float | None) -> str | None:
    if difference is None or not np.isfinite(difference):
        return None
    return "higher" if difference > 0 else "lower" if difference < 0 else "equal"


def cohens_d(x: Counts, y: Counts) -> float:
    """Mean difference over the pooled standard deviation (Cohen 1988, eq. 2.5.2).

    Neither scipy nor statsmodels exposes the uncorrected d; Hedges' g (the
    bias-corrected d) comes from statsmodels in :func:`two_groups`.
    """
    dx, dy = x.describe(), y.describe()
    nx, ny = dx["n"], dy["n"]
    pooled = np.sqrt(((nx - 1) * dx["sd"] ** 2 + (ny - 1) * dy["sd"] ** 2) / (nx + ny - 2))
    return float((dx["mean"] - dy["mean"]) / pooled)


#: The reading of each two-group method (stats.rules).
TWO_GROUP_READINGS = {"student_t": EQUAL_VARIANCES, "welch_t": UNEQUAL_VARIANCES, "mann_whitney_u": RANK}


def degenerate_groups(groups: list[Counts], labels: list[str]) -> list[str]:
    """The groups a test of means cannot lean on: all answers equal, or fewer than two."""
    return [label for label, g in zip(labels, groups, strict=True) if g.n < MIN_PER_GROUP or g.constant]


def two_groups(
    x: Counts | np.ndarray, y: Counts | np.ndarray, labels: tuple[str, str], kind: str = "number"
) -> list[dict]:
    """Student t, Welch t and Mann–Whitney U for ``x`` (the group) against ``y`` (the others).

    ``kind`` is the outcome's (``scale`` or ``number``): with the groups' spread, it decides which method is
    primary (:func:`stats.rules.groups_rule`).

    Each group is given as raw answers or as their value counts
    (:class:`stats.counts.Counts`, what the stats stage passes): the tests
    only need the counts, which stay small however many respondents answer.
    """
    x = x if isinstance(x, Counts) else Counts.of(x)
    y = y if isinstance(y, Counts) else Counts.of(y)
    dx, dy = x.describe(), y.describe()
    common = dict(
        group1_label=labels[0],
        group1_n=dx["n"],
        group1_mean=dx["mean"],
        group1_median=dx["median"],
        group2_label=labels[1],
        group2_n=dy["n"],
        group2_mean=dy["mean"],
        group2_median=dy["median"],
        group_stats=as_json([{"label": labels[0], **dx}, {"label": labels[1], **dy}]),
        n=dx["n"] + dy["n"],
        estimate_name="mean_difference",
        estimate=dx["mean"] - dy["mean"] if dx["n"] and dy["n"] else None,
    )
    common["direction"] = direction(common["estimate"])
    primary, rule = groups_rule(kind, degenerate_groups([x, y], list(labels)) if x.n and y.n else [])
    rows = [
        dict(common, method=m, reading=r, is_primary=r == primary, method_rule=rule)
        for m, r in TWO_GROUP_READINGS.items()
    ]
    why = _cannot_compare(x, y, labels)
    if why:
        return [dict(row, notes=[why]) for row in rows]
    student, welch, rank = rows
    return _t_tests(x, y, labels, student, welch) + [_rank_test(x, y, rank)]


def _t_tests(x: Counts, y: Counts, labels: tuple[str, str], student: dict, welch: dict) -> list[dict]:
    from statsmodels.stats.meta_analysis import effectsize_smd
    from statsmodels.stats.weightstats import CompareMeans

    dx, dy = x.describe(), y.describe()

    if min(x.n, y.n) < MIN_PER_GROUP or (x.constant and y.constant):
        reason = (
            "variance nulle dans les deux groupes : test t impossible"
            if x.constant and y.constant
            else f"un groupe a moins de {MIN_PER_GROUP} réponses : variance inconnue, test t impossible"
        )
        return [dict(row, notes=[reason]) for row in (student, welch)]
    rows = []
    d = cohens_d(x, y)
    g, _ = effectsize_smd(dx["mean"], dx["sd"], dx["n"], dy["mean"], dy["sd"], dy["n"])
    constant_group = [label for label, v in zip(labels, (x, y), strict=True) if v.constant]
    t_notes = [f"variance nulle dans le groupe {', '.join(constant_group)}"] if constant_group else []
    compared = CompareMeans(x.weighted(), y.weighted())
    for row, usevar in ((student, "pooled"), (welch, "unequal")):
        t, p, df = compared.ttest_ind(usevar=usevar)
        low, high = compared.tconfint_diff(alpha=0.05, usevar=usevar)
        rows.append(
            dict(
                row,
                statistic_name="t",
                statistic=float(t),
                df=float(df),
                p_value=float(p),
                effect_size_name="hedges_g",
                effect_size=float(g),
                cohens_d=d,
                hedges_g=float(g),
                ci_low=float(low),
                ci_high=float(high),
                notes=list(t_notes),
            )
        )
    return rows


def _rank_test(x: Counts, y: Counts, row: dict) -> dict:
    """Mann–Whitney's U, its direction read from its own effect size (not from the means)."""
    # A rank test says nothing of means: its row states no mean difference.
    row = dict(row, estimate_name=None, estimate=None)
    if aligned(x, y)[0].size <= 1:
        return dict(row, direction=None, notes=["réponses toutes identiques : test U impossible"])
    u, p = mann_whitney_u(x, y)
    # U of the first group over n1·n2: the probability that a member of the group answers
    # more than one of the others, ties counting half (Vargha & Delaney's A).
    a = u / (x.n * y.n)
    return dict(
        row,
        statistic_name="U",
        statistic=u,
        p_value=p,
        effect_size_name="vargha_delaney_a",
        effect_size=a,
        direction=direction(a - 0.5),
        notes=[],
    )


def _cannot_compare(x: Counts, y: Counts, labels: tuple[str, str]) -> str | None:
    empty = [label for label, v in zip(labels, (x, y), strict=True) if v.n == 0]
    if empty:
        return "groupe vide (" + ", ".join(empty) + ") : pas de comparaison"
    return None


#: The reading of each k-group method (stats.rules); the pairs' methods follow their omnibus test's.
K_GROUP_READINGS = {"anova_f": EQUAL_VARIANCES, "welch_anova": UNEQUAL_VARIANCES, "kruskal_wallis": RANK}
PAIR_READINGS = {"tukey_hsd": EQUAL_VARIANCES, "games_howell": UNEQUAL_VARIANCES, "mann_whitney_u": RANK}


def k_groups(
    groups: list[np.ndarray], codes: list[str], labels: dict[str, str], kind: str = "number", pairs: bool = True
) -> tuple[list[dict], list[dict]]:
    """Omnibus tests across groups, and the pairwise comparisons.

    Groups with fewer than two answers are left out (their variance is
    unknown) and named in the notes. The primary omnibus test and the primary
    pairs follow :func:`stats.rules.groups_rule`, as for two groups.
    """
    from scipy import stats
    from statsmodels.stats.oneway import anova_oneway, effectsize_oneway

    groups = [np.asarray(g, dtype=float) for g in groups]
    described = [{"code": c, "label": labels.get(c, c), **describe(g)} for c, g in zip(codes, groups, strict=True)]
    kept = [i for i, g in enumerate(groups) if g.size >= MIN_PER_GROUP]
    notes = []
    left_out = [labels.get(codes[i], codes[i]) for i in range(len(groups)) if i not in kept]
    if left_out:
        notes.append(f"groupes de moins de {MIN_PER_GROUP} réponses écartés : " + ", ".join(left_out))
    data = [groups[i] for i in kept]
    kept_codes = [codes[i] for i in kept]
    n = int(sum(g.size for g in data))
    common = dict(group_stats=as_json(described), n=n, groups=as_json([labels.get(c, c) for c in kept_codes]))
    means = [g.mean() for g in data]
    if data:
        common["direction"] = f"lowest:{kept_codes[int(np.argmin(means))]}"
    variances = np.array([g.var(ddof=1) for g in data])
    zero_var = [labels.get(c, c) for c, v in zip(kept_codes, variances, strict=True) if v == 0]
    primary, rule = groups_rule(kind, zero_var)
    rows = [
        dict(common, method=m, reading=r, is_primary=r == primary, method_rule=rule)
        for m, r in K_GROUP_READINGS.items()
    ]
    if len(data) < 2:
        why = notes + ["moins de deux groupes comparables : pas de test"]
        return [dict(row, notes=why) for row in rows], []
    if np.concatenate(data).var() == 0:
        why = notes + ["réponses toutes identiques : pas de test"]
        return [dict(row, notes=why) for row in rows], []
    anova_row, welch_row, kw_row = rows

    nobs = np.array([g.size for g in data])
    # Cohen's f² = SS_between / SS_within needs ddof_between = k (statsmodels divides by N − ddof);
    # eta² = f² / (1 + f²) = SS_between / SS_total.
    f2 = effectsize_oneway(np.array(means), variances, nobs, use_var="equal", ddof_between=len(data))
    eta2 = float(f2 / (1 + f2))
    anova = stats.f_oneway(*data)
    omnibus = [
        dict(
            anova_row,
            statistic_name="F",
            statistic=float(anova.statistic),
            df=float(len(data) - 1),
            df_denom=float(n - len(data)),
            p_value=float(anova.pvalue),
            effect_size_name="eta_squared",
            effect_size=eta2,
            notes=list(notes),
        )
    ]
    if zero_var:
        omnibus.append(
            dict(welch_row, notes=[*notes, f"variance nulle dans : {', '.join(zero_var)} : ANOVA de Welch impossible"])
        )
    else:
        welch = anova_oneway(data, use_var="unequal")
        omnibus.append(
            dict(
                welch_row,
                statistic_name="F",
                statistic=float(welch.statistic),
                df=float(welch.df_num),
                df_denom=float(welch.df_denom),
                p_value=float(welch.pvalue),
                effect_size_name="eta_squared",
                effect_size=eta2,
                notes=list(notes),
            )
        )
    kw = stats.kruskal(*data)
    omnibus.append(
        dict(
            kw_row,
            statistic_name="H",
            statistic=float(kw.statistic),
            df=float(len(data) - 1),
            p_value=float(kw.pvalue),
            # Epsilon squared (Tomczak & Tomczak 2014): H / (n − 1).
            effect_size_name="epsilon_squared",
            effect_size=float(kw.statistic) / (n - 1),
            notes=list(notes),
        )
    )
    if not pairs:
        return omnibus, []
    return omnibus, _pairs(data, kept_codes, labels, primary, rule, zero_var=bool(zero_var))


def _pair_fields(data: list[np.ndarray], codes: list[str], labels: dict[str, str]) -> dict[tuple[int, int], dict]:
    """Each pair's description (its groups' labels, sizes, means and medians), every group summarised once."""
    groups = [
        dict(label=labels.get(code, code), n=int(x.size), mean=float(x.mean()), median=float(np.median(x)))
        for code, x in zip(codes, data, strict=True)
    ]
    return {
        (i, j): dict(
            pair=(codes[i], codes[j]),
            n=groups[i]["n"] + groups[j]["n"],
            **{f"group1_{name}": value for name, value in groups[i].items()},
            **{f"group2_{name}": value for name, value in groups[j].items()},
        )
        for i, j in itertools.combinations(range(len(data)), 2)
    }


def _pairs(
    data: list[np.ndarray], codes: list[str], labels: dict[str, str], primary: str, rule: str, zero_var: bool
) -> list[dict]:
    """Tukey's HSD (equal variances), Games–Howell (unequal) and, where the rank test is primary, Mann–Whitney's
    U (Holm over the pairs, in :mod:`stats.multitest`); each pair once.

    Both from :mod:`stats.studentized` (scipy's formulas, every pair at once).
    Only Tukey's simultaneous intervals are computed: Games–Howell's would need
    one inversion of the distribution per pair, whose degrees of freedom differ.
    """
    fields = _pair_fields(data, codes, labels)
    rows = []
    for method, equal_var in (("tukey_hsd", True), ("games_howell", False)):
        if not equal_var and zero_var:
            continue
        res = studentized.tukey_hsd(data, equal_var=equal_var, level=0.95 if equal_var else None)
        reading = PAIR_READINGS[method]
        for at, (i, j) in enumerate(res.pairs):
            difference = float(res.mean_difference[at])
            rows.append(
                dict(
                    fields[(i, j)],
                    method=method,
                    reading=reading,
                    is_primary=reading == primary,
                    method_rule=rule,
                    statistic_name="mean_difference",
                    statistic=difference,
                    p_value=float(res.p_value[at]),
                    estimate_name="mean_difference",
                    estimate=difference,
                    ci_low=float(res.ci_low[at]),
                    ci_high=float(res.ci_high[at]),
                    direction=direction(difference),
                    notes=["p déjà ajustée pour l'ensemble des paires"],
                )
            )
    if primary != RANK:
        return rows
    counts = [Counts.of(x) for x in data]
    for (i, j), described in fields.items():
        rank = _rank_test(counts[i], counts[j], dict(described, method="mann_whitney_u"))
        rows.append(
            dict(
                rank,
                reading=RANK,
                is_primary=True,
                method_rule=rule,
                notes=rank["notes"] + ["paire de Mann–Whitney : p ajustée par Holm sur les paires (p_holm)"],
            )
        )
    return rows
