"""The GeoPackage store: one .gpkg file holding the whole data model.

It stays a valid GeoPackage (GDAL creates the file and the spatial indexes;
tables are registered in gpkg_contents), so QGIS and ogr2ogr read it without
the plugin. The rules live in the file itself (CHECK constraints, triggers).
"""
import contextlib
import functools
import os
import sqlite3
from pathlib import Path
from typing import Dict, Iterator, List, Optional

from ..model import schema
from ..model.rules import quoted
from ..model.schema import SCHEMA_VERSION, STORAGE_SRID, Table, history_of
from . import gpkg_functions, sqlite_ddl, sqlite_rebuild
from .core_indicators import core_indicator_upgrade
from .base import (NotAStore, Store, StoreError, StoreInfo, StoreNeedsUpgrade,
                   StoreTooNew)

META_TABLE = sqlite_ddl.META_TABLE
GPKG_APPLICATION_ID = 0x47504B47  # "GPKG"
ROLE_STANDALONE = "standalone"

GPKG_EXTENSIONS_DDL = (
    "CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT, column_name TEXT, "
    "extension_name TEXT NOT NULL, definition TEXT NOT NULL, scope TEXT NOT NULL, "
    "CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))")


def connect(path: str, read_only: bool = False) -> sqlite3.Connection:
    """A sqlite3 connection that can write spatial tables (R-tree trigger functions)."""
    uri = "file:%s?mode=%s" % (Path(path).resolve().as_posix(), "ro" if read_only else "rw")
    connection = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)
    # As GDAL does: the triggers must behave the same whoever writes.
    connection.execute("PRAGMA recursive_triggers = ON")
    return gpkg_functions.register(connection)


@contextlib.contextmanager
def transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any error (the file is unchanged)."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _ogr():
    from osgeo import gdal, ogr
    gdal.UseExceptions()
    return ogr


def _contents_rows(table: Table):
    data_type = "features" if table.geometry else "attributes"
    srs = STORAGE_SRID if table.geometry else None
    return (table.name, data_type, table.name, table.label, srs)


def _create_schema(connection: sqlite3.Connection, tables) -> None:
    for table in tables:
        _create_table(connection, table)
    connection.execute('CREATE TABLE "%s" ("key" TEXT PRIMARY KEY NOT NULL, "value" TEXT)' % META_TABLE)


def _create_table(connection: sqlite3.Connection, table: Table) -> None:
    for statement in sqlite_ddl.table_statements(table):
        connection.execute(statement)
    connection.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) "
        "VALUES (?, ?, ?, ?, ?)", _contents_rows(table))
    if table.geometry:
        connection.execute(
            "INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m) "
            "VALUES (?, ?, ?, ?, 0, 0)",
            (table.name, sqlite_ddl.GEOMETRY_COLUMN, table.geometry, STORAGE_SRID))


def _add_spatial_indexes(path: str, tables) -> None:
    ogr = _ogr()
    dataset = ogr.Open(path, 1)
    try:
        for table in tables:
            if table.geometry:
                result = dataset.ExecuteSQL("SELECT gpkgAddSpatialIndex('%s', '%s')" % (
                    table.name, sqlite_ddl.GEOMETRY_COLUMN))
                dataset.ReleaseResultSet(result)
    finally:
        dataset = None
    # GDAL builds the R-tree but, through SQL, does not declare the extension.
    with contextlib.closing(connect(path)) as connection, transaction(connection):
        connection.execute(GPKG_EXTENSIONS_DDL)
        connection.executemany(
            "INSERT OR IGNORE INTO gpkg_extensions VALUES (?, ?, 'gpkg_rtree_index', "
            "'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')",
            [(t.name, sqlite_ddl.GEOMETRY_COLUMN) for t in tables if t.geometry])


def _set_meta(connection: sqlite3.Connection, values: Dict[str, str]) -> None:
    connection.executemany('INSERT OR REPLACE INTO "%s" ("key", "value") VALUES (?, ?)' % META_TABLE,
                           list(values.items()))


def _insert_core_indicators(connection: sqlite3.Connection) -> None:
    for row in schema.core_indicator_rows():
        columns = list(row)
        connection.execute(
            'INSERT INTO "indicator_definitions" (%s, "created_by", "updated_by") VALUES (%s, ?, ?)' % (
                ", ".join(quoted(c) for c in columns), ", ".join("?" for _ in columns)),
            [row[c] for c in columns] + ["resorption_sig", "resorption_sig"])


def create(path: str, tables=schema.TABLES, version: int = SCHEMA_VERSION) -> "GeoPackageStore":
    """Create a new store at `path`; on any failure nothing is left behind."""
    target = Path(path)
    if target.exists():
        raise StoreError("Le fichier %s existe déjà : choisissez un autre nom." % target,
                         "The file %s already exists: choose another name." % target)
    if not target.parent.is_dir():
        raise StoreError("Le dossier %s n'existe pas." % target.parent,
                         "The folder %s does not exist." % target.parent)
    ogr = _ogr()
    try:
        dataset = ogr.GetDriverByName("GPKG").CreateDataSource(str(target))
        if dataset is None:
            raise RuntimeError(str(target))
        dataset = None
        connection = connect(str(target))
        try:
            with transaction(connection):
                _create_schema(connection, tables)
                _insert_core_indicators(connection)
                _set_meta(connection, {"schema_version": str(version), "role": ROLE_STANDALONE,
                                       "application": "resorption_sig"})
        finally:
            connection.close()
        _add_spatial_indexes(str(target), tables)
    except StoreError:
        _remove(target)
        raise
    except Exception as error:  # GDAL, sqlite3, disk: report it, leave nothing behind
        _remove(target)
        raise StoreError("Impossible de créer le stockage %s : %s" % (target, error),
                         "Could not create the store %s: %s" % (target, error)) from error
    return GeoPackageStore(str(target), allow_upgrade=True)


def _remove(target: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(str(target) + suffix)


class GeoPackageStore(Store):
    kind = "gpkg"

    def __init__(self, path: str, allow_upgrade: bool = False):
        self.location = str(Path(path).resolve())
        self.read_only = False
        self._check(allow_upgrade)

    # --- opening ---------------------------------------------------------------
    def _check(self, allow_upgrade: bool) -> None:
        path = Path(self.location)
        if not path.is_file():
            raise StoreError("Le fichier %s n'existe pas." % path, "The file %s does not exist." % path)
        if not os.access(path, os.R_OK):
            raise StoreError("Le fichier %s n'est pas lisible (droits)." % path,
                             "The file %s cannot be read (permissions)." % path)
        with open(path, "rb") as handle:
            header = handle.read(16)
        if header != b"SQLite format 3\x00":
            raise NotAStore("%s n'est pas un GeoPackage." % path.name, "%s is not a GeoPackage." % path.name)
        self.read_only = not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK)
        try:
            connection = connect(self.location, read_only=True)
            try:
                self._check_contents(connection, path)
            finally:
                connection.close()
        except sqlite3.DatabaseError as error:
            raise StoreError("Le fichier %s est endommagé ou illisible : %s" % (path.name, error),
                             "The file %s is damaged or unreadable: %s" % (path.name, error)) from error
        if self.version < SCHEMA_VERSION and not allow_upgrade:
            raise StoreNeedsUpgrade(self.version, SCHEMA_VERSION)

    def _check_contents(self, connection: sqlite3.Connection, path: Path) -> None:
        integrity = connection.execute("PRAGMA quick_check").fetchone()[0]
        if integrity != "ok":
            raise StoreError("Le fichier %s est endommagé (%s)." % (path.name, integrity),
                             "The file %s is damaged (%s)." % (path.name, integrity))
        application_id = connection.execute("PRAGMA application_id").fetchone()[0]
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if application_id != GPKG_APPLICATION_ID or "gpkg_contents" not in tables:
            raise NotAStore("%s n'est pas un GeoPackage." % path.name, "%s is not a GeoPackage." % path.name)
        if META_TABLE not in tables:
            raise NotAStore("%s est un GeoPackage, mais pas un stockage Résorption SIG." % path.name,
                            "%s is a GeoPackage, but not a Résorption SIG store." % path.name)
        meta = dict(connection.execute('SELECT "key", "value" FROM "%s"' % META_TABLE))
        try:
            self.version = int(meta.get("schema_version", ""))
        except ValueError:
            raise NotAStore("%s : version de schéma illisible." % path.name,
                            "%s: unreadable schema version." % path.name) from None
        if self.version > SCHEMA_VERSION:
            raise StoreTooNew(self.version, SCHEMA_VERSION)
        self.role = meta.get("role", ROLE_STANDALONE)

    # --- use ---------------------------------------------------------------------
    def connect(self) -> sqlite3.Connection:
        if self.read_only:
            return connect(self.location, read_only=True)
        return connect(self.location)

    def provider(self) -> str:
        return "ogr"

    def layer_source(self, table: str) -> str:
        return "%s|layername=%s" % (self.location, table)

    def meta(self, key: str) -> Optional[str]:
        with contextlib.closing(self.connect()) as connection:
            row = connection.execute('SELECT "value" FROM "%s" WHERE "key" = ?' % META_TABLE, (key,)).fetchone()
        return row[0] if row else None

    def info(self) -> StoreInfo:
        with contextlib.closing(self.connect()) as connection:
            counts = {t.name: connection.execute("SELECT count(*) FROM %s" % quoted(t.name)).fetchone()[0]
                      for t in schema.TABLES}
        return StoreInfo(self.location, self.kind, self.version, self.role, self.read_only, counts)

    # --- upgrade -------------------------------------------------------------------
    def missing_parts(self) -> List[str]:
        """What an upgrade adds or makes again: tables and columns the declared schema has and the file
        lacks, rules whose expression changed, and the indexes it makes (again)."""
        with contextlib.closing(self.connect()) as connection:
            parts = [description for descriptions, _ in self._upgrade_steps(connection, RoleUpgrade())
                     for description in descriptions]
            tables = {name for name, in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            created = [sqlite_ddl.created_index(statement) for statement in _index_statements(connection)]
            indexes = [index for index, table in filter(None, created) if table in tables]
            if indexes:
                parts.append("index : %s" % ", ".join(indexes))
            return parts

    def _upgrade_steps(self, connection: sqlite3.Connection, role: "RoleUpgrade"):
        """(what the summary says, the step or None) for every table, column and rule to bring to the
        declaration; read before anything changes."""
        existing = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        for table in schema.TABLES:
            if table.name not in existing:
                yield ["table %s" % table.name], functools.partial(_add_table, table=table, role=role)
                continue
            columns = {row[1] for row in connection.execute("PRAGMA table_info(%s)" % quoted(table.name))}
            added = [field for field in table.fields if field.name not in columns]
            for field in added:
                yield ["%s.%s" % (table.name, field.name)], functools.partial(
                    _add_column, table=table, field=field, role=role)
            rules = sqlite_rebuild.plan(connection, table, added)
            yield rules.changes, (functools.partial(sqlite_rebuild.rebuild, plan=rules) if rules.rebuild else None)

    def upgrade(self, role: Optional["RoleUpgrade"] = None) -> List[str]:
        """Bring the file to the declared schema in one transaction; returns what was added or made
        again. A working copy or a shared file passes the upgrade of its role (plugin/sync/upgrade.py):
        its own tables and triggers follow the new tables and columns."""
        if self.read_only:
            raise StoreError("Le stockage est en lecture seule : mise à jour impossible.",
                             "The store is read-only: it cannot be upgraded.")
        if role is None:
            if self.role != ROLE_STANDALONE:
                raise StoreError("Ce stockage est une copie de travail ou un stockage partagé : mettez-le à jour "
                                 "avec « python3 -m plugin upgrade » ou depuis le menu Résorption SIG.",
                                 "This store is a working copy or a shared store: upgrade it with "
                                 "\"python3 -m plugin upgrade\" or from the Résorption SIG menu.")
            role = RoleUpgrade()
        done = []
        with contextlib.closing(self.connect()) as connection:
            with transaction(connection):
                steps = list(self._upgrade_steps(connection, role))
                _drop_triggers(connection)
                for descriptions, step in steps:
                    if step is not None:
                        step(connection)
                    done += descriptions
                _recreate_triggers(connection, role)
                _refresh_indexes(connection)
                if type(role) is RoleUpgrade:  # a working copy receives them from its shared store
                    for statement, parameters in core_indicator_upgrade():
                        connection.execute(statement, parameters)
                _set_meta(connection, {"schema_version": str(SCHEMA_VERSION)})
        _add_spatial_indexes(self.location, [t for t in schema.TABLES if t.geometry and
                                             not self._has_spatial_index(t)])
        self.version = SCHEMA_VERSION
        return done

    def _has_spatial_index(self, table: Table) -> bool:
        with contextlib.closing(self.connect()) as connection:
            return connection.execute(
                "SELECT 1 FROM sqlite_master WHERE name = ?",
                ("rtree_%s_%s" % (table.name, sqlite_ddl.GEOMETRY_COLUMN),)).fetchone() is not None


def _add_table(connection: sqlite3.Connection, table: Table, role: "RoleUpgrade") -> None:
    _create_table(connection, table)
    role.table_added(connection, table)


def _add_column(connection: sqlite3.Connection, table: Table, field, role: "RoleUpgrade") -> None:
    """The column in the table's history and the role's copies; the table itself is made again with it
    (sqlite_rebuild), in the declared order."""
    connection.execute("ALTER TABLE %s ADD COLUMN %s %s" % (
        quoted(history_of(table.name)), quoted(field.name), sqlite_ddl.column_type(field)))
    role.column_added(connection, table, field)


class RoleUpgrade:
    """What an upgrade does besides the tables and columns: here, a standalone store's triggers."""

    def table_added(self, connection: sqlite3.Connection, table: Table) -> None:
        """Called after `table` (and its history) was created."""

    def column_added(self, connection: sqlite3.Connection, table: Table, field) -> None:
        """Called after `field` was added to `table` and its history."""

    def triggers(self, connection: sqlite3.Connection, table: Table) -> Iterator[str]:
        create_sql = connection.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                                        (table.name,)).fetchone()[0]
        return sqlite_ddl.create_triggers(table, sqlite_ddl.checked_codes(create_sql, table))


def _drop_triggers(connection: sqlite3.Connection) -> None:
    """The store's own triggers on its tables (those of the role included); GDAL's stay."""
    for name in sqlite_ddl.own_triggers(connection):
        connection.execute("DROP TRIGGER %s" % quoted(name))


def _recreate_triggers(connection: sqlite3.Connection, role: RoleUpgrade) -> None:
    """Triggers name every column and rule: make ours (those of the role included) as declared today."""
    _drop_triggers(connection)
    for table in schema.TABLES:
        for statement in role.triggers(connection, table):
            connection.execute(statement)


def _index_statements(connection: sqlite3.Connection) -> List[str]:
    existing = dict(connection.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"))
    return sqlite_ddl.index_upgrade(existing, schema.TABLES)


def _refresh_indexes(connection: sqlite3.Connection) -> None:
    """Indexes declared differently since the file was made are made again (sqlite_ddl.index_upgrade)."""
    for statement in _index_statements(connection):
        connection.execute(statement)


def open_store(path: str, allow_upgrade: bool = False) -> GeoPackageStore:
    return GeoPackageStore(path, allow_upgrade=allow_upgrade)


def set_editing_login(path: str, login: Optional[str]) -> None:
    """Publish (or withdraw, with None) who edits this store through QGIS, for the triggers."""
    with contextlib.closing(connect(path)) as connection, transaction(connection):
        if login:
            _set_meta(connection, {sqlite_ddl.EDITING_LOGIN_KEY: login})
        else:
            connection.execute('DELETE FROM "%s" WHERE "key" = ?' % META_TABLE, (sqlite_ddl.EDITING_LOGIN_KEY,))
