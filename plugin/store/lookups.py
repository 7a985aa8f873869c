"""What the dialogs offer to choose from, read from a store: its départements, its authors, its communes."""
import contextlib
from typing import List, Optional, Tuple

from ..model import schema
from ..model.schema import history_of
from . import open_store
from .sums_sql import connection_of


def departements(location: str) -> List[str]:
    """The départements the store has sites, terrains or actions in."""
    with contextlib.closing(open_store(location).connect()) as connection:
        rows = connection.execute(
            'SELECT "departement" FROM "sites" WHERE "departement" IS NOT NULL '
            'UNION SELECT "departement" FROM "insertion_sites" WHERE "departement" IS NOT NULL '
            'UNION SELECT "departement" FROM "actions" WHERE "departement" IS NOT NULL').fetchall()
    return sorted(row[0] for row in rows)


def authors(source) -> List[str]:
    """Everyone who created, changed or deleted a row (service logins), sorted."""
    names = set()
    with connection_of(source) as connection:
        for table in schema.TABLES:
            if not table.history:
                continue
            for column, kept_in in (("changed_by", history_of(table.name)),
                                    ("created_by", table.name), ("updated_by", table.name)):
                names.update(row[0] for row in connection.execute(
                    'SELECT DISTINCT "%s" FROM "%s" WHERE "%s" IS NOT NULL' % (column, kept_in, column)))
    return sorted(names, key=str.casefold)


def site_communes(source) -> List[Tuple[str, Optional[str]]]:
    """(INSEE code, name) of the communes that have sites, by name."""
    with connection_of(source) as connection:
        return connection.execute(
            'SELECT "insee_code", max("city_name") FROM "sites" WHERE "insee_code" IS NOT NULL '
            'GROUP BY "insee_code" ORDER BY max("city_name")').fetchall()
