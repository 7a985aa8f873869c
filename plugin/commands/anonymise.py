"""anonymise STORE [--dry-run]: blank the owners of sites closed for more than a year."""
import os

from ..i18n import pick
from ..model import access


def register(commands) -> None:
    parser = commands.add_parser("anonymise", help=pick(
        "anonymiser le propriétaire et les textes libres des sites fermés depuis plus d'un an (lignes actuelles "
        "et historique)",
        "anonymise the owner and the free texts of sites closed for more than a year (current rows and history)"))
    parser.add_argument("store", help=pick("stockage : .gpkg, postgresql://…, service=… ou qgis:NOM",
                                           "store: .gpkg, postgresql://…, service=… or qgis:NAME"))
    parser.add_argument("--dry-run", action="store_true", help=pick("compter sans rien changer",
                                                                    "count without changing anything"))
    parser.add_argument("--user", help=pick("identifiant de l'agent (GeoPackage)", "the officer's login (GeoPackage)"))
    parser.set_defaults(run=run_anonymise)


def run_anonymise(arguments) -> int:
    from ..store.anonymisation import anonymise
    done = anonymise(arguments.store, arguments.dry_run, arguments.user or os.environ.get("USER", ""))
    if arguments.dry_run:
        print(pick("À anonymiser (fermés depuis plus de %d jours) : %d site(s), %d version(s) d'historique.",
                   "To anonymise (closed for more than %d days): %d site(s), %d history version(s).")
              % (access.ANONYMISE_AFTER_DAYS, done.sites, done.versions))
    else:
        print(pick("Anonymisés : %d site(s), %d version(s) d'historique.",
                   "Anonymised: %d site(s), %d history version(s).") % (done.sites, done.versions))
    return 0
