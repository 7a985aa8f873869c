"""The COPIL map with the services: the schools discreetly, the sites more than 2 km from a school ringed,
counted in the legend of the PDF, as the command line prints it."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from qgis.core import QgsProject, QgsVectorLayer

from plugin.layers import service_import
from plugin.store import create_store
from test_processing import processing  # noqa: F401 (the provider registered)

REPO = Path(__file__).resolve().parents[2]
SCHOOLS = ("identifiant_de_l_etablissement;nom_etablissement;latitude;longitude;telephone\n"
           "0930101X;Ecole A;48.9362;2.3571;\n0930102Y;Ecole B;48.9000;2.4500;\n")


@pytest.fixture
def store_with_schools(tmp_path, qgis_app):
    from plugin.demo.generator import generate
    from plugin.layers import commune_functions
    store = create_store(str(tmp_path / "d93.gpkg"))
    generate(store, sites=40, departement="93", seed=1, history_months=2)
    commune_functions.register()
    services = QgsVectorLayer(store.layer_source("services"), "services", "ogr")
    csv = tmp_path / "ecoles.csv"
    csv.write_text(SCHOOLS, encoding="utf-8")
    preset = next(p for p in service_import.shipped_presets() if p.name == "annuaire_education")
    assert service_import.import_services(services, service_import.open_file(str(csv)), preset).added == 2
    commune_functions.unregister()
    return store


def far_from_school_by_the_algorithm(store) -> int:
    import processing
    sites = QgsVectorLayer(store.layer_source("sites"), "sites", "ogr")
    sites.setSubsetString("\"departement\" = '93'")
    result = processing.run("resorption:services_distance", {
        "SITES": sites, "SERVICES": QgsVectorLayer(store.layer_source("services"), "services", "ogr"),
        "CATEGORIES": [3], "OUTPUT": "memory:", "SUMMARY": "memory:"})
    return next(f["sites_far"] for f in result["SUMMARY"].getFeatures())


def test_the_copil_pdf_shows_the_sites_far_from_a_school(store_with_schools, tmp_path, processing):
    expected = far_from_school_by_the_algorithm(store_with_schools)
    assert 0 < expected < 40
    pdf = tmp_path / "copil.pdf"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", LANG="C.UTF-8")
    done = subprocess.run([sys.executable, "-m", "plugin", "report", store_with_schools.location, str(pdf),
                           "--departement", "93", "--services", "school"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Sites à plus de 2 km d'une école (%d)" % expected in text      # legend
    assert "Services" in text


def test_the_copil_dialog_services_box_rings_the_sites_far_from_a_school(store_with_schools, qgis_app, iface,
                                                                         processing):
    from qgis.core import QgsLayoutItemLegend
    from test_copil_dispositifs import copil_dialog
    expected = far_from_school_by_the_algorithm(store_with_schools)
    with copil_dialog(store_with_schools, iface) as (dialog, opened):
        dialog.departementCombo.setCurrentIndex(dialog.departementCombo.findData("93"))
        assert not dialog.servicesCombo.isEnabled()
        assert dialog.servicesCombo.currentData() == "school"
        dialog.servicesCheck.setChecked(True)
        assert dialog.servicesCombo.isEnabled()
        dialog.open_in_designer()
        legend = opened[-1].itemById("legend")
        assert isinstance(legend, QgsLayoutItemLegend)
        names = [node.name() for node in legend.model().rootGroup().children()]
        assert "Sites à plus de 2 km d'une école (%d)" % expected in names
        assert "Services" in names
