"""Anonymising the owners of sites closed for more than a year (SCHEMA.md « Data protection »).

The owner's identity and the free texts that could name a person
(model.access.ANONYMISED_FIELDS) are replaced by a visible mark in the current
row and in every history version of the site. The change of the current row
goes through the store's own history, so the trace (who, when) stays; the
count is returned and, on PostGIS, kept as a batch in rs_batches.

On PostGIS the work is one SQL function, `rs_anonymise(dry_run)`, that the
command line calls and that cron or pg_cron can call every night; a trigger
keeps an anonymised value from coming back with an old working copy's push.
"""
import contextlib
import json
from dataclasses import dataclass
from typing import Iterator

from ..model import access
from ..model.rules import quoted, sql_literal
from ..model.schema import history_of
from . import is_postgres
from .base import StoreError

SITES = quoted(access.ANONYMISED_TABLE)
HISTORY = quoted(history_of(access.ANONYMISED_TABLE))
MARK = sql_literal(access.ANONYMISED)
REASON = "anonymisation"


@dataclass
class Anonymised:
    sites: int
    versions: int


def _closed_long_ago(today_minus_delay: str) -> str:
    return "\"status\" <> 'open' AND \"closed_at\" IS NOT NULL AND \"closed_at\" < %s" % today_minus_delay


def _holds_a_value() -> str:
    return "(%s)" % " OR ".join("(%s IS NOT NULL AND %s <> %s)" % (quoted(f), quoted(f), MARK)
                                for f in access.ANONYMISED_FIELDS)


def _blanked() -> str:
    return ", ".join("%s = CASE WHEN %s IS NULL THEN NULL ELSE %s END" % (quoted(f), quoted(f), MARK)
                     for f in access.ANONYMISED_FIELDS)


POSTGRES_DUE = _closed_long_ago("current_date - %d" % access.ANONYMISE_AFTER_DAYS)
SQLITE_DUE = _closed_long_ago("date('now', '-%d days')" % access.ANONYMISE_AFTER_DAYS)


def postgres_statements() -> Iterator[str]:
    """The server's function (owner's rights: it rewrites the append-only history; only the owner
    and admins may call it) and the trigger that keeps anonymised values anonymised."""
    targets = "SELECT \"uuid\" FROM %s WHERE %s" % (SITES, POSTGRES_DUE)
    yield (
        'CREATE OR REPLACE FUNCTION "rs_anonymise"("dry_run" boolean DEFAULT false, OUT "anonymised_sites" integer, '
        'OUT "history_versions" integer) LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$\n'
        "DECLARE batch text := 'anonymisation-' || gen_random_uuid();\n"
        "BEGIN\n"
        "  IF NOT \"rs_is_owner\"() AND coalesce((SELECT a.\"role\" FROM \"rs_my_access\"() a), '') <> 'admin' THEN\n"
        "    RAISE EXCEPTION 'Seuls le propriétaire de la base et les administrateurs anonymisent / Only the "
        "database owner and administrators anonymise' USING ERRCODE = 'insufficient_privilege';\n"
        "  END IF;\n"
        "  SELECT count(*) INTO \"anonymised_sites\" FROM %(sites)s WHERE %(due)s AND %(value)s;\n"
        "  SELECT count(*) INTO \"history_versions\" FROM %(history)s WHERE \"uuid\" IN (%(targets)s) AND %(value)s;\n"
        "  IF \"dry_run\" OR (\"anonymised_sites\" = 0 AND \"history_versions\" = 0) THEN RETURN; END IF;\n"
        "  PERFORM set_config('app.batch', batch, true), set_config('app.user', session_user, true);\n"
        "  UPDATE %(sites)s SET %(blanked)s WHERE %(due)s AND %(value)s;\n"
        "  UPDATE %(history)s SET %(blanked)s, \"reason\" = CASE WHEN \"valid_to\" = now() THEN '%(reason)s' "
        "ELSE \"reason\" END WHERE \"uuid\" IN (%(targets)s) AND (%(value)s OR \"valid_to\" = now());\n"
        "  INSERT INTO \"rs_batches\" VALUES (batch, '%(reason)s', session_user, now(), now(), "
        "\"anonymised_sites\", \"anonymised_sites\", 0, json_build_object('anonymised_sites', \"anonymised_sites\", "
        "'history_versions', \"history_versions\")::text);\n"
        "END $$" % {"sites": SITES, "history": HISTORY, "due": POSTGRES_DUE, "value": _holds_a_value(),
                    "targets": targets, "blanked": _blanked(), "reason": REASON})
    yield 'REVOKE ALL ON FUNCTION "rs_anonymise"(boolean) FROM PUBLIC'
    yield 'GRANT EXECUTE ON FUNCTION "rs_anonymise"(boolean) TO rs_user'
    kept = "\n".join("  IF OLD.%s = %s THEN NEW.%s := OLD.%s; END IF;" % (quoted(f), MARK, quoted(f), quoted(f))
                     for f in access.ANONYMISED_FIELDS)
    yield ('CREATE OR REPLACE FUNCTION "rs_keep_anonymised"() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n'
           "%s\n  RETURN NEW;\nEND $$" % kept)
    yield 'DROP TRIGGER IF EXISTS "%s_keep_anonymised" ON %s' % (access.ANONYMISED_TABLE, SITES)
    # fires before the "<table>_row" trigger (alphabetical order) that keeps the previous version
    yield ('CREATE TRIGGER "%s_keep_anonymised" BEFORE UPDATE ON %s FOR EACH ROW EXECUTE FUNCTION '
           '"rs_keep_anonymised"()' % (access.ANONYMISED_TABLE, SITES))


def anonymise(location: str, dry_run: bool = False, login: str = "") -> Anonymised:
    """Anonymise the store at `location` (PostGIS or GeoPackage): how many sites and history versions
    held a value to blank (nothing changes with dry_run)."""
    if is_postgres(location):
        return _anonymise_postgis(location, dry_run)
    return _anonymise_gpkg(location, dry_run, login)


def _anonymise_postgis(location: str, dry_run: bool) -> Anonymised:
    import psycopg2
    from . import postgis
    connection = postgis.connect(location)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute("SELECT to_regprocedure('rs_anonymise(boolean)') IS NOT NULL")
            if not cursor.fetchone()[0]:
                raise StoreError("Ce stockage partagé ne sait pas encore anonymiser : mettez-le à jour "
                                 "(python3 -m plugin upgrade).",
                                 "This shared store cannot anonymise yet: upgrade it (python3 -m plugin upgrade).")
            cursor.execute('SELECT * FROM "rs_anonymise"(%s)', (dry_run,))
            return Anonymised(*cursor.fetchone())
    except psycopg2.Error as error:
        text = str(error).strip().splitlines()[0]
        raise StoreError("L'anonymisation a échoué, rien n'a changé : %s" % text,
                         "The anonymisation failed, nothing changed: %s" % text) from error
    finally:
        connection.close()


def _anonymise_gpkg(location: str, dry_run: bool, login: str) -> Anonymised:
    from . import gpkg
    gpkg.open_store(location)  # a store of this plugin, at this version
    targets = 'SELECT "uuid" FROM %s WHERE %s' % (SITES, SQLITE_DUE)
    with contextlib.closing(gpkg.connect(location)) as connection, gpkg.transaction(connection):
        sites = connection.execute("SELECT count(*) FROM %s WHERE %s AND %s" % (
            SITES, SQLITE_DUE, _holds_a_value())).fetchone()[0]
        versions = connection.execute("SELECT count(*) FROM %s WHERE \"uuid\" IN (%s) AND %s" % (
            HISTORY, targets, _holds_a_value())).fetchone()[0]
        if dry_run or not (sites or versions):
            return Anonymised(sites, versions)
        last = connection.execute('SELECT coalesce(max("history_id"), 0) FROM %s' % HISTORY).fetchone()[0]
        # naming the author and the next version: the store's history trigger records who did it
        connection.execute('UPDATE %s SET %s, "updated_by" = ?, "row_version" = "row_version" + 1 WHERE %s AND %s' % (
            SITES, _blanked(), SQLITE_DUE, _holds_a_value()), (login or access.ANONYMISED,))
        connection.execute("UPDATE %s SET %s WHERE \"uuid\" IN (%s) AND %s" % (
            HISTORY, _blanked(), targets, _holds_a_value()))
        connection.execute('UPDATE %s SET "reason" = ? WHERE "history_id" > ?' % HISTORY, (REASON, last))
        connection.execute('INSERT OR REPLACE INTO "%s" ("key", "value") VALUES (?, ?)' % gpkg.META_TABLE, (
            "last_anonymisation", json.dumps({"by": login, "sites": sites, "history_versions": versions})))
    return Anonymised(sites, versions)
