"""QGIS's saved PostgreSQL connections as shared stores.

A store reached through a QGIS connection is remembered by a location that
holds no secret, "qgis:NAME" (the connection's name), as in a working copy's
rs_sync_state. Each time it is opened, the
host, port, database, service and SSL mode come from the connection, and the
user and password from the connection itself or, when it has an
authentication configuration (authcfg), from QGIS's authentication database.
They stay in memory, in the psycopg2 call; nothing here logs or stores them.

Inside QGIS the application is QGIS itself. From the command line, a headless
QgsApplication is started on the user's QGIS profile (the same settings and
authentication database as QGIS desktop); the master password comes from the
file named by QGIS_AUTH_PASSWORD_FILE, as QGIS reads it, or is asked with
getpass (never echoed).
"""
import atexit
import getpass
import os
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from ..store import QGIS_CONNECTION as PREFIX
from ..store import use_qgis_connections
from ..store.base import StoreError

PROVIDER = "postgres"
BASIC_METHOD = "Basic"
# Where QGIS desktop keeps its profiles (in profiles/), unless QGIS_CUSTOM_CONFIG_PATH says otherwise.
DEFAULT_CONFIG = Path.home() / ".local" / "share" / "QGIS" / "QGIS3"

_headless = None  # the QgsApplication started here for a command, if any


class QgisConnectionError(StoreError):
    """A QGIS connection that cannot give its parameters (unknown, authcfg missing, locked)."""


def location_of(name: str) -> str:
    return PREFIX + name


def name_of(location: str) -> Optional[str]:
    return location[len(PREFIX):] if location.startswith(PREFIX) else None


# --- the application ------------------------------------------------------------------------

def profile_folder() -> Path:
    """The QGIS profile the command reads, found as QGIS desktop finds it: under QGIS_CUSTOM_CONFIG_PATH
    (what --profiles-path sets) or QGIS's default folder, the profile named by QGIS_PROFILE or else the
    default one of profiles.ini."""
    from qgis.core import QgsUserProfileManager
    base = os.environ.get("QGIS_CUSTOM_CONFIG_PATH") or str(DEFAULT_CONFIG)
    root = QgsUserProfileManager.resolveProfilesFolder(base)
    name = os.environ.get("QGIS_PROFILE") or QgsUserProfileManager(root).defaultProfileName() or "default"
    return Path(root) / name


def ensure_application():
    """QGIS's application: the running one, or a headless one on the user's profile (command line)."""
    global _headless
    try:
        from qgis.core import QgsApplication
        from qgis.PyQt.QtCore import QCoreApplication, QSettings
    except ImportError:
        raise StoreError("PyQGIS est introuvable : les connexions QGIS demandent le Python de QGIS.",
                         "PyQGIS not found: QGIS connections need QGIS's Python.") from None
    if QgsApplication.instance() is not None:
        return QgsApplication.instance()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    folder = profile_folder()
    # As QGIS desktop does: its settings are <profile>/QGIS/QGIS3.ini.
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    QCoreApplication.setOrganizationName("QGIS")
    QCoreApplication.setOrganizationDomain("qgis.org")
    QCoreApplication.setApplicationName("QGIS3")
    _headless = QgsApplication([], False, str(folder))
    _headless.initQgis()
    atexit.register(_headless.exitQgis)
    return _headless


# --- connections --------------------------------------------------------------------------------

def _connections() -> Dict[str, object]:
    from qgis.core import QgsProviderRegistry
    ensure_application()
    metadata = QgsProviderRegistry.instance().providerMetadata(PROVIDER)
    return metadata.connections() if metadata is not None else {}


def connection_names() -> List[str]:
    """The names of QGIS's saved PostgreSQL connections, sorted."""
    return sorted(_connections(), key=str.casefold)


def _uri(name: str):
    from qgis.core import QgsDataSourceUri
    connections = _connections()
    if name not in connections:
        raise QgisConnectionError(
            "La connexion PostgreSQL « %s » n'existe pas dans QGIS (connexions : %s)."
            % (name, ", ".join(sorted(connections)) or "aucune"),
            "There is no PostgreSQL connection \"%s\" in QGIS (connections: %s)."
            % (name, ", ".join(sorted(connections)) or "none"))
    return QgsDataSourceUri(connections[name].uri())


def auth_config_id(name: str) -> str:
    """The connection's authcfg ('' when it keeps its user in its own settings)."""
    return _uri(name).authConfigId()


def register() -> None:
    """Let the stores reach "qgis:NAME" locations (undone by store.use_qgis_connections(None))."""
    use_qgis_connections(connection_parameters)


def layer_source(name: str, schema: str, relation: str, geometry: Optional[str]) -> str:
    """The QGIS data source of a table or view through the QGIS connection `name` (its authentication
    configuration, not its password, goes into the source)."""
    uri = _uri(name)
    uri.setDataSource(schema, relation, geometry or "", "", "fid")
    return uri.uri(False)


def connection_parameters(name: str) -> Dict[str, str]:
    """psycopg2.connect() keyword arguments for the QGIS connection `name`, credentials included:
    for the call only, never to be logged or kept."""
    from qgis.core import QgsDataSourceUri
    uri = _uri(name)
    parameters = {}
    for key, value in (("service", uri.service()), ("host", uri.host()), ("port", uri.port()),
                       ("dbname", uri.database())):
        if value:
            parameters[key] = value
    mode = QgsDataSourceUri.encodeSslMode(uri.sslMode())
    if mode:
        parameters["sslmode"] = mode
    user, password = uri.username(), uri.password()
    if uri.authConfigId():
        user, password = _credentials(name, uri.authConfigId())
    if user:
        parameters["user"] = user
    if password:
        parameters["password"] = password
    return parameters


# --- the authentication database -----------------------------------------------------------------

def _in_main_thread() -> bool:
    from qgis.PyQt.QtCore import QCoreApplication, QThread
    application = QCoreApplication.instance()
    return application is not None and QThread.currentThread() == application.thread()


def _password_from_file() -> Optional[str]:
    path = os.environ.get("QGIS_AUTH_PASSWORD_FILE")
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as stream:
            return stream.readline().rstrip("\r\n")
    except OSError as error:
        raise QgisConnectionError(
            "Le fichier du mot de passe principal (QGIS_AUTH_PASSWORD_FILE) est illisible : %s" % error.strerror,
            "The master password file (QGIS_AUTH_PASSWORD_FILE) cannot be read: %s" % error.strerror) from None


def _wrong_master_password() -> QgisConnectionError:
    return QgisConnectionError(
        "Mot de passe principal de QGIS incorrect : la base d'authentification reste verrouillée.",
        "Wrong QGIS master password: the authentication database stays locked.")


def unlock() -> bool:
    """Make sure QGIS's authentication database is unlocked: inside QGIS, QGIS asks for the master
    password (in the GUI thread, before a task needs it); on the command line, the file of
    QGIS_AUTH_PASSWORD_FILE or a getpass prompt. False when the user gave up (QGIS)."""
    from qgis.core import QgsApplication
    manager = QgsApplication.authManager()
    if manager.masterPasswordIsSet():
        return True
    if _headless is None:
        if not _in_main_thread():
            raise QgisConnectionError(
                "La base d'authentification de QGIS est verrouillée : saisissez d'abord le mot de passe principal.",
                "QGIS's authentication database is locked: enter the master password first.")
        return bool(manager.setMasterPassword(True))
    password = _password_from_file()
    if password is None:
        password = getpass.getpass("Mot de passe principal de QGIS / QGIS master password: ")
    if not manager.setMasterPassword(password, True):
        raise _wrong_master_password()
    return True


def needs_unlocking(name: str) -> bool:
    """True when opening the connection will need QGIS's master password, not yet given."""
    from qgis.core import QgsApplication
    return bool(auth_config_id(name)) and not QgsApplication.authManager().masterPasswordIsSet()


def _credentials(name: str, authcfg: str) -> Tuple[str, str]:
    from qgis.core import QgsApplication, QgsAuthMethodConfig
    manager = QgsApplication.authManager()
    if manager.isDisabled():
        raise QgisConnectionError(
            "Le système d'authentification de QGIS est indisponible : %s" % manager.disabledMessage(),
            "QGIS's authentication system is unavailable: %s" % manager.disabledMessage())
    if authcfg not in manager.configIds():
        raise QgisConnectionError(
            "La connexion « %s » utilise la configuration d'authentification %s, absente de la base "
            "d'authentification de QGIS." % (name, authcfg),
            "The connection \"%s\" uses the authentication configuration %s, which is not in QGIS's "
            "authentication database." % (name, authcfg))
    if not unlock():
        raise QgisConnectionError(
            "Mot de passe principal de QGIS non saisi : connexion « %s » impossible." % name,
            "QGIS master password not given: cannot use the connection \"%s\"." % name)
    config = QgsAuthMethodConfig()
    if not manager.loadAuthenticationConfig(authcfg, config, True) or not config.isValid(True):
        raise _wrong_master_password()
    if config.method() != BASIC_METHOD:
        raise QgisConnectionError(
            "La configuration d'authentification %s de la connexion « %s » est de type %s ; seul le type "
            "« Basic » (identifiant et mot de passe) est pris en charge." % (authcfg, name, config.method()),
            "The authentication configuration %s of the connection \"%s\" is of type %s; only \"Basic\" "
            "(user name and password) is supported." % (authcfg, name, config.method()))
    return config.config("username"), config.config("password")

