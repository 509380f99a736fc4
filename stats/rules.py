"""Which method is primary, and why: the one set of rules every path applies.

Each row of ``stats.tests`` carries its ``reading`` (what the method assumes)
and its ``method_rule`` (the rule below, in French, with the numbers that
triggered it); the README states the same rules. The anchors are the defaults
of the tools analysts check against: gtsummary's ``add_p`` and jamovi's
``contTables`` for tables, R's ``t.test`` (Welch by default), jamovi's
``ttestIS`` / ``anovaOneW`` (Welch's ANOVA, Games–Howell) and R's
``wilcox.test`` for groups.

* **Tables**: Pearson's chi-square without continuity correction when every
  expected count is ≥ 5 (Cochran's rule), else the exact conditional test
  (Fisher for 2×2, Freeman–Halton beyond). Yates' correction is a secondary
  reading, never primary.
* **Groups on a bounded 1–10 scale** (ordinal answers with floor and ceiling
  effects: a group answering "1" throughout is common): the rank test is
  primary, Mann–Whitney for two groups, Kruskal–Wallis and pairwise
  Mann–Whitney (Holm over the pairs) for several; the t tests and ANOVAs stay
  as secondary readings.
* **Groups on an open number** (people per week, years, age, salary): Welch's
  t / Welch's ANOVA with Games–Howell pairs, unless a group is degenerate (all
  its answers equal, or fewer than two): then the rank test is primary, the
  same way on the two-group and k-group paths, and the note names the group.
  A test that assumes a spread never gets a primary p-value from a group
  without one.
* **Paired answers** (one respondent, two items): the paired t on an open
  number, Wilcoxon's signed-rank test on a scale; the other one secondary.
"""

from __future__ import annotations

#: Cochran's rule: the asymptotic chi-square is trusted when every expected count reaches this.
MIN_EXPECTED = 5.0

ASYMPTOTIC = "asymptotic"
EXACT = "exact"
CONTINUITY_CORRECTED = "continuity_corrected"
EQUAL_VARIANCES = "equal_variances"
UNEQUAL_VARIANCES = "unequal_variances"
RANK = "rank"
PAIRED_MEAN = "paired_mean"
PAIRED_RANK = "paired_rank"
WITHIN_RANK = "within_rank"  # Friedman: the items of one question ranked within each respondent
WITHIN_BINARY = "within_binary"  # Cochran's Q: the boxes of one question ticked by the same respondents
MODEL = "model"

#: A linear model's tests: one method, so primary by construction.
MODEL_RULE = (
    "modèle linéaire (moindres carrés) avec erreurs-types robustes HC3 : seule méthode du modèle, primaire ; "
    "F de Wald pour le modèle, t pour chaque terme"
)

#: Variable kinds (stats.plan.Var.kind) whose answers are ordinal: a rank test is primary.
ORDINAL_KINDS = frozenset({"scale"})


def crosstab_rule(small: int, cells: int, min_expected: float) -> tuple[str, str]:
    """The primary reading of a table, and the rule as the row states it."""
    if small:
        return EXACT, (
            f"{small} case(s) sur {cells} d'effectif attendu < {MIN_EXPECTED:g} (minimum {min_expected:.2f}) : "
            "test exact conditionnel primaire (Fisher pour un 2×2, Freeman–Halton au-delà ; règle de Cochran)"
        )
    return ASYMPTOTIC, (
        f"tous les effectifs attendus ≥ {MIN_EXPECTED:g} (minimum {min_expected:.2f}) : khi-deux de Pearson "
        "sans correction primaire (règle de Cochran, défaut de gtsummary et jamovi) ; Yates et le test exact en "
        "lectures secondaires"
    )


def groups_rule(kind: str, degenerate: list[str]) -> tuple[str, str]:
    """The primary reading of a comparison of groups on a variable of ``kind`` (scale or number).

    ``degenerate``: the groups whose answers are all equal or fewer than two.
    """
    if kind in ORDINAL_KINDS:
        return RANK, (
            "échelle bornée de 1 à 10 (réponses ordinales, effets plancher et plafond) : test de rangs primaire "
            "(Mann–Whitney, Kruskal–Wallis) ; t de Student, t de Welch et ANOVA en lectures secondaires"
        )
    if degenerate:
        return RANK, (
            f"nombre ouvert, mais groupe(s) sans dispersion ({', '.join(degenerate)} : réponses toutes égales ou "
            "moins de deux) : test de rangs primaire, un test de moyennes n'y a pas de variance sur laquelle "
            "s'appuyer"
        )
    return UNEQUAL_VARIANCES, (
        "nombre ouvert : t de Welch / ANOVA de Welch et paires de Games–Howell primaires (variances inégales, "
        "défaut de t.test de R et de jamovi) ; Student, ANOVA classique et tests de rangs en lectures secondaires"
    )


def paired_rule(kind: str) -> tuple[str, str]:
    """The primary reading of two answers of the same respondents."""
    if kind in ORDINAL_KINDS:
        return PAIRED_RANK, (
            "deux réponses des mêmes personnes sur une échelle de 1 à 10 : test des rangs signés de Wilcoxon "
            "primaire, t apparié en lecture secondaire"
        )
    return PAIRED_MEAN, "deux réponses des mêmes personnes, nombre ouvert : t apparié primaire, Wilcoxon secondaire"
