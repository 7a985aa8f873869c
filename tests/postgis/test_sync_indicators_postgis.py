"""The dispositifs' monthly values through a shared PostGIS store (the scenario of
tests/unit/test_sync_indicators.py): different months arrive, the same month entered differently
is a conflict."""
import contextlib

import psycopg2
import pytest

from plugin.store import indicators_sql as sql
from test_sync_indicators import ACTION, scenario

pytestmark = pytest.mark.postgis


def test_two_copies_of_a_postgis_store_enter_months_of_the_same_dispositif(shared_uri, tmp_path):
    with contextlib.closing(psycopg2.connect(shared_uri)) as connection:
        with connection, connection.cursor() as cursor:
            cursor.execute("INSERT INTO actions (uuid, name, started_at, goals, departement) VALUES "
                           "(%s, 'MOUS Bobigny', '2025-01-01', 'Accompagner', '93')", (ACTION,))

    def shared_values(uri):
        with contextlib.closing(psycopg2.connect(uri)) as connection:
            return {key: cell.value for key, cell in sql.grid(connection, ACTION).items()}
    scenario(shared_uri, shared_values, tmp_path)
