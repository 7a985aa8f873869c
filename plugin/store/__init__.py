"""Stores (GeoPackage, PostGIS) behind one interface, their DDL generated from the schema."""
from .base import Store, StoreError


def open_store(location: str, allow_upgrade: bool = False) -> Store:
    """Open the store at `location` (a .gpkg path)."""
    from . import gpkg
    return gpkg.open_store(location, allow_upgrade=allow_upgrade)


def create_store(location: str) -> Store:
    from . import gpkg
    return gpkg.create(location)


__all__ = ["Store", "StoreError", "open_store", "create_store"]
