"""Access rights to a shared store: roles, territories, the fields only some logins read, and the
fields anonymised once a site has been closed for a year (SCHEMA.md « Roles », « Data protection »).

Pure declarations: the PostgreSQL policies (store/postgres_access.py), the command line and the
anonymisation of GeoPackage stores all read them from here.
"""
from typing import Dict, List, Sequence, Tuple

from . import schema
from .spreadsheet import JUSTICE_ONLY_FIELDS

READER, EDITOR, OPERATOR, ADMIN = "reader", "editor", "operator", "admin"
ROLES = (READER, EDITOR, OPERATOR, ADMIN)
ROLE_LABELS = {READER: ("Lecteur", "Reader"), EDITOR: ("Éditeur", "Editor"),
               OPERATOR: ("Opérateur", "Operator"), ADMIN: ("Administrateur", "Administrator")}
WRITING_ROLES = (EDITOR, ADMIN)

# The régions and their départements (INSEE codes), for grants given to a whole région.
REGIONS: Dict[str, Tuple[str, Tuple[str, ...]]] = {
    "01": ("Guadeloupe", ("971",)), "02": ("Martinique", ("972",)), "03": ("Guyane", ("973",)),
    "04": ("La Réunion", ("974",)), "06": ("Mayotte", ("976",)),
    "11": ("Île-de-France", ("75", "77", "78", "91", "92", "93", "94", "95")),
    "24": ("Centre-Val de Loire", ("18", "28", "36", "37", "41", "45")),
    "27": ("Bourgogne-Franche-Comté", ("21", "25", "39", "58", "70", "71", "89", "90")),
    "28": ("Normandie", ("14", "27", "50", "61", "76")),
    "32": ("Hauts-de-France", ("02", "59", "60", "62", "80")),
    "44": ("Grand Est", ("08", "10", "51", "52", "54", "55", "57", "67", "68", "88")),
    "52": ("Pays de la Loire", ("44", "49", "53", "72", "85")),
    "53": ("Bretagne", ("22", "29", "35", "56")),
    "75": ("Nouvelle-Aquitaine", ("16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87")),
    "76": ("Occitanie", ("09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82")),
    "84": ("Auvergne-Rhône-Alpes", ("01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74")),
    "93": ("Provence-Alpes-Côte d'Azur", ("04", "05", "06", "13", "83", "84")),
    "94": ("Corse", ("2A", "2B")),
}

# Text that replaces an anonymised value, in the current rows and in every history version.
ANONYMISED = "[anonymisé]"
ANONYMISE_AFTER_DAYS = 365
# The owner's identity and the free texts where a person could be named (not the address: a place).
ANONYMISED_FIELDS = ("owner", "reinstallation_comments", "closing_context", "comments")
ANONYMISED_TABLE = "sites"


def restricted_fields(table: schema.Table) -> List[str]:
    """The fields only logins with the justice permission read: the justice group and the owner."""
    return [f.name for f in table.fields if f.justice or f.name in JUSTICE_ONLY_FIELDS]


def departements_of(region: str) -> Sequence[str]:
    if region not in REGIONS:
        raise ValueError(region)
    return REGIONS[region][1]
