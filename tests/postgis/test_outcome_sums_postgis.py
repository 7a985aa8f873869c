"""The outcomes of the closed sites, computed by PostgreSQL: the same figures as on a GeoPackage."""
import psycopg2
import pytest

from plugin.model import sums as model
from plugin.store import open_store, sums_sql
from sync_helpers import new_uuid
from test_outcome_sums import SITES, expected_since_2026

pytestmark = pytest.mark.postgis


def test_postgres_gives_the_same_outcomes(shared_uri):
    connection = psycopg2.connect(shared_uri)
    with connection, connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.user', 'test', true)")
        for name, departement, status, closed_at, people, outcomes in SITES:
            uuid = new_uuid()
            cursor.execute(
                "INSERT INTO sites (uuid, name, departement, insee_code, population_total, status, closed_at, "
                "built_at, geom) VALUES (%s, %s, %s, %s, %s, %s, %s, '2023-05-01', "
                "ST_SetSRID(ST_MakePoint(2.4, 48.9), 4326))",
                (uuid, name, departement, "93066" if departement == "93" else "13055", people, status, closed_at))
            for solution, moved, households in outcomes:
                cursor.execute("INSERT INTO site_closing_outcomes (uuid, site_uuid, solution, people, households) "
                               "VALUES (%s, %s, %s, %s, %s)", (new_uuid(), uuid, solution, moved, households))
    connection.close()
    now = model.now_instant()
    assert sums_sql.outcomes_between(open_store(shared_uri), "2026-01-01", now) == expected_since_2026(now)
