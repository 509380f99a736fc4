"""Tests of the sample generator, checked from the outside.

The export is read back with pandas and cleaned here with the warehouse's four
rules, written independently of the generator's code; the published figures
are recomputed from the kept rows and compared, at their printed precision,
with the report's own file.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import codebook
from codebook.lss import LSS_NAME
from samplegen import wave_shifts
from samplegen.generate import generate
from samplegen.plan import build_plan
from samplegen.repair import distinct_rows, duplicated_rows
from samplegen.report import distances, print_report
from samplegen.targets import load as load_targets
from samplegen.wave_shifts import Shift
from samplegen.waves import shifted_plan
from tests.published import PUBLISHED_FIGURES

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = PUBLISHED_FIGURES
METADATA = list(codebook.METADATA_COLUMNS)
CB = codebook.load()


# --------------------------------------------------------------------------- reading and cleaning
def read_export(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")


def heading(question: str, item_label: str | None = None) -> str:
    """Export heading of a question (or of its item with this label)."""
    q = CB.question(question)
    if item_label is None or not q.items:
        return q.export_code
    item = next(i for i in q.items if i.label_fr == item_label)
    return f"{q.export_code}[{item.export_suffix}]"


def code_of(question: str, label: str) -> str:
    return next(c.choice_code for c in CB.question(question).choices if c.label_fr == label)


def clean(raw: pd.DataFrame, wave: str = "2023") -> tuple[pd.DataFrame, pd.Series]:
    """The warehouse's rules, first matching rule wins: returns kept rows and each row's reason."""
    w = CB.wave(wave)
    reason = pd.Series("", index=raw.index)
    targets = {c.choice_code for c in CB.question("post_title").choices if c.is_target}
    day = raw["submitdate"].str[:10]
    rules = [
        ("incomplete", raw["submitdate"] == ""),
        ("test_entry", (day < w.fieldwork_start) | (day > w.fieldwork_end)),
        ("out_of_target", ~raw[heading("post_title")].isin(targets)),
    ]
    for name, hit in rules:
        reason[(reason == "") & hit] = name
    rest = raw[reason == ""].copy()
    rest["_id"] = rest["id"].astype(int)
    rest = rest.sort_values(["submitdate", "_id"])
    variables = [h for h in raw.columns if h not in METADATA]
    dup = rest.duplicated(subset=variables, keep="first")
    reason[dup[dup].index] = "duplicate"
    return raw[reason == ""], reason


def scope_rows(kept: pd.DataFrame, raw: pd.DataFrame, scope: str) -> pd.DataFrame:
    does = kept[heading("does_eadmin")]
    if scope == "raw":
        return raw
    if scope == "respondents":
        return kept
    if scope == "eadmin":
        return kept[does == "Y"]
    if scope == "non_eadmin":
        return kept[does == "N"]
    if scope == "eadmin_answered":
        reo = [heading("reorientation", i.label_fr) for i in CB.question("reorientation").items]
        return kept[(does == "Y") & (kept[reo] == "Y").any(axis=1)]
    raise AssertionError(scope)


def numbers(col: pd.Series) -> pd.Series:
    return col[col != ""].astype(float)


def compute(fig: dict[str, str], kept: pd.DataFrame, raw: pd.DataFrame) -> tuple[float, int]:
    """Recompute a published figure: (value, base)."""
    question, item, statistic = fig["question"], fig["item"], fig["statistic"]
    rows = scope_rows(kept, raw, fig["scope"])
    if question in ("connections", "sample"):
        return float(len(rows)), len(rows)
    if question == "people_per_week_by_place":
        place, answer = item.rsplit("=", 1)
        ticked = rows[heading("place", place)] == "Y"
        values = numbers(rows.loc[ticked if answer == "Oui" else ~ticked, heading("people_per_week")])
        return float(values.mean()), len(values)
    if question == "years_practice_by_post_title":
        sel = rows[rows[heading("post_title")] == code_of("post_title", item)]
        values = numbers(sel[heading("years_practice")])
        return float(values.mean()), len(values)
    if question == "first_mediator_hired_x_post_title":
        hit = (rows[heading("first_mediator_hired")] == "Y") & (
            rows[heading("post_title")] == code_of("post_title", item)
        )
        return float(hit.sum()), len(rows)
    if "_x_" in question:
        qa, qb = question.split("_x_")
        (_, la), (_, lb) = (part.split("=") for part in item.split(" & "))
        hit = (rows[heading(qa)] == code_of(qa, la)) & (rows[heading(qb)] == code_of(qb, lb))
        return float(hit.sum()), len(rows)
    q = CB.question(question)
    if statistic in ("mean", "median", "sd"):
        values = numbers(rows[heading(question, item if q.items else None)])
        value = {"mean": values.mean(), "median": values.median(), "sd": values.std(ddof=1)}[statistic]
        return float(value), len(values)
    if q.type == "multi":
        hit = rows[heading(question, item)] == "Y"
        base = len(rows)
    else:
        col = rows[heading(question)]
        codes = [c.choice_code for c in q.choices if item in (c.label_fr, c.group_label_fr)]
        hit = col.isin(codes)
        base = int((col != "").sum()) if not fig["n"] else len(rows)
    count = int(hit.sum())
    return (float(count) if statistic == "count" else 100.0 * count / base), base


def printed(x: float, like: str) -> str:
    decimals = len(like.split(".")[1]) if "." in like else 0
    return f"{x:.{decimals}f}"


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def sample_2023(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample_2023")
    generate(out)
    return out


@pytest.fixture(scope="module")
def cleaned_2023(sample_2023: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    raw = read_export(sample_2023 / "responses_2023.csv")
    kept, reason = clean(raw)
    return raw, kept, reason


@pytest.fixture(scope="module")
def sample_both(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2023 then 2024 into one folder, as the bundled sample (made in the other order: the result must not
    depend on it)."""
    out = tmp_path_factory.mktemp("sample_both")
    generate(out)
    generate(out, wave="2024")
    return out


@pytest.fixture(scope="module")
def cleaned_2024(sample_both: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    raw = read_export(sample_both / "responses_2024.csv")
    kept, reason = clean(raw, "2024")
    return raw, kept, reason


@pytest.fixture(scope="module")
def cleaned(request: pytest.FixtureRequest) -> tuple[str, pd.DataFrame, pd.DataFrame, pd.Series]:
    """The cleaned export of the wave the test is parametrised with."""
    return (request.param, *request.getfixturevalue(f"cleaned_{request.param}"))


# --------------------------------------------------------------------------- tests
def test_deterministic(sample_2023: Path, tmp_path: Path) -> None:
    generate(tmp_path)
    for name in ("responses_2023.csv", "manifest.csv", LSS_NAME):
        assert (tmp_path / name).read_bytes() == (sample_2023 / name).read_bytes(), name


def test_bundled_sample_is_current(sample_both: Path) -> None:
    for name in ("responses_2023.csv", "responses_2024.csv", "manifest.csv", LSS_NAME):
        bundled = ROOT / "data" / "sample" / name
        fix = "run make sample and make sample WAVE=2024"
        assert bundled.exists(), f"{bundled} is missing: {fix}"
        assert bundled.read_bytes() == (sample_both / name).read_bytes(), f"{name} is stale: {fix}"


def test_regenerating_a_wave_keeps_the_others(sample_both: Path, tmp_path: Path) -> None:
    for name in ("responses_2024.csv", "manifest.csv"):
        (tmp_path / name).write_bytes((sample_both / name).read_bytes())
    generate(tmp_path)
    for name in ("responses_2023.csv", "responses_2024.csv", "manifest.csv", LSS_NAME):
        assert (tmp_path / name).read_bytes() == (sample_both / name).read_bytes(), name
    manifest = (tmp_path / "manifest.csv").read_text(encoding="utf-8").splitlines()
    assert [line.split(",")[:2] for line in manifest[1:]] == [
        ["responses_2023.csv", "2023"],
        ["responses_2024.csv", "2024"],
    ]


def test_export_format(sample_2023: Path) -> None:
    data = (sample_2023 / "responses_2023.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data[3:].split(b"\r\n")
    assert lines[-1] == b"" and b"\n" not in b"".join(lines)
    header = lines[0].decode("utf-8")
    assert header == ";".join(f'"{h}"' for h in CB.export_headings("2023"))
    reader = csv.reader((line.decode("utf-8") for line in lines[1:-1]), delimiter=";")
    width = len(CB.export_headings("2023"))
    for raw_line, fields in zip(lines[1:-1], reader, strict=True):
        assert len(fields) == width
        assert raw_line.count(b'"') == 2 * width  # every field quoted, no quote inside
    raw = read_export(sample_2023 / "responses_2023.csv")
    assert raw["id"].astype(int).is_unique
    assert set(raw["startlanguage"]) == {"fr"}
    for col in ("submitdate", "startdate", "datestamp"):
        filled = raw[col][raw[col] != ""]
        assert filled.str.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d").all()
    assert (raw["startdate"] != "").all() and (raw["datestamp"] != "").all()
    submitted = raw[raw["submitdate"] != ""]
    assert (submitted["startdate"] <= submitted["submitdate"]).all()
    manifest = (sample_2023 / "manifest.csv").read_text(encoding="utf-8")
    assert manifest == (
        "file,wave,fieldwork_start,fieldwork_end,min_respondents,max_respondents,min_eadmin,max_eadmin\n"
        "responses_2023.csv,2023,,,,,,\n"
    )


@pytest.mark.parametrize("cleaned", ["2023", "2024"], indirect=True)
def test_answers_follow_the_questionnaire(cleaned) -> None:
    wave, raw, kept, _ = cleaned
    does = kept[heading("does_eadmin")]
    for q in CB.edition(wave).questions:
        cols = [v.export_heading for v in q.answer_variables()]
        block = kept[cols]
        if q.asked_if_question:
            asked = kept[heading(q.asked_if_question)] == q.asked_if_choice
            assert (block[~asked] == "").all().all(), f"{q.question_code} answered though not asked"
        else:
            asked = pd.Series(True, index=kept.index)
        answered = (block != "").any(axis=1)[asked]
        if q.mandatory:
            assert answered.all(), f"{q.question_code} is mandatory"
        values = block[asked].stack()
        values = values[values != ""]
        if q.type == "single":
            assert values.isin([c.choice_code for c in q.choices]).all()
        elif q.type == "multi":
            assert values.isin(["Y"]).all()
            for item in q.items:
                if item.exclusive:
                    col = f"{q.export_code}[{item.export_suffix}]"
                    others = [c for c in cols if c != col]
                    assert not ((block[col] == "Y") & (block[others] == "Y").any(axis=1)).any()
        elif q.type in ("scale", "number"):
            x = values.astype(float)
            assert x.between(q.min_value, q.max_value).all(), q.question_code
            if q.type == "scale" or q.question_code in ("age", "people_per_week", "salary"):
                assert (x == x.round()).all(), q.question_code
    assert len(does) == len(kept)


def test_2023_split_and_tables_1_2(cleaned_2023) -> None:
    raw, kept, reason = cleaned_2023
    assert len(raw) == 250
    assert len(kept) == 178
    assert reason.value_counts().to_dict() == {
        "": 178,
        "incomplete": 30,
        "out_of_target": 30,
        "duplicate": 7,
        "test_entry": 5,
    }
    variables = [h for h in raw.columns if h not in METADATA]
    assert not kept.duplicated(subset=variables).any()
    source = PUBLISHED if PUBLISHED.exists() else ROOT / "samplegen" / "targets.csv"
    published = pd.read_csv(source, dtype=str, keep_default_na=False)
    for _, fig in published[published["figure_id"].isin(["T1", "T2"]) & (published["statistic"] == "count")].iterrows():
        col = heading(fig["question"], fig["item"])
        if fig["question"] == "post_title":
            count = (kept[col] == code_of("post_title", fig["item"])).sum()
        else:
            count = (kept[col] == "Y").sum()
        assert count == int(fig["value"]), (fig["question"], fig["item"], count)


def test_every_published_figure(cleaned_2023) -> None:
    raw, kept, _ = cleaned_2023
    figures = list(csv.DictReader(PUBLISHED.open(encoding="utf-8", newline="")))
    mismatches = []
    for fig in figures:
        value, base = compute(fig, kept, raw)
        ok = printed(value, fig["value"]) == fig["value"] and (not fig["n"] or base == int(fig["n"]))
        if not ok:
            mismatches.append(
                (fig["figure_id"], fig["question"], fig["item"], fig["statistic"], fig["value"], value, fig["n"], base)
            )
    print(f"\n{len(figures) - len(mismatches)} of {len(figures)} published figures reproduced")
    assert len(figures) == 219
    assert not mismatches, mismatches


def test_targets_copy_matches_published() -> None:
    copy = (ROOT / "samplegen" / "targets.csv").read_text(encoding="utf-8")
    assert copy == PUBLISHED.read_text(encoding="utf-8"), "samplegen/targets.csv differs from the published file"


def test_report(tmp_path: Path) -> None:
    result = generate(tmp_path)
    out = io.StringIO()
    print_report(CB, result.plan, load_targets(), result.kept_columns, result.connections, out)
    text = out.getvalue()
    assert "reproduced at printed precision: 219 of 219" in text
    assert "NOT SIGNIFICANT" not in text
    dists = [d for _, _, d in distances(result.plan)]
    assert len(dists) == 40 and all(0 <= d < 20 for d in dists)


RELATIONSHIPS = [
    ("people_per_week", None, "Espace France services", 1),
    ("people_per_week", None, "Centre d'action sociale / CCAS", 1),
    ("people_per_week", None, "Médiathèque / bibliothèque", -1),
    ("site", "Le site du Conseil Régional", "Espace information jeunesse", 1),
    ("site", "Education nationale (pronote...) / Suivi de scolarité", "Espace information jeunesse", 1),
    ("site", "Services publics communaux ou intercommunaux", "Espace information jeunesse", 1),
    ("site", "Ministère de l'intérieur (dont ANTS)", "Mairie", 1),
    ("site", "La Direction générale des finances publiques (impôts)", "Mairie", 1),
    ("site", "L'assurance retraite (CARSAT)", "Mairie", 1),
    ("site", "Les Caisses d'allocations familiales (CAF)", "Centre d'action sociale / CCAS", 1),
    ("site", "L'assurance maladie (CPAM)", "Centre d'action sociale / CCAS", 1),
]


@pytest.mark.parametrize(("question", "item", "place", "sign"), RELATIONSHIPS)
def test_relationships_2023(cleaned_2023, question: str, item: str | None, place: str, sign: int) -> None:
    _, kept, _ = cleaned_2023
    rows = kept[kept[heading("does_eadmin")] == "Y"]
    y = rows[heading(question, item)].astype(float)
    group = rows[heading("place", place)] == "Y"
    t, p = stats.ttest_ind(y[group], y[~group])
    assert sign * t > 0 and p < 0.05, (question, item, place, t, p)


def test_years_and_first_hired_2023(cleaned_2023) -> None:
    _, kept, _ = cleaned_2023
    conseiller = kept[heading("post_title")] == "A1"
    years = kept[heading("years_practice")].astype(float)
    t, p = stats.ttest_ind(years[conseiller], years[~conseiller])
    assert t < 0 and p < 0.05
    hired = kept[heading("first_mediator_hired")]
    table = pd.crosstab(conseiller[hired != ""], hired[hired != ""])
    chi2, p, _, _ = stats.chi2_contingency(table.to_numpy())
    assert p < 0.05 and table.loc[True, "Y"] == 65


def test_scaled_export(tmp_path: Path) -> None:
    result = generate(tmp_path, respondents=2000)
    raw = read_export(result.responses)
    kept, reason = clean(raw)
    manifest = pd.read_csv(tmp_path / "manifest.csv", dtype=str, keep_default_na=False).iloc[0]
    assert int(manifest["min_respondents"]) == int(manifest["max_respondents"]) == len(kept) == 2000
    eadmin = int((kept[heading("does_eadmin")] == "Y").sum())
    assert int(manifest["min_eadmin"]) == int(manifest["max_eadmin"]) == eadmin
    assert abs(eadmin / 2000 - 155 / 178) < 0.002
    share = (reason != "").mean()
    assert abs(share - 72 / 250) < 0.002, share
    counts = reason[reason != ""].value_counts()
    for name, base in {"incomplete": 30, "out_of_target": 30, "duplicate": 7, "test_entry": 5}.items():
        assert abs(counts[name] / counts.sum() - base / 72) < 0.01, name
    variables = [h for h in raw.columns if h not in METADATA]
    assert not kept.duplicated(subset=variables).any()
    again = tmp_path / "again"
    generate(again, respondents=2000)
    assert (again / "responses_2023.csv").read_bytes() == result.responses.read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--respondents", "abc"], "whole number"),
        (["--respondents", "0"], "at least 1"),
        (["--wave", "1999"], "unknown wave"),
        (["--seed", "-3"], "non-negative"),
    ],
)
def test_bad_arguments(tmp_path: Path, args: list[str], message: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "samplegen", "--out", str(tmp_path), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode != 0
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert not list(tmp_path.iterdir())


def test_duplicate_repair_keeps_the_multiset() -> None:
    cols = {
        "a": np.array([1, 1, 1, 2, 2, 3], dtype=np.int16),
        "age": np.array([30, 30, 30, 40, 40, 50], dtype=np.int16),
    }
    assert duplicated_rows(list(cols.values())).tolist() == [False, True, True, False, True, False]
    distinct_rows(cols, "age", np.zeros(6, dtype=np.int64), np.random.default_rng(0))
    assert not duplicated_rows(list(cols.values())).any()
    assert sorted(cols["age"].tolist()) == [30, 30, 30, 40, 40, 50]
    assert cols["a"].tolist() == [1, 1, 1, 2, 2, 3]


# --------------------------------------------------------------------------- the synthetic 2024 wave
def test_each_export_has_its_editions_headings(sample_both: Path) -> None:
    for wave, has, lacks in (("2023", "Q22", "Q25"), ("2024", "Q25", "Q22")):
        header = read_export(sample_both / f"responses_{wave}.csv").columns.tolist()
        assert header == CB.export_headings(wave)
        assert has in header and lacks not in header
    lss = (sample_both / LSS_NAME).read_text(encoding="utf-8")
    assert "<![CDATA[Q22]]>" in lss and "<![CDATA[Q25]]>" not in lss  # the folder's first wave: 2023
    assert "France Travail" not in lss and "Contrat de projet" not in lss


def test_2024_sample_and_fieldwork(cleaned_2024, sample_both: Path) -> None:
    raw, kept, reason = cleaned_2024
    start, end = CB.wave("2024").fieldwork_start, CB.wave("2024").fieldwork_end
    assert (start, end) == ("2024-02-26", "2024-03-18")
    assert len(kept) == 300
    assert kept["submitdate"].str[:10].between(start, end).all()
    assert (kept["startdate"] <= kept["submitdate"]).all()
    counts = reason[reason != ""].value_counts().to_dict()
    assert set(counts) == {"incomplete", "test_entry", "out_of_target", "duplicate"}
    assert abs(sum(counts.values()) / len(raw) - 72 / 250) < 0.01
    tests = raw[reason == "test_entry"]["submitdate"].str[:10]
    assert ((tests < start) | (tests > end)).all() and (tests < start).any() and (tests > end).any()
    codes = {c.choice_code for c in CB.edition("2024").question("contract").choices}
    assert "A5" in codes and set(kept[heading("contract")]) - {""} == codes
    eadmin = int((kept[heading("does_eadmin")] == "Y").sum())
    rows = list(csv.DictReader((sample_both / "manifest.csv").open(encoding="utf-8")))
    assert [r["wave"] for r in rows] == ["2023", "2024"]
    # the kept size is waves.csv's (blank: as declared); the e-administration count, left open there, is pinned
    assert rows[1] == {
        "file": "responses_2024.csv",
        "wave": "2024",
        "fieldwork_start": "",
        "fieldwork_end": "",
        "min_respondents": "",
        "max_respondents": "",
        "min_eadmin": str(eadmin),
        "max_eadmin": str(eadmin),
    }


def shift_figure(kept: pd.DataFrame, s: Shift) -> tuple[float, pd.Series]:
    """A row of the known truth recomputed from an export: (share in % or mean, the answers it is computed on)."""
    q = CB.question(s.question)
    rows = kept if not q.is_conditional else kept[kept[heading(q.asked_if_question)] == q.asked_if_choice]
    if s.is_choice:
        col = rows[q.export_code]
        answers = (col[col != ""] == s.code).astype(float)
    elif q.type == "multi":
        item = next(i for i in q.items if i.item_code == s.code)
        answers = (rows[f"{q.export_code}[{item.export_suffix}]"] == "Y").astype(float)
    else:
        item = next((i for i in q.items if i.item_code == s.code), None)
        col = rows[q.export_code if item is None else f"{q.export_code}[{item.export_suffix}]"]
        answers = col[col != ""].astype(float)
    return (100 * answers.mean() if s.kind != "mean" else answers.mean()), answers


def test_2024_shows_the_known_truth(cleaned_2023, cleaned_2024) -> None:
    """Planted differences show up in their direction and roughly their size, and are clear (p < 0.001); the null
    controls are not significant at 5 % and differ, in standard deviations, by much less; new answers sit near
    their level."""
    planted_kinds = {CB.question(s.question).type for s in wave_shifts.planted("2024")}
    assert planted_kinds >= {"single", "multi", "scale", "number"}
    effects: dict[str, tuple[float, float]] = {}  # variable: (p-value, difference in pooled SDs)
    for s in wave_shifts.load("2024"):
        after, b = shift_figure(cleaned_2024[1], s)
        if s.kind == "level":
            assert abs(after - s.shift) < 8, (s.variable, after)
            continue
        before, a = shift_figure(cleaned_2023[1], s)
        diff = after - before
        sd = np.sqrt((a.var() * (len(a) - 1) + b.var() * (len(b) - 1)) / (len(a) + len(b) - 2))
        effects[s.variable] = (stats.ttest_ind(a, b, equal_var=False).pvalue, (b.mean() - a.mean()) / sd)
        if s.planted:
            assert np.sign(diff) == np.sign(s.shift) and abs(diff - s.shift) < 0.5 * abs(s.shift), (s.variable, diff)
    planted = {s.variable for s in wave_shifts.planted("2024")}
    nulls = {s.variable for s in wave_shifts.nulls("2024")}
    assert planted and nulls and planted | nulls == set(effects)
    smallest = min(abs(effects[v][1]) for v in planted)
    for v in planted:
        assert effects[v][0] < 0.001, (v, effects[v])
    for v in nulls:
        assert effects[v][0] > 0.05 and abs(effects[v][1]) < smallest / 2, (v, effects[v])


def test_shifted_plan_moves_only_what_is_listed() -> None:
    plan = build_plan(CB.edition("2023"), load_targets())
    shifted = shifted_plan(plan, CB, "2024")
    assert shifted.strata == plan.strata and shifted.gender == plan.gender and shifted.age_total == plan.age_total
    assert shifted.scales["site__caf"] is plan.scales["site__caf"] or np.array_equal(
        shifted.scales["site__caf"].counts, plan.scales["site__caf"].counts
    )
    for group, counts in plan.contract.items():  # CDD lose the same fraction everywhere, to the contrat de projet
        new = shifted.contract[group]
        assert new["A2"] + new["A5"] == pytest.approx(counts["A2"])
        assert all(new[c] == counts[c] for c in counts if c != "A2")
    total = sum(sum(v for c, v in g.items() if c) for g in plan.contract.values())
    assert sum(g["A5"] for g in shifted.contract.values()) == pytest.approx(0.25 * total)
    sal = plan.salary_total + 150 * plan.salary_answered
    assert shifted.salary_total == sal and shifted.levels == {"ai_tools": {"Y": 35.0, "N": 65.0}}
    pole = shifted.scales["site__pole_emploi"]
    assert (pole.counts * pole.domain).sum() / pole.counts.sum() == pytest.approx(
        (plan.scales["site__pole_emploi"].values()).mean() + 2
    )


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([Shift("2024", "contract=A2", "share", -10, True)], "add up to 0"),
        ([Shift("2024", "contract=A1", "level", 10, False)], "kind level"),
        ([Shift("2024", "first_mediator_hired=Y", "share", 5, True)], "not asked in 2024"),
        ([Shift("2024", "site__nowhere", "mean", 1, True)], "not an item"),
        ([Shift("2024", "site__caf", "mean", 9, True)], "outside"),
        ([Shift("2024", "place__france_services", "share", 90, True)], "between 0 and 100"),
    ],
)
def test_shifts_that_cannot_be_applied_are_named(rows: list[Shift], message: str) -> None:
    plan = build_plan(CB.edition("2023"), load_targets())
    with pytest.raises(ValueError, match=message):
        shifted_plan(plan, CB, "2024", rows)
