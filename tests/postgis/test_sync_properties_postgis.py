"""The sync's promise as a stateful property against a shared PostGIS store (tests/unit/sync_machine.py)."""
import itertools
import shutil
from pathlib import Path

import psycopg2
import pytest
from hypothesis.stateful import run_state_machine_as_test

from plugin.sync import checkout
from sync_machine import COMMUNE, LOGINS, SCOPES, SEED, Backend, copies_of, machine_on, numbered_uuid, settings_for

pytestmark = pytest.mark.postgis


class PostGISBackend(Backend):
    """A database cloned from a template for each example, with copies checked out once."""

    def __init__(self, cluster, folder: Path):
        self.cluster, self.folder = cluster, folder
        cluster.sql("CREATE DATABASE machine_template TEMPLATE store_template")
        template_uri = cluster.uri("machine_template")
        connection = psycopg2.connect(template_uri)
        with connection, connection.cursor() as cursor:
            cursor.execute("SELECT set_config('app.user', 'seed', true)")
            for position, (name, departement) in enumerate(SEED):
                cursor.execute("INSERT INTO sites (uuid, name, departement, insee_code, population_total, geom) "
                               "VALUES (%s, %s, %s, %s, 10, ST_SetSRID(ST_MakePoint(%s, 48.93), 4326))",
                               (numbered_uuid(position), name, departement, COMMUNE[departement],
                                2.36 + position / 100))
        connection.close()
        self.template = folder / "template"
        self.template.mkdir()
        for index, login in enumerate(LOGINS):
            checkout(template_uri, str(self.template / ("%s.gpkg" % login)), SCOPES[index], login)
        self.numbers = itertools.count()

    def fresh(self, count):
        number = next(self.numbers)
        self.cluster.sql("CREATE DATABASE machine_%d TEMPLATE machine_template" % number)
        uri = self.cluster.uri("machine_%d" % number)
        target = self.folder / ("example%d" % number)
        target.mkdir()
        return uri, copies_of(self.template, target, count, uri)

    def discard(self, location, paths):
        self.cluster.sql("DROP DATABASE %s" % location.rsplit("/", 1)[1])
        shutil.rmtree(Path(paths[0]).parent, ignore_errors=True)


@pytest.fixture(scope="module")
def backend(cluster, tmp_path_factory):
    return PostGISBackend(cluster, tmp_path_factory.mktemp("machine"))


def test_the_sync_keeps_its_promise_with_a_shared_postgis_store(backend):
    run_state_machine_as_test(machine_on(backend), settings=settings_for(examples=10, steps=40))
