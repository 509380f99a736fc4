"""Design choices the report does not pin down, in one place.

Everything the report publishes is read from ``targets.csv``; everything the
questionnaire defines is read from the codebook. What is left is here: the
bases of optional questions the report leaves unstated, how unpublished
categories split, how the 23 non-e-administration respondents differ from the
155 others, the strength of the relationships the report describes, and the
shape of the excluded connections. All counts are for the 2023 wave
(178 kept respondents); other sizes scale them proportionally.

Codes are codebook codes (``choice_code`` for single choices, ``item_code``
for boxes and scale rows).
"""

from __future__ import annotations

#: The wave the report describes, which the plan is calibrated on; later waves are shifted from it.
BASE_WAVE = "2023"
#: Default seed: the first day of the 2023 fieldwork (a later wave's is its own first day).
DEFAULT_SEED = 20230228

# --------------------------------------------------------------------------- connections
#: Excluded connections of the 2023 export (250 connections, 178 kept), by cleaning reason.
EXCLUDED = {"incomplete": 30, "test_entry": 5, "out_of_target": 30, "duplicate": 7}
#: Of the test entries, how many were made before the fieldwork opened (the rest after it closed).
TEST_ENTRIES_BEFORE = 3
#: Last page reached by incomplete connections (page 0 = opened, nothing validated), as weights.
INCOMPLETE_LASTPAGE_WEIGHTS = {0: 4, 1: 11, 2: 8, 3: 5, 4: 2}
#: Free texts of "Autre" post titles: the out-of-target public the report's note 4 describes.
OUT_OF_TARGET_TITLES = (
    "Travailleur social",
    "Travailleuse sociale",
    "Intervenante sociale",
    "Intervenant social",
    "Agent d'accueil",
    "Agente d'accueil France services",
    "Formatrice",
    "Formateur bureautique",
    "Conseillère en insertion professionnelle",
    "Conseiller en insertion",
    "Assistante sociale",
    "Secrétaire de mairie",
    "Chargée d'accueil",
    "Éducateur spécialisé",
    "Animatrice de réseau",
)

# --------------------------------------------------------------------------- bases left unstated
#: Respondents who answered each optional question (the report prints a share without its base).
ANSWERED = {"department": 159, "first_mediator_hired": 163, "contract": 174, "salary": 152}

# --------------------------------------------------------------------------- strata
#: Post titles of the 23 respondents who do not support online procedures (the 155 others get the rest).
POST_TITLE_NON_EADMIN = {"A1": 7, "A2": 5, "A3": 2, "A4": 3, "A5": 6}
#: Places of intervention ticked by the 23 non-e-administration respondents. France services (4)
#: and CCAS (6) are implied by figure 3: its group means only fit 27 France services and
#: 21 CCAS mediators among the 155.
PLACE_NON_EADMIN = {
    "mairie": 5,
    "france_services": 4,
    "mediatheque": 7,
    "centre_social": 5,
    "association": 6,
    "ccas": 6,
    "school": 2,
    "pimms": 0,
    "public_space": 2,
    "home": 1,
    "youth_info": 0,
}
#: Log-preference of each post title for each place (the rest is neutral): librarians work in
#: libraries, conseillers numériques in town halls and France services, animators in social
#: centres and associations.
PLACE_BY_POST_TITLE = {
    "A1": {"mairie": 0.6, "france_services": 0.6, "public_space": 0.4, "home": 0.4},
    "A2": {"centre_social": 0.8, "association": 0.8, "school": 0.5},
    "A3": {"association": 0.6, "centre_social": 0.5, "ccas": 0.5},
    "A4": {"mairie": 0.5, "ccas": 0.4},
    "A5": {"mediatheque": 3.0},
}

# --------------------------------------------------------------------------- profile
#: Unpublished splits. Published shares (women, Bac+2 or more, Ille-et-Vilaine, public employer,
#: CDD) come from targets.csv; these weights split the rest of each question.
GENDER_REST = {"M": 0.975, "X": 0.025}
EDUCATION_SPLIT = {"A1": 0.17, "A2": 0.83, "A3": 0.65, "A4": 0.35}  # within each group
DEPARTMENT_REST = {"22": 33, "29": 37, "56": 30}
EMPLOYER_REST = {"A2": 33, "A3": 8, "A4": 2}
#: Intervention scales not published (Commune and EPCI are).
INTERVENTION_SCALE_REST = {"departement": 22, "region": 6}
#: Age: integer years, a normal shape before the mean is made exact.
AGE_SD = 10.5
AGE_RANGE = (21, 64)
#: First mediator hired: who left the optional question blank, by group (A1 = conseiller numérique).
FIRST_HIRED_BLANK = {"A1": 7, "other": 8}
#: Contract among the conseillers numériques (A1) and the others; CDD totals must match the
#: published share of ``ANSWERED["contract"]``. A blank code (``""``) is a skipped question.
CONTRACT_BY_GROUP = {
    "A1": {"": 2, "A2": 88, "A1": 6, "A3": 2, "A4": 5},
    "other": {"": 2, "A2": 23, "A1": 24, "A3": 23, "A4": 3},
}
#: Log-preference for a public employer by contract (civil servants work for public bodies).
PUBLIC_EMPLOYER_BY_CONTRACT = {"A3": 4.0, "A1": 0.3, "A2": 0.3, "A4": -0.5}
#: Contract options added after 2023, and the 2023 option each one is paid and employed like: the
#: contrat de projet offered from 2024 is a fixed-term contract (a CDD with a defined object). Kept
#: apart from the dictionaries above, whose values (their mean included) shape the 2023 sample.
CONTRACT_LIKE = {"A5": "A2"}
#: Salary: gross monthly euros by contract before the mean is made exact; rounded to tens.
SALARY_BY_CONTRACT = {"A1": 1950.0, "A2": 1780.0, "A3": 2050.0, "A4": 1350.0}
SALARY_PER_YEAR = 12.0
SALARY_SD = 160.0
SALARY_RANGE = (900, 3400)
#: Years of practice: conseillers numériques are recent (scheme launched 2021), the others spread
#: over a career. Shapes (gamma) before the group means are made exact; half-year steps.
YEARS_SHAPE = {"A1": (2.2, 1.1), "other": (4.0, 2.3)}
YEARS_MAX = {"A1": 12.0, "other": 35.0}

# --------------------------------------------------------------------------- e-administration
#: Places of the 155 who support online procedures for which figure 3 or figures 4-6 describe an
#: effect, as latent effects on people supported per week (log scale before ranking).
PEOPLE_PER_WEEK_EFFECTS = {"france_services": 0.94, "ccas": 0.84, "mediatheque": -0.47}
#: The largest weekly volumes (the distribution's far tail: 120 and 80 people a week) belong to mediators in
#: none of figure 3's places: left to the ranking, they fell in France services, whose mean the report gives,
#: and made that group's spread so wide that Welch's t (the primary test) could not show its difference.
PEOPLE_PER_WEEK_TAIL = 2
#: Loading of every scale row on the respondent's e-administration intensity.
SCALE_LOADING = {
    # the types of support go together (a mediator who fills forms also explains them): table 5's
    # "prise de contact" is then lowest for the same respondents, not only on average
    "support_type": 2.0,
    "support_mode": 0.4,
    "repeat_requests": 0.6,
    "site": 0.5,
    "direct_contact": 0.4,
}
#: Row-specific latent effects of places (figures 4, 5 and 6 of the report and a few plausible ones).
SCALE_EFFECTS = {
    ("site", "conseil_regional"): {"youth_info": 3.0},
    ("site", "education_nationale"): {"youth_info": 2.5, "school": 0.8},
    ("site", "services_communaux"): {"youth_info": 2.5, "mairie": 0.5},
    ("site", "parcoursup"): {"youth_info": 1.5, "school": 1.0},
    ("site", "ants"): {"mairie": 1.5, "france_services": 0.5},
    ("site", "impots"): {"mairie": 1.2, "france_services": 0.5},
    ("site", "carsat"): {"mairie": 1.2, "france_services": 0.5},
    ("site", "caf"): {"ccas": 1.5, "france_services": 0.5},
    ("site", "cpam"): {"ccas": 1.5, "france_services": 0.5},
    ("site", "mdph"): {"ccas": 0.6},
    # figure 6: CCAS mediators support "sur une grande diversité de sites": a lift on every site
    ("site", "*"): {"ccas": 0.6},
    ("site", "cheque_energie"): {"ccas": 0.6},
    ("site", "msa"): {"ccas": 0.3, "france_services": 0.5},
    ("site", "pole_emploi"): {"ccas": 0.3, "france_services": 0.5},
    ("support_mode", "collective"): {"mediatheque": 0.8, "school": 0.8},
    ("direct_contact", "*"): {"france_services": 0.8},
}
#: Reorientation (optional): how many of the e-administration respondents tick nothing is
#: published (155 - 148). Log-preferences: a France services on the territory is where people go.
REORIENTATION_BY_EFS = {"france_services": 1.5}
#: Relationships the generator promises, checked by the report and the tests:
#: (outcome question, outcome item, group place item), higher in the group unless ``lower``.
PLACE_RELATIONSHIPS = (
    ("people_per_week", None, "france_services", "higher"),
    ("people_per_week", None, "ccas", "higher"),
    ("people_per_week", None, "mediatheque", "lower"),
    ("site", "conseil_regional", "youth_info", "higher"),
    ("site", "education_nationale", "youth_info", "higher"),
    ("site", "services_communaux", "youth_info", "higher"),
    ("site", "ants", "mairie", "higher"),
    ("site", "impots", "mairie", "higher"),
    ("site", "carsat", "mairie", "higher"),
    ("site", "caf", "ccas", "higher"),
    ("site", "cpam", "ccas", "higher"),
)
#: Reasons for not supporting online procedures, log-preferences by place: in a France services or
#: a CCAS someone else does it; libraries keep an institutional distance.
REASON_BY_PLACE = {
    "someone_else": {"france_services": 1.2, "ccas": 1.2, "mairie": 0.5},
    "not_allowed": {"mediatheque": 0.8},
}
#: The conclusion: the volume of support and the possibilities of reorientation vary by territory.
#: Log-preferences for a département from the weekly volume (its rank z-score) and from reorientation
#: boxes ticked (the report publishes neither by département, only the départements' shares).
DEPARTMENT_BY_VOLUME = {"35": 1.2, "22": -0.8}
DEPARTMENT_BY_REORIENTATION = {"france_services": {"29": 1.5, "56": -1.0}, "mairie": {"22": 1.2}}
#: Weight of the respondent's "discretion" (a latent trait) on leaving optional profile questions blank.
DISCRETION = 1.5
