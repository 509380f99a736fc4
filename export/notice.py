"""What an export folder says about itself: ``variables.csv`` (every variable's names, labels and codes) and
``README.txt`` (the files, the build they come from, the conventions), both in French for the analysts.

Both are written from the same :class:`~export.labels.Variable` list as the labelled files, so the mapping of a
number in a .sav to its code in the warehouse is never stated twice. Neither holds the time of the export, only
the build's, so that re-running an export gives the same files.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from export.labels import TYPE_FR, Variable
from export.warehouse import Source

VARIABLES_FILE = "variables.csv"
README_FILE = "README.txt"
VARIABLES_HEADINGS = (
    "nom_sav_dta", "nom_entrepot", "libelle", "question", "item", "type", "codes_entrepot", "valeurs_sav_dta", "vagues",
    "intitule",
)


@dataclass(frozen=True)
class Written:
    """A file of the export and one line on what it holds."""

    name: str
    description: str


def _type(v: Variable) -> str:
    if v.kind == "id":
        return "identifiant"
    if v.kind == "scale" and v.value_labels:
        lo, hi = min(v.value_labels), max(v.value_labels)
        return f"échelle {lo} à {hi}"
    return TYPE_FR.get(v.kind, v.kind)


def _joined(pairs: Sequence[tuple[object, str]]) -> str:
    return " ; ".join(f"{value} = {label}" for value, label in pairs)


def _codes(v: Variable) -> str:
    """The values as the warehouse, Parquet and Excel files hold them."""
    if v.kind == "single":
        return _joined(list(v.code_labels.items()))
    if v.kind == "multi":
        return "vrai = Oui ; faux = Non"
    return _joined(sorted(v.value_labels.items()))


def _numbers(v: Variable) -> str:
    """The values as the .sav and .dta files hold them."""
    if v.kind == "multi":
        return "1 = Oui ; 0 = Non"
    return _joined(sorted(v.value_labels.items()))


def variable_rows(variables: Sequence[Variable]) -> list[list[str]]:
    """One row per variable of the respondents file, in its order, under :data:`VARIABLES_HEADINGS`."""
    return [
        [v.short_name, v.name, v.label, v.question_code or "", v.item_code or "", _type(v), _codes(v), _numbers(v),
         ", ".join(v.waves), v.wording]
        for v in variables
    ]


def variables_csv(variables: Sequence[Variable]) -> str:
    """``variables.csv``: :func:`variable_rows` with their headings (UTF-8, comma-separated)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(VARIABLES_HEADINGS)
    writer.writerows(variable_rows(variables))
    return buffer.getvalue()


def number_fr(n: int) -> str:
    """A count as French writes it (34 574)."""
    return f"{n:,}".replace(",", "\u202f")


def _conventions(variables: Sequence[Variable]) -> list[str]:
    """How to read the files, each rule illustrated by a variable of this export (never by a retyped example)."""
    singles = [v for v in variables if v.kind == "single" and v.codes]
    examples = list(dict.fromkeys(next(iter(v.codes)) for v in singles))[:3]
    scale = next((v for v in variables if v.kind == "scale" and v.value_labels), None)
    shortened = next((v for v in variables if v.short_name != v.name), None)
    relabelled = next((v for v in variables if v.relabelled), None)
    lines = [
        "- Une ligne par répondant retenu (les connexions exclues par les règles de nettoyage n'y sont pas).",
        "- Cellule vide (valeur manquante) : question non posée (filtre, ou question absente de cette vague)"
        " ou sans réponse. Les textes libres (« Autre, précisez ») ne sont jamais exportés.",
        f"- Choix uniques : dans l'entrepôt, Parquet et Excel, le code du questionnaire ({', '.join(examples)}…) ;"
        " dans .sav et .dta, un nombre étiqueté : le code lui-même si tous les codes de la question sont des"
        " nombres, sinon 1, 2, 3… dans l'ordre des réponses du questionnaire (Stata n'étiquette que des nombres)."
        " La correspondance code → nombre → libellé est dans variables.csv (colonnes codes_entrepot et"
        " valeurs_sav_dta).",
        "- Cases des questions à choix multiple : vrai/faux (Parquet, Excel), 1 = Oui / 0 = Non (.sav, .dta).",
    ]
    if scale is not None:
        ends = " ; ".join(f"{k} = « {text} »" for k, text in sorted(scale.value_labels.items()))
        lines.append(f"- Échelles : nombres entiers ; les extrémités sont étiquetées ({ends}).")
    lines.append(
        "- Noms de variables : ceux de l'entrepôt (question__item) ; dans .sav et .dta, une question dont un nom"
        " dépasse 29 caractères (Stata limite noms et étiquettes à 32) prend son code de questionnaire comme"
        " préfixe pour toutes ses variables"
        + (f" ({shortened.name} → {shortened.short_name})" if shortened else "")
        + ". variables.csv donne les deux noms."
    )
    lines.append(
        "- Libellés : ceux du questionnaire tel que posé dans les vagues exportées. Quand un libellé a changé"
        " d'une vague à l'autre, c'est celui de la dernière vague, suivi des anciens entre parenthèses"
        + (f" (« {relabelled.relabelled} »)" if relabelled else "")
        + " ; les codes, eux, ne changent pas. Stata coupe les libellés de variables à 80 caractères (« … ») :"
        " le libellé entier est dans variables.csv."
    )
    lines.append("- Tableaux du rapport : valeurs non arrondies ; les pourcentages vont de 0 à 100 ; les effectifs"
                 " sont des entiers.")
    return lines


def readme(source: Source, fmt: str, files: Sequence[Written], counts: dict[str, int],
           variables: Sequence[Variable]) -> str:
    """``README.txt``: the files written, the build they come from, and how to read codes and labels."""
    per_wave = ", ".join(f"{w} : {number_fr(counts.get(w, 0))}" for w in source.waves)
    title = "Enquête « médiation numérique et e-administration » — export de l'entrepôt"
    lines = [
        title,
        "=" * len(title),
        "",
        f"Entrepôt : {source.path.name}, build {source.run_id} terminé le"
        f" {source.finished_at:%d/%m/%Y à %H:%M:%S}.",
        f"Vagues exportées : {', '.join(source.waves)} (répondants retenus — {per_wave}).",
        f"Format demandé : {fmt}. Les dates internes des fichiers sont celles du build : un nouvel export du"
        " même build donne des fichiers identiques.",
        "",
        "Fichiers",
        "--------",
        *(f"- {f.name} : {f.description}" for f in files),
        "",
        "Conventions",
        "-----------",
        *_conventions(variables),
        "",
    ]
    return "\n".join(lines)
