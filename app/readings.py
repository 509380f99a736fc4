"""Plain-French readings of test results, for readers who do not read p-values.

Method and effect-size names are those the stats stage writes in
``stats.tests``; an unknown name is shown as it is rather than guessed.
Effect sizes are qualified with the usual conventions (Cohen 1988 for d, V
and η²; Vargha & Delaney 2000 for A), which the page says are conventions.
"""

from __future__ import annotations

import math

import pandas as pd

from app import fmt

ALPHA = 0.05

METHODS_FR = {
    "chi2_pearson": "khi-deux de Pearson",
    "chi2_yates": "khi-deux avec correction de Yates",
    "fisher_exact": "test exact de Fisher",
    "fisher_freeman_halton_monte_carlo": "test exact de Fisher-Freeman-Halton (Monte-Carlo)",
    "fisher_freeman_halton_exact": "test exact de Fisher-Freeman-Halton",
    "chi2_monte_carlo": "khi-deux (p de Monte-Carlo)",
    "student_t": "t de Student",
    "welch_t": "t de Welch",
    "mann_whitney_u": "U de Mann-Whitney",
    "anova_f": "ANOVA à un facteur (F de Fisher)",
    "welch_anova": "ANOVA de Welch",
    "kruskal_wallis": "H de Kruskal-Wallis",
    "tukey_hsd": "comparaisons de Tukey (HSD)",
    "games_howell": "comparaisons de Games-Howell",
    "paired_t": "t apparié",
    "wilcoxon_signed_rank": "rangs signés de Wilcoxon",
    "friedman": "test de Friedman (items notés par les mêmes personnes)",
    "cochran_q": "Q de Cochran (items cochés par les mêmes personnes)",
    "share_wilson": "proportion (intervalle de confiance de Wilson)",
    "ols_hc3_wald_f": "régression linéaire (F de Wald, erreurs HC3)",
    "ols_hc3_t": "régression linéaire (t, erreurs HC3)",
}

EFFECTS_FR = {
    "cramers_v": "V de Cramér",
    "hedges_g": "g de Hedges",
    "cohens_d": "d de Cohen",
    "eta_squared": "η²",
    "epsilon_squared": "ε²",
    "vargha_delaney_a": "A de Vargha-Delaney",
    "r_squared": "R²",
    "cohens_dz": "d de Cohen (différences appariées)",
    "kendalls_w": "W de Kendall",
    "share_positive_differences": "part des différences positives",
}

STATISTICS_FR = {
    "chi2": "χ²", "odds_ratio": "rapport des cotes", "odds_ratio_conditional_mle": "rapport des cotes",
    "table_probability": "probabilité de la table",
    "mean_difference": "différence de moyennes", "t": "t", "U": "U", "H": "H", "F": "F", "V": "V", "Q": "Q",
}

# (small, medium, large) thresholds of |effect| (of |A − 0.5| for Vargha-Delaney's A).
_THRESHOLDS = {
    "cramers_v": (0.1, 0.3, 0.5),
    "hedges_g": (0.2, 0.5, 0.8),
    "cohens_d": (0.2, 0.5, 0.8),
    "eta_squared": (0.01, 0.06, 0.14),
    "epsilon_squared": (0.01, 0.06, 0.14),
    "r_squared": (0.02, 0.13, 0.26),
    "vargha_delaney_a": (0.06, 0.14, 0.21),
}


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def method_fr(method: str | None) -> str:
    return METHODS_FR.get(method or "", method or fmt.MISSING)


def sentence_case(text: str) -> str:
    """First letter up, the rest as written (« khi-deux de Pearson » → « Khi-deux de Pearson »)."""
    return text[:1].upper() + text[1:]


def effect_fr(name: str | None) -> str:
    return EFFECTS_FR.get(name or "", name or "")


def magnitude(name: str | None, value: float | None) -> str | None:
    """« négligeable », « faible », « moyen » or « fort », or None for an effect size without convention."""
    if _missing(value) or name not in _THRESHOLDS:
        return None
    size = abs(value - 0.5) if name == "vargha_delaney_a" else abs(value)
    small, medium, large = _THRESHOLDS[name]
    if size < small:
        return "négligeable"
    if size < medium:
        return "faible"
    if size < large:
        return "moyen"
    return "fort"


def reading(
    p_value: float | None,
    p_adjusted: float | None = None,
    adjustment: str = "Holm",
    effect_name: str | None = None,
    effect: float | None = None,
    alpha: float = ALPHA,
) -> str:
    """One sentence: is the difference significant at ``alpha`` (after correction when given), how large is it."""
    if _missing(p_value):
        return "Test non calculable sur ces données."
    threshold = fmt.percent(100 * alpha, 0)
    if _missing(p_adjusted):
        p, after = p_value, ""
    else:
        p, after = p_adjusted, f" après correction de {adjustment} pour tests multiples"
    p_text = fmt.p_value(p)
    p_shown = f"p {p_text}" if p_text.startswith("<") else f"p = {p_text}"
    if p < alpha:
        sentence = f"Différence statistiquement significative au seuil de {threshold}{after} ({p_shown})"
    else:
        sentence = (
            f"Pas de différence statistiquement significative au seuil de {threshold}{after} ({p_shown}) : "
            "l'écart observé peut être dû au hasard de l'échantillon"
        )
    size = magnitude(effect_name, effect)
    if size is not None:
        sentence += f" ; effet {size} ({effect_fr(effect_name)} = {fmt.number(effect, 2)})"
    return sentence + "."


def _get(row: dict, name: str) -> object:
    value = row.get(name)
    return None if _missing(value) else value  # type: ignore[arg-type]


def statistic_fr(row: dict) -> str:
    """``t = 2,31 (ddl = 54,2)``, ``F = 3,02 (ddl = 4 ; 170)``, or the statistic alone."""
    name, value = _get(row, "statistic_name"), _get(row, "statistic")
    if value is None:
        return fmt.MISSING
    text = f"{STATISTICS_FR.get(str(name), name or 'stat.')} = {fmt.number(value, 2)}"
    df, df_denom = _get(row, "df"), _get(row, "df_denom")
    if df is not None:
        dfs = fmt.number(df, 1, strip=True) + (f" ; {fmt.number(df_denom, 1, strip=True)}" if df_denom else "")
        text += f" (ddl = {dfs})"
    return text


#: What replaces a withheld test's figures (app.withholding).
WITHHELD = "non affiché"
def withheld_note(k: int) -> str:
    return (
        f"« {WITHHELD} » : le test porte sur un tableau ou des groupes dont une case compte moins de {k} personnes ; "
        "sa statistique, sa valeur de p et sa taille d'effet permettraient, avec les totaux, de retrouver cette case."
    )


def results_table(tests: pd.DataFrame, withheld: set[str] | frozenset[str] = frozenset()) -> pd.DataFrame:
    """``stats.tests`` rows as readers see them: French labels, p-values, effect size and a reading.

    Rows of a ``withheld`` comparison keep their name and method; every figure becomes « non affiché ».
    """
    out = []
    for row in tests.to_dict("records"):
        if row.get("comparison_id") in withheld:
            row = {key: row.get(key) for key in ("outcome_label", "grouping_label", "variables", "test_id", "method")}
            out.append(_withheld_row(row))
            continue
        effect_name, effect = _get(row, "effect_size_name"), _get(row, "effect_size")
        out.append(
            {
                "Comparaison": _comparison(row),
                "Méthode": method_fr(row.get("method")),
                "Statistique": statistic_fr(row),
                "p": fmt.p_value(_get(row, "p_value")),
                "p ajusté (Holm)": fmt.p_value(_get(row, "p_holm")),
                "p ajusté (BH)": fmt.p_value(_get(row, "p_bh")),
                "Taille d'effet": f"{effect_fr(effect_name)} = {fmt.number(effect, 2)}" if effect is not None else "",
                "Lecture": reading(_get(row, "p_value"), _get(row, "p_holm"), "Holm", effect_name, effect),
            }
        )
    return pd.DataFrame(out)


def short_reading(p_adjusted: float | None, effect_name: str | None = None, effect: float | None = None,
                  alpha: float = ALPHA) -> str:
    """« significatif (effet moyen) » / « non significatif »: the conclusion of one row of a long list."""
    if _missing(p_adjusted):
        return "non calculable"
    if p_adjusted >= alpha:
        return "non significatif"
    size = magnitude(effect_name, effect)
    return "significatif" + (f" (effet {size})" if size else "")


def _comparison(row: dict) -> str:
    outcome, grouping = _get(row, "outcome_label"), _get(row, "grouping_label")
    if outcome and grouping:
        return f"{outcome} × {grouping}"
    return str(_get(row, "variables") or _get(row, "test_id") or "")


def _withheld_row(row: dict) -> dict[str, str]:
    return {
        "Comparaison": _comparison(row), "Méthode": method_fr(row.get("method")), "Statistique": WITHHELD,
        "p": WITHHELD, "p ajusté (Holm)": WITHHELD, "p ajusté (BH)": WITHHELD, "Taille d'effet": WITHHELD,
        "Lecture": "Test non affiché (secret statistique : une case ou un groupe est trop petit).",
    }


def compact_table(tests: pd.DataFrame, labels: dict[str, str], withheld: set[str] | frozenset[str] = frozenset()
                  ) -> pd.DataFrame:
    """Tests under a figure: one short line per comparison, named by ``labels`` (comparison id → label)."""
    full = results_table(tests, withheld)
    conclusions = [
        WITHHELD if row.get("comparison_id") in withheld
        else short_reading(_get(row, "p_holm"), _get(row, "effect_size_name"), _get(row, "effect_size"))
        for row in tests.to_dict("records")
    ]
    return pd.DataFrame(
        {
            "Comparaison": [labels.get(c, c) for c in tests["comparison_id"]],
            "Méthode": full["Méthode"],
            "Statistique": full["Statistique"],
            "p ajusté (Holm)": full["p ajusté (Holm)"],
            "Taille d'effet": full["Taille d'effet"],
            "Conclusion (5 %)": conclusions,
        }
    )


_FAMILY_PREFIXES = {"pairs": "Comparaisons deux à deux", "regression": "Régression", "regression_models": "Régression"}
# Words of the stats stage's family codes that are not questions.
_FAMILY_WORDS = {
    "profile": "profil",
    "numbers": "nombres",
    "places": "lieux",
    "places_controls": "lieux et variables de contrôle",
}


def family_label(code: str, names: dict[str, str]) -> str:
    """A stats family code in words: ``site_by_place__mairie`` → « Sites web administratifs selon Lieux… : Mairie ».

    ``names`` maps question codes and ``question__item`` variable names to labels; a piece that is
    neither a known name nor a family word is kept as written.
    """
    prefix, sep, rest = code.partition(":")
    if not sep:
        prefix, rest = "", code
    head, *tail = rest.split(":")
    joiner, pieces = (" × ", head.split("_x_")) if "_x_" in head else (" selon ", head.split("_by_"))

    def word(piece: str) -> str:
        return names.get(piece, _FAMILY_WORDS.get(piece, piece))

    text = joiner.join(word(p) for p in pieces)
    if tail:
        text += " (" + ", ".join(word(t) for t in tail) + ")"
    lead = _FAMILY_PREFIXES.get(prefix, prefix)
    return f"{lead} : {text}" if lead else text
