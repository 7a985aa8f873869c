"""Services near the sites, as an officer meets them: import from a CSV laid out as the open data publishes it,
the services to check in the dock, « Confirmer sans changement », a re-import that updates."""
import pytest
from qgis.core import QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import QDate

from plugin.gui.dock_manager import DockManager
from plugin.layers import service_import

# The national education directory (« Annuaire de l'éducation », dataset fr-en-annuaire-education) as its
# portal exports it: semicolon-separated, the documented column names (here with their capitals), WGS 84
# latitude and longitude columns, « etat » OUVERT / FERME. Values: schools of Saint-Denis (93).
ANNUAIRE = (
    "Identifiant_de_l_etablissement;Nom_etablissement;Type_etablissement;Statut_public_prive;Adresse_1;"
    "Code_postal;Code_commune;Nom_commune;Telephone;latitude;longitude;etat\n"
    "0930001A;Ecole maternelle Jules Vallès;Ecole;Public;12 rue Jules Vallès;93200;93066;Saint-Denis;"
    "0149000001;48.9362;2.3571;OUVERT\n"
    "0930002B;Ecole élémentaire Pleyel;Ecole;Public;3 rue Pleyel;93200;93066;Saint-Denis;0149000002;"
    "48.9190;2.3440;OUVERT\n"
    "0930003C;Ecole fermée du Canal;Ecole;Public;1 quai du Canal;93200;93066;Saint-Denis;;48.9280;2.3600;FERME\n"
    "0930004D;Ecole sans position;Ecole;Public;;93200;93066;Saint-Denis;;;;OUVERT\n"
)


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return str(path)


def preset(name):
    return next(p for p in service_import.shipped_presets() if p.name == name)


def rows(layer):
    return {f["name"]: f for f in layer.getFeatures()}


def test_the_education_directory_imports_and_a_reimport_updates(opened_store, tmp_path):
    _store, layers = opened_store
    services = layers["services"]
    source = service_import.open_file(write(tmp_path / "fr-en-annuaire-education.csv", ANNUAIRE))
    report = service_import.import_services(services, source, preset("annuaire_education"))
    assert (report.added, report.updated) == (2, 0)
    assert [(p.line, p.message) for p in report.problems] == [
        (5, "position manquante (colonnes longitude, latitude)")]
    found = rows(services)
    school = found["Ecole maternelle Jules Vallès"]
    assert school["category"] == "school" and school["source_id"] == "0930001A"
    assert school["insee_code"] == "93066" and school["departement"] == "93" and school["city_name"]
    assert school["contact"] == "0149000001" and school["address"] == "12 rue Jules Vallès 93200 Saint-Denis"
    assert school["verified_at"] is None or school["verified_at"].isNull()

    # The directory's next edition: the school moved across the street and changed its phone number.
    moved = ANNUAIRE.replace("0149000001;48.9362;2.3571", "0149000099;48.9364;2.3573")
    again = service_import.import_services(services, service_import.open_file(
        write(tmp_path / "next.csv", moved)), preset("annuaire_education"))
    assert (again.added, again.updated) == (0, 2)
    assert services.featureCount() == 2
    assert rows(services)["Ecole maternelle Jules Vallès"]["contact"] == "0149000099"


def test_an_association_list_without_ids_matches_by_name_within_50_metres(opened_store, tmp_path):
    _store, layers = opened_store
    services = layers["services"]
    mapping = service_import.model.Preset(
        "ma_liste", "Ma liste", source="Association Rives", x="lon", y="lat",
        columns={"name": "Nom", "category": "Type", "opening_hours": "Horaires"})
    text = ("Nom,Type,Horaires,lon,lat\n"
            "Fontaine Carnot,Point d'eau,7h-20h,2.3580,48.9350\n"
            "Restos du Coeur,Alimentation,mardi 14h,2.3600,48.9300\n"
            "Inconnu,Pharmacie,,2.36,48.93\n")
    path = write(tmp_path / "liste.csv", text)
    report = service_import.import_services(services, service_import.open_file(path), mapping)
    assert report.added == 2 and [p.message for p in report.problems] == ["catégorie inconnue : « Pharmacie »"]
    # 30 m further and new hours: the same fountain; 200 m further: another one.
    nearby = text.replace("7h-20h,2.3580,48.9350", "6h-22h,2.3580,48.93527").replace(
        "Restos du Coeur,Alimentation,mardi 14h,2.3600,48.9300", "Restos du Coeur,Alimentation,mardi 14h,2.3600,48.9318")
    again = service_import.import_services(services, service_import.open_file(write(tmp_path / "l2.csv", nearby)),
                                           mapping)
    assert (again.added, again.updated) == (1, 1)
    assert rows(services)["Fontaine Carnot"]["opening_hours"] == "6h-22h"


def test_the_dock_lists_the_services_to_check_first_and_confirms_them(opened_store, tmp_path, iface):
    _store, layers = opened_store
    services = layers["services"]
    service_import.import_services(services, service_import.open_file(
        write(tmp_path / "a.csv", ANNUAIRE)), preset("annuaire_education"))
    services.startEditing()
    recent = next(f for f in services.getFeatures() if f["source_id"] == "0930002B")
    services.changeAttributeValue(recent.id(), services.fields().indexOf("verified_at"), QDate.currentDate())
    assert services.commitChanges(), services.commitErrors()
    if not hasattr(iface, "vectorLayerTools"):
        iface.vectorLayerTools = lambda: None
    manager = DockManager(iface)
    manager.create()
    try:
        dock = next(d for d in manager.docks if d.table_name == "services")
        dock.flush()
        assert [r.get("name") for r in dock.model.shown] == ["Ecole maternelle Jules Vallès"]
        assert "1 service(s) listé(s), dont 1 à vérifier" in dock.totals_label.text()
        dock.to_check_box.setChecked(False)
        assert len(dock.model.shown) == 2
        dock.select_fids([f.id() for f in services.getFeatures() if f["source_id"] == "0930001A"])
        dock.confirm_action.trigger()
        assert dock.save_action.isEnabled()
        dock.save_action.trigger()
        dock.to_check_box.setChecked(True)
        dock.flush()
        assert dock.model.shown == []
        assert services.renderer().type() == "categorizedSymbol"
    finally:
        for layer in QgsProject.instance().mapLayers().values():
            if layer.isEditable():
                layer.rollBack()
        manager.remove()


def test_the_import_dialog_maps_the_columns_saves_the_preset_and_reports(opened_store, tmp_path, monkeypatch):
    from qgis.core import QgsSettings
    from qgis.PyQt.QtWidgets import QDialogButtonBox, QInputDialog
    from plugin.gui.services_import_dialog import ServicesImportDialog
    QgsSettings().remove(service_import.SAVED_PRESETS)
    _store, layers = opened_store
    dialog = ServicesImportDialog(layers["services"])
    dialog.file_widget.setFilePath(write(tmp_path / "douches.csv", "Lieu,X,Y,Ouverture\n"
                                         "Bains-douches Gabriel-Péri,2.3570,48.9370,lundi-samedi 8h-12h\n"
                                         "Douches nulle part,,,\n"))
    dialog.category_combo.setCurrentIndex(dialog.category_combo.findData("sanitary"))
    for name, column in (("x", "X"), ("y", "Y"), ("name", "Lieu"), ("opening_hours", "Ouverture"),
                         ("source_id", "")):
        dialog.column_combos[name].setCurrentText(column)
    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kw: ("Douches municipales", True))
    dialog.save_button.click()
    assert [p.label for p in service_import.saved_presets()] == ["Douches municipales"]
    assert service_import.saved_presets()[0].columns["opening_hours"] == "Ouverture"
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert "1 service(s) ajouté(s), 0 mis à jour." in dialog.message.text()
    assert "Ligne 3 : position manquante (colonnes X, Y)" in dialog.message.text()
    assert rows(layers["services"])["Bains-douches Gabriel-Péri"]["category"] == "sanitary"
    QgsSettings().remove(service_import.SAVED_PRESETS)
