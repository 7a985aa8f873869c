"""The Synthèse's far-sites line on a shared PostGIS store: the same counts as on a GeoPackage."""
import math

import psycopg2

from plugin.model import services as model
from plugin.store import open_store, services_sql
from plugin.store.sums_sql import Territory


def _insert(cursor, table, lon, lat, **row):
    cursor.execute("INSERT INTO %s (%s, geom) VALUES (%s, ST_SetSRID(ST_MakePoint(%%s, %%s), 4326))" % (
        table, ", ".join(row), ", ".join("%s" for _ in row)), list(row.values()) + [lon, lat])


def test_the_synthesis_counts_the_open_sites_far_from_a_school_and_from_a_water_point(shared_uri):
    metres_per_degree = math.pi * model.EARTH_RADIUS_M / 180
    with psycopg2.connect(shared_uri) as connection, connection.cursor() as cursor:
        for metres in (0, 900, 1900, 2100, 2500):
            _insert(cursor, "sites", 2.36, 48.93 + metres / metres_per_degree, name="à %d m" % metres,
                    departement="93", insee_code="93066", status="open")
        _insert(cursor, "sites", 2.36, 48.99, name="fermé", departement="93", insee_code="93066",
                status="resorbed", closed_at="2026-01-01")
        _insert(cursor, "sites", 2.36, 48.99, name="ailleurs", departement="94", insee_code="94028", status="open")
        _insert(cursor, "services", 2.36, 48.93, category="school", name="École")
        _insert(cursor, "services", 2.36, 48.93, category="water", name="Borne")
    store = open_store(shared_uri)
    rows = {row["category"]: row for row in services_sql.far_sites(store, territory=Territory(departement="93"))}
    assert (rows["school"]["sites"], rows["school"]["sites_far"], rows["school"]["threshold_m"]) == (5, 2, 2000)
    assert (rows["water"]["sites"], rows["water"]["sites_far"], rows["water"]["threshold_m"]) == (5, 3, 1000)
    assert services_sql.far_sites(store)[0]["sites"] == 6
    assert services_sql.far_sites(store, categories=("health",)) == []


def test_services_follow_the_access_rights_like_every_table(shared_uri):
    """Row-level security and append-only history reach the services table too."""
    with psycopg2.connect(shared_uri) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT relname, relrowsecurity FROM pg_class WHERE relname IN ('services', 'services_history') "
                       "ORDER BY 1")
        assert cursor.fetchall() == [("services", True), ("services_history", True)]
        cursor.execute("SELECT count(*) FROM pg_policies WHERE tablename = 'services'")
        assert cursor.fetchone()[0] > 0
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'services_history'::regclass "
                       "AND tgname LIKE '%append_only%'")
        assert cursor.fetchone()[0] > 0
