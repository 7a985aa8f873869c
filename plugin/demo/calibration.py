"""The figures the demo data set is calibrated on, and the distributions it draws from.

The national figures are those the Dihal (Délégation interministérielle à
l'hébergement et à l'accès au logement) publishes for its census of
bidonvilles and squats in the Hexagone: about 570 sites and 15,000 to 20,000
people; about 22 % of the sites and 39 % of the people in Île-de-France;
minors about 38 % of the people where known; about a third of the sites with
water access and a quarter with electricity. A census counts the sites that
exist: these figures are matched by the OPEN sites of a default national run;
closed sites come on top of them (OPEN_SHARE).

Everything else (the split between départements outside Île-de-France, the
closing outcomes, the share of unknown values, the living conditions…) is an
assumption of ours, chosen to look like the data officers keep, and is named
here so that the tests and the documentation say the same thing. Pure module:
no Qt, no QGIS, no GDAL.
"""
from typing import Dict

# --- published figures (Dihal, national census of bidonvilles and squats) ------------------

NATIONAL_OPEN_SITES = 570
NATIONAL_PEOPLE_RANGE = (15_000, 20_000)
# People on open sites whose population is known: the middle of the published range.
NATIONAL_PEOPLE = 17_500

ILE_DE_FRANCE = ("75", "77", "78", "91", "92", "93", "94", "95")
ILE_DE_FRANCE_SITE_SHARE = 0.22
ILE_DE_FRANCE_PEOPLE_SHARE = 0.39

# Minors among the people, over the sites where both counts are known.
MINORS_SHARE = 0.38

# Sites whose inhabitants have water from a tap, fountain, hydrant or tank (not
# bottles only, not "other", not unknown); sites with electricity.
WATER_ACCESS_SHARE = 1 / 3
ELECTRICITY_SHARE = 0.25
WATER_ACCESS_TYPES_WITH_ACCESS = ("robinet_connecte_au_reseau", "fontaine_publique", "borne_incendie",
                                  "reservoir")

# --- our assumptions ------------------------------------------------------------------------

# Share of open sites among all the rows; the default national run has
# NATIONAL_OPEN_SITES open sites, hence NATIONAL_SITES rows in all.
OPEN_SHARE = 0.75
NATIONAL_SITES = round(NATIONAL_OPEN_SITES / OPEN_SHARE)

# Closing outcomes among closed sites (every status of the vocabulary appears).
CLOSED_STATUS_SHARES: Dict[str, float] = {
    "resorbed": 0.30,
    "closed_by_justice": 0.25,
    "closed_by_pref_admin": 0.18,
    "closed_by_city_admin": 0.12,
    "other": 0.07,
    "unknown": 0.08,
}
# P(closed_with_solutions = yes / no / unknown) by closing status.
SOLUTIONS_WHEN_RESORBED = {"yes": 0.75, "no": 0.10, "unknown": 0.15}
SOLUTIONS_OTHERWISE = {"yes": 0.10, "no": 0.60, "unknown": 0.30}
# Where the people went (site_closing_outcomes), by "definitively resorbed?"; no rows when unknown.
OUTCOMES_WHEN_RESORBED = {"shelter": 0.35, "housing": 0.15, "insertion_site": 0.15, "return": 0.05,
                          "other_site": 0.10, "other": 0.05, "unknown": 0.15}
OUTCOMES_OTHERWISE = {"other_site": 0.55, "shelter": 0.10, "unknown": 0.35}
OUTCOME_SOLUTIONS_PER_SITE = (1, 3)
PEOPLE_PER_HOUSEHOLD = (2.0, 4.5)

# Unknown values, as in real data ("empty is unknown, never 0").
UNKNOWN_POPULATION_SHARE = 0.10          # population_total and its breakdown empty
UNKNOWN_MINORS_SHARE = 0.15              # population known, minors not
UNKNOWN_MINOR_BANDS_SHARE = 0.40         # minors known, their ages not
UNKNOWN_HOUSEHOLDS_SHARE = 0.20
UNKNOWN_FEMALES_SHARE = 0.40
UNKNOWN_SCHOOL_SHARE = 0.40
UNKNOWN_ORIGIN_SHARE = 0.12              # the three origin flags empty
UNKNOWN_BUILT_AT_SHARE = 0.10
UNKNOWN_LIVING_CONDITION_SHARE = 0.20    # each living-condition yes/no
UNKNOWN_DWELLINGS_SHARE = 0.30           # caravans, huts, tents, cars, mattresses

# Mean people per open site of known population, so that the open sites carry
# NATIONAL_PEOPLE people with ILE_DE_FRANCE_PEOPLE_SHARE of them in Île-de-France.
_KNOWN_OPEN_SITES = NATIONAL_OPEN_SITES * (1 - UNKNOWN_POPULATION_SHARE)
MEAN_PEOPLE_ILE_DE_FRANCE = (NATIONAL_PEOPLE * ILE_DE_FRANCE_PEOPLE_SHARE
                             / (_KNOWN_OPEN_SITES * ILE_DE_FRANCE_SITE_SHARE))
MEAN_PEOPLE_ELSEWHERE = (NATIONAL_PEOPLE * (1 - ILE_DE_FRANCE_PEOPLE_SHARE)
                         / (_KNOWN_OPEN_SITES * (1 - ILE_DE_FRANCE_SITE_SHARE)))
# Site sizes are log-normal (many small camps, a few sites of several hundred
# people), drawn with this spread then scaled to the means above.
PEOPLE_LOG_SIGMA = 1.0
MAX_PEOPLE_PER_SITE = 700

# Per-site minors ratio: normal around MINORS_SHARE, clipped.
MINORS_RATIO_SPREAD = 0.12
MINORS_RATIO_BOUNDS = (0.0, 0.75)
# How the minors split by age (0-3, 3-6, 6-12, 12-16, 16-18).
MINOR_BAND_WEIGHTS = (0.20, 0.20, 0.32, 0.18, 0.10)
PEOPLE_PER_HOUSEHOLD = (3.0, 5.0)
FEMALES_RATIO = (0.42, 0.54)
SCHOOL_ENROLMENT_RATIO = (0.2, 0.8)
# Minors of compulsory school age (3 to 16) among the minors.
SCHOOL_AGE_SHARE = 0.7

# Water access types: the access ones make WATER_ACCESS_SHARE; None is an empty field.
WATER_ACCESS_TYPE_SHARES: Dict[object, float] = {
    "robinet_connecte_au_reseau": 0.12,
    "fontaine_publique": 0.08,
    "borne_incendie": 0.07,
    "reservoir": WATER_ACCESS_SHARE - 0.27,
    "achat_bouteille": 0.25,
    "autre": 0.12,
    "inconnu": 0.10,
    None: 1 - WATER_ACCESS_SHARE - 0.47,
}
# Electricity: yes (ELECTRICITY_SHARE), no, unknown (empty).
ELECTRICITY_SHARES: Dict[object, float] = {1: ELECTRICITY_SHARE, 0: 0.60, None: 0.15}

FIELD_TYPE_SHARES = {"land": 0.72, "building": 0.22, "unknown": 0.06}
OWNER_TYPE_SHARES = {"public": 0.55, "private": 0.35, "unknown": 0.10}
# Origins (several may be true): mostly European nationals (as the census reports).
ORIGIN_PROBABILITIES = {"origin_european": 0.80, "origin_extra_eu": 0.25, "origin_french": 0.12}
CENSUS_STATUS_SHARES: Dict[object, float] = {"done": 0.35, "scheduled": 0.15, "none": 0.25, None: 0.25}
REINSTALLATION_PROBABILITY = 0.15
RESORPTION_TARGET_PROBABILITY = 0.30
# The "justice group" is filled on this share of sites (mostly private land).
JUSTICE_PROBABILITY = 0.35
CADASTRE_PROBABILITY = 0.50
# Sites whose situation was confirmed unchanged recently (the others may be "out of date").
CONFIRMED_PROBABILITY = 0.70

# Dates: sites were installed on average SITE_AGE_MEAN_YEARS before today
# (exponential, at most SITE_AGE_MAX_YEARS); closed sites closed within CLOSED_WITHIN_YEARS.
SITE_AGE_MEAN_YEARS = 3.0
SITE_AGE_MAX_YEARS = 15.0
REPORTING_DELAY_DAYS = (0, 120)
CLOSED_WITHIN_YEARS = 4.0
# Records of sites reported before the store existed were entered when it
# started, STORE_AGE_MONTHS (or the history's length, if longer) before today.
STORE_AGE_MONTHS = 12

# --- where the sites are ------------------------------------------------------------------------

# Share of the open sites per département in Île-de-France (they add up to
# ILE_DE_FRANCE_SITE_SHARE; Seine-Saint-Denis has about 50 of the 570 sites).
ILE_DE_FRANCE_SHARES: Dict[str, float] = {
    "93": 0.088, "94": 0.030, "91": 0.030, "95": 0.025, "77": 0.015, "75": 0.015, "78": 0.010, "92": 0.007,
}
# Départements outside Île-de-France with many sites (the big metropolitan
# areas and the Calais coast); the rest of the Hexagone and Corse shares what
# is left in proportion to population.
HOTSPOT_SHARES: Dict[str, float] = {
    "13": 0.070, "59": 0.060, "33": 0.050, "44": 0.050, "31": 0.040, "34": 0.040, "69": 0.040,
    "62": 0.020, "06": 0.020, "38": 0.020, "67": 0.015, "35": 0.015, "76": 0.015,
}
# A département outside the census (overseas) gets this many sites per
# inhabitant, the rate of the non-hotspot Hexagone, with at least MIN_DEPARTEMENT_SITES.
MIN_DEPARTEMENT_SITES = 5
# Sites go to a département's communes in proportion to population ** this
# (above 1: sites gather in the big cities).
COMMUNE_POPULATION_EXPONENT = 1.1

# --- terrains d'insertion, dispositifs ------------------------------------------------------------

INSERTION_SITES_PER_SITE = 0.035
# Benchmark runs (100,000 sites) stay within what the country could hold.
MAX_INSERTION_SITES = 1000
INSERTION_SITE_STATUS_SHARES = {"open": 0.50, "preparing": 0.20, "project": 0.15, "closed": 0.15}
# Half-width of a terrain d'insertion, metres (the polygon is 120 to 400 m across).
INSERTION_SITE_HALF_WIDTH_M = (60.0, 200.0)
INSERTION_SITE_HOUSEHOLDS = (5, 30)
INSERTION_SITE_ORIGINS = (1, 3)

ACTIONS_PER_SITE = 1 / 40
MIN_ACTIONS = 2
MAX_ACTIONS = 300
ACTION_LOCATION_SHARES = {"sur_site": 0.45, "eti": 0.25, "logement": 0.22, "autre": 0.08}
REPORTING_FREQUENCY_SHARES = {"monthly": 0.75, "quarterly": 0.2, "yearly": 0.05}
ACTION_TOPICS_PER_ACTION = (2, 4)
# The tags a dispositif of each kind of place usually carries (the first ones most often).
ACTION_TOPICS_BY_LOCATION = {
    "sur_site": ("health", "rights", "school", "safety", "site_development", "work"),
    "eti": ("housing", "work", "school", "site_development", "rights"),
    "logement": ("housing", "rights", "work", "school"),
    "autre": ("rights", "health", "work", "school"),
}
ACTION_OPERATORS = (1, 3)
ACTION_SITES = (2, 10)
ACTION_AGE_YEARS = (0.5, 5.0)
ACTION_ENDED_PROBABILITY = 0.4
FINANCE_TYPES_PER_YEAR = (1, 3)
FINANCE_AMOUNT_EUR = (20_000, 400_000)
# Indicator values cover at most this many past months of each action.
INDICATOR_MONTHS = 24
# Share of the dispositifs whose operator is late: their last 1 or 2 due months are still empty.
INDICATOR_LATE_PROBABILITY = 0.3
ASSOCIATIONS_PER_DEPARTEMENT = (2, 4)


def departement_name(code: str) -> str:
    """'de la Seine-Saint-Denis', for organisation names ("Préfecture de la Seine-Saint-Denis")."""
    return DEPARTEMENT_NAMES.get(code, "du %s" % code)


DEPARTEMENT_NAMES: Dict[str, str] = {
    "01": "de l'Ain", "02": "de l'Aisne", "03": "de l'Allier", "04": "des Alpes-de-Haute-Provence",
    "05": "des Hautes-Alpes", "06": "des Alpes-Maritimes", "07": "de l'Ardèche", "08": "des Ardennes",
    "09": "de l'Ariège", "10": "de l'Aube", "11": "de l'Aude", "12": "de l'Aveyron",
    "13": "des Bouches-du-Rhône", "14": "du Calvados", "15": "du Cantal", "16": "de la Charente",
    "17": "de la Charente-Maritime", "18": "du Cher", "19": "de la Corrèze", "2A": "de la Corse-du-Sud",
    "2B": "de la Haute-Corse", "21": "de la Côte-d'Or", "22": "des Côtes-d'Armor", "23": "de la Creuse",
    "24": "de la Dordogne", "25": "du Doubs", "26": "de la Drôme", "27": "de l'Eure",
    "28": "d'Eure-et-Loir", "29": "du Finistère", "30": "du Gard", "31": "de la Haute-Garonne",
    "32": "du Gers", "33": "de la Gironde", "34": "de l'Hérault", "35": "d'Ille-et-Vilaine",
    "36": "de l'Indre", "37": "d'Indre-et-Loire", "38": "de l'Isère", "39": "du Jura",
    "40": "des Landes", "41": "de Loir-et-Cher", "42": "de la Loire", "43": "de la Haute-Loire",
    "44": "de la Loire-Atlantique", "45": "du Loiret", "46": "du Lot", "47": "de Lot-et-Garonne",
    "48": "de la Lozère", "49": "de Maine-et-Loire", "50": "de la Manche", "51": "de la Marne",
    "52": "de la Haute-Marne", "53": "de la Mayenne", "54": "de Meurthe-et-Moselle", "55": "de la Meuse",
    "56": "du Morbihan", "57": "de la Moselle", "58": "de la Nièvre", "59": "du Nord", "60": "de l'Oise",
    "61": "de l'Orne", "62": "du Pas-de-Calais", "63": "du Puy-de-Dôme", "64": "des Pyrénées-Atlantiques",
    "65": "des Hautes-Pyrénées", "66": "des Pyrénées-Orientales", "67": "du Bas-Rhin",
    "68": "du Haut-Rhin", "69": "du Rhône", "70": "de la Haute-Saône", "71": "de Saône-et-Loire",
    "72": "de la Sarthe", "73": "de la Savoie", "74": "de la Haute-Savoie", "75": "de Paris",
    "76": "de la Seine-Maritime", "77": "de Seine-et-Marne", "78": "des Yvelines", "79": "des Deux-Sèvres",
    "80": "de la Somme", "81": "du Tarn", "82": "de Tarn-et-Garonne", "83": "du Var", "84": "de Vaucluse",
    "85": "de la Vendée", "86": "de la Vienne", "87": "de la Haute-Vienne", "88": "des Vosges",
    "89": "de l'Yonne", "90": "du Territoire de Belfort", "91": "de l'Essonne", "92": "des Hauts-de-Seine",
    "93": "de la Seine-Saint-Denis", "94": "du Val-de-Marne", "95": "du Val-d'Oise",
    "971": "de la Guadeloupe", "972": "de la Martinique", "973": "de la Guyane", "974": "de La Réunion",
    "976": "de Mayotte",
}

# --- words for names and free texts (places and organisations, never people) ---------------------

SITE_NAME_KINDS = ("Terrain", "Campement", "Bidonville", "Squat", "Site")
SITE_NAME_PLACES = (
    "du Pont", "de la Gare", "des Acacias", "du Canal", "de la Zone Industrielle", "du Stade",
    "de l'Échangeur", "des Peupliers", "du Moulin", "de la Voie Ferrée", "des Chantiers", "du Port",
    "de la Friche", "des Entrepôts", "du Rond-Point", "des Jardins", "de la Rocade", "du Dépôt",
    "des Tilleuls", "de la Sablière",
)
STREETS = (
    "rue de la Gare", "chemin du Halage", "avenue de la République", "rue de l'Industrie",
    "rue des Entrepôts", "chemin des Vignes", "boulevard de l'Europe", "impasse du Moulin",
    "route de la Plaine", "allée des Peupliers", "rue du Stade", "quai du Canal", "chemin de la Sablière",
    "rue des Artisans", "avenue de la Libération",
)
ACCESS_DETAILS = (
    "Accès par le chemin de terre le long de la voie ferrée", "Entrée par le portail côté parking",
    "Accès piéton uniquement, sous le pont", "Accès par l'arrière de l'entrepôt",
    "Suivre la piste cyclable jusqu'au terrain vague",
)
PUBLIC_OWNERS = ("Commune", "SNCF Réseau", "État", "Conseil départemental", "Voies navigables de France",
                 "Établissement public foncier")
PRIVATE_OWNERS = ("SCI du Parc", "Société foncière des Berges", "SCI Les Acacias", "Promotion Immobilière du Sud",
                  "Société d'aménagement privée", "Groupe logistique du Nord")
CLOSING_CONTEXTS = ("Incendie du site", "Départ spontané des occupants", "Travaux d'aménagement sur la parcelle",
                    "Inondation du terrain", "Regroupement sur un site voisin")
REINSTALLATION_COMMENTS = ("Réinstallation après l'évacuation d'un site voisin",
                           "Retour sur une parcelle déjà occupée les années précédentes")
SITE_COMMENTS = (
    "Présence d'enfants en bas âge signalée par l'équipe mobile.", "Points d'eau insuffisants en été.",
    "Médiation scolaire engagée avec la commune.", "Risque d'inondation en hiver.",
    "Tensions avec le voisinage signalées par la commune.", "Maraudes sanitaires hebdomadaires.",
)
ASSOCIATION_NAMES = (
    "Association Passerelles", "Association Horizons Solidaires", "Collectif Accès aux Droits",
    "Association Lien Social", "Association Terrains d'Entente", "Médiation et Insertion",
    "Association Habitat Solidaire", "Association Trait d'Union",
)
# Names of dispositifs, by where they work (location_type).
ACTION_NAMES = {
    "sur_site": ("Accompagnement global des familles", "Résorption du site", "Médiation sanitaire et scolaire"),
    "eti": ("Espace temporaire d'insertion", "Terrain d'insertion"),
    "logement": ("Insertion par le logement", "Accès au logement accompagné"),
    "autre": ("Projet d'insertion vers l'emploi", "Accompagnement vers les droits"),
}
ACTION_GOALS = (
    "Accompagner les ménages vers l'hébergement et le logement, scolariser les enfants.",
    "Stabiliser le site, améliorer les conditions de vie et préparer sa résorption.",
    "Favoriser l'accès aux droits, à la santé et à l'emploi des habitants.",
)
ACTION_LOCATION_OTHER = ("Locaux associatifs", "Hôtel social", "Accompagnement hors site")
INSERTION_SITE_NAMES = ("Espace temporaire d'insertion", "Terrain d'insertion", "Village d'insertion")

# Logins of the officers who keep the data, per département (logins, never names).
AUTHOR_ROLES = ("pref{d}.sig", "ddets{d}.sig", "ddets{d}.bidonvilles")

DEFAULT_SEED = 20180125  # the date of the instruction on the resorption of bidonvilles

