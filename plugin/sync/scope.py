"""Which rows of the shared store a working copy holds: its départements.

Tables with a département column are filtered on it; child tables follow
their parent; attachments follow the feature they belong to; the rest
(indicator definitions) is copied whole. `condition` renders a WHERE clause
with the store's placeholder ("?" for SQLite, "%s" for psycopg2).
"""
from typing import List, Sequence, Tuple

from ..model import schema
from ..model.rules import quoted

ATTACHMENT_OWNERS = schema.ATTACHMENT_OWNER_TABLE.codes


def condition(table: schema.Table, departements: Sequence[str], placeholder: str,
              prefix: str = "") -> Tuple[str, List[str]]:
    """(SQL condition, parameters); ("1 = 1", []) when the table is not filtered."""
    if not departements:
        return "1 = 1", []
    codes = list(departements)
    in_codes = "(%s)" % ", ".join(placeholder for _ in codes)
    if "departement" in table.field_names:
        extra = ' OR %s"departement" IS NULL' % prefix if table.name == "organisations" else ""
        return '(%s"departement" IN %s%s)' % (prefix, in_codes, extra), codes
    if table.parent is not None:
        parent, column = table.parent
        return ('%s%s IN (SELECT "uuid" FROM %s WHERE "departement" IN %s)' % (
            prefix, quoted(column), quoted(parent), in_codes), codes)
    if table.name == "attachments":
        parts = ['%s"owner_uuid" IN (SELECT "uuid" FROM %s WHERE "departement" IN %s)' % (
            prefix, quoted(owner), in_codes) for owner in ATTACHMENT_OWNERS]
        return "(%s)" % " OR ".join(parts), codes * len(ATTACHMENT_OWNERS)
    return "1 = 1", []
