"""How a codebook question looks in LimeSurvey, written once for the .lss writer and the comparison.

The writer and the checker must agree on every rule below (which type letter, which answer rows,
which condition): if they lived apart, a codebook written out as .lss could fail its own check.

* ``export_code`` (Q01…) is the question's ``title``; an item's ``export_suffix`` (SQ001…) a
  subquestion's ``title``; a choice's ``choice_code`` an answer's ``code``.
* The codebook's ``-oth-`` choice is no answer row: it is LimeSurvey's "other" option, the
  question field ``other = Y`` (its label, when not LimeSurvey's own "Autre", the attribute
  ``other_replace_text``).
* Some LimeSurvey types carry fixed answers and no answer rows: yes/no (``Y``: Y/N), gender
  (``G``: F/M), arrays of 5 or 10 points (``A``/``5``: 1–5, ``B``: 1–10).
* ``asked_if_question`` / ``asked_if_choice`` is the relevance equation ``((Q04.NAOK == "Y"))``.
"""

from __future__ import annotations

import html
import re

import codebook

#: The language whose texts are written and compared.
LANGUAGE = "fr"
#: LimeSurvey's code for the "other" option (never an answer row).
OTHER_CODE = "-oth-"
#: LimeSurvey's own French label of the "other" option, used when ``other_replace_text`` is empty.
OTHER_DEFAULT_LABEL_FR = "Autre"

#: Types whose answers are fixed by LimeSurvey (no answer rows in the .lss).
IMPLIED_ANSWERS: dict[str, tuple[str, ...]] = {
    "Y": ("Y", "N"),
    "G": ("F", "M"),
    "A": tuple(str(n) for n in range(1, 6)),
    "5": tuple(str(n) for n in range(1, 6)),
    "B": tuple(str(n) for n in range(1, 11)),
}

#: Types whose values are answer codes (rows of ``answers`` or the fixed ones above); a numerical input
#: or a text has none, so a one-row scale typed ``N`` has no codes to compare.
CODED_TYPES = frozenset("LO!YGA5BFH1EC")

#: What a person calls each LimeSurvey type letter met here (messages only).
TYPE_NAMES: dict[str, str] = {
    "L": "list (radio)",
    "!": "list (dropdown)",
    "O": "list with comment",
    "Y": "yes/no",
    "G": "gender",
    "M": "multiple choice",
    "P": "multiple choice with comments",
    "A": "array (5 point choice)",
    "5": "5 point choice",
    "B": "array (10 point choice)",
    "F": "array",
    "H": "array by column",
    "N": "numerical input",
    "K": "multiple numerical input",
    "S": "short free text",
    "T": "long free text",
    "U": "huge free text",
    "Q": "multiple short text",
    "X": "text display",
    "*": "equation",
}

#: LimeSurvey 4+'s question theme of each type the writer uses.
THEMES: dict[str, str] = {
    "L": "listradio",
    "Y": "yesno",
    "M": "multiplechoice",
    "B": "arrays/10point",
    "N": "numerical",
    "S": "shortfreetext",
}


def type_name(letter: str) -> str:
    return f"{letter!r} ({TYPE_NAMES[letter]})" if letter in TYPE_NAMES else repr(letter)


def _choice_codes(q: codebook.Question) -> tuple[str, ...]:
    return tuple(c.choice_code for c in q.choices if c.choice_code != OTHER_CODE)


def has_other(q: codebook.Question) -> bool:
    """The codebook says "other" either way: ``has_other`` or a ``-oth-`` choice."""
    return q.has_other or any(c.choice_code == OTHER_CODE for c in q.choices)


def other_label(q: codebook.Question) -> str:
    return next((c.label_fr for c in q.choices if c.choice_code == OTHER_CODE), OTHER_DEFAULT_LABEL_FR)


def scale_codes(q: codebook.Question) -> tuple[str, ...]:
    """The codes of a 1–10 scale: its bounds from codebook_questions.csv (1–10 when unset)."""
    low = int(q.min_value) if q.min_value is not None else 1
    high = int(q.max_value) if q.max_value is not None else 10
    return tuple(str(n) for n in range(low, high + 1))


def lss_type(q: codebook.Question) -> str:
    """The type letter the writer gives a codebook question.

    A yes/no single choice is LimeSurvey's yes/no type (what its SPSS and R exports code 1/2); a
    battery scale is the 10-point array; a one-row scale is a radio list of its codes.
    """
    if q.type == "single":
        return "Y" if _choice_codes(q) == IMPLIED_ANSWERS["Y"] else "L"
    if q.type == "scale":
        return "B" if q.items else "L"
    return {"multi": "M", "number": "N", "text": "S"}[q.type]


def accepted_types(q: codebook.Question) -> tuple[str, ...]:
    """Every LimeSurvey type that exports the same headings and codes as the codebook question."""
    if q.type == "single":
        implied = tuple(t for t in ("Y", "G") if set(IMPLIED_ANSWERS[t]) == set(_choice_codes(q)))
        return ("L", "!", *implied)
    if q.type == "scale":
        return ("B", "F", "H") if q.items else ("L", "!", "N")
    return {"multi": ("M",), "number": ("N",), "text": ("S", "T", "U")}[q.type]


def expected_answers(q: codebook.Question) -> dict[str, str | None]:
    """The answer codes the codebook question takes, with their French label (None: the codebook has
    none, as for the points of a scale), the "other" option aside."""
    if q.type == "single":
        return {c.choice_code: c.label_fr for c in q.choices if c.choice_code != OTHER_CODE}
    if q.type == "scale":
        return dict.fromkeys(scale_codes(q))
    return {}


def answer_source(q: codebook.Question) -> str:
    """Where a person fixes an answer code of this question in the codebook."""
    return "codebook_choices.csv" if q.type == "single" else "codebook_questions.csv (min_value–max_value)"


def relevance(q: codebook.Question, cb: codebook.Codebook) -> str:
    """The relevance equation LimeSurvey's condition editor writes for the codebook's condition."""
    if not q.is_conditional:
        return "1"
    return f'(({cb.question(q.asked_if_question).export_code}.NAOK == "{q.asked_if_choice}"))'


# --- texts and equations, as compared ------------------------------------------------------------------

_BLOCK_TAGS = re.compile(r"<\s*/?\s*(br|p|div|li|ul|ol|h[1-6]|tr|td|th|table)\b[^>]*>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]*>")


def clean_text(text: str | None) -> str:
    """A LimeSurvey text as a person reads it: HTML tags dropped (block tags as a space), entities
    decoded, every run of white space (no-break spaces included) one space."""
    text = _TAGS.sub("", _BLOCK_TAGS.sub(" ", text or ""))
    return " ".join(html.unescape(text).split())


_ATOM = re.compile(
    r"""^\s*\{?\s*([A-Za-z_][A-Za-z0-9_]*)(?:\.(?:NAOK|code|value))?\s*\}?\s*"""
    r"""(==|!=|<=|>=|<|>|\beq\b|\bne\b)\s*(?:"([^"]*)"|'([^']*)'|(-?\d+(?:\.\d+)?))\s*$"""
)
_WORD_OPS = {"eq": "==", "ne": "!="}
_FUNCTION_CALL = re.compile(r"\b(?!(?:and|or|not)\b)[A-Za-z_]\w*\s*\(", re.IGNORECASE)


def canonical_condition(expression: str | None) -> str:
    """An equation in one spelling per meaning, so that ``((Q04.NAOK == "Y"))``, ``Q04 == 'Y'`` and
    ``Q04.NAOK=="Y"`` compare equal; empty or ``1`` (always asked) is ``""``.

    Only plain conjunctions or disjunctions of comparisons are rewritten; anything richer (functions,
    mixed and/or) is kept as written with its white space folded, which can only make two equivalent
    equations differ, never two different ones agree.
    """
    text = " ".join((expression or "").split())
    if text.strip("() ") in ("", "1"):
        return ""
    if _FUNCTION_CALL.search(text):
        return text
    flat = text.replace("(", " ").replace(")", " ")
    ors = re.split(r"\s+or\s+|\|\|", flat, flags=re.IGNORECASE)
    ands = [re.split(r"\s+and\s+|&&", part, flags=re.IGNORECASE) for part in ors]
    if len(ors) > 1 and any(len(a) > 1 for a in ands):
        return text
    joiner, atoms = (" or ", ors) if len(ors) > 1 else (" and ", ands[0])
    out = []
    for atom in atoms:
        match = _ATOM.match(atom)
        if match is None:
            return text
        name, op, *values = match.groups()
        value = next(v for v in values if v is not None)
        out.append(f'{name} {_WORD_OPS.get(op, op)} "{value}"')
    return joiner.join(sorted(set(out)))
