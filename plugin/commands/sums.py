"""sums, history, activity: the derived figures at any date, the versions of a feature, the latest changes."""
import json
from typing import Dict, List, Optional

from ..i18n import language, pick
from ..model import figure_text
from ..model import sums as model
from ..model import vocabularies as voc
from ..model.territories import DEPARTEMENT_NAMES
from ..store import open_store
from ..store import history as store_history
from ..store import sums_sql
from ..store.base import StoreError

DATE_HELP = pick(
    "AAAA-MM-JJ (la fin de ce jour, 23:59:59.999 UTC) ou AAAA-MM-JJTHH:MM[:SS][Z|±HH:MM] "
    "(sans fuseau : heure locale)",
    "YYYY-MM-DD (the end of that day, 23:59:59.999 UTC) or YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM] "
    "(without a zone: local time)")

SUMS_EPILOG = pick(
    "Sortie JSON : {\"at\": instant, \"statuses\": [...], \"total\": bloc, \"groups\": [{\"key\": valeur, ...bloc}], "
    "\"insertion_sites\": {...}}. Un bloc donne les chiffres des sites dont le statut à la date est retenu "
    "(par défaut : ouverts) : %s ; une somme porte sur les valeurs connues et les sites où la valeur est "
    "inconnue sont comptés à part (%s). Avec --compare DATE2, \"compare\": DATE2 et chaque bloc ajoute %s "
    "(entre la plus ancienne et la plus récente des deux dates, jours de la première exclus, de la seconde "
    "inclus ; sites à la date = sites à DATE2 + ouverts − fermés, et de même pour les personnes avec "
    "population_variation), \"at_compare\" (les chiffres à DATE2) et \"change\" (chiffre à --at moins chiffre "
    "à DATE2) ; \"outcomes\" donne le devenir des habitants des sites fermés entre les deux dates, par solution, "
    "et les sites fermés sans devenir renseigné. "
    "Ouverture = date d'installation, à défaut de signalement, à défaut de création de la fiche ; avant la "
    "première version d'un site, son état est reconstitué à partir de ces dates et de sa date de fermeture ; "
    "résorbé = fermé avec « résorbé définitivement » = oui. Terrains d'insertion : %s."
    % (model.names_list(model.FIGURES), ", ".join(model.UNKNOWN_COUNTS), model.names_list(model.BETWEEN_FIGURES),
       model.names_list(model.INSERTION_FIGURES)),
    "JSON output: {\"at\": instant, \"statuses\": [...], \"total\": block, \"groups\": [{\"key\": value, ...block}], "
    "\"insertion_sites\": {...}}. A block gives the figures of the sites whose status at the date is selected "
    "(default: open): %s; a sum adds the known values and the sites where the value is unknown are counted "
    "apart (%s). With --compare DATE2, \"compare\": DATE2 and each block adds %s (between the earlier and the "
    "later date, the first one's day excluded, the second one's included; sites at the date = sites at DATE2 "
    "+ opened − closed, and the same for people with population_variation), \"at_compare\" (the figures at "
    "DATE2) and \"change\" (figure at --at minus figure at DATE2); \"outcomes\" gives where the people of the "
    "sites closed between the two dates went, by solution, and the closed sites with no recorded outcome. "
    "Opening = installation date, else reporting date, else the day the record was created; before a site's "
    "first version, its state is reconstructed from these dates and its closing date; resorbed = closed with "
    "\"permanently resorbed\" = yes. Insertion sites: %s."
    % (model.names_list(model.FIGURES), ", ".join(model.UNKNOWN_COUNTS), model.names_list(model.BETWEEN_FIGURES),
       model.names_list(model.INSERTION_FIGURES)))


def register(commands) -> None:
    sums = commands.add_parser(
        "sums", help=pick("sommes automatiques à une date, sur un territoire",
                          "derived figures at a date, over a territory"),
        epilog=SUMS_EPILOG)
    sums.add_argument("store", help=pick("chemin du fichier .gpkg", "path of the .gpkg file"))
    sums.add_argument("--at", metavar="DATE", help=pick("situation à cette date (défaut : maintenant) ; ",
                                                        "state at this date (default: now); ") + DATE_HELP)
    sums.add_argument("--compare", metavar="DATE", help=pick("date de comparaison ; ", "date to compare with; ")
                      + DATE_HELP)
    sums.add_argument("--departement", metavar="CODE", help=pick("département (ex. 93, 2A, 974)",
                                                                 "département (e.g. 93, 2A, 974)"))
    sums.add_argument("--insee", metavar="CODE", help=pick("code INSEE de la commune",
                                                           "INSEE code of the municipality"))
    sums.add_argument("--uuid", action="append", metavar="UUID",
                      help=pick("restreindre à ce site (répétable : une sélection)",
                                "only this site (repeatable: a selection)"))
    sums.add_argument("--bbox", metavar="XMIN,YMIN,XMAX,YMAX",
                      help=pick("emprise en WGS 84 (degrés)", "extent in WGS 84 (degrees)"))
    sums.add_argument("--by", choices=model.GROUPING_NAMES, help=pick("ventiler par", "split by"))
    sums.add_argument("--status", metavar="STATUTS",
                      help=pick("statuts retenus à la date : open (défaut), all, ou codes séparés par des "
                                "virgules ; avec --by status, all par défaut",
                                "statuses kept at the date: open (default), all, or comma-separated codes; "
                                "with --by status, all by default"))
    sums.add_argument("--out-of-date-months", type=int, default=model.DEFAULT_OUT_OF_DATE_MONTHS, metavar="N",
                      help=pick("un site est « non mis à jour » sans modification ni confirmation depuis N mois "
                                "(défaut 6)", "a site is out of date when neither updated nor confirmed for "
                                "N months (default 6)"))
    sums.add_argument("--json", action="store_true", help=pick("sortie JSON", "JSON output"))
    sums.set_defaults(run=run_sums)

    versions = commands.add_parser("history", help=pick("versions d'un objet, de la plus récente à la plus ancienne",
                                                        "versions of a feature, newest first"))
    versions.add_argument("store")
    versions.add_argument("uuid")
    versions.add_argument("--table", default="sites", help=pick("table de l'objet (défaut : sites)",
                                                                "table of the feature (default: sites)"))
    versions.add_argument("--json", action="store_true", help=pick("sortie JSON", "JSON output"))
    versions.add_argument("--include-justice", action="store_true", help=pick(
        "montrer aussi les procédures et l'identité du propriétaire (agents habilités)",
        "also show the procedures and the owner's identity (authorised officers)"))
    versions.set_defaults(run=run_history)

    feed = commands.add_parser("activity", help=pick("dernières modifications du stockage",
                                                     "latest changes in the store"))
    feed.add_argument("store")
    feed.add_argument("--person", help=pick("auteur des modifications", "author of the changes"))
    feed.add_argument("--since", metavar="DATE", help=pick("depuis (AAAA-MM-JJ : le début de ce jour)",
                                                           "from (YYYY-MM-DD: the start of that day)"))
    feed.add_argument("--until", metavar="DATE", help=DATE_HELP)
    feed.add_argument("--insee", metavar="CODE", help=pick("code INSEE de la commune", "INSEE code"))
    feed.add_argument("--limit", type=int, default=50)
    feed.add_argument("--json", action="store_true", help=pick("sortie JSON", "JSON output"))
    feed.set_defaults(run=run_activity)


def instant(text: Optional[str], start_of_day: bool = False) -> Optional[str]:
    if text is None:
        return None
    try:
        if start_of_day and model.is_day(text):
            return model.parse_instant(text)[:10] + "T00:00:00.000Z"
        return model.parse_instant(text)
    except model.InvalidDate as error:
        raise StoreError(error.message, error.message_en) from None


def known_departement(code: str) -> str:
    """`code` if it names a French département, else a StoreError (not an empty answer)."""
    if code not in DEPARTEMENT_NAMES:
        raise StoreError("Département inconnu : « %s » (ex. 93, 2A, 974)" % code,
                         "Unknown département: “%s” (e.g. 93, 2A, 974)" % code)
    return code


def territory(arguments) -> sums_sql.Territory:
    bbox = None
    if arguments.bbox:
        try:
            bbox = tuple(float(v) for v in arguments.bbox.split(","))
        except ValueError:
            bbox = ()
        if len(bbox) != 4:
            raise StoreError("Emprise invalide : « %s » (attendu XMIN,YMIN,XMAX,YMAX)" % arguments.bbox,
                             "Invalid extent: “%s” (expected XMIN,YMIN,XMAX,YMAX)" % arguments.bbox)
    departement = known_departement(arguments.departement) if arguments.departement is not None else None
    return sums_sql.Territory(departement, arguments.insee, arguments.uuid, bbox)


def statuses(arguments) -> Optional[List[str]]:
    text = arguments.status or ("all" if arguments.by == "status" else model.OPEN)
    if text == "all":
        return None
    codes = [c.strip() for c in text.split(",") if c.strip()]
    unknown = [c for c in codes if c not in voc.SITE_STATUS.codes]
    if unknown or not codes:
        raise StoreError("Statut inconnu : %s (codes : all, %s)" % (text, ", ".join(voc.SITE_STATUS.codes)),
                         "Unknown status: %s (codes: all, %s)" % (text, ", ".join(voc.SITE_STATUS.codes)))
    return codes


def run_sums(arguments) -> int:
    at, other = instant(arguments.at), instant(arguments.compare)
    place, kept = territory(arguments), statuses(arguments)
    if arguments.out_of_date_months < 1:
        raise StoreError("--out-of-date-months doit valoir au moins 1", "--out-of-date-months must be at least 1")
    store = open_store(arguments.store)
    with sums_sql.connection_of(store) as connection:
        if other is None:
            result = sums_sql.site_sums(connection, at, place, arguments.by, kept, arguments.out_of_date_months)
            output = {"at": result.at, "total": result.total,
                      "groups": [dict(key=key, **figures) for key, figures in result.groups]}
        else:
            output = sums_sql.compare(connection, at or model.now_instant(), other, place, arguments.by, kept,
                                      arguments.out_of_date_months)
            start, end = sorted((output["at"], output["compare"]))
            output["outcomes"] = sums_sql.outcomes_between(connection, start, end, place)
        output["statuses"] = kept if kept is not None else "all"
        output["insertion_sites"] = sums_sql.insertion_sums(connection, at, place)
    if arguments.json:
        print(json.dumps(output, ensure_ascii=False, indent=2))
    else:
        print_table(output, arguments.by)
    return 0


COLUMNS = model.shown_in(model.CLI, model.FIGURES)
MOVEMENTS = model.shown_in(model.CLI, model.BETWEEN_FIGURES)


def print_table(output: Dict, by: Optional[str]) -> None:
    english = language() == "en"
    print(pick("Situation au %s", "State at %s") % output["at"])
    if "compare" in output:
        print(pick("Comparée au %s", "Compared with %s") % output["compare"])
    grouping = next((g.text(english) for g in model.GROUPINGS if g.name == by), "")
    widths = [max(15, len(figure.short_label(english)) + 2) for figure in COLUMNS]
    print("%-22s" % grouping + "".join("%*s" % (width, figure.short_label(english))
                                       for width, figure in zip(widths, COLUMNS)))
    rows = [(key_label(by, g["key"]), g) for g in output["groups"]] + [("Total", output["total"])]
    for title, block in rows:
        print("%-22s" % title[:22] + "".join(
            "%*s" % (width, figure_text.number(figure_text.known_value(block, f.name), english, " "))
            for width, f in zip(widths, COLUMNS)))
        if "change" in block:
            print("%-22s" % pick("  évolution", "  change") + "".join(
                "%+*d" % (width, block["change"][figure.name]) for width, figure in zip(widths, COLUMNS)))
    notes = [figure_text.partial_note(output["total"], figure.name, english) for figure in COLUMNS]
    for figure, note in zip(COLUMNS, notes):
        if note:
            print("%s : %s" % (figure.text(english), note))
    if "compare" in output:
        total = output["total"]
        for figure in MOVEMENTS:
            print("%-36s %8d" % (figure.text(english), total[figure.name]))
        outcomes = output["outcomes"]
        for outcome in outcomes["outcomes"]:
            print(pick("  devenir : %-32s %6d personnes, %5d ménages (%d sites)",
                       "  went to: %-32s %6d people, %5d households (%d sites)") % (
                pick(voc.CLOSING_SOLUTION.label(outcome["solution"]), voc.CLOSING_SOLUTION.label_en(
                    outcome["solution"])), outcome["people"], outcome["households"], outcome["sites"]))
        if outcomes["not_recorded"]["sites"]:
            print(pick("  sites fermés sans devenir renseigné : %d (%d personnes)",
                       "  closed sites with no recorded outcome: %d (%d people)") % (
                outcomes["not_recorded"]["sites"], outcomes["not_recorded"]["population_total"]))
    insertion = output["insertion_sites"]
    for figure in model.shown_in(model.CLI, model.INSERTION_FIGURES):
        print("%-36s %8s" % (figure.text(english), insertion_text(insertion, figure.name, english)))


def insertion_text(insertion: Dict, name: str, english: bool) -> str:
    value = insertion[name]
    if name == "occupancy_rate":
        return pick("inconnu", "unknown") if value is None else "%.0f %%" % (100 * value)
    return figure_text.number(value, english, " ")


def key_label(by: Optional[str], key) -> str:
    if key is None:
        return "(inconnu)"
    if by == "status":
        return voc.SITE_STATUS.label(key) or key
    if by == "field_type":
        return voc.FIELD_TYPE.label(key) or key
    if by == "size_band":
        return next(b.label for b in model.SIZE_BANDS if b.name == key)
    return str(key)


def run_history(arguments) -> int:
    store = open_store(arguments.store)
    versions = store_history.history(store, arguments.table, arguments.uuid, arguments.include_justice)
    if arguments.json:
        print(json.dumps(versions, ensure_ascii=False, indent=2))
        return 0
    for version in versions:
        print("%s  %-8s %s" % (version["valid_from"], version["operation"], version["changed_by"] or ""))
        for field, (old, new) in version["changes"].items():
            print("    %s : %s → %s" % (field, "∅" if old is None else old, "∅" if new is None else new))
        for decision in version.get("resolutions", []):
            print("    " + pick("conflit résolu : %s → %s, par %s le %s",
                                "conflict resolved: %s → %s, by %s on %s") % (
                decision["field"], decision["choice"], decision["resolved_by"] or "?", decision["resolved_at"]))
    return 0


def run_activity(arguments) -> int:
    store = open_store(arguments.store)
    events = store_history.activity(store, arguments.limit, arguments.person,
                                    instant(arguments.since, start_of_day=True),
                                    instant(arguments.until), arguments.insee)
    if arguments.json:
        print(json.dumps(events, ensure_ascii=False, indent=2))
        return 0
    for event in events:
        print("%s  %-8s %-22s %-16s %s %s" % (event["at"], event["operation"], event["table"],
                                              event["changed_by"] or "", event["insee_code"] or "",
                                              event["label"] or event["uuid"]))
    return 0
