"""The settings dialog (forms/settings.ui): who records, what is shown, limits."""
from qgis.PyQt import uic
from qgis.PyQt.QtWidgets import QDialog

from ..assets import FORMS
from ..i18n import tr
from ..layers.background import BASEMAPS
from ..settings import Settings

FORM_CLASS, _ = uic.loadUiType(str(FORMS / "settings.ui"))


class SettingsDialog(QDialog, FORM_CLASS):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setupUi(self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        settings = Settings.load()
        self.login.setText(settings.login)
        self.outOfDateMonths.setValue(settings.out_of_date_months)
        self.attachmentMaxMb.setValue(settings.attachment_max_mb)
        self.showJustice.setChecked(settings.show_justice)
        self.webBasemap.addItem(tr("Aucun (hors ligne)"), "")
        for key, (name, _url, _zoom) in BASEMAPS.items():
            self.webBasemap.addItem(name, key)
        self.webBasemap.setCurrentIndex(max(self.webBasemap.findData(settings.web_basemap), 0))

    def settings(self) -> Settings:
        settings = Settings.load()
        settings.login = self.login.text().strip()
        settings.out_of_date_months = self.outOfDateMonths.value()
        settings.attachment_max_mb = self.attachmentMaxMb.value()
        settings.show_justice = self.showJustice.isChecked()
        settings.web_basemap = self.webBasemap.currentData()
        return settings
