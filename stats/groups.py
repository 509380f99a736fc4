"""Comparisons of a numeric answer between groups of respondents.

Two groups (figures 3–6: those who work in a place against those who do not):
Student's t (the report's test), Welch's t (primary: the groups differ in size
and spread, so equal variances are not assumed) and Mann–Whitney's U (the
answers are skewed counts and 1–10 scales). Several groups (figure 1: years of
practice by post title): one-way ANOVA, Welch's ANOVA (primary), Kruskal–Wallis,
and the pairs by Tukey's HSD and Games–Howell.

Each function takes the answers (missing ones already removed) and returns
dicts of column values for :class:`stats.results.TestRow`; a comparison that
cannot be computed returns rows without p-value and with a note saying why.
Two groups may come as value counts (:class:`stats.counts.Counts`): every test
of two groups here only needs them, and they stay small at any sample size.
"""

from __future__ import annotations

import itertools

import numpy as np

from stats.counts import Counts, aligned, mann_whitney_u
from stats.results import as_json

MIN_PER_GROUP = 2


def describe(values: np.ndarray) -> dict:
    """n, mean, standard deviation (n − 1) and median of one group."""
    n = int(values.size)
    return dict(
        n=n,
        mean=float(values.mean()) if n else None,
        sd=float(values.std(ddof=1)) if n > 1 else None,
        median=float(np.median(values)) if n else None,
    )


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


def two_groups(x: Counts | np.ndarray, y: Counts | np.ndarray, labels: tuple[str, str]) -> list[dict]:
    """Student t, Welch t and Mann–Whitney U for ``x`` (the group) against ``y`` (the others).

    Each group is given as raw answers or as their value counts
    (:class:`stats.counts.Counts`, what the stats stage passes): the tests
    only need the counts, which stay small however many respondents answer.
    """
    from statsmodels.stats.meta_analysis import effectsize_smd
    from statsmodels.stats.weightstats import CompareMeans

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
    methods = ("student_t", "welch_t", "mann_whitney_u")
    why = _cannot_compare(x, y, labels)
    if why:
        return [dict(common, method=m, is_primary=m == "welch_t", notes=[why]) for m in methods]

    rows = []
    constant = x.constant and y.constant
    if min(x.n, y.n) < MIN_PER_GROUP or constant:
        reason = (
            "variance nulle dans les deux groupes : test t impossible"
            if constant
            else f"un groupe a moins de {MIN_PER_GROUP} réponses : variance inconnue, test t impossible"
        )
        rows += [dict(common, method=m, is_primary=m == "welch_t", notes=[reason]) for m in methods[:2]]
    else:
        d = cohens_d(x, y)
        g, _ = effectsize_smd(dx["mean"], dx["sd"], dx["n"], dy["mean"], dy["sd"], dy["n"])
        constant_group = [label for label, v in zip(labels, (x, y), strict=True) if v.constant]
        t_notes = [f"variance nulle dans le groupe {', '.join(constant_group)}"] if constant_group else []
        compared = CompareMeans(x.weighted(), y.weighted())
        for method, usevar in (("student_t", "pooled"), ("welch_t", "unequal")):
            t, p, df = compared.ttest_ind(usevar=usevar)
            low, high = compared.tconfint_diff(alpha=0.05, usevar=usevar)
            rows.append(
                dict(
                    common,
                    method=method,
                    is_primary=method == "welch_t",
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
    if aligned(x, y)[0].size <= 1:
        rows.append(dict(common, method="mann_whitney_u", notes=["réponses toutes identiques : test U impossible"]))
        return rows
    u, p = mann_whitney_u(x, y)
    rows.append(
        dict(
            common,
            method="mann_whitney_u",
            statistic_name="U",
            statistic=u,
            p_value=p,
            # U of the first group over n1·n2: the probability that a member of the group answers
            # more than one of the others, ties counting half (Vargha & Delaney's A).
            effect_size_name="vargha_delaney_a",
            effect_size=u / (x.n * y.n),
            notes=[],
        )
    )
    return rows


def _cannot_compare(x: Counts, y: Counts, labels: tuple[str, str]) -> str | None:
    empty = [label for label, v in zip(labels, (x, y), strict=True) if v.n == 0]
    if empty:
        return "groupe vide (" + ", ".join(empty) + ") : pas de comparaison"
    return None


def k_groups(groups: list[np.ndarray], codes: list[str], labels: dict[str, str]) -> tuple[list[dict], list[dict]]:
    """Omnibus tests across groups, and the pairwise comparisons.

    Groups with fewer than two answers are left out (their variance is
    unknown) and named in the notes.
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
    methods = ("anova_f", "welch_anova", "kruskal_wallis")
    if len(data) < 2:
        why = notes + ["moins de deux groupes comparables : pas de test"]
        return [dict(common, method=m, is_primary=m == "welch_anova", notes=why) for m in methods], []
    if np.concatenate(data).var() == 0:
        why = notes + ["réponses toutes identiques : pas de test"]
        return [dict(common, method=m, is_primary=m == "welch_anova", notes=why) for m in methods], []

    nobs = np.array([g.size for g in data])
    variances = np.array([g.var(ddof=1) for g in data])
    # Cohen's f² = SS_between / SS_within needs ddof_between = k (statsmodels divides by N − ddof);
    # eta² = f² / (1 + f²) = SS_between / SS_total.
    f2 = effectsize_oneway(np.array(means), variances, nobs, use_var="equal", ddof_between=len(data))
    eta2 = float(f2 / (1 + f2))
    anova = stats.f_oneway(*data)
    rows = [
        dict(
            common,
            method="anova_f",
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
    zero_var = [labels.get(c, c) for c, v in zip(kept_codes, variances, strict=True) if v == 0]
    if zero_var:
        rows.append(
            dict(
                common,
                method="welch_anova",
                is_primary=True,
                notes=notes + ["variance nulle dans : " + ", ".join(zero_var) + " : ANOVA de Welch impossible"],
            )
        )
    else:
        welch = anova_oneway(data, use_var="unequal")
        rows.append(
            dict(
                common,
                method="welch_anova",
                is_primary=True,
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
    rows.append(
        dict(
            common,
            method="kruskal_wallis",
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
    return rows, _pairs(data, kept_codes, labels, zero_var=bool(zero_var))


def _pairs(data: list[np.ndarray], codes: list[str], labels: dict[str, str], zero_var: bool) -> list[dict]:
    """Tukey's HSD (equal variances) and Games–Howell (unequal), each pair once.

    Games–Howell's interval needs one inversion of the studentized range
    distribution per pair (its degrees of freedom differ by pair), a second or
    more each: only Tukey's intervals are computed.
    """
    from scipy import stats

    rows = []
    for method, equal_var in (("tukey_hsd", True), ("games_howell", False)):
        if not equal_var and zero_var:
            continue
        res = stats.tukey_hsd(*data, equal_var=equal_var)
        if equal_var:
            ci = res.confidence_interval(0.95)
            low, high = ci.low, ci.high
        else:
            low = high = np.full((len(data), len(data)), np.nan)
        for i, j in itertools.combinations(range(len(data)), 2):
            rows.append(
                dict(
                    pair=(codes[i], codes[j]),
                    method=method,
                    is_primary=method == "games_howell",
                    statistic_name="mean_difference",
                    statistic=float(res.statistic[i, j]),
                    p_value=float(res.pvalue[i, j]),
                    estimate_name="mean_difference",
                    estimate=float(res.statistic[i, j]),
                    ci_low=float(low[i, j]),
                    ci_high=float(high[i, j]),
                    direction=direction(float(res.statistic[i, j])),
                    n=int(data[i].size + data[j].size),
                    group1_label=labels.get(codes[i], codes[i]),
                    group1_n=int(data[i].size),
                    group1_mean=float(data[i].mean()),
                    group1_median=float(np.median(data[i])),
                    group2_label=labels.get(codes[j], codes[j]),
                    group2_n=int(data[j].size),
                    group2_mean=float(data[j].mean()),
                    group2_median=float(np.median(data[j])),
                    notes=["p déjà ajustée pour l'ensemble des paires"],
                )
            )
    return rows
