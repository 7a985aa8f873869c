"""The COPIL map: its PDF says the sums engine's figures, reads well (nothing cut, nothing overlapping),
and its atlases have one page per commune with sites and one "fiche" per site."""
import contextlib
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest
from qgis.core import (QgsApplication, QgsLayoutFrame, QgsLayoutItemLabel, QgsLayoutItemLegend, QgsLayoutItemPage,
                       QgsProject)

from qgis.PyQt.QtCore import QDate, QRectF

from plugin.layout import content, copil
from plugin.store import create_store, open_store
from plugin.store.base import StoreError

REPO = Path(__file__).resolve().parents[2]
AT = "2026-10-31"
COMPARE = "2026-01-01"
MIN_MARGIN_MM = 4.0


def cli(*arguments, check=True):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", LANG="C.UTF-8")
    result = subprocess.run([sys.executable, "-m", "plugin"] + list(arguments), cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=120)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def pdf_text(path, first=None, last=None) -> str:
    command = ["pdftotext", "-layout"]
    if first:
        command += ["-f", str(first), "-l", str(last or first)]
    return subprocess.run(command + [str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdf_pages(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def normalised(text: str) -> str:
    """As read: no-break spaces as spaces, ligatures (ﬀ, ﬁ) as letters."""
    return unicodedata.normalize("NFKC", text)


def row_pattern(label: str, *values: str) -> str:
    return r"%s\s+%s" % (re.escape(label), r"\s+".join(re.escape(normalised(v)) for v in values))


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """The 93 demo data set (small: 40 sites) with two years of monthly history."""
    from plugin.demo.generator import generate
    store = create_store(str(tmp_path_factory.mktemp("copil") / "d93.gpkg"))
    generate(store, sites=40, departement="93", seed=1, history_months=24)
    return store


@pytest.fixture
def project(qgis_app):
    project = QgsProject.instance()
    project.clear()
    yield project
    project.clear()


def request(**changes):
    values = dict(departement="93", at=content.model.parse_instant(AT),
                  compare=content.model.parse_instant(COMPARE))
    values.update(changes)
    return content.Request(**values)


def engine_sums(store, *extra):
    output = cli("sums", store.location, "--at", AT, "--compare", COMPARE, "--json", *extra).stdout
    return json.loads(output)


def test_the_copil_pdf_says_the_sums_of_the_departement(store, project, tmp_path):
    made = copil.build(store, request(), project)
    pdf = tmp_path / "copil.pdf"
    copil.export_pdf(made.layout, str(pdf))
    text = normalised(pdf_text(pdf))
    sums = engine_sums(store, "--departement", "93")
    total, insertion = sums["total"], sums["insertion_sites"]
    assert total["sites"] > 10
    for name in content.SITE_ROWS:
        label = content.row_label(name)
        assert re.search(row_pattern(label, content.count(total[name]), content.count(total["at_compare"][name]),
                                     content.signed(total["change"][name])), text), label
    for name in content.MOVEMENT_ROWS:
        assert re.search(row_pattern(content.model.label(name), content.count(total[name])), text), name
    # The movements reconcile with the figures at both dates, as printed.
    assert total["sites"] == total["at_compare"]["sites"] + total["opened"] - total["closed"]
    assert total["population_total"] == (total["at_compare"]["population_total"] + total["population_opened"]
                                         - total["population_closed"] + total["population_variation"])
    assert content.OUTCOMES_TITLE in text and "Part des personnes au devenir inconnu" in text
    # Every commune with an open site has its name on the map.
    with contextlib.closing(store.connect()) as connection:
        with_sites = content.communes_with_sites(connection, made.content.request)
    names = copil.commune_names("93")
    assert len(with_sites) > 5
    missing = [names[insee] for insee in with_sites if normalised(names[insee]) not in text]
    assert not missing, missing
    assert re.search(row_pattern("Personnes accueillies", content.count(insertion["occupied_people"])), text)
    assert "Sites et terrains d'insertion de la Seine-Saint-Denis (93)" in text
    assert "Situation au 31/10/2026, comparée au 01/01/2026" in text
    assert "Document de travail – ne pas diffuser" in text
    assert re.search(r"Sources : Résorption SIG, stockage « d93 ».*Extraction le \d\d/\d\d/\d{4} à \d\d:\d\d",
                     text, re.S)
    assert "Sites ouverts au 31/10/2026" in text and "Terrains d'insertion ouverts" in text   # legend
    assert pdf_pages(pdf) == 1
    png = tmp_path / "page"
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(png)], check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 20_000     # a drawn page, not a blank one
    assert project.layoutManager().layoutByName(made.layout.name()) is made.layout


def test_the_map_shows_the_sites_counted_at_the_date(store, project):
    made = copil.build(store, request(), project)
    sums = engine_sums(store, "--departement", "93")
    assert made.layers.sites.featureCount() == sums["total"]["sites"]
    assert made.layers.insertion_sites.featureCount() == sums["insertion_sites"]["insertion_sites"]
    assert {f["status"] for f in made.layers.sites.getFeatures()} == {"open"}


def test_a_selection_of_communes_sums_them(store, project, tmp_path):
    sums = engine_sums(store, "--departement", "93", "--by", "insee_code")
    insee = next(g["key"] for g in sums["groups"] if g["sites"] > 0)
    made = copil.build(store, request(communes=(insee,)), project)
    one = engine_sums(store, "--insee", insee)
    rows = {row.label: row for row in made.content.rows}
    assert rows["Personnes"].at == content.count(one["total"]["population_total"])
    assert rows["Sites ouverts"].change == content.signed(one["total"]["change"]["sites"])
    assert made.layers.sites.featureCount() == one["total"]["sites"]


def rect_mm(item):
    return item.sceneBoundingRect()


def labels(layout):
    return [item for item in layout.items() if isinstance(item, QgsLayoutItemLabel)]


def assert_text_fits(label):
    needed, box = label.sizeForText(), label.rect()
    assert needed.width() <= box.width() + 0.01 and needed.height() <= box.height() + 0.01, (
        "the text of %s is cut: it needs %.1f × %.1f mm in %.1f × %.1f mm" % (
            label.id(), needed.width(), needed.height(), box.width(), box.height()))


def assert_inside_and_apart(layout, item_ids):
    page = layout.pageCollection().page(0)
    page_rect = QRectF(page.pos(), page.rect().size())
    items = {item.id(): item for item in layout.items() if hasattr(item, "id") and item.id()}
    assert set(item_ids) <= set(items)
    inner = page_rect.adjusted(MIN_MARGIN_MM, MIN_MARGIN_MM, -MIN_MARGIN_MM, -MIN_MARGIN_MM)
    for item_id, item in items.items():
        assert inner.contains(rect_mm(item)), "%s is outside the printable page" % item_id
    for (first_id, first), (second_id, second) in itertools.combinations(items.items(), 2):
        overlap = rect_mm(first).intersected(rect_mm(second))
        assert overlap.width() < 0.01 or overlap.height() < 0.01, "%s overlaps %s" % (first_id, second_id)
    return items


@pytest.mark.parametrize("paper", ["A4", "A3"])
def test_nothing_is_cut_and_nothing_overlaps(store, project, paper):
    made = copil.build(store, request(paper=paper), project)
    layout = made.layout
    page = layout.pageCollection().page(0)
    assert page.orientation() == QgsLayoutItemPage.Orientation.Landscape
    page_rect = QRectF(page.pos(), page.rect().size())
    expected = {"A4": (297, 210), "A3": (420, 297)}[paper]
    assert (round(page_rect.width()), round(page_rect.height())) == expected
    items = assert_inside_and_apart(layout, copil.PAGE_ITEMS)
    for label in labels(layout):
        assert_text_fits(label)
    # The table's rows all fit in its frame (a row that does not fit is silently dropped).
    frame = items["figures_table"]
    assert isinstance(frame, QgsLayoutFrame)
    table_size = frame.multiFrame().totalSize()
    assert table_size.height() <= frame.rect().height() + 0.01
    assert table_size.width() <= frame.rect().width() + 0.01
    # The legend's contents fit in its box (else the last column is clipped).
    legend = items["legend"]
    assert isinstance(legend, QgsLayoutItemLegend)
    box = legend.rect()
    legend.setResizeToContents(True)
    legend.adjustBoxSize()
    assert legend.rect().width() <= box.width() + 0.01 and legend.rect().height() <= box.height() + 0.01


def test_the_commune_atlas_has_a_page_per_commune_with_sites(store, project, tmp_path, qgis_app):
    logged = []

    def log(message, tag, level):
        logged.append(message)

    QgsApplication.messageLog().messageReceived.connect(log)
    made = copil.build(store, request(atlas="commune"), project)
    sums = engine_sums(store, "--departement", "93", "--by", "insee_code")
    with_sites = sorted(g["key"] for g in sums["groups"] if g["sites"] > 0)
    assert made.atlas_keys == with_sites
    pdf = tmp_path / "atlas.pdf"
    copil.export_pdf(made.layout, str(pdf))
    qgis_app.processEvents()
    QgsApplication.messageLog().messageReceived.disconnect(log)
    # The charts' picture expression is read only on an atlas page (no « Erreur à l'évaluation de
    # l'expression de l'image » before the first one).
    assert not [m for m in logged if "expression" in m.lower()], logged
    assert pdf_pages(pdf) == len(with_sites)
    insee = with_sites[0]
    group = next(g for g in sums["groups"] if g["key"] == insee)
    page = normalised(pdf_text(pdf, 1))
    assert "(%s)" % insee in page
    assert re.search(row_pattern("Personnes", content.count(group["population_total"]),
                                 content.count(group["at_compare"]["population_total"]),
                                 content.signed(group["change"]["population_total"])), page)
    assert "Document de travail – ne pas diffuser" in page


def test_a_failed_export_leaves_the_earlier_pdf_whole(store, project, tmp_path):
    """The PDF is written beside its target and renamed at the end: a cancelled export changes nothing."""
    from qgis.core import QgsFeedback
    made = copil.build(store, request(atlas="commune"), project)
    pdf = tmp_path / "copil.pdf"
    pdf.write_bytes(b"%PDF-1.4 the earlier COPIL")
    feedback = QgsFeedback()
    feedback.cancel()
    with pytest.raises(StoreError, match="annulé"):
        copil.export_pdf(made.layout, str(pdf), feedback)
    assert pdf.read_bytes() == b"%PDF-1.4 the earlier COPIL"
    assert [p.name for p in tmp_path.iterdir()] == ["copil.pdf"]


def test_commune_names_go_inside_their_commune_off_the_symbols(qgis_app):
    from qgis.core import QgsGeometry, QgsRectangle
    from plugin.layout import commune_labels
    west = QgsGeometry.fromRect(QgsRectangle(0, 0, 1000, 1000))
    east = QgsGeometry.fromRect(QgsRectangle(1000, 0, 2000, 1000))
    discs = [(500, 500, 150), (1500, 500, 150), (300, 800, 100)]   # a symbol in the middle of each
    placed = commune_labels.place([("1", "Ouest", west), ("2", "Est", east)], discs, 10.0, ["2"],
                                  QgsRectangle(0, 0, 2000, 1000))
    assert [label.insee for label in placed] == ["2", "1"]     # the communes with sites first
    for label, commune in zip(placed, (east, west)):
        assert label.clearance > 0 and commune.contains(label.box.center())
        for x, y, radius in discs:
            assert commune_labels.box_distance(label.box, x, y) > radius


def test_a_commune_whose_sites_are_all_unknown_reads_n_c_never_0(store, project, tmp_path):
    """Its page prints « n.c. » for the people, households and minors; the département's page says
    how many sites its sums leave out."""
    shutil.copy(store.location, tmp_path / "unknown.gpkg")
    copy = open_store(str(tmp_path / "unknown.gpkg"))
    connection = copy.connect()
    insee = connection.execute("SELECT insee_code FROM sites WHERE status = 'open' GROUP BY insee_code "
                               "ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    connection.execute("UPDATE sites SET population_total = NULL, population_couples = NULL, "
                       "population_minors = NULL, minors_in_school = NULL WHERE insee_code = ?", (insee,))
    connection.commit()
    connection.close()
    now = content.model.now_instant()   # the values were emptied now
    made = copil.build(copy, request(atlas="commune", communes=(insee,), at=now), project)
    pdf = tmp_path / "commune.pdf"
    copil.export_pdf(made.layout, str(pdf))
    page = normalised(pdf_text(pdf, 1))
    for label in ("Personnes", "Ménages", "Mineurs"):
        assert re.search(r"\s%s\s+n\.c\.\s" % label, page), label
        assert not re.search(r"\s%s\s+0\s" % label, page), label
    departement = copil.build(copy, request(at=now), project)
    rows = {row.label: row for row in departement.content.rows}
    assert rows[content.UNKNOWNS_LABEL].at != "0"


def test_the_site_atlas_has_a_fiche_per_open_site(store, project, tmp_path):
    made = copil.build(store, request(atlas="site"), project)
    sums = engine_sums(store, "--departement", "93")
    assert len(made.atlas_keys) == sums["total"]["sites"]
    pdf = tmp_path / "fiches.pdf"
    copil.export_pdf(made.layout, str(pdf))
    assert pdf_pages(pdf) == len(made.atlas_keys)
    site = next(made.layers.sites.getFeatures("\"uuid\" = '%s'" % made.atlas_keys[0]))
    page = normalised(pdf_text(pdf, 1))
    assert site["name"] in page and site["city_name"] in page
    people = "n.c." if site["population_total"] is None else str(site["population_total"])
    assert "Nombre de personnes : %s" % people in page
    assert "Accès à l'électricité :" in page and "[%" not in page
    assert ("population n.c." if site["population_total"] is None else "%s pers." % site["population_total"]
            ) in page  # map label
    history = copil.fiche.population_history(
        copil.fiche.site_versions(store.connect(), [site["uuid"]])[site["uuid"]], [made.content.request.at])
    assert history[-1][1] == site["population_total"]


@pytest.mark.parametrize("paper", ["A4", "A3"])
def test_the_fiches_read_whole(store, project, paper):
    """Every fiche's texts fit their boxes (checked on the first sites, the texts being evaluated
    for each), and the items stay inside the page without overlapping."""
    made = copil.build(store, request(atlas="site", paper=paper), project)
    layout = made.layout
    assert_inside_and_apart(layout, copil.FICHE_ITEMS)
    atlas = layout.atlas()
    assert atlas.beginRender()
    for index in range(min(5, atlas.count())):
        assert atlas.seekTo(index)
        for label in labels(layout):
            assert "[%" not in label.currentText()
            assert_text_fits(label)
    atlas.endRender()


def test_the_command_line_writes_the_pdf_or_says_why_not(store, tmp_path):
    pdf = tmp_path / "cli.pdf"
    done = cli("report", store.location, str(pdf), "--departement", "93", "--at", AT, "--compare", COMPARE)
    assert "PDF écrit" in done.stdout and pdf_pages(pdf) == 1
    assert "Seine-Saint-Denis" in pdf_text(pdf)
    wrong = cli("report", store.location, str(tmp_path / "x.pdf"), "--departement", "99", check=False)
    assert wrong.returncode != 0 and "Département inconnu" in wrong.stderr
    assert not (tmp_path / "x.pdf").exists()
    reversed_dates = cli("report", store.location, str(tmp_path / "y.pdf"), "--departement", "93",
                         "--at", COMPARE, "--compare", AT, check=False)
    assert reversed_dates.returncode != 0 and "doit précéder" in reversed_dates.stderr
    empty = cli("report", store.location, str(tmp_path / "z.pdf"), "--departement", "93", "--atlas", "site",
                "--at", "2000-01-01", "--compare", "1999-01-01", check=False)
    assert empty.returncode != 0 and "l'atlas serait vide" in empty.stderr
    assert not (tmp_path / "z.pdf").exists()


def wait_for(condition, qgis_app, seconds=60):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        qgis_app.processEvents()
        time.sleep(0.01)
    return condition()


def test_the_export_task_reports_progress_and_writes_the_pdf(store, project, tmp_path, qgis_app):
    made = copil.build(store, request(atlas="site"), project)
    results, progress = [], []
    task = copil.CopilExportTask(made.layout, str(tmp_path / "task.pdf"),
                                 lambda ok, path, error: results.append((ok, path, error)))
    task.progressChanged.connect(progress.append)
    task.start()
    assert wait_for(lambda: results, qgis_app), "the task did not finish"
    assert results[0][0] is True, results
    assert pdf_pages(tmp_path / "task.pdf") == len(made.atlas_keys)
    assert progress and max(progress) > 50


def test_a_cancelled_export_leaves_no_file(store, project, tmp_path, qgis_app):
    made = copil.build(store, request(atlas="site"), project)
    results = []
    task = copil.CopilExportTask(made.layout, str(tmp_path / "cancelled.pdf"),
                                 lambda ok, path, error: results.append((ok, error)))
    task.progressChanged.connect(lambda value: task.cancel())    # the user cancels once it has begun
    task.start()
    assert wait_for(lambda: results, qgis_app), "the task did not finish"
    assert results[0][0] is False
    assert task.error is not None and "annulé" in task.error.message
    assert not (tmp_path / "cancelled.pdf").exists()


@pytest.fixture
def dialog(store, project, iface):
    from plugin.gui.copil_dialog import CopilDialog
    from plugin.layers import loader
    loader.load_store(store, project)
    opened = []
    iface.openLayoutDesigner = lambda layout: opened.append(layout)
    window = CopilDialog(iface, project=project)
    window.opened = opened
    window.store = store
    yield window
    window.close()
    project.relationManager().clear()


def test_the_dialog_prepares_the_layout_and_opens_the_designer(dialog, store, project):
    assert dialog.storeCombo.currentData() == store.location
    assert dialog.departementCombo.currentData() == "93"          # where the store's sites are
    assert dialog.departementCombo.currentText() == "93 – Seine-Saint-Denis"
    names = [dialog.communeList.item(row).text() for row in range(dialog.communeList.count())]
    assert "Bobigny (93008)" in names
    dialog.communeFilter.setText("bobi")
    visible = [dialog.communeList.item(r).text() for r in range(dialog.communeList.count())
               if not dialog.communeList.item(r).isHidden()]
    assert visible == ["Bobigny (93008)"]
    dialog.atEdit.setDate(QDate(2026, 10, 31))
    dialog.compareEdit.setDate(QDate(2026, 1, 1))
    dialog.paperCombo.setCurrentIndex(dialog.paperCombo.findData("A3"))
    dialog.open_in_designer()
    assert len(dialog.opened) == 1
    layout = dialog.opened[0]
    assert project.layoutManager().layoutByName(layout.name()) is layout
    assert layout.itemById("title").text() == "Sites et terrains d'insertion de la Seine-Saint-Denis (93)"
    assert round(layout.pageCollection().page(0).pageSize().width()) == 420
    assert "ouverte dans le composeur" in dialog.messageLabel.text()
    # Preparing it again replaces it (and its layers) rather than piling copies up.
    layers_before = len(project.mapLayers())
    dialog.open_in_designer()
    assert len(project.layoutManager().printLayouts()) == 1
    assert len(project.mapLayers()) == layers_before


def test_the_dialog_exports_the_pdf_in_a_task(dialog, iface, tmp_path, monkeypatch, qgis_app):
    from qgis.core import Qgis
    from plugin.gui import copil_dialog
    target = tmp_path / "depuis-le-dialogue"
    monkeypatch.setattr(copil_dialog.QFileDialog, "getSaveFileName", lambda *args: (str(target), "PDF (*.pdf)"))
    dialog.atEdit.setDate(QDate(2026, 10, 31))
    dialog.compareEdit.setDate(QDate(2026, 1, 1))
    dialog.atlasCombo.setCurrentIndex(dialog.atlasCombo.findData("commune"))
    dialog.export_pdf()
    pdf = tmp_path / "depuis-le-dialogue.pdf"
    assert wait_for(lambda: not dialog.tasks, qgis_app), "the export did not finish"
    assert "PDF exporté" in dialog.messageLabel.text()
    assert any(str(pdf) in text for text in iface.messageBar().get_messages(Qgis.MessageLevel.Success))
    sums = engine_sums(dialog.store, "--departement", "93", "--by", "insee_code")
    assert pdf_pages(pdf) == sum(1 for group in sums["groups"] if group["sites"] > 0)


def test_the_dialog_reports_a_wrong_date_order(dialog, monkeypatch):
    from plugin.gui import copil_dialog
    shown = []
    monkeypatch.setattr(copil_dialog.QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    dialog.atEdit.setDate(QDate(2026, 1, 1))
    dialog.compareEdit.setDate(QDate(2026, 10, 31))
    dialog.open_in_designer()
    assert dialog.opened == [] and "doit précéder" in shown[0]


def test_the_menu_entry_is_created_and_removed(iface):
    from qgis.PyQt.QtWidgets import QMenu
    from plugin.gui.copil_dialog import CopilMenuEntry
    menu = QMenu("Résorption SIG", iface.mainWindow())
    entry = CopilMenuEntry(iface)
    assert entry.create(menu) is entry.action
    assert [a.text() for a in menu.actions()] == ["Préparer la carte COPIL…"]
    entry.remove()
    assert menu.actions() == [] and entry.action is None
