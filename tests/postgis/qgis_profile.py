"""Helpers of the QGIS-connection tests: a role that must give its password, a QGIS profile or
the running QGIS holding a PostgreSQL connection whose credentials sit in the authentication database."""
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OFFICER = "rs_officer"
OFFICER_PASSWORD = "Pw-of-the-officer-4711"
MASTER_PASSWORD = "master-of-the-tests-0815"
CONNECTION = "Serveur DDETS (tests)"
# A connection whose authentication configuration is not in the authentication database.
LOST_AUTHCFG_CONNECTION, LOST_AUTHCFG = "Ancien serveur", "zz00zz0"


def require_password(cluster) -> None:
    """The officer's role logs in with its password only (the other roles keep the trust of the cluster)."""
    if cluster.sql("SELECT 1 FROM pg_roles WHERE rolname = '%s'" % OFFICER):
        return
    cluster.sql("CREATE ROLE %s LOGIN PASSWORD '%s'" % (OFFICER, OFFICER_PASSWORD))
    hba = Path(cluster.sql("SHOW hba_file")[0][0])
    hba.write_text("host all %s 127.0.0.1/32 scram-sha-256\n" % OFFICER + hba.read_text())
    cluster.sql("SELECT pg_reload_conf()")


def officer_database(cluster, name: str) -> None:
    """An empty database owned by the officer, PostGIS installed (that needs a superuser)."""
    cluster.sql("CREATE DATABASE %s OWNER %s" % (name, OFFICER))
    cluster.sql("CREATE EXTENSION postgis", name)


def add_connection(cluster, database: str, name: str = CONNECTION, password: str = OFFICER_PASSWORD,
                   authcfg=None) -> str:
    """In the running QGIS: an authentication configuration (Basic) with the officer's user and password and
    a PostgreSQL connection that uses it. Returns the authcfg id."""
    from qgis.core import QgsApplication, QgsAuthMethodConfig, QgsDataSourceUri, QgsProviderRegistry
    manager = QgsApplication.authManager()
    if authcfg is None:
        assert manager.setMasterPassword(MASTER_PASSWORD, True), "the master password of the tests is refused"
        config = QgsAuthMethodConfig()
        config.setName("Résorption SIG tests")
        config.setMethod("Basic")
        config.setConfig("username", OFFICER)
        config.setConfig("password", password)
        stored = manager.storeAuthenticationConfig(config)
        assert stored[0] if isinstance(stored, tuple) else stored
        authcfg = config.id()
    uri = QgsDataSourceUri()
    uri.setConnection("127.0.0.1", str(cluster.port), database, "", "", QgsDataSourceUri.SslMode.SslDisable, authcfg)
    metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
    metadata.saveConnection(metadata.createConnection(uri.uri(False), {}), name)
    return authcfg


def remove_connection(name: str, authcfg: str) -> None:
    from qgis.core import QgsApplication, QgsProviderRegistry
    QgsProviderRegistry.instance().providerMetadata("postgres").deleteConnection(name)
    if authcfg:
        QgsApplication.authManager().removeAuthenticationConfig(authcfg)


def make_profile(cluster, profiles: Path, database: str) -> Path:
    """A QGIS configuration folder (QGIS_CUSTOM_CONFIG_PATH: its profiles/default as QGIS desktop keeps it)
    with the connections; returns the master password file."""
    script = textwrap.dedent("""
        import os, sys
        sys.path[:0] = [%r, %r]
        os.environ["QGIS_CUSTOM_CONFIG_PATH"] = %r
        from plugin.layers import pg_connections
        from qgis_profile import add_connection

        class Cluster:
            port = %d

        pg_connections.ensure_application()
        add_connection(Cluster, %r)
        add_connection(Cluster, %r, name=%r, authcfg=%r)
        """) % (str(REPO), str(Path(__file__).parent), str(profiles), cluster.port, database, database,
               LOST_AUTHCFG_CONNECTION, LOST_AUTHCFG)
    subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True, cwd=str(REPO),
                   env=_environment())
    master = profiles / "master.txt"
    master.write_text(MASTER_PASSWORD + "\n", encoding="utf-8")
    return master


def _environment() -> dict:
    import os
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for name in ("QGIS_AUTH_PASSWORD_FILE", "QGIS_CUSTOM_CONFIG_PATH", "QGIS_AUTH_DB_DIR_PATH"):
        environment.pop(name, None)
    return environment


def run_cli(arguments, profiles: Path, password_file=None, stdin: str = ""):
    environment = _environment()
    environment["QGIS_CUSTOM_CONFIG_PATH"] = str(profiles)
    if password_file is not None:
        environment["QGIS_AUTH_PASSWORD_FILE"] = str(password_file)
    return subprocess.run([sys.executable, "-m", "plugin"] + list(arguments), capture_output=True, text=True,
                          cwd=str(REPO), env=environment, input=stdin, timeout=120)
