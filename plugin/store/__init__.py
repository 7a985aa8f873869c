"""Stores (GeoPackage, PostGIS) behind one interface, their DDL generated from the schema."""
import re

from .base import Store, StoreError


# A QGIS PostgreSQL connection by its name ("qgis:NAME"): a location that holds no secret.
QGIS_CONNECTION = "qgis:"


# A libpq keyword/value connection string ("host=… dbname=… password='…'") starts with one of its keywords.
_CONNINFO = re.compile(r"^\s*(host|hostaddr|port|dbname|user|password|passfile|service|sslmode|connect_timeout|"
                       r"options|application_name|target_session_attrs)\s*=", re.IGNORECASE)


def is_postgres(location: str) -> bool:
    """A PostgreSQL connection (postgresql:// URI, libpq keyword/value string such as service=NAME or
    host=… dbname=…, or a QGIS connection) rather than a file."""
    return location.startswith(("postgresql://", "postgres://", QGIS_CONNECTION)) or bool(_CONNINFO.match(location))


def open_store(location: str, allow_upgrade: bool = False) -> Store:
    """Open the store at `location` (a .gpkg path, or a PostGIS database)."""
    if is_postgres(location):
        from . import postgis
        return postgis.open_store(location)
    from . import gpkg
    return gpkg.open_store(location, allow_upgrade=allow_upgrade)


def create_store(location: str) -> Store:
    if is_postgres(location):
        from . import postgis
        return postgis.create(location)
    from . import gpkg
    return gpkg.create(location)


__all__ = ["Store", "StoreError", "open_store", "create_store"]
