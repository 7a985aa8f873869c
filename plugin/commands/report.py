"""report: the COPIL map (or its atlas) of a territory at a date, as a PDF, without QGIS's window."""
import gc
import os
import time
from typing import Optional

from ..exchange.outputs import check_not_an_input
from ..i18n import pick
from ..store import open_store
from ..store.base import StoreError
from .sums import DATE_HELP, instant


def register(commands) -> None:
    report = commands.add_parser(
        "report", help=pick("carte COPIL en PDF (sites, terrains d'insertion, chiffres, évolution)",
                            "COPIL map as a PDF (sites, insertion sites, figures, trend)"))
    report.add_argument("store", help=pick("chemin du fichier .gpkg", "path of the .gpkg file"))
    report.add_argument("output", metavar="OUT.pdf", help=pick("fichier PDF à écrire", "PDF file to write"))
    report.add_argument("--departement", required=True, metavar="CODE",
                        help=pick("département (ex. 93, 2A, 974)", "département (e.g. 93, 2A, 974)"))
    report.add_argument("--insee", action="append", metavar="CODE",
                        help=pick("restreindre à cette commune du département (répétable)",
                                  "only this municipality of the département (repeatable)"))
    report.add_argument("--at", metavar="DATE", help=pick("situation à cette date (défaut : maintenant) ; ",
                                                          "state at this date (default: now); ") + DATE_HELP)
    report.add_argument("--compare", metavar="DATE",
                        help=pick("date de comparaison (défaut : un an avant) ; ",
                                  "date to compare with (default: one year before); ") + DATE_HELP)
    report.add_argument("--atlas", choices=("commune", "site"),
                        help=pick("atlas : une page par commune ayant des sites, ou une fiche par site",
                                  "atlas: one page per municipality with sites, or one sheet per site"))
    report.add_argument("--format", dest="paper", choices=("A4", "A3"), default="A4",
                        help=pick("format de page, paysage (défaut : A4)", "page size, landscape (default: A4)"))
    report.add_argument("--dispositifs", action="store_true",
                        help=pick("ajouter la page des dispositifs (actifs sur la période, ménages suivis, "
                                  "indicateurs et tendance, financements)",
                                  "add the programmes' page (active over the period, households followed, "
                                  "indicators and trend, funding)"))
    report.add_argument("--services", metavar="CATEGORY", nargs="?", const="school",
                        help=pick("montrer les services et entourer les sites éloignés de cette catégorie "
                                  "(défaut : school, à plus de 2 km)",
                                  "show the services and ring the sites far from this category "
                                  "(default: school, more than 2 km)"))
    report.set_defaults(run=run_report)


def run_report(arguments) -> int:
    from ..layout.content import Request

    request = Request(arguments.departement, tuple(arguments.insee or ()), instant(arguments.at),
                      instant(arguments.compare), arguments.paper, arguments.atlas,
                      arguments.dispositifs).checked()
    if not arguments.output.lower().endswith(".pdf"):
        raise StoreError("Le fichier de sortie doit finir par .pdf : %s" % arguments.output,
                         "The output file must end with .pdf: %s" % arguments.output)
    check_not_an_input(arguments.output, arguments.store)
    store = open_store(arguments.store)
    started = time.perf_counter()
    failure = None
    with headless_qgis():
        try:
            pages = make_pdf(store, request, arguments.output, arguments.services)
        except StoreError as error:
            # Kept as text: the error's traceback holds QGIS objects that must go before QGIS does.
            failure = (error.message, error.message_en)
        gc.collect()
    if failure:
        raise StoreError(*failure)
    print(pick("PDF écrit : %s (%d page(s), %.1f s)", "PDF written: %s (%d page(s), %.1f s)")
          % (arguments.output, pages, time.perf_counter() - started))
    return 0


def make_pdf(store, request, output: str, services: Optional[str] = None) -> int:
    from qgis.core import QgsProject
    from ..layout import copil
    project = QgsProject.instance()
    try:
        made = copil.build(store, request, project)
        if services:
            from ..layout import copil_services
            copil_services.add_services(made, store, project, services)
        copil.export_pdf(made.layout, output)
        return made.pages
    finally:
        project.clear()


class headless_qgis:
    """A QgsApplication without a window for the duration of the command."""

    def __enter__(self):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        try:
            from qgis.core import QgsApplication
        except ImportError:
            raise StoreError("PyQGIS est introuvable : lancez la commande avec le Python de QGIS.",
                             "PyQGIS not found: run the command with QGIS's Python.") from None
        self.application = QgsApplication([], True)
        self.application.initQgis()
        return self.application

    def __exit__(self, *exc):
        self.application.exitQgis()
        return False
