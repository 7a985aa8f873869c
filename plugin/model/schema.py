"""The data model of Résorption SIG, declared once (see shared SCHEMA.md).

This declaration drives the DDL of both stores, the QGIS forms (aliases,
widgets, defaults, constraints), exports and imports. No Qt, no QGIS here.
"""
from dataclasses import dataclass
from functools import cached_property
from enum import Enum
from typing import Dict, Iterator, Optional, Tuple

from . import vocabularies as voc
from .rules import (POSTGRES, SQLITE, Rule, across_rows, at_most, in_list, not_in_future, pattern,
                    quoted, required_when, sum_at_most)

# Bump when the declaration changes; stores record the version they were built with.
SCHEMA_VERSION = 3

# Geometry is stored in WGS 84 everywhere (as the national platform does).
STORAGE_SRID = 4326

# The text a store writes as the author of a change made outside the plugin.
EXTERNAL_AUTHOR = "(externe)"


class Kind(Enum):
    TEXT = "text"
    INTEGER = "integer"
    REAL = "real"
    DATE = "date"
    DATETIME = "datetime"
    BOOLEAN = "boolean"
    ENUM = "enum"
    BLOB = "blob"


class Tab(Enum):
    """Form tabs, in display order; the value is the French caption."""
    LOCATION = "Localisation"
    SITE = "Site"
    PEOPLE = "Habitants"
    LIVING = "Conditions de vie"
    JUSTICE = "Procédures"
    CLOSING = "Fermeture"
    TERRAIN = "Terrain"
    CAPACITY = "Capacité et occupation"
    EQUIPMENT = "Équipements"
    GENERAL = "Général"
    RECORD = "Suivi de la saisie"


TAB_LABELS_EN = {
    Tab.LOCATION: "Location", Tab.SITE: "Site", Tab.PEOPLE: "Inhabitants",
    Tab.LIVING: "Living conditions", Tab.JUSTICE: "Procedures", Tab.CLOSING: "Closing",
    Tab.TERRAIN: "Land", Tab.CAPACITY: "Capacity and occupancy", Tab.EQUIPMENT: "Facilities",
    Tab.GENERAL: "General", Tab.RECORD: "Record keeping",
}

# Form tab captions (French, English), short so that a form's tabs fit the 760 px of a 1366×768 screen;
# the long names above title the sections of spreadsheets.
TAB_CAPTIONS = {
    Tab.LOCATION: ("Lieu", "Place"), Tab.SITE: ("Site", "Site"), Tab.PEOPLE: ("Habitants", "People"),
    Tab.LIVING: ("Vie", "Living"), Tab.JUSTICE: ("Justice", "Justice"), Tab.CLOSING: ("Fermeture", "Closing"),
    Tab.TERRAIN: ("Terrain", "Land"), Tab.CAPACITY: ("Capacité", "Capacity"),
    Tab.EQUIPMENT: ("Équipements", "Facilities"), Tab.GENERAL: ("Général", "General"),
    Tab.RECORD: ("Suivi", "Record"),
}


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    label: str
    label_en: str
    tab: Tab = Tab.GENERAL
    required: bool = False
    vocabulary: Optional[voc.Vocabulary] = None
    minimum: Optional[int] = None
    maximum: Optional[int] = None
    length: Optional[Tuple[int, int]] = None
    unique: bool = False
    default: Optional[object] = None
    free_text: bool = False
    derived: bool = False
    system: bool = False
    justice: bool = False
    references: Optional[str] = None

    @property
    def is_count(self) -> bool:
        return self.kind is Kind.INTEGER and self.minimum == 0


@dataclass(frozen=True)
class Table:
    name: str
    label: str
    label_en: str
    fields: Tuple[Field, ...]
    geometry: Optional[str] = None
    rules: Tuple[Rule, ...] = ()
    unique_together: Tuple[Tuple[str, ...], ...] = ()
    history: bool = True
    parent: Optional[Tuple[str, str]] = None
    # The tab of the parent's form where the plugin's own table edits these rows (else a tab of their own).
    parent_tab: Optional[Tab] = None
    # On the map, with this default style (resources/styles/<map_style>.qml); else among the tables.
    map_style: Optional[str] = None
    # Files can be attached to its rows: one row's name (French, English) in the attachment's « Rattachée à ».
    attachments: Optional[Tuple[str, str]] = None
    # Its own dock: the dock's class in plugin/gui, as "module.Class".
    dock: Optional[str] = None
    # Indexes beyond those the fields imply: columns, in order (a covering index of the sums).
    indexes: Tuple[Tuple[str, ...], ...] = ()

    def field(self, name: str) -> Field:
        try:
            return self._fields_by_name[name]
        except KeyError:
            raise KeyError("%s.%s" % (self.name, name)) from None

    # Cached: the sync asks them for every row it merges (100,000 after a first push).
    @cached_property
    def _fields_by_name(self) -> Dict[str, Field]:
        return {f.name: f for f in self.fields}

    @cached_property
    def field_names(self) -> Tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def all_rules(self) -> Tuple[Rule, ...]:
        """The rules that follow from each field's declaration, then the table's own."""
        return tuple(_field_rules(self)) + self.rules


def _field_rules(table: Table) -> Iterator[Rule]:
    for f in table.fields:
        column = quoted(f.name)
        prefix = "%s_%s" % (table.name, f.name)
        if f.required:
            blank = " AND %s <> ''" % column if f.kind is Kind.TEXT else ""
            yield Rule(prefix + "_required", "%s IS NOT NULL%s" % (column, blank),
                       "« %s » est obligatoire" % f.label, "“%s” is required" % f.label_en, (f.name,))
        if f.vocabulary is not None:
            yield Rule(prefix + "_code", "%s IS NULL OR %s" % (column, in_list(f.name, f.vocabulary.codes)),
                       "« %s » : valeur hors de la liste" % f.label,
                       "“%s”: value not in the list" % f.label_en, (f.name,))
        if f.minimum is not None:
            yield Rule(prefix + "_min", "%s IS NULL OR %s >= %d" % (column, column, f.minimum),
                       "« %s » doit être supérieur ou égal à %d" % (f.label, f.minimum),
                       "“%s” must be at least %d" % (f.label_en, f.minimum), (f.name,))
        if f.maximum is not None:
            yield Rule(prefix + "_max", "%s IS NULL OR %s <= %d" % (column, column, f.maximum),
                       "« %s » doit être inférieur ou égal à %d" % (f.label, f.maximum),
                       "“%s” must be at most %d" % (f.label_en, f.maximum), (f.name,))
        if f.length is not None:
            low, high = f.length
            yield Rule(prefix + "_length",
                       "%s IS NULL OR {range:length}" % column,
                       "« %s » doit compter de %d à %d caractères" % (f.label, low, high),
                       "“%s” must have %d to %d characters" % (f.label_en, low, high), (f.name,),
                       ranges={"length": ("length(%s)" % column, low, high)})
        if f.kind in (Kind.INTEGER, Kind.REAL, Kind.BOOLEAN):
            allowed = "'integer'" if f.kind is not Kind.REAL else "'integer', 'real'"
            condition = "typeof(%s) IN (%s, 'null')" % (column, allowed)
            if f.kind is Kind.BOOLEAN:
                condition = "%s IS NULL OR %s IN (0, 1)" % (column, column)
            yield Rule(prefix + "_type", condition,
                       "« %s » doit être un nombre" % f.label if f.kind is not Kind.BOOLEAN
                       else "« %s » doit valoir oui ou non" % f.label,
                       "“%s” must be a number" % f.label_en if f.kind is not Kind.BOOLEAN
                       else "“%s” must be yes or no" % f.label_en,
                       (f.name,), dialects=("sqlite",))
        if f.kind in (Kind.DATE, Kind.DATETIME):
            yield Rule(prefix + "_type",
                       "%s IS NULL OR (typeof(%s) = 'text' AND %s GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]*')"
                       % (column, column, column),
                       "« %s » doit être une date (AAAA-MM-JJ)" % f.label,
                       "“%s” must be a date (YYYY-MM-DD)" % f.label_en, (f.name,), dialects=("sqlite",))


# --- building blocks -------------------------------------------------------

def text(name, label, label_en, **kw) -> Field:
    return Field(name, Kind.TEXT, label, label_en, **kw)


def free_text(name, label, label_en, **kw) -> Field:
    return Field(name, Kind.TEXT, label, label_en, free_text=True, **kw)


# The largest count a row may hold (people, households, tents, capacities, indicator values).
# France's largest camp ever, the Calais « Jungle » in 2016, counted about 10,000 people; the
# largest site of the national census holds a few thousand. Ten times the largest ever is no real
# figure, and 100,000 sites at this bound still add up far below the 64-bit (and the 32-bit
# per-row) integers of both stores, so the sums and exports never overflow.
COUNT_MAXIMUM = 100_000


def count(name, label, label_en, **kw) -> Field:
    return Field(name, Kind.INTEGER, label, label_en, minimum=0, maximum=COUNT_MAXIMUM, **kw)


def integer(name, label, label_en, **kw) -> Field:
    return Field(name, Kind.INTEGER, label, label_en, **kw)


def real(name, label, label_en, **kw) -> Field:
    return Field(name, Kind.REAL, label, label_en, **kw)


def date(name, label, label_en, **kw) -> Field:
    return Field(name, Kind.DATE, label, label_en, **kw)


def timestamp(name, label, label_en, **kw) -> Field:
    return Field(name, Kind.DATETIME, label, label_en, **kw)


def boolean(name, label, label_en, **kw) -> Field:
    return Field(name, Kind.BOOLEAN, label, label_en, **kw)


def enum(name, label, label_en, vocabulary, **kw) -> Field:
    return Field(name, Kind.ENUM, label, label_en, vocabulary=vocabulary, **kw)


def reference(name, label, label_en, target, **kw) -> Field:
    return Field(name, Kind.TEXT, label, label_en, references=target, length=(36, 36), **kw)


UUID = text("uuid", "Identifiant", "Identifier", unique=True, system=True, length=(36, 36),
            tab=Tab.RECORD)

SYNC_FIELDS = (
    integer("row_version", "Version", "Version", system=True, minimum=1, default=1, tab=Tab.RECORD),
    timestamp("created_at", "Créé le", "Created on", system=True, tab=Tab.RECORD),
    text("created_by", "Créé par", "Created by", system=True, tab=Tab.RECORD),
    timestamp("updated_at", "Modifié le", "Updated on", system=True, tab=Tab.RECORD),
    text("updated_by", "Modifié par", "Updated by", system=True, tab=Tab.RECORD),
)

SYNC_FIELD_NAMES = ("uuid",) + tuple(f.name for f in SYNC_FIELDS)

INSEE_GLOB = "[0-9][0-9AB][0-9][0-9][0-9]"
INSEE_REGEX = "^[0-9][0-9AB][0-9]{3}$"
DEPARTEMENT_GLOB = "(%s GLOB '[0-9][0-9AB]' OR %s GLOB '97[1-8]')"
DEPARTEMENT_REGEX = "^([0-9][0-9AB]|97[1-8])$"
# The digest names the attachment's folder when it is opened: hexadecimal only, no path.
SHA256_REGEX = "^[0-9a-f]{64}$"
# The store's rule on the digest's characters, the same in both dialects (its length is a rule of its own).
HEX_DIGITS_REGEX = "^[0-9a-f]*$"
SHA256_GLOB = "\"sha256\" NOT GLOB '*[^0-9a-f]*'"


def location_fields(tab: Tab, required_insee: bool) -> Tuple[Field, ...]:
    """`required_insee`: the commune and its département are required (a site outside any
    département would be in no working copy)."""
    return (
        free_text("address", "Adresse", "Address", tab=tab),
        text("insee_code", "Code INSEE de la commune", "INSEE code of the municipality",
             required=required_insee, length=(5, 5), derived=True, tab=tab),
        text("city_name", "Commune", "Municipality", derived=True, tab=tab),
        text("departement", "Département", "Département", required=required_insee, length=(2, 3), derived=True,
             tab=tab),
    )


def location_rules(table: str) -> Tuple[Rule, ...]:
    return (
        pattern("insee_code", INSEE_REGEX, '"insee_code" GLOB \'%s\'' % INSEE_GLOB,
                table + "_insee_code_format",
                "Le code INSEE compte 5 caractères (ex. 93066, 2A004, 97411)",
                "The INSEE code has 5 characters (e.g. 93066, 2A004, 97411)"),
        pattern("departement", DEPARTEMENT_REGEX,
                DEPARTEMENT_GLOB % ('"departement"', '"departement"'),
                table + "_departement_format",
                "Le département est un code (ex. 93, 2A, 974)",
                "The département is a code (e.g. 93, 2A, 974)"),
    )


def history_of(name: str) -> str:
    return name + "_history"


# --- sites ------------------------------------------------------------------

MINOR_BANDS = ("population_minors_0_3", "population_minors_3_6", "population_minors_6_12",
               "population_minors_12_16", "population_minors_16_18")

JUSTICE = dict(tab=Tab.JUSTICE, justice=True)
LIVING = dict(tab=Tab.LIVING)
PEOPLE = dict(tab=Tab.PEOPLE)
CLOSING = dict(tab=Tab.CLOSING)

SITES = Table(
    "sites", "Sites", "Sites", geometry="POINT",
    map_style="sites_categorized", attachments=("Site", "Site"), dock="sites_dock.SitesDock",
    fields=(UUID,) + (
        text("name", "Appellation du site", "Site name", tab=Tab.LOCATION),
    ) + location_fields(Tab.LOCATION, required_insee=True) + (
        free_text("address_details", "Informations d'accès", "Access information", tab=Tab.LOCATION),
        enum("field_type", "Type de site", "Type of site", voc.FIELD_TYPE, tab=Tab.SITE),
        enum("owner_type", "Type de propriétaire", "Type of owner", voc.OWNER_TYPE, tab=Tab.SITE),
        text("owner", "Identité du propriétaire", "Owner's identity", tab=Tab.SITE),
        text("cadastral_parcels", "Parcelles cadastrales", "Cadastral parcels", tab=Tab.SITE),
        date("built_at", "Date d'installation", "Installation date", tab=Tab.SITE),
        date("declared_at", "Date de signalement", "Reporting date", tab=Tab.SITE),
        boolean("is_reinstallation", "Réinstallation ?", "Reinstallation?", tab=Tab.SITE),
        free_text("reinstallation_comments", "Précisions sur la réinstallation",
                  "Details on the reinstallation", tab=Tab.SITE),
        integer("resorption_target", "Objectif de résorption (année)", "Resorption target (year)",
                minimum=2000, maximum=2100, tab=Tab.SITE),
        enum("status", "Statut", "Status", voc.SITE_STATUS, required=True, default="open", **CLOSING),
        date("closed_at", "Date de fermeture", "Closing date", **CLOSING),
        free_text("closing_context", "Contexte de la fermeture", "Closing context", **CLOSING),
        enum("closed_with_solutions", "Site résorbé définitivement ?", "Site permanently resorbed?",
             voc.YES_NO_UNKNOWN, **CLOSING),
        count("population_total", "Nombre de personnes", "Number of people", **PEOPLE),
        count("population_couples", "Nombre de ménages", "Number of households", **PEOPLE),
        count("population_minors", "Nombre de mineurs", "Number of minors", **PEOPLE),
        count("population_minors_0_3", "Mineurs 0-3 ans", "Minors aged 0-3", **PEOPLE),
        count("population_minors_3_6", "Mineurs 3-6 ans", "Minors aged 3-6", **PEOPLE),
        count("population_minors_6_12", "Mineurs 6-12 ans", "Minors aged 6-12", **PEOPLE),
        count("population_minors_12_16", "Mineurs 12-16 ans", "Minors aged 12-16", **PEOPLE),
        count("population_minors_16_18", "Mineurs 16-18 ans", "Minors aged 16-18", **PEOPLE),
        count("minors_in_school", "Mineurs inscrits à l'école", "Minors enrolled in school", **PEOPLE),
        count("population_total_females", "dont femmes et filles", "of whom women and girls", **PEOPLE),
        count("population_minors_girls", "dont filles", "of whom girls", **PEOPLE),
        boolean("origin_french", "Ressortissants français", "French nationals", **PEOPLE),
        boolean("origin_european", "Ressortissants européens", "European nationals", **PEOPLE),
        boolean("origin_extra_eu", "Ressortissants extracommunautaires", "Non-EU nationals", **PEOPLE),
        count("caravans", "Caravanes", "Caravans", **PEOPLE),
        count("huts", "Cabanes", "Huts", **PEOPLE),
        count("tents", "Tentes", "Tents", **PEOPLE),
        count("cars", "Voitures dortoir", "Cars used for sleeping", **PEOPLE),
        count("mattresses", "Matelas", "Mattresses", **PEOPLE),
        enum("census_status", "Diagnostic social", "Social assessment", voc.CENSUS_STATUS, **PEOPLE),
        date("census_conducted_at", "Date du diagnostic", "Date of the assessment", **PEOPLE),
        text("census_conducted_by", "Service ayant réalisé le diagnostic",
             "Service that carried out the assessment", **PEOPLE),
        timestamp("population_updated_at", "Population mise à jour le", "Population updated on",
                  system=True, **PEOPLE),
        enum("water_access_type", "Accès à l'eau", "Access to water", voc.WATER_ACCESS_TYPE, **LIVING),
        free_text("water_access_type_details", "Précisions sur l'accès à l'eau",
                  "Details on the access to water", **LIVING),
        boolean("water_access_is_public", "Point d'eau sur la voie publique", "Water point on the public road",
                **LIVING),
        boolean("water_access_is_continuous", "Continu", "Continuous", **LIVING),
        free_text("water_access_is_continuous_details", "Précisions sur la discontinuité de l'accès à l'eau",
                  "Details on the interruptions of the access to water", **LIVING),
        boolean("water_access_is_local", "Sur site", "On site", **LIVING),
        boolean("water_access_is_close", "À moins de 200 m", "Within 200 m", **LIVING),
        boolean("water_access_is_unequal", "Inégal", "Unequal", **LIVING),
        free_text("water_access_is_unequal_details", "Précisions sur les inégalités d'accès à l'eau",
                  "Details on the unequal access to water", **LIVING),
        boolean("water_access_has_stagnant_water", "Eaux stagnantes", "Stagnant water", **LIVING),
        free_text("water_access_comments", "Informations complémentaires sur l'accès à l'eau",
                  "More on the access to water", **LIVING),
        boolean("electricity_access", "Accès à l'électricité", "Access to electricity", **LIVING),
        text("electricity_access_types", "Source de l'électricité", "Source of electricity", **LIVING),
        boolean("electricity_access_is_unequal", "Inégalités d'accès à l'électricité",
                "Unequal access to electricity", **LIVING),
        boolean("sanitary_access_working_toilets", "Toilettes fonctionnelles", "Working toilets", **LIVING),
        text("sanitary_toilet_types", "Types de toilettes", "Types of toilets", **LIVING),
        boolean("sanitary_toilets_are_inside", "Toilettes à l'intérieur du site", "Toilets inside the site",
                **LIVING),
        boolean("sanitary_toilets_are_lighted", "Toilettes éclairées et verrouillables",
                "Toilets lit and lockable", **LIVING),
        boolean("sanitary_access_open_air_defecation", "Défécation à l'air libre",
                "Open-air defecation", **LIVING),
        boolean("sanitary_access_hand_washing", "Point de lavage des mains", "Hand-washing point", **LIVING),
        boolean("trash_evacuation_is_regular", "Collecte régulière des déchets",
                "Regular waste collection", **LIVING),
        boolean("trash_evacuation_is_close", "Ramassage des ordures à proximité", "Waste collection nearby",
                **LIVING),
        boolean("trash_evacuation_is_safe", "Ramassage des ordures en bon état",
                "Waste collection in good condition", **LIVING),
        boolean("trash_is_piling", "Accumulation de déchets", "Waste piling up", **LIVING),
        boolean("trash_bulky_is_piling", "Accumulation d'encombrants", "Bulky waste piling up", **LIVING),
        boolean("pest_animals", "Présence de nuisibles", "Pests present", **LIVING),
        free_text("pest_animals_details", "Précisions sur les nuisibles", "Details on the pests", **LIVING),
        boolean("fire_prevention", "Diagnostic prévention incendie (SDIS)",
                "Fire prevention assessment (SDIS)", **LIVING),
        boolean("heatwave_status", "Alerte canicule", "Heatwave alert", **LIVING),
        boolean("owner_complaint", "Dépôt de plainte du propriétaire", "Complaint by the owner", **JUSTICE),
        boolean("justice_procedure", "Procédure judiciaire en cours", "Court procedure under way", **JUSTICE),
        boolean("justice_rendered", "Décision de justice rendue", "Court decision rendered", **JUSTICE),
        date("justice_rendered_at", "Date de la décision de justice", "Date of the court decision", **JUSTICE),
        text("justice_rendered_by", "Origine de la décision de justice", "Court of the decision", **JUSTICE),
        boolean("justice_challenged", "Appel en cours", "Appeal under way", **JUSTICE),
        boolean("existing_litigation", "Contentieux en cours", "Litigation under way", **JUSTICE),
        enum("police_status", "Concours de la force publique", "Police assistance", voc.POLICE_STATUS,
             **JUSTICE),
        date("police_requested_at", "Date de la demande du concours de la force publique",
             "Date police assistance was requested", **JUSTICE),
        date("police_granted_at", "Date d'octroi du concours de la force publique",
             "Date police assistance was granted", **JUSTICE),
        boolean("evacuation_order", "Arrêté d'évacuation en cours", "Eviction order under way", **JUSTICE),
        date("evacuation_order_at", "Date de l'arrêté d'évacuation", "Date of the eviction order",
             **JUSTICE),
        text("evacuation_order_by", "Autorité ayant pris l'arrêté d'évacuation",
             "Authority that issued the eviction order", **JUSTICE),
        date("evacuation_at", "Date d'évacuation", "Eviction date", **JUSTICE),
        boolean("insalubrity_order", "Arrêté d'insalubrité", "Insalubrity order", **JUSTICE),
        boolean("insalubrity_order_displayed", "Arrêté d'insalubrité affiché", "Insalubrity order posted",
                **JUSTICE),
        text("insalubrity_order_type", "Type d'arrêté d'insalubrité", "Type of insalubrity order", **JUSTICE),
        text("insalubrity_order_by", "Autorité ayant pris l'arrêté d'insalubrité",
             "Authority that issued the insalubrity order", **JUSTICE),
        date("insalubrity_order_at", "Date de l'arrêté d'insalubrité", "Date of the insalubrity order",
             **JUSTICE),
        text("insalubrity_parcels", "Parcelles concernées par l'arrêté d'insalubrité",
             "Parcels under the insalubrity order", **JUSTICE),
        free_text("comments", "Commentaires", "Comments", tab=Tab.SITE),
        timestamp("confirmed_at", "Situation confirmée sans changement le",
                  "Situation confirmed unchanged on", system=True, tab=Tab.RECORD),
        # Version 3: the site on the national platform, to match it whatever its name becomes there,
        # and the platform's own time of the version last imported (not ours: see the importer).
        text("platform_id", "Identifiant sur la plateforme Résorption-bidonvilles",
             "Identifier on the Résorption-bidonvilles platform", tab=Tab.RECORD),
        timestamp("platform_updated_at", "Mis à jour sur la plateforme le", "Updated on the platform on",
                  tab=Tab.RECORD),
    ) + SYNC_FIELDS,
    rules=location_rules("sites") + (
        pattern("cadastral_parcels",
                "^[0-9][0-9AB][0-9]{3}[0-9A-Z]{3}[0-9A-Z]{2}[0-9]{4}( *, *[0-9][0-9AB][0-9]{3}[0-9A-Z]{3}[0-9A-Z]{2}[0-9]{4})*$",
                "\"cadastral_parcels\" NOT GLOB '*[^0-9A-Z, ]*'",
                "sites_cadastral_parcels_format",
                "Parcelles cadastrales : des IDU de 14 caractères séparés par des virgules "
                "(ex. 93048000AB0123)",
                "Cadastral parcels: 14-character parcel identifiers separated by commas "
                "(e.g. 93048000AB0123)"),
        at_most("built_at", "declared_at", "sites_built_before_declared",
                "La date d'installation doit précéder la date de signalement",
                "The installation date must come before the reporting date"),
        not_in_future("built_at", "sites_built_at_future", "Date d'installation", "Installation date"),
        not_in_future("declared_at", "sites_declared_at_future", "Date de signalement", "Reporting date"),
        Rule("sites_closed_at_iff_closed",
             "(\"status\" = 'open') = (\"closed_at\" IS NULL) OR \"status\" IS NULL",
             "La date de fermeture est obligatoire pour un site fermé, et vide pour un site ouvert",
             "The closing date is required for a closed site, and empty for an open one",
             ("closed_at", "status")),
        at_most("built_at", "closed_at", "sites_closed_after_built",
                "La date de fermeture ne peut pas précéder la date d'installation",
                "The closing date cannot come before the installation date"),
        not_in_future("closed_at", "sites_closed_at_future", "Date de fermeture", "Closing date"),
        required_when("closing_context", "\"status\" = 'other'", "sites_closing_context_required",
                      "Précisez le contexte de la fermeture (statut « Autre »)",
                      "Give the closing context (status “Other”)"),
        Rule("sites_solutions_empty_while_open",
             "\"status\" <> 'open' OR \"closed_with_solutions\" IS NULL",
             "« Site résorbé définitivement ? » reste vide tant que le site est ouvert",
             "“Site permanently resorbed?” stays empty while the site is open",
             ("closed_with_solutions", "status")),
        Rule("sites_open_has_people",
             "\"status\" <> 'open' OR \"population_total\" IS NULL OR \"population_total\" >= 1",
             "Un site ouvert compte au moins une personne (laissez vide si inconnu)",
             "An open site has at least one person (leave empty when unknown)",
             ("population_total", "status")),
        at_most("population_couples", "population_total", "sites_households_le_people",
                "Le nombre de ménages dépasse le nombre de personnes",
                "There are more households than people"),
        at_most("population_minors", "population_total", "sites_minors_le_people",
                "Le nombre de mineurs dépasse le nombre de personnes",
                "There are more minors than people"),
        sum_at_most(MINOR_BANDS, "population_minors", "sites_minor_bands_le_minors",
                    "La somme des mineurs par âge dépasse le nombre de mineurs",
                    "The minors by age add up to more than the number of minors"),
        at_most("minors_in_school", "population_minors", "sites_school_le_minors",
                "Plus de mineurs scolarisés que de mineurs",
                "More minors in school than minors"),
        at_most("population_total_females", "population_total", "sites_females_le_people",
                "Plus de femmes et filles que de personnes",
                "More women and girls than people"),
        at_most("population_minors_girls", "population_minors", "sites_girls_le_minors",
                "Plus de filles que de mineurs", "More girls than minors"),
        not_in_future("census_conducted_at", "sites_census_future", "Date du diagnostic",
                      "Date of the assessment"),
    ),
)

# Version 2: where the people went, one row per closing solution (before, a line of closing_context).
SITE_CLOSING_OUTCOMES = Table(
    "site_closing_outcomes", "Devenir des habitants à la fermeture", "Where the people went at the closure",
    parent=("sites", "site_uuid"), parent_tab=Tab.CLOSING,
    fields=(UUID,
            reference("site_uuid", "Site", "Site", "sites", required=True),
            enum("solution", "Solution", "Solution", voc.CLOSING_SOLUTION, required=True),
            count("people", "Personnes", "People"),
            count("households", "Ménages", "Households"),
            ) + SYNC_FIELDS,
    unique_together=(("site_uuid", "solution"),),
    rules=(at_most("households", "people", "site_closing_outcomes_households_le_people",
                   "Plus de ménages que de personnes", "More households than people"),),
)

# --- terrains d'insertion ------------------------------------------------------

INSERTION_SITES = Table(
    "insertion_sites", "Terrains d'insertion", "Insertion sites", geometry="POLYGON",
    map_style="insertion_sites", attachments=("Terrain d'insertion", "Insertion site"),
    dock="terrains_dock.TerrainsDock",
    fields=(UUID,
            text("name", "Nom du terrain", "Name of the site", required=True, tab=Tab.TERRAIN),
            ) + location_fields(Tab.TERRAIN, required_insee=False) + (
        enum("status", "Statut", "Status", voc.INSERTION_SITE_STATUS, required=True, default="project",
             tab=Tab.TERRAIN),
        enum("land_owner_type", "Propriétaire du terrain", "Landowner", voc.OWNER_TYPE, tab=Tab.TERRAIN),
        count("capacity_households", "Capacité (ménages)", "Capacity (households)", tab=Tab.CAPACITY),
        count("capacity_people", "Capacité (personnes)", "Capacity (people)", tab=Tab.CAPACITY),
        count("occupied_households", "Ménages accueillis", "Households housed", tab=Tab.CAPACITY),
        count("occupied_people", "Personnes accueillies", "People housed", tab=Tab.CAPACITY),
        date("opened_at", "Ouverture", "Opening", tab=Tab.TERRAIN),
        date("closed_at", "Fermeture", "Closing", tab=Tab.TERRAIN),
        boolean("water_access", "Eau", "Water", tab=Tab.EQUIPMENT),
        boolean("electricity_access", "Électricité", "Electricity", tab=Tab.EQUIPMENT),
        boolean("sanitary_access", "Sanitaires", "Sanitation", tab=Tab.EQUIPMENT),
        reference("action_uuid", "Dispositif", "Programme", "actions", tab=Tab.TERRAIN),
        free_text("comments", "Commentaires", "Comments", tab=Tab.TERRAIN),
    ) + SYNC_FIELDS,
    rules=location_rules("insertion_sites") + (
        at_most("occupied_households", "capacity_households", "insertion_sites_households_le_capacity",
                "Plus de ménages accueillis que la capacité", "More households housed than the capacity"),
        at_most("occupied_people", "capacity_people", "insertion_sites_people_le_capacity",
                "Plus de personnes accueillies que la capacité", "More people housed than the capacity"),
        required_when("closed_at", "\"status\" = 'closed'", "insertion_sites_closed_at_required",
                      "La date de fermeture est obligatoire pour un terrain fermé",
                      "The closing date is required for a closed insertion site"),
        at_most("opened_at", "closed_at", "insertion_sites_closed_after_opened",
                "La fermeture ne peut pas précéder l'ouverture",
                "The closing date cannot come before the opening date"),
    ),
)

INSERTION_SITE_PHASES = Table(
    "insertion_site_phases", "Phases préparatoires", "Preparatory phases",
    parent=("insertion_sites", "insertion_site_uuid"),
    fields=(UUID,
            reference("insertion_site_uuid", "Terrain d'insertion", "Insertion site", "insertion_sites",
                      required=True),
            enum("phase", "Phase", "Phase", voc.INSERTION_SITE_PHASE, required=True),
            date("completed_at", "Réalisée le", "Completed on"),
            ) + SYNC_FIELDS,
    unique_together=(("insertion_site_uuid", "phase"),),
    rules=(not_in_future("completed_at", "insertion_site_phases_completed_future",
                         "Réalisée le", "Completed on"),),
)

INSERTION_SITE_ORIGINS = Table(
    "insertion_site_origins", "Origines des ménages", "Where the households came from",
    parent=("insertion_sites", "insertion_site_uuid"),
    fields=(UUID,
            reference("insertion_site_uuid", "Terrain d'insertion", "Insertion site", "insertion_sites",
                      required=True),
            reference("site_uuid", "Site d'origine", "Site of origin", "sites", required=True),
            count("households", "Ménages", "Households"),
            ) + SYNC_FIELDS,
    unique_together=(("insertion_site_uuid", "site_uuid"),),
)

SUBCOUNT_PAIRS = ", ".join("'%s<%s'" % pair for pair in voc.INDICATOR_SUBCOUNTS)

# A sub-count never exceeds its total within one action and one month; `{other}` is how each dialect
# says "another row".
SUBCOUNT_RULE = (
    "NOT EXISTS (SELECT 1 FROM indicator_values other "
    "JOIN indicator_definitions mine ON mine.uuid = \"indicator_uuid\" "
    "JOIN indicator_definitions theirs ON theirs.uuid = other.indicator_uuid "
    "WHERE other.action_uuid = \"action_uuid\" AND other.period = \"period\" AND {other} "
    "AND ((mine.code || '<' || theirs.code IN (%s) AND \"value\" > other.value) "
    "OR (theirs.code || '<' || mine.code IN (%s) AND other.value > \"value\")))" % (
        SUBCOUNT_PAIRS, SUBCOUNT_PAIRS))

# --- dispositifs ------------------------------------------------------------------

ACTIONS = Table(
    "actions", "Dispositifs", "Programmes", attachments=("Dispositif", "Programme"),
    dock="dispositifs_dock.DispositifsDock",
    fields=(UUID,
            text("name", "Nom du dispositif", "Name of the programme", required=True),
            date("started_at", "Date de début", "Start date", required=True),
            date("ended_at", "Date de fin", "End date"),
            free_text("goals", "Objectifs", "Goals", required=True),
            text("departement", "Département d'intervention principal", "Main département",
                 required=True, length=(2, 3)),
            enum("location_type", "Lieu", "Location", voc.ACTION_LOCATION_TYPE),
            free_text("location_other", "Précisions sur le lieu", "Details on the location"),
            enum("reporting_frequency", "Fréquence de saisie", "Reporting frequency",
                 voc.REPORTING_FREQUENCY),
            # Version 3: « qui remplit quoi », the organisation that enters the indicator values.
            reference("values_entered_by", "Saisie des indicateurs par", "Indicator values entered by",
                      "organisations"),
            ) + SYNC_FIELDS,
    rules=(
        at_most("started_at", "ended_at", "actions_ended_after_started",
                "La date de fin ne peut pas précéder la date de début",
                "The end date cannot come before the start date"),
        required_when("location_other", "\"location_type\" = 'autre'", "actions_location_other_required",
                      "Précisez le lieu (lieu « Autre »)", "Give details on the location (“Other”)"),
        pattern("departement", DEPARTEMENT_REGEX, DEPARTEMENT_GLOB % ('"departement"', '"departement"'),
                "actions_departement_format", "Le département est un code (ex. 93, 2A, 974)",
                "The département is a code (e.g. 93, 2A, 974)"),
    ),
)


def action_child(name, label, label_en, *fields, **kw) -> Table:
    return Table(name, label, label_en, parent=("actions", "action_uuid"),
                 fields=(UUID, reference("action_uuid", "Dispositif", "Programme", "actions",
                                         required=True)) + fields + SYNC_FIELDS, **kw)


ACTION_TOPICS = action_child(
    "action_topics", "Thématiques", "Topics",
    enum("topic", "Thématique", "Topic", voc.ACTION_TOPIC, required=True),
    unique_together=(("action_uuid", "topic"),))

ACTION_ORGANISATIONS = action_child(
    "action_organisations", "Structures du dispositif", "Organisations of the programme",
    reference("organisation_uuid", "Structure", "Organisation", "organisations", required=True),
    enum("role", "Rôle", "Role", voc.ORGANISATION_ROLE, required=True),
    unique_together=(("action_uuid", "organisation_uuid", "role"),))

ACTION_FINANCES = action_child(
    "action_finances", "Financements", "Funding",
    integer("year", "Année", "Year", required=True, minimum=2000, maximum=2100),
    enum("finance_type", "Type de financement", "Type of funding", voc.FINANCE_TYPE, required=True),
    real("amount", "Montant prévu (€)", "Planned amount (€)", minimum=0),
    real("real_amount", "Montant dépensé (€)", "Amount spent (€)", minimum=0),
    free_text("comments", "Commentaires", "Comments"),
    rules=(across_rows(
        "action_finances_year_within_action",
        "NOT EXISTS (SELECT 1 FROM actions WHERE uuid = \"action_uuid\" AND (\"year\" < "
        "CAST(substr(started_at, 1, 4) AS INTEGER) OR \"year\" > CAST(substr(coalesce(ended_at, '9999'), 1, 4) "
        "AS INTEGER)))",
        "L'année du financement est hors des dates du dispositif",
        "The funding year is outside the programme's dates", ("year", "action_uuid"),
        postgres="NOT EXISTS (SELECT 1 FROM actions WHERE uuid = \"action_uuid\" AND (\"year\" < "
                 "extract(year FROM started_at) OR \"year\" > coalesce(extract(year FROM ended_at), 9999)))"),))

ACTION_SITES = action_child(
    "action_sites", "Sites du dispositif", "Sites of the programme",
    reference("site_uuid", "Site", "Site", "sites", required=True),
    unique_together=(("action_uuid", "site_uuid"),))

INDICATOR_DEFINITIONS = Table(
    "indicator_definitions", "Indicateurs", "Indicators",
    fields=(UUID,
            text("code", "Code", "Code", required=True, unique=True),
            text("label", "Libellé", "Label", required=True),
            enum("topic", "Thématique", "Topic", voc.ACTION_TOPIC),
            text("unit", "Unité", "Unit"),
            enum("scope", "Portée", "Scope", voc.INDICATOR_SCOPE, required=True, default="local"),
            # Version 3: the English label, how the indicator adds up over months, the département
            # that created a local indicator (not named "departement": every working copy holds every
            # definition, the sync's scope filters only on that name).
            text("label_en", "Libellé (anglais)", "Label (English)"),
            enum("kind", "Nature", "Kind", voc.INDICATOR_KIND, required=True, default="stock"),
            text("local_departement", "Département (indicateur local)", "Département (local indicator)",
                 length=(2, 3)),
            ) + SYNC_FIELDS,
    rules=(required_when("local_departement", "\"scope\" = 'local'", "indicator_definitions_local_departement",
                         "Un indicateur local est créé par un département : indiquez-le",
                         "A local indicator belongs to a département: give it"),),
)

INDICATOR_VALUES = action_child(
    "indicator_values", "Valeurs des indicateurs", "Indicator values",
    reference("indicator_uuid", "Indicateur", "Indicator", "indicator_definitions", required=True),
    text("period", "Période (mois)", "Period (month)", required=True, length=(7, 7)),
    count("value", "Valeur", "Value"),
    free_text("comments", "Commentaires", "Comments"),
    # In this order, the unique index also serves the sub-count rule (one action, one month); the sums
    # of a period read the second index alone, already grouped by action and indicator.
    unique_together=(("action_uuid", "period", "indicator_uuid"),),
    indexes=(("action_uuid", "indicator_uuid", "period", "value"),),
    rules=(across_rows(
        "indicator_values_subcount_le_total",
        SUBCOUNT_RULE.format(other="other.uuid IS NOT \"uuid\""),
        "Un sous-total dépasse son total pour ce mois (ex. femmes > personnes accompagnées)",
        "A sub-count exceeds its total for this month (e.g. women > people supported)",
        ("value", "indicator_uuid", "period"),
        postgres=SUBCOUNT_RULE.format(other="other.fid <> \"fid\"")),
        pattern("period", "^[12][0-9]{3}-(0[1-9]|1[0-2])$",
                   "\"period\" GLOB '[12][0-9][0-9][0-9]-[01][0-9]' AND substr(\"period\", 6, 2) "
                   "BETWEEN '01' AND '12'",
                   "indicator_values_period_format", "La période est un mois : AAAA-MM (ex. 2026-03)",
                   "The period is a month: YYYY-MM (e.g. 2026-03)"),),
)

ORGANISATIONS = Table(
    "organisations", "Structures", "Organisations",
    fields=(UUID,
            text("name", "Nom de la structure", "Name of the organisation", required=True),
            enum("type", "Type", "Type", voc.ORGANISATION_TYPE, required=True),
            text("departement", "Département", "Département", length=(2, 3)),
            ) + SYNC_FIELDS,
)

# --- services near the sites (no person: places and organisations only) -----------------

SERVICES = Table(
    "services", "Services", "Services", geometry="POINT",
    map_style="services", attachments=("Service", "Service"), dock="services_dock.ServicesDock",
    fields=(UUID,
            enum("category", "Catégorie", "Category", voc.SERVICE_CATEGORY, required=True),
            text("name", "Nom du service", "Name of the service", required=True),
            text("organisation", "Structure", "Organisation"),
            ) + location_fields(Tab.LOCATION, required_insee=False) + (
        # The service's own desk, never a person's number.
        text("contact", "Téléphone de l'accueil", "Front desk phone number"),
        free_text("access_conditions", "Conditions d'accès", "Access conditions"),
        free_text("opening_hours", "Horaires", "Opening hours"),
        text("languages", "Langues parlées", "Languages spoken"),
        enum("free_of_charge", "Gratuit ?", "Free of charge?", voc.YES_NO_UNKNOWN),
        text("source", "Source", "Source"),
        text("source_id", "Identifiant dans la source", "Identifier in the source"),
        date("verified_at", "Vérifié le", "Verified on"),
    ) + SYNC_FIELDS,
    rules=location_rules("services") + (
        not_in_future("verified_at", "services_verified_future", "Vérifié le", "Verified on"),),
)

DATA_TABLES: Tuple[Table, ...] = (
    SITES, SITE_CLOSING_OUTCOMES, INSERTION_SITES, INSERTION_SITE_PHASES, INSERTION_SITE_ORIGINS,
    ORGANISATIONS, ACTIONS, ACTION_TOPICS, ACTION_ORGANISATIONS, ACTION_FINANCES, ACTION_SITES,
    INDICATOR_DEFINITIONS, INDICATOR_VALUES, SERVICES,
)

# The tables whose rows take attachments (their `attachments` declaration), as the attachment's « Rattachée à ».
ATTACHMENT_OWNER_TABLE = voc.vocabulary(
    "attachment_owner_table", *((t.name,) + t.attachments for t in DATA_TABLES if t.attachments))

ATTACHMENTS = Table(
    "attachments", "Pièces jointes", "Attachments",
    fields=(UUID,
            enum("owner_table", "Rattachée à", "Attached to", ATTACHMENT_OWNER_TABLE, required=True),
            text("owner_uuid", "Identifiant de l'objet", "Identifier of the object", required=True,
                 length=(36, 36)),
            text("filename", "Nom du fichier", "File name", required=True),
            text("mime_type", "Type de fichier", "File type"),
            text("sha256", "Empreinte SHA-256", "SHA-256 digest", required=True, length=(64, 64)),
            integer("size_bytes", "Taille (octets)", "Size (bytes)", required=True, minimum=0),
            Field("content", Kind.BLOB, "Contenu", "Content"),
            text("external_path", "Chemin externe", "External path"),
            text("added_by", "Ajoutée par", "Added by", system=True),
            timestamp("added_at", "Ajoutée le", "Added on", system=True),
            ) + SYNC_FIELDS,
    rules=(pattern("sha256", HEX_DIGITS_REGEX, SHA256_GLOB, "attachments_sha256_format",
                   "L'empreinte SHA-256 compte 64 chiffres hexadécimaux (0-9, a-f)",
                   "The SHA-256 digest has 64 hexadecimal digits (0-9, a-f)"),
           # Recomputed by the store whoever sends the row (sync, import): what is opened is what was attached.
           # A malformed digest is the rule above's to refuse.
           Rule("attachments_sha256_of_content",
                "\"content\" IS NULL OR \"sha256\" IS NULL OR NOT ({match:p}) OR {digest:content} = \"sha256\"",
                "L'empreinte SHA-256 ne correspond pas au contenu de la pièce jointe",
                "The SHA-256 digest does not match the attachment's content", ("sha256", "content"),
                patterns={"p": ('"sha256"', HEX_DIGITS_REGEX, SHA256_GLOB)}, dialects=(SQLITE, POSTGRES)),
           Rule("attachments_content_or_path",
                "\"content\" IS NOT NULL OR \"external_path\" IS NOT NULL",
                "Une pièce jointe a un contenu ou un chemin externe",
                "An attachment has content or an external path", ("content", "external_path")),),
)

TABLES: Tuple[Table, ...] = DATA_TABLES + (ATTACHMENTS,)

TABLES_BY_NAME: Dict[str, Table] = {t.name: t for t in TABLES}


@dataclass(frozen=True)
class Relation:
    """A reference field: it names an existing row of its target table. When that row is deleted,
    the rows that require it go with it (a terrain's phases, a programme's sites), an optional
    reference is emptied; both stores keep the history of what this changes."""
    table: Table
    field: Field

    @property
    def target(self) -> str:
        return self.field.references

    @property
    def cascades(self) -> bool:
        return self.field.required

    @property
    def code(self) -> str:
        return "%s_%s_exists" % (self.table.name, self.field.name)

    @property
    def message(self) -> str:
        return "« %s » : l'objet désigné n'existe pas (%s)" % (self.field.label, TABLES_BY_NAME[self.target].label)

    @property
    def message_en(self) -> str:
        return "“%s”: the object referred to does not exist (%s)" % (
            self.field.label_en, TABLES_BY_NAME[self.target].label_en)


RELATIONS: Tuple[Relation, ...] = tuple(Relation(t, f) for t in TABLES for f in t.fields if f.references)


def parents_first() -> Tuple[Table, ...]:
    """The tables, each after the tables it references (the order in which new rows can be written)."""
    ordered: Dict[str, Table] = {}

    def visit(current: Table) -> None:
        if current.name in ordered:
            return
        for relation in RELATIONS:
            if relation.table is current and relation.target != current.name:
                visit(TABLES_BY_NAME[relation.target])
        ordered[current.name] = current

    for each in TABLES:
        visit(each)
    return tuple(ordered.values())


def table(name: str) -> Table:
    return TABLES_BY_NAME[name]


def core_indicator_rows():
    """The common base of indicators every store starts with."""
    for code, label, label_en, topic, unit, kind in voc.CORE_INDICATORS:
        yield {"code": code, "label": label, "label_en": label_en, "topic": topic, "unit": unit,
               "scope": "core", "kind": kind}

