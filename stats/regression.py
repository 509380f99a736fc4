"""Ordinary least squares with heteroskedasticity-robust (HC3) standard errors.

The weekly number of people supported is a skewed count whose spread grows
with its level, so classical standard errors would be too optimistic: HC3
(MacKinnon & White 1985) is the small-sample choice. The model is written as
a statsmodels formula so that categorical controls get treatment coding with
a stated reference level (the most frequent category). Tests and intervals use
Student's t and F with the residual degrees of freedom (statsmodels' robust
fits default to the normal distribution, too liberal at n ≈ 150).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

COV_TYPE = "HC3"
_CATEGORICAL_TERM = re.compile(r"^C\((?P<var>\w+)[^\]]*\)\[T\.(?P<level>.+)\]$")


@dataclass
class Predictor:
    """A column of the model frame: numeric (incl. 0/1 dummies) or categorical (codes)."""

    name: str
    label: str
    categorical: bool = False
    level_labels: dict[str, str] = field(default_factory=dict)
    #: The group of coefficients tested together (footnote 3: "the places", all their boxes at once).
    block: str = ""
    block_label: str = ""


@dataclass
class Fitted:
    """The model-level figures and one dict per coefficient."""

    model: dict
    terms: list[dict]
    notes: list[str]
    #: One joint Wald F test (HC3) per block of predictors: which variable matters, all its coefficients at once.
    blocks: list[dict] = field(default_factory=list)


def usable(frame: pd.DataFrame, predictors: list[Predictor]) -> tuple[list[Predictor], list[str]]:
    """Drop predictors that cannot be estimated on these rows (constant, or a single category)."""
    kept, notes = [], []
    for p in predictors:
        values = frame[p.name].dropna()
        if values.nunique() < 2:
            what = "une seule modalité" if p.categorical else "constante"
            notes.append(f"{p.label} écartée ({what} sur les {len(frame)} lignes du modèle)")
        else:
            kept.append(p)
    return kept, notes


def reference_level(values: pd.Series) -> str:
    """The most frequent category (the first code on a tie): the comparison most readers expect."""
    return str(values.value_counts().sort_index().idxmax())


def formula(outcome: str, predictors: list[Predictor], frame: pd.DataFrame) -> str:
    terms = []
    for p in predictors:
        if p.categorical:
            reference = reference_level(frame[p.name])
            terms.append(f"C({p.name}, Treatment(reference={reference!r}))")
        else:
            terms.append(p.name)
    return f"{outcome} ~ " + (" + ".join(terms) if terms else "1")


def fit_ols(frame: pd.DataFrame, outcome: str, predictors: list[Predictor]) -> Fitted:
    """Fit ``outcome`` on ``predictors`` with listwise deletion; the dropped rows are counted in the notes."""
    import patsy
    import statsmodels.api as sm

    columns = [outcome] + [p.name for p in predictors]
    complete = frame[columns].dropna()
    notes = []
    dropped = len(frame) - len(complete)
    if dropped:
        notes.append(f"{dropped} ligne(s) avec une réponse manquante écartée(s) (suppression par liste)")
    kept, why = usable(complete, predictors)
    notes += why
    if len(complete) <= len(kept) + 1:
        notes.append(f"{len(complete)} ligne(s) complètes pour {len(kept) + 1} paramètres : modèle non estimable")
        return Fitted(model=dict(n=len(complete), n_missing=dropped), terms=[], notes=notes)
    complete = complete.astype({p.name: float for p in kept if not p.categorical} | {outcome: float})
    for p in kept:
        if p.categorical:
            # Levels sorted, as patsy sorts a plain column's: the same dummies, read through pandas' codes.
            complete[p.name] = pd.Categorical(complete[p.name], categories=sorted(complete[p.name].unique()))
    spec = formula(outcome, kept, complete)
    # The rows are complete already: patsy's missing-value scan, a Python call per categorical value (seconds at a
    # million rows), is switched off. statsmodels' formula interface would not let it; the design is the same.
    y, x = patsy.dmatrices(spec, complete, NA_action=patsy.NAAction(NA_types=[]), return_type="dataframe")
    fit = sm.OLS(y, x).fit(cov_type=COV_TYPE, use_t=True)
    if fit.model.rank < fit.model.exog.shape[1]:
        notes.append(
            f"matrice de plan de rang {fit.model.rank} pour {fit.model.exog.shape[1]} colonnes : "
            "prédicteurs colinéaires, coefficients non identifiés"
        )
    ci = fit.conf_int(alpha=0.05)
    by_name = {p.name: p for p in kept}
    terms = []
    for term in fit.params.index:
        variable, level, label = _describe_term(term, by_name, complete)
        terms.append(
            dict(
                term=term,
                term_label=label,
                variable=variable,
                level=level,
                coefficient=float(fit.params[term]),
                std_error=float(fit.bse[term]),
                t_value=float(fit.tvalues[term]),
                p_value=float(fit.pvalues[term]),
                ci_low=float(ci.loc[term, 0]),
                ci_high=float(ci.loc[term, 1]),
            )
        )
    blocks = _block_tests(fit, terms, kept)
    model = dict(
        formula=spec,
        n=int(fit.nobs),
        n_missing=dropped,
        r_squared=float(fit.rsquared),
        adj_r_squared=float(fit.rsquared_adj),
        f_statistic=_scalar(fit.fvalue),
        f_pvalue=_scalar(fit.f_pvalue),
        df_model=float(fit.df_model),
        df_resid=float(fit.df_resid),
    )
    return Fitted(model=model, terms=terms, notes=notes, blocks=blocks)


def _block_tests(fit, terms: list[dict], kept: list[Predictor]) -> list[dict]:
    """The joint Wald F test (with the fit's HC3 covariance) of each block's coefficients."""
    names = list(fit.params.index)
    by_block: dict[str, list[int]] = {}
    labels: dict[str, str] = {}
    for p in kept:
        block = p.block or p.name
        labels[block] = p.block_label or p.label
        for t in terms:
            if t["variable"] == p.name:
                by_block.setdefault(block, []).append(names.index(t["term"]))
    out = []
    for block, columns in by_block.items():
        restriction = np.zeros((len(columns), len(names)))
        restriction[np.arange(len(columns)), columns] = 1.0
        test = fit.wald_test(restriction, use_f=True, scalar=True)
        out.append(
            dict(block=block, label=labels[block], statistic=_scalar(test.statistic), df=float(test.df_num),
                 df_denom=float(test.df_denom), p_value=_scalar(test.pvalue), n_terms=len(columns))
        )
    return out


def _scalar(value: object) -> float:
    return float(np.asarray(value).squeeze())


def _describe_term(
    term: str, predictors: dict[str, Predictor], frame: pd.DataFrame
) -> tuple[str | None, str | None, str]:
    """The variable, level and French label of a coefficient's name."""
    if term == "Intercept":
        return None, None, "Constante"
    match = _CATEGORICAL_TERM.match(term)
    if match:
        p = predictors[match["var"]]
        level = match["level"]
        reference = reference_level(frame[p.name])
        return (
            p.name,
            level,
            f"{p.label} : {p.level_labels.get(level, level)} (réf. {p.level_labels.get(reference, reference)})",
        )
    p = predictors.get(term)
    return term, None, p.label if p else term
