"""Access rights of a shared PostGIS store, enforced by PostgreSQL itself (issue 15).

Run after the store's DDL (postgis.create) and again by every upgrade: every
statement is idempotent and re-applies the grants to the columns the schema
declares.

* `rs_access` holds the rights as data: login → territories (départements, or
  national), role (reader, editor, operator, admin), justice permission,
  organisation (operators). A login reaches the store through the group role
  `rs_user`; `rs_justice` adds the justice group and the owner's identity
  (column privileges; `<table>_restricted` views, security_invoker, show the
  other columns to QGIS, which reads `SELECT *`).
* Row-level security on every table: a login reads its territories, writes
  them if editor or admin (WITH CHECK: no row created or moved out of them),
  an operator writes only the indicator values of the dispositifs naming its
  organisation; national logins and admins (group role `rs_national`) have
  policies of their own. The store's owner (and superusers) is not subject
  to it.
* History, rs_versions and rs_batches are append-only: UPDATE/DELETE are never
  granted and a trigger refuses them to anyone but the owner.
* Authorship: for every login but the owner, created_by/updated_by/changed_by
  are the authenticated login (session_user), whatever app.user says.
"""
from typing import Iterator, List

from ..model import access, schema
from ..model.rules import quoted, sql_literal
from ..model.schema import Table, history_of
from ..sync.protocol import RESOLUTIONS_TABLE
from . import anonymisation
from .sqlite_ddl import GEOMETRY_COLUMN

USER_ROLE = "rs_user"
JUSTICE_ROLE = "rs_justice"
# National logins and admins: policies of their own, so that a territorial login's policy stays a plain
# condition on the département (its index) and a national one is not evaluated row by row.
NATIONAL_ROLE = "rs_national"
APPEND_ONLY = ("rs_versions", "rs_batches")
RESTRICTED_SUFFIX = "_restricted"
ATTACHMENT_OWNERS = ("sites", "insertion_sites", "actions")

_MINE = 'FROM "rs_my_access"() a'
DEPARTEMENTS = '(SELECT a."departements" %s)::text[]' % _MINE
ROLE = '(SELECT a."role" %s)' % _MINE
ORGANISATION = '(SELECT a."organisation_uuid" %s)' % _MINE
WRITER = "%s IN (%s)" % (ROLE, ", ".join(sql_literal(r) for r in access.WRITING_ROLES))

ACCESS_DDL = (
    "DO $$ BEGIN\n%sEND $$" % "".join(
        "  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '%s') THEN CREATE ROLE %s NOLOGIN; END IF;\n"
        % (role, role) for role in (USER_ROLE, JUSTICE_ROLE, NATIONAL_ROLE)),
    'CREATE TABLE IF NOT EXISTS "rs_access" ("login" text PRIMARY KEY, '
    '"role" text NOT NULL CHECK ("role" IN (%s)), "departements" text[] NOT NULL DEFAULT \'{}\', '
    '"national" boolean NOT NULL DEFAULT false, "region" text, "organisation_uuid" text, '
    '"justice" boolean NOT NULL DEFAULT false, "granted_by" text NOT NULL DEFAULT session_user, '
    '"granted_at" timestamptz NOT NULL DEFAULT now())' % ", ".join(sql_literal(r) for r in access.ROLES),
    # The caller's own rights, for the policies (a policy on rs_access cannot read rs_access itself).
    'CREATE OR REPLACE FUNCTION "rs_my_access"() RETURNS SETOF "rs_access" LANGUAGE sql STABLE '
    'SECURITY DEFINER SET search_path FROM CURRENT AS $$ '
    'SELECT * FROM "rs_access" WHERE "login" = session_user $$',
    'CREATE OR REPLACE FUNCTION "rs_is_owner"() RETURNS boolean LANGUAGE sql STABLE AS $$ '
    "SELECT pg_has_role(session_user, (SELECT relowner FROM pg_class WHERE oid = 'rs_meta'::regclass), "
    "'MEMBER') $$",
    # Authorship: the statement trigger decides once per statement, the row trigger stamps.
    'CREATE OR REPLACE FUNCTION "rs_author_statement"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN '
    "IF \"rs_is_owner\"() THEN PERFORM set_config('rs.author', '', true); "
    "ELSE PERFORM set_config('rs.author', session_user, true), set_config('app.user', session_user, true); "
    "END IF; RETURN NULL; END $$",
    'CREATE OR REPLACE FUNCTION "rs_author_row"() RETURNS trigger LANGUAGE plpgsql AS $$ '
    "DECLARE author text := nullif(current_setting('rs.author', true), ''); BEGIN "
    "IF author IS NOT NULL THEN "
    "  NEW.\"updated_by\" := author; "
    "  IF TG_OP = 'INSERT' THEN NEW.\"created_by\" := author; END IF; "
    "END IF; RETURN NEW; END $$",
    # the login of a sync batch and the author of a conflict decision, likewise
    'CREATE OR REPLACE FUNCTION "rs_author_record"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN '
    "IF \"rs_is_owner\"() THEN RETURN NEW; END IF; "
    "IF TG_TABLE_NAME = 'rs_batches' THEN NEW.\"login\" := session_user; "
    "ELSE NEW.\"resolved_by\" := session_user; END IF; RETURN NEW; END $$",
    # Whether a row exists at all (never its content): a push that matched no row tells a row outside
    # the login's territories from one deleted meanwhile.
    'CREATE OR REPLACE FUNCTION "rs_row_exists"("target" text, "row_uuid" text) RETURNS boolean LANGUAGE plpgsql '
    'STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$ DECLARE found boolean; BEGIN '
    'IF "target" <> ALL (ARRAY[%s]) THEN RETURN false; END IF; '
    "EXECUTE format('SELECT EXISTS (SELECT 1 FROM %%I WHERE \"uuid\" = $1)', \"target\") INTO found "
    'USING "row_uuid"; RETURN found; END $$' % ", ".join(sql_literal(t.name) for t in schema.TABLES),
    'CREATE OR REPLACE FUNCTION "rs_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN '
    "IF pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN "
    "  RETURN CASE WHEN TG_LEVEL = 'STATEMENT' THEN NULL WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END; "
    "END IF; "
    "RAISE EXCEPTION 'L''historique (%) ne se modifie ni ne s''efface / The history (%) is append-only', "
    "TG_TABLE_NAME, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege'; END $$",
)


def _visible_uuid(column: str, tables) -> str:
    """The row named by `column` is one the login reads (now or in the history): the named tables'
    own policies decide."""
    return " OR ".join('%s IN (SELECT "uuid" FROM %s)' % (column, quoted(t))
                       for name in tables for t in (name, history_of(name)))


def read_condition(table: Table) -> str:
    """Which rows of the table (or of its history) a login reads."""
    if table.name in ("organisations", "indicator_definitions"):
        return "true"
    if "departement" in table.field_names:
        return '"departement" = ANY (%s)' % DEPARTEMENTS
    if table.parent is not None:
        parent, column = table.parent
        return "(%s)" % _visible_uuid(quoted(column), (parent,))
    if table.name == "attachments":
        return "(%s)" % _visible_uuid('"owner_uuid"', ATTACHMENT_OWNERS)
    return "true"


def write_condition(table: Table) -> str:
    if table.name == "organisations":
        writable = '(%s AND "departement" = ANY (%s))' % (WRITER, DEPARTEMENTS)
    else:
        writable = "(%s AND %s)" % (WRITER, read_condition(table))
    if table.name == "indicator_values":
        operator = ('(%s = %s AND %s AND "action_uuid" IN (SELECT o."action_uuid" FROM "action_organisations" o '
                    'WHERE o."organisation_uuid" = %s))' % (ROLE, sql_literal(access.OPERATOR),
                                                            read_condition(table), ORGANISATION))
        return "(%s OR %s)" % (writable, operator)
    return writable


def _row_visible_function() -> str:
    """rs_row_visible(table, uuid): the login reads that row, now or in the history (the table's own
    policies decide). A function, planned table by table: the same test written inline in the policies
    of rs_changes and rs_versions made the planner expand every table's policies at once (seconds)."""
    cases = "\n".join(
        "    WHEN %s THEN RETURN EXISTS (SELECT 1 FROM %s WHERE \"uuid\" = \"row_uuid\") "
        "OR EXISTS (SELECT 1 FROM %s WHERE \"uuid\" = \"row_uuid\");" % (
            sql_literal(t.name), quoted(t.name), quoted(history_of(t.name))) for t in schema.TABLES)
    return ('CREATE OR REPLACE FUNCTION "rs_row_visible"("target" text, "row_uuid" text) RETURNS boolean '
            "LANGUAGE plpgsql STABLE SET search_path FROM CURRENT AS $$\nBEGIN\n  CASE \"target\"\n%s\n"
            "    ELSE RETURN false;\n  END CASE;\nEND $$" % cases)


def _logged_row_visible() -> str:
    """A row of rs_changes / rs_versions (table_name, uuid) is read by whoever reads the row it names."""
    return '"rs_row_visible"("table_name", "uuid")'


def _role_policies(target: str, prefix: str, role: str, conditions) -> Iterator[str]:
    """The role's policies on the table: (read, insert, update, delete) conditions, None = not allowed."""
    q = quoted(target)
    read, insert, update, delete = (tuple(conditions) + (None,) * 4)[:4]
    for name, command, clause in (("read", "SELECT", read and "USING (%s)" % read),
                                  ("insert", "INSERT", insert and "WITH CHECK (%s)" % insert),
                                  ("update", "UPDATE", update and "USING (%s) WITH CHECK (%s)" % (update, update)),
                                  ("delete", "DELETE", delete and "USING (%s)" % delete)):
        yield 'DROP POLICY IF EXISTS "%s_%s" ON %s' % (prefix, name, q)
        if clause:
            yield 'CREATE POLICY "%s_%s" ON %s FOR %s TO %s %s' % (prefix, name, q, command, role, clause)


def _policies(target: str, territorial, national=()) -> Iterator[str]:
    """Row-level security on the table: the policies of every login (its territories) and those of the
    national logins."""
    yield "ALTER TABLE %s ENABLE ROW LEVEL SECURITY" % quoted(target)
    yield from _role_policies(target, "rs", USER_ROLE, territorial)
    yield from _role_policies(target, "rs_national", NATIONAL_ROLE, national)


def _trigger(name: str, target: str, when: str, level: str, function: str) -> Iterator[str]:
    yield 'DROP TRIGGER IF EXISTS "%s" ON %s' % (name, quoted(target))
    yield 'CREATE TRIGGER "%s" %s ON %s FOR EACH %s EXECUTE FUNCTION "%s"()' % (
        name, when, quoted(target), level, function)


def _append_only(target: str) -> Iterator[str]:
    yield "REVOKE UPDATE, DELETE, TRUNCATE ON %s FROM PUBLIC, %s" % (quoted(target), USER_ROLE)
    yield from _trigger("%s_append_only" % target, target, "BEFORE UPDATE OR DELETE", "ROW", "rs_append_only")
    yield from _trigger("%s_no_truncate" % target, target, "BEFORE TRUNCATE", "STATEMENT", "rs_append_only")


def _column_list(table: Table, history: bool = False) -> List[str]:
    names = ["fid" if not history else "history_id"]
    if table.geometry:
        names.append(GEOMETRY_COLUMN)
    names += [f.name for f in table.fields if f.name not in access.restricted_fields(table)]
    if history:
        names += ["valid_from", "valid_to", "changed_by", "operation", "reason"]
    return names


def _grants(table: Table) -> Iterator[str]:
    q, h = quoted(table.name), quoted(history_of(table.name))
    restricted = access.restricted_fields(table)
    yield "REVOKE ALL ON %s, %s FROM %s" % (q, h, USER_ROLE)
    if restricted:
        visible = ", ".join(quoted(c) for c in _column_list(table))
        yield "GRANT SELECT (%s), INSERT (%s), UPDATE (%s), DELETE ON %s TO %s" % (
            visible, visible, visible, q, USER_ROLE)
        yield "GRANT SELECT, INSERT, UPDATE ON %s TO %s" % (q, JUSTICE_ROLE)
        yield "GRANT SELECT (%s) ON %s TO %s" % (", ".join(quoted(c) for c in _column_list(table, True)),
                                                 h, USER_ROLE)
        yield "GRANT SELECT ON %s TO %s" % (h, JUSTICE_ROLE)
        yield from _restricted_views(table)
    else:
        yield "GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO %s" % (q, USER_ROLE)
        yield "GRANT SELECT ON %s TO %s" % (h, USER_ROLE)
    # the history rows are written by the table's own trigger, as the login that made the change
    yield "GRANT INSERT ON %s TO %s" % (h, USER_ROLE)


def restricted_view(name: str) -> str:
    return name + RESTRICTED_SUFFIX


def _restricted_views(table: Table) -> Iterator[str]:
    """The table and its history without the restricted columns, for QGIS (which reads SELECT *): simple
    views, so updatable, and security_invoker, so the login's own grants and policies apply."""
    for target, history in ((table.name, False), (history_of(table.name), True)):
        view = quoted(restricted_view(target))
        yield "DROP VIEW IF EXISTS %s" % view
        yield "CREATE VIEW %s WITH (security_invoker = true) AS SELECT %s FROM %s" % (
            view, ", ".join(quoted(c) for c in _column_list(table, history)), quoted(target))
        yield "GRANT SELECT%s ON %s TO %s" % ("" if history else ", INSERT, UPDATE, DELETE", view, USER_ROLE)


def table_statements(table: Table) -> Iterator[str]:
    history = history_of(table.name)
    yield from _grants(table)
    write = write_condition(table)
    author = '"changed_by" = session_user::text'
    yield from _policies(table.name, (read_condition(table), write, write, write), ("true", WRITER, WRITER, WRITER))
    yield from _policies(history, (read_condition(table), "%s AND %s" % (author, read_condition(table))),
                         ("true", author))
    yield from _append_only(history)
    yield from _trigger("%s_author_stmt" % table.name, table.name, "BEFORE INSERT OR UPDATE OR DELETE",
                        "STATEMENT", "rs_author_statement")
    yield from _trigger("%s_author_row" % table.name, table.name, "BEFORE INSERT OR UPDATE", "ROW",
                        "rs_author_row")


def missing(cursor) -> List[str]:
    """What an upgrade adds to a store made before the access rights."""
    cursor.execute("SELECT to_regclass('rs_access') IS NULL")
    return ["rs_access (droits d'accès, sécurité des lignes / access rights, row-level security)"] \
        if cursor.fetchone()[0] else []


def statements() -> Iterator[str]:
    """Roles, rights table, policies, grants and triggers of the whole store, in order (idempotent)."""
    yield from ACCESS_DDL
    yield "GRANT SELECT ON \"rs_meta\" TO %s" % USER_ROLE
    yield ("DO $$ BEGIN EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA %%I TO %s', current_schema()); "
           "END $$" % USER_ROLE)
    for table in schema.TABLES:
        yield from table_statements(table)
    yield _row_visible_function()
    yield "GRANT SELECT, INSERT ON \"rs_versions\", \"rs_batches\", \"rs_conflict_resolutions\" TO %s" % USER_ROLE
    yield "GRANT SELECT, INSERT, UPDATE ON \"rs_changes\" TO %s" % USER_ROLE
    yield "GRANT SELECT, INSERT, UPDATE, DELETE ON \"rs_access\" TO %s" % USER_ROLE
    author = '"changed_by" = session_user::text'
    yield from _policies("rs_versions", (_logged_row_visible(), author), ("true", author))
    yield from _policies("rs_changes", (_logged_row_visible(), "true", "true"), ("true", "true", "true"))
    yield from _policies("rs_conflict_resolutions", (_logged_row_visible(), "true"), ("true", "true"))
    admin = "%s = %s" % (ROLE, sql_literal(access.ADMIN))
    own = '"login" = session_user::text'
    yield from _policies("rs_batches", ("%s OR %s" % (own, admin), own))
    yield from _policies("rs_access", ("%s OR %s" % (own, admin), admin, admin, admin))
    for target in ("rs_batches", RESOLUTIONS_TABLE):
        yield from _trigger("%s_author" % target, target, "BEFORE INSERT", "ROW", "rs_author_record")
    for target in APPEND_ONLY:
        yield from _append_only(target)
    yield from anonymisation.postgres_statements()
