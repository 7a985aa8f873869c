"""The dialect of the national platform Résorption-bidonvilles' site exports.

Read from its public source (utils/excel.ts, createExportSections.ts,
serializeExportProperties.ts): its column titles and the field each one
fills, the columns we do not take and why, its own labels, « NC » for every
unknown, its site id hidden in the link of the « Adresse » cell, and the
« Orientation » block of the closed sites (one sub-block per solution: where
the people went). See docs/correspondance-plateforme.md.
"""
import datetime
import re
from dataclasses import dataclass
from typing import Dict, Optional, Tuple
from zoneinfo import ZoneInfo

from .cells import CellError, normalise_title, parse_text, shown


# What the platform writes in every empty cell: « non communiqué », an unknown.
NOT_COMMUNICATED = "nc"

# The platform's dates are French local dates; its Excel writer stores them as UTC serials.
PLATFORM_TIME_ZONE = ZoneInfo("Europe/Paris")

ORIGIN_FIELDS = ("origin_french", "origin_european", "origin_extra_eu")

# Targets that are not fields of the sites table.
LATITUDE = "@latitude"
LONGITUDE = "@longitude"
ORIGINS = "@origins"
FILE_UPDATED_AT = "@updated_at"
IGNORED = "@ignored"
OUTCOME = "@outcome"

# The platform's titles (serializeExportProperties.ts) and the field each one fills.
PLATFORM_SITE_TITLES: Tuple[Tuple[str, str], ...] = (
    ("Code INSEE", "insee_code"),
    ("Résorbé", "closed_with_solutions"),
    ("Cause de la fermeture", "status"),
    ("S'agit-il d'une réinstallation ?", "is_reinstallation"),
    ("Site avec objectif de résorption ?", "resorption_target"),
    ("dont filles", "population_minors_girls"),
    ("0 à 3 ans", "population_minors_0_3"),
    ("3 à 6 ans", "population_minors_3_6"),
    ("6 à 12 ans", "population_minors_6_12"),
    ("12 à 16 ans", "population_minors_12_16"),
    ("16 à 18 ans", "population_minors_16_18"),
    ("Enfants inscrits dans un établissement scolaire", "minors_in_school"),
    ("Nombre de caravanes", "caravans"),
    ("Nombre de cabanes", "huts"),
    ("Nombre de tentes", "tents"),
    ("Nombre de voitures dortoir", "cars"),
    ("Nombre de matelas", "mattresses"),
    ("Origines", ORIGINS),
    ("Alerte Canicule", "heatwave_status"),
    ("Y a-t-il présence d'une installation électrique ?", "electricity_access"),
    ("Quelle est la source de l'accès à l'électricité ?", "electricity_access_types"),
    ("Des inégalités d'accès à l'électricité ont-elles été constatées ?", "electricity_access_is_unequal"),
    ("Comment les habitants ont-ils accès à l'eau ?", "water_access_type"),
    ("Précisions concernant les modalités d'accès à l'eau", "water_access_type_details"),
    ("Est-ce un point d'eau sur la voie publique ?", "water_access_is_public"),
    ("L'accès à l'eau est-il continu ?", "water_access_is_continuous"),
    ("Précisions concernant la discontinuité de l'accès à l'eau", "water_access_is_continuous_details"),
    ("Accès à l'eau sur site ?", "water_access_is_local"),
    ("Distance point d'eau / habitation la plus éloignée ?", "water_access_is_close"),
    ("Des inégalités d'accès à l'eau ont-elles été constatées ?", "water_access_is_unequal"),
    ("Précisions concernant les inégalités d'accès à l'eau", "water_access_is_unequal_details"),
    ("Existe-t-il des eaux stagnantes autour du point de distribution ?", "water_access_has_stagnant_water"),
    ("Informations complémentaires sur l'accès à l'eau", "water_access_comments"),
    ("Constate-t-on des marques de défécation à l'air libre ?", "sanitary_access_open_air_defecation"),
    ("Présence de toilettes fonctionnelles ?", "sanitary_access_working_toilets"),
    ("Quels sont les types de toilettes installées ?", "sanitary_toilet_types"),
    ("Les toilettes sont-elles à l'intérieur du site ?", "sanitary_toilets_are_inside"),
    ("Ces toilettes sont-elles éclairées et verrouillables de l'intérieur ?", "sanitary_toilets_are_lighted"),
    ("Y a-t-il un point de lavage des mains à proximité des toilettes ?", "sanitary_access_hand_washing"),
    ("Constate-t-on une accumulation de déchets type ordures ménagères sur le site ou aux abords ?",
     "trash_is_piling"),
    ("Y a-t-il des dispositifs de ramassage des ordures ménagères à proximité immédiate ?",
     "trash_evacuation_is_close"),
    ("Les dispositifs de ramassages des ordures sont-ils en bon état ?", "trash_evacuation_is_safe"),
    ("La collecte des poubelles est-elle réalisée de manière régulière ?", "trash_evacuation_is_regular"),
    ("Constate-t-on une accumulation de déchets type encombrants ?", "trash_bulky_is_piling"),
    ("Y a-t-il des nuisibles à proximité ?", "pest_animals"),
    ("Précision concernant les nuisibles", "pest_animals_details"),
    ("Est-ce qu'un diagnostic prévention incendie par le SDIS a été réalisé ?", "fire_prevention"),
    ("Statut du diagnostic social", "census_status"),
    ("Service en charge du diagnostic", "census_conducted_by"),
    ("Dépôt de plainte par le propriétaire", "owner_complaint"),
    ("Existence d'une procédure judiciaire", "justice_procedure"),
    ("Décision de justice rendue", "justice_rendered"),
    ("Date de la décision", "justice_rendered_at"),
    ("Origine de la décision", "justice_rendered_by"),
    ("Concours de la force publique (CFP)", "police_status"),
    ("Date de la demande du CFP", "police_requested_at"),
    ("Date d'octroi du CFP", "police_granted_at"),
    ("Arrêté d'évacuation en cours", "evacuation_order"),
    ("Date d'évacuation", "evacuation_at"),
    ("Qui a pris l'arrêté", "evacuation_order_by"),
    ("Date de l'arrêté", "evacuation_order_at"),
    ("Arrêté d'insalubrité RHI bidonville en cours", "insalubrity_order"),
    ("Affichage de l'arrêté d'insalubrité", "insalubrity_order_displayed"),
    ("Type d'arrêté d'insalubrité", "insalubrity_order_type"),
    ("Qui a pris l'arrêté d'insalubrité", "insalubrity_order_by"),
    ("Date d'arrêté d'insalubrité", "insalubrity_order_at"),
    ("Parcelles concernées", "insalubrity_parcels"),
    ("Existence d'un contentieux", "existing_litigation"),
    ("Site mis à jour le", FILE_UPDATED_AT),
)

# The platform's labels that differ from ours, by field.
PLATFORM_LABELS: Dict[str, Dict[str, str]] = {
    "water_access_type": {"Robinet connecté au réseau d'eau": "robinet_connecte_au_reseau"},
}


@dataclass(frozen=True)
class NotTaken:
    """A column of the platform that the import leaves out, and why (shown in the preview)."""
    title: str
    reason: str
    reason_en: str


_COMPUTED = ("calculé par la plateforme à partir des autres colonnes",
             "computed by the platform from the other columns")
_SIGNED = ("messages signés du nom de leurs auteurs : aucune donnée ne nomme une personne",
           "messages signed with their authors' names: no data names a person")

NOT_TAKEN: Tuple[NotTaken, ...] = (
    NotTaken("EPCI", "déduit de la commune", "derived from the municipality"),
    NotTaken("Statut de l'accès à l'électricité", *_COMPUTED),
    NotTaken("Statut de l'accès à l'eau", *_COMPUTED),
    NotTaken("Statut de l'accès aux sanitaires", *_COMPUTED),
    NotTaken("Statut de l'évacuation des déchets", *_COMPUTED),
    NotTaken("Statut de la présence de nuisibles", *_COMPUTED),
    NotTaken("Statut du diagnostic prévention incendie", *_COMPUTED),
    NotTaken("Le site fait-il l'objet d'une action ?",
             "calculé par la plateforme à partir de ses actions ; ici, les dispositifs et leurs sites",
             "computed by the platform from its actions; here, the programmes and their sites"),
    NotTaken("Le site fait-il l'objet d'une action financée RB l'année d'extraction ?",
             "calculé par la plateforme à partir de ses actions ; ici, les dispositifs et leurs financements",
             "computed by the platform from its actions; here, the programmes and their funding"),
    NotTaken("Intervenants (à la date de l'export)",
             "nomme des personnes (prénom, nom) avec leur structure : aucune donnée ne nomme une personne",
             "names people (first and last name) with their organisation: no data names a person"),
    NotTaken("Intervenant de ma structure",
             "dépend de la structure de la personne qui a fait l'export",
             "depends on the organisation of whoever made the export"),
    NotTaken("Phases préparatoires à la résorption",
             "expérimentation de la plateforme, sans champ ici (les phases sont celles des terrains "
             "d'insertion)",
             "an experiment of the platform, no field here (phases belong to insertion sites)"),
    NotTaken("Nom de l'étude d'huissiers",
             "le nom d'une étude est souvent celui de personnes ; inutile au suivi",
             "a bailiffs' office is often named after people; not needed for the census"),
    NotTaken("Commentaires", *_SIGNED),
    NotTaken("Date du dernier message", "les messages ne sont pas importés", "the messages are not imported"),
    NotTaken("Message",
             "texte libre de chaque orientation, sans champ ici ; il peut nommer des personnes",
             "free text of each solution, no field here; it may name people"),
)

NOT_TAKEN_BY_TITLE: Dict[str, NotTaken] = {normalise_title(item.title): item for item in NOT_TAKEN}


def not_taken(title: str) -> Optional[NotTaken]:
    return NOT_TAKEN_BY_TITLE.get(normalise_title(title))


# The « Orientation » block: the platform's closing solutions (their label before " (", as the
# sub-block titles show them) and ours. Ours has no « none » nor long-term category: the platform's
# long-term solutions count with housing, « Aucune » (no solution) with « Autre ».
PLATFORM_SOLUTIONS: Tuple[Tuple[str, str], ...] = (
    ("Mise à l'abri temporaire", "shelter"),
    ("Hébergement ou logement adapté longue durée avec accompagnement, dont espace terrain d'insertion",
     "housing"),
    ("Logement", "housing"),
    ("Aucune", "other"),
    ("Autre", "other"),
)
SOLUTION_BY_TITLE: Dict[str, str] = {normalise_title(title): code for title, code in PLATFORM_SOLUTIONS}
ORIENTATION = "orientation"
OUTCOME_FIGURES = {normalise_title("Nombre de personnes"): "people",
                   normalise_title("Nombre de ménages"): "households"}


def solution_of(section_title) -> Optional[str]:
    """Our closing solution for a sub-block title of the Orientation block (« LOGEMENT »)."""
    if section_title is None:
        return None
    return SOLUTION_BY_TITLE.get(normalise_title(str(section_title).split(" (")[0]))


def is_not_communicated(value) -> bool:
    return isinstance(value, str) and normalise_title(value) == NOT_COMMUNICATED


_SITE_LINK = re.compile(r"/site/(\d+)/?(?:[?#].*)?$")


def platform_id_of(link: Optional[str]) -> Optional[str]:
    """The platform's site id in the link of an « Adresse » cell (…/site/1234)."""
    match = _SITE_LINK.search(link.strip()) if link else None
    return match.group(1) if match else None


def parse_origins(value, label: str, label_en: str) -> Dict[str, Optional[int]]:
    """'Ressortissants français;Ressortissants européens' → the three origin flags.
    An empty cell leaves the three unknown."""
    text = parse_text(value, label, label_en)
    if text is None:
        return {name: None for name in ORIGIN_FIELDS}
    found = {name: 0 for name in ORIGIN_FIELDS}
    for part in re.split(r"[;,\n]", text):
        word = normalise_title(part)
        if not word:
            continue
        if "extra" in word or "non-eu" in word or "non eu" in word:
            found["origin_extra_eu"] = 1
        elif "europ" in word:
            found["origin_european"] = 1
        elif "fran" in word:
            found["origin_french"] = 1
        else:
            raise CellError("« %s » : origine inconnue « %s » (attendu : Ressortissants français, "
                            "européens ou extracommunautaires)" % (label, shown(part.strip())),
                            "“%s”: unknown origin “%s” (expected: French, European or non-EU nationals)"
                            % (label_en, shown(part.strip())))
    return found


def parse_list(value, label: str, label_en: str) -> Optional[str]:
    """A list the platform writes one item a line (electricity sources, toilet types): one line, ' ; '."""
    text = parse_text(value, label, label_en)
    if text is None:
        return None
    return " ; ".join(part.strip(" -") for part in text.splitlines() if part.strip(" -")) or None


def local_to_utc(moment: datetime.datetime) -> datetime.datetime:
    """A French local time (naive) → naive UTC."""
    aware = moment.replace(tzinfo=PLATFORM_TIME_ZONE)
    return aware.astimezone(datetime.timezone.utc).replace(tzinfo=None)


def utc_to_local(moment: datetime.datetime) -> datetime.datetime:
    """A platform Excel date read as it is stored (the UTC instant) → French local time (naive)."""
    aware = moment.replace(tzinfo=datetime.timezone.utc)
    return aware.astimezone(PLATFORM_TIME_ZONE).replace(tzinfo=None)
