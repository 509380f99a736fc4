"""The codebook of the warehouse as the labels of an SPSS or Stata file: names, variable labels, value labels.

Everything is read from the warehouse's own codebook (``staging.stg_codebook__*``, ``codebook.codebook_choices``),
so labels are always those of the build that holds the data. The conventions, chosen for both formats at once so
that a variable means the same in SPSS and Stata (``README.txt`` of every export states them):

* **Names.** The warehouse's names (``place__mairie``) where they fit in 29 characters; a question with one
  longer name gets its questionnaire code as prefix for all its variables (``Q14__complex_situations``) so that
  its variables keep one common stem. 29, not Stata's 32: pyreadstat names each value-label set after its
  variable plus a counter (``place__mairie12``), and Stata refuses label names over 32 characters too. SPSS (64)
  takes the same names: one name per variable in every file.
* **Single choices** are numbers, because Stata value labels only label integers: the codebook's code itself when
  every code of the question is a whole number (départements 22, 29…), else 1…k in the codebook's order of the
  choices (``A1`` → 1). ``variables.csv`` gives each number's code.
* **Boxes** of a multiple choice are 0/1 labelled Non/Oui; **scales** keep 1–10 with their end points labelled
  (1 = jamais, 10 = très régulièrement); numbers have no value labels.
* **Labels that changed between waves** (Pôle emploi → France Travail from 2024): one file for every wave
  exported, labelled with the latest exported wave's label, the earlier one after it in brackets
  (« France Travail (2023 : Pôle emploi) »). Codes never change between waves, so one file compares waves.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb

#: Longest variable name: Stata's 32, less the up to 3 digits pyreadstat appends to name a value-label set.
MAX_NAME = 29
#: Longest variable label: Stata's 80 characters; SPSS keeps 256 bytes.
MAX_LABEL = {"dta": 80, "sav": 256}
#: Longest value label in bytes (SPSS's classic limit; Stata's is far larger).
MAX_VALUE_LABEL = 120
#: Words Stata or SPSS reserve, which no variable may be called.
RESERVED = {
    "_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int", "long", "_n", "_pi", "_pred",
    "_rc", "_skip", "strl", "using", "with", "all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or",
    "to",
}
#: Labels of a box of a multiple choice (and of the 0/1 flags of the long table).
NO_YES = {0: "Non", 1: "Oui"}
#: French names of the codebook's question types, as ``variables.csv`` shows them.
TYPE_FR = {"single": "choix unique", "multi": "choix multiple (case)", "scale": "échelle", "number": "nombre"}


@dataclass(frozen=True)
class Variable:
    """One column of the wide respondents table as it appears in a labelled file."""

    name: str  # the warehouse's column
    short_name: str  # the name in .sav and .dta
    question_code: str | None
    item_code: str | None
    kind: str  # single, multi, scale, number, or id (respondent_id, wave)
    label: str  # French variable label, untruncated
    item_label: str = ""
    wording: str = ""
    value_labels: dict[int, str] = field(default_factory=dict)
    codes: dict[str, int] = field(default_factory=dict)  # single choice: warehouse code → number in the file
    code_labels: dict[str, str] = field(default_factory=dict)  # single choice: warehouse code → label
    waves: tuple[str, ...] = ()
    relabelled: str = ""  # a label that changed between the exported waves, as the file shows it

    def label_for(self, fmt: str) -> str:
        """The variable label as the format takes it (Stata: 80 characters, cut with an ellipsis)."""
        return truncate(self.label, MAX_LABEL[fmt], by_bytes=fmt == "sav")


#: The two columns that are not questionnaire variables.
ID_VARIABLES = (
    Variable("respondent_id", "respondent_id", None, None, "id", "Identifiant du répondant (pseudonyme)"),
    Variable("wave", "wave", None, None, "id", "Vague de l'enquête"),
)


def truncate(text: str, limit: int, *, by_bytes: bool = False) -> str:
    """``text`` cut to ``limit`` characters (or UTF-8 bytes), ending with « … » when cut; never splits a letter."""
    def size(s: str) -> int:
        return len(s.encode("utf-8")) if by_bytes else len(s)

    if size(text) <= limit:
        return text
    cut = text
    while size(cut + "…") > limit:
        cut = cut[:-1]
    return cut.rstrip() + "…"


def by_wave(labels: dict[str, str], waves: Sequence[str]) -> str:
    """One label for several waves: the latest wave's, with the waves that said otherwise in brackets."""
    asked = [w for w in waves if w in labels]
    latest = labels[asked[-1]]
    earlier: dict[str, list[str]] = {}
    for wave in asked:
        if labels[wave] != latest:
            earlier.setdefault(labels[wave], []).append(wave)
    if not earlier:
        return latest
    notes = " ; ".join(f"{', '.join(ws)} : {label}" for label, ws in earlier.items())
    return f"{latest} ({notes})"


def _valid(name: str) -> str:
    """A name both formats take: letters, digits and underscores, starting with a letter, not reserved."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if not name[:1].isalpha():
        name = "v" + name
    return name + "_" if name.lower() in RESERVED else name


def short_names(rows: Sequence[tuple[str, str, str | None]]) -> dict[str, str]:
    """The .sav/.dta name of each (variable, question export code, item code): see the module doc.

    A name still too long after the prefix swap (an item code of 28 characters or more) is cut and given a
    4-character digest of the full name, so that it stays unique and the same at every export.
    """
    too_long = {code for name, code, _ in rows if len(name) > MAX_NAME}
    out: dict[str, str] = {}
    for name, export_code, item in rows:
        short = f"{export_code}__{item}" if export_code in too_long and item else name
        short = _valid(short)
        if len(short) > MAX_NAME:
            digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:4]
            short = f"{short[:MAX_NAME - 5]}_{digest}"
        out[name] = short
    seen: dict[str, str] = {}
    for name, short in out.items():
        if short.lower() in seen:
            raise ValueError(f"variables {seen[short.lower()]} and {name} would share the name {short}")
        seen[short.lower()] = name
    return out


def _number_codes(codes: Sequence[str]) -> dict[str, int]:
    """Codes as numbers: kept when all are whole numbers, else 1…k in the order given (the codebook's)."""
    if all(re.fullmatch(r"\d{1,9}", c) for c in codes):
        return {c: int(c) for c in codes}
    return {c: i for i, c in enumerate(codes, start=1)}


def read_variables(con: duckdb.DuckDBPyConnection, names: Sequence[str], waves: Sequence[str]) -> list[Variable]:
    """The labelled variables of the wide table's columns ``names``, for a file covering ``waves``."""
    meta = {
        r[0]: r for r in con.execute(
            "select v.variable_name, v.question_code, v.item_code, v.question_type, v.question_label_fr, "
            "v.question_wording_fr, q.export_code, q.min_value, q.max_value, q.min_label_fr, q.max_label_fr, "
            "q.asked_waves, v.item_label_fr "
            "from staging.stg_codebook__variables as v "
            "join staging.stg_codebook__questions as q using (question_code)"
        ).fetchall()
    }
    wave_filter = ", ".join("'" + w.replace("'", "''") + "'" for w in waves)
    item_labels: dict[tuple[str, str], dict[str, str]] = {}
    choice_labels: dict[str, dict[str, dict[str, str]]] = {}
    for wave, question, item, choice, label in con.execute(
        "select wave, question_code, item_code, choice_code, label_fr from staging.stg_codebook__labels_by_wave "
        f"where wave in ({wave_filter})"
    ).fetchall():
        if item is not None:
            item_labels.setdefault((question, item), {})[wave] = label
        elif choice is not None:
            choice_labels.setdefault(question, {}).setdefault(choice, {})[wave] = label
    choice_order: dict[str, dict[str, str]] = {}  # question → code → codebook label, in the codebook's order
    for question, choice, label in con.execute(
        "select question_code, choice_code, label_fr from codebook.codebook_choices "
        "order by question_code, position, choice_code"
    ).fetchall():
        choice_order.setdefault(question, {})[choice] = label

    ids = {v.name: v for v in ID_VARIABLES}
    unknown = [n for n in names if n not in meta and n not in ids]
    if unknown:
        raise ValueError(f"columns of marts.respondents_wide without a codebook variable: {', '.join(unknown)}")
    shorts = short_names([(n, meta[n][6], meta[n][2]) for n in names if n in meta])

    out: list[Variable] = []
    for name in names:
        if name in ids:
            out.append(ids[name])
            continue
        (_, question, item, kind, q_label, wording, _, lo, hi, lo_label, hi_label, asked, codebook_item) = meta[name]
        relabelled = ""
        if item is None:
            item_label = ""
            asked_waves = tuple(w for w in waves if w in (asked or []))
        else:
            per_wave = item_labels.get((question, item)) or {}
            item_label = by_wave(per_wave, waves) if per_wave else codebook_item
            asked_waves = tuple(w for w in waves if w in per_wave)
            if len(set(per_wave.values())) > 1:
                relabelled = item_label
        label = f"{q_label} — {item_label}" if item_label else q_label
        if not asked_waves:  # kept so that every export has the same variables, but empty
            label += f" (non posée en {', '.join(waves)})"
        value_labels: dict[int, str] = {}
        codes: dict[str, int] = {}
        code_labels: dict[str, str] = {}
        if kind == "single":
            in_codebook = choice_order.get(question, {})
            codes = _number_codes(list(in_codebook))
            asked_choices = choice_labels.get(question, {})
            for code, number in codes.items():
                if asked_choices.get(code):
                    code_labels[code] = by_wave(asked_choices[code], waves)
                    if len(set(asked_choices[code].values())) > 1:
                        relabelled = relabelled or code_labels[code]
                elif not asked_waves:  # a question not asked at all: the codebook's labels describe it
                    code_labels[code] = in_codebook[code]
                else:  # a choice not offered in the exported waves (added later): no label, no value
                    continue
                value_labels[number] = truncate(code_labels[code], MAX_VALUE_LABEL, by_bytes=True)
        elif kind == "multi":
            value_labels = dict(NO_YES)
        elif kind == "scale":
            for value, text in ((lo, lo_label), (hi, hi_label)):
                if value is not None and text:
                    value_labels[int(value)] = text
        out.append(Variable(
            name=name, short_name=shorts[name], question_code=question, item_code=item, kind=kind, label=label,
            item_label=item_label, wording=wording or "", value_labels=value_labels, codes=codes,
            code_labels=code_labels, waves=asked_waves, relabelled=relabelled,
        ))
    return out


def question_order(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Question codes in the questionnaire's order."""
    return [q for (q,) in con.execute(
        "select question_code from staging.stg_codebook__questions order by position, question_code"
    ).fetchall()]
