"""Vue d'ensemble: the sample and its cleaning, the respondents' profile, the data's build and checks."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import build_status, charts, display, fmt, queries, ui
from app.context import PageContext, current
from app.navigation import heading
from app.privacy import protect_counts
from app.scans import overview_request, profile_questions

#: The gate's suites (checks/), in words; a suite not listed keeps its code.
SUITES_FR = {
    "sample_size": "Taille de l'échantillon",
    "ranges": "Bornes des réponses",
    "value_sets": "Réponses autorisées",
    "structure": "Identifiants et liens entre tables",
    "skip_logic": "Filtres du questionnaire",
    "report": "Tables du rapport",
}


def funnel_section(ctx: PageContext) -> None:
    st.subheader("Échantillon et nettoyage de la base")
    kept, excluded = build_status.funnel(ctx.path, ctx.filter.wave)
    connections = kept + int(excluded["connections"].sum())
    counts = [kept, *excluded["connections"].tolist()]
    hidden, _ = protect_counts(counts, ctx.k)
    labels = ["Répondant·e·s retenu·e·s", *[f"Écartées — {r}" for r in excluded["reason_fr"]]]
    table = pd.DataFrame(
        {
            "Connexions": [fmt.shown(fmt.count(v), h) for v, h in zip(counts, hidden, strict=True)],
            "Part des connexions": [
                fmt.shown(fmt.percent(100 * v / connections if connections else None), h)
                for v, h in zip(counts, hidden, strict=True)
            ],
        },
        index=labels,
    )
    table.loc["Total des connexions au questionnaire"] = [fmt.count(connections), fmt.percent(100.0)]
    a, b, c, d = st.columns(4)
    a.metric("Connexions", fmt.count(connections))
    b.metric("Écartées", fmt.shown(fmt.count(connections - kept), ctx.policy.is_small(connections - kept)))
    c.metric("Retenues", fmt.count(kept))
    d.metric("Dans la sélection", ui.who(ctx).replace(" répondant·e·s", ""))
    left, right = st.columns([3, 2])
    left.table(table)
    left.caption(
        "Règles de nettoyage, dans l'ordre (la première qui s'applique) : "
        + " ; ".join(f"{i}. {r}" for i, r in enumerate(excluded["reason_fr"], start=1))
        + ". Le tunnel porte sur toute la vague : les filtres ne s'y appliquent pas."
    )
    short = ["Retenues", *[r.split(" :")[0] for r in excluded["reason_fr"]]]
    chart = pd.DataFrame({"Étape": short, "Connexions": counts, "hidden": hidden})
    chart = chart[~chart["hidden"]].assign(Texte=lambda t: t["Connexions"].map(fmt.count))
    funnel = charts.hbar(chart, "Étape", "Connexions", "Texte", "Connexions")
    right.altair_chart(charts.unchecked(funnel), width="stretch")
    if hidden.any():
        right.caption(ui.hidden_note(ctx.k))


def profile_section(ctx: PageContext) -> None:
    st.subheader("Profil des répondant·e·s")
    st.caption(ui.filter_note(ctx))
    choice_questions, numbers = profile_questions(ctx.path, ctx.filter.wave)  # the profile the wave asked
    scan = overview_request(ctx.path, ctx.filter.wave)
    with st.spinner(ui.COMPUTING):  # one reading of the selection for the whole profile
        queries.prefetch(ctx.path, ctx.filter, scan)
    freq = queries.frequencies(ctx.path, ctx.filter, choice_questions["question_code"], within=scan)
    summaries = queries.scale_summaries(ctx.path, ctx.filter, numbers["question_code"], within=scan)
    columns = st.columns(3)
    for i, q in enumerate(choice_questions.itertuples()):
        shown = display.frequency_table(
            freq[freq["question_code"] == q.question_code], ctx.policy, with_total=q.type == "single", with_groups=True
        )
        with columns[i % 3]:
            st.markdown(f"**{q.label_fr}**")
            st.table(shown.display)
            base = fmt.shown(fmt.count(shown.base), shown.base_hidden)
            st.caption(f"n = {base}" + (" — plusieurs réponses possibles" if q.type == "multi" else ""))
    st.markdown("**Âge, ancienneté et salaire**")
    st.table(display.summary_table(summaries, ctx.policy).display)
    st.caption(ui.hidden_note(ctx.k) + " " + ui.PERTURBATION_NOTE)


def quality_section(ctx: PageContext) -> None:
    st.subheader("Qualité des données")
    build = build_status.last_build(ctx.path)
    if build.empty:
        st.info("Cet entrepôt n'a pas de journal de construction (table audit.builds absente).")
        return
    run = build.iloc[0]
    st.markdown(
        f"Dernière construction : **{run['run_id']}**, terminée le "
        f"{pd.Timestamp(run['finished_at']).strftime('%d/%m/%Y à %H:%M:%S')} (UTC)."
    )
    stages = build_status.build_stages(ctx.path, run["run_id"])
    if not stages.empty:
        st.caption(
            "Durée des étapes : "
            + ", ".join(f"{s.stage} {fmt.number(s.seconds, 1)} s" for s in stages.itertuples())
        )
    summary = build_status.validation_summary(ctx.path, run["run_id"])
    if summary is None:
        st.info("Aucun résultat de validation dans cet entrepôt (table audit.validation_results absente).")
        return
    failed = int(summary["failed"].sum())
    total = int(summary["expectations"].sum())
    if failed:
        st.error(f"{failed} attente(s) de validation sur {total} en échec.")
        st.table(build_status.validation_failures(ctx.path, run["run_id"]))
    else:
        st.success(f"Les {total} attentes de validation (Great Expectations) sont satisfaites.")
    summary["suite"] = summary["suite"].map(lambda code: SUITES_FR.get(code, code))
    st.table(
        summary.rename(
            columns={"suite": "Contrôles", "expectations": "Attentes", "passed": "Satisfaites", "failed": "En échec"}
        ).set_index("Contrôles")
    )


def render() -> None:
    ctx = current()
    st.title(heading(__file__))
    st.markdown(
        "Enquête auprès des médiateur·trice·s numériques de Bretagne : la part d'accompagnement "
        "e-administratif dans leur activité. Les chiffres sont recalculés depuis l'entrepôt publié."
    )
    funnel_section(ctx)
    quality_section(ctx)
    ui.stop_if_too_few(ctx)
    profile_section(ctx)


render()
