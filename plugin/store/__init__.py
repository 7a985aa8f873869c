"""Stores (GeoPackage, PostGIS) behind one interface, their DDL generated from the schema."""
import re
from typing import Callable, Dict, Optional

from .base import Store, StoreError


# A QGIS PostgreSQL connection by its name ("qgis:NAME"): a location that holds no secret.
QGIS_CONNECTION = "qgis:"

# What turns a QGIS connection's name into psycopg2's connection parameters (credentials included, for the
# call only): QGIS glue (layers/pg_connections) that the plugin and the command line pass in.
_qgis_connection_parameters: Optional[Callable[[str], Dict[str, str]]] = None


def use_qgis_connections(parameters_of: Optional[Callable[[str], Dict[str, str]]]) -> None:
    """Make "qgis:NAME" locations reachable through `parameters_of` (None: no longer)."""
    global _qgis_connection_parameters
    _qgis_connection_parameters = parameters_of


def qgis_connection_parameters(name: str) -> Dict[str, str]:
    if _qgis_connection_parameters is None:
        raise StoreError("Les connexions PostgreSQL de QGIS (qgis:%s) ne sont pas accessibles ici." % name,
                         "QGIS's PostgreSQL connections (qgis:%s) cannot be reached here." % name)
    return _qgis_connection_parameters(name)


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
