"""The places that have sites in a store: the territory pickers' lists (GeoPackage and PostGIS)."""
from typing import List, Optional, Tuple

from .sums_sql import dialect_of


def departements_with_sites(connection) -> List[str]:
    """Codes of the départements that have a site (any status), sorted."""
    _, rows = dialect_of(connection).run(
        connection, 'SELECT DISTINCT "departement" FROM "sites" WHERE "departement" IS NOT NULL '
                    'ORDER BY "departement"', {})
    return [code for (code,) in rows]


def communes_with_sites(connection) -> List[Tuple[str, Optional[str]]]:
    """(INSEE code, name) of the communes that have a site (any status), by name."""
    _, rows = dialect_of(connection).run(
        connection, 'SELECT "insee_code", max("city_name") FROM "sites" WHERE "insee_code" IS NOT NULL '
                    'GROUP BY "insee_code" ORDER BY max("city_name"), "insee_code"', {})
    return [(code, name) for code, name in rows]
