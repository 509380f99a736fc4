"""French headings for the columns of the long tables (answers, report tables) and names for the report's sheets.

These name the warehouse's columns, not the questionnaire: the questions' own labels come from the codebook
(:mod:`export.labels`). A column this table does not know yet (a report model that gained one) still gets a
French heading, put together word by word from :data:`WORDS`, so a new column never shows up in English.
"""

from __future__ import annotations

import re

from export.tables import REPORT_COMPARISON, REPORT_FIGURES, sheet_key

HEADINGS: dict[str, str] = {
    # who and when
    "wave": "Vague",
    "wave_1": "Vague 1",
    "wave_2": "Vague 2",
    "respondent_id": "Identifiant du répondant",
    "respondents": "Répondants",
    # questions, items, answers
    "question": "Question",
    "question_code": "Code de la question",
    "question_label": "Question",
    "question_wording": "Intitulé de la question",
    "question_type": "Type de question",
    "item": "Item",
    "item_key": "Clé de l'item",
    "item_kind": "Nature de l'item",
    "item_code": "Code de l'item",
    "item_label": "Item",
    "item_position": "Rang de l'item",
    "item_1": "Item (vague 1)",
    "item_2": "Item (vague 2)",
    "answer_code": "Code de la réponse",
    "answer_label": "Réponse",
    "answer_group": "Regroupement de la réponse",
    "value": "Valeur",
    "is_asked": "Question posée",
    "is_answered": "A répondu",
    "ticked_any": "Au moins une case cochée",
    "in_base": "Dans la base du rapport",
    # counts and statistics
    "count": "Effectif",
    "count_no": "Effectif (Non)",
    "base_n": "Base (effectif)",
    "percent": "Pourcentage",
    "percent_no": "Pourcentage (Non)",
    "percent_of_total": "Pourcentage du total",
    "table_n": "Effectif du tableau",
    "n": "Effectif (n)",
    "n_1": "Effectif (vague 1)",
    "n_2": "Effectif (vague 2)",
    "mean": "Moyenne",
    "median": "Médiane",
    "sd": "Écart-type",
    "min": "Minimum",
    "max": "Maximum",
    "statistic": "Statistique",
    "value_1": "Valeur (vague 1)",
    "value_2": "Valeur (vague 2)",
    "difference": "Écart (vague 2 − vague 1)",
    "people_per_week": "Personnes accompagnées par semaine",
    # cross-tabulations
    "crosstab_id": "Tableau croisé",
    "report_figure": "Tableau ou figure du rapport",
    "figure_id": "Tableau ou figure du rapport",
    "row_question": "Question en ligne",
    "row_code": "Code de la ligne",
    "row_label": "Ligne",
    "row_position": "Rang de la ligne",
    "row_alias": "Nom court de la question en ligne",
    "col_question": "Question en colonne",
    "col_code": "Code de la colonne",
    "col_label": "Colonne",
    "col_position": "Rang de la colonne",
    "col_alias": "Nom court de la question en colonne",
    # group comparisons
    "comparison_id": "Comparaison",
    "value_question": "Question comparée",
    "value_item": "Item comparé",
    "value_item_label": "Libellé de l'item comparé",
    "value_item_position": "Rang de l'item comparé",
    "value_variable": "Variable comparée",
    "group_question": "Question des groupes",
    "group_item": "Item des groupes",
    "group_item_label": "Libellé de l'item des groupes",
    "group_variable": "Variable des groupes",
    "group_code": "Code du groupe",
    "group_label": "Groupe",
    "group_position": "Rang du groupe",
    # tests
    "asked_note": "Note sur les questions posées",
    "test_id": "Test",
    "test_method": "Méthode du test",
    "test_statistic_name": "Statistique du test",
    "test_statistic": "Valeur de la statistique du test",
    "p_value": "p",
    "p_holm": "p ajusté (Holm)",
    "p_bh": "p ajusté (Benjamini-Hochberg)",
    "significant": "Significatif",
    "notes": "Notes",
}

#: Words of column names, for a column :data:`HEADINGS` does not list.
WORDS: dict[str, str] = {
    "answer": "réponse", "asked": "posée", "base": "base", "code": "code", "col": "colonne", "count": "effectif",
    "difference": "écart", "figure": "figure", "group": "groupe", "id": "identifiant", "is": "", "item": "item",
    "key": "clé", "kind": "nature", "label": "libellé", "max": "maximum", "mean": "moyenne", "median": "médiane",
    "min": "minimum", "n": "effectif", "name": "nom", "no": "non", "note": "note", "notes": "notes",
    "percent": "pourcentage", "position": "rang", "question": "question", "report": "rapport", "row": "ligne",
    "sd": "écart-type", "statistic": "statistique", "test": "test", "total": "total", "type": "type",
    "value": "valeur", "variable": "variable", "wave": "vague", "yes": "oui",
}

#: Titles of the report relations that have none in French in the warehouse.
TITLES: dict[str, str] = {
    REPORT_FIGURES: "Chiffres publiés dans le rapport, recalculés à partir des données (toutes vagues)",
    REPORT_COMPARISON: "Comparaison des vagues : chaque chiffre du rapport d'une vague à l'autre, écart et test",
}

#: Sheet names of those relations (Excel: 31 characters at most).
SHEETS: dict[str, str] = {REPORT_FIGURES: "Chiffres du rapport", REPORT_COMPARISON: "Comparaison des vagues"}

SUMMARY_SHEET = "Sommaire"
SUMMARY_HEADINGS = ("Feuille", "Titre", "Table de l'entrepôt", "Lignes")


def heading(column: str) -> str:
    """The French heading of a warehouse column."""
    if column in HEADINGS:
        return HEADINGS[column]
    words = [WORDS.get(w, w) for w in column.split("_")]
    text = " ".join(w for w in words if w)
    return text[:1].upper() + text[1:]


def sheet_name(table: str) -> str:
    """« Tableau 1 » for ``t01_post_titles``, « Figure 6 » for ``f6_sites_by_ccas``, a French name otherwise."""
    key = sheet_key(table)
    if key is not None:
        return f"{'Tableau' if key[0] == 'T' else 'Figure'} {key[1]}"
    return SHEETS.get(table, table[:31])


def sheet_title(table: str, comment: str | None) -> str:
    """What the table shows, in French: the report's own title (its dbt description) or :data:`TITLES`."""
    if table in TITLES:
        return TITLES[table]
    if comment and re.match(r"^(Tableau|Figure) \d+", comment):
        return comment.strip()
    return sheet_name(table)
