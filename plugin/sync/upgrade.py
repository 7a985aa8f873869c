"""Upgrading any store to the plugin's schema version, whatever its role.

A standalone GeoPackage only needs its new tables, columns and triggers. A
working copy also keeps, for each table, the ancestor and outbox copies of its
rows and its capture triggers; a shared GeoPackage keeps its sync triggers.
Both are upgraded in one transaction, like a standalone store. A working copy
syncs again once it and its shared store are at the same version.
"""
import sqlite3
from typing import Iterator, List

from ..model.rules import quoted
from ..model.schema import Table
from ..store import gpkg, is_postgres, postgis_upgrade, sqlite_ddl
from ..store.base import StoreError
from ..store.sqlite_ddl import WORKING_COPY
from . import working_copy as wc
from .shared_gpkg import ROLE_SHARED, shared_triggers


class WorkingCopyUpgrade(gpkg.RoleUpgrade):
    def table_added(self, connection: sqlite3.Connection, table: Table) -> None:
        wc.add_row_copies(connection, table)

    def column_added(self, connection: sqlite3.Connection, table: Table, field) -> None:
        for target in (wc.base_table(table), wc.outbox_table(table)):
            connection.execute("ALTER TABLE %s ADD COLUMN %s %s" % (
                quoted(target), quoted(field.name), sqlite_ddl.column_type(field)))

    def triggers(self, connection: sqlite3.Connection, table: Table) -> Iterator[str]:
        return wc.working_copy_triggers(connection, table)


class SharedUpgrade(gpkg.RoleUpgrade):
    def triggers(self, connection: sqlite3.Connection, table: Table) -> Iterator[str]:
        yield from super().triggers(connection, table)
        yield from shared_triggers(table)


ROLE_UPGRADES = {gpkg.ROLE_STANDALONE: gpkg.RoleUpgrade, WORKING_COPY: WorkingCopyUpgrade,
                 ROLE_SHARED: SharedUpgrade}


def upgrade(location: str) -> List[str]:
    """Bring the store at `location` to the plugin's schema; returns what was added."""
    if is_postgres(location):
        return postgis_upgrade.upgrade(location)
    store = gpkg.open_store(location, allow_upgrade=True)
    if store.role not in ROLE_UPGRADES:
        raise StoreError("Rôle de stockage inconnu : %s." % store.role, "Unknown store role: %s." % store.role)
    return store.upgrade(ROLE_UPGRADES[store.role]())


def missing_parts(location: str) -> List[str]:
    if is_postgres(location):
        return postgis_upgrade.missing_parts(location)
    return gpkg.open_store(location, allow_upgrade=True).missing_parts()
