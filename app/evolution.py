"""Évolution: the report's tables and figures in two waves, matched by codes, as the disclosure policy shows them.

The only safe way to put two waves side by side is to compute each one exactly
as the other pages do (the query layer on that wave's selection, then the same
:class:`app.disclosure.Policy`) and only then to compare what is shown. A
difference here is the difference of two shown values (rounded counts,
percentages of rounded counts, perturbed means), so it tells a reader nothing
the two values do not. ``report.wave_comparison`` holds the exact values and is
never read by the app.

Rows meet across waves on codes (``item_code``, choice codes, ``place=Y``),
never on labels: a site renamed between waves (Pôle emploi became France
Travail) is one row, labelled with both names. A row that one wave did not ask
keeps its other side, marked as not asked; whether a wave asked something comes
from that wave's edition of the codebook, not from the data (a filtered
selection may have no answer to a question that was asked).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from app import display, queries
from app.codebook import comparison_groupings
from app.disclosure import Policy
from app.distribution import CLASS, RESPONDENTS, binned
from app.filters import RespondentFilter
from app.perturbation import combine
from app.queries import CHOICE_TYPES, SUMMARY_TYPES, Request
from app.scans import distribution_question, report_request, report_tables
from stats.results import WAVE_DIFFERENCE, wave_difference_id

#: ``stats.tests``'s kind of the tests of a difference between two waves (stats/waves.py).
KIND = WAVE_DIFFERENCE
#: What a row's value is: a percentage of a base (counts shown beside), or a mean (n beside).
SHARE, MEAN = "share", "mean"
#: Columns of one wave's rows (see :func:`merge` for the two waves').
SIDE_COLUMNS = (
    "test_question", "key", "label", "detail", "position", "refs", "value", "hidden", "n", "median", "sd",
)


#: The id the stats stage gives the test of a figure's difference.
comparison_id = wave_difference_id


def ordered(waves: list[str], first: str, second: str) -> tuple[str, str]:
    """The two chosen waves in fieldwork order (``waves`` is in that order): earlier, later."""
    return (first, second) if waves.index(first) <= waves.index(second) else (second, first)


def both_labels(label_1: str | None, label_2: str | None, wave_1: str, wave_2: str) -> str:
    """A row's name: the later wave's label, with the earlier one where it changed (``France Travail (2024 ;
    Pôle emploi en 2023)``), or the only wave's label where one wave did not ask it."""
    if not isinstance(label_2, str) or not label_2:
        return str(label_1)
    if not isinstance(label_1, str) or not label_1 or label_1 == label_2:
        return label_2
    return f"{label_2} ({wave_2} ; {label_1} en {wave_1})"


@dataclass(frozen=True)
class Edition:
    """What one wave asked, and its selection: the codes of that wave's edition of the codebook."""

    wave: str
    filter: RespondentFilter
    questions: pd.DataFrame
    codes: frozenset[tuple[str, str]]  # (question, item or choice code); (question, question) for a question
    #: Everything the page reads of this wave's selection, in one scan (app.scans).
    scan: Request = Request()

    def asked(self, refs: tuple[tuple[str, str], ...]) -> bool:
        return all(ref in self.codes for ref in refs)


def wave_filter(f: RespondentFilter, wave: str) -> RespondentFilter:
    """The sidebar's selection (départements, post titles, places: codes, the same in every wave) in ``wave``."""
    return dataclasses.replace(f, wave=wave)


def edition(path: Path, f: RespondentFilter, wave: str) -> Edition:
    """``f``'s selection in ``wave`` (the sidebar's filters, another wave), with what that wave asked."""
    qs = queries.questions(path, wave)
    its, chs = queries.items(path, wave), queries.choices(path, wave)
    codes = {(q, q) for q in qs["question_code"]}
    codes |= set(zip(its["question_code"], its["item_code"], strict=True))
    codes |= set(zip(chs["question_code"], chs["choice_code"], strict=True))
    return Edition(wave, wave_filter(f, wave), qs, frozenset(codes), report_request(path, wave))


@dataclass(frozen=True)
class Comparison:
    """One report table (one of its questions) or figure, in two waves."""

    section_id: str  # T2, F3: the stats stage's figure id
    title: str
    kind: str  # SHARE or MEAN
    waves: tuple[str, str]
    rows: pd.DataFrame  # see merge()
    bases: tuple[int | None, int | None]  # each wave's shown base (None: hidden, or not asked)
    asked: tuple[bool, bool]  # whether each wave asked the section at all
    wording: str = ""
    notes: tuple[str, ...] = ()
    #: The variables of a table whose cells add up to a known total (a single choice: its question; a cross-tab:
    #: its row and column variables), for :func:`small_table`; empty for independent boxes and means.
    table: tuple[str, ...] = ()

    @property
    def number(self) -> int:
        return int(self.section_id[1:])


def _side(records: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(records, columns=list(SIDE_COLUMNS))


def _shares(keys: list[tuple[str, str, str, int, tuple]], counts: np.ndarray, hidden: np.ndarray,
            base: float | None) -> pd.DataFrame:
    """Rows of shown counts and their percentage of the shown ``base`` (None or NaN: no percentage)."""
    records = []
    for (test_question, key, label, position, refs), count, is_hidden in zip(keys, counts, hidden, strict=True):
        percent = 100.0 * count / base if base and not np.isnan(base) and not is_hidden else np.nan
        records.append(dict(test_question=test_question, key=key, label=label, position=position, refs=refs,
                            value=percent, hidden=bool(is_hidden), n=np.nan if is_hidden else float(count)))
    return _side(records)


# --- one wave's rows, as the other pages show them ------------------------------------------------------


def frequency_side(freq: pd.DataFrame, question: str, policy: Policy) -> tuple[pd.DataFrame, int | None]:
    """One question's answers in one wave: what ``display.frequency_table`` shows (same keys, same rounding)."""
    rows = freq[(freq["question_code"] == question) & freq["item_kind"].isin(["choice", "item"])]
    rows = rows.sort_values("item_position")
    counts, hidden = policy.counts(rows["count"], rows["ckey"])
    bases, bases_hidden = policy.counts(rows["base_n"], rows["base_ckey"])
    base = None if not len(rows) or bases_hidden[0] else int(bases[0])
    keys = [(question, code, label, pos, ((question, code),))
            for code, label, pos in zip(rows["item_code"], rows["item_label"], rows["item_position"], strict=True)]
    side = _shares(keys, counts, hidden, np.nan if base is None else float(base))
    return side, base


def summary_side(summaries: pd.DataFrame, question: str, policy: Policy) -> tuple[pd.DataFrame, int | None]:
    """One scale or number in one wave: what ``display.summary_table`` shows."""
    rows = display.shown_magnitudes(summaries[summaries["question_code"] == question], policy)
    rows = rows.sort_values("item_position")
    records = [
        dict(test_question=question, key=r.item_code, label=r.item_label, position=r.item_position,
             refs=((question, r.item_code),), value=np.nan if r.hidden else r.mean, hidden=bool(r.hidden),
             n=np.nan if r.hidden else r.n, median=np.nan if r.hidden else r.median, sd=np.nan if r.hidden else r.sd)
        for r in rows.itertuples(index=False)
    ]
    shown_n = [r["n"] for r in records if not r["hidden"]]
    return _side(records), int(max(shown_n)) if shown_n else None


def _ref(variable: queries.CrossVariable, code: str) -> tuple[str, str]:
    """The codebook entry a category of a cross-tab variable stands for: a choice, or the box itself."""
    return (variable.question_code, code if variable.item_code is None else variable.item_code)


def crosstab_side(cells: pd.DataFrame, policy: Policy, pair: pd.Series, row: queries.CrossVariable,
                  col: queries.CrossVariable) -> tuple[pd.DataFrame, int | None]:
    """A report cross-tab in one wave: each cell, then each margin, as a share of the table's shown total.

    Cells are keyed as the stats stage keys them (``fiche=Y & accompagne=N``); margins by their question's code,
    since the report quotes them as that question's share (``does_eadmin`` = Y).
    """
    table = display.cross_table(cells, policy)
    rows = cells.drop_duplicates("row_code").sort_values("row_position")
    cols = cells.drop_duplicates("col_code").sort_values("col_position")
    total = table.shown.loc[display.TOTAL, display.TOTAL]
    total = None if table.hidden.loc[display.TOTAL, display.TOTAL] else float(total)
    rq, cq, crosstab = pair["row_question"], pair["col_question"], pair["crosstab_id"]
    keys, counts, hidden = [], [], []

    def add(key: tuple, row_label: str, col_label: str) -> None:
        keys.append(key)
        counts.append(table.shown.loc[row_label, col_label])
        hidden.append(bool(table.hidden.loc[row_label, col_label]))

    for r in rows.itertuples():
        for c in cols.itertuples():
            key = f"{pair['row_alias']}={r.row_code} & {pair['col_alias']}={c.col_code}"
            refs = (_ref(row, r.row_code), _ref(col, c.col_code))
            add((crosstab, key, f"{r.row_label} × {c.col_label}", r.row_position * 100 + c.col_position, refs),
                r.row_label, c.col_label)
    for r in rows.itertuples():
        add((rq, r.row_code, f"{r.row_label} × {display.TOTAL}", 10_000 + r.row_position, (_ref(row, r.row_code),)),
            r.row_label, display.TOTAL)
    for c in cols.itertuples():
        add((cq, c.col_code, f"{display.TOTAL} × {c.col_label}", 20_000 + c.col_position, (_ref(col, c.col_code),)),
            display.TOTAL, c.col_label)
    side = _shares(keys, np.array(counts, dtype=float), np.array(hidden), np.nan if total is None else total)
    return side, None if total is None else int(total)


def _rank(position: object) -> int:
    return 0 if position is None or pd.isna(position) else int(position)


def group_side(groups: pd.DataFrame, policy: Policy, comp: pd.Series, single: bool, several: bool
               ) -> tuple[pd.DataFrame, None]:
    """A figure's group means in one wave: what the Figures page draws and lists beneath (same policy).

    Keyed as the stats stage keys the report's quoted group means: the group's code for a single choice
    (``A1``), ``place=Y`` for a box; the value item leads where the figure has ``several`` (a scale's items,
    figures 4–6), whatever items the selection answered.
    """
    shown = display.shown_magnitudes(groups, policy)
    vq, gq = comp["value_question"], comp["group_question"]
    records = []
    for r in shown.itertuples(index=False):
        if single:
            key, label, detail, refs = r.group_code, r.group_label, None, ((gq, r.group_code),)
        else:
            key, label, detail, refs = f"{r.group_item}={r.group_code}", r.group_item_label, r.group_label, (
                (gq, r.group_item),)
        if several:
            key, label = f"{r.item_code}|{key}", r.item_label
        refs = (*refs, (vq, r.item_code))
        position = _rank(r.item_position) * 10_000 + _rank(r.group_item_position) * 100 + _rank(r.group_position)
        records.append(dict(test_question=comp["comparison_id"], key=key, label=label, detail=detail,
                            position=position, refs=refs,
                            value=np.nan if r.hidden else r.mean, hidden=bool(r.hidden), n=np.nan if r.hidden else r.n,
                            median=np.nan if r.hidden else r.median, sd=np.nan if r.hidden else r.sd))
    return _side(records), None


def distribution_side(values: pd.DataFrame, policy: Policy, question: str) -> tuple[pd.DataFrame, int | None]:
    """Figure 2's classes in one wave, as the Figures page shows them, with their share of the shown total."""
    classes = binned(values)
    counts, hidden = policy.counts(classes[RESPONDENTS], classes["ckey"])
    total = policy.count(int(classes[RESPONDENTS].sum()), combine(*classes["ckey"]))
    keys = [(None, label, label, i, ((question, question),)) for i, label in enumerate(classes[CLASS])]
    return _shares(keys, counts, hidden, np.nan if total is None else float(total)), total


# --- two waves side by side -------------------------------------------------------------------------------


def merge(one: pd.DataFrame, two: pd.DataFrame, first: Edition, second: Edition) -> pd.DataFrame:
    """Both waves' rows on (test question, key): ``label`` names both labels where they differ (then the group,
    ``detail``, if any: ``France Travail (2024 ; Pôle emploi en 2023) : Oui``); ``asked_1/2``
    say whether each wave asked the row (its codes in that wave's edition); ``difference`` is the later shown
    value minus the earlier one (NaN where either is hidden or missing)."""
    index = ["test_question", "key"]
    both = one.merge(two, on=index, how="outer", suffixes=("_1", "_2"), sort=False)
    for side, edition_ in (("1", first), ("2", second)):
        refs = both[f"refs_{side}"].where(both[f"refs_{side}"].notna(), both["refs_2" if side == "1" else "refs_1"])
        present = both[f"label_{side}"].notna()
        both[f"asked_{side}"] = present | refs.map(edition_.asked)
        both[f"hidden_{side}"] = both[f"hidden_{side}"].astype("boolean").fillna(False).astype(bool)
        # asked and no row: nobody in the selection answered (a count of 0, no mean)
        both.loc[~present & both[f"asked_{side}"], f"n_{side}"] = 0.0
    details = both["detail_2"].where(both["detail_2"].notna(), both["detail_1"])
    both["label"] = [
        both_labels(a, b, first.wave, second.wave) + (f" : {d}" if isinstance(d, str) and d else "")
        for a, b, d in zip(both["label_1"], both["label_2"], details, strict=True)
    ]
    both["position"] = both["position_2"].fillna(both["position_1"])
    both["difference"] = both["value_2"] - both["value_1"]
    return both.sort_values("position", kind="stable").reset_index(drop=True)


# --- the report's tables and figures ----------------------------------------------------------------------


def _empty() -> tuple[pd.DataFrame, None]:
    return _side([]), None


def _comparison(section_id: str, title: str, kind: str, first: Edition, second: Edition,
                sides: list[tuple[pd.DataFrame, int | None]], asked: tuple[bool, bool], **extra) -> Comparison:
    (one, base_1), (two, base_2) = sides
    rows = merge(one, two, first, second)
    return Comparison(section_id, title, kind, (first.wave, second.wave), rows, (base_1, base_2), asked, **extra)


def _label(editions: tuple[Edition, Edition], question: str, column: str = "label_fr") -> str | None:
    labels = [e.questions.set_index("question_code")[column].get(question) for e in editions]
    if column != "label_fr":
        return next((x for x in reversed(labels) if isinstance(x, str)), None)
    return both_labels(*labels, editions[0].wave, editions[1].wave)


def _question_notes(q: pd.Series) -> tuple[str, ...]:
    notes = [q["base_note"]] if isinstance(q["base_note"], str) else []
    if q["type"] == "multi":
        notes.append("plusieurs réponses possibles : les pourcentages ne s'additionnent pas")
    if q["type"] == "scale":
        notes.append("échelle de 1 (jamais) à 10 (très régulièrement)")
    return tuple(notes)


def table_comparisons(path: Path, editions: tuple[Edition, Edition], policy: Policy) -> list[Comparison]:
    """Tables 1–13, each question (or the report's cross-tab) in both waves."""
    every = queries.questions(path)
    pairs = queries.report_crosstabs(path).set_index("report_figure")
    tables = report_tables(every)
    numbered = {code for _, qs in tables for code in qs["question_code"]}
    frames = {}
    for e in editions:
        asked = e.questions[e.questions["question_code"].isin(numbered)]
        frames[e.wave] = (
            queries.frequencies(path, e.filter, asked[asked["type"].isin(CHOICE_TYPES)]["question_code"], e.scan),
            queries.scale_summaries(path, e.filter, asked[asked["type"].isin(SUMMARY_TYPES)]["question_code"],
                                    e.scan),
        )
    out = []
    for table_id, qs in tables:
        if table_id in pairs.index:
            out.append(_crosstab_comparison(path, table_id, pairs.loc[table_id], editions, policy))
            continue
        for q in qs.to_dict("records"):
            code, sides, asked = q["question_code"], [], []
            for e in editions:
                freq, summaries = frames[e.wave]
                asked.append((code, code) in e.codes)
                if not asked[-1]:
                    sides.append(_empty())
                elif q["type"] in CHOICE_TYPES:
                    sides.append(frequency_side(freq, code, policy))
                else:
                    sides.append(summary_side(summaries, code, policy))
            kind = SHARE if q["type"] in CHOICE_TYPES else MEAN
            title = _label(editions, code) or q["label_fr"]
            wording = _label(editions, code, "wording_fr") or q["wording_fr"]
            out.append(_comparison(table_id, title, kind, *editions, sides, tuple(asked), wording=wording,
                                   notes=_question_notes(pd.Series(q)), table=(code,) if q["type"] == "single" else ()))
    return out


def _crosstab_comparison(path: Path, table_id: str, pair: pd.Series, editions: tuple[Edition, Edition],
                         policy: Policy) -> Comparison:
    sides, asked, labels = [], [], []
    for e in editions:
        variables = {v.key: v for v in queries.cross_variables(path, e.wave)}
        row, col = variables.get(pair["row_question"]), variables.get(pair["col_question"])
        asked.append(row is not None and col is not None)
        if not asked[-1]:
            sides.append(_empty())
            labels.append(None)
            continue
        sides.append(crosstab_side(queries.crosstab(path, e.filter, row, col, e.scan), policy, pair, row, col))
        labels.append((row.label, col.label))
    names = [both_labels(*(x[i] if x else None for x in labels), *(e.wave for e in editions)) for i in (0, 1)]
    note = f"cases : {names[0]} × {names[1]}, en % du total du tableau ; « Total » : l'ensemble d'une ligne ou colonne"
    return _comparison(table_id, f"{names[0]} × {names[1]}", SHARE, *editions, sides, tuple(asked), notes=(note,),
                       table=(pair["row_question"], pair["col_question"]))


def figure_comparisons(path: Path, editions: tuple[Edition, Edition], policy: Policy) -> list[Comparison]:
    """Figures 1 and 3–6 (group means) and figure 2 (the distribution of table 8's number), in both waves."""
    every = queries.questions(path)
    types = every.set_index("question_code")["type"]
    report = queries.report_comparisons(path)
    comparisons = [pd.Series(comp) for comp in report.to_dict("records")]
    groupings = comparison_groupings(report)
    # what each wave asked, and its groups, all of a wave's in one statement
    asked_by = {e.wave: [e.asked(((v, v), (g, g), *(((g, i),) if i else ()))) for v, g, i in groupings]
                for e in editions}
    frames = {}
    for e in editions:
        drawn = [x for x, ok in zip(groupings, asked_by[e.wave], strict=True) if ok]
        frames[e.wave] = dict(zip(drawn, queries.group_means_of(path, e.filter, drawn, e.scan), strict=True))
    out = []
    for comp, (vq, gq, item) in zip(comparisons, groupings, strict=True):
        single, several = types.get(gq) == "single", types.get(vq) != "number"
        sides, asked = [], []
        for e in editions:
            groups = frames[e.wave].get((vq, gq, item))  # None: not asked that wave
            asked.append(groups is not None)
            sides.append(_empty() if groups is None else group_side(groups, policy, comp, single, several))
        notes = ["moyennes par groupe ; n : réponses du groupe"]
        if not single:
            place = "ce lieu" if item is None else "le lieu de la figure"
            notes.append(f"Oui / Non : intervient ou non dans {place}")
        out.append(_comparison(str(comp["report_figure"]), str(comp["title_fr"]), MEAN, *editions, sides,
                               tuple(asked), wording=_label(editions, vq, "wording_fr") or "", notes=tuple(notes)))
    q = distribution_question(every)
    if q is not None:
        asked = tuple((q, q) in e.codes for e in editions)
        sides = [distribution_side(queries.value_counts(path, e.filter, q, e.scan), policy, q) if ok else _empty()
                 for e, ok in zip(editions, asked, strict=True)]
        out.append(_comparison("F2", f"Distribution : {_label(editions, q)}", SHARE, *editions, sides, asked,
                               wording=_label(editions, q, "wording_fr") or "",
                               notes=("valeurs regroupées en classes", "part de chaque classe dans le total")))
    return sorted(out, key=lambda c: c.number)


def compare(path: Path, f: RespondentFilter, waves: tuple[str, str], policy: Policy) -> list[Comparison]:
    """Every report table, then every figure, in the two ``waves`` (earlier, later) on ``f``'s selection."""
    editions = (edition(path, f, waves[0]), edition(path, f, waves[1]))
    for e in editions:
        queries.prefetch(path, e.filter, e.scan)
    return table_comparisons(path, editions, policy) + figure_comparisons(path, editions, policy)

