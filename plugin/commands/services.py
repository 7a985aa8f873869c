"""services: the directory of services near the sites, the ones to check first."""
import json

from ..i18n import pick
from ..model import services as model
from ..model import vocabularies as voc
from ..store import open_store
from ..store import services_sql
from ..store.base import StoreError


def register(commands) -> None:
    listing = commands.add_parser(
        "services", help=pick("services proches des sites (points d'eau, écoles, santé…), à vérifier d'abord",
                              "services near the sites (water points, schools, health…), those to check first"))
    listing.add_argument("store", help=pick("fichier .gpkg ou base PostgreSQL", ".gpkg file or PostgreSQL database"))
    listing.add_argument("--category", metavar="CODE",
                         help=pick("catégorie : ", "category: ") + ", ".join(voc.SERVICE_CATEGORY.codes))
    listing.add_argument("--to-check", action="store_true",
                         help=pick("seulement les services à vérifier", "only the services to check"))
    listing.add_argument("--check-months", type=int, default=model.DEFAULT_CHECK_MONTHS, metavar="N",
                         help=pick("délai après lequel un service est à vérifier (défaut : 6 mois)",
                                   "time after which a service is to be checked (default: 6 months)"))
    listing.add_argument("--json", action="store_true", help=pick("sortie JSON", "JSON output"))
    listing.set_defaults(run=run_services)


def run_services(arguments) -> int:
    if arguments.category is not None and arguments.category not in voc.SERVICE_CATEGORY.codes:
        codes = ", ".join(voc.SERVICE_CATEGORY.codes)
        raise StoreError("Catégorie inconnue : %s (codes : %s)" % (arguments.category, codes),
                         "Unknown category: %s (codes: %s)" % (arguments.category, codes))
    if arguments.check_months < 1:
        raise StoreError("--check-months doit valoir au moins 1", "--check-months must be at least 1")
    rows = services_sql.services(open_store(arguments.store), arguments.category, arguments.to_check,
                                 arguments.check_months)
    if arguments.json:
        print(json.dumps({"services": rows, "to_check": sum(1 for r in rows if r["to_check"])},
                         ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        print("%s %-16s %-40s %-20s %s" % ("⚠" if row["to_check"] else " ",
                                           pick(voc.SERVICE_CATEGORY.label(row["category"]),
                                                voc.SERVICE_CATEGORY.label_en(row["category"])),
                                           (row["name"] or "")[:40], (row["city_name"] or "")[:20],
                                           row["verified_at"] or pick("jamais vérifié", "never verified")))
    return 0
