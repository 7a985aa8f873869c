"""actions, indicators, observatory: the dispositifs, their indicators summed, the operator's workbook."""
import getpass
import json
import sys

from ..exchange import observatory
from ..i18n import pick
from ..model import vocabularies as voc
from ..store import indicators_sql as sql
from ..store import open_store
from ..store.base import StoreError

EXIT_NOTHING_IMPORTED = 1
EXIT_CONFLICTS = 3


def register(commands) -> None:
    listing = commands.add_parser("actions", help=pick("les dispositifs, avec thématiques et opérateurs",
                                                       "the programmes, with their topics and operators"))
    listing.add_argument("store")
    listing.add_argument("--departement", metavar="CODE")
    listing.add_argument("--topic", metavar="CODE", choices=voc.ACTION_TOPIC.codes)
    listing.add_argument("--at", metavar="DATE", help=pick("actifs à cette date (AAAA-MM-JJ)",
                                                           "active at this date (YYYY-MM-DD)"))
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=run_actions)

    sums = commands.add_parser(
        "indicators", help=pick("indicateurs des dispositifs additionnés sur une période",
                                "programme indicators summed over a period"),
        epilog=pick("Flux additionnés sur les mois, stocks lus en fin de période ; les mois sans saisie d'un "
                    "dispositif actif sont comptés à part (missing_months), jamais comme 0.",
                    "Flows summed over the months, stocks read at the period's end; the months an active "
                    "programme entered nothing are counted apart (missing_months), never as 0."))
    sums.add_argument("store")
    sums.add_argument("--action", metavar="UUID")
    sums.add_argument("--departement", metavar="CODE")
    sums.add_argument("--from", dest="first", metavar="YYYY-MM")
    sums.add_argument("--to", dest="last", metavar="YYYY-MM")
    sums.add_argument("--by", choices=("action", "topic", "operator", "departement", "month", "quarter", "year"))
    sums.add_argument("--json", action="store_true")
    sums.set_defaults(run=run_indicators)

    local = commands.add_parser(
        "local-indicator", help=pick("créer un indicateur local d'un département",
                                     "create a local indicator of a département"))
    local.add_argument("store")
    local.add_argument("--departement", metavar="CODE", required=True)
    local.add_argument("--code", required=True, help=pick("code unique (ex. mediation_93)",
                                                         "unique code (e.g. mediation_93)"))
    local.add_argument("--label", required=True, help=pick("libellé en français", "French label"))
    local.add_argument("--label-en", help=pick("libellé en anglais", "English label"))
    local.add_argument("--kind", choices=voc.INDICATOR_KIND.codes, default="stock",
                       help=pick("stock (lu en fin de mois) ou flux (dans le mois)",
                                 "stock (read at month end) or flow (during the month)"))
    local.add_argument("--topic", choices=voc.ACTION_TOPIC.codes)
    local.add_argument("--unit")
    local.add_argument("--login", default=None)
    local.set_defaults(run=run_local_indicator)

    workbook = commands.add_parser(
        "observatory", help=pick("classeur mensuel de l'opérateur pour un dispositif et un mois",
                                 "the operator's monthly workbook for a programme and a month"))
    workbook.add_argument("store")
    workbook.add_argument("output")
    workbook.add_argument("--action", metavar="UUID", required=True)
    workbook.add_argument("--month", metavar="YYYY-MM", required=True)
    workbook.set_defaults(run=run_observatory)


def run_actions(arguments) -> int:
    store = open_store(arguments.store)
    with sql.connection_of(store) as connection:
        found = sql.actions(connection, departement=arguments.departement, topic=arguments.topic, at=arguments.at)
    rows = [{"uuid": a.uuid, "name": a.name, "departement": a.departement, "topics": list(a.topics),
             "operators": list(a.operators), "values_entered_by": a.values_entered_by,
             "started_at": a.started_at, "ended_at": a.ended_at} for a in found]
    if arguments.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for row in rows:
            print("%s  %-50s %s → %s  %s" % (row["uuid"], row["name"], row["started_at"], row["ended_at"] or "…",
                                            ", ".join(row["operators"])))
    return 0


def run_indicators(arguments) -> int:
    result = sql.indicator_sums(open_store(arguments.store), arguments.action, arguments.departement,
                                arguments.first, arguments.last, arguments.by)
    if arguments.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(pick("Du %s au %s ; mois sans saisie : %d", "From %s to %s; months with nothing entered: %d") % (
        result["from"], result["to"], result["missing_months"]))
    for code, value in result["total"].items():
        print("  %-28s %10d" % (code, value))
    for group in result["groups"]:
        print("%s (%d)" % (group["key"], group["missing_months"]))
        for code, value in group["total"].items():
            print("  %-28s %10d" % (code, value))
    return 0


def run_observatory(arguments) -> int:
    path = observatory.write_workbook(open_store(arguments.store), arguments.output, arguments.action,
                                      arguments.month)
    print(pick("Classeur écrit : %s", "Workbook written: %s") % path)
    return 0


def import_observatory(arguments) -> int:
    """`import` of a filled operator's workbook: preview, then one transaction."""
    store = open_store(arguments.store)
    preview = observatory.preview_workbook(store, arguments.file)
    for line in preview.summary():
        print(line)
    counts = preview.counts()
    if counts[observatory.INVALID]:
        print(pick("Rien n'a été importé : corrigez les cellules en erreur.",
                   "Nothing was imported: fix the cells with errors."), file=sys.stderr)
        return EXIT_NOTHING_IMPORTED
    if arguments.dry_run:
        print(pick("Essai à blanc : rien n'a été écrit.", "Dry run: nothing was written."))
        return 0
    choice = {None: None, "keep": False, "file": True}[getattr(arguments, "conflicts", None)]
    if counts[observatory.CONFLICT] and choice is None:
        print(pick("Conflits : rien n'a été importé. Relancez avec --conflicts keep (garder le stockage) ou "
                   "--conflicts file (prendre le fichier).",
                   "Conflicts: nothing was imported. Run again with --conflicts keep (keep the store) or "
                   "--conflicts file (take the file)."), file=sys.stderr)
        return EXIT_CONFLICTS
    written = observatory.apply_workbook(store, preview, arguments.login or getpass.getuser(), choice)
    print(pick("Importé (import: %s) : %d valeur(s) écrite(s)", "Imported (import: %s): %d value(s) written") % (
        preview.file_name, written))
    return 0


def run_local_indicator(arguments) -> int:
    store = open_store(arguments.store)
    with sql.connection_of(store) as connection:
        try:
            sql.add_local_indicator(connection, arguments.code, arguments.label, arguments.departement,
                                    arguments.kind, arguments.topic, arguments.unit,
                                    arguments.login or getpass.getuser(), arguments.label_en)
        except Exception as error:  # the store's rule (unique code, département given) says why
            if not sql.refused_by_store(error):
                raise
            raise StoreError("Indicateur refusé par le stockage : %s" % error,
                             "Indicator refused by the store: %s" % error) from error
    print(pick("Indicateur local créé : %s", "Local indicator created: %s") % arguments.code)
    return 0
