"""The COPIL's « Dispositifs » page (report --dispositifs): read back from the PDF, its figures are
those of the sums (stocks at the period's end, flows summed, n.c. for unknown spending)."""
import contextlib
import re

from plugin.demo.generator import generate
from plugin.model import indicators as model
from plugin.store import create_store
from plugin.store import indicators_sql as sql
from test_copil import cli, normalised, pdf_pages, pdf_text


def number(value) -> str:
    return "{:,.0f}".format(value).replace(",", " ")


def test_the_copil_has_a_page_of_the_dispositifs_with_their_figures(tmp_path):
    store = create_store(str(tmp_path / "d93.gpkg"))
    generate(store, departement="93", seed=2026)
    pdf = tmp_path / "copil.pdf"
    cli("report", store.location, str(pdf), "--departement", "93", "--at", "2026-10-31", "--compare", "2026-01-01",
        "--dispositifs")
    assert pdf_pages(pdf) == 2
    text = re.sub(r"[ \u202f\xa0]+", " ", normalised(pdf_text(pdf, 2)))
    with contextlib.closing(store.connect()) as connection:
        actions = [a for a in sql.actions(connection, departement="93") if a.active_months("2026-01", "2026-10")]
    result = sql.indicator_sums(store, departement="93", first="2026-01", last="2026-10", by="action")
    assert "Dispositifs de la Seine-Saint-Denis (93)" in text and "Du 2026-01 au 2026-10" in text
    assert "%d mois non saisis" % result["missing_months"] in text
    for action in actions:
        assert action.name.split(" – ")[0] in text
    assert re.search(r"Personnes accompagnées %s [↗↘→]" % number(result["total"]["people"]), text)
    assert re.search(r"Σ Accès au logement \(ménages\) %s" % number(result["total"]["housing_households"]), text)
    assert "Financements (année)" in text and "2026" in text
    # without the option, the COPIL keeps its one page
    cli("report", store.location, str(pdf), "--departement", "93")
    assert pdf_pages(pdf) == 1


def test_trends_read_the_months_every_dispositif_entered():
    assert model.trend([None, 10, 12, None]) == "up" and model.trend([5, 5]) == "flat"
    assert model.trend([7]) is None


@contextlib.contextmanager
def copil_dialog(store, iface):
    """The COPIL dialog on the store's layers: (dialog, the layouts it opened in the designer)."""
    from qgis.core import QgsProject
    from plugin.gui.copil_dialog import CopilDialog
    from plugin.layers import loader
    project = QgsProject.instance()
    project.clear()
    loader.load_store(store, project)
    opened = []
    iface.openLayoutDesigner = opened.append
    dialog = CopilDialog(iface, project=project)
    try:
        yield dialog, opened
    finally:
        dialog.close()
        project.relationManager().clear()
        project.clear()


def test_the_dialog_tick_box_adds_the_dispositifs_page(tmp_path, qgis_app, iface):
    from qgis.PyQt.QtCore import QDate
    store = create_store(str(tmp_path / "d93.gpkg"))
    generate(store, sites=20, departement="93", seed=7)
    with copil_dialog(store, iface) as (dialog, opened):
        dialog.atEdit.setDate(QDate(2026, 10, 31))
        dialog.compareEdit.setDate(QDate(2026, 1, 1))
        dialog.open_in_designer()
        assert opened[-1].pageCollection().pageCount() == 1
        dialog.dispositifsCheck.setChecked(True)
        dialog.open_in_designer()
        layout = opened[-1]
        assert layout.pageCollection().pageCount() == 2
        texts = " ".join(item.text() for item in layout.items() if hasattr(item, "text") and callable(item.text))
        assert "Dispositifs de la Seine-Saint-Denis (93)" in texts
        # an atlas has no territory page to follow: the box is greyed and the request leaves the page out
        dialog.atlasCombo.setCurrentIndex(dialog.atlasCombo.findData("commune"))
        assert not dialog.dispositifsCheck.isEnabled() and dialog.request().dispositifs is False
