"""export, import: the store to an .xlsx workbook, and sites from a spreadsheet into the store."""
import getpass
import sys

from ..i18n import pick
from ..store import open_store
from ..exchange.export import export_workbook
from ..exchange.importer import apply_import, preview_import
from ..exchange.observatory import is_observatory
from .dispositifs import import_observatory

EXIT_NOTHING_IMPORTED = 1


def register(commands) -> None:
    export = commands.add_parser(
        "export", help=pick("exporter sites, terrains d'insertion et dispositifs en .xlsx",
                            "export sites, insertion sites and programmes to .xlsx"))
    export.add_argument("store", help=pick("chemin du fichier .gpkg", "path of the .gpkg file"))
    export.add_argument("output", help=pick("fichier .xlsx à écrire", ".xlsx file to write"))
    export.add_argument("--at", metavar="DATE", help=pick(
        "situation à cette date, AAAA-MM-JJ (défaut : maintenant)", "state at this date, YYYY-MM-DD (default: now)"))
    export.add_argument("--departement", metavar="CODE", help=pick("département (ex. 93, 2A, 974)",
                                                                   "département (e.g. 93, 2A, 974)"))
    export.add_argument("--since", metavar="DATE", help=pick(
        "début de la feuille « Modifications » (défaut : un mois avant --at)",
        "start of the “Modifications” sheet (default: one month before --at)"))
    export.add_argument("--include-justice", action="store_true", help=pick(
        "inclure les procédures et l'identité du propriétaire (rôles qui y ont droit)",
        "include the procedures and the owner's identity (roles allowed to see them)"))
    export.set_defaults(run=run_export)

    importing = commands.add_parser(
        "import", help=pick("importer des sites depuis un export .xlsx (plateforme ou Résorption SIG)",
                            "import sites from an .xlsx export (national platform or Résorption SIG)"))
    importing.add_argument("store", help=pick("chemin du fichier .gpkg", "path of the .gpkg file"))
    importing.add_argument("file", help=pick("fichier .xlsx à importer", ".xlsx file to import"))
    importing.add_argument("--dry-run", action="store_true", help=pick(
        "afficher le rapport sans rien écrire", "print the report, write nothing"))
    importing.add_argument("--skip-invalid", action="store_true", help=pick(
        "importer les lignes valides même si d'autres sont en erreur",
        "import the valid rows even when others have errors"))
    importing.add_argument("--login", default=None, help=pick(
        "identifiant qui signe les modifications (défaut : l'utilisateur du système)",
        "login that signs the changes (default: the system user)"))
    importing.add_argument("--conflicts", choices=("keep", "file"), help=pick(
        "observatoire mensuel : valeurs modifiées des deux côtés, garder le stockage ou prendre le fichier",
        "monthly workbook: values changed on both sides, keep the store or take the file"))
    importing.set_defaults(run=run_import)


def run_export(arguments) -> int:
    store = open_store(arguments.store)
    result = export_workbook(store, arguments.output, at=arguments.at, departement=arguments.departement,
                             include_justice=arguments.include_justice, since=arguments.since)
    print(pick("Classeur écrit : %s", "Workbook written: %s") % result.path)
    for sheet, rows in result.rows.items():
        print("  %-24s %8d" % (sheet, rows))
    return 0


def run_import(arguments) -> int:
    if is_observatory(arguments.file):
        return import_observatory(arguments)
    store = open_store(arguments.store)
    preview = preview_import(store, arguments.file)
    for line in preview.summary():
        print(line)
    if preview.fatal:
        return EXIT_NOTHING_IMPORTED
    counts = preview.counts()
    if arguments.dry_run:
        print(pick("Essai à blanc : rien n'a été écrit.", "Dry run: nothing was written."))
        return 0 if len(preview.invalid) < len(preview.rows) else EXIT_NOTHING_IMPORTED
    login = arguments.login or getpass.getuser()
    result = apply_import(store, preview, login, skip_invalid=arguments.skip_invalid)
    print(pick("Importé (%s, par %s) : %d créés, %d mis à jour, %d inchangés, %d ignorés, %d en erreur",
               "Imported (%s, by %s): %d created, %d updated, %d unchanged, %d skipped, %d with errors") % (
        result.reason, login, result.created, result.updated, result.unchanged, result.skipped, result.invalid))
    if counts["invalid"] == len(preview.rows):
        print(pick("Aucune ligne n'a pu être importée.", "No row could be imported."), file=sys.stderr)
        return EXIT_NOTHING_IMPORTED
    return 0
