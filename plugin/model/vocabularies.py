"""Enumerations of the data model: each code with its French and English label.

Codes are what the stores keep; labels are what forms, exports and imports
show. The French label is the source text (translated through the "schema"
context of the i18n files), the English one is declared beside it so that the
translation and the unit tests have one source.
"""
from dataclasses import dataclass
from typing import Dict, Optional, Tuple


@dataclass(frozen=True)
class Term:
    code: str
    label: str
    label_en: str


@dataclass(frozen=True)
class Vocabulary:
    name: str
    terms: Tuple[Term, ...]

    @property
    def codes(self) -> Tuple[str, ...]:
        return tuple(term.code for term in self.terms)

    def label(self, code: Optional[str]) -> Optional[str]:
        return self._by_code().get(code, (None, None))[0]

    def label_en(self, code: Optional[str]) -> Optional[str]:
        return self._by_code().get(code, (None, None))[1]

    def code_for_label(self, label: str) -> Optional[str]:
        """The code whose French or English label is `label` (case and accents as typed)."""
        wanted = label.strip().casefold()
        for term in self.terms:
            if wanted in (term.label.casefold(), term.label_en.casefold(), term.code.casefold()):
                return term.code
        return None

    def _by_code(self) -> Dict[str, Tuple[str, str]]:
        return {term.code: (term.label, term.label_en) for term in self.terms}


def vocabulary(name: str, *terms: Tuple[str, str, str]) -> Vocabulary:
    return Vocabulary(name, tuple(Term(*term) for term in terms))


FIELD_TYPE = vocabulary(
    "field_type",
    ("unknown", "Inconnu", "Unknown"),
    ("land", "Terrain", "Land"),
    ("building", "Immeuble bâti", "Building"),
)

OWNER_TYPE = vocabulary(
    "owner_type",
    ("unknown", "Inconnu", "Unknown"),
    ("public", "Public", "Public"),
    ("private", "Privé", "Private"),
)

SITE_STATUS = vocabulary(
    "site_status",
    ("open", "Ouvert", "Open"),
    ("resorbed", "Résorption progressive du site", "Gradual resorption of the site"),
    ("closed_by_justice", "Décision de justice suite à une plainte du propriétaire",
     "Court decision following the owner's complaint"),
    ("closed_by_pref_admin", "Décision administrative de la Préfecture",
     "Administrative decision of the Préfecture"),
    ("closed_by_city_admin", "Décision administrative de la Commune",
     "Administrative decision of the municipality"),
    ("other", "Autre (préciser le contexte)", "Other (give the context)"),
    ("unknown", "Raison inconnue", "Unknown reason"),
)

YES_NO_UNKNOWN = vocabulary(
    "yes_no_unknown",
    ("yes", "Oui", "Yes"),
    ("no", "Non", "No"),
    ("unknown", "Inconnu", "Unknown"),
)

CENSUS_STATUS = vocabulary(
    "census_status",
    ("none", "Non prévu", "Not planned"),
    ("scheduled", "Prévu", "Planned"),
    ("done", "Réalisé", "Done"),
)

WATER_ACCESS_TYPE = vocabulary(
    "water_access_type",
    ("robinet_connecte_au_reseau", "Robinet connecté au réseau", "Tap connected to the network"),
    ("fontaine_publique", "Fontaine publique", "Public fountain"),
    ("borne_incendie", "Borne incendie", "Fire hydrant"),
    ("reservoir", "Réservoir / cuve / citerne", "Reservoir / tank"),
    ("achat_bouteille", "Achat bouteille uniquement", "Bottled water only"),
    ("autre", "Autre", "Other"),
    ("inconnu", "Inconnu", "Unknown"),
)

POLICE_STATUS = vocabulary(
    "police_status",
    ("none", "Non demandé", "Not requested"),
    ("requested", "Demandé", "Requested"),
    ("granted", "Obtenu", "Granted"),
)

INSERTION_SITE_STATUS = vocabulary(
    "insertion_site_status",
    ("project", "En projet", "Planned"),
    ("preparing", "En préparation", "Being prepared"),
    ("open", "Ouvert", "Open"),
    ("closed", "Fermé", "Closed"),
)

INSERTION_SITE_PHASE = vocabulary(
    "insertion_site_phase",
    ("sociological_diagnosis", "Diagnostic sociologique", "Sociological diagnosis"),
    ("technical_diagnosis", "Diagnostic technique", "Technical diagnosis"),
    ("social_assessment", "Évaluation sociale", "Social assessment"),
    ("political_validation", "Validation politique", "Political validation"),
    ("contract_preparation", "Préparation du conventionnement", "Preparation of the agreement"),
    ("land_equipment_development", "Aménagement et équipement du terrain",
     "Development and equipment of the land"),
    ("family_information", "Information des familles", "Information of the families"),
    ("contractualization_of_families", "Contractualisation avec les familles",
     "Contracts with the families"),
    ("official_opening", "Ouverture officielle", "Official opening"),
)

ACTION_LOCATION_TYPE = vocabulary(
    "action_location_type",
    ("eti", "Terrain d'insertion", "Insertion site"),
    ("logement", "Logement", "Housing"),
    ("sur_site", "Sur site(s)", "On site(s)"),
    ("autre", "Autre", "Other"),
)

REPORTING_FREQUENCY = vocabulary(
    "reporting_frequency",
    ("monthly", "Mensuelle", "Monthly"),
    ("quarterly", "Trimestrielle", "Quarterly"),
    ("yearly", "Annuelle", "Yearly"),
)

ACTION_TOPIC = vocabulary(
    "action_topic",
    ("health", "Santé", "Health"),
    ("school", "Éducation et scolarisation", "Education and schooling"),
    ("work", "Formation et emploi", "Training and employment"),
    ("housing", "Logement", "Housing"),
    ("safety", "Stabilisation et sécurisation du site", "Stabilisation and safety of the site"),
    ("rights", "Accès aux droits", "Access to rights"),
    ("site_development", "Aménagement du site", "Site development"),
)

ORGANISATION_ROLE = vocabulary(
    "organisation_role",
    ("pilot", "Pilote", "Pilot"),
    ("operator", "Opérateur", "Operator"),
)

FINANCE_TYPE = vocabulary(
    "finance_type",
    ("etatique", "Financements étatiques hors crédits dédiés", "State funding outside dedicated credits"),
    ("dedie", "Crédits dédiés à la résorption des bidonvilles", "Credits dedicated to slum resorption"),
    ("collectivite", "Cofinancement collectivité territoriale", "Local authority co-funding"),
    ("europeen", "Fonds européens", "European funds"),
    ("prive", "Financement privé", "Private funding"),
    ("autre", "Autre", "Other"),
)

INDICATOR_SCOPE = vocabulary(
    "indicator_scope",
    ("core", "Socle commun", "Common base"),
    ("local", "Local", "Local"),
)

# Version 3: how an indicator adds up over months.
INDICATOR_KIND = vocabulary(
    "indicator_kind",
    ("stock", "Stock (en fin de mois)", "Stock (at month end)"),
    ("flow", "Flux (dans le mois)", "Flow (during the month)"),
)

ORGANISATION_TYPE = vocabulary(
    "organisation_type",
    ("prefecture", "Préfecture", "Préfecture"),
    ("ddets", "DDETS", "DDETS"),
    ("commune", "Commune", "Municipality"),
    ("epci", "EPCI", "Inter-municipal body (EPCI)"),
    ("departement", "Conseil départemental", "Département council"),
    ("association", "Association", "Association"),
    ("other", "Autre", "Other"),
)

# Where the people of a closed site went (one row per solution in site_closing_outcomes).
CLOSING_SOLUTION = vocabulary(
    "closing_solution",
    ("shelter", "Hébergement", "Shelter"),
    ("housing", "Logement", "Housing"),
    ("insertion_site", "Terrain d'insertion", "Insertion site"),
    ("return", "Retour au pays", "Return to the home country"),
    ("other_site", "Autre site ou réinstallation", "Another site or reinstallation"),
    ("other", "Autre", "Other"),
    ("unknown", "Inconnu", "Unknown"),
)

# The common base of indicators asked of every action: code, label, English label, topic, unit,
# kind (a stock is read at the end of a period, a flow is summed over its months).
CORE_INDICATORS = (
    ("people", "Personnes accompagnées", "People supported", None, "personnes", "stock"),
    ("households", "Ménages accompagnés", "Households supported", None, "ménages", "stock"),
    ("women", "dont femmes", "of whom women", None, "personnes", "stock"),
    ("minors", "dont mineurs", "of whom minors", None, "personnes", "stock"),
    ("health_people", "Personnes ayant bénéficié d'un accompagnement santé",
     "People who received health support", "health", "personnes", "stock"),
    ("work_people", "Personnes ayant au moins un contrat de travail",
     "People with at least one employment contract", "work", "personnes", "stock"),
    ("shelter_people", "Accès à l'hébergement (personnes)", "Access to shelter (people)",
     "housing", "personnes", "flow"),
    ("shelter_households", "Accès à l'hébergement (ménages)", "Access to shelter (households)",
     "housing", "ménages", "flow"),
    ("housing_people", "Accès au logement (personnes)", "Access to housing (people)",
     "housing", "personnes", "flow"),
    ("housing_households", "Accès au logement (ménages)", "Access to housing (households)",
     "housing", "ménages", "flow"),
    ("school_minors_eligible", "Mineurs en âge d'être scolarisés", "Minors of school age",
     "school", "personnes", "stock"),
    ("school_minors_enrolled", "Mineurs scolarisés", "Minors enrolled in school",
     "school", "personnes", "stock"),
)

# Sub-counts that may never exceed their total, for one action and one period.
INDICATOR_SUBCOUNTS = (
    ("women", "people"),
    ("minors", "people"),
    ("school_minors_enrolled", "school_minors_eligible"),
    ("shelter_households", "households"),
    ("housing_households", "households"),
)

SERVICE_CATEGORY = vocabulary(
    "service_category",
    ("water", "Point d'eau", "Water point"),
    ("food", "Alimentation", "Food"),
    ("health", "Santé", "Health"),
    ("school", "École", "School"),
    ("legal_aid", "Accès aux droits", "Legal and administrative aid"),
    ("domiciliation", "Domiciliation", "Postal address service"),
    ("shelter", "Hébergement", "Shelter"),
    ("sanitary", "Sanitaires", "Sanitary facilities"),
    ("other", "Autre", "Other"),
)
