"""checkout, sync, conflicts, resolve: working copies of a shared store."""
import json

from ..i18n import pick
from ..store import open_store
from ..sync import MINE, THEIRS, WorkingCopy, checkout
from .sums import known_departement

EXIT_CONFLICTS = 3


def register(commands) -> None:
    make = commands.add_parser("checkout", help=pick("créer une copie de travail d'un stockage partagé",
                                                     "create a working copy of a shared store"))
    make.add_argument("shared", help=pick("stockage partagé : .gpkg, postgresql://…, service=… ou qgis:NOM "
                                          "(connexion PostgreSQL de QGIS)",
                                          "shared store: .gpkg, postgresql://…, service=… or qgis:NAME "
                                          "(QGIS PostgreSQL connection)"))
    make.add_argument("local", help=pick("fichier .gpkg à créer", ".gpkg file to create"))
    make.add_argument("--departement", action="append", required=True, metavar="CODE",
                      help=pick("département à copier (répétable)", "département to copy (repeatable)"))
    make.add_argument("--user", help=pick("identifiant de l'agent", "the officer's login"))
    make.set_defaults(run=run_checkout)

    sync = commands.add_parser("sync", help=pick("synchroniser une copie de travail",
                                                 "synchronise a working copy"))
    sync.add_argument("local")
    sync.add_argument("--user", help=pick("identifiant de l'agent", "the officer's login"))
    sync.set_defaults(run=run_sync)

    conflicts = commands.add_parser("conflicts", help=pick("lister les conflits en attente",
                                                           "list the pending conflicts"))
    conflicts.add_argument("local")
    conflicts.add_argument("--json", action="store_true", help=pick("sortie JSON", "JSON output"))
    conflicts.set_defaults(run=run_conflicts)

    resolve = commands.add_parser("resolve", help=pick("résoudre un conflit", "resolve a conflict"))
    resolve.add_argument("local")
    resolve.add_argument("uuid")
    resolve.add_argument("field")
    resolve.add_argument("choice", choices=(MINE, THEIRS))
    resolve.add_argument("--user", help=pick("identifiant de l'agent", "the officer's login"))
    resolve.set_defaults(run=run_resolve)


def run_checkout(arguments) -> int:
    departements = [known_departement(code) for code in arguments.departement]
    checkout(arguments.shared, arguments.local, departements, arguments.user)
    counts = open_store(arguments.local).info().counts
    print(pick("Copie de travail créée : %s (%d sites)", "Working copy created: %s (%d sites)")
          % (arguments.local, counts.get("sites", 0)))
    return 0


def _print_conflicts(conflicts) -> None:
    for conflict in conflicts:
        print("  %(table)s %(uuid)s %(field)s : base=%(base)r mine=%(mine)r theirs=%(theirs)r" % conflict)


def run_sync(arguments) -> int:
    with WorkingCopy(arguments.local) as copy:
        summary = copy.synchronise(arguments.user)
        print(pick("Reçus : %d, envoyés : %d, conflits : %d", "Received: %d, sent: %d, conflicts: %d")
              % (summary.received, summary.sent, summary.conflicts))
        if summary.conflicts:
            _print_conflicts(copy.conflicts())
            return EXIT_CONFLICTS
    return 0


def run_conflicts(arguments) -> int:
    with WorkingCopy(arguments.local) as copy:
        conflicts = copy.conflicts()
    if arguments.json:
        print(json.dumps(conflicts, ensure_ascii=False, indent=2))
    else:
        _print_conflicts(conflicts)
    return 0


def run_resolve(arguments) -> int:
    with WorkingCopy(arguments.local) as copy:
        copy.resolve(arguments.uuid, arguments.field, arguments.choice, arguments.user)
        remaining = len(copy.conflicts())
    print(pick("Conflit résolu ; %d restant(s).", "Conflict resolved; %d left.") % remaining)
    return 0
