"""The Excel dialogs: the export writes the store's figures through a QgsTask, cancelling leaves no file;
the import previews a file row by row, refuses what it must (bad file, rows in error, unsaved edits)
and, once applied, the layers show the imported values."""
import contextlib
import datetime
import time

import openpyxl
import pytest
from qgis.core import Qgis, QgsProject, QgsTask
from qgis.PyQt.QtCore import QCoreApplication, QDate, QEventLoop

from plugin.demo.generator import generate
from plugin.exchange.export import export_workbook
from plugin.exchange.importer import apply_import, preview_import
from plugin.gui import excel_dialogs
from plugin.gui.excel_dialogs import ExcelManager, ExportDialog, ImportDialog
from gui_helpers import recording_message_bar
from platform_fixture import CLOSED_SITES, write_export

TASK_SECONDS = 30


@pytest.fixture
def bar_iface(iface):
    return recording_message_bar(iface)


@pytest.fixture
def demo(opened_store):
    """The 93 demo data set in a store whose layers are in the project."""
    store, layers = opened_store
    generate(store, departement="93", seed=1)
    for layer in layers.values():
        layer.dataProvider().reloadData()
    return store, layers


class Watch:
    """Records how a task ended (completed / terminated), from before it may end."""

    def __init__(self, task: QgsTask):
        self.ended = []
        task.taskCompleted.connect(lambda: self.ended.append("completed"))
        task.taskTerminated.connect(lambda: self.ended.append("terminated"))

    def wait(self) -> str:
        """Run the event loop until the task has ended and the dialog's handlers have run."""
        deadline = time.monotonic() + TASK_SECONDS
        while not self.ended:
            assert time.monotonic() < deadline, "the task did not end"
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            time.sleep(0.01)
        return self.ended[0]


def wait_for(task: QgsTask) -> str:
    return Watch(task).wait()


def store_figures(store, departement=None):
    where, parameters = ("WHERE departement = ?", (departement,)) if departement else ("", ())
    with contextlib.closing(store.connect()) as connection:
        return connection.execute("SELECT count(*), coalesce(sum(population_total), 0) FROM sites %s" % where,
                                  parameters).fetchone()


def sheet_figures(path):
    """(rows, people) of the sites sheets (open and closed): data rows under the headers and the sum
    of their people."""
    book = openpyxl.load_workbook(str(path), data_only=True)
    rows = []
    for name in ("Sites existants", "Sites fermés"):
        sites = book[name]
        titles = [cell.value for cell in sites[2]]
        people = titles.index("Nombre de personnes")
        for row in sites.iter_rows(min_row=3, values_only=True):
            if row[0] == "Total":
                break
            rows.append(row[people])
    return len(rows), sum(value or 0 for value in rows), titles


# --- export --------------------------------------------------------------------------------------

def test_the_export_dialog_writes_the_store_figures_through_the_task(bar_iface, demo, tmp_path):
    store, _ = demo
    dialog = ExportDialog(bar_iface, project=QgsProject.instance())
    assert dialog.storeCombo.count() == 1
    assert dialog.departementCombo.itemData(1) == "93"
    assert dialog.departementCombo.currentData() == "93"  # the store's only département, chosen
    assert dialog.atEdit.date() == QDate.currentDate()
    assert dialog.fileWidget.filePath().endswith("resorption_93_%s.xlsx" % QDate.currentDate().toString("yyyy-MM-dd"))
    out = tmp_path / "sites du 93"
    dialog.fileWidget.setFilePath(str(out))  # the extension is added
    task = dialog.start_export()
    assert dialog.cancelButton.isVisibleTo(dialog) and not dialog.exportButton.isEnabled()
    assert wait_for(task) == "completed"
    written = tmp_path / "sites du 93.xlsx"
    assert written.is_file()
    rows, people, titles = sheet_figures(written)
    assert (rows, people) == store_figures(store, "93") == (67, 3626)
    assert "Procédure judiciaire en cours" not in titles  # the settings do not allow the justice group
    assert "Classeur écrit" in dialog.messageLabel.text() and "67 site(s)" in dialog.messageLabel.text()
    widget, level = bar_iface.messageBar().widgets[-1]
    assert level == Qgis.MessageLevel.Success
    buttons = [button.text() for button in widget.findChildren(excel_dialogs.QPushButton)]
    assert "Ouvrir le fichier" in buttons


def test_the_justice_box_follows_the_settings_and_adds_the_procedures(bar_iface, demo, tmp_path, monkeypatch):
    assert not ExportDialog(bar_iface).justiceBox.isEnabled()
    allowed = excel_dialogs.Settings(show_justice=True)
    monkeypatch.setattr(excel_dialogs.Settings, "load", classmethod(lambda cls: allowed))
    dialog = ExportDialog(bar_iface)
    assert dialog.justiceBox.isEnabled()
    dialog.justiceBox.setChecked(True)
    dialog.fileWidget.setFilePath(str(tmp_path / "avec_procedures.xlsx"))
    task = dialog.build_task()
    assert task.run()
    assert "Procédure judiciaire en cours" in sheet_figures(tmp_path / "avec_procedures.xlsx")[2]


def test_cancelling_the_export_leaves_no_file_and_says_so(bar_iface, demo, tmp_path):
    dialog = ExportDialog(bar_iface)
    out = tmp_path / "annule.xlsx"
    dialog.fileWidget.setFilePath(str(out))
    task = dialog.build_task()
    dialog.task = task
    task.cancel()
    assert not task.run()
    dialog.export_finished()
    assert not out.exists() and not list(tmp_path.glob("*.xlsx"))
    assert dialog.messageLabel.text() == "Export annulé : aucun fichier écrit."
    assert dialog.exportButton.isEnabled()


def test_the_export_warns_about_unsaved_edits_and_refuses_bad_dates(bar_iface, demo, tmp_path):
    _, layers = demo
    sites = layers["sites"]
    sites.startEditing()
    feature = next(sites.getFeatures())
    sites.changeAttributeValue(feature.id(), sites.fields().indexOf("population_total"), 999)
    dialog = ExportDialog(bar_iface)
    assert "non enregistrées" in dialog.warningLabel.text() and sites.name() in dialog.warningLabel.text()
    dialog.atEdit.setDate(QDate(2026, 1, 10))
    assert dialog.sinceEdit.date() < dialog.atEdit.date()  # kept before the date of the export
    dialog.fileWidget.setFilePath(str(tmp_path / "nowhere" / "x.xlsx"))
    assert dialog.start_export() is None
    assert "n'existe pas" in dialog.messageLabel.text()
    sites.rollBack()


# --- import --------------------------------------------------------------------------------------

def exported(store, path, edit=None):
    """Our own export of the store, optionally edited like a user would in Excel: edit(sheet, titles)."""
    export_workbook(store, str(path))
    if edit is not None:
        book = openpyxl.load_workbook(str(path))
        sheet = book["Sites existants"]
        edit(sheet, [cell.value for cell in sheet[2]])
        book.save(str(path))
    return path


def site_line(sheet, titles, uuid):
    column = titles.index("Identifiant")
    return next(row[0].row for row in sheet.iter_rows(min_row=3) if row[column].value == uuid)


def first_site(store):
    """(fid, uuid, name, people) of an open site whose name no other site has."""
    with contextlib.closing(store.connect()) as connection:
        return connection.execute(
            "SELECT fid, uuid, name, population_total FROM sites WHERE status = 'open' AND name IN "
            "(SELECT name FROM sites GROUP BY name HAVING count(*) = 1) ORDER BY name LIMIT 1").fetchone()


def analysed(iface, path) -> ImportDialog:
    dialog = ImportDialog(iface)
    dialog.fileWidget.setFilePath(str(path))
    wait_for(dialog.start_preview())
    return dialog


def test_the_import_previews_then_updates_the_store_and_the_layers(bar_iface, demo, tmp_path):
    store, layers = demo
    fid, uuid, name, people = first_site(store)

    def more_people(sheet, titles):
        sheet.cell(row=site_line(sheet, titles, uuid), column=titles.index("Nombre de personnes") + 1,
                   value=people + 7)

    dialog = analysed(bar_iface, exported(store, tmp_path / "retour.xlsx", more_people))
    model = dialog.model
    assert model.rowCount() == 67
    line = next(row for row in range(model.rowCount()) if model.index(row, 2).data() == name)
    assert model.index(line, 1).data() == "Mise à jour"
    assert model.index(line, 5).data() == "Nombre de personnes : %d → %d" % (people, people + 7)
    assert "1 à mettre à jour, 66 inchangées" in dialog.summaryText.toPlainText()
    assert dialog.importButton.isEnabled()
    assert layers["sites"].getFeature(fid)["population_total"] == people

    task = dialog.start_import()
    wait_for(task)
    assert "1 mis à jour" in dialog.messageLabel.text()
    assert layers["sites"].getFeature(fid)["population_total"] == people + 7
    assert not dialog.importButton.isEnabled() and dialog.cancelButton.text() == "Fermer"
    with contextlib.closing(store.connect()) as connection:
        reason = connection.execute("SELECT reason FROM sites_history WHERE uuid = ? ORDER BY history_id DESC",
                                    (uuid,)).fetchone()[0]
    assert reason == "import: retour.xlsx"
    assert any("1 site(s) mis à jour" in text or "1 mis à jour" in text
               for text in bar_iface.messageBar().get_messages(Qgis.MessageLevel.Success))


def test_a_bad_file_is_refused_with_a_clear_message(bar_iface, demo, tmp_path):
    unknown = tmp_path / "inconnu.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Nom du client", "Montant"])
    book.active.append(["Dupont", 12])
    book.save(str(unknown))
    dialog = analysed(bar_iface, unknown)
    assert "Aucune ligne d'en-têtes reconnue" in dialog.summaryText.toPlainText()
    assert dialog.messageLabel.text().startswith("Fichier refusé : Aucune ligne d'en-têtes reconnue")
    assert dialog.model.rowCount() == 0 and not dialog.importButton.isEnabled()

    text = tmp_path / "sites.xlsx"
    text.write_text("Appellation du site;Code INSEE\nLe Canal;93001\n", encoding="utf-8")
    dialog = analysed(bar_iface, text)
    assert "sites.xlsx" in dialog.messageLabel.text() and not dialog.importButton.isEnabled()


def test_rows_in_error_block_the_import_unless_skipped(bar_iface, demo, tmp_path):
    store, layers = demo
    _, uuid, _, _ = first_site(store)

    def broken(sheet, titles):
        sheet.cell(row=site_line(sheet, titles, uuid), column=titles.index("Nombre de personnes") + 1,
                   value="beaucoup")

    dialog = analysed(bar_iface, exported(store, tmp_path / "erreur.xlsx", broken))
    assert not dialog.importButton.isEnabled()
    assert "1 ligne(s) en erreur" in dialog.messageLabel.text()
    dialog.errorsOnlyBox.setChecked(True)
    assert dialog.model.rowCount() == 1
    assert dialog.model.index(0, 1).data() == "Erreur" and "Nombre de personnes" in dialog.model.index(0, 3).data()
    assert dialog.countLabel.text() == "1 ligne(s) affichée(s) sur 67"
    dialog.skipInvalidBox.setChecked(True)
    # Nothing else changed: no row to write, still nothing to import.
    assert not dialog.importButton.isEnabled() and "Rien à importer" in dialog.messageLabel.text()


def test_the_import_is_refused_while_a_layer_has_unsaved_edits(bar_iface, demo, tmp_path):
    store, layers = demo
    fid, uuid, name, people = first_site(store)

    def more_people(sheet, titles):
        sheet.cell(row=site_line(sheet, titles, uuid), column=titles.index("Nombre de personnes") + 1,
                   value=people + 1)

    dialog = analysed(bar_iface, exported(store, tmp_path / "retour.xlsx", more_people))
    sites = layers["sites"]
    sites.startEditing()
    sites.changeAttributeValue(fid, sites.fields().indexOf("name"), "Renommé")
    assert dialog.start_import() is None
    assert dialog.messageLabel.text().startswith("Import refusé") and sites.name() in dialog.messageLabel.text()
    assert store_figures(store)[1] == 3626  # nothing written
    sites.rollBack()
    assert dialog.start_import() is not None


def test_the_manager_gives_the_menu_actions_and_removes_everything(bar_iface, demo, tmp_path):
    manager = ExcelManager()
    actions = manager.create(bar_iface)
    assert [action.text() for action in actions] == ["Exporter vers Excel…", "Importer depuis Excel…"]
    actions[0].trigger()
    actions[1].trigger()
    export_dialog, import_dialog = manager.export_dialog, manager.import_dialog
    assert export_dialog.isVisible() and import_dialog.isVisible()
    actions[0].trigger()
    assert manager.export_dialog is export_dialog  # the open dialog comes back to the front
    out = tmp_path / "pendant_le_dechargement.xlsx"
    export_dialog.fileWidget.setFilePath(str(out))
    task = export_dialog.start_export()
    watch = Watch(task)
    assert manager.tasks.running == [task]
    manager.remove()  # the plugin unloads while the export runs: it is cancelled
    assert not export_dialog.isVisible() and not import_dialog.isVisible()
    assert manager.actions == []
    assert watch.wait() == "terminated" and not out.exists()
    assert manager.tasks.running == []


def test_the_preview_lists_the_platform_columns_not_taken_and_the_new_orientation(bar_iface, demo, tmp_path):

    store, _ = demo
    first = write_export(tmp_path / "sites-fermes.xlsx", CLOSED_SITES, closed=True)
    apply_import(store, preview_import(store, str(first)), "agent")
    later = [dict(site) for site in CLOSED_SITES]
    later[2].update(outcome3_people=4, outcome3_households=1, updated_at=datetime.datetime(2026, 11, 2, 10, 0))
    dialog = analysed(bar_iface, write_export(tmp_path / "sites-fermes-2.xlsx", later, closed=True))
    summary = dialog.summaryText.toPlainText()
    assert "Colonnes non reprises :" in summary
    assert "« Intervenants (à la date de l'export) » : nomme des personnes (prénom, nom)" in summary
    assert "« Message » : texte libre de chaque orientation" in summary
    model = dialog.model
    line = next(row for row in range(model.rowCount()) if model.index(row, 2).data() == "Ourcq")
    assert model.index(line, 1).data() == "Mise à jour"
    changes = model.index(line, 5).data()
    assert "Devenir des habitants : Logement 4 / 1, Autre 6 / 2" in changes
    assert "Mis à jour sur la plateforme le : 02/03/2026 08:15 → 02/11/2026 10:00" in changes


def operator_workbook(store, path, edit_value):
    """An operator's monthly workbook for last month, its month's column filled by edit_value(code, sent)."""
    from plugin.exchange import observatory
    from plugin.model import indicators as model
    from plugin.store import indicators_sql as sql
    month = model.previous_month(datetime.date.today())
    with sql.connection_of(store) as connection:
        action = next(a for a in sql.actions(connection, departement="93") if a.active_months(month, month))
    observatory.write_workbook(store, str(path), action.uuid, month)
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    column = [c.value for c in sheet[7]].index(month) + 1
    for row in range(8, sheet.max_row + 1):
        sheet.cell(row, column).value = edit_value(sheet.cell(row, 1).value, sheet.cell(row, column).value)
    book.save(path)
    return action, month


def stored_month(store, action, month):
    from plugin.store import indicators_sql as sql
    with sql.connection_of(store) as connection:
        return {code: cell.value for (code, period), cell in sql.grid(connection, action.uuid).items()
                if period == month}


def test_the_import_dialog_recognises_the_operator_workbook(bar_iface, demo, tmp_path):
    store, _layers = demo
    path = tmp_path / "observatoire-retour.xlsx"
    action, month = operator_workbook(store, path, lambda code, sent: 3)
    dialog = analysed(bar_iface, path)
    assert dialog.summaryText.toPlainText().startswith("Observatoire « %s », %s" % (action.name, month))
    assert dialog.messageLabel.text().startswith("Prêt : classeur de l'opérateur « %s »" % action.name)
    assert dialog.importButton.isEnabled() and dialog.conflictsCombo.isHidden()
    assert dialog.rowsView.isHidden() and dialog.skipInvalidBox.isHidden()     # no rows of sites here
    wait_for(dialog.start_import())
    assert "valeur(s) écrite(s) pour « %s »" % action.name in dialog.messageLabel.text()
    assert set(stored_month(store, action, month).values()) == {3}
    with contextlib.closing(store.connect()) as connection:
        reasons = {row[0] for row in connection.execute(
            "SELECT reason FROM indicator_values_history WHERE action_uuid = ? AND period = ?", (action.uuid, month))}
    assert reasons == {"import: observatoire-retour.xlsx"}
    # a second import of the same file changes nothing
    dialog = analysed(bar_iface, path)
    assert dialog.messageLabel.text().startswith("Rien à importer") and not dialog.importButton.isEnabled()


def test_a_value_changed_since_the_workbook_is_a_conflict_to_choose(bar_iface, demo, tmp_path):
    from plugin.store import indicators_sql as sql
    store, _layers = demo
    path = tmp_path / "observatoire-conflit.xlsx"
    action, month = operator_workbook(store, path, lambda code, sent: 4)
    with contextlib.closing(store.connect()) as connection:   # the officer corrects « people » meanwhile
        sql.save_month_values(connection, action.uuid, {("people", month): 500}, "agent")
    dialog = analysed(bar_iface, path)
    assert not dialog.conflictsCombo.isHidden()
    assert "choisissez de prendre le fichier ou de garder le stockage" in dialog.messageLabel.text()
    assert not dialog.importButton.isEnabled()
    dialog.conflictsCombo.setCurrentIndex(dialog.conflictsCombo.findData(False))     # keep the store's
    assert dialog.importButton.isEnabled()
    wait_for(dialog.start_import())
    values = stored_month(store, action, month)
    assert values["people"] == 500 and values["households"] == 4
