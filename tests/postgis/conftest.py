"""A throwaway PostgreSQL 15 + PostGIS cluster for the tests of this folder.

initdb in a temporary folder (as user postgres when run as root), pg_ctl on
127.0.0.1 and a free port, trust authentication; removed at the end. Each test
gets a fresh database cloned from a template that already holds the store.
"""
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

BIN = Path("/usr/lib/postgresql/15/bin")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))  # sync_helpers

pytestmark = pytest.mark.postgis


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_postgres(arguments, **kw):
    if os.geteuid() == 0:
        arguments = ["runuser", "-u", "postgres", "--"] + [str(a) for a in arguments]
    return subprocess.run(arguments, check=True, capture_output=True, text=True, **kw)


class Cluster:
    def __init__(self):
        if not (BIN / "initdb").exists():
            pytest.skip("PostgreSQL 15 is not installed")
        self.folder = Path(tempfile.mkdtemp(prefix="rs_pg_"))
        self.data = self.folder / "data"
        self.port = _free_port()
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.folder, user.pw_uid, user.pw_gid)
        _as_postgres([BIN / "initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                      "--no-sync", "--locale=C.UTF-8"])
        self.start()
        self.names = itertools.count()

    def start(self):
        _as_postgres([BIN / "pg_ctl", "-D", self.data, "-w", "-l", self.folder / "log", "start", "-o",
                      "-h 127.0.0.1 -p %d -k %s -c fsync=off -c synchronous_commit=on -c full_page_writes=off"
                      % (self.port, self.folder)])

    def stop(self, mode="fast"):
        _as_postgres([BIN / "pg_ctl", "-D", self.data, "-w", "-m", mode, "stop"])

    def uri(self, database="postgres"):
        return "postgresql://postgres@127.0.0.1:%d/%s" % (self.port, database)

    def sql(self, statement, database="postgres"):
        import psycopg2
        connection = psycopg2.connect(self.uri(database))
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement)
                return cursor.fetchall() if cursor.description else None
        finally:
            connection.close()

    def remove(self):
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def cluster():
    cluster = Cluster()
    try:
        cluster.sql("CREATE DATABASE store_template")
        from plugin.store import create_store
        create_store(cluster.uri("store_template"))
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture
def shared_uri(cluster):
    """A fresh shared PostGIS store (cloned from the template)."""
    name = "store_%d" % next(cluster.names)
    cluster.sql("CREATE DATABASE %s TEMPLATE store_template" % name)
    return cluster.uri(name)
