"""Five real logins of the access tests and a store seeded with sites of three départements, two
dispositifs of Seine-Saint-Denis and an owner's identity, as the owner (postgres) would load them."""
import contextlib

import psycopg2

from plugin import cli

SITE_93 = "00000000-0000-4000-8000-000000000093"
SITE_93B = "00000000-0000-4000-8000-000000000930"
SITE_75 = "00000000-0000-4000-8000-000000000075"
SITE_13 = "00000000-0000-4000-8000-000000000013"
ORGANISATION = "00000000-0000-4000-8000-0000000000a1"
OTHER_ORGANISATION = "00000000-0000-4000-8000-0000000000a2"
ACTION = "00000000-0000-4000-8000-0000000000b1"
OTHER_ACTION = "00000000-0000-4000-8000-0000000000b2"
OWNER = "SCI Les Tilleuls"

# login → the grant's command-line options
LOGINS = {
    "ed93": ["--role", "editor", "--departement", "93"],
    "ed93j": ["--role", "editor", "--departement", "93", "--justice"],
    "idf": ["--role", "reader", "--region", "11"],
    "op93": ["--role", "operator", "--departement", "93", "--organisation", ORGANISATION],
    "adm": ["--role", "admin", "--national"],
}


def as_login(uri: str, login: str) -> str:
    return uri.replace("postgresql://postgres@", "postgresql://%s@" % login)


@contextlib.contextmanager
def session(uri, login=None, app_user=None):
    """A transaction of `login` connected as itself (committed unless it fails)."""
    connection = psycopg2.connect(as_login(uri, login) if login else uri)
    try:
        with connection, connection.cursor() as cursor:
            if app_user:
                cursor.execute("SELECT set_config('app.user', %s, true)", (app_user,))
            yield cursor
    finally:
        connection.close()


def rows(uri, login, sql, *parameters):
    with session(uri, login) as cursor:
        cursor.execute(sql, parameters)
        return cursor.fetchall()


def create_logins(cluster) -> None:
    for login in LOGINS:
        if not cluster.sql("SELECT 1 FROM pg_roles WHERE rolname = '%s'" % login):
            cluster.sql("CREATE ROLE %s LOGIN" % login)


def seed(uri) -> None:
    with session(uri, app_user="seed") as cursor:
        for uuid, name, departement, insee, lon, lat in (
                (SITE_93, "Les Prés", "93", "93066", 2.36, 48.93), (SITE_93B, "La Gare", "93", "93066", 2.4, 48.92),
                (SITE_75, "Porte de la Chapelle", "75", "75118", 2.36, 48.9),
                (SITE_13, "Saint-Henri", "13", "13216", 5.33, 43.36)):
            cursor.execute(
                "INSERT INTO sites (uuid, name, departement, insee_code, population_total, owner_type, owner, "
                "police_status, geom) VALUES (%s, %s, %s, %s, 20, 'private', %s, 'requested', "
                "ST_SetSRID(ST_MakePoint(%s, %s), 4326))", (uuid, name, departement, insee, OWNER, lon, lat))
        cursor.execute("UPDATE sites SET population_total = 25")  # one history version each
        for uuid, name in ((ORGANISATION, "Association Rues"), (OTHER_ORGANISATION, "Association Toits")):
            cursor.execute("INSERT INTO organisations (uuid, name, type, departement) VALUES "
                           "(%s, %s, 'association', '93')", (uuid, name))
        for uuid, organisation in ((ACTION, ORGANISATION), (OTHER_ACTION, OTHER_ORGANISATION)):
            cursor.execute("INSERT INTO actions (uuid, name, started_at, goals, departement) VALUES "
                           "(%s, 'MOUS', '2026-01-01', 'Accès aux droits', '93')", (uuid,))
            cursor.execute("INSERT INTO action_organisations (action_uuid, organisation_uuid, role) VALUES "
                           "(%s, %s, 'operator')", (uuid, organisation))


def grant_all(uri) -> None:
    for login, options in LOGINS.items():
        assert cli.main(["access", uri, "grant", login] + options) == 0


def indicator(uri) -> str:
    return rows(uri, None, "SELECT uuid FROM indicator_definitions WHERE code = 'people'")[0][0]
