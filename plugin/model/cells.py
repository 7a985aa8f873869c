"""Cells of a spreadsheet: what a value typed or stored in a cell means for the store.

Pure Python (no Qt, no store): yes/no words, dates (Excel serials, dd/mm/yyyy
text, ISO), numbers, codes of a vocabulary read from their labels, INSEE and
département codes, and the bilingual notes an import reports about them.
"""
import datetime
import re
import uuid as uuid_module
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Tuple

from . import vocabularies as voc
from .schema import Field, Kind

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


def shown(value) -> str:
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
            raise CellError("« %s » : %s n'est pas une date" % (label, shown(value)),
                            "“%s”: %s is not a date" % (label_en, shown(value)))
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
    raise CellError("« %s » : « %s » n'est pas une date (JJ/MM/AAAA)" % (label, shown(text)),
                    "“%s”: “%s” is not a date (DD/MM/YYYY)" % (label_en, shown(text)))


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
        raise CellError("« %s » : %s est hors de toute mesure" % (label, shown(value)),
                        "“%s”: %s is beyond any measure" % (label_en, shown(value)))
    if number is not None:
        return number
    raise CellError("« %s » : « %s » n'est pas un nombre entier" % (label, shown(value)),
                    "“%s”: “%s” is not a whole number" % (label_en, shown(value)))


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
        raise CellError("« %s » : « %s » n'est pas un nombre" % (label, shown(value)),
                        "“%s”: “%s” is not a number" % (label_en, shown(value))) from None


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
    raise CellError("« %s » : « %s » ne vaut ni oui ni non" % (label, shown(value)),
                    "“%s”: “%s” is neither yes nor no" % (label_en, shown(value)))


def _label_keys(term: voc.Term) -> List[str]:
    keys = [term.label, term.label_en, term.code]
    # The platform writes "Autre" where we write "Autre (préciser le contexte)".
    keys += [label.split(" (")[0] for label in (term.label, term.label_en) if " (" in label]
    return [normalise_title(key) for key in keys]


def enum_parser(vocabulary: voc.Vocabulary, unknown_is_empty: bool = True,
                empty: Optional[str] = None, aliases: Optional[Dict[str, str]] = None) -> Callable:
    """Read a label (French, English, the code, or another program's label in `aliases`) into its
    code; `empty` is the code of an empty cell."""
    codes: Dict[str, str] = {normalise_title(label): code for label, code in (aliases or {}).items()}
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
            raise CellError("« %s » : « %s » n'est pas dans la liste (%s)" % (label, shown(value), allowed),
                            "“%s”: “%s” is not in the list (%s)" % (label_en, shown(value), allowed_en))
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
                        % (label, shown(text)),
                        "“%s”: “%s” is not a département (e.g. 93, “93 - Seine-Saint-Denis”)"
                        % (label_en, shown(text)))
    return match.group(1).upper().zfill(2)


def parse_uuid(value, label: str, label_en: str) -> Optional[str]:
    text = parse_text(value, label, label_en)
    if text is None:
        return None
    try:
        return str(uuid_module.UUID(text))
    except ValueError:
        raise CellError("« %s » : « %s » n'est pas un identifiant de Résorption SIG (UUID)"
                        % (label, shown(text)),
                        "“%s”: “%s” is not a Résorption SIG identifier (UUID)"
                        % (label_en, shown(text))) from None


def parser_for(f: Field) -> Callable:
    """The parser of a field's cells."""
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
            Kind.BOOLEAN: parse_boolean, Kind.DATETIME: parse_store_timestamp}.get(f.kind, parse_text)


def store_timestamp(value) -> Optional[datetime.datetime]:
    """'2026-03-01T10:00:00.000Z' (the stores' UTC timestamps) → naive UTC datetime."""
    if not value:
        return None
    text = str(value).rstrip("Z")
    try:
        return datetime.datetime.fromisoformat(text[:23] if "." in text else text[:19])
    except ValueError:
        return None


def store_text(moment: datetime.datetime) -> str:
    """A naive UTC datetime → the stores' text ('2026-03-01T10:00:00.000Z')."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)


def parse_store_timestamp(value, label: str, label_en: str) -> Optional[str]:
    """A date-time cell (UTC, as our exports write them) → the stores' text."""
    moment = parse_timestamp(value, label, label_en)
    return None if moment is None else store_text(moment[0])
