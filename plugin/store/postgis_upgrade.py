"""Upgrading a shared PostGIS store to the plugin's schema version, in one transaction.

New tables come with their history, indexes, sync functions and triggers; a new
column goes into the table and its history, and the table's functions, which
name every column, are made again. The sync lock is held meanwhile, so no batch
is accepted half-way through.
"""
import contextlib
from typing import Iterator, List, Tuple

from ..model import schema
from ..model.rules import quoted
from ..model.schema import SCHEMA_VERSION, Table, history_of
from . import postgis, postgres_access, postgres_ddl
from .base import StoreError


def _steps(cursor) -> Iterator[Tuple[str, List[str]]]:
    """(what is added, its statements) for every table and column the database lacks."""
    cursor.execute("SELECT table_name, column_name FROM information_schema.columns "
                   "WHERE table_schema = current_schema()")
    existing = {}
    for table_name, column_name in cursor.fetchall():
        existing.setdefault(table_name, set()).add(column_name)
    for table in schema.TABLES:
        if table.name not in existing:
            yield "table %s" % table.name, (list(postgres_ddl.create_table(table)) +
                                            [postgres_ddl.create_history_table(table)] +
                                            list(postgres_ddl.create_indexes(table)) +
                                            list(postgres_ddl.create_triggers(table)))
            continue
        missing = [f for f in table.fields if f.name not in existing[table.name]]
        if missing:
            yield ", ".join("%s.%s" % (table.name, f.name) for f in missing), (
                [_add_column(target, field) for field in missing
                 for target in (table.name, history_of(table.name))] + _remade_triggers(table))


def _add_column(target: str, field) -> str:
    return "ALTER TABLE %s ADD COLUMN %s %s" % (quoted(target), quoted(field.name), postgres_ddl.column_type(field))


def _remade_triggers(table: Table) -> List[str]:
    dropped = ['DROP TRIGGER "%s_%s" ON %s' % (table.name, suffix, quoted(table.name))
               for suffix in ("lock", "row", "log_insert", "log_update", "log_delete")]
    dropped += ['DROP FUNCTION "%s_row"()' % table.name, 'DROP FUNCTION "%s_log"()' % table.name]
    return dropped + list(postgres_ddl.create_triggers(table))


def missing_parts(location: str) -> List[str]:
    with contextlib.closing(postgis.connect(location)) as connection, connection.cursor() as cursor:
        return [description for description, _ in _steps(cursor)] + postgres_access.missing(cursor)


def upgrade(location: str) -> List[str]:
    """Bring the shared store at `location` to SCHEMA_VERSION; returns what was added."""
    import psycopg2
    postgis.open_store(location)  # a Résorption SIG store, not newer than the plugin
    done = []
    connection = postgis.connect(location)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", (postgres_ddl.SYNC_LOCK,))
            for description, statements in list(_steps(cursor)):
                for statement in statements:
                    cursor.execute(statement)
                done.append(description)
            # the access rights follow the tables and columns just added (idempotent)
            done += postgres_access.missing(cursor)
            for statement in postgres_access.statements():
                cursor.execute(statement)
            cursor.execute("UPDATE \"rs_meta\" SET \"value\" = %s WHERE \"key\" = 'schema_version'",
                           (str(SCHEMA_VERSION),))
    except psycopg2.Error as error:
        where = postgis.display_location(location)
        raise StoreError("La mise à jour de %s a échoué, rien n'a changé : %s" % (where, error),
                         "Upgrading %s failed, nothing changed: %s" % (where, error)) from error
    finally:
        connection.close()
    return done
