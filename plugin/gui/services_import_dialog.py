"""« Importer des services… »: a file or a layer of the project, its columns mapped to the services' fields
(a preset, which can be saved), then the import and what it did."""
from typing import Dict, Optional

from qgis.core import QgsMapLayerProxyModel
from qgis.gui import QgsFileWidget, QgsMapLayerComboBox
from qgis.PyQt.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QInputDialog, QLabel,
                                 QPushButton, QRadioButton, QVBoxLayout)

from ..i18n import pick, tr
from ..layers import service_import
from ..model import schema
from ..model import service_import as model
from ..model import vocabularies as voc

NONE = ""


class ServicesImportDialog(QDialog):
    def __init__(self, services_layer, parent=None):
        super().__init__(parent)
        self.setWindowTitle(tr("Importer des services"))
        self.services_layer = services_layer
        self.source = None
        self.report: Optional[service_import.ImportReport] = None
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.from_file = QRadioButton(tr("Fichier (CSV, xlsx, GeoJSON, GeoPackage)"))
        self.from_file.setChecked(True)
        self.file_widget = QgsFileWidget()
        self.file_widget.setFilter(tr("Fichiers lus par QGIS (*.csv *.xlsx *.geojson *.json *.gpkg *.shp)"))
        self.from_layer = QRadioButton(tr("Couche du projet"))
        self.layer_combo = QgsMapLayerComboBox()
        self.layer_combo.setFilters(QgsMapLayerProxyModel.Filter.VectorLayer)
        form.addRow(self.from_file, self.file_widget)
        form.addRow(self.from_layer, self.layer_combo)
        self.preset_combo = QComboBox()
        self.presets = service_import.all_presets()
        for preset in self.presets:
            self.preset_combo.addItem(pick(preset.label, preset.label_en or preset.label), preset.name)
        form.addRow(tr("Préréglage"), self.preset_combo)
        self.category_combo = QComboBox()
        self.category_combo.addItem(tr("(lue dans la colonne « Catégorie »)"), NONE)
        for term in voc.SERVICE_CATEGORY.terms:
            self.category_combo.addItem(pick(term.label, term.label_en), term.code)
        form.addRow(tr("Catégorie de tous les services"), self.category_combo)
        layout.addLayout(form)
        layout.addWidget(QLabel(tr("Colonnes du fichier pour chaque champ :")))
        self.mapping = QFormLayout()
        self.column_combos: Dict[str, QComboBox] = {}
        for name in ("x", "y") + model.MAPPABLE:
            combo = QComboBox()
            combo.setEditable(True)
            self.column_combos[name] = combo
            label = {"x": tr("Longitude (X)"), "y": tr("Latitude (Y)")}.get(name) or \
                pick(schema.SERVICES.field(name).label, schema.SERVICES.field(name).label_en)
            self.mapping.addRow(label, combo)
        layout.addLayout(self.mapping)
        self.save_button = QPushButton(tr("Enregistrer ce préréglage…"))
        self.save_button.clicked.connect(self.save_preset)
        layout.addWidget(self.save_button)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Importer"))
        self.buttons.accepted.connect(self.run_import)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.file_widget.fileChanged.connect(self.source_changed)
        self.layer_combo.layerChanged.connect(self.source_changed)
        self.from_layer.toggled.connect(self.source_changed)
        self.preset_combo.currentIndexChanged.connect(self.preset_changed)
        self.preset_changed()

    def current_source(self):
        if self.from_layer.isChecked():
            return self.layer_combo.currentLayer()
        path = self.file_widget.filePath()
        return service_import.open_file(path) if path else None

    def source_changed(self, *_args) -> None:
        try:
            self.source = self.current_source()
        except Exception as error:     # an unreadable file: said in the dialog, nothing imported
            self.source = None
            self.message.setText(str(error))
            return
        columns = self.source.fields().names() if self.source is not None else []
        for combo in self.column_combos.values():
            kept = combo.currentText()
            combo.clear()
            combo.addItems([NONE] + columns)
            combo.setCurrentText(kept)
        self.preset_changed()

    def preset_changed(self, *_args) -> None:
        preset = self.presets[self.preset_combo.currentIndex()] if self.presets else None
        if preset is None:
            return
        self.column_combos["x"].setCurrentText(preset.x)
        self.column_combos["y"].setCurrentText(preset.y)
        for name in model.MAPPABLE:
            column = preset.columns.get(name, NONE)
            self.column_combos[name].setCurrentText(" + ".join(column) if isinstance(column, list) else column)
        self.category_combo.setCurrentIndex(max(0, self.category_combo.findData(preset.category or NONE)))

    def chosen_preset(self, name: str = "", label: str = "") -> model.Preset:
        base = self.presets[self.preset_combo.currentIndex()] if self.presets else model.Preset("", "")
        columns = {}
        for field_name in model.MAPPABLE:
            text = self.column_combos[field_name].currentText().strip()
            if text:
                parts = [part.strip() for part in text.split("+")]
                columns[field_name] = parts if len(parts) > 1 else parts[0]
        return model.Preset(name or base.name, label or base.label, base.label_en, base.source,
                            self.category_combo.currentData() or None, self.column_combos["x"].currentText(),
                            self.column_combos["y"].currentText(), base.crs, columns, base.skip_when)

    def save_preset(self) -> None:
        label, ok = QInputDialog.getText(self, tr("Enregistrer ce préréglage…"), tr("Nom du préréglage :"))
        if ok and label.strip():
            preset = self.chosen_preset(model.fold(label).replace(" ", "_"), label.strip())
            service_import.save_preset(preset)
            self.presets = service_import.all_presets()
            self.preset_combo.addItem(label.strip(), preset.name)
            self.message.setText(tr("Préréglage « {0} » enregistré.").format(label.strip()))

    def run_import(self) -> None:
        if self.source is None:
            self.source_changed()
        if self.source is None:
            self.message.setText(tr("Choisissez un fichier ou une couche."))
            return
        try:
            self.report = service_import.import_services(self.services_layer, self.source, self.chosen_preset())
        except Exception as error:     # the store's refusal: said in the dialog, nothing imported
            self.message.setText(str(error))
            return
        lines = [tr("{0} service(s) ajouté(s), {1} mis à jour.").format(self.report.added, self.report.updated)]
        lines += [tr("Ligne {0} : {1}").format(p.line, pick(p.message, p.message_en)) for p in self.report.problems]
        self.message.setText("\n".join(lines))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Fermer"))
