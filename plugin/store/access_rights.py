"""Granting, revoking and listing the access rights of a shared PostGIS store (rs_access).

The logins are PostgreSQL logins: created by the DBA, or here with a password
the caller typed (passed to the server as a parameter, never logged). A grant
gives the login the group role rs_user (and rs_justice with the justice
permission) and its row of rs_access; an admin also receives both group roles
WITH ADMIN OPTION, so that it grants them in turn.
"""
import contextlib
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Set

from ..model import access
from . import postgis
from .base import StoreError
from .postgres_access import JUSTICE_ROLE, NATIONAL_ROLE, USER_ROLE


@dataclass
class Grant:
    login: str
    role: str
    departements: List[str] = field(default_factory=list)
    national: bool = False
    region: Optional[str] = None
    justice: bool = False
    organisation_uuid: Optional[str] = None


def territories(departements: Sequence[str], region: Optional[str], national: bool) -> List[str]:
    """The départements of a grant; a région gives all of its own. Nothing named and not national: refused."""
    codes = list(departements)
    if region:
        try:
            codes += [c for c in access.departements_of(region) if c not in codes]
        except ValueError:
            raise StoreError("Région inconnue : %s (codes INSEE : %s)." % (region, ", ".join(sorted(access.REGIONS))),
                             "Unknown région: %s (INSEE codes: %s)." % (region, ", ".join(sorted(access.REGIONS))))
    if not codes and not national:
        raise StoreError("Indiquez au moins un département (--departement), une région (--region) ou --national.",
                         "Give at least one département (--departement), a région (--region) or --national.")
    return codes


def _failed(error) -> StoreError:
    text = str(error).strip().splitlines()[0]
    return StoreError("Le serveur a refusé la modification des droits : %s" % text,
                      "The server refused to change the rights: %s" % text)


def grant(location: str, rights: Grant, password: Optional[str] = None) -> None:
    """Give `rights` to the login (created first, with `password`, when one is given)."""
    import psycopg2
    from psycopg2 import sql
    if rights.role not in access.ROLES:
        raise StoreError("Rôle inconnu : %s." % rights.role, "Unknown role: %s." % rights.role)
    login = sql.Identifier(rights.login)
    connection = postgis.connect(location)
    try:
        with connection, connection.cursor() as cursor:
            if password is not None:
                cursor.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD %s").format(login), (password,))
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s AND rolcanlogin", (rights.login,))
            if cursor.fetchone() is None:
                raise StoreError(
                    "Le login PostgreSQL « %s » n'existe pas : créez-le (--create-login) ou demandez-le à "
                    "l'administrateur de la base." % rights.login,
                    "The PostgreSQL login '%s' does not exist: create it (--create-login) or ask the database "
                    "administrator." % rights.login)
            admin = sql.SQL(" WITH ADMIN OPTION" if rights.role == access.ADMIN else "")
            cursor.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(USER_ROLE), login) + admin)
            for role, given in ((JUSTICE_ROLE, rights.justice), (NATIONAL_ROLE, rights.national)):
                if given or rights.role == access.ADMIN:
                    cursor.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(role), login) + admin)
                else:
                    cursor.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(role), login))
            cursor.execute(
                'INSERT INTO "rs_access" ("login", "role", "departements", "national", "region", "justice", '
                '"organisation_uuid") VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT ("login") DO UPDATE SET '
                '"role" = excluded."role", "departements" = excluded."departements", '
                '"national" = excluded."national", "region" = excluded."region", "justice" = excluded."justice", '
                '"organisation_uuid" = excluded."organisation_uuid", "granted_by" = session_user, '
                '"granted_at" = now()',
                (rights.login, rights.role, rights.departements, rights.national, rights.region,
                 rights.justice or rights.role == access.ADMIN, rights.organisation_uuid))
    except psycopg2.Error as error:
        raise _failed(error) from error
    finally:
        connection.close()


def revoke(location: str, login: str) -> bool:
    """Take every right of the login on this store; False if it had none."""
    import psycopg2
    from psycopg2 import sql
    connection = postgis.connect(location)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute('DELETE FROM "rs_access" WHERE "login" = %s', (login,))
            had = cursor.rowcount > 0
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (login,))
            if cursor.fetchone():
                cursor.execute(sql.SQL("REVOKE {}, {}, {} FROM {}").format(
                    sql.Identifier(USER_ROLE), sql.Identifier(JUSTICE_ROLE), sql.Identifier(NATIONAL_ROLE),
                    sql.Identifier(login)))
            return had
    except psycopg2.Error as error:
        raise _failed(error) from error
    finally:
        connection.close()


def rights(location: str) -> List[dict]:
    """Every grant the caller may see (all of them for an admin or the owner), login order."""
    import psycopg2
    with contextlib.closing(postgis.connect(location)) as connection, connection.cursor() as cursor:
        try:
            cursor.execute('SELECT "login", "role", "departements", "national", "region", "justice", '
                           '"organisation_uuid", "granted_by", to_char("granted_at" AT TIME ZONE \'UTC\', '
                           '\'YYYY-MM-DD"T"HH24:MI:SS"Z"\'), EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = '
                           '"login" AND r.rolcanlogin) FROM "rs_access" ORDER BY "login"')
        except psycopg2.Error as error:
            raise _failed(error) from error
        names = ("login", "role", "departements", "national", "region", "justice", "organisation_uuid",
                 "granted_by", "granted_at", "login_exists")
        return [dict(zip(names, row)) for row in cursor.fetchall()]


def my_rights(connection) -> Optional[dict]:
    """The connected login's own grant (None: the store's owner, or no right at all)."""
    with connection.cursor() as cursor:
        cursor.execute('SELECT "rs_is_owner"()')
        if cursor.fetchone()[0]:
            return None
        cursor.execute('SELECT "role", "departements", "national", "justice" FROM "rs_my_access"()')
        row = cursor.fetchone()
    if row is None:
        return {"role": None, "departements": [], "national": False, "justice": False}
    return dict(zip(("role", "departements", "national", "justice"), row))


def hidden_columns(connection) -> Dict[str, Set[str]]:
    """The columns of the store's tables the connected login may not read, by table (the sync reads
    NULL in their place and never writes them)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                       "WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' "
                       "AND a.attnum > 0 AND NOT a.attisdropped AND NOT has_column_privilege(c.oid, a.attnum, "
                       "'SELECT')")
        hidden: Dict[str, Set[str]] = {}
        for table_name, column in cursor.fetchall():
            hidden.setdefault(table_name, set()).add(column)
    return hidden


def check_scope(connection, location: str, departements: Sequence[str]) -> None:
    """Refuse a working copy of départements outside the login's territories, naming them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('rs_access') IS NOT NULL, session_user")
        managed, login = cursor.fetchone()
    if not managed:
        return
    mine = my_rights(connection)
    if mine is None or mine["national"]:
        return
    if mine["role"] is None:
        raise StoreError("Le login « %s » n'a aucun droit sur le stockage partagé %s : demandez-les à son "
                         "administrateur." % (login, location),
                         "The login '%s' has no right on the shared store %s: ask its administrator."
                         % (login, location))
    outside = [d for d in departements if d not in mine["departements"]]
    if outside:
        raise StoreError(
            "Copie refusée : le login « %s » n'a pas accès au(x) département(s) %s (ses territoires : %s)."
            % (login, ", ".join(outside), ", ".join(mine["departements"])),
            "Checkout refused: the login '%s' has no access to the département(s) %s (its territories: %s)."
            % (login, ", ".join(outside), ", ".join(mine["departements"])))


def push_refused(cursor, change, server_message: str = "") -> StoreError:
    """The whole push refused because of one row outside the login's rights, the row named."""
    row = change.row or {}
    described = " ".join(part for part in (
        "« %s »" % row["name"] if row.get("name") else "",
        "(département %s)" % row["departement"] if row.get("departement") else "") if part)
    login = cursor.connection.info.user
    detail = " [%s]" % server_message if server_message else ""
    return StoreError(
        "Envoi refusé par le serveur, rien n'a été appliqué : la ligne %s %s %s est hors des territoires ou du rôle "
        "du login « %s »%s. Annulez ou corrigez cette modification, puis synchronisez à nouveau."
        % (change.table, change.uuid, described, login, detail),
        "Push refused by the server, nothing was applied: the row %s %s %s is outside the territories or the role "
        "of the login '%s'%s. Undo or correct this change, then synchronise again."
        % (change.table, change.uuid, described, login, detail))


def exists_elsewhere(cursor, table: str, uuid: str) -> bool:
    """The row exists on the server though the login does not see it (a change that matched no row)."""
    cursor.execute("SELECT to_regprocedure('rs_row_exists(text, text)') IS NOT NULL")
    if not cursor.fetchone()[0]:
        return False
    cursor.execute('SELECT "rs_row_exists"(%s, %s)', (table, uuid))
    return bool(cursor.fetchone()[0])
