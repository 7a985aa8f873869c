"""init, info: create a store and describe it."""
import json

from ..i18n import pick
from ..model.schema import SCHEMA_VERSION
from ..store import open_store, create_store


def register(commands) -> None:
    init = commands.add_parser("init", help=pick("créer un stockage vide", "create an empty store"))
    init.add_argument("store", help=pick(
        "chemin du fichier .gpkg, ou base PostgreSQL : postgresql://…, service=…, qgis:NOM (connexion QGIS ; "
        "identifiants lus dans la base d'authentification de QGIS)",
        "path of the .gpkg file, or PostgreSQL database: postgresql://…, service=…, qgis:NAME (QGIS connection; "
        "credentials read from QGIS's authentication database)"))
    init.set_defaults(run=run_init)

    info = commands.add_parser("info", help=pick("version du schéma et nombre de lignes par table",
                                                 "schema version and row counts per table"))
    info.add_argument("store")
    info.add_argument("--json", action="store_true", help=pick("sortie JSON", "JSON output"))
    info.set_defaults(run=run_info)

    upgrade = commands.add_parser("upgrade", help=pick(
        "mettre un stockage (copie de travail et stockage partagé compris) au schéma de cette version du plugin",
        "bring a store (working copies and shared stores included) to this plugin version's schema"))
    upgrade.add_argument("store")
    upgrade.set_defaults(run=run_upgrade)


def run_init(arguments) -> int:
    store = create_store(arguments.store)
    print(pick("Stockage créé : %s (schéma version %d)", "Store created: %s (schema version %d)")
          % (store.location, store.version))
    return 0


def run_info(arguments) -> int:
    info = open_store(arguments.store).info()
    if arguments.json:
        print(json.dumps({"store": info.location, "kind": info.kind, "schema_version": info.schema_version,
                          "role": info.role, "read_only": info.read_only, "counts": info.counts},
                         ensure_ascii=False, indent=2))
        return 0
    print(pick("Stockage : %s", "Store: %s") % info.location)
    print(pick("Schéma : version %d (%s)", "Schema: version %d (%s)") % (info.schema_version, info.role))
    for table, count in info.counts.items():
        print("  %-24s %8d" % (table, count))
    return 0


def run_upgrade(arguments) -> int:
    from ..sync.upgrade import upgrade
    added = upgrade(arguments.store)
    if not added:
        print(pick("Le stockage est déjà à jour (schéma version %d).", "The store is up to date (schema version %d).")
              % SCHEMA_VERSION)
        return 0
    print(pick("Stockage mis à jour (schéma version %d), ajouté ou refait :",
               "Store upgraded (schema version %d), added or made again:")
          % SCHEMA_VERSION)
    for part in added:
        print("  " + part)
    return 0
