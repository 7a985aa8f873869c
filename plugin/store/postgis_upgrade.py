"""Upgrading a shared PostGIS store to the plugin's schema, in one transaction.

New tables come with their history, indexes, sync functions and triggers; a new
column goes into the table and its history. Then the store is compared with a
store made today, built for the comparison in a scratch schema and dropped
again: every constraint (the rules, with their messages), index, function,
trigger and row-level security policy whose definition differs or is missing
is made again, and what today's store no longer has on its tables is dropped.
PostgreSQL renders both sides the same way (pg_get_constraintdef …), so rules
are compared by their expression, not their name. A new rule that rows kept
from before break is added NOT VALID: it holds for every new or changed row,
and the summary says how many old rows break it. The sync lock is held
meanwhile, so no batch is accepted half-way through; history and the sync's
tables are kept.
"""
import re
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterator, List, Optional, Set, Tuple, Union

from ..model import schema
from ..model.rules import quoted, sql_literal
from ..model.schema import SCHEMA_VERSION, history_of
from . import postgis, postgres_access, postgres_ddl, sqlite_ddl
from .base import StoreError
from .core_indicators import core_indicator_upgrade

PROBE = "rs_upgrade_probe"

# Dropped before added: a foreign key before the unique constraint it leans on, and the reverse.
_DROP_ORDER = "fcup"
_ADD_ORDER = "pucf"

Statement = Union[str, Callable[[object], Optional[str]]]


@dataclass
class Catalog:
    """The definitions of a schema's objects, as PostgreSQL renders them, without the schema's name."""
    tables: Set[str] = field(default_factory=set)
    # (table, name) → (type, definition, comment)
    constraints: Dict[Tuple[str, str], Tuple[str, str, Optional[str]]] = field(default_factory=dict)
    indexes: Dict[Tuple[str, str], str] = field(default_factory=dict)
    triggers: Dict[Tuple[str, str], str] = field(default_factory=dict)
    functions: Dict[str, str] = field(default_factory=dict)
    policies: Dict[Tuple[str, str], str] = field(default_factory=dict)
    row_security: Dict[str, Tuple[bool, bool]] = field(default_factory=dict)
    defaults: Dict[Tuple[str, str], str] = field(default_factory=dict)
    # (part, key) of the objects left out of the comparison (see _portable)
    skipped: Set[Tuple[str, object]] = field(default_factory=set)


def _unqualified(text: str, namespace: str) -> str:
    return text.replace('"%s".' % namespace, "").replace("%s." % namespace, "")


def _portable(catalog: Catalog) -> Catalog:
    """Today's catalog without what names the scratch schema otherwise (a function's SET search_path…):
    such an object cannot be made again elsewhere from its definition, so it is left to the statements
    that made it."""
    for part in ("constraints", "indexes", "triggers", "functions", "policies", "defaults"):
        objects = getattr(catalog, part)
        for key in [key for key, value in objects.items() if PROBE in str(value)]:
            del objects[key]
            catalog.skipped.add((part, key))
    return catalog


def _left_to_access(made_by_the_store: Catalog, catalog: Catalog) -> Catalog:
    """The whole store's catalog without what the access rights make or change (postgres_access): their own
    idempotent statements make it again after every upgrade, once the tables and columns they name exist."""
    for part in ("constraints", "indexes", "triggers", "functions", "policies", "defaults"):
        objects, before = getattr(catalog, part), getattr(made_by_the_store, part)
        for key in [key for key, value in objects.items() if before.get(key) != value]:
            del objects[key]
            catalog.skipped.add((part, key))
    return catalog


def _policy_statement(table, name, permissive, roles, command, using, checked) -> str:
    statement = "CREATE POLICY %s ON %s AS %s FOR %s TO %s" % (
        quoted(name), quoted(table), permissive, command,
        ", ".join("PUBLIC" if role == "public" else quoted(role) for role in roles))
    if using:
        statement += " USING (%s)" % using
    if checked:
        statement += " WITH CHECK (%s)" % checked
    return statement


# (part of the catalog, the (table, name, definition) of its objects in a schema)
_DEFINITIONS = (
    ("defaults", "SELECT cl.relname, a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d "
                 "JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
                 "JOIN pg_class cl ON cl.oid = d.adrelid WHERE cl.relnamespace = %s::regnamespace"),
    ("indexes", "SELECT cl.relname, i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class cl ON cl.oid = x.indrelid "
                "WHERE cl.relnamespace = %s::regnamespace "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = x.indexrelid)"),
    ("triggers", "SELECT cl.relname, t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
                 "JOIN pg_class cl ON cl.oid = t.tgrelid "
                 "WHERE cl.relnamespace = %s::regnamespace AND NOT t.tgisinternal"),
)


def _catalog(cursor, namespace: str, functions: Optional[Set[str]] = None) -> Catalog:
    """What `namespace` holds, read with the search path that makes its objects visible."""
    catalog = Catalog()
    cursor.execute("SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
                   "WHERE relnamespace = %s::regnamespace AND relkind IN ('r', 'p')", (namespace,))
    for name, enabled, forced in cursor.fetchall():
        catalog.tables.add(name)
        catalog.row_security[name] = (enabled, forced)
    for part, query in _DEFINITIONS:
        cursor.execute(query, (namespace,))
        getattr(catalog, part).update({(table, name): _unqualified(definition, namespace)
                                       for table, name, definition in cursor.fetchall()})
    cursor.execute("SELECT cl.relname, co.conname, co.contype, pg_get_constraintdef(co.oid), "
                   "obj_description(co.oid, 'pg_constraint') FROM pg_constraint co "
                   "JOIN pg_class cl ON cl.oid = co.conrelid WHERE cl.relnamespace = %s::regnamespace "
                   "AND co.contype <> 't'",  # a constraint trigger is compared as a trigger
                   (namespace,))
    for table, name, kind, definition, comment in cursor.fetchall():
        catalog.constraints[(table, name)] = (kind, _unqualified(definition, namespace), comment)
    cursor.execute("SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc p "
                   "WHERE p.pronamespace = %s::regnamespace AND p.prokind = 'f' AND (%s OR p.proname = ANY(%s)) "
                   "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')",
                   (namespace, functions is None, sorted(functions or ())))
    for name, definition in cursor.fetchall():
        catalog.functions[name] = _unqualified(definition, namespace)
    cursor.execute("SELECT tablename, policyname, permissive, roles::text[], cmd, qual, with_check "
                   "FROM pg_policies WHERE schemaname = %s", (namespace,))
    for table, name, *rest in cursor.fetchall():
        catalog.policies[(table, name)] = _unqualified(_policy_statement(table, name, *rest), namespace)
    return catalog


def _today(cursor) -> Catalog:
    """The catalog of a store made today: built in a scratch schema, read, and rolled back."""
    cursor.execute("SAVEPOINT rs_probe")
    try:
        cursor.execute("CREATE SCHEMA %s" % PROBE)
        cursor.execute("SELECT set_config('search_path', %s || ', ' || current_setting('search_path'), true)",
                       (PROBE,))
        for statement in postgis.store_statements():
            cursor.execute(statement)
        made_by_the_store = _catalog(cursor, PROBE)
        for statement in postgres_access.statements():
            cursor.execute(statement)
        return _portable(_left_to_access(made_by_the_store, _catalog(cursor, PROBE)))
    finally:
        cursor.execute("ROLLBACK TO SAVEPOINT rs_probe")


def _rule_fields(table_name: str) -> Dict[str, Tuple[str, ...]]:
    if table_name not in schema.TABLES_BY_NAME:
        return {}
    return {rule.code: rule.fields for rule in schema.table(table_name).all_rules()}


def _add_constraint(table: str, name: str, kind: str, definition: str, comment: Optional[str]):
    """Add the constraint; if rows kept from before break a rule, add it NOT VALID (it holds for new and
    changed rows) and say how many rows break it."""
    import psycopg2

    def add(cursor) -> Optional[str]:
        statement = "ALTER TABLE %s ADD CONSTRAINT %s %s" % (quoted(table), quoted(name), definition)
        note = None
        cursor.execute("SAVEPOINT rs_constraint")
        try:
            cursor.execute(statement)
        except (psycopg2.errors.CheckViolation, psycopg2.errors.ForeignKeyViolation):
            cursor.execute("ROLLBACK TO SAVEPOINT rs_constraint")
            cursor.execute(statement + " NOT VALID")
            broken = "?"
            if kind == "c":
                cursor.execute("SELECT count(*) FROM %s WHERE NOT %s" % (quoted(table), definition[len("CHECK "):]))
                broken = cursor.fetchone()[0]
            note = ("règle %s : %s ligne(s) existante(s) ne la respectent pas ; elle s'applique aux nouvelles "
                    "saisies et modifications" % (name, broken))
        cursor.execute("RELEASE SAVEPOINT rs_constraint")
        if comment is not None:
            cursor.execute("COMMENT ON CONSTRAINT %s ON %s IS %%s" % (quoted(name), quoted(table)), (comment,))
        return note
    return add


def _constraint_steps(existing: Catalog, today: Catalog, tables: Set[str],
                      added_columns: Dict[str, Set[str]]) -> Iterator[Tuple[List[str], List[Statement]]]:
    old = {key: value for key, value in existing.constraints.items() if key[0] in tables}
    new = {key: value for key, value in today.constraints.items() if key[0] in tables}
    dropped = sorted((key for key in old if key not in new or new[key][1] != old[key][1]),
                     key=lambda key: _DROP_ORDER.index(old[key][0]) if old[key][0] in _DROP_ORDER else 0)
    made = sorted((key for key in new if key not in old or new[key][1] != old[key][1]),
                  key=lambda key: _ADD_ORDER.index(new[key][0]) if new[key][0] in _ADD_ORDER else 0)
    changes: Dict[str, List[Tuple[str, str]]] = {}
    for table, name in dropped:
        if (table, name) not in new:
            changes.setdefault(table, []).append((name, sqlite_ddl.REMOVED))
            yield [], ["ALTER TABLE %s DROP CONSTRAINT %s" % (quoted(table), quoted(name))]
    for table, name in made:
        kind, definition, comment = new[(table, name)]
        statements: List[Statement] = []
        if (table, name) in old:
            statements.append("ALTER TABLE %s DROP CONSTRAINT %s" % (quoted(table), quoted(name)))
            changes.setdefault(table, []).append((name, sqlite_ddl.CHANGED))
        elif not set(_rule_fields(table).get(name, ("",))) <= added_columns.get(table, set()):
            # (the rule of a new column comes with its column)
            changes.setdefault(table, []).append((name, sqlite_ddl.ADDED))
        yield [], statements + [_add_constraint(table, name, kind, definition, comment)]
    for table in sorted(changes):
        yield sqlite_ddl.rule_summary(table, changes[table]), []
    for key in sorted(set(old) & set(new)):
        if old[key][1] == new[key][1] and old[key][2] != new[key][2]:
            yield [], ["COMMENT ON CONSTRAINT %s ON %s IS %s" % (
                quoted(key[1]), quoted(key[0]), "NULL" if new[key][2] is None else _literal(new[key][2]))]


def _literal(text: str) -> str:
    return "'%s'" % text.replace("'", "''")


def _object_steps(existing: Catalog, today: Catalog, tables: Set[str]) -> Iterator[Tuple[List[str], List[str]]]:
    """Functions, triggers, indexes and policies as today's store has them."""
    changed_functions = [name for name, definition in sorted(today.functions.items())
                         if existing.functions.get(name) != definition]
    if changed_functions:
        yield (["fonctions : %s" % ", ".join(changed_functions)],
               [today.functions[name] for name in changed_functions])
    for kind, drop, objects in (("déclencheurs", "DROP TRIGGER %s ON %s", "triggers"),
                                ("index", "DROP INDEX %s", "indexes"),
                                ("règles d'accès", "DROP POLICY %s ON %s", "policies")):
        old = {k: v for k, v in getattr(existing, objects).items() if k[0] in tables}
        new = {k: v for k, v in getattr(today, objects).items() if k[0] in tables}
        # Indexes nobody declared (added by hand) stay; triggers and policies on our tables are ours.
        gone = [key for key in old if (key in new and new[key] != old[key]) or (key not in new and objects != "indexes")]
        made = [key for key in new if old.get(key) != new[key]]
        if gone or made:
            names = sorted({name for _, name in gone + made})
            yield (["%s : %s" % (kind, ", ".join(names))],
                   [drop % (quoted(name), quoted(table)) if "%s ON %s" in drop else drop % quoted(name)
                    for table, name in sorted(gone)] + [new[key] for key in sorted(made)])
    defaults = sorted(key for key in set(existing.defaults) | set(today.defaults)
                      if key[0] in tables and existing.defaults.get(key) != today.defaults.get(key))
    if defaults:
        yield (["valeurs par défaut : %s" % ", ".join("%s.%s" % key for key in defaults)],
               ["ALTER TABLE %s ALTER COLUMN %s %s" % (
                   quoted(table), quoted(column), "SET DEFAULT %s" % today.defaults[(table, column)]
                   if (table, column) in today.defaults else "DROP DEFAULT") for table, column in defaults])
    for table in sorted(tables & set(today.row_security)):
        enabled, forced = today.row_security[table]
        if existing.row_security.get(table) != (enabled, forced):
            yield (["sécurité des lignes de %s" % table],
                   ["ALTER TABLE %s %s ROW LEVEL SECURITY" % (quoted(table), "ENABLE" if enabled else "DISABLE"),
                    "ALTER TABLE %s %s ROW LEVEL SECURITY" % (quoted(table), "FORCE" if forced else "NO FORCE")])


_CREATED = re.compile(r'^CREATE (?:TABLE|SEQUENCE|INDEX)(?: IF NOT EXISTS)? "([^"]+)"')


def _steps(cursor) -> Iterator[Tuple[List[str], List[Statement]]]:
    """(what the summary says, its statements) for everything the database lacks or holds differently
    from a store made today."""
    today = _today(cursor)
    cursor.execute("SELECT current_schema()")
    namespace = cursor.fetchone()[0]
    existing = _catalog(cursor, namespace, set(today.functions))
    for part, key in today.skipped:
        getattr(existing, part).pop(key, None)
    for statement in postgres_ddl.COMMON_DDL:
        created = _CREATED.match(statement)
        if created:
            cursor.execute("SELECT to_regclass(%s) IS NULL", (quoted(created.group(1)),))
            if cursor.fetchone()[0]:
                yield ["%s" % created.group(1)], [statement]
    cursor.execute("SELECT table_name, column_name FROM information_schema.columns "
                   "WHERE table_schema = current_schema()")
    columns: Dict[str, Set[str]] = {}
    for table_name, column_name in cursor.fetchall():
        columns.setdefault(table_name, set()).add(column_name)
    added_columns: Dict[str, Set[str]] = {}
    new_tables = set()
    for table in schema.TABLES:
        if table.name not in columns:
            new_tables |= {table.name, history_of(table.name)}
            yield ["table %s" % table.name], (list(postgres_ddl.create_table(table)) +
                                              [postgres_ddl.create_history_table(table)] +
                                              list(postgres_ddl.create_indexes(table)) +
                                              list(postgres_ddl.create_triggers(table)) +
                                              list(postgres_ddl.create_rule_triggers(table)) +
                                              list(postgres_ddl.relation_constraints(table.name)))
            continue
        missing = [f for f in table.fields if f.name not in columns[table.name]]
        added_columns[table.name] = {f.name for f in missing}
        if missing:
            yield [", ".join("%s.%s" % (table.name, f.name) for f in missing)], [
                _add_column(target, field) for field in missing for target in (table.name, history_of(table.name))]
    kept = (today.tables & existing.tables) - new_tables
    yield from _constraint_steps(existing, today, kept, added_columns)
    yield from _object_steps(existing, today, kept)


def _add_column(target: str, field) -> str:
    """The column; on a feature table with its declared default, which the rows kept from before receive
    (a required column with a default then holds at once)."""
    statement = "ALTER TABLE %s ADD COLUMN %s %s" % (quoted(target), quoted(field.name), postgres_ddl.column_type(field))
    if field.default is not None and target in schema.TABLES_BY_NAME:
        statement += " DEFAULT %s" % sql_literal(field.default)
    return statement


def missing_parts(location: str) -> List[str]:
    """What an upgrade would add or make again (nothing is changed)."""
    connection = postgis.connect(location)
    try:
        with connection.cursor() as cursor:
            return [description for descriptions, _ in _steps(cursor) for description in descriptions] + \
                postgres_access.missing(cursor)
    finally:
        connection.rollback()
        connection.close()


def upgrade(location: str) -> List[str]:
    """Bring the shared store at `location` to SCHEMA_VERSION; returns what was added or made again."""
    import psycopg2
    postgis.open_store(location)  # a Résorption SIG store, not newer than the plugin
    done = []
    connection = postgis.connect(location)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", (postgres_ddl.SYNC_LOCK,))
            for descriptions, statements in list(_steps(cursor)):
                notes = [statement(cursor) if callable(statement) else cursor.execute(statement)
                         for statement in statements]
                done += descriptions + [note for note in notes if note]
            cursor.execute("SELECT set_config('app.user', 'resorption_sig', true)")
            for statement, parameters in core_indicator_upgrade(postgres=True):
                cursor.execute(statement, parameters)
            # the access rights follow the tables and columns just made (idempotent; left out of the comparison)
            done += postgres_access.missing(cursor)
            for statement in postgres_access.statements():
                cursor.execute(statement)
            cursor.execute("UPDATE \"rs_meta\" SET \"value\" = %s WHERE \"key\" = 'schema_version'",
                           (str(SCHEMA_VERSION),))
    except psycopg2.Error as error:
        where = postgis.display_location(location)
        reason = postgis.without_passwords(str(error).strip(), location)
        raise StoreError("La mise à jour de %s a échoué, rien n'a changé : %s" % (where, reason),
                         "Upgrading %s failed, nothing changed: %s" % (where, reason)) from error
    finally:
        connection.close()
    return done
