"""demo: fill a store with the demo data set (creating the store when the file does not exist)."""
from pathlib import Path

from ..demo import calibration
from ..i18n import pick
from ..store import create_store, open_store


def register(commands) -> None:
    demo = commands.add_parser(
        "demo", help=pick("remplir un stockage vide avec les données de démonstration",
                          "fill an empty store with the demo data"))
    demo.add_argument("store", help=pick("chemin du fichier .gpkg (créé s'il n'existe pas)",
                                         "path of the .gpkg file (created when missing)"))
    demo.add_argument("--sites", type=int, metavar="N",
                      help=pick("nombre de sites (défaut : %d au niveau national, ouverts et fermés, "
                                "ou la part du département)",
                                "number of sites (default: %d nationally, open and closed, "
                                "or the département's share)") % calibration.NATIONAL_SITES)
    demo.add_argument("--departement", metavar="CODE",
                      help=pick("un seul département (ex. 93, 2A, 974)", "one département only (e.g. 93, 2A, 974)"))
    demo.add_argument("--seed", type=int, default=calibration.DEFAULT_SEED,
                      help=pick("graine du tirage (mêmes données pour la même graine)",
                                "random seed (same data for the same seed)"))
    demo.add_argument("--history-months", type=int, default=0, metavar="N",
                      help=pick("écrire l'historique mensuel des sites sur N mois",
                                "write the sites' monthly history over N months"))
    demo.set_defaults(run=run_demo)


def run_demo(arguments) -> int:
    from ..demo.generator import generate

    created = not Path(arguments.store).exists()
    store = create_store(arguments.store) if created else open_store(arguments.store)
    try:
        summary = generate(store, sites=arguments.sites, departement=arguments.departement,
                           seed=arguments.seed, history_months=arguments.history_months)
    except BaseException:
        if created:  # a failed run leaves nothing behind, not even the empty store it made
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(store.location + suffix).unlink(missing_ok=True)
        raise
    print(pick("Données de démonstration écrites dans %s :", "Demo data written to %s:") % store.location)
    print(pick("  sites : %d (dont %d ouverts)", "  sites: %d (%d open)") % (summary.sites, summary.open_sites))
    print(pick("  personnes sur les sites ouverts : %d", "  people on open sites: %d") % summary.people)
    print(pick("  terrains d'insertion : %d", "  insertion sites: %d") % summary.insertion_sites)
    print(pick("  dispositifs : %d (%d structures)", "  programmes: %d (%d organisations)")
          % (summary.actions, summary.organisations))
    if summary.history_rows:
        print(pick("  versions antérieures des sites : %d", "  past versions of sites: %d") % summary.history_rows)
    print(pick("  en %.1f s", "  in %.1f s") % summary.seconds)
    return 0
