"""Benchmark of the COPIL PDF (issue 6): a département's page ≤ 5 s, an atlas of 100 communes ≤ 60 s.

    QT_QPA_PLATFORM=offscreen nice .venv/bin/python bench/bench_copil.py

Data: the demo generator (seeded) with 24 months of history — the 93 at its
calibrated size for the page, the Nord (59) with enough sites for 100 communes
having sites for the atlas. Yardstick, in the same run: QgsLayoutExporter
exporting the same layout with the table emptied and the chart removed (what
the layout engine costs without our content). Prints a Markdown table.
"""
import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path
from timing import timed  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))




def strip_content(layout):
    """The same layout without our content: empty table, no chart, no atlas variables."""
    from qgis.core import QgsLayoutObject, QgsProperty, QgsTableCell
    from plugin.layout import copil
    table = copil.table_of(layout)
    table.setTableContents([[QgsTableCell("")] * 4])
    chart = layout.itemById("chart")
    chart.dataDefinedProperties().setProperty(QgsLayoutObject.DataDefinedProperty.PictureSource, QgsProperty())
    chart.setPicturePath("")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--atlas-communes", type=int, default=100)
    parser.add_argument("--atlas-sites", type=int, default=450, help="demo sites in the Nord (59)")
    arguments = parser.parse_args()

    from qgis.core import Qgis, QgsApplication, QgsProject
    application = QgsApplication([], True)
    application.initQgis()
    from plugin.demo.generator import generate
    from plugin.layout import content, copil
    from plugin.model import sums as model
    from plugin.store import create_store, sums_sql

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        at, compare = model.parse_instant("2026-10-31"), model.parse_instant("2026-01-01")
        project = QgsProject.instance()

        def page(store, departement, summary):
            request = content.Request(departement, at=at, compare=compare)
            build_time, made = timed(lambda: copil.build(store, request, project))
            export_time, _ = timed(lambda: copil.export_pdf(made.layout, str(folder / "page.pdf")))
            strip_content(made.layout)
            yardstick, _ = timed(lambda: copil.export_pdf(made.layout, str(folder / "bare.pdf")))
            rows.append(("page COPIL A4 du %s (%d sites dont %d ouverts, %d communes, 24 mois d'historique)"
                         % (departement, summary.sites, summary.open_sites, len(copil.commune_names(departement))),
                         build_time + export_time, build_time, export_time, yardstick, 5.0, 1))
            project.clear()

        store = create_store(str(folder / "d93.gpkg"))
        page(store, "93", generate(store, departement="93", seed=1, history_months=24))

        store = create_store(str(folder / "d59.gpkg"))
        summary = generate(store, sites=arguments.atlas_sites, departement="59", seed=1, history_months=24)
        page(store, "59", summary)
        with sums_sql.connection_of(store) as connection:
            communes = content.communes_with_sites(connection, content.Request("59", at=at, compare=compare))
        chosen = tuple(communes[:arguments.atlas_communes])
        request = content.Request("59", communes=chosen, at=at, compare=compare, atlas="commune")
        build_time, made = timed(lambda: copil.build(store, request, project))
        export_time, _ = timed(lambda: copil.export_pdf(made.layout, str(folder / "atlas.pdf")))
        strip_content(made.layout)
        yardstick, _ = timed(lambda: copil.export_pdf(made.layout, str(folder / "atlas_bare.pdf")))
        rows.append(("atlas des communes du 59 : %d pages (%d communes ayant des sites sur %d ; %d sites)"
                     % (made.pages, len(communes), len(copil.commune_names("59")), summary.sites),
                     build_time + export_time, build_time, export_time, yardstick, 60.0, made.pages))
        project.clear()

    print("Machine : %s, Python %s, QGIS %s ; mesuré le %s UTC." % (
        platform.machine(), platform.python_version(), Qgis.QGIS_VERSION, time.strftime("%Y-%m-%d %H:%M",
                                                                                          time.gmtime())))
    print()
    print("| mesure | total | préparation (sommes, couches, modèle) | export PDF | étalon : même mise en page "
          "sans tableau ni graphique | rapport export / étalon | cible |")
    print("|---|---|---|---|---|---|---|")
    for label, total, build_time, export_time, yardstick, target, pages in rows:
        print("| %s | **%.1f s**%s | %.1f s | %.1f s | %.1f s | × %.2f | ≤ %.0f s : %s |" % (
            label, total, " (%.2f s/page)" % (total / pages) if pages > 1 else "", build_time, export_time,
            yardstick, export_time / yardstick, target, "oui" if total <= target else "non"))
    application.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main())
