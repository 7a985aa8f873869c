"""Spreadsheet columns of the data model: what an export writes, what an import reads.

Pure Python (no Qt, no store): the columns of the exported sheets (sections,
French headers = the schema labels, cell values), the column titles an import
recognises (ours, and those of the national platform Résorption-bidonvilles,
see the appendix of SCHEMA.md), the parsing of cells into store values, and the
report of one imported row (errors, warnings).
"""
import datetime
import re
import uuid as uuid_module
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from . import vocabularies as voc
from .schema import ACTIONS, INSERTION_SITES, SITES, Field, Kind, Tab, Table

# --- cells and messages ------------------------------------------------------

YES, NO = "oui", "non"
_TRUE_WORDS = {"oui", "o", "yes", "y", "vrai", "true", "1", "x"}
_FALSE_WORDS = {"non", "n", "no", "faux", "false", "0"}
_UNKNOWN_WORDS = {"inconnu", "inconnue", "unknown", "ne sait pas", "nsp", "?"}
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_LAST_SERIAL = 2958465  # 31/12/9999
# Whole numbers a cell may hold: the stores' integer columns (PostgreSQL "integer").
_LARGEST_INTEGER = 2 ** 31 - 1


class _NotGiven:
    """A cell whose value the file does not hold (a formula never computed): the stored value stays."""

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = _NotGiven()


@dataclass(frozen=True)
class Note:
    """A bilingual message about a file, a column or a cell."""
    message: str
    message_en: str


class CellError(ValueError):
    def __init__(self, message: str, message_en: str):
        super().__init__(message)
        self.note = Note(message, message_en)


# What accented French looks like when UTF-8 was decoded as Windows-1252 ("Ã©" for "é").
MOJIBAKE = ("Ã©", "Ã¨", "Ã\xa0", "Ãª", "Ã§", "Ã‰", "\ufffd")
GARBLED = Note("Les accents sont illisibles : le texte a été enregistré avec un mauvais encodage "
               "(UTF-8 lu comme Windows-1252) ; réenregistrez le fichier en UTF-8.",
               "The accents are garbled: the text was saved with the wrong encoding (UTF-8 read as "
               "Windows-1252); save the file again as UTF-8.")


def looks_garbled(text: str) -> bool:
    return any(mark in text for mark in MOJIBAKE)


def normalise_title(text) -> str:
    """Compare titles whatever the apostrophes, spaces, case and line breaks."""
    text = str(text).replace("\u2019", "'").replace("\u2018", "'").replace("\u00a0", " ").replace("\u202f", " ")
    text = re.sub(r"\s+([?:!])", r"\1", " ".join(text.split()))
    return text.casefold()


def _shown(value) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "…"


# --- reading cells into store values ----------------------------------------

_DATE_TEXT = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?:[ T]+(\d{1,2})[:h](\d{2})(?::(\d{2}))?)?$")
_ISO_TEXT = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?Z?)?$")


def parse_timestamp(value, label: str, label_en: str) -> Optional[Tuple[datetime.datetime, bool]]:
    """A date or date-time cell: (value, whether it carries a time of day), None when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None), True
    if isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day), False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not 1 <= value <= _LAST_SERIAL:
            raise CellError("« %s » : %s n'est pas une date" % (label, _shown(value)),
                            "“%s”: %s is not a date" % (label_en, _shown(value)))
        moment = datetime.datetime(1899, 12, 30) + datetime.timedelta(days=float(value))
        # Spreadsheets keep times to the millisecond at best: round away the float noise.
        moment = moment.replace(microsecond=0) + datetime.timedelta(milliseconds=round(moment.microsecond / 1000))
        return moment, float(value) != int(value)
    text = str(value).strip()
    try:
        match = _DATE_TEXT.match(text)
        if match:
            day, month, year, hour, minute, second = match.groups()
            year = int(year) + (2000 if len(year) == 2 else 0)
            moment = datetime.datetime(year, int(month), int(day), int(hour or 0), int(minute or 0),
                                       int(second or 0))
            return moment, hour is not None
        match = _ISO_TEXT.match(text)
        if match:
            year, month, day, hour, minute, second = match.groups()
            moment = datetime.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                                       int(second or 0))
            return moment, hour is not None
    except ValueError:
        pass
    raise CellError("« %s » : « %s » n'est pas une date (JJ/MM/AAAA)" % (label, _shown(text)),
                    "“%s”: “%s” is not a date (DD/MM/YYYY)" % (label_en, _shown(text)))


def parse_date(value, label: str, label_en: str) -> Optional[str]:
    moment = parse_timestamp(value, label, label_en)
    return None if moment is None else moment[0].date().isoformat()


def parse_text(value, label: str, label_en: str) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def parse_integer(value, label: str, label_en: str) -> Optional[int]:
    if value is None or isinstance(value, bool):
        if isinstance(value, bool):
            raise CellError("« %s » : %s n'est pas un nombre entier" % (label, value),
                            "“%s”: %s is not a whole number" % (label_en, value))
        return None
    number = None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if value.is_integer():
            number = int(value)
    else:
        text = str(value).strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
        if not text:
            return None
        if re.fullmatch(r"[+-]?\d+([.,]0+)?", text):
            number = int(re.split(r"[.,]", text)[0])
    if number is not None and abs(number) > _LARGEST_INTEGER:
        raise CellError("« %s » : %s est hors de toute mesure" % (label, _shown(value)),
                        "“%s”: %s is beyond any measure" % (label_en, _shown(value)))
    if number is not None:
        return number
    raise CellError("« %s » : « %s » n'est pas un nombre entier" % (label, _shown(value)),
                    "“%s”: “%s” is not a whole number" % (label_en, _shown(value)))


def parse_real(value, label: str, label_en: str) -> Optional[float]:
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip().replace(",", ".").replace(" ", "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise CellError("« %s » : « %s » n'est pas un nombre" % (label, _shown(value)),
                        "“%s”: “%s” is not a number" % (label_en, _shown(value))) from None


def parse_boolean(value, label: str, label_en: str) -> Optional[int]:
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)) and value in (0, 1):
        return int(value)
    word = normalise_title(value)
    if not word or word in _UNKNOWN_WORDS:
        return None
    if word in _TRUE_WORDS:
        return 1
    if word in _FALSE_WORDS:
        return 0
    raise CellError("« %s » : « %s » ne vaut ni oui ni non" % (label, _shown(value)),
                    "“%s”: “%s” is neither yes nor no" % (label_en, _shown(value)))


def _label_keys(term: voc.Term) -> List[str]:
    keys = [term.label, term.label_en, term.code]
    # The platform writes "Autre" where we write "Autre (préciser le contexte)".
    keys += [label.split(" (")[0] for label in (term.label, term.label_en) if " (" in label]
    return [normalise_title(key) for key in keys]


def enum_parser(vocabulary: voc.Vocabulary, unknown_is_empty: bool = True,
                empty: Optional[str] = None) -> Callable:
    """Read a label (French, English or the code) into its code; `empty` is the code of an empty cell."""
    codes: Dict[str, str] = {}
    for term in vocabulary.terms:
        for key in _label_keys(term):
            codes.setdefault(key, term.code)

    def parse(value, label: str, label_en: str) -> Optional[str]:
        text = "" if value is None else normalise_title(value)
        if not text:
            return empty
        code = codes.get(text)
        if code is None and unknown_is_empty and text in _UNKNOWN_WORDS:
            return None
        if code is None:
            allowed = ", ".join(term.label for term in vocabulary.terms)
            allowed_en = ", ".join(term.label_en for term in vocabulary.terms)
            raise CellError("« %s » : « %s » n'est pas dans la liste (%s)" % (label, _shown(value), allowed),
                            "“%s”: “%s” is not in the list (%s)" % (label_en, _shown(value), allowed_en))
        return code
    return parse


def parse_insee(value, label: str, label_en: str) -> Optional[str]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "%05d" % int(value)
    text = parse_text(value, label, label_en)
    if text is not None and text.isdigit() and len(text) < 5:
        text = text.zfill(5)
    return None if text is None else text.upper()


_DEPARTEMENT = re.compile(r"^\s*(97[1-8]|2[AaBb]|\d{1,2})(?:\s*[-–—]\s*.*|\s*)$")


def parse_departement(value, label: str, label_en: str) -> Optional[str]:
    """'93 - Seine-Saint-Denis', '93', 93, '2A', '974 - La Réunion' → the code."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(int(value))
    text = parse_text(value, label, label_en)
    if text is None:
        return None
    match = _DEPARTEMENT.match(text)
    if not match:
        raise CellError("« %s » : « %s » n'est pas un département (ex. 93, « 93 - Seine-Saint-Denis »)"
                        % (label, _shown(text)),
                        "“%s”: “%s” is not a département (e.g. 93, “93 - Seine-Saint-Denis”)"
                        % (label_en, _shown(text)))
    return match.group(1).upper().zfill(2)


def parse_uuid(value, label: str, label_en: str) -> Optional[str]:
    text = parse_text(value, label, label_en)
    if text is None:
        return None
    try:
        return str(uuid_module.UUID(text))
    except ValueError:
        raise CellError("« %s » : « %s » n'est pas un identifiant de Résorption SIG (UUID)"
                        % (label, _shown(text)),
                        "“%s”: “%s” is not a Résorption SIG identifier (UUID)"
                        % (label_en, _shown(text))) from None


ORIGIN_FIELDS = ("origin_french", "origin_european", "origin_extra_eu")


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
                            "européens ou extracommunautaires)" % (label, _shown(part.strip())),
                            "“%s”: unknown origin “%s” (expected: French, European or non-EU nationals)"
                            % (label_en, _shown(part.strip())))
    return found


# --- columns recognised by the import -----------------------------------------

# Targets that are not fields of the table.
LATITUDE = "@latitude"
LONGITUDE = "@longitude"
ORIGINS = "@origins"
FILE_UPDATED_AT = "@updated_at"
IGNORED = "@ignored"


@dataclass(frozen=True)
class ImportColumn:
    target: str
    label: str
    label_en: str
    parse: Callable


def _parser_for(f: Field) -> Callable:
    if f.name == "insee_code":
        return parse_insee
    if f.name == "departement":
        return parse_departement
    if f.name == "uuid":
        return parse_uuid
    if f.name == "status" and f.vocabulary is voc.SITE_STATUS:
        return enum_parser(f.vocabulary, empty="open")
    if f.vocabulary is not None:
        return enum_parser(f.vocabulary)
    return {Kind.INTEGER: parse_integer, Kind.REAL: parse_real, Kind.DATE: parse_date,
            Kind.BOOLEAN: parse_boolean, Kind.DATETIME: parse_timestamp}.get(f.kind, parse_text)


# The national platform's titles (serializeExportProperties.ts) and the field each one fills.
PLATFORM_SITE_TITLES: Tuple[Tuple[str, str], ...] = (
    ("Code INSEE", "insee_code"),
    ("Résorbé", "closed_with_solutions"),
    ("Cause de la fermeture", "status"),
    ("S'agit-il d'une réinstallation ?", "is_reinstallation"),
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
    ("Comment les habitants ont-ils accès à l'eau ?", "water_access_type"),
    ("L'accès à l'eau est-il continu ?", "water_access_is_continuous"),
    ("Accès à l'eau sur site ?", "water_access_is_local"),
    ("Distance point d'eau / habitation la plus éloignée ?", "water_access_is_close"),
    ("Des inégalités d'accès à l'eau ont-elles été constatées ?", "water_access_is_unequal"),
    ("Existe-t-il des eaux stagnantes autour du point de distribution ?", "water_access_has_stagnant_water"),
    ("Constate-t-on des marques de défécation à l'air libre ?", "sanitary_access_open_air_defecation"),
    ("Présence de toilettes fonctionnelles ?", "sanitary_access_working_toilets"),
    ("Y a-t-il un point de lavage des mains à proximité des toilettes ?", "sanitary_access_hand_washing"),
    ("Constate-t-on une accumulation de déchets type ordures ménagères sur le site ou aux abords ?",
     "trash_is_piling"),
    ("La collecte des poubelles est-elle réalisée de manière régulière ?", "trash_evacuation_is_regular"),
    ("Y a-t-il des nuisibles à proximité ?", "pest_animals"),
    ("Est-ce qu'un diagnostic prévention incendie par le SDIS a été réalisé ?", "fire_prevention"),
    ("Statut du diagnostic social", "census_status"),
    ("Service en charge du diagnostic", "census_conducted_by"),
    ("Dépôt de plainte par le propriétaire", "owner_complaint"),
    ("Existence d'une procédure judiciaire", "justice_procedure"),
    ("Date de la décision", "justice_rendered_at"),
    ("Site mis à jour le", FILE_UPDATED_AT),
    ("EPCI", IGNORED),
)

# Computed by the platform ("Statut de l'accès à l'eau"…): nothing to read there.
PLATFORM_COMPUTED_PREFIXES = ("statut de l'accès", "statut de l'évacuation", "statut de la présence",
                              "statut du diagnostic prévention")

# Our own export's record-keeping columns: shown, never imported.
RECORD_TITLES_IGNORED = ("row_version", "created_at", "created_by", "updated_by", "population_updated_at",
                         "confirmed_at")


def site_import_columns() -> Dict[str, ImportColumn]:
    """Normalised title → column, for the sites sheet (ours and the platform's)."""
    columns: Dict[str, ImportColumn] = {}
    for f in SITES.fields:
        if f.name in RECORD_TITLES_IGNORED:
            target = IGNORED
        elif f.name == "updated_at":
            target = FILE_UPDATED_AT
        else:
            target = f.name
        columns[normalise_title(f.label)] = ImportColumn(target, f.label, f.label_en, _parser_for(f))
    for title, target in PLATFORM_SITE_TITLES:
        if target.startswith("@"):
            label_en = {ORIGINS: "Origins", FILE_UPDATED_AT: "Site updated on"}.get(target, title)
            parse = {ORIGINS: parse_origins, FILE_UPDATED_AT: parse_timestamp}.get(target, parse_text)
            columns[normalise_title(title)] = ImportColumn(target, title, label_en, parse)
        else:
            f = SITES.field(target)
            columns[normalise_title(title)] = ImportColumn(target, title, f.label_en, _parser_for(f))
    columns[normalise_title("Latitude")] = ImportColumn(LATITUDE, "Latitude", "Latitude", parse_real)
    columns[normalise_title("Longitude")] = ImportColumn(LONGITUDE, "Longitude", "Longitude", parse_real)
    return columns


def is_platform_computed(title: str) -> bool:
    return normalise_title(title).startswith(PLATFORM_COMPUTED_PREFIXES)


# --- the header row -------------------------------------------------------------

HEADER_SEARCH_ROWS = 30
MIN_KNOWN_TITLES = 2


@dataclass
class Header:
    """Where the column titles are and what each recognised column fills."""
    row_index: int                       # 0-based index of the header row in the sheet
    columns: Dict[int, ImportColumn]     # cell index → column
    notes: List[Note] = field(default_factory=list)
    unknown_titles: List[str] = field(default_factory=list)

    @property
    def targets(self) -> List[str]:
        return [column.target for column in self.columns.values()]

    @property
    def is_ours(self) -> bool:
        """Our own export carries the uuid ("Identifiant"); the platform's does not."""
        return "uuid" in self.targets


def _known_count(row: Sequence[object], known: Mapping[str, ImportColumn]) -> int:
    return sum(1 for cell in row if isinstance(cell, str) and
               (normalise_title(cell) in known or is_platform_computed(cell)))


def find_header(rows: Sequence[Sequence[object]], known: Mapping[str, ImportColumn]) -> Optional[Header]:
    """The header among the first rows: the row with the most recognised titles (at least
    MIN_KNOWN_TITLES), whatever sits above it (section titles, a title line)."""
    best_index, best_count = None, 0
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        count = _known_count(row, known)
        if count > best_count:
            best_index, best_count = index, count
    if best_index is None or best_count < MIN_KNOWN_TITLES:
        return None
    header = Header(best_index, {})
    seen: Dict[str, str] = {}
    duplicates: List[str] = []
    for index, cell in enumerate(rows[best_index]):
        if cell is None or not str(cell).strip():
            continue
        title = str(cell).strip()
        key = normalise_title(title)
        column = known.get(key)
        if column is None:
            if not is_platform_computed(title):
                header.unknown_titles.append(title)
            continue
        if column.target == IGNORED:
            continue
        # A target read twice (the platform repeats "Nombre de personnes" for the closing
        # outcomes): the first column wins.
        target_key = column.target
        if target_key in seen:
            duplicates.append(title)
            continue
        seen[target_key] = title
        header.columns[index] = column
    if header.unknown_titles:
        titles = ", ".join("« %s »" % t for t in header.unknown_titles)
        header.notes.append(Note("Colonnes inconnues, ignorées : %s" % titles,
                                 "Unknown columns, ignored: %s" % titles.replace("« ", "“").replace(" »", "”")))
        if looks_garbled(titles):
            header.notes.append(GARBLED)
    if duplicates:
        titles = ", ".join("« %s »" % t for t in duplicates)
        header.notes.append(Note("Colonnes en double, seule la première est lue : %s" % titles,
                                 "Duplicate columns, only the first is read: %s" % titles))
    if not header.is_ours:
        for index, column in list(header.columns.items()):
            if column.target == "comments":
                # The platform's "Commentaires" are its messages, signed with their authors' names.
                del header.columns[index]
                header.notes.append(Note(
                    "La colonne « Commentaires » de la plateforme (messages signés de leurs auteurs) "
                    "n'est pas importée.",
                    "The platform's “Commentaires” column (messages signed by their authors) is not imported."))
    return header


# --- one imported row ------------------------------------------------------------

CREATE, UPDATE, UNCHANGED, SKIPPED, INVALID = "create", "update", "unchanged", "skipped", "invalid"


@dataclass
class RowReport:
    """What an import does with one row of the file, and why."""
    line: int                                   # the row number shown by Excel/LibreOffice
    action: str = INVALID
    values: Dict[str, object] = field(default_factory=dict)
    latitude: Optional[float] = None
    longitude: Optional[float] = None
    file_updated_at: Optional[Tuple[datetime.datetime, bool]] = None
    errors: List[Note] = field(default_factory=list)
    warnings: List[Note] = field(default_factory=list)
    uuid: Optional[str] = None
    name: Optional[str] = None
    changes: Dict[str, Tuple[object, object]] = field(default_factory=dict)

    def error(self, message: str, message_en: str) -> None:
        self.errors.append(Note(message, message_en))

    def warn(self, message: str, message_en: str) -> None:
        self.warnings.append(Note(message, message_en))


def is_blank(cells: Sequence[object]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def read_row(header: Header, cells: Sequence[object], line: int) -> RowReport:
    """Parse one row of cells into store values; cell problems become the row's errors."""
    report = RowReport(line)
    values = report.values
    for index, column in header.columns.items():
        value = cells[index] if index < len(cells) else None
        if value is NOT_GIVEN:
            continue
        try:
            parsed = column.parse(value, column.label, column.label_en)
        except CellError as error:
            report.errors.append(error.note)
            continue
        if column.target == LATITUDE:
            report.latitude = parsed
        elif column.target == LONGITUDE:
            report.longitude = parsed
        elif column.target == ORIGINS:
            values.update(parsed)
        elif column.target == FILE_UPDATED_AT:
            report.file_updated_at = parsed
        else:
            values[column.target] = parsed
    _check_point(report)
    if values.get("status") == "open" and values.get("closed_with_solutions") is not None:
        # The platform writes "Non" in "Résorbé" for every open site.
        if values["closed_with_solutions"] != "no":
            report.warn("« Site résorbé définitivement ? » ignoré : le site est ouvert",
                        "“Site permanently resorbed?” ignored: the site is open")
        values["closed_with_solutions"] = None
    report.uuid = values.get("uuid")
    report.name = values.get("name")
    return report


def _check_point(report: RowReport) -> None:
    latitude, longitude = report.latitude, report.longitude
    if (latitude is None) != (longitude is None):
        report.error("Latitude et longitude vont ensemble : l'une manque",
                     "Latitude and longitude go together: one is missing")
    elif latitude is not None:
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            report.error("Coordonnées hors du globe (latitude %s, longitude %s)" % (latitude, longitude),
                         "Coordinates off the globe (latitude %s, longitude %s)" % (latitude, longitude))
        elif latitude == 0 and longitude == 0:
            report.error("Coordonnées 0, 0 : le point n'a pas été placé",
                         "Coordinates 0, 0: the point was never placed")


# --- columns written by the export ---------------------------------------------------

@dataclass(frozen=True)
class Column:
    """One exported column: the field (or a special target), its header and its section."""
    key: str
    title: str
    section: str
    kind: Kind
    vocabulary: Optional[voc.Vocabulary] = None
    summable: bool = False
    width: float = 14.0


SITE_SECTIONS = (Tab.LOCATION, Tab.SITE, Tab.PEOPLE, Tab.LIVING, Tab.JUSTICE, Tab.CLOSING, Tab.RECORD)
RECORD_EXPORTED = ("population_updated_at", "confirmed_at", "updated_at")
# Written only with the justice group: the owner may be a private person.
JUSTICE_ONLY_FIELDS = ("owner",)


def _width(f: Field) -> float:
    if f.free_text or f.name in ("name", "address", "city_name", "closing_context"):
        return 30.0
    if f.name == "uuid":
        return 38.0
    if f.kind in (Kind.DATE, Kind.INTEGER, Kind.BOOLEAN):
        return 12.0
    if f.kind is Kind.DATETIME:
        return 17.0
    return 18.0


def _column(f: Field, section: Tab) -> Column:
    return Column(f.name, f.label, section.value, f.kind, f.vocabulary, f.is_count, _width(f))


def _table_columns(table: Table, sections: Sequence[Tab], include_justice: bool,
                   leading: Sequence[str] = ("uuid",), after: Optional[Dict[str, List[Column]]] = None
                   ) -> List[Column]:
    after = after or {}
    columns: List[Column] = []
    first_section = sections[0]
    for name in leading:
        columns.append(_column(table.field(name), first_section))
    for section in sections:
        for f in table.fields:
            if f.name in leading or f.tab is not section:
                continue
            if f.system and f.name not in RECORD_EXPORTED:
                continue
            if (f.justice or f.name in JUSTICE_ONLY_FIELDS) and not include_justice:
                continue
            columns.append(_column(f, section))
            columns.extend(after.get(f.name, ()))
    return columns


def site_columns(include_justice: bool = False) -> List[Column]:
    """The sites sheet, in the national platform's order of sections."""
    coordinates = [Column(LATITUDE, "Latitude", Tab.LOCATION.value, Kind.REAL, width=12.0),
                   Column(LONGITUDE, "Longitude", Tab.LOCATION.value, Kind.REAL, width=12.0)]
    sections = [s for s in SITE_SECTIONS if include_justice or s is not Tab.JUSTICE]
    return _table_columns(SITES, sections, include_justice, leading=("uuid", "name"),
                          after={"address_details": coordinates})


def insertion_site_columns() -> List[Column]:
    return _table_columns(INSERTION_SITES, (Tab.TERRAIN, Tab.CAPACITY, Tab.EQUIPMENT, Tab.RECORD), True,
                          leading=("uuid", "name"))


ACTION_TOPICS_KEY = "@topics"


def action_columns() -> List[Column]:
    columns = _table_columns(ACTIONS, (Tab.GENERAL, Tab.RECORD), True, leading=("uuid", "name"))
    columns.insert(len([c for c in columns if c.section == Tab.GENERAL.value]),
                   Column(ACTION_TOPICS_KEY, "Thématiques", Tab.GENERAL.value, Kind.TEXT, width=30.0))
    return columns


def store_timestamp(value) -> Optional[datetime.datetime]:
    """'2026-03-01T10:00:00.000Z' (the stores' UTC timestamps) → naive UTC datetime."""
    if not value:
        return None
    text = str(value).rstrip("Z")
    try:
        return datetime.datetime.fromisoformat(text[:23] if "." in text else text[:19])
    except ValueError:
        return None


def sections_of(columns: Sequence[Column]) -> List[Tuple[str, int, int]]:
    """(section title, first column index, last column index), in order."""
    spans: List[Tuple[str, int, int]] = []
    for index, column in enumerate(columns):
        if spans and spans[-1][0] == column.section:
            spans[-1] = (column.section, spans[-1][1], index)
        else:
            spans.append((column.section, index, index))
    return spans
